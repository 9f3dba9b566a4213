"""The plan's full text, searchable, with a way to highlight a source sentence."""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QTextEdit,
                               QVBoxLayout, QWidget)

from .operations import plan_choices, plan_text


class PlanTextPage(QWidget):
    """The text of the current plan, or of an earlier one chosen above it."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.plan_choice = QComboBox()
        self.text = QTextBrowser()
        doc_font = self.text.font()
        doc_font.setPointSize(doc_font.pointSize() + 2)
        self.text.setFont(doc_font)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("在原文中查找…"))
        self.search.setClearButtonEnabled(True)
        self.find_next = QPushButton(self.tr("查找下一个"))
        self.status = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("计划：")))
        bar.addWidget(self.plan_choice)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.find_next)
        bar.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.text)
        self.search.returnPressed.connect(self.on_find)
        self.find_next.clicked.connect(self.on_find)
        self._fill_plans()
        self.plan_choice.currentIndexChanged.connect(lambda _i: self._show_text())
        self.ctx.bus.changed.connect(self._on_changes)

    def _fill_plans(self) -> None:
        self.plan_choice.blockSignals(True)
        self.plan_choice.clear()
        for code, label in plan_choices(self.ctx):
            self.plan_choice.addItem(label, code)
        self.plan_choice.blockSignals(False)
        self._show_text()

    def _on_changes(self, changes) -> None:
        if changes.plan or changes.everything:
            self._fill_plans()

    def _show_text(self) -> None:
        self.text.setPlainText(plan_text(self.ctx, self.plan_choice.currentData()))
        self.status.clear()

    def choose_plan(self, code: str | None) -> None:
        found = self.plan_choice.findData(code) if code else -1
        if found >= 0 and found != self.plan_choice.currentIndex():
            self.plan_choice.setCurrentIndex(found)

    def on_find(self) -> bool:
        needle = self.search.text().strip()
        if not needle:
            return False
        found = self.text.find(needle)
        if not found:  # wrap around once
            self.text.moveCursor(QTextCursor.Start)
            found = self.text.find(needle)
        self.status.setText("" if found else self.tr("未找到“%1”").replace("%1", needle))
        return found

    def highlight(self, sentence: str) -> bool:
        """Select ``sentence``, mark it in yellow and scroll to it."""
        cursor = self.text.document().find(sentence)
        if cursor.isNull():
            return False
        mark = QTextEdit.ExtraSelection()
        mark.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#fff2a8"))
        mark.format = fmt
        self.text.setExtraSelections([mark])
        self.text.setTextCursor(cursor)
        self.text.ensureCursorVisible()
        return True

    def selected_text(self) -> str:
        return self.text.textCursor().selectedText()
