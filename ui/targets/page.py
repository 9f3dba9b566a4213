"""目标: the targets of an office, each with the sentence of the plan it comes from.

At the city office the page edits city and unit targets and decomposes a city target to the units
(分解到县区); at a unit it is read-only, since a unit's targets come from the city's plan package.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.errors import StaleEdit, UserError

from ..context import AppContext
from ..errors import show_error
from ..plan import operations as plan_ops
from ..widgets.year_selector import YearSelector
from ..widgets.table_model import RowTableModel
from . import operations as ops
from .split_dialog import SplitDialog
from .target_dialog import TargetDialog

CODE, NAME, KIND, PERIOD, TARGET, UNIT, UNITS_SUM = range(7)
HEADERS = ("代码", "指标", "类型", "期限", "目标", "单位", "县区合计")
UNSET = QColor("#767676")
MISMATCH = QColor("#9a4a00")


class TargetsModel(RowTableModel):
    """Plain target rows; never touches the database. A reload of the same indicators updates in place."""

    HEADERS = HEADERS

    def set_rows(self, rows: list[ops.TargetRow]) -> None:
        self.update_rows(rows, key=lambda row: row.code)

    def code_row(self, code: str) -> int:
        return next((r for r, row in enumerate(self.rows) if row.code == code), -1)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.ToolTipRole and section == UNITS_SUM:
            return self.tr("十个县区这一目标之和（区间目标为下限、上限之和）")
        return super().headerData(section, orientation, role)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.DisplayRole:
            return (row.code, row.name, row.kind_label, row.period_label, row.text, row.unit, row.units_text)[col]
        if role == Qt.ForegroundRole:
            if col == TARGET and row.value is None:
                return UNSET
            if col == UNITS_SUM and not row.units_match:
                return MISMATCH
        if role == Qt.ToolTipRole:
            if col == UNITS_SUM and row.units_text and not row.units_match:
                return self.tr("各县区目标之和与市级目标（%1）不一致").replace("%1", row.text)
            if col == TARGET and row.is_annual:
                return self.tr("%1年的目标").replace("%1", str(row.year))
            if col == NAME:
                return row.sources[0] if row.sources else None
        if role == Qt.UserRole:
            return row
        return None


class TargetsPage(QWidget):
    """The targets of the chosen office and year; ``TargetsPage(ctx)``."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setup: ops.TargetsSetup | None = None
        self._plan_switched = False
        self.dialog: TargetDialog | SplitDialog | None = None
        self.model = TargetsModel(self)
        self._build_widgets()
        self._build_layout()
        self._connect()
        self.reload_setup()

    # --- building -------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.office_label = QLabel()
        self.office_label.setStyleSheet("font-weight: bold;")
        self.office_combo = QComboBox()
        self.office_combo.setMinimumContentsLength(14)
        self.office_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.year_combo = YearSelector()
        self.edit_button = QPushButton(self.tr("修改目标…"))
        self.edit_button.setToolTip(self.tr("修改选中指标的目标（回车或双击）"))
        self.split_button = QPushButton(self.tr("分解到县区…"))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setObjectName("targetsNote")
        self.note.setStyleSheet("#targetsNote { background: #f3f6fa; border: 1px solid #c9d5e3;"
                                " border-radius: 3px; padding: 4px 8px; }")
        self.table = self._build_table()
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.count_label = QLabel()
        self.edit_action = QAction(self.tr("修改目标"), self.table)
        self.edit_action.setShortcuts([QKeySequence(Qt.Key_Return), QKeySequence(Qt.Key_Enter)])
        self.edit_action.setShortcutContext(Qt.WidgetShortcut)
        self.table.addAction(self.edit_action)
        self.history_action = QAction(self.tr("修改记录…"), self.table)
        self.table.setContextMenuPolicy(Qt.CustomContextMenu)

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        vertical = table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(NAME, QHeaderView.Stretch)
        for col, width in ((CODE, 56), (KIND, 84), (PERIOD, 84), (TARGET, 150), (UNIT, 56), (UNITS_SUM, 170)):
            table.setColumnWidth(col, width)
        return table

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.office_label)
        top.addWidget(self.office_combo)
        top.addSpacing(12)
        self.year_label = QLabel(self.tr("年份："))
        self.year_label.setToolTip(self.tr("“每年”的目标显示所选年份的数值"))
        top.addWidget(self.year_label)
        top.addWidget(self.year_combo)
        top.addStretch(1)
        top.addWidget(self.edit_button)
        top.addWidget(self.split_button)
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([480, 130])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.count_label)

    def _connect(self) -> None:
        self.office_combo.currentIndexChanged.connect(self._on_scope)
        self.year_combo.currentIndexChanged.connect(self._on_scope)
        self.edit_button.clicked.connect(self.edit_target)
        self.split_button.clicked.connect(self.split_target)
        self.edit_action.triggered.connect(self.edit_target)
        self.table.doubleClicked.connect(lambda _index: self.edit_target())
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.history_action.triggered.connect(self.show_history)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.ctx.bus.changed.connect(self._on_changes)

    # --- loading --------------------------------------------------------------------------------
    def reload_setup(self) -> None:
        """This installation's office, the offices it may show and the plan's years."""
        try:
            self.setup = ops.load_setup(self.ctx)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the page stays empty
            show_error(self, self.tr("读取目标失败"), exc)
            return
        setup = self.setup
        chosen_office, chosen_year = self.office_combo.currentData(), self.year_combo.currentData()
        for combo in (self.office_combo, self.year_combo):
            combo.blockSignals(True)
        self.office_combo.clear()
        for choice in setup.offices:
            self.office_combo.addItem(choice.short_name, choice.code)
            self.office_combo.setItemData(self.office_combo.count() - 1, choice.name, Qt.ToolTipRole)
        found = self.office_combo.findData(chosen_office)
        self.office_combo.setCurrentIndex(found if found >= 0 else self.office_combo.findData(setup.office_code))
        keep = chosen_year if chosen_year in setup.years else setup.default_year()
        if self._plan_switched:  # another plan became current: show its years
            keep, self._plan_switched = setup.default_year(), False
        self.year_combo.set_choices(plan_ops.year_choices(self.ctx), keep)
        for combo in (self.office_combo, self.year_combo):
            combo.blockSignals(False)
        self.office_label.setText(self.tr("目标单位：") + ("" if setup.is_city else setup.office_name))
        self.office_combo.setVisible(setup.is_city)
        self.edit_button.setVisible(setup.is_city)
        self.split_button.setVisible(setup.is_city)
        self.edit_action.setEnabled(setup.is_city)
        self.reload()

    @property
    def office_code(self) -> str:
        return self.office_combo.currentData() or self.setup.office_code

    @property
    def year(self) -> int:
        return self.year_combo.currentData()

    def office_name(self) -> str:
        return next(o.name for o in self.setup.offices if o.code == self.office_code)

    def viewing_city(self) -> bool:
        return next(o.is_city for o in self.setup.offices if o.code == self.office_code)

    def reload(self) -> None:
        if self.setup is None:
            return
        selected = self.current_row()
        try:
            rows = ops.load_rows(self.ctx, self.office_code, self.year)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the table keeps its rows
            show_error(self, self.tr("读取目标失败"), exc)
            return
        self.model.set_rows(rows)
        self.table.setColumnHidden(UNITS_SUM, not (self.setup.is_city and self.viewing_city()))
        self._show_note()
        self._show_count()
        self.select_code(selected.code if selected else None)
        self._on_current()

    def _on_scope(self, *_args) -> None:
        self.reload()

    def _on_changes(self, changes) -> None:
        self._plan_switched = bool(changes.plan)
        if changes.everything or changes.plan or changes.settings or changes.offices:
            self.reload_setup()
        elif changes.targets:
            self.reload()

    def _show_note(self) -> None:
        setup = self.setup
        if self.year_combo.read_only():
            text = self.year_combo.read_only() + self.tr("。")
        elif not setup.is_city:
            text = self.tr("本单位的目标由市科协下发的计划包确定，这里只能查看。如需调整，请与市科协联系。")
        elif not self.model.rows:
            text = self.tr("%1还没有目标。请选择“市科协”，选中一项市级目标后用“分解到县区…”下达到各县区。") \
                .replace("%1", self.office_name())
        elif self.viewing_city():
            text = self.tr("双击或按回车修改目标；“分解到县区…”按权重把选中的市级目标分解到十个县区，"
                           "“县区合计”列显示已分解到各县区的目标之和。")
        else:
            text = self.tr("这是市科协为%1设定的目标。双击或按回车修改；修改后请重新下发计划包。") \
                .replace("%1", self.office_name())
        self.note.setText(text)

    def _show_count(self) -> None:
        annual = sum(1 for row in self.model.rows if row.is_annual)
        text = self.tr("共 %1 项目标").replace("%1", str(len(self.model.rows)))
        if annual:
            text += self.tr("，其中 %1 项为每年的目标（显示 %2 年）").replace("%1", str(annual)) \
                .replace("%2", str(self.year))
        self.count_label.setText(text)

    # --- selection and detail -------------------------------------------------------------------
    def current_row(self) -> ops.TargetRow | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() and index.row() < len(self.model.rows) else None

    def select_code(self, code: str | None) -> None:
        row = self.model.code_row(code) if code else -1
        if row < 0 and self.model.rows:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def _on_current(self, *_args) -> None:
        row = self.current_row()
        self.detail.setHtml(_detail_html(row, self.office_name()) if row else "")
        ended = self.year_combo.read_only()  # an earlier plan's targets: only shown
        can_edit = self.setup.is_city and row is not None and ended is None
        self.edit_button.setEnabled(can_edit)
        self.edit_button.setToolTip(ended or self.tr("修改选中指标的目标（回车或双击）"))
        self.edit_action.setEnabled(can_edit)
        refusal = ended or (row.split_refusal if row else self.tr("请先选中一项目标。"))
        self.split_button.setEnabled(self.setup.is_city and refusal is None)
        self.split_button.setToolTip(
            refusal or self.tr("按权重把市科协的“%1”目标分解到十个县区").replace("%1", row.name))

    # --- edit and split -------------------------------------------------------------------------
    def edit_target(self) -> None:
        row = self.current_row()
        if row is None or not self.setup.is_city or self.year_combo.read_only():
            return
        office_code, year = self.office_code, self.year

        def check(value: str, upper: str | None) -> dict[str, str]:
            return ops.check_target(self.ctx, row.code, value, upper)

        seen = [row.version]

        def submit(value: str, upper: str | None):
            try:
                return ops.save_target(self.ctx, office_code, row.code, year, value, upper, seen[0])
            except StaleEdit:  # another PC changed it: show the saved target; a second 确定 saves over it
                self.reload()
                fresh = next((r for r in self.model.rows if r.code == row.code), None)
                seen[0] = fresh.version if fresh else None
                raise

        self._open(TargetDialog(row, self.office_name(), check, submit, parent=self))

    def split_target(self) -> None:
        row = self.current_row()
        if row is None or not self.setup.is_city or row.split_refusal or self.year_combo.read_only():
            return
        try:
            setup = ops.load_split(self.ctx, row.code, self.year)
        except Exception as exc:  # noqa: BLE001 - e.g. the city has no target for this year
            show_error(self, self.tr("无法分解"), exc)
            return
        year = self.year
        seen = [setup.versions]

        def submit(weights: dict[str, float]):
            try:
                return ops.apply_split(self.ctx, row.code, year, weights, seen[0])
            except StaleEdit:  # a target changed on another PC: show the saved ones; a second 确定 splits over them
                self.reload()
                try:
                    seen[0] = ops.load_split(self.ctx, row.code, year).versions
                except UserError:  # e.g. the city target removed meanwhile: the next 确定 says so
                    pass
                raise

        self._open(SplitDialog(setup, submit, parent=self))

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        if self.setup.is_city:
            menu.addAction(self.edit_action)
        menu.addAction(self.history_action)
        chosen = self.popup_menu(menu, self.table.viewport().mapToGlobal(pos))
        if chosen is not None:
            chosen.trigger()

    def popup_menu(self, menu: QMenu, where) -> QAction | None:
        """The chosen action of a context menu (one place for tests to stand in for the user)."""
        return menu.exec(where)

    def show_history(self) -> None:
        """The selected target's changes for this office (its year's, or the plan-end target's)."""
        from ..history.dialog import HistoryDialog
        from ..history.operations import load_history

        row = self.current_row()
        if row is None:
            return
        try:
            title, entries = load_history(self.ctx, self.office_code, row.code, row.year, values=False)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("无法显示修改记录"), exc)
            return
        self._open(HistoryDialog(title, entries, self))

    def _open(self, dialog) -> None:
        """Window-modal and non-blocking (QDialog.open), like the ledger's dialogs."""
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()


def _detail_html(row: ops.TargetRow, office_name: str) -> str:
    e = html.escape
    phrase = e(row.phrase)
    sources = "".join(
        f"<p style='margin:4px 0'>“{e(src).replace(phrase, f'<b>{phrase}</b>')}。”</p>" for src in row.sources
    )
    changed = ""
    if row.updated_at is not None:
        who = f"，{e(row.updated_by)}" if row.updated_by else ""
        changed = f"　<span style='color:#666'>（最近修改：{row.updated_at:%Y-%m-%d %H:%M}{who}）</span>"
    return (
        f"<p style='margin:0'><b>{e(row.code)}　{e(row.name)}</b>　{e(office_name)}　"
        f"{e(row.scope_text)}目标：<b>{e(row.text)}</b>（{e(row.kind_label)}，{e(row.aggregation_label)}）"
        f"{changed}</p>"
        f"<p style='margin:6px 0 0 0'>计划原文出处：</p>{sources}"
    )
