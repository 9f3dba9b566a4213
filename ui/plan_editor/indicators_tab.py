"""计划编辑 → 指标: the draft's indicators (add, change, remove, reorder) with the sentence each comes from."""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from kexie_desktop.display import number
from kexie_desktop.errors import UserError
from kexie_desktop.models import AGGREGATIONS, ENTRIES, KINDS, PERIODS
from kexie_desktop.services.plan_editing import IndicatorFields

from . import operations as ops
from .parts import LinesModel, buttons, current_line, select_code, table


def _combo(parent: QWidget, choices: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for code, label in choices.items():
        box.addItem(parent.tr(label), code)
    return box


class IndicatorModel(LinesModel):
    CODE, NAME, KIND, UNIT, TARGET, SOURCE = range(6)

    def __init__(self, parent=None):
        super().__init__([
            ("代码", lambda r: r.code), ("名称", lambda r: r.fields.name), ("类型", lambda r: r.kind_label),
            ("单位", lambda r: r.fields.unit), ("市目标", lambda r: r.target_text),
            ("来源原文", lambda r: r.source)], parent)


class IndicatorsTab(QWidget):
    def __init__(self, page, parent=None):
        super().__init__(parent)
        self.page = page
        self.model = IndicatorModel(self)
        self.table = table(self.model, (54, 200, 80, 50, 90))
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 5)
        layout.addWidget(self._form(), 4)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show())

    def _form(self) -> QGroupBox:
        self.edit_box = QGroupBox(self.tr("指标"))
        grid = QGridLayout()
        self.edit_code, self.edit_name, self.edit_unit = QLineEdit(), QLineEdit(), QLineEdit()
        self.edit_kind, self.edit_period = _combo(self, KINDS), _combo(self, PERIODS)
        self.edit_aggregation, self.edit_entry = _combo(self, AGGREGATIONS), _combo(self, ENTRIES)
        self.edit_section = QComboBox()
        self.edit_target, self.edit_max, self.edit_covers = QLineEdit(), QLineEdit(), QLineEdit()
        self.edit_covers_units = QCheckBox(self.tr("覆盖各县区（基数为县区数）"))
        self.edit_ledger = QLineEdit()
        self.edit_ledger.setPlaceholderText(self.tr("活动类型代码:计量;…  例如 SCI_LECTURE:活动场次"))
        cells = ((self.tr("代码"), self.edit_code, self.tr("名称"), self.edit_name),
                 (self.tr("单位"), self.edit_unit, self.tr("类型"), self.edit_kind),
                 (self.tr("周期"), self.edit_period, self.tr("汇总方式"), self.edit_aggregation),
                 (self.tr("填报方式"), self.edit_entry, self.tr("章节"), self.edit_section),
                 (self.tr("市目标/下限"), self.edit_target, self.tr("目标上限"), self.edit_max),
                 (self.tr("覆盖对象"), self.edit_covers, "", self.edit_covers_units))
        for row, (a, wa, b, wb) in enumerate(cells):
            grid.addWidget(QLabel(a), row, 0)
            grid.addWidget(wa, row, 1)
            grid.addWidget(QLabel(b), row, 2)
            grid.addWidget(wb, row, 3)
        grid.addWidget(QLabel(self.tr("台账统计")), len(cells), 0)
        grid.addWidget(self.edit_ledger, len(cells), 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)
        row, (self.add_button, self.save_button, self.remove_button, self.up_button, self.down_button) = buttons(
            self, "新增指标", "保存指标", "删除指标", "上移", "下移")
        self.source = QLabel()
        self.source.setWordWrap(True)
        # a level of the new plan may start from its predecessor's last value (issue 17, carry-over)
        self.carry = QCheckBox(self.tr("承接上一计划的最后数值"))
        self.carry.setToolTip(self.tr("只用于承接上一计划同一指标的存量指标：本计划第一年从上一计划的最后数值算起。"))
        self.carry.clicked.connect(self.set_carry)
        box = QVBoxLayout(self.edit_box)
        box.addLayout(grid)
        box.addLayout(row)
        box.addWidget(QLabel(self.tr("来源原文（在“原文与语句”中选句关联）：")))
        box.addWidget(self.source)
        box.addWidget(self.carry)
        box.addStretch(1)
        self.add_button.clicked.connect(lambda: self.save(new=True))
        self.save_button.clicked.connect(lambda: self.save(new=False))
        self.remove_button.clicked.connect(self.remove)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        return self.edit_box

    def load(self, parts: ops.Parts) -> None:
        chosen = self.current_code()
        self.edit_section.clear()
        for sec in parts.sections:
            self.edit_section.addItem(f"{sec.code} {sec.name}", sec.code)
        self.model.set_rows(parts.indicators)
        self.edit_box.setEnabled(not parts.published)
        if not select_code(self.table, self.model, chosen):
            self.source.clear()

    def current(self) -> ops.IndicatorDetail | None:
        return current_line(self.table, self.model)

    def current_code(self) -> str | None:
        line = self.current()
        return line.code if line else None

    def select(self, code: str) -> None:
        select_code(self.table, self.model, code)

    def _show(self) -> None:
        line = self.current()
        if line is None:
            return
        f = line.fields
        self.edit_code.setText(f.code)
        self.edit_name.setText(f.name)
        self.edit_unit.setText(f.unit)
        for box, value in ((self.edit_kind, f.kind), (self.edit_period, f.period),
                           (self.edit_aggregation, f.aggregation), (self.edit_entry, f.entry),
                           (self.edit_section, f.section)):
            box.setCurrentIndex(box.findData(value))
        self.edit_target.setText(number(f.target))
        self.edit_max.setText(number(f.target_max))
        self.edit_covers.setText(f.covers)
        self.edit_covers_units.setChecked(f.covers_units)
        self.edit_ledger.setText(ops.ledger_text(f.ledger))
        self.source.setText(line.source or self.tr("（尚未关联）"))
        self.carry.setChecked(line.carry_over)
        self.carry.setEnabled(bool(line.predecessor) and f.kind == "level")
        self.carry.setText(self.tr("承接上一计划的最后数值（%1）").replace("%1", line.predecessor)
                           if line.predecessor else self.tr("承接上一计划的最后数值（没有上一计划的对应指标）"))

    def _number(self, field: QLineEdit, what: str) -> float | None:
        text = field.text().strip().replace(",", "")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise UserError(f"{what}“{text}”不是数字。") from None

    def fields(self) -> IndicatorFields:
        return IndicatorFields(
            self.edit_code.text(), self.edit_name.text(), self.edit_unit.text(), self.edit_kind.currentData(),
            self.edit_period.currentData(), self.edit_aggregation.currentData(), self.edit_entry.currentData(),
            self.edit_section.currentData() or "", self._number(self.edit_target, "市目标"),
            self._number(self.edit_max, "目标上限"), self.edit_covers.text(), self.edit_covers_units.isChecked(),
            ops.ledger_pairs(self.edit_ledger.text()))

    def save(self, *, new: bool) -> None:
        code = self.edit_code.text().strip()
        done = self.tr("已新增指标 %1。") if new else self.tr("已保存指标 %1。")
        if self.page.act(lambda: ops.put_indicator(self.page.ctx, self.page.current_code(), self.fields(), new=new),
                         done.replace("%1", code)):
            self.select(code)

    def remove(self) -> None:
        code = self.current_code()
        if code and self.page.act(lambda: ops.remove_indicator(self.page.ctx, self.page.current_code(), code),
                                  self.tr("已删除指标 %1。").replace("%1", code)):
            self.source.clear()

    def move(self, step: int) -> None:
        code = self.current_code()
        if code and self.page.act(lambda: ops.move_indicator(self.page.ctx, self.page.current_code(), code, step),
                                  self.tr("已移动指标 %1。").replace("%1", code)):
            self.select(code)

    def set_carry(self, carry: bool) -> None:
        code = self.current_code()
        done = self.tr("指标 %1 承接上一计划的最后数值。") if carry else self.tr("指标 %1 不承接上一计划的数值。")
        if code and not self.page.act(lambda: ops.set_carry_over(self.page.ctx, self.page.current_code(), code, carry),
                                      done.replace("%1", code)):
            self.carry.setChecked(not carry)
        elif code:
            self.select(code)
