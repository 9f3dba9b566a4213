"""计划编辑 → 原文与语句 (the plan's text, its sentences, linking one to an indicator or a task) and 考核方案."""

from __future__ import annotations

from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget)

from kexie_desktop.errors import UserError
from kexie_desktop.services.plan_editing import sentences

from ..assessment.dialogs import SchemeDialog
from ..widgets.file_dialogs import open_file
from . import operations as ops
from .parts import buttons


class TextTab(QWidget):
    def __init__(self, page, parent=None):
        super().__init__(parent)
        self.page = page
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(self.tr("把新计划的全文粘贴到这里，或用“导入文件…”读入 .txt 或 .docx 文件，然后点“保存原文”。"))
        row, (self.import_button, self.save_button) = buttons(self, "导入文件…", "保存原文")
        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("计划原文：")))
        left.addWidget(self.text, 1)
        left.addLayout(row)

        self.sentences = QListWidget()
        self.sentences.setWordWrap(True)
        self.target = QLabel()
        self.target.setWordWrap(True)
        links, (self.link_indicator, self.link_task) = buttons(self, "关联到当前指标", "关联到当前任务")
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("分句（选中一句，关联到“指标”或“工作清单”中选中的一项）：")))
        right.addWidget(self.sentences, 1)
        right.addWidget(self.target)
        right.addLayout(links)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        self.import_button.clicked.connect(self.import_file)
        self.save_button.clicked.connect(self.save)
        self.link_indicator.clicked.connect(lambda: self.link("indicator"))
        self.link_task.clicked.connect(lambda: self.link("task"))

    def load(self, parts: ops.Parts) -> None:
        self.text.setPlainText(parts.text)
        self.text.setReadOnly(parts.published)
        for widget in (self.import_button, self.save_button, self.link_indicator, self.link_task):
            widget.setEnabled(not parts.published)
        self.sentences.clear()
        self.sentences.addItems(sentences(parts.text))
        self.show_target()

    def show_target(self) -> None:
        indicator, task = self.page.indicators.current(), self.page.tasks.current()
        parts = [self.tr("当前指标：%1").replace("%1", f"{indicator.code}“{indicator.fields.name}”") if indicator
                 else self.tr("当前指标：（未选）"),
                 self.tr("当前任务：%1").replace("%1", f"{task.code}“{task.fields.name}”") if task
                 else self.tr("当前任务：（未选）")]
        self.target.setText("；".join(parts))

    def import_file(self) -> None:
        path = open_file(self, self.page.ctx.settings, self.tr("导入计划原文"), self.tr("计划原文 (*.txt *.docx)"))
        if not path:
            return
        try:
            text = ops.read_text_file(path)
        except UserError as exc:
            self.page.say(str(exc))
            return
        self.text.setPlainText(text)
        self.save()

    def save(self) -> None:
        self.page.act(lambda: ops.set_text(self.page.ctx, self.page.current_code(), self.text.toPlainText()),
                      self.tr("已保存计划原文（%1 句）。").replace("%1", str(len(sentences(self.text.toPlainText())))))

    def link(self, what: str) -> None:
        item = self.sentences.currentItem()
        line = (self.page.indicators if what == "indicator" else self.page.tasks).current()
        if item is None or line is None:
            self.page.say(self.tr("请先选中一句原文，以及要关联的指标或任务。"))
            return
        sentence, code = item.text(), line.code
        tab = self.page.indicators if what == "indicator" else self.page.tasks
        if self.page.act(lambda: ops.link_sentence(self.page.ctx, self.page.current_code(), what, code, sentence),
                         self.tr("已把所选语句关联到 %1。").replace("%1", code)):
            tab.select(code)
            self.show_target()


class DraftSchemeDialog(SchemeDialog):
    """考核's scheme dialog on a draft plan: saved into the draft, not into the current plan."""

    def __init__(self, page, year: int, parent=None):
        self.page, self.plan_code = page, page.current_code()
        super().__init__(page.ctx, year, ops.load_scheme(page.ctx, self.plan_code, year), page.units(), parent)

    def accept(self) -> None:
        try:
            changes = ops.save_scheme(self.ctx, self.plan_code, self.year, self.document())
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.ctx.notify(changes)
        self.saved.emit()
        self.done(1)


class SchemeTab(QWidget):
    def __init__(self, page, parent=None):
        super().__init__(parent)
        self.page = page
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.document = QPlainTextEdit()
        top, (self.edit_button, self.save_button, self.reload_button) = buttons(
            self, "编辑考核方案…", "保存 JSON", "重新读取")
        top.insertWidget(0, QLabel(self.tr("年份：")))
        top.insertWidget(1, self.year)
        note = QLabel(self.tr("考核方案（JSON）：各类单位（name、units）、指标与任务的分值（indicators、tasks："
                              "指标/任务/章节代码与 points，章节“*”为全部）、报送分（reporting）和完成率封顶（cap）。"
                              "未保存时为默认方案。"))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.document, 1)
        self.year.valueChanged.connect(lambda *_: self.show_year())
        self.save_button.clicked.connect(self.save)
        self.reload_button.clicked.connect(self.show_year)
        self.edit_button.clicked.connect(self.edit)
        self.dialog: DraftSchemeDialog | None = None

    def load(self, parts: ops.Parts) -> None:
        summary = self.page.summary()
        self.year.blockSignals(True)
        self.year.setRange(summary.start_year, summary.end_year)
        self.year.blockSignals(False)
        self.document.setReadOnly(parts.published)
        self.save_button.setEnabled(not parts.published)
        self.edit_button.setEnabled(not parts.published)
        self.show_year()

    def show_year(self) -> None:
        try:
            self.document.setPlainText(ops.scheme_document(self.page.ctx, self.page.current_code(), self.year.value()))
        except UserError as exc:
            self.document.setPlainText("")
            self.page.say(str(exc))

    def edit(self) -> None:
        """The classes, units, items and points in 考核's own dialog (window-modal, not blocking)."""
        try:
            self.dialog = DraftSchemeDialog(self.page, self.year.value(), self)
        except UserError as exc:
            self.page.say(str(exc))
            return
        year = self.year.value()
        self.dialog.saved.connect(lambda: self.page.act(
            lambda: None, self.tr("已保存 %1 年的考核方案。").replace("%1", str(year))))
        self.dialog.open()

    def save(self) -> None:
        year = self.year.value()
        self.page.act(lambda: ops.save_scheme(self.page.ctx, self.page.current_code(), year,
                                              self.document.toPlainText()),
                      self.tr("已保存 %1 年的考核方案。").replace("%1", str(year)))
