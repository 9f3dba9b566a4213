"""Operations behind 报表: build the year-end summary (年度汇总表) of an office, write it as Excel or PDF, and
draw its PDF pages as images for the preview and for printing.

Everything but ``load_setup`` runs in a worker thread (ui.worker.run_task) and never touches a widget:
QImage, and QPainter on a QPrinter, are allowed off the GUI thread. The pages are the matplotlib figures
the PDF saves (``report.pdf.page_figures``), so preview, print and PDF can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter

from kexie_desktop.errors import UserError
from kexie_desktop.progress import default_as_of
from kexie_desktop.services import offices, plan

from ..context import AppContext

PREVIEW_DPI = (96, 150)  # the preview's pixels per inch: as wide as the view, within these (150: 6.5 MB a page)
PRINT_DPI = 200  # enough for text on paper; the printer's own resolution when lower
BUILD_SHARE = 30  # percent of the bar for reading the figures; the rest for the sheets or pages

Checkpoint = Callable[[int, int, str], None]  # (done, total, text); may raise Cancelled


@dataclass(frozen=True)
class OfficeOption:
    code: str
    label: str  # what the chooser says
    name: str  # what a file name says


@dataclass(frozen=True)
class ReportSetup:
    is_city: bool
    offices: list[OfficeOption]  # the city: itself (consolidated) and every unit; a unit: only itself
    years: list[int]
    default_year: int
    today: dt.date


@dataclass(frozen=True)
class Choice:
    office_code: str
    year: int
    as_of: dt.date


@dataclass(frozen=True)
class Pages:
    """The preview: which report, its title line, and one image per PDF page."""

    choice: Choice
    title: str
    images: list[QImage]


def load_setup(ctx: AppContext, today: dt.date | None = None) -> ReportSetup:
    today = today or dt.date.today()
    with ctx.db.read() as s:
        current = plan.current_plan(s)
        mine = offices.this_office(s) or offices.city(s)
        if mine.is_city:
            options = [OfficeOption(mine.code, "全市汇总（市科协＋各县区）", mine.name)]
            options += [OfficeOption(u.code, u.name, u.name) for u in offices.units(s)]
        else:
            options = [OfficeOption(mine.code, mine.name, mine.name)]
        year = default_as_of(current, today=today).year
        return ReportSetup(mine.is_city, options, list(current.years), year, today)


def as_of_in(year: int, today: dt.date) -> dt.date:
    """The default as-of date of ``year``: today, kept inside that year (a past year: its last day)."""
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def file_name(option: OfficeOption, choice: Choice, suffix: str) -> str:
    """e.g. 连云港市科协-2019年度汇总表-截至20191231.xlsx"""
    return f"{option.name}-{choice.year}年度汇总表-截至{choice.as_of.strftime('%Y%m%d')}{suffix}"


def preview_dpi(view_width: int) -> int:
    """Pages drawn about as wide as the view shows them (fit to width), so they are sharp but not heavy."""
    from kexie_desktop.report.pdf import PAGE

    return min(max(round(view_width / PAGE[0]), PREVIEW_DPI[0]), PREVIEW_DPI[1])


def share(progress: Checkpoint, first: int, last: int) -> Checkpoint:
    """A checkpoint that moves the bar (0..100) from ``first`` to ``last`` percent as its own work goes."""
    def tell(done: int, total: int, text: str = "") -> None:
        progress(first + (last - first) * done // total if total else first, 100, text)

    return tell


def build(ctx: AppContext, choice: Choice, progress: Checkpoint, today: dt.date | None = None):
    from kexie_desktop.report import build_report

    progress(0, 100, "正在计算各项目标的进度…")
    with ctx.db.read() as s:
        plan.show_year(s, choice.year)  # an earlier plan's year: that plan's report, as it was
        office = offices.resolve(s, choice.office_code)
        return build_report(s, office, choice.year, choice.as_of, today,
                            progress=lambda n: progress(n, 100, "正在汇总…"))


def export(ctx: AppContext, choice: Choice, path: str, progress: Checkpoint, today: dt.date | None = None) -> Path:
    """Write the report to ``path`` (.xlsx or .pdf); a cancel or an error leaves no file (nor a half one)."""
    from kexie_desktop.report import check_output, write_report

    form = check_output(path)  # before any work
    report = build(ctx, choice, share(progress, 0, BUILD_SHARE), today)
    return write_report(report, path, form, checkpoint=share(progress, BUILD_SHARE, 100))


def preview(ctx: AppContext, choice: Choice, progress: Checkpoint, today: dt.date | None = None,
            dpi: int = PREVIEW_DPI[0]) -> Pages:
    report = build(ctx, choice, share(progress, 0, BUILD_SHARE), today)
    tell = share(progress, BUILD_SHARE, 100)
    images = list(_page_images(report, dpi, tell, "正在生成预览"))
    cover = report.cover
    return Pages(choice, f"{cover.title}（{cover.office_name}，截至 {cover.as_of.isoformat()}）", images)


def print_report(ctx: AppContext, choice: Choice, printer, progress: Checkpoint, today: dt.date | None = None) -> int:
    """Print every page on ``printer`` (a QPrinter the print dialog set up), each scaled to the printable
    area; the number of pages printed. A cancel aborts the print job."""
    report = build(ctx, choice, share(progress, 0, BUILD_SHARE), today)
    dpi = min(PRINT_DPI, max(printer.resolution(), 72))
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("无法开始打印：请检查打印机是否已连接并可用（或选择另一台打印机）。")
    pages = 0
    try:
        for image in _page_images(report, dpi, share(progress, BUILD_SHARE, 100), "正在打印"):
            if pages and not printer.newPage():
                raise UserError("打印机没有接受下一页：请检查打印机（缺纸或脱机）后重试。")
            draw_fitted(painter, image, QRect(0, 0, printer.width(), printer.height()))
            pages += 1
    except BaseException:
        printer.abort()
        raise
    finally:
        painter.end()
    return pages


def draw_fitted(painter: QPainter, image: QImage, area: QRect) -> None:
    """``image`` as large as ``area`` allows, its proportions kept, centred."""
    size = image.size().scaled(area.size(), Qt.KeepAspectRatio)
    left = area.x() + (area.width() - size.width()) // 2
    top = area.y() + (area.height() - size.height()) // 2
    painter.setRenderHint(QPainter.SmoothPixmapTransform)
    painter.drawImage(QRect(left, top, size.width(), size.height()), image)


def _page_images(report, dpi: int, tell: Checkpoint, doing: str):
    """Each PDF page drawn at ``dpi``, one at a time (a page's figure is dropped once drawn)."""
    from kexie_desktop import fonts
    from kexie_desktop.report.pdf import page_figures

    with fonts.chart_fonts():
        figures = page_figures(report)
        total = len(figures)
        for n in range(total):
            tell(n, total, f"{doing}：第 {n + 1} 页，共 {total} 页…")
            figure, figures[n] = figures[n], None
            yield render(figure, dpi)
        tell(total, total, f"{doing}：共 {total} 页")


def render(figure, dpi: int) -> QImage:
    """A matplotlib figure as an RGB image at ``dpi`` (Agg, no Qt canvas: safe in a worker thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure.set_dpi(dpi)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    buffer = canvas.buffer_rgba()
    height, width = buffer.shape[:2]
    image = QImage(buffer, width, height, 4 * width, QImage.Format_RGBA8888)
    return image.convertToFormat(QImage.Format_RGB888)  # a copy: the canvas' buffer goes with the figure
