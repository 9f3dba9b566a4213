"""计划编辑 (city): copy a plan into a draft and edit every part of it, check it, publish it, make it current.

The parts are tabs (计划, 章节, 指标, 活动类型, 审核规则, 工作清单, 考核方案, 原文与语句); every change goes
through ``operations`` to the core (``services.plan_editing``, ``plan_authoring``), and a refusal is one
Chinese line in the state label. 检查 lists ``plan_checks``' problems (double-click: the row); 发布 is
refused while there are any. A published plan is shown read-only.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPushButton, QSpinBox, QTabWidget, QVBoxLayout, QWidget)

from kexie_desktop.changes import Changes
from kexie_desktop.errors import UserError
from kexie_desktop.storage_errors import describe

from ..context import AppContext
from . import operations as ops
from .indicators_tab import IndicatorModel, IndicatorsTab
from .part_tabs import RulesTab, SectionsTab, TasksTab, TypesTab
from .text_tabs import SchemeTab, TextTab

__all__ = ["IndicatorModel", "PlanEditorPage"]

# Which tab a problem line points to: "指标 I62“…”…", "任务 T66“…”…", "章节代码“T9”重复…".
_SUBJECT = re.compile(r"^(指标|任务) (\S+?)“|^(指标|任务|章节|审核规则)代码“")


class PlanEditorPage(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._summaries: dict = {}
        self._parts: ops.Parts | None = None
        self.plans = QComboBox()
        self.check_button = QPushButton(self.tr("检查"))
        self.publish_button = QPushButton(self.tr("发布"))
        self.use_button = QPushButton(self.tr("设为当前计划"))
        self.state = QLabel()
        self.state.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("计划：")))
        top.addWidget(self.plans, 1)
        for button in (self.check_button, self.publish_button, self.use_button):
            top.addWidget(button)

        self.tabs = QTabWidget()
        self.indicators, self.sections, self.types = IndicatorsTab(self), SectionsTab(self), TypesTab(self)
        self.rules, self.tasks, self.scheme, self.text = RulesTab(self), TasksTab(self), SchemeTab(self), TextTab(self)
        self.tabs.addTab(self._plan_tab(), self.tr("计划"))
        for tab, label in ((self.sections, "章节"), (self.indicators, "指标"), (self.types, "活动类型"),
                           (self.rules, "审核规则"), (self.tasks, "工作清单"), (self.scheme, "考核方案"),
                           (self.text, "原文与语句")):
            self.tabs.addTab(tab, self.tr(label))

        self.problems = QListWidget()
        self.problems.setWordWrap(True)
        self.problems.setMaximumHeight(110)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(QLabel(self.tr("检查结果（双击一行转到该项）：")))
        layout.addWidget(self.problems)

        # The first slice's names, kept for its callers and tests.
        self.model, self.table = self.indicators.model, self.indicators.table
        self.edit_box, self.save_button = self.indicators.edit_box, self.indicators.save_button
        self.edit_name, self.edit_kind = self.indicators.edit_name, self.indicators.edit_kind
        self.edit_target, self.edit_max = self.indicators.edit_target, self.indicators.edit_max

        self.plans.currentIndexChanged.connect(self._show_plan)
        self.tabs.currentChanged.connect(lambda *_: self.text.show_target())
        self.problems.itemDoubleClicked.connect(lambda item: self.jump(item.text()))
        self.check_button.clicked.connect(self.check)
        self.publish_button.clicked.connect(self.publish)
        self.use_button.clicked.connect(self.use)
        self.reload()

    def _plan_tab(self) -> QWidget:
        tab = QWidget()
        self.info = QLabel()
        self.info.setWordWrap(True)
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
        layout = QVBoxLayout(tab)
        layout.addWidget(self.info)
        row = QHBoxLayout()
        row.addWidget(self._header_box(), 1)
        row.addWidget(box, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        return tab

    def _header_box(self) -> QGroupBox:
        self.header_box = QGroupBox(self.tr("本计划（草稿）"))
        form = QFormLayout(self.header_box)
        self.plan_code, self.plan_name = QLineEdit(), QLineEdit()
        self.plan_start, self.plan_end = QSpinBox(), QSpinBox()
        for spin in (self.plan_start, self.plan_end):
            spin.setRange(2000, 2100)
        self.plan_button = QPushButton(self.tr("保存计划信息"))
        form.addRow(self.tr("计划代码"), self.plan_code)
        form.addRow(self.tr("计划名称"), self.plan_name)
        form.addRow(self.tr("起始年份"), self.plan_start)
        form.addRow(self.tr("结束年份"), self.plan_end)
        form.addRow(self.plan_button)
        self.plan_button.clicked.connect(self.save_header)
        return self.header_box

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

    def units(self) -> list[tuple[str, str]]:
        return self._parts.units if self._parts else []

    def summary(self):
        return self._summaries.get(self.current_code())

    def refresh(self) -> None:
        """Every tab from the database again, each keeping its selected row."""
        code = self.current_code()
        if code is None:
            return
        self._summaries = {p.code: p for p in ops.list_plans(self.ctx)}
        parts = self._parts = ops.parts(self.ctx, code)
        for tab in (self.sections, self.indicators, self.types, self.rules, self.tasks, self.scheme, self.text):
            tab.load(parts)
        summary = self.summary()
        draft = not parts.published
        self.header_box.setEnabled(draft)
        self.plan_code.setText(summary.code)
        self.plan_name.setText(summary.name)
        self.plan_start.setValue(summary.start_year)
        self.plan_end.setValue(summary.end_year)
        # a published current plan is revised elsewhere (目标, the plan template); here it is published as N+1
        self.publish_button.setEnabled(draft or summary.current)
        self.publish_button.setText(self.tr("发布") if draft else self.tr("发布新版本"))
        self.use_button.setEnabled(summary.published and not summary.current)
        if draft:
            how = self.tr("草稿：可以修改，发布后才能使用。")
        elif not summary.current:
            how = self.tr("已发布：只能查看；如需修改请复制为新计划。")
        elif parts.pending:
            how = self.tr("已发布（第 %1 版），有未发布的修改：点“发布新版本”发布为第 %2 版。").replace(
                "%1", str(summary.version)).replace("%2", str(summary.version + 1))
        else:
            how = self.tr("已发布（第 %1 版）：这里只能查看；在“目标”页改目标或用计划模板（plan template / plan load）"
                          "修改后，可在这里发布为新版本。").replace("%1", str(summary.version))
        self.info.setText(self.tr("%1（%2，%3—%4年）：%5 个章节、%6 项指标、%7 项任务、%8 条审核规则。").replace(
            "%1", summary.name).replace("%2", summary.code).replace("%3", str(summary.start_year)).replace(
            "%4", str(summary.end_year)).replace("%5", str(len(parts.sections))).replace(
            "%6", str(len(parts.indicators))).replace("%7", str(len(parts.tasks))).replace(
            "%8", str(len(parts.rules))) + "  " + how)

    def _show_plan(self, *_args) -> None:
        self.refresh()
        summary = self.summary()
        if summary is not None:
            self.state.setText(self.info.text())
        self.problems.clear()

    def say(self, text: str, lines: list[str] = ()) -> None:
        self.state.setText(text)
        self.problems.clear()
        self.problems.addItems(list(lines))

    def act(self, change, done: str) -> bool:
        """Run one change; on refusal its one Chinese line, else refresh the tabs and say ``done``."""
        try:
            changes = change()
        except Exception as exc:  # noqa: BLE001 - a storage error is one line too; anything else goes up
            mapped = describe(exc)
            if mapped is None:
                raise
            self.say(str(mapped))
            return False
        self.ctx.notify(changes)
        self.refresh()
        self.state.setText(done)
        return True

    def jump(self, line: str) -> None:
        found = _SUBJECT.match(line)
        if found is None:
            return
        what, code = found.group(1), found.group(2)
        if what == "指标":
            self.tabs.setCurrentWidget(self.indicators)
            self.indicators.select(code)
        elif what == "任务":
            self.tabs.setCurrentWidget(self.tasks)
            self.tasks.select(code)
        else:
            tab = {"指标": self.indicators, "任务": self.tasks, "章节": self.sections, "审核规则": self.rules}
            self.tabs.setCurrentWidget(tab[found.group(3)])

    # --- actions ---------------------------------------------------------------------------------
    def select_indicator(self, code: str) -> None:
        self.indicators.select(code)

    def copy(self) -> None:
        source = self.current_code()
        code = self.copy_code.text().strip()
        try:
            changes = ops.copy_plan(self.ctx, source, code, self.copy_name.text(), self.copy_start.value(),
                                    self.copy_end.value())
        except UserError as exc:
            self.say(str(exc))
            return
        self.ctx.notify(changes)
        self.reload(select=code)
        self.state.setText(self.tr("已复制计划 %1 为 %2（草稿）。").replace("%1", source).replace("%2", code))

    def save_header(self) -> None:
        code = self.plan_code.text().strip()
        try:  # not ``act``: the code may change, and the tabs are read again under the new one
            changes = ops.edit_plan(self.ctx, self.current_code(), code, self.plan_name.text(),
                                    self.plan_start.value(), self.plan_end.value())
        except UserError as exc:
            self.say(str(exc))
            return
        self.ctx.notify(changes)
        self.reload(select=code)
        self.state.setText(self.tr("已保存计划信息。"))

    def save_indicator(self) -> None:
        self.indicators.save(new=False)

    def check(self) -> None:
        found = ops.problems(self.ctx, self.current_code())
        if found:
            self.say(self.tr("有 %1 个问题，发布前须解决：").replace("%1", str(len(found))), found)
        else:
            self.say(self.tr("检查通过，可以发布。"))

    def publish(self) -> None:
        code = self.current_code()
        found = ops.problems(self.ctx, code)
        if found:
            self.say(self.tr("有 %1 个问题，不能发布：").replace("%1", str(len(found))), found)
            return
        try:
            version = ops.publish(self.ctx, code)
        except UserError as exc:
            self.say(str(exc))
            return
        self.ctx.notify(Changes(plan=True))
        self.reload(select=code)
        self.state.setText(self.tr("已发布计划 %1（第 %2 版）。").replace("%1", code).replace("%2", str(version)))

    def use(self) -> None:
        code = self.current_code()
        try:
            changes = ops.use(self.ctx, code)
        except UserError as exc:
            self.say(str(exc))
            return
        self.reload(select=code)
        self.state.setText(self.tr("当前计划：%1。").replace("%1", code))
        self.ctx.notify(Changes(everything=True) | changes)
