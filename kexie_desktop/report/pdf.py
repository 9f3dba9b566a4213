"""The report as a PDF (matplotlib ``PdfPages``, ``Figure`` objects, never pyplot): the same model as the
workbook, as A4 landscape pages: the cover, the tables (总表, 分县区, 排名, 报送情况, 审核说明) and the charts
of ``kexie_desktop.charts``. The CJK face of ``fonts`` is embedded (as matplotlib's Type 3 subset, with its
text extractable).

Pages are built first and saved after, so that each footer can say 第 N 页 共 M 页.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import charts, display, fonts
from ..packages.format.workbook import atomic_target
from ..palette import STATUS_STYLES
from .excel import DARK_STATUSES, text_width
from .model import Report

PAGE = (11.69, 8.27)  # A4 landscape, inches
MARGIN = 0.45
FONT_SIZE = 8.0
LINE = FONT_SIZE * 1.45 / 72  # inches per text line
UNIT = FONT_SIZE * 0.55 / 72  # inches per width unit (a CJK character is two)
HEADER_FILL = "#DDEBF7"
SECTION_FILL = "#F2F2F2"
CHART_CHUNK = 21  # indicators per page of the 完成率 chart


@dataclass(frozen=True)
class Cell:
    text: str
    status: str | None = None  # a status colour for the cell
    right: bool = False


Row = list[Cell] | str  # a str is a section title across the table


def write_pdf(report: Report, path: str | Path, checkpoint=None) -> Path:
    """``checkpoint(done, total, text)``, when given, is called before each page is saved; it may raise
    ``Cancelled`` (or anything), which leaves no file, not even the temporary one."""
    path = Path(path)
    with fonts.chart_fonts():
        pages = page_figures(report)
        with atomic_target(path) as tmp:
            with PdfPages(tmp, metadata={"Title": report.cover.title, "Creator": "kexie-desktop"}) as pdf:
                for n, page in enumerate(pages):
                    if checkpoint is not None:
                        checkpoint(n, len(pages), f"正在写入 PDF：第 {n + 1} 页，共 {len(pages)} 页…")
                    pdf.savefig(page)
    return path


def page_figures(report: Report) -> list[Figure]:
    """Every page of the PDF as a matplotlib Figure, footer included: what ``write_pdf`` saves and the GUI's
    preview and printing draw. Build (and draw) them inside ``fonts.chart_fonts()``."""
    pages = _cover(report) + _tables(report) + _chart_pages(report)
    for n, page in enumerate(pages, start=1):
        page.text(0.5, 0.022, f"第{n}页 共{len(pages)}页", ha="center", fontsize=8, fontfamily=fonts.font_list())
    return pages


def _page() -> Figure:
    return Figure(figsize=PAGE, dpi=100)


def _title(fig: Figure, report: Report, title: str) -> float:
    """Page heading; returns the y (inches from the top) where the content starts."""
    family = fonts.font_list()
    cover = report.cover
    fig.text(MARGIN / PAGE[0], 1 - 0.4 / PAGE[1], f"{cover.title} · {title}", fontsize=13, fontweight="bold",
             va="top", fontfamily=family)
    fig.text(MARGIN / PAGE[0], 1 - 0.72 / PAGE[1],
             f"{cover.office_name}　数据截至 {cover.as_of.isoformat()}　编制日期 {cover.compiled_on.isoformat()}",
             fontsize=8.5, va="top", color="#444444", fontfamily=family)
    return 0.95


def _cover(report: Report) -> list[Figure]:
    fig = _page()
    family = fonts.font_list()
    cover = report.cover
    fig.text(0.5, 0.74, cover.title, ha="center", fontsize=24, fontweight="bold", fontfamily=family)
    lines = cover.lines() + [("目标状态", "　".join(f"{s} {c} 项" for s, c in report.counts if c))]
    if report.is_city:
        lines.append(("范围", "全市汇总：市科协自身 + 各县区"))
    for n, (label, value) in enumerate(lines):
        y = 0.58 - n * 0.055
        fig.text(0.30, y, f"{label}：", ha="right", fontsize=13, fontweight="bold", fontfamily=family)
        fig.text(0.31, y, value, ha="left", fontsize=13, fontfamily=family)
    return [fig]


# -- tables --------------------------------------------------------------------------------------

def _tables(report: Report) -> list[Figure]:
    pages = _table(report, "总表", *_summary(report))
    if report.matrix is not None:
        pages += _table(report, "分县区完成率", *_matrix(report))
    if report.ranking is not None:
        pages += _table(report, "排名", *_ranking(report))
    if report.reporting is not None:
        pages += _table(report, "报送情况", ["项目", "情况"], [24, 120],
                        [[Cell(a), Cell(b)] for a, b in report.reporting.lines])
    explained = [[Cell(x.office_name), Cell(x.rule), Cell(x.where), Cell(x.value), Cell(x.message),
                  Cell(x.explanation)] for x in report.explained] or ["本年度没有已说明的审核提示。"]
    pages += _table(report, "审核说明", ["单位", "规则", "位置", "数值", "提示", "说明"], [20, 6, 18, 12, 70, 50],
                    explained)
    return pages


def _summary(report: Report):
    headers = ["代码", "指标", "类型", "目标", "完成", "完成率", "时序进度", "状态"]
    widths = [6, 30, 10, 16, 14, 9, 9, 9]
    if report.is_city:
        headers, widths = headers + ["已报单位"], widths + [9]
    headers, widths = headers + ["计划原文"], widths + [40]
    rows: list[Row] = [f"共 {len(report.lines)} 项目标　" + "　".join(f"{s}：{c}" for s, c in report.counts)]
    for block in report.sections:
        rows.append(block.title)
        for x in block.lines:
            cells = [Cell(x.code), Cell(x.name), Cell(x.kind), Cell(x.target_text), Cell(x.actual_text, right=True),
                     Cell(x.progress_text, x.status, True), Cell(x.expected_text, right=True), Cell(x.status, x.status)]
            if report.is_city:
                cells.append(Cell(x.units_text))
            rows.append(cells + [Cell(x.sentence)])
    return headers, widths, rows


def _matrix(report: Report):
    matrix = report.matrix
    headers = ["代码", "指标", "已报单位"] + [name for _c, name in matrix.units]
    widths = [6, 28, 8] + [10] * len(matrix.units)
    rows: list[Row] = []
    for code, name in matrix.indicators:
        cells = [Cell(code), Cell(name), Cell(matrix.reported[code])]
        for unit, _name in matrix.units:
            cell = matrix.cells.get((code, unit))
            cells.append(Cell(display.MISSING) if cell is None else Cell(cell.text, cell.status, True))
        rows.append(cells)
    return headers, widths, rows


def _ranking(report: Report):
    ranking = report.ranking
    places = max([len(ranking.overall)] + [len(b.lines) for b in ranking.indicators])
    headers = ["代码", "排名"] + [f"第{n}名" for n in range(1, places + 1)]
    widths = [6, 24] + [11] * places
    rows: list[Row] = [[Cell("综合"), Cell(f"综合排名（{ranking.weighting}）")]
                       + [Cell(f"{x.name}\n{x.value_text}") for x in ranking.overall]]
    rows += [[Cell(b.code), Cell(b.name)] + [Cell(f"{x.name}\n{x.value_text}", x.status) for x in b.lines]
             for b in ranking.indicators]
    return headers, widths, rows


def wrap(text: str, width: float) -> list[str]:
    """Lines of at most ``width`` units (a CJK character is two), breaking anywhere, keeping newlines."""
    lines = []
    for part in text.split("\n"):
        line, used = "", 0
        for ch in part:
            w = text_width(ch)
            if used + w > width and line:
                lines.append(line)
                line, used = "", 0
            line, used = line + ch, used + w
        lines.append(line)
    return lines


def _table(report: Report, title: str, headers: list[str], widths: list[float], rows: list[Row]) -> list[Figure]:
    """The rows over as many pages as they need, the header row on each; widths in units, scaled to the page."""
    usable = PAGE[0] - 2 * MARGIN
    scale = usable / (sum(widths) * UNIT)  # the table spans the page
    xs = [MARGIN]
    for w in widths:
        xs.append(xs[-1] + w * UNIT * scale)
    chars = [w * scale - 1 for w in widths]
    pages: list[Figure] = []
    fig, y = None, 0.0
    bottom = PAGE[1] - 0.55
    for row in rows:
        lines = [[row]] if isinstance(row, str) else [wrap(c.text, n) for c, n in zip(row, chars)]
        height = max(len(x) for x in lines) * LINE + 0.06
        if fig is None or y + height > bottom:
            fig = _page()
            pages.append(fig)
            y = _title(fig, report, title)
            y = _draw_row(fig, xs, y, [wrap(h, n) for h, n in zip(headers, chars)],
                          [Cell(h) for h in headers], HEADER_FILL, bold=True)
        if isinstance(row, str):
            y = _draw_span(fig, xs, y, row)
        else:
            y = _draw_row(fig, xs, y, lines, row)
    return pages


def _to_fig(x: float, y: float) -> tuple[float, float]:
    return x / PAGE[0], 1 - y / PAGE[1]


def _draw_row(fig: Figure, xs: list[float], y: float, lines: list[list[str]], cells: list[Cell],
              fill: str | None = None, bold: bool = False) -> float:
    height = max(len(x) for x in lines) * LINE + 0.06
    family = fonts.font_list()
    for n, (cell, text) in enumerate(zip(cells, lines)):
        colour, ink = fill or "white", "black"
        if cell.status is not None:
            colour = STATUS_STYLES.get(cell.status, STATUS_STYLES[display.NO_TARGET]).color
            ink = "white" if cell.status in DARK_STATUSES else "black"
        left, top = _to_fig(xs[n], y)
        fig.add_artist(Rectangle((left, top - height / PAGE[1]), (xs[n + 1] - xs[n]) / PAGE[0], height / PAGE[1],
                                 transform=fig.transFigure, facecolor=colour, edgecolor="#999999", linewidth=0.4))
        tx = xs[n + 1] - 0.04 if cell.right else xs[n] + 0.04
        fx, fy = _to_fig(tx, y + 0.03)
        fig.text(fx, fy, "\n".join(text), ha="right" if cell.right else "left", va="top", fontsize=FONT_SIZE,
                 color=ink, fontweight="bold" if bold else "normal", fontfamily=family, linespacing=1.25)
    return y + height


def _draw_span(fig: Figure, xs: list[float], y: float, text: str) -> float:
    height = LINE + 0.06
    left, top = _to_fig(xs[0], y)
    fig.add_artist(Rectangle((left, top - height / PAGE[1]), (xs[-1] - xs[0]) / PAGE[0], height / PAGE[1],
                             transform=fig.transFigure, facecolor=SECTION_FILL, edgecolor="#999999", linewidth=0.4))
    fx, fy = _to_fig(xs[0] + 0.04, y + 0.03)
    fig.text(fx, fy, text, va="top", fontsize=FONT_SIZE, fontweight="bold", fontfamily=fonts.font_list())
    return y + height


# -- charts --------------------------------------------------------------------------------------

def _chart_pages(report: Report) -> list[Figure]:
    """The charts module's figures, each laid out again on an A4 landscape page."""
    cover = report.cover
    pages = []
    shown = [r for r in report.sources.rows if r.target is not None]
    chunks = [shown[i:i + CHART_CHUNK] for i in range(0, len(shown), CHART_CHUNK)]
    for n, chunk in enumerate(chunks, start=1):
        part = f"（{n}/{len(chunks)}）" if len(chunks) > 1 else ""
        title = f"{cover.office_name} {cover.year}年各指标完成率{part}（截至 {cover.as_of.isoformat()}）"
        pages.append(_on_page(charts.progress_chart(chunk, title)))
    if report.sources.overall:
        title = f"{cover.year}年各县区综合排名（截至 {cover.as_of.isoformat()}）"
        pages.append(_on_page(charts.overall_chart(report.sources.overall, title)))
    pages += [_on_page(charts.trend_chart(t)) for t in report.sources.trends]
    return pages


def _on_page(fig: Figure) -> Figure:
    """The chart within the page margins; its legend below the plot, above the page footer."""
    left = MARGIN / PAGE[0]
    fig.set_size_inches(*PAGE)
    fig.get_layout_engine().set(rect=(left, 0.085, 1 - 2 * left, 1 - 0.085 - 0.4 / PAGE[1]))
    if fig._suptitle is not None:
        fig._suptitle.set_x(left)
        fig._suptitle.set_y(1 - 0.3 / PAGE[1])
    for legend in fig.legends:
        legend.set_bbox_to_anchor((0, 0.04, 1, 1), transform=fig.transFigure)
    return fig
