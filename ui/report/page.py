"""报表: the year-end summary (年度汇总表) of an office, year and as-of date: a preview of its printed pages,
导出 Excel / 导出 PDF, 打印. Every one runs in the background (ui.worker) with progress and 取消; a cancelled or
failed export leaves no file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QMarginsF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPageLayout, QPageSize
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..context import AppContext
from ..errors import show_error
from ..plan import operations as plan_ops
from ..widgets import file_dialogs
from ..widgets.dialog_parts import filter_bar
from ..widgets.year_selector import ReadOnlyBanner, YearSelector
from ..worker import Cancelled, run_task
from . import operations as ops
from .preview import FIT_PAGE, FIT_WIDTH, PagesView

FORMS = {".xlsx": "Excel 工作簿 (*.xlsx)", ".pdf": "PDF 文件 (*.pdf)"}


class ReportPage(QWidget):
    def __init__(self, ctx: AppContext, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today  # None: the real date (tests fix it)
        self.setup = ops.load_setup(ctx, today)
        self.pages: ops.Pages | None = None  # the preview shown
        self.task = None  # the running worker, if any
        self.saved: Path | None = None  # the last file written
        self._stale = False  # the data changed since the preview was built
        self.office = QComboBox()
        for option in self.setup.offices:
            self.office.addItem(option.label, option.code)
        self.office.setEnabled(len(self.setup.offices) > 1)
        self.year = YearSelector()
        self.year.set_choices(plan_ops.year_choices(ctx), self.setup.default_year)
        self.plan_note = ReadOnlyBanner()
        self.as_of = QDateEdit()
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self._fit_date()
        self.preview_button = QPushButton(self.tr("生成预览"))
        self.excel_button = QPushButton(self.tr("导出 Excel…"))
        self.pdf_button = QPushButton(self.tr("导出 PDF…"))
        self.print_button = QPushButton(self.tr("打印…"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.open_folder_button = QPushButton(self.tr("打开所在文件夹"))
        self.open_folder_button.hide()
        self.view = PagesView()
        self.hint = QLabel(self.tr("选择单位、年度和截至日期，点“生成预览”查看汇总表打印出来的每一页。\n"
                                   "导出和打印不必先预览：它们总是按上面的选择重新汇总。"))
        self.hint.setAlignment(Qt.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555; font-size: 14px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.view)
        self.preview_title = QLabel()
        self.preview_title.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # never widens the window
        self.page_label = QLabel()
        self.previous_button = QPushButton(self.tr("上一页"))
        self.next_button = QPushButton(self.tr("下一页"))
        self.zoom = QComboBox()
        self.zoom.addItem(self.tr("适合宽度"), FIT_WIDTH)
        self.zoom.addItem(self.tr("整页"), FIT_PAGE)
        self._build_layout()
        self._connect()
        self._show_pages()

    def _build_layout(self) -> None:
        bar = filter_bar(((self.tr("单位："), self.office), (self.tr("年度："), self.year),
                          (self.tr("截至："), self.as_of)),
                         (self.preview_button, self.excel_button, self.pdf_button, self.print_button))
        self.said = QWidget()  # shown only when there is something to say
        said = QHBoxLayout(self.said)
        said.setContentsMargins(0, 0, 0, 0)
        said.addWidget(self.message, 1)
        said.addWidget(self.open_folder_button)
        self.said.hide()
        pager = QHBoxLayout()
        pager.addWidget(self.preview_title, 1)
        pager.addWidget(self.previous_button)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_button)
        pager.addSpacing(12)
        pager.addWidget(QLabel(self.tr("缩放：")))
        pager.addWidget(self.zoom)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.plan_note)
        layout.addWidget(self.said)
        layout.addLayout(pager)
        layout.addWidget(self.stack, 1)

    def _connect(self) -> None:
        self.office.activated.connect(lambda _i: self._choice_changed())
        self.year.activated.connect(lambda _i: self._year_changed())
        self.as_of.dateChanged.connect(lambda _d: self._choice_changed())
        self.preview_button.clicked.connect(self.build_preview)
        self.excel_button.clicked.connect(lambda: self.export(".xlsx"))
        self.pdf_button.clicked.connect(lambda: self.export(".pdf"))
        self.print_button.clicked.connect(self.print_report)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.previous_button.clicked.connect(lambda: self.view.go_to(self.view.current() - 1))
        self.next_button.clicked.connect(lambda: self.view.go_to(self.view.current() + 1))
        self.zoom.currentIndexChanged.connect(lambda _i: self.view.set_mode(self.zoom.currentData()))
        self.view.page_changed.connect(self._tell_page)
        self.ctx.bus.changed.connect(self._on_changes)

    # --- the choice ----------------------------------------------------------------------------
    def choice(self) -> ops.Choice:
        return ops.Choice(self.office.currentData(), self.year.currentData(), self.as_of.date().toPython())

    def _option(self) -> ops.OfficeOption:
        return self.setup.offices[self.office.currentIndex()]

    def _fit_date(self) -> None:
        """The as-of date within the chosen year: today, or that year's last day once it is over."""
        year = self.year.currentData()
        self.as_of.blockSignals(True)
        self.as_of.setDateRange(QDate(year, 1, 1), QDate(year, 12, 31))
        self.as_of.setDate(_qdate(ops.as_of_in(year, self.setup.today)))
        self.as_of.blockSignals(False)

    def _year_changed(self) -> None:
        self._fit_date()
        self.plan_note.show_reason(self.year.read_only())
        self._choice_changed()

    def _choice_changed(self) -> None:
        self._show_title()

    def _on_changes(self, changes) -> None:
        if changes.plan or changes.everything:  # another plan may be current: its years first
            self.setup = ops.load_setup(self.ctx, self.today)
            keep = self.year.currentData() if changes.everything and not changes.plan else self.setup.default_year
            self.year.set_choices(plan_ops.year_choices(self.ctx), keep)
            self._fit_date()
            self.plan_note.show_reason(self.year.read_only())
        if changes and self.pages is not None:
            self._stale = True
            self._show_title()

    # --- the preview ---------------------------------------------------------------------------
    def build_preview(self) -> None:
        choice = self.choice()
        dpi = ops.preview_dpi(self.view.viewport().width())
        self._run(self.tr("正在生成预览…"), lambda p: ops.preview(self.ctx, choice, p, self.today, dpi),
                  self._previewed, self.tr("生成预览失败"), self.tr("已取消生成预览。"))

    def _previewed(self, pages: ops.Pages) -> None:
        self.pages = pages
        self._stale = False
        self._say("")
        self._show_pages()

    def _show_pages(self) -> None:
        images = self.pages.images if self.pages else []
        self.stack.setCurrentWidget(self.view if images else self.hint)
        self.view.set_pages(images)
        for widget in (self.previous_button, self.next_button, self.zoom, self.page_label):
            widget.setEnabled(bool(images))
        self._show_title()
        self._tell_page(self.view.current(), self.view.count)

    def _show_title(self) -> None:
        if self.pages is None:
            self.preview_title.setText(self.tr("还没有预览。"))
            return
        text = self.tr("预览：") + self.pages.title
        if self._stale or self.pages.choice != self.choice():
            text += self.tr("　— 选择或数据已改变，点“生成预览”更新")
        self.preview_title.setText(text)
        self.preview_title.setToolTip(text)

    def _tell_page(self, current: int, total: int) -> None:
        self.page_label.setText(self.tr("第 %1 页 / 共 %2 页").replace("%1", str(current)).replace("%2", str(total))
                                if total else self.tr("第 — 页 / 共 — 页"))
        self.previous_button.setEnabled(total > 0 and current > 1)
        self.next_button.setEnabled(total > 0 and current < total)

    # --- export and print ----------------------------------------------------------------------
    def export(self, suffix: str) -> None:
        choice, title = self.choice(), self.tr("导出 Excel") if suffix == ".xlsx" else self.tr("导出 PDF")
        path = self.ask_path(title, ops.file_name(self._option(), choice, suffix), suffix)
        if not path:
            return
        what = "Excel" if suffix == ".xlsx" else "PDF"
        self._run(self.tr("正在导出 %1…").replace("%1", what),
                  lambda p: ops.export(self.ctx, choice, path, p, self.today), self._exported,
                  self.tr("导出失败"), self.tr("已取消导出，没有写入任何文件。"))

    def ask_path(self, title: str, name: str, suffix: str) -> str | None:
        path, _f = file_dialogs.save_file(self, self.ctx.settings, title, name, FORMS[suffix])
        if path and Path(path).suffix.lower() != suffix:
            path += suffix
        return path or None

    def _exported(self, path: Path) -> None:
        self.saved = Path(path)
        self._say(self.tr("汇总表已保存：%1").replace("%1", str(path)))
        self.open_folder_button.show()

    def open_folder(self) -> None:
        if self.saved is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved.parent)))

    def print_report(self) -> None:
        choice = self.choice()
        printer = self.choose_printer()
        if printer is None:
            return
        self._printer = printer  # kept alive until the worker is done with it
        self._run(self.tr("正在打印…"), lambda p: ops.print_report(self.ctx, choice, printer, p, self.today),
                  lambda n: self._say(self.tr("已发送到打印机：共 %1 页。").replace("%1", str(n))),
                  self.tr("打印失败"), self.tr("已取消打印。"))

    def choose_printer(self):
        """A printer set up for A4 landscape, as the user confirmed it in the print dialog; None: cancelled."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.HighResolution)
        printer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Landscape,
                                          QMarginsF(5, 5, 5, 5), QPageLayout.Millimeter))
        printer.setDocName(f"{self._option().name}-{self.year.currentData()}年度汇总表")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("打印汇总表"))
        return printer if dialog.exec() == QDialog.Accepted else None

    # --- common --------------------------------------------------------------------------------
    def _run(self, label: str, fn, done, error_title: str, cancelled_text: str) -> None:
        """``fn`` in a worker with the progress dialog; the buttons wait until it ends."""
        def finished(result) -> None:
            self._ended()
            done(result)

        def failed(exc: BaseException) -> None:  # run_task shows the error (one Chinese line)
            self._ended()
            show_error(self, error_title, exc)

        def cancelled(exc: BaseException) -> None:  # run_task passes a cancel over silently
            if isinstance(exc, Cancelled):
                self._ended()
                self._say(cancelled_text)

        self._set_busy(True)
        self.open_folder_button.hide()
        self.task = run_task(self, label, fn, finished, error_title=error_title, on_error=failed)
        self.task.signals.failed.connect(cancelled)

    def _ended(self) -> None:
        self.task = None
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.preview_button, self.excel_button, self.pdf_button, self.print_button):
            button.setEnabled(not busy)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.said.setVisible(bool(text))


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)
