"""(b) Monthly trend: cumulative actual (or the latest level) against the target pace line."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..progress import Trend
from .style import INK, NUMBER_AXIS, building, finish, new_figure, number

ACTUAL_COLOR = "#0072B2"
PACE_COLOR = "#D55E00"


def _month_labels(trend: Trend) -> tuple[list[int], list[str]]:
    points = trend.points
    step = 1 if len(points) <= 12 else 3
    ticks = list(range(0, len(points), step))
    if len(points) <= 12:
        return ticks, [f"{points[i].month}月" for i in ticks]
    return ticks, [f"{points[i].year}年{points[i].month}月" for i in ticks]


def trend_chart(trend: Trend, title: str | None = None, fig: Figure | None = None) -> Figure:
    xs = list(range(len(trend.points)))
    actual = [(x, p.actual) for x, p in zip(xs, trend.points) if p.actual is not None]
    with building():
        fig = new_figure(10, 5.2, fig)
        ax = fig.add_subplot()
        label = "累计完成" if trend.cumulative else ("覆盖率" if trend.kind == "coverage" else "最新值")
        if actual:
            ax.plot([a[0] for a in actual], [a[1] for a in actual], color=ACTUAL_COLOR, marker="o",
                    markersize=3.5, linewidth=2, label=label)
        else:
            ax.text(0.5, 0.5, "未填报：本期还没有任何数据", transform=ax.transAxes, ha="center", fontsize=12, color=INK)
        if trend.target is not None:
            ax.plot(xs, [p.pace for p in trend.points], color=PACE_COLOR, linestyle="--", linewidth=1.5,
                    label="目标进度线（按时序）")
            ax.axhline(trend.target, color="#555555", linestyle=":", linewidth=1.2,
                       label=f"目标 {number(trend.target)}{trend.unit}")
        if trend.target_max is not None:
            ax.axhline(trend.target_max, color="#009E73", linestyle=":", linewidth=1.2,
                       label=f"上限（争取） {number(trend.target_max)}{trend.unit}")
        _as_of_mark(ax, trend)
        ticks, labels = _month_labels(trend)
        ax.set_xticks(ticks, labels, rotation=0 if len(xs) <= 12 else 45, fontsize=8)
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_ylim(*_limits(trend))
        ax.yaxis.set_major_formatter(NUMBER_AXIS)
        ax.set_ylabel(trend.unit)
        ax.grid(color="#E5E5E5", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title(title or f"{trend.office_name} · {trend.code} {trend.name}：{label}与目标进度", fontsize=12,
                     loc="left")
        ax.legend(loc="best", fontsize=9, framealpha=0.92, edgecolor="none")
    return finish(fig)


def _as_of_mark(ax, trend: Trend) -> None:
    months = [(p.year, p.month) for p in trend.points]
    here = (trend.as_of.year, trend.as_of.month)
    if here in months:
        ax.axvline(months.index(here), color="#999999", linewidth=1, linestyle="-.",
                   label=f"截至 {trend.as_of:%Y-%m-%d}")


def _limits(trend: Trend) -> tuple[float, float]:
    """From 0 (or below, for a falling rate) to some room above the highest line for the legend."""
    values = [p.actual for p in trend.points if p.actual is not None]
    values += [p.pace for p in trend.points if p.pace is not None]
    values += [v for v in (trend.target, trend.target_max) if v is not None]
    low, high = min(values + [0.0]), max(values + [0.0])
    return (low * 1.15, high * 1.15 if high > 0 else 1.0)
