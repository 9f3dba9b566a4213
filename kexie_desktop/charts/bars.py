"""Bar charts: progress per indicator with the expected mark, and units compared (排名)."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..progress import NO_TARGET, STATUSES, UNREPORTED, IndicatorRank, OverallRank, ProgressRow
from .style import (
    EXPECTED_COLOR, INK, PERCENT_AXIS, building, finish, new_figure, number, percent, status_legend,
    status_style,
)

AXIS_CAP = 1.5  # bars longer than 150 % are cut at the edge and labelled with their true value


@dataclass(frozen=True)
class Bar:
    label: str
    progress: float | None
    expected: float | None
    status: str
    note: str  # text after the bar: the figures behind it


def _bars(ax: Axes, bars: list[Bar]) -> None:
    """Horizontal bars, first on top, with the expected mark and a text label per bar."""
    n = len(bars)
    ys = [n - 1 - k for k in range(n)]
    for y, bar in zip(ys, bars):
        width = min(bar.progress or 0.0, AXIS_CAP)
        if bar.progress is not None:  # nothing reported: no bar at all, only the words
            style = status_style(bar.status)
            ax.barh(y, width, height=0.7, color=style.color, hatch=style.hatch,
                    edgecolor=INK if style.hatch else style.color, linewidth=0.6)
        if bar.expected is not None:
            ax.vlines(bar.expected, y - 0.42, y + 0.42, colors=EXPECTED_COLOR, linewidth=2.2)
        text_x = min(max(width, bar.expected or 0.0), AXIS_CAP) + 0.015
        ax.text(text_x, y, bar.note, va="center", ha="left", fontsize=8, color=INK, clip_on=False)
    ax.set_yticks(ys, [b.label for b in bars], fontsize=9)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, AXIS_CAP + 0.45)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5])
    ax.xaxis.set_major_formatter(PERCENT_AXIS)
    ax.axvline(1.0, color="#888888", linestyle="--", linewidth=0.8)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend(fig: Figure, statuses: set[str], expected: bool = True) -> None:
    handles = status_legend([s for s in STATUSES if s in statuses and s not in (UNREPORTED, NO_TARGET)])
    if expected:
        handles.append(Line2D([], [], color=EXPECTED_COLOR, linewidth=2.2, label="时序进度（应完成）"))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6), frameon=False, fontsize=9)


def _note(row: ProgressRow) -> str:
    if not row.reported and row.progress is None:
        return row.status
    target = number(row.target)
    if row.target_max is not None and row.target_max != row.target:
        target += f"-{number(row.target_max)}"
    figures = f"{number(row.actual)}/{target}{row.unit}"
    if row.kind == "coverage" and row.base is not None:
        figures = f"{number(row.covered)}/{number(row.base)}（{percent((row.actual or 0) / 100, 1)}）"
    return f"{percent(row.progress)}  {row.status}  {figures}"


def progress_chart(rows: list[ProgressRow], title: str | None = None, fig: Figure | None = None) -> Figure:
    """(a) One bar per indicator that has a target: progress, status colour and hatch, and the
    expected-progress mark. Indicators without a target for the office are left out."""
    shown = [r for r in rows if r.target is not None]
    bars = [Bar(f"{r.code} {r.name}", r.progress, r.expected, r.status, _note(r)) for r in shown]
    with building():
        fig = new_figure(11, 1.6 + 0.3 * max(len(bars), 3), fig)
        ax = fig.add_subplot()
        _bars(ax, bars)
        ax.set_xlabel("完成率（实际 ÷ 目标）")
        if not bars:
            ax.text(0.5, 0.5, "这个单位还没有设定目标。", transform=ax.transAxes, ha="center", fontsize=12)
        if rows:
            year = next((f"{r.year}年" for r in rows if r.year), "")
            title = title or f"{rows[0].office_name} {year}目标完成进度（截至 {rows[0].as_of:%Y年%m月%d日}）"
        fig.suptitle(title or "目标完成进度", fontsize=13, x=0.01, ha="left", wrap=True)
        _legend(fig, {b.status for b in bars})
    return finish(fig)


def ranking_chart(ranks: list[IndicatorRank], title: str | None = None, fig: Figure | None = None) -> Figure:
    """(c) The units on one indicator, best first."""
    rows = [r.row for r in ranks]
    bars = [Bar(f"{k.rank}. {_short(k.row.office_name)}", k.row.progress if k.row.reported else None,
                k.row.expected, k.status, _note(k.row) if k.row.reported else k.status) for k in ranks]
    with building():
        fig = new_figure(10, 1.8 + 0.42 * max(len(bars), 1), fig)
        ax = fig.add_subplot()
        _bars(ax, bars)
        ax.set_xlabel("完成率（实际 ÷ 目标）")
        if rows:
            first = rows[0]
            year = f"{first.year}年" if first.year else f"{first.period_end.year}年期末目标"
            title = title or f"{first.code} {first.name}：各县区完成情况排名（{year}，截至 {first.as_of:%Y-%m-%d}）"
        fig.suptitle(title or "各县区完成情况排名", fontsize=12, x=0.01, ha="left", wrap=True)
        _legend(fig, {b.status for b in bars})
    return finish(fig)


def overall_chart(ranks: list[OverallRank], title: str | None = None, fig: Figure | None = None) -> Figure:
    """Units by their weighted completion score (综合得分)."""
    with building():
        fig = new_figure(10, 1.6 + 0.42 * max(len(ranks), 1), fig)
        ax = fig.add_subplot()
        ys = list(range(len(ranks) - 1, -1, -1))
        scores = [r.score or 0.0 for r in ranks]
        ax.barh(ys, scores, height=0.7, color="#0072B2")
        for y, r in zip(ys, ranks):
            score = r.status or percent(r.score, 1)
            ax.text((r.score or 0.0) + 0.01, y, f"{score}  已填报 {r.reported}/{r.indicators} 项",
                    va="center", fontsize=8, color=INK)
        ax.set_yticks(ys, [f"{r.rank}. {r.office_name}" for r in ranks], fontsize=9)
        ax.set_xlim(0, 1.3)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.xaxis.set_major_formatter(PERCENT_AXIS)
        ax.set_xlabel("综合完成得分（各指标完成率的加权平均，单项最高计 100%）")
        fig.suptitle(title or "各县区综合排名", fontsize=12, x=0.01, ha="left", wrap=True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return finish(fig)


def _short(name: str) -> str:
    return name.removesuffix("科协") if len(name) > 4 else name
