"""(d) Indicators × units, coloured by completion (cividis: readable with colour-blindness).

Indicators are rows and units columns, so every label is horizontal and the chart keeps a width
that fits a pane at 1366×768; its height grows with the indicators (the GUI scrolls it)."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from ..progress import CityProgress, ProgressRow
from .style import PERCENT_AXIS, building, finish, new_figure

CMAP = "cividis"
UNREPORTED_COLOR = "#F2F2F2"


def _columns(overview: CityProgress) -> list[tuple[str, str]]:
    """Indicators that have a target for at least one unit, in plan order."""
    seen: dict[str, str] = {}
    for rows in overview.units.values():
        for row in rows:
            if row.target is not None:
                seen.setdefault(row.code, row.name)
    order = [r.code for r in overview.city]
    return sorted(seen.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))


def _unit_codes(overview: CityProgress) -> list[str]:
    """Units in office order, those that reported nothing at all after the others."""
    return sorted(overview.units, key=lambda code: not any(r.reported for r in overview.units[code]))


def _unit_label(overview: CityProgress, code: str) -> str:
    name = overview.unit_names[code]
    return name if any(r.reported for r in overview.units[code]) else f"{name}（未填报）"


def heatmap_cell(overview: CityProgress, x: float, y: float) -> tuple[str, str] | None:
    """(unit code, indicator code) under data coordinates (x, y) of the heatmap, for drill-down."""
    codes = [c for c, _ in _columns(overview)]
    units = _unit_codes(overview)
    col, row = int(round(x)), int(round(y))
    if 0 <= col < len(units) and 0 <= row < len(codes):
        return units[col], codes[row]
    return None


def unit_label(name: str, width: int = 4) -> str:
    """A unit's name in lines of at most ``width`` characters, evenly split: 经济技术\n开发区."""
    lines = -(-len(name) // width)
    size = -(-len(name) // lines)
    return "\n".join(name[i:i + size] for i in range(0, len(name), size))


def _matrix(overview: CityProgress, codes: list[str]):
    """Completion capped at 100 %; NaN and marked where nothing was reported; NaN where no target."""
    values = np.full((len(overview.units), len(codes)), np.nan)
    missing = np.zeros(values.shape, dtype=bool)
    for i, rows in enumerate(overview.units[code] for code in _unit_codes(overview)):
        by_code: dict[str, ProgressRow] = {r.code: r for r in rows}
        for j, code in enumerate(codes):
            row = by_code.get(code)
            if row is None or row.target is None:
                continue
            if row.progress is None or not row.reported:  # a zero target met by nothing reported: 未 too
                missing[i, j] = True
            else:
                values[i, j] = min(max(row.progress, 0.0), 1.0)
    return values, missing


def heatmap_chart(overview: CityProgress, title: str | None = None, fig: Figure | None = None) -> Figure:
    columns = _columns(overview)
    codes = [c for c, _ in columns]
    values, missing = _matrix(overview, codes)
    units = [_unit_label(overview, code) for code in _unit_codes(overview)]
    if not codes or not units:
        return _empty(overview, title, fig)
    with building():
        fig = new_figure(1.7 + 0.42 * len(units), 2.2 + 0.24 * len(codes), fig)
        ax = fig.add_subplot()
        cmap = colormaps[CMAP].with_extremes(bad=UNREPORTED_COLOR)
        image = ax.imshow(np.ma.masked_invalid(values.T), cmap=cmap, vmin=0, vmax=1, aspect="auto")
        _annotate(ax, values, missing, cmap)
        ax.set_yticks(range(len(codes)), [_short_indicator(c, n) for c, n in columns], fontsize=7.5)
        ax.set_xticks(range(len(units)), [unit_label(u) for u in units], fontsize=7)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        bar = fig.colorbar(image, ax=ax, location="bottom", shrink=0.6, pad=0.01, aspect=40)
        bar.ax.xaxis.set_major_formatter(PERCENT_AXIS)
        bar.set_label("完成率（超过 100% 按 100% 显示）")
        fig.suptitle(
            title or f"各县区分指标完成率（{overview.year}年，截至 {overview.as_of:%Y-%m-%d}；“未”= 未填报）",
            fontsize=11, x=0.01, ha="left",
        )
    return finish(fig)


def _short_indicator(code: str, name: str, limit: int = 10) -> str:
    return f"{code} {name if len(name) <= limit else name[:limit - 1] + '…'}"


def _empty(overview: CityProgress, title: str | None, fig: Figure | None = None) -> Figure:
    with building():
        fig = new_figure(8, 3, fig)
        fig.text(0.5, 0.5, "还没有县区设定目标，请先用“任务分解”把市科协目标分解到县区。", ha="center", va="center",
                 fontsize=12)
        fig.suptitle(title or f"各县区分指标完成率（{overview.year}年）", fontsize=12)
    return finish(fig)


def _annotate(ax, values, missing, cmap) -> None:
    """Unit i is column x = i, indicator j is row y = j."""
    for (i, j), value in np.ndenumerate(values):
        if missing[i, j]:
            ax.text(i, j, "未", ha="center", va="center", fontsize=7, color="#666666")
        elif not np.isnan(value):
            r, g, b, _ = cmap(value)
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(i, j, f"{value * 100:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")
