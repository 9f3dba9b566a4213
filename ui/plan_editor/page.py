"""计划编辑 (city): copy a plan into a draft, edit its indicators, validate, publish, make it current.

A first slice of the editor of issue 17: name, kind and city target of an indicator; everything else is
edited in the Excel template (``plan template`` / ``plan load``). Problems are listed on the page, in
the core's Chinese sentences.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget)

from kexie_desktop.changes import Changes
from kexie_desktop.display import number
from kexie_desktop.errors import UserError
from kexie_desktop.models import KINDS

from ..context import AppContext
from ..widgets.table_model import RowTableModel
from . import operations as ops


class IndicatorModel(RowTableModel):
    HEADERS = ("代码", "名称", "类型", "单位", "市目标")
    CODE, NAME, KIND, UNIT, TARGET = range(5)

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if role != Qt.DisplayRole or not index.isValid():
            return None
        row: ops.IndicatorLine = self.rows[index.row()]
        return (row.code, row.name, row.kind_label, row.unit, row.target_text)[index.column()]


class PlanEditorPage(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.plans = QComboBox()
        self.check_button = QPushButton(self.tr("校验"))
        self.publish_button = QPushButton(self.tr("发布"))
        self.use_button = QPushButton(self.tr("设为当前计划"))
        self.state = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("计划：")))
        top.addWidget(self.plans, 1)
        for button in (self.check_button, self.publish_button, self.use_button):
            top.addWidget(button)

        self.model = IndicatorModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(IndicatorModel.NAME, 260)

        middle = QHBoxLayout()
        middle.addWidget(self.table, 3)
        side = QVBoxLayout()
        side.addWidget(self._copy_box())
        side.addWidget(self._edit_box())
        side.addStretch(1)
        middle.addLayout(side, 2)

        self.problems = QListWidget()
        self.problems.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addLayout(middle, 3)
        layout.addWidget(QLabel(self.tr("校验结果：")))
        layout.addWidget(self.problems, 1)

        self.plans.currentIndexChanged.connect(self._show_plan)
        self.table.selectionModel().currentRowChanged.connect(self._show_indicator)
        self.check_button.clicked.connect(self.check)
        self.publish_button.clicked.connect(self.publish)
        self.use_button.clicked.connect(self.use)
        self.reload()

    # --- layout pieces ---------------------------------------------------------------------------
    def _copy_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("复制为新计划（草稿）"))
        form = QFormLayout(box)
        self.copy_code, self.copy_name = QLineEdit(), QLineEdit()
        self.copy_start, self.copy_end = QSpinBox(), QSpinBox()
        for spin, value in ((self.copy_start, 2021), (self.copy_end, 2025)):
            spin.setRange(2000, 2100)
            spin.setValue(value)
        self.copy_button = QPushButton(self.tr("复制"))
        form.addRow(self.tr("新计划代码"), self.copy_code)
        form.addRow(self.tr("新计划名称"), self.copy_name)
        form.addRow(self.tr("起始年份"), self.copy_start)
        form.addRow(self.tr("结束年份"), self.copy_end)
        form.addRow(self.copy_button)
        self.copy_button.clicked.connect(self.copy)
        return box

    def _edit_box(self) -> QGroupBox:
        self.edit_box = QGroupBox(self.tr("指标"))
        form = QFormLayout(self.edit_box)
        self.edit_name, self.edit_target, self.edit_max = QLineEdit(), QLineEdit(), QLineEdit()
        self.edit_kind = QComboBox()
        for code, label in KINDS.items():
            self.edit_kind.addItem(self.tr(label), code)
        self.save_button = QPushButton(self.tr("保存指标"))
        form.addRow(self.tr("名称"), self.edit_name)
        form.addRow(self.tr("类型"), self.edit_kind)
        form.addRow(self.tr("市目标（区间的下限）"), self.edit_target)
        form.addRow(self.tr("目标上限（区间目标）"), self.edit_max)
        form.addRow(self.save_button)
        self.save_button.clicked.connect(self.save_indicator)
        return self.edit_box

    # --- showing ---------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        chosen = select or self.current_code()
        self._summaries = {p.code: p for p in ops.list_plans(self.ctx)}
        self.plans.blockSignals(True)
        self.plans.clear()
        for p in self._summaries.values():
            state = self.tr("第 %1 版").replace("%1", str(p.version)) if p.published else self.tr("草稿")
            mark = self.tr("（当前）") if p.current else ""
            self.plans.addItem(f"{p.code}  {p.start_year}—{p.end_year}  {state}{mark}", p.code)
        index = self.plans.findData(chosen) if chosen else -1
        if index < 0:
            index = next((n for n, p in enumerate(self._summaries.values()) if p.current), 0)
        self.plans.setCurrentIndex(index)
        self.plans.blockSignals(False)
        self._show_plan()

    def current_code(self) -> str | None:
        return self.plans.currentData() if self.plans.count() else None

    def _show_plan(self, *_args) -> None:
        code = self.current_code()
        summary = self._summaries.get(code)
        self.model.set_rows(ops.indicator_lines(self.ctx, code) if code else [])
        draft = summary is not None and not summary.published
        self.edit_box.setEnabled(draft)
        self.publish_button.setEnabled(draft)
        self.use_button.setEnabled(summary is not None and summary.published and not summary.current)
        if summary is not None:
            how = self.tr("草稿：可以修改，发布后才能使用。") if draft else self.tr("已发布：只能查看；如需修改请复制为新计划。")
            self.state.setText(f"{summary.name}（{summary.start_year}—{summary.end_year}年，"
                               f"{summary.indicators} 项指标）  {how}")
        self.problems.clear()

    def _show_indicator(self, current: QModelIndex, _previous=None) -> None:
        if not current.isValid():
            return
        row: ops.IndicatorLine = self.model.rows[current.row()]
        self.edit_name.setText(row.name)
        self.edit_kind.setCurrentIndex(self.edit_kind.findData(row.kind))
        self.edit_target.setText(number(row.target))
        self.edit_max.setText(number(row.target_max))

    def select_indicator(self, code: str) -> None:
        row = next(n for n, r in enumerate(self.model.rows) if r.code == code)
        self.table.setCurrentIndex(self.model.index(row, 0))

    def _say(self, text: str, lines: list[str] = ()) -> None:
        self.state.setText(text)
        self.problems.clear()
        self.problems.addItems(list(lines))

    # --- actions ---------------------------------------------------------------------------------
    def copy(self) -> None:
        source = self.current_code()
        code = self.copy_code.text().strip()
        try:
            changes = ops.copy_plan(self.ctx, source, code, self.copy_name.text(), self.copy_start.value(),
                                    self.copy_end.value())
        except UserError as exc:
            self._say(str(exc))
            return
        self.ctx.notify(changes)
        self.reload(select=code)
        self.state.setText(self.tr("已复制计划 %1 为 %2（草稿）。").replace("%1", source).replace("%2", code))

    def save_indicator(self) -> None:
        current = self.table.currentIndex()
        if not current.isValid():
            return
        row: ops.IndicatorLine = self.model.rows[current.row()]
        try:
            target = float(self.edit_target.text().strip())
            top = float(self.edit_max.text()) if self.edit_max.text().strip() else None
        except ValueError:
            self._say(self.tr("目标和上限必须是数字。"))
            return
        try:
            changes = ops.edit_indicator(self.ctx, self.current_code(), row.code, name=self.edit_name.text(),
                                         kind=self.edit_kind.currentData(), target=target, target_max=top)
        except UserError as exc:
            self._say(str(exc))
            return
        self.ctx.notify(changes)
        self.model.set_rows(ops.indicator_lines(self.ctx, self.current_code()))
        self.select_indicator(row.code)
        self.state.setText(self.tr("已保存指标 %1。").replace("%1", row.code))

    def check(self) -> None:
        found = ops.problems(self.ctx, self.current_code())
        if found:
            self._say(self.tr("有 %1 个问题，发布前须解决：").replace("%1", str(len(found))), found)
        else:
            self._say(self.tr("校验通过，可以发布。"))

    def publish(self) -> None:
        code = self.current_code()
        found = ops.problems(self.ctx, code)
        if found:
            self._say(self.tr("有 %1 个问题，不能发布：").replace("%1", str(len(found))), found)
            return
        try:
            version = ops.publish(self.ctx, code)
        except UserError as exc:
            self._say(str(exc))
            return
        self.reload(select=code)
        self.state.setText(self.tr("已发布计划 %1（第 %2 版）。").replace("%1", code).replace("%2", str(version)))

    def use(self) -> None:
        code = self.current_code()
        try:
            changes = ops.use(self.ctx, code)
        except UserError as exc:
            self._say(str(exc))
            return
        self.reload(select=code)
        self.state.setText(self.tr("当前计划：%1。").replace("%1", code))
        self.ctx.notify(Changes(everything=True) | changes)
