"""报表 page (pytest-qt, offscreen) on the demo data: the preview is built in a worker and has the PDF's pages,
导出 Excel / 导出 PDF write where the save dialog said, 取消 (the progress dialog's button) stops a build and
writes nothing, a disk error leaves no half file, a unit is offered only itself, and printing to a PDF
QPrinter gives as many A4 landscape pages."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
import subprocess
import threading

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QProgressDialog, QPushButton

from kexie_desktop import fonts
from kexie_desktop import report as core
from kexie_desktop.report.pdf import page_figures
from kexie_desktop.services import offices
from ui.main_window import MainWindow
from ui.report import operations as ops
from ui.report.page import ReportPage

TODAY = dt.date(2019, 9, 30)  # the page's "today": year 2019, as of 2019-09-30
CITY, UNIT = "320700", "320722"
SHEETS = ["封面", "总表", "分县区", "排名", "报送情况", "考核", "审核说明", "图表"]


def set_office(ctx, code: str) -> None:
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, code))


def make_page(ctx, qtbot, office: str = CITY) -> ReportPage:
    set_office(ctx, office)
    page = ReportPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def expected_pages(ctx, office: str, as_of: dt.date = TODAY) -> int:
    with ctx.db.read() as s:
        report = core.build_report(s, offices.resolve(s, office), as_of.year, as_of, TODAY)
    with fonts.chart_fonts():
        return len(page_figures(report))


def pdf_pages(path) -> tuple[int, str]:
    tool = shutil.which("pdfinfo")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have pdfinfo (poppler-utils)")
        pytest.skip("pdfinfo（poppler-utils）未安装。")
    info = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)), re.search(r"^Page size:\s+(.*)$", info, re.M)[1]


def wait_idle(page, qtbot, timeout=60000) -> None:
    qtbot.waitUntil(lambda: page.task is None, timeout=timeout)


def save_as(monkeypatch, path, seen: list | None = None) -> None:
    def fake(parent, title, start, filters):
        if seen is not None:
            seen.append((title, start, filters))
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)


def out_folder(tmp_path):
    folder = tmp_path / "out"  # tmp_path also holds the test's data folder
    folder.mkdir()
    return folder


# --- the choosers -------------------------------------------------------------------------------

def test_the_city_chooses_itself_consolidated_or_any_unit_and_a_date_inside_the_year(demo_ctx, qtbot):
    page = make_page(demo_ctx, qtbot)
    assert page.office.count() == 11 and page.office.isEnabled()
    assert (page.office.itemText(0), page.office.itemData(0)) == ("全市汇总（市科协＋各县区）", CITY)
    assert page.office.itemText(4) == "东海县科协" and page.office.itemData(4) == UNIT
    assert [page.year.itemData(i) for i in range(page.year.count())] == [2018, 2019, 2020]
    assert page.year.currentData() == 2019 and page.as_of.date().toPython() == TODAY
    page.year.setCurrentIndex(0)
    page.year.activated.emit(0)
    assert page.as_of.date().toPython() == dt.date(2018, 12, 31)  # a year over: its last day
    assert page.as_of.minimumDate().toPython() == dt.date(2018, 1, 1)
    assert page.as_of.maximumDate().toPython() == dt.date(2018, 12, 31)
    page.year.setCurrentIndex(2)
    page.year.activated.emit(2)
    assert page.as_of.date().toPython() == dt.date(2020, 1, 1)  # a year to come: its first day
    assert page.choice() == ops.Choice(CITY, 2020, dt.date(2020, 1, 1))


def test_a_unit_is_offered_only_itself(demo_ctx, qtbot):
    page = make_page(demo_ctx, qtbot, UNIT)
    assert [page.office.itemData(i) for i in range(page.office.count())] == [UNIT]
    assert page.office.currentText() == "东海县科协" and not page.office.isEnabled()
    qtbot.mouseClick(page.preview_button, Qt.LeftButton)
    wait_idle(page, qtbot)
    assert page.pages.title == "连云港市科协三年行动计划 2019年度汇总表（东海县科协，截至 2019-09-30）"
    assert len(page.pages.images) == expected_pages(demo_ctx, UNIT)


def test_both_installations_have_the_page_after_the_reporting_pages(demo_ctx, qtbot):
    set_office(demo_ctx, CITY)
    city = MainWindow(demo_ctx)
    qtbot.addWidget(city)
    titles = [city.nav.item(r).text() for r in range(city.nav.count())]
    assert titles[titles.index("报送情况") + 1] == "报表"
    assert isinstance(city.show_page("report"), ReportPage)
    set_office(demo_ctx, UNIT)
    unit = MainWindow(demo_ctx)
    qtbot.addWidget(unit)
    titles = [unit.nav.item(r).text() for r in range(unit.nav.count())]
    assert titles[titles.index("数据交换") + 1] == "报表"
    assert unit.show_page("report").office.count() == 1


# --- the preview --------------------------------------------------------------------------------

def test_the_preview_is_built_in_the_background_and_has_the_pdfs_pages(demo_ctx, qtbot, tmp_path, monkeypatch):
    threads = []
    real_build = ops.build

    def build(*args, **kwargs):
        threads.append(threading.current_thread())
        return real_build(*args, **kwargs)

    monkeypatch.setattr(ops, "build", build)
    page = make_page(demo_ctx, qtbot)
    assert page.stack.currentWidget() is page.hint and page.page_label.text() == "第 — 页 / 共 — 页"
    qtbot.mouseClick(page.preview_button, Qt.LeftButton)
    assert not page.excel_button.isEnabled()  # one task at a time
    wait_idle(page, qtbot)
    assert threads and threads[0] is not threading.main_thread()
    pages = len(page.pages.images)
    assert pages == expected_pages(demo_ctx, CITY) and pages > 10
    assert page.stack.currentWidget() is page.view and page.excel_button.isEnabled()
    assert page.page_label.text() == f"第 1 页 / 共 {pages} 页"
    assert page.preview_title.text() == "预览：连云港市科协三年行动计划 2019年度汇总表（连云港市科协，截至 2019-09-30）"
    assert page.pages.images[0].width() == round(11.69 * ops.preview_dpi(page.view.viewport().width()))
    qtbot.mouseClick(page.next_button, Qt.LeftButton)
    assert page.page_label.text() == f"第 2 页 / 共 {pages} 页"
    page.view.go_to(pages)
    assert page.page_label.text() == f"第 {pages} 页 / 共 {pages} 页" and not page.next_button.isEnabled()
    page.zoom.setCurrentIndex(1)  # 整页: one whole page in the view
    assert page.view.strip.page_size.height() <= page.view.viewport().height()
    assert page.page_label.text() == f"第 {pages} 页 / 共 {pages} 页"
    # the same number of pages as the PDF the page exports
    target = out_folder(tmp_path) / "汇总表.pdf"
    save_as(monkeypatch, target)
    qtbot.mouseClick(page.pdf_button, Qt.LeftButton)
    wait_idle(page, qtbot)
    assert pdf_pages(target)[0] == pages
    # another year: the preview says it is of the old choice
    page.year.setCurrentIndex(2)
    page.year.activated.emit(2)
    assert page.preview_title.text().endswith("— 选择或数据已改变，点“生成预览”更新")


# --- export -------------------------------------------------------------------------------------

def test_export_excel_and_pdf_write_the_files_where_chosen(demo_ctx, qtbot, tmp_path, monkeypatch):
    page = make_page(demo_ctx, qtbot)
    folder = out_folder(tmp_path)
    asked = []
    save_as(monkeypatch, folder / "年度汇总.xlsx", asked)
    qtbot.mouseClick(page.excel_button, Qt.LeftButton)
    wait_idle(page, qtbot)
    title, start, filters = asked[0]
    assert (title, filters) == ("导出 Excel", "Excel 工作簿 (*.xlsx)")
    assert start.endswith("连云港市科协-2019年度汇总表-截至20190930.xlsx")
    book = openpyxl.load_workbook(folder / "年度汇总.xlsx")
    assert book.sheetnames == SHEETS
    assert book["封面"]["B4"].value == "连云港市科协三年行动计划 2019年度汇总表"
    assert book["封面"]["C9"].value == "2019-09-30"  # 数据截至
    assert page.message.text() == f"汇总表已保存：{folder / '年度汇总.xlsx'}" and page.open_folder_button.isVisible()
    opened = []
    monkeypatch.setattr("ui.report.page.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()))
    qtbot.mouseClick(page.open_folder_button, Qt.LeftButton)
    assert opened == [str(folder)]
    # a unit's PDF, the name typed without its suffix
    page.office.setCurrentIndex(page.office.findData(UNIT))
    save_as(monkeypatch, folder / "东海县汇总", asked)
    qtbot.mouseClick(page.pdf_button, Qt.LeftButton)
    wait_idle(page, qtbot)
    assert asked[1][0] == "导出 PDF" and asked[1][1].endswith("东海县科协-2019年度汇总表-截至20190930.pdf")
    assert sorted(p.name for p in folder.iterdir()) == ["东海县汇总.pdf", "年度汇总.xlsx"]
    assert pdf_pages(folder / "东海县汇总.pdf")[0] == expected_pages(demo_ctx, UNIT)


def test_a_refused_save_dialog_does_nothing(demo_ctx, qtbot, monkeypatch):
    page = make_page(demo_ctx, qtbot)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    qtbot.mouseClick(page.excel_button, Qt.LeftButton)
    assert page.task is None and page.message.text() == ""


def slow_checkpoint(monkeypatch, target, name: str, at: int):
    """Patch ``target.name`` (a function taking ``checkpoint=``) so that its checkpoint call number ``at``
    waits for ``release``; ``blocked`` is set when it waits."""
    blocked, release = threading.Event(), threading.Event()
    real = getattr(target, name)

    def patched(*args, checkpoint=None, **kwargs):
        calls = []

        def waiting(done, total, text=""):
            calls.append(done)
            if len(calls) == at:
                blocked.set()
                release.wait(30)
            checkpoint(done, total, text)

        return real(*args, checkpoint=waiting, **kwargs)

    monkeypatch.setattr(target, name, patched)
    return blocked, release


def click_cancel(page, qtbot, blocked, release) -> None:
    assert blocked.wait(60)
    dialog = page.findChildren(QProgressDialog)[-1]
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    cancel = dialog.findChild(QPushButton)
    assert cancel.text() == "取消"
    qtbot.mouseClick(cancel, Qt.LeftButton)
    release.set()
    wait_idle(page, qtbot)
    assert not dialog.isVisible()


@pytest.mark.parametrize("suffix,at", [(".xlsx", 3), (".pdf", 4)])
def test_cancel_during_an_export_stops_it_and_writes_nothing(demo_ctx, qtbot, tmp_path, monkeypatch, suffix, at):
    page = make_page(demo_ctx, qtbot)
    folder = out_folder(tmp_path)
    save_as(monkeypatch, folder / f"汇总表{suffix}")
    blocked, release = slow_checkpoint(monkeypatch, core, "write_report", at)
    qtbot.mouseClick(page.excel_button if suffix == ".xlsx" else page.pdf_button, Qt.LeftButton)
    click_cancel(page, qtbot, blocked, release)
    assert list(folder.iterdir()) == []  # neither the file nor its temporary one
    assert page.message.text() == "已取消导出，没有写入任何文件。" and page.saved is None
    assert page.excel_button.isEnabled() and not page.open_folder_button.isVisible()


def test_cancel_during_the_preview_stops_it_and_keeps_the_page_empty(demo_ctx, qtbot, monkeypatch):
    blocked, release = threading.Event(), threading.Event()
    real, drawn = ops.render, []

    def render(figure, dpi):
        drawn.append(dpi)
        if len(drawn) == 2:
            blocked.set()
            release.wait(30)
        return real(figure, dpi)

    monkeypatch.setattr(ops, "render", render)
    page = make_page(demo_ctx, qtbot)
    qtbot.mouseClick(page.preview_button, Qt.LeftButton)
    click_cancel(page, qtbot, blocked, release)
    assert len(drawn) == 2  # the third page was never drawn
    assert page.pages is None and page.stack.currentWidget() is page.hint
    assert page.message.text() == "已取消生成预览。"


def test_a_disk_error_while_writing_says_one_chinese_line_and_leaves_no_half_file(demo_ctx, qtbot, tmp_path,
                                                                                   monkeypatch):
    page = make_page(demo_ctx, qtbot)
    folder = out_folder(tmp_path)
    save_as(monkeypatch, folder / "汇总表.xlsx")
    real = core.write_report

    def disk_full(report, path, form=None, checkpoint=None):
        def full(done, total, text=""):
            if done == 3:  # some sheets written into the temporary file
                raise OSError(errno.ENOSPC, "No space left on device")
            checkpoint(done, total, text)

        return real(report, path, form, checkpoint=full)

    monkeypatch.setattr(core, "write_report", disk_full)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: shown.append((title, text)))
    qtbot.mouseClick(page.excel_button, Qt.LeftButton)
    wait_idle(page, qtbot)
    assert shown == [("导出失败", "磁盘空间已满，本次操作没有保存任何数据（数据库保持原样）。请清理磁盘（数据所在的磁盘）后重试。")]
    assert list(folder.iterdir()) == []
    assert page.excel_button.isEnabled()


def test_a_missing_folder_is_refused_before_any_work(demo_ctx, qtbot, tmp_path, monkeypatch):
    page = make_page(demo_ctx, qtbot)
    save_as(monkeypatch, tmp_path / "没有这个文件夹" / "汇总表.pdf")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: shown.append((title, text)))
    qtbot.mouseClick(page.pdf_button, Qt.LeftButton)
    wait_idle(page, qtbot)
    assert shown == [("导出失败", f"文件夹 {tmp_path / '没有这个文件夹'} 不存在，无法保存汇总表。")]


# --- print --------------------------------------------------------------------------------------

def test_printing_to_a_pdf_printer_gives_the_reports_pages_on_a4_landscape(demo_ctx, qtbot, tmp_path, monkeypatch):
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    page = make_page(demo_ctx, qtbot)
    printed = out_folder(tmp_path) / "打印.pdf"
    offered = []

    def accept(dialog):
        printer = dialog.printer()
        layout = printer.pageLayout()
        offered.append((dialog.windowTitle(), layout.pageSize().id(), layout.orientation(), printer.docName()))
        printer.setOutputFormat(QPrinter.PdfFormat)
        printer.setOutputFileName(str(printed))
        return QDialog.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    qtbot.mouseClick(page.print_button, Qt.LeftButton)
    wait_idle(page, qtbot)
    assert offered == [("打印汇总表", QPageSize.A4, QPageLayout.Landscape, "连云港市科协-2019年度汇总表")]
    pages = expected_pages(demo_ctx, CITY)
    assert page.message.text() == f"已发送到打印机：共 {pages} 页。"
    count, size = pdf_pages(printed)
    assert (count, size) == (pages, "842 x 595 pts (A4)")  # landscape: wider than high


def test_a_cancelled_print_dialog_prints_nothing(demo_ctx, qtbot, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog

    page = make_page(demo_ctx, qtbot)
    monkeypatch.setattr(QPrintDialog, "exec", lambda _d: QDialog.Rejected)
    qtbot.mouseClick(page.print_button, Qt.LeftButton)
    assert page.task is None and page.message.text() == ""
