"""Pieces every validating dialog shares: the grey hint, the red message, 保存/取消 buttons."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QWidget

ERROR_STYLE = "color: #b00020;"


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


def error_message() -> QLabel:
    """The dialog-wide error line, hidden until there is something to say."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
    label.hide()
    return label


def ok_cancel(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, object]:
    buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    ok_button = buttons.button(QDialogButtonBox.Ok)
    ok_button.setText(ok_text)
    buttons.button(QDialogButtonBox.Cancel).setText(QCoreApplication.translate("Dialog", "取消"))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok_button


def filter_bar(fields: tuple[tuple[str, QWidget], ...], buttons: tuple[QWidget, ...] = ()) -> QHBoxLayout:
    """A page's top bar: labelled choices (单位、年度、截至 …) on the left, its buttons on the right."""
    bar = QHBoxLayout()
    for label, widget in fields:
        bar.addWidget(QLabel(label))
        bar.addWidget(widget)
        bar.addSpacing(8)
    bar.addStretch(1)
    for button in buttons:
        bar.addWidget(button)
    return bar
