"""The report as a PDF (matplotlib ``PdfPages``, ``Figure`` objects, never pyplot): the same model as the
workbook, as A4 landscape pages: the cover, the tables (总表, 分县区, 排名, 报送情况, 审核说明) and the charts
of ``kexie_desktop.charts``. The CJK face of ``fonts`` is embedded (as matplotlib's Type 3 subset, with its
text extractable).

Pages are built first and saved after, so that each footer can say 第 N 页 共 M 页.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.artist import Artist
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.text import Text

from .. import charts, display, fonts
from ..gcpause import gc_paused
from ..packages.format.workbook import atomic_target
from ..palette import STATUS_STYLES
from .excel import DARK_STATUSES, text_width
from .model import Report
from .pdf_text import PdfPage, renderer_class

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
    with fonts.chart_fonts(), gc_paused():  # many short-lived objects, no cycles worth collecting meanwhile
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
    return PdfPage(figsize=PAGE, dpi=100)


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
    pages += _assessment_pages(report)
    explained = [[Cell(x.office_name), Cell(x.rule), Cell(x.where), Cell(x.value), Cell(x.message),
                  Cell(x.explanation)] for x in report.explained] or ["本年度没有已说明的审核提示。"]
    pages += _table(report, "审核说明", ["单位", "规则", "位置", "数值", "提示", "说明"], [20, 6, 18, 12, 70, 50],
                    explained)
    return pages


def _assessment_pages(report: Report) -> list[Figure]:
    """考核 (the city's report): the units by overall rank, each part's points and where it lost most."""
    if report.assessment is None:
        return []
    from .assessment_summary import HEADERS, WIDTHS

    rows: list[Row] = [report.assessment.note]
    rows += [[Cell(text, right=2 <= n <= 9) for n, text in enumerate(cells)] for cells in report.assessment.rows]
    return _table(report, "考核", HEADERS, WIDTHS, rows)


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
    table = _TableLayers.of(fig)
    for n, (cell, text) in enumerate(zip(cells, lines)):
        colour, ink = fill or "white", "black"
        if cell.status is not None:
            colour = STATUS_STYLES.get(cell.status, STATUS_STYLES[display.NO_TARGET]).color
            ink = "white" if cell.status in DARK_STATUSES else "black"
        left, top = _to_fig(xs[n], y)
        table.box(left, top, (xs[n + 1] - xs[n]) / PAGE[0], height / PAGE[1], colour)
        tx = xs[n + 1] - 0.04 if cell.right else xs[n] + 0.04
        fx, fy = _to_fig(tx, y + 0.03)
        table.text(fx, fy, text, cell.right, ink, bold, LINE_SPACING)
    return y + height


def _draw_span(fig: Figure, xs: list[float], y: float, text: str) -> float:
    height = LINE + 0.06
    table = _TableLayers.of(fig)
    left, top = _to_fig(xs[0], y)
    table.box(left, top, (xs[-1] - xs[0]) / PAGE[0], height / PAGE[1], SECTION_FILL)
    fx, fy = _to_fig(xs[0] + 0.04, y + 0.03)
    table.text(fx, fy, [text], False, "black", True, None)
    return y + height


LINE_SPACING = 1.25
_MEASURED: dict[tuple, tuple[float, float, float]] = {}  # (renderer kind, dpi, bold, family, line) -> w, h, d
_HEIGHTS: dict[tuple, tuple[float, float, float]] = {}  # (renderer kind, dpi, bold, family) -> _font_height
_SAME_LAYOUT: dict[tuple, bool] = {}  # (renderer kind, dpi, family): _line_offsets agrees with Text here


class _TableLayers:
    """A page's table as two artists instead of a Rectangle and a Text per cell (thousands per report, each
    Text measured and laid out on its own, took most of the PDF's time): the cell backgrounds as one
    collection, and the cell texts drawn line by line (``_CellTexts``)."""

    def __init__(self, fig: Figure):
        self.boxes = _Boxes([], facecolors=[], edgecolors="#999999", linewidths=0.4, joinstyle="miter",
                            capstyle="butt", transform=fig.transFigure)
        self.texts = _CellTexts()
        fig.add_artist(self.boxes)
        fig.add_artist(self.texts)

    @classmethod
    def of(cls, fig: Figure) -> "_TableLayers":
        layers = getattr(fig, "_kexie_table", None)
        if layers is None:
            layers = fig._kexie_table = cls(fig)
        return layers

    def box(self, left: float, top: float, width: float, height: float, colour: str) -> None:
        bottom = top - height
        right, top = left + width, bottom + height  # as a Rectangle at (left, bottom) has them
        self.boxes.pending.append(([(left, bottom), (right, bottom), (right, top), (left, top)], colour))

    def text(self, x: float, y: float, lines: list[str], right: bool, ink: str, bold: bool,
             spacing: float | None) -> None:
        """``spacing``: a fixed line spacing, or None for Text's default."""
        self.texts.cells.append((x, y, lines, right, ink, bold, spacing))


class _Boxes(PolyCollection):
    """Cell backgrounds with a thin grey edge, as the Rectangles they replace (zorder 1, under every text)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending: list[tuple[list, str]] = []

    def draw(self, renderer) -> None:
        if self.pending:
            self.set_verts([v for v, _c in self.pending])
            self.set_facecolor([c for _v, c in self.pending])
        super().draw(renderer)


class _CellTexts(Artist):
    """The cells' text, each cell's lines placed by matplotlib's rule for ``va="top"`` text (``_line_offsets``),
    each distinct line measured once for all pages. Where that rule does not give what this matplotlib's Text
    gives (checked once per renderer kind and dpi), or a line could be mathtext, a Text draws the cell."""

    zorder = 3  # as a Text's

    def __init__(self):
        super().__init__()
        self.cells: list[tuple[float, float, list[str], bool, str, bool, float | None]] = []
        family = fonts.font_list()
        self.family = tuple(family)
        self.props = {bold: FontProperties(family=family, size=FONT_SIZE, weight="bold" if bold else "normal")
                      for bold in (False, True)}

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self.cells:
            return
        fig = self.figure
        dpi = fig.dpi
        fast = not matplotlib.rcParams["text.usetex"] and self._agrees(renderer, dpi)
        positions = fig.transSubfigure.transform([(x, y) for x, y, *_rest in self.cells])
        canvas_height = renderer.get_canvas_width_height()[1]
        antialiased = matplotlib.rcParams["text.antialiased"]
        for (posx, posy), (x, y, lines, right, ink, bold, spacing) in zip(positions, self.cells):
            if not fast or any("$" in line for line in lines):
                self._text(fig, x, y, lines, right, ink, bold, spacing).draw(renderer)
                continue
            prop = self.props[bold]
            gc = renderer.new_gc()
            gc.set_foreground(to_rgba(ink), isRGBA=True)
            gc.set_antialiased(antialiased)
            for line, (ox, oy) in zip(lines, self._offsets(renderer, dpi, bold, lines, right, spacing)):
                if not line:
                    continue
                ty = oy + posy
                renderer.draw_text(gc, ox + posx, canvas_height - ty if renderer.flipy() else ty, line, prop, 0.0,
                                   ismath=False, mtext=None)
            gc.restore()
        self.stale = False

    def _text(self, fig: Figure, x: float, y: float, lines: list[str], right: bool, ink: str, bold: bool,
              spacing: float | None) -> Text:
        text = Text(x, y, "\n".join(lines), ha="right" if right else "left", va="top", color=ink,
                    fontproperties=self.props[bold], linespacing=spacing)
        text.set_figure(fig)
        text.set_transform(fig.transSubfigure)
        return text

    def _offsets(self, renderer, dpi: float, bold: bool, lines: list[str], right: bool,
                 spacing: float | None) -> list[tuple[float, float]]:
        kind = renderer_class(renderer)
        metrics = []
        for line in lines:
            key = (kind, dpi, bold, self.family, line)
            found = _MEASURED.get(key)
            if found is None:
                found = (renderer.get_text_width_height_descent(line, self.props[bold], ismath=False) if line
                         else (0, 0, 0))
                if len(_MEASURED) > 50_000:
                    _MEASURED.clear()
                _MEASURED[key] = found
            metrics.append(found)
        key = (kind, dpi, bold, self.family)
        height = _HEIGHTS.get(key)
        if height is None:
            height = _HEIGHTS[key] = _font_height(renderer, self.props[bold], dpi)
        return _line_offsets(height, metrics, right, spacing)

    def _agrees(self, renderer, dpi: float) -> bool:
        """Whether ``_line_offsets`` places lines exactly where this matplotlib's Text does, on this renderer."""
        key = (renderer_class(renderer), dpi, self.family)
        if key not in _SAME_LAYOUT:
            same = True
            try:
                for bold, right, spacing, lines in itertools.product(
                        (False, True), (False, True), (LINE_SPACING, None),
                        (["代码 12.5%", "", "lp 骨直写 —"], ["G 主要目标 · G2"])):
                    text = self._text(self.figure, 0, 0, lines, right, "black", bold, spacing)
                    _bbox, info, _box = text._get_layout(renderer)
                    theirs = [tuple(float(v) for v in entry[2]) for entry in info]
                    mine = [(float(x), float(y)) for x, y in self._offsets(renderer, dpi, bold, lines, right, spacing)]
                    same = same and theirs == mine
            except Exception:  # another matplotlib's private layout: draw Texts
                same = False
            _SAME_LAYOUT[key] = same
        return _SAME_LAYOUT[key]


def _font_height(renderer, prop: FontProperties, dpi: float) -> tuple[float, float, float]:
    """The ascent, descent and line gap that set the line spacing, as Text._get_layout finds them."""
    ascent = descent = gap = None
    if hasattr(renderer, "_get_font_height_metrics"):
        ascent, descent, gap = renderer._get_font_height_metrics(prop)
    if ascent is None:
        font = get_font(fontManager._find_fonts_by_props(prop))
        for table_name, gap_key, ascent_key, descent_key in (
                ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"), ("hhea", "lineGap", "ascent", "descent")):
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
            gap, ascent, descent = table[gap_key] * scale, table[ascent_key] * scale, -table[descent_key] * scale
            break
    if ascent is None or descent is None:
        _w, h, descent = renderer.get_text_width_height_descent("lp", prop, ismath=False)
        ascent, gap = h - descent, 0
    return ascent, descent, gap


def _line_offsets(height: tuple[float, float, float], metrics: list[tuple[float, float, float]], right: bool,
                  spacing: float | None) -> list[tuple[float, float]]:
    """Each line's (x, y) from the anchor of a top-aligned text, left- or right-aligned, with a fixed line
    spacing or (None) the default "normal" one: the same arithmetic as matplotlib's Text._get_layout (3.11), so
    the same floating-point positions."""
    min_ascent, min_descent, gap = height
    gap = 0 if len(metrics) == 1 else gap
    y, ys = 0.0, []
    for _w, h, d in metrics:
        a = h - d
        if spacing is None:
            a = max(a, min_ascent) + gap / 2
            d = max(d, min_descent) + gap / 2
        else:
            leading = spacing * (min_ascent + min_descent) - (a + d)
            a += leading / 2
            d += leading / 2
        y -= a
        ys.append(y)
        y -= d
    width = max(w for w, _h, _d in metrics)
    if right:
        return [((0.0 + width - w) - width, y) for (w, _h, _d), y in zip(metrics, ys)]
    return [(0.0, y) for y in ys]


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
        pages.append(_on_page(charts.progress_chart(chunk, title, PdfPage())))
    if report.sources.overall:
        title = f"{cover.year}年各县区综合排名（截至 {cover.as_of.isoformat()}）"
        pages.append(_on_page(charts.overall_chart(report.sources.overall, title, PdfPage())))
    pages += [_on_page(charts.trend_chart(t, fig=PdfPage())) for t in report.sources.trends]
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
