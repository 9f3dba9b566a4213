"""修改目标: the dialog that changes one office's target of one indicator.

What the user types is checked by the core (``targets.target_field_errors``); a refused field shows
its Chinese reason right below it and the dialog stays open until the save succeeds.
"""

from __future__ import annotations

import html
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.display import number as number_text
from kexie_desktop.errors import UserError

from ..errors import show_error
from ..widgets.dialog_parts import ERROR_STYLE, error_message, hint_label, ok_cancel
from .operations import TargetRow



class TargetDialog(QDialog):
    """``check(value, max) -> {field: reason}`` validates; ``submit(value, max)`` saves (may raise UserError).

    ``max`` is the upper bound of a range target and None for every other kind.
    """

    def __init__(
        self,
        row: TargetRow,
        office_name: str,
        check: Callable[[str, str | None], dict[str, str]],
        submit: Callable[[str, str | None], object],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.row, self.check, self.submit = row, check, submit
        self.ranged = row.kind == "range"
        self.setWindowTitle(self.tr("修改目标"))
        self._build(office_name)
        self.setMinimumWidth(560)

    def _build(self, office_name: str) -> None:
        self._build_form(office_name)
        source = QLabel(self._source_html())
        source.setWordWrap(True)
        source.setTextFormat(Qt.RichText)
        source.setStyleSheet("color: #444;")
        hint = hint_label(self._hint())
        self.message = error_message()
        self.buttons, self.ok_button = ok_cancel(self, self.tr("保存"))
        layout = QVBoxLayout(self)
        layout.addLayout(self.form_layout)
        layout.addWidget(source)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.value_edit.setFocus()
        self.value_edit.selectAll()

    def _build_form(self, office_name: str) -> None:
        """What is being changed, then one field per number (下限 and 上限 for a range), each with its reason."""
        row = self.row
        self.form_layout = QFormLayout()
        self.form_layout.addRow(self.tr("单位："), QLabel(office_name))
        self.form_layout.addRow(self.tr("指标："), QLabel(f"{row.code}　{row.name}"))
        self.form_layout.addRow(self.tr("期限："), QLabel(row.scope_text + "（" + row.kind_label + "）"))
        self.form_layout.addRow(self.tr("现在的目标："), QLabel(row.text))
        self.value_edit = self._edit(number_text(row.min_value if self.ranged and row.min_value is not None
                                                 else row.value))
        self.max_edit = self._edit(number_text(row.max_value)) if self.ranged else None
        self.fields: dict[str, QLineEdit] = {"value": self.value_edit}
        labels = {"value": self.tr("下限*：") if self.ranged else self.tr("目标值*：")}
        if self.max_edit is not None:
            self.fields["max"] = self.max_edit
            labels["max"] = self.tr("上限*：")
        self.errors: dict[str, QLabel] = {}
        for field, edit in self.fields.items():
            self.form_layout.addRow(labels[field], self._with_unit(edit))
            error = QLabel()
            error.setObjectName(f"error_{field}")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            self.errors[field] = error
            self.form_layout.addRow("", error)
            self.form_layout.setRowVisible(error, False)
            edit.textChanged.connect(lambda _text, f=field: self.set_error(f, ""))

    def _edit(self, text: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setMaximumWidth(180)
        return edit

    def _with_unit(self, edit: QLineEdit) -> QWidget:
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(edit)
        line.addWidget(QLabel(self.row.unit))
        line.addStretch(1)
        return box

    def _source_html(self) -> str:
        e = html.escape
        phrase = e(self.row.phrase)
        sentence = e(self.row.sources[0]).replace(phrase, f"<b>{phrase}</b>") if self.row.sources else ""
        return self.tr("计划原文：") + f"“{sentence}。”"

    def _hint(self) -> str:
        parts = [self.tr("带 * 的为必填项。")]
        if self.row.integer_valued:
            parts.append(self.tr("以“%1”计，只能填整数。").replace("%1", self.row.unit))
        if self.ranged:
            parts.append(self.tr("区间目标：下限不能大于上限，达到下限即完成。"))
        if self.row.kind == "coverage":
            parts.append(self.tr("全覆盖即 100。"))
        return "".join(parts)

    # --- reading, checking, saving ----------------------------------------------------------------
    def values(self) -> tuple[str, str | None]:
        return self.value_edit.text(), self.max_edit.text() if self.max_edit is not None else None

    def set_error(self, field: str, text: str) -> None:
        label = self.errors[field]
        label.setText(text)
        self.form_layout.setRowVisible(label, bool(text))
        if not text and not any(self.error_text(f) for f in self.fields):
            self.message.hide()  # the last field in error was corrected: the summary goes too

    def error_text(self, field: str) -> str:
        """The reason shown below ``field`` ('' when none is shown)."""
        return self.errors[field].text() if self.form_layout.isRowVisible(self.errors[field]) else ""

    def show_errors(self, errors: dict[str, str]) -> None:
        for field in self.fields:
            self.set_error(field, errors.get(field, ""))
        if errors:
            self.message.setText(self.tr("目标没有保存：请按红字提示更正。"))
            self.message.show()
            edit = self.fields[next(f for f in self.fields if f in errors)]
            edit.setFocus()
            edit.selectAll()
        else:
            self.message.hide()

    def accept(self) -> None:
        value, upper = self.values()
        errors = self.check(value, upper)
        self.show_errors(errors)
        if errors:
            return
        try:
            self.submit(value, upper)
        except UserError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        except Exception as exc:  # noqa: BLE001 - logged and shown; the dialog keeps what was typed
            show_error(self, self.tr("保存失败"), exc)
            return
        super().accept()
