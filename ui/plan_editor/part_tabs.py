"""计划编辑 → 章节, 活动类型, 审核规则, 工作清单: a table and a small form each, every change through ``operations``."""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QVBoxLayout, QWidget)

from kexie_desktop.errors import UserError
from kexie_desktop.models import SEVERITIES
from kexie_desktop.services.plan_editing import CARRIER_WORDS, RuleFields, TaskFields

from . import operations as ops
from .parts import LinesModel, buttons, current_line, select_code, table


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]


class _Tab(QWidget):
    """A table on the left, a form in a group box on the right."""

    def __init__(self, page, columns, widths, title: str, parent=None):
        super().__init__(parent)
        self.page = page
        self.model = LinesModel(columns, self)
        self.table = table(self.model, widths)
        self.edit_box = QGroupBox(title)
        self.form = QFormLayout()
        outer = QVBoxLayout(self.edit_box)
        outer.addLayout(self.form)
        self.extra = outer
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.edit_box, 2)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show())

    def load_rows(self, rows, published: bool) -> None:
        chosen = self.current_code()
        self.model.set_rows(rows)
        self.edit_box.setEnabled(not published)
        select_code(self.table, self.model, chosen)

    def current(self):
        return current_line(self.table, self.model)

    def current_code(self) -> str | None:
        line = self.current()
        return line.code if line else None

    def select(self, code: str) -> None:
        select_code(self.table, self.model, code)

    def _show(self) -> None:
        pass

    def _act(self, change, done: str, select: str | None = None) -> None:
        if self.page.act(change, done) and select:
            self.select(select)


class SectionsTab(_Tab):
    def __init__(self, page, parent=None):
        super().__init__(page, [("代码", lambda r: r.code), ("名称", lambda r: r.name), ("上级", lambda r: r.parent)],
                         (70, 360), "章节", parent)
        self.edit_code, self.edit_name, self.edit_parent = QLineEdit(), QLineEdit(), QComboBox()
        self.form.addRow(self.tr("代码"), self.edit_code)
        self.form.addRow(self.tr("名称"), self.edit_name)
        self.form.addRow(self.tr("上级章节"), self.edit_parent)
        row, (self.add_button, self.rename_button, self.up_button, self.down_button) = buttons(
            self, "添加章节", "改名", "上移", "下移")
        self.extra.addLayout(row)
        self.extra.addStretch(1)
        self.add_button.clicked.connect(self.add)
        self.rename_button.clicked.connect(self.rename)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))

    def load(self, parts: ops.Parts) -> None:
        self.edit_parent.clear()
        self.edit_parent.addItem(self.tr("（无：顶层章节）"), None)
        for sec in parts.sections:
            self.edit_parent.addItem(f"{sec.code} {sec.name}", sec.code)
        self.load_rows(parts.sections, parts.published)

    def _show(self) -> None:
        line = self.current()
        self.edit_code.setText(line.code)
        self.edit_name.setText(line.name)
        self.edit_parent.setCurrentIndex(max(0, self.edit_parent.findData(line.parent or None)))

    def add(self) -> None:
        code = self.edit_code.text().strip()
        self._act(lambda: ops.add_section(self.page.ctx, self.page.current_code(), code, self.edit_name.text(),
                                          self.edit_parent.currentData()),
                  self.tr("已添加章节 %1。").replace("%1", code), code)

    def rename(self) -> None:
        code = self.current_code()
        if code:
            self._act(lambda: ops.rename_section(self.page.ctx, self.page.current_code(), code, self.edit_name.text()),
                      self.tr("已修改章节 %1 的名称。").replace("%1", code), code)

    def move(self, step: int) -> None:
        code = self.current_code()
        if code:
            self._act(lambda: ops.move_section(self.page.ctx, self.page.current_code(), code, step),
                      self.tr("已移动章节 %1。").replace("%1", code), code)


class TypesTab(_Tab):
    def __init__(self, page, parent=None):
        super().__init__(page, [("代码", lambda r: r.code), ("名称", lambda r: r.name)], (200,), "活动类型", parent)
        self.edit_code, self.edit_name = QLineEdit(), QLineEdit()
        self.form.addRow(self.tr("代码"), self.edit_code)
        self.form.addRow(self.tr("名称"), self.edit_name)
        row, (self.add_button,) = buttons(self, "添加活动类型")
        self.extra.addLayout(row)
        note = QLabel(self.tr("活动类型为各计划共用（以前计划的台账也用它），只能添加，不能改名或删除。"))
        note.setWordWrap(True)
        self.extra.addWidget(note)
        self.extra.addStretch(1)
        self.add_button.clicked.connect(self.add)

    def load(self, parts: ops.Parts) -> None:
        self.load_rows(parts.types, parts.published)

    def add(self) -> None:
        code = self.edit_code.text().strip()
        self._act(lambda: ops.add_activity_type(self.page.ctx, self.page.current_code(), code, self.edit_name.text()),
                  self.tr("已添加活动类型 %1。").replace("%1", code), code)


class RulesTab(_Tab):
    def __init__(self, page, parent=None):
        super().__init__(page, [("代码", lambda r: r.code), ("检查", lambda r: r.fields.check),
                                ("级别", lambda r: r.severity_label),
                                ("指标", lambda r: ",".join(r.fields.indicators)),
                                ("启用", lambda r: "是" if r.fields.active else "否"),
                                ("提示", lambda r: r.fields.message)], (50, 170, 44, 90, 40), "审核规则", parent)
        self.edit_code, self.edit_check, self.edit_severity = QLineEdit(), QComboBox(), QComboBox()
        self.edit_check.addItems(ops.check_names())
        for code, label in SEVERITIES.items():
            self.edit_severity.addItem(self.tr(label), code)
        self.edit_indicators, self.edit_params, self.edit_message = QLineEdit(), QLineEdit(), QLineEdit()
        self.edit_indicators.setPlaceholderText(self.tr("指标代码，逗号分隔；空：全部"))
        self.edit_params.setPlaceholderText('{"factor": 5}')
        self.edit_active = QCheckBox(self.tr("启用"))
        for label, widget in ((self.tr("代码"), self.edit_code), (self.tr("检查"), self.edit_check),
                              (self.tr("级别"), self.edit_severity), (self.tr("指标"), self.edit_indicators),
                              (self.tr("参数"), self.edit_params), (self.tr("提示"), self.edit_message),
                              ("", self.edit_active)):
            self.form.addRow(label, widget)
        row, (self.add_button, self.save_button, self.remove_button) = buttons(self, "新增规则", "保存规则", "删除规则")
        self.extra.addLayout(row)
        self.extra.addStretch(1)
        self.add_button.clicked.connect(lambda: self.save(new=True))
        self.save_button.clicked.connect(lambda: self.save(new=False))
        self.remove_button.clicked.connect(self.remove)

    def load(self, parts: ops.Parts) -> None:
        self.load_rows(parts.rules, parts.published)

    def _show(self) -> None:
        f = self.current().fields
        self.edit_code.setText(f.code)
        self.edit_check.setCurrentText(f.check)
        self.edit_severity.setCurrentIndex(self.edit_severity.findData(f.severity))
        self.edit_indicators.setText(",".join(f.indicators))
        self.edit_params.setText(json.dumps(f.params, ensure_ascii=False) if f.params else "")
        self.edit_message.setText(f.message)
        self.edit_active.setChecked(f.active)

    def fields(self) -> RuleFields:
        text = self.edit_params.text().strip()
        try:
            params = json.loads(text) if text else {}
        except ValueError:
            raise UserError("审核规则的参数应为 JSON 对象，例如 {\"factor\": 5}。") from None
        return RuleFields(self.edit_code.text(), self.edit_check.currentText(), self.edit_severity.currentData(),
                          self.edit_message.text(), _codes(self.edit_indicators.text()), params,
                          self.edit_active.isChecked())

    def save(self, *, new: bool) -> None:
        code = self.edit_code.text().strip()
        done = self.tr("已新增审核规则 %1。") if new else self.tr("已保存审核规则 %1。")
        self._act(lambda: ops.put_rule(self.page.ctx, self.page.current_code(), self.fields(), new=new),
                  done.replace("%1", code), code)

    def remove(self) -> None:
        code = self.current_code()
        if code:
            self._act(lambda: ops.remove_rule(self.page.ctx, self.page.current_code(), code),
                      self.tr("已删除审核规则 %1。").replace("%1", code))


class TasksTab(_Tab):
    def __init__(self, page, parent=None):
        super().__init__(page, [("代码", lambda r: r.code), ("名称", lambda r: r.fields.name),
                                ("章节", lambda r: r.fields.section), ("承担单位", lambda r: r.carriers_text),
                                ("期限", lambda r: r.fields.due.isoformat()), ("来源原文", lambda r: r.fields.sentence)],
                         (50, 200, 50, 80, 84), "任务", parent)
        self.edit_code, self.edit_name, self.edit_section = QLineEdit(), QLineEdit(), QComboBox()
        self.edit_carriers = QComboBox()
        for code, label in CARRIER_WORDS.items():
            self.edit_carriers.addItem(self.tr(label), code)
        self.edit_carriers.addItem(self.tr("指定县区（填代码）"), "list")
        self.edit_units, self.edit_indicators = QLineEdit(), QLineEdit()
        self.edit_units.setPlaceholderText(self.tr("县区代码，逗号分隔"))
        self.edit_indicators.setPlaceholderText(self.tr("指标代码，逗号分隔"))
        self.edit_due = QDateEdit()
        self.edit_due.setDisplayFormat("yyyy-MM-dd")
        self.edit_due.setCalendarPopup(True)
        for label, widget in ((self.tr("代码"), self.edit_code), (self.tr("名称"), self.edit_name),
                              (self.tr("章节"), self.edit_section), (self.tr("承担单位"), self.edit_carriers),
                              (self.tr("县区"), self.edit_units), (self.tr("完成期限"), self.edit_due),
                              (self.tr("关联指标"), self.edit_indicators)):
            self.form.addRow(label, widget)
        row, (self.add_button, self.save_button, self.remove_button) = buttons(self, "新增任务", "保存任务", "删除任务")
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.extra.addLayout(row)
        self.extra.addWidget(QLabel(self.tr("来源原文（在“原文与语句”中选句关联）：")))
        self.extra.addWidget(self.sentence)
        self.extra.addStretch(1)
        self.add_button.clicked.connect(lambda: self.save(new=True))
        self.save_button.clicked.connect(lambda: self.save(new=False))
        self.remove_button.clicked.connect(self.remove)

    def load(self, parts: ops.Parts) -> None:
        self.edit_section.clear()
        for sec in parts.sections:
            self.edit_section.addItem(f"{sec.code} {sec.name}", sec.code)
        self.load_rows(parts.tasks, parts.published)
        if self.current() is None:
            self.sentence.clear()

    def _show(self) -> None:
        line = self.current()
        f = line.fields
        self.edit_code.setText(f.code)
        self.edit_name.setText(f.name)
        self.edit_section.setCurrentIndex(self.edit_section.findData(f.section))
        listed = not isinstance(f.carriers, str)
        self.edit_carriers.setCurrentIndex(self.edit_carriers.findData("list" if listed else f.carriers))
        self.edit_units.setText(",".join(f.carriers) if listed else "")
        self.edit_due.setDate(QDate(f.due.year, f.due.month, f.due.day))
        self.edit_indicators.setText(",".join(f.indicators))
        self.sentence.setText(f.sentence or self.tr("（尚未关联）"))

    def fields(self) -> TaskFields:
        carriers = self.edit_carriers.currentData()
        due = self.edit_due.date()
        return TaskFields(self.edit_code.text(), self.edit_section.currentData() or "", self.edit_name.text(),
                          _codes(self.edit_units.text()) if carriers == "list" else carriers,
                          dt.date(due.year(), due.month(), due.day()), "", _codes(self.edit_indicators.text()))

    def save(self, *, new: bool) -> None:
        code = self.edit_code.text().strip()
        done = self.tr("已新增任务 %1。") if new else self.tr("已保存任务 %1。")
        self._act(lambda: ops.put_task(self.page.ctx, self.page.current_code(), self.fields(), new=new),
                  done.replace("%1", code), code)

    def remove(self) -> None:
        code = self.current_code()
        if code:
            self._act(lambda: ops.remove_task(self.page.ctx, self.page.current_code(), code),
                      self.tr("已删除任务 %1。").replace("%1", code))
