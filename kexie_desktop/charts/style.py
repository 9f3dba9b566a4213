"""What every chart shares: status colours (colour-blind safe, Okabe–Ito), fonts, figure and export."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from .. import display, fonts
from ..errors import UserError
from ..palette import STATUS_STYLES, StatusStyle
from ..progress import NO_TARGET

FORMATS = {".png": "png", ".svg": "svg"}
INK = "#333333"
EXPECTED_COLOR = "#000000"


def status_style(status: str) -> StatusStyle:
    return STATUS_STYLES.get(status, STATUS_STYLES[NO_TARGET])


def status_legend(statuses) -> list[Patch]:
    return [
        Patch(facecolor=status_style(s).color, hatch=status_style(s).hatch, edgecolor=INK, linewidth=0.6, label=s)
        for s in statuses
    ]


@contextmanager
def building() -> Iterator[None]:
    """Figures are built inside the font context; ``finish`` then pins the fonts on the figure."""
    with fonts.chart_fonts():
        yield


def new_figure(width: float, height: float, fig: Figure | None = None) -> Figure:
    """A fresh figure, or ``fig`` cleared and resized: a Qt canvas keeps its one Figure and redraws."""
    if fig is None:
        return Figure(figsize=(width, height), layout="constrained", dpi=100)
    fig.clear()
    fig.set_size_inches(width, height, forward=False)
    fig.set_layout_engine("constrained")
    return fig


def finish(fig: Figure) -> Figure:
    """Pin the CJK font on every text and tick, so a later draw (a Qt canvas) needs no rc context."""
    family = fonts.font_list()
    for text in fig.findobj(Text):
        text.set_fontfamily(family)
    for ax in fig.axes:
        ax.tick_params(labelfontfamily=family)
    return fig


def percent(value: float | None, digits: int = 0) -> str:
    return display.percent(value, digits, missing=display.MISSING)


# ASCII minus sign regardless of rcParams at draw time (SimHei lacks U+2212).
PERCENT_AXIS = FuncFormatter(lambda x, _pos: f"{x * 100:.0f}%")
NUMBER_AXIS = FuncFormatter(lambda x, _pos: f"{x:,.0f}" if abs(x) >= 10 or x == int(x) else f"{x:g}")


def number(value: float | None) -> str:
    return display.figure(value, missing=display.MISSING)


def check_output(path: str | Path) -> str:
    """The export format of ``path`` (png or svg); refuses other names before any work is done."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UserError(f"图表文件名“{path.name}”须以 .png 或 .svg 结尾。")
    if not path.parent.is_dir():
        raise UserError(f"文件夹 {path.parent} 不存在，无法保存图表。")
    return fmt


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Export to PNG or SVG, chosen by the file suffix."""
    fmt = check_output(path)
    try:
        with fonts.chart_fonts():
            fig.savefig(path, format=fmt, dpi=120)
    except OSError as exc:
        raise UserError(f"无法保存图表到 {path}：{exc.strerror or exc}。") from exc
    return Path(path)
