"""活动台账: the office's activity records — filter, sort, add, edit, delete, drill-down from the grid, and
import from a hand-filled Excel sheet (with a template to download).

The table model lives in ``ledger_model``, the filter row in ``ledger_filters``.
"""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.errors import StaleEdit, UserError

from ..context import AppContext
from ..errors import show_error
from ..worker import run_task
from . import operations as ops
from .activity_dialog import ActivityDialog
from ..widgets import file_dialogs
from ..widgets.year_selector import ReadOnlyBanner, apply_read_only
from .filter_bar import LedgerFilters
from .model import AUDIENCE, DATE, HEADERS, NOTE, PARTICIPANTS, PLACE, TITLE, TYPE, LedgerModel, LedgerProxy

XLSX_FILTER = "Excel 工作簿 (*.xlsx)"


class LedgerPage(QWidget):
    """The ledger of this installation's office (the city when none is set).

    ``show_records(code, year, month)`` shows the records behind a ledger-counted cell of the grid.
    """

    rows_loaded = Signal(int)  # number of rows shown after each (re)load

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setup: ops.LedgerSetup | None = None
        self.dialog: ActivityDialog | None = None
        self.versions: dict[str, int] = {}  # uid -> version of the rows shown
        self.problem_box: QMessageBox | None = None  # the last sheet refused for its rows
        self.model = LedgerModel(self)
        self.proxy = LedgerProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build_widgets()
        self._build_layout()
        self._connect()
        self.reload_setup()

    # --- building -------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.office_label = QLabel()
        self.office_label.setStyleSheet("font-weight: bold;")
        self.add_button = QPushButton(self.tr("新增…"))
        self.edit_button = QPushButton(self.tr("编辑…"))
        self.delete_button = QPushButton(self.tr("删除"))
        self.plan_note = ReadOnlyBanner()
        self.import_button = QPushButton(self.tr("导入Excel…"))
        self.import_button.setToolTip(self.tr("从按模板填写的 Excel 表格导入活动记录（先检查全部行，再确认导入）"))
        self.template_button = QPushButton(self.tr("下载模板…"))
        self.template_button.setToolTip(self.tr("保存一份可填写活动记录的 Excel 模板"))
        self.filters = LedgerFilters()
        self.count_label = QLabel()
        self.table = self._build_table()
        self._actions()

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(DATE, Qt.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        vertical = table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.Stretch)
        header.setHighlightSections(False)
        for col, width in ((DATE, 100), (TYPE, 150), (PLACE, 170), (PARTICIPANTS, 80), (AUDIENCE, 80),
                           (NOTE, 170)):
            table.setColumnWidth(col, width)
        return table

    def _actions(self) -> None:
        def action(text: str, keys, slot, owner: QWidget, context) -> QAction:
            act = QAction(text, owner)
            act.setShortcuts(keys if isinstance(keys, list) else [keys])
            act.setShortcutContext(context)
            act.triggered.connect(slot)
            owner.addAction(act)
            return act

        page, table = Qt.WidgetWithChildrenShortcut, Qt.WidgetShortcut
        self.add_action = action(self.tr("新增活动"), QKeySequence.New, self.add_activity, self, page)
        self.find_action = action(self.tr("搜索"), QKeySequence.Find, self.filters.search.setFocus, self, page)
        # Enter and Delete act on records only while the table has focus (not in the search box).
        self.edit_action = action(self.tr("编辑活动"), [QKeySequence(Qt.Key_Return), QKeySequence(Qt.Key_Enter)],
                                  self.edit_activity, self.table, table)
        self.delete_action = action(self.tr("删除活动"), QKeySequence.Delete, self.delete_activities,
                                    self.table, table)
        self.add_button.setToolTip(self.tr("新增一条活动记录（Ctrl+N）"))
        self.edit_button.setToolTip(self.tr("编辑选中的记录（回车或双击）"))
        self.delete_button.setToolTip(self.tr("删除选中的记录（Delete）"))

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.office_label)
        top.addStretch(1)
        for button in (self.add_button, self.edit_button, self.delete_button):
            top.addWidget(button)
        top.addSpacing(12)
        top.addWidget(self.import_button)
        top.addWidget(self.template_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plan_note)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

    def _connect(self) -> None:
        self.add_button.clicked.connect(self.add_activity)
        self.edit_button.clicked.connect(self.edit_activity)
        self.delete_button.clicked.connect(self.delete_activities)
        self.import_button.clicked.connect(self.import_sheet)
        self.template_button.clicked.connect(self.save_template)
        self.filters.changed.connect(self.reload)
        self.table.doubleClicked.connect(lambda _index: self.edit_activity())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.ctx.bus.changed.connect(self._on_changes)

    # --- loading --------------------------------------------------------------------------------
    def reload_setup(self) -> None:
        """Office, plan period and types (at start and when the installation's office changes)."""
        self.setup = ops.load_setup(self.ctx)
        self.model.type_order = {t.code: n for n, t in enumerate(self.setup.types)}
        self.office_label.setText(self.tr("台账单位：") + self.setup.office_name)
        self.filters.set_setup(self.setup)
        self.reload()

    def reload(self) -> None:
        self.filters.stop_pending()
        selected = self.selected_uids()
        try:
            with _wait_cursor():  # a ledger of 100,000 records takes about a second
                versions: dict[str, int] = {}
                self.model.set_rows(ops.load_rows(self.ctx, self.setup.office_code, self.filters.current(),
                                                  versions))
                self.versions = versions  # as read with the rows: a delete checks them (issue 18)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the table keeps its rows
            show_error(self, self.tr("读取活动台账失败"), exc)
            return
        self.select_uids(selected)
        self.filters.show_active()
        self._show_count()
        self._update_buttons()
        self.rows_loaded.emit(self.model.rowCount())

    def _on_changes(self, changes) -> None:
        if changes.everything or changes.settings or changes.plan:
            self.reload_setup()
        elif changes.activities:
            self.reload()

    # --- drill-down -----------------------------------------------------------------------------
    def show_records(self, indicator_code: str, year: int, month: int) -> None:
        """Only the activities behind ``indicator_code``'s figure in ``year``-``month`` (drill-down)."""
        try:
            indicator = ops.load_indicator(self.ctx, indicator_code)
        except Exception as exc:  # noqa: BLE001
            show_error(self, self.tr("无法显示台账记录"), exc)
            return
        self.filters.show_month(indicator, year, month)
        self.reload()

    def show_record(self, uid: str) -> bool:
        """One record selected and in view (a jump from 审核); filters that would hide it are cleared."""
        if self.model.uid_row(uid) < 0:
            self.filters.clear()
            self.reload()
        self.select_uids([uid])
        self.table.setFocus()
        return self.model.uid_row(uid) >= 0

    def _show_count(self) -> None:
        text = self.tr("共 %1 条，受众合计 %2 人次").replace("%1", str(self.model.rowCount())) \
            .replace("%2", str(self.model.audience_total()))
        indicator = self.filters.indicator
        if indicator:
            figure = sum(indicator.amount(row) for row in self.model.rows)
            text += self.tr("；计入“%1”：%2%3").replace("%1", indicator.name) \
                .replace("%2", str(figure)).replace("%3", indicator.unit)
        self.count_label.setText(text)

    # --- selection ------------------------------------------------------------------------------
    def selected_uids(self) -> list[str]:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r].uid for r in rows]

    def select_uids(self, uids: list[str]) -> None:
        selection = QItemSelection()
        first = None
        for uid in uids:
            row = self.model.uid_row(uid)
            if row < 0:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            selection.select(index, index.siblingAtColumn(len(HEADERS) - 1))
            if first is None:
                first = index
        flags = QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
        self.table.selectionModel().select(selection, flags)
        if first is not None:
            self.table.selectionModel().setCurrentIndex(first, QItemSelectionModel.NoUpdate)
            self.table.scrollTo(first)

    def _update_buttons(self, *_args) -> None:
        count = len(self.table.selectionModel().selectedRows())
        ended = self.selection_read_only()  # a record of an earlier plan: shown, never changed
        self.edit_button.setEnabled(count == 1 and ended is None)
        self.edit_action.setEnabled(count == 1 and ended is None)
        self.delete_button.setEnabled(count > 0 and ended is None)
        self.delete_action.setEnabled(count > 0 and ended is None)
        self.edit_button.setToolTip(ended or self.tr("编辑选中的记录（回车或双击）"))
        self.delete_button.setToolTip(ended or self.tr("删除选中的记录（Delete）"))
        viewing = self.dates_read_only()
        self.plan_note.show_reason(viewing)
        apply_read_only(viewing, self.add_button, self.add_action, self.import_button)

    def selection_read_only(self) -> str | None:
        """"2018—2020年计划已结束，只能查看" when a selected record lies in another plan's years."""
        for uid in self.selected_uids():
            line = self.setup.read_only(self.model.rows[self.model.uid_row(uid)].date)
            if line is not None:
                return line
        return None

    def dates_read_only(self) -> str | None:
        """The same when the chosen dates lie wholly in another plan's years (its ledger is being viewed)."""
        first = self.setup.read_only(self.filters.date_from.date().toPython())
        return first if first is not None and first == self.setup.read_only(self.filters.date_to.date().toPython()) \
            else None

    # --- add / edit / delete --------------------------------------------------------------------
    def create_dialog(self, row: ops.LedgerRow | None, version: int | None = None) -> ActivityDialog:
        """The add/edit dialog; it saves through ``submit`` and stays open until that succeeds. An edit
        saves against ``version`` (the record's when it was read for the dialog; None: unchecked).

        A new record starts with the filtered type and the first day of the filtered dates.
        """
        def check(form: ops.ActivityForm) -> dict[str, str]:
            return ops.check_form(self.ctx, form)

        seen = [version]

        def submit(form: ops.ActivityForm) -> str:
            if row is None:
                return ops.add_activity(self.ctx, self.setup.office_code, form)
            try:
                ops.update_activity(self.ctx, row.uid, form, seen[0])
            except StaleEdit:  # another PC changed it: show the saved record; a second 确定 saves over it
                self.reload()
                try:
                    seen[0] = ops.load_for_edit(self.ctx, row.uid)[1]
                except UserError:  # deleted meanwhile: the next 确定 says so
                    pass
                raise
            return row.uid

        flt = self.filters.current()
        return ActivityDialog(self.setup, check, submit, row=row, default_type=flt.type_code,
                              default_date=flt.date_from, parent=self)

    def add_activity(self) -> None:
        if self.dates_read_only():
            return
        self._open(self.create_dialog(None))

    def edit_activity(self) -> None:
        uids = self.selected_uids()
        if len(uids) != 1 or self.selection_read_only():
            return
        try:  # the record as saved now (another PC may have changed it since the table was read)
            row, version = ops.load_for_edit(self.ctx, uids[0])
        except Exception as exc:  # noqa: BLE001 - e.g. deleted on another PC meanwhile
            show_error(self, self.tr("无法修改"), exc)
            self.reload()
            return
        self._open(self.create_dialog(row, version))

    def _open(self, dialog: ActivityDialog) -> None:
        """Window-modal and non-blocking (QDialog.open): the page selects the saved record afterwards."""
        self.dialog = dialog
        dialog.saved.connect(lambda uid: self.select_uids([uid]))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: ActivityDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def delete_activities(self) -> None:
        uids = self.selected_uids()
        if not uids or self.selection_read_only():
            return
        if len(uids) == 1:
            row = self.model.rows[self.model.uid_row(uids[0])]
            question = self.tr("确定删除这条活动记录吗？\n\n%1 %2“%3”\n\n删除后不能撤销，请确认。") \
                .replace("%1", row.date.isoformat()).replace("%2", row.type_name).replace("%3", row.title)
        else:
            question = self.tr("确定删除选中的 %1 条活动记录吗？\n\n删除后不能撤销，请确认。") \
                .replace("%1", str(len(uids)))
        answer = QMessageBox.question(self, self.tr("删除活动记录"), question,
                                      QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        if answer != QMessageBox.Yes:
            return
        seen = {uid: self.versions.get(uid) for uid in uids}
        try:
            ops.delete_activities(self.ctx, seen)
        except StaleEdit as exc:  # another PC changed one of them: nothing deleted, show what is saved now
            show_error(self, self.tr("删除失败"), exc)
            self.reload()
        except Exception as exc:  # noqa: BLE001 - shown to the user; nothing was deleted
            show_error(self, self.tr("删除失败"), exc)

    # --- Excel sheet: template and import -------------------------------------------------------
    def save_template(self) -> None:
        path, _f = file_dialogs.save_file(self, self.ctx.settings, self.tr("保存活动台账模板"), ops.TEMPLATE_NAME,
                                          XLSX_FILTER)
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        run_task(self, self.tr("正在生成模板…"), lambda p: ops.write_activity_template(self.ctx, path, p),
                 self._template_saved, error_title=self.tr("模板保存失败"))

    def _template_saved(self, path) -> None:
        QMessageBox.information(self, self.tr("下载模板"), self.tr(
            "模板已保存到：\n%1\n\n请在“活动台账”工作表中每行填写一次活动（可选的活动类型见“说明”工作表），"
            "保存后点“导入Excel…”。").replace("%1", str(path)))

    def import_sheet(self) -> None:
        if self.dates_read_only():
            return
        """Check the whole file in a worker, show what it would add, then add it in one transaction."""
        path = file_dialogs.open_file(self, self.ctx.settings, self.tr("选择要导入的活动表格"),
                                      XLSX_FILTER + ";;所有文件 (*)")
        if not path:
            return
        office, name = self.setup.office_code, self.setup.office_name
        run_task(self, self.tr("正在检查表格…"), lambda p: ops.read_activity_sheet(self.ctx, office, path, p),
                 lambda sheet: self._confirm_import(office, name, sheet), on_error=self._import_refused)

    def _import_refused(self, exc: BaseException) -> None:
        """Bad rows: the first problems in a window-modal box, every listed one in its details."""
        report = ops.problem_report(exc)
        if report is None:
            show_error(self, self.tr("无法导入活动表格"), exc)
            return
        box = QMessageBox(QMessageBox.Warning, self.tr("无法导入活动表格"), report[0], QMessageBox.Ok, self)
        box.setDetailedText(report[1])
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()
        self.problem_box = box

    def _confirm_import(self, office: str, name: str, sheet) -> None:
        title = self.tr("导入活动表格")
        if not sheet.new:
            QMessageBox.information(self, title, sheet.summary())
            return
        question = sheet.summary() + "\n\n" + self.tr("导入到%1的活动台账吗？").replace("%1", name)
        if QMessageBox.question(self, title, question, QMessageBox.Yes | QMessageBox.No,
                                QMessageBox.No) != QMessageBox.Yes:
            return
        run_task(self, self.tr("正在导入…"), lambda p: ops.import_activity_sheet(self.ctx, office, sheet, p),
                 self._imported, error_title=self.tr("导入失败"))

    def _imported(self, result) -> None:
        self.ctx.notify(result.changes)  # reloads the table
        self.select_uids(result.uids)
        QMessageBox.information(self, self.tr("导入活动表格"), result.message())


@contextmanager
def _wait_cursor():
    QApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()

