"""The add/edit dialog of one activity record: every field is checked by the core validation and a
refused field shows its Chinese reason right below it; the dialog stays open until the save succeeds.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.errors import UserError
from kexie_desktop.services.activities import MAX_COUNT

from ..errors import show_error
from ..widgets.dialog_parts import ERROR_STYLE, error_message, hint_label, ok_cancel
from .operations import ActivityForm, LedgerRow, LedgerSetup



class ActivityDialog(QDialog):
    """``check(form) -> {field: reason}`` validates; ``submit(form) -> uid`` saves (may raise UserError)."""

    saved = Signal(str)  # the uid of the record just written

    def __init__(
        self,
        setup: LedgerSetup,
        check: Callable[[ActivityForm], dict[str, str]],
        submit: Callable[[ActivityForm], str],
        row: LedgerRow | None = None,
        *,
        default_type: str | None = None,
        default_date: dt.date | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setup, self.check, self.submit, self.row = setup, check, submit, row
        self.setWindowTitle(self.tr("编辑活动记录") if row else self.tr("新增活动记录"))
        self._build()
        self._fill(row, default_type, default_date)
        self.setMinimumWidth(560)

    def _build(self) -> None:
        self.type_combo = QComboBox()
        self.type_combo.setPlaceholderText(self.tr("请选择活动类型…"))
        for choice in self.setup.types:
            self.type_combo.addItem(choice.name, choice.code)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        first, last = self.setup.first_day, self.setup.last_day
        self.date_edit.setDateRange(QDate(first.year, first.month, first.day), QDate(last.year, last.month, last.day))
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("例如：科技工作者日学术报告会"))
        self.place_edit = QLineEdit()
        self.participants_spin = self._spin(self.tr(" 人"))
        self.audience_spin = self._spin(self.tr(" 人次"))
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.fields: dict[str, QWidget] = {
            "type": self.type_combo, "date": self.date_edit, "title": self.title_edit, "place": self.place_edit,
            "participants": self.participants_spin, "audience": self.audience_spin, "note": self.note_edit,
        }
        labels = {
            "type": self.tr("活动类型*："), "date": self.tr("日期*："), "title": self.tr("活动名称*："),
            "place": self.tr("地点："), "participants": self.tr("参与人数："), "audience": self.tr("受众人次："),
            "note": self.tr("备注："),
        }
        self.form_layout = QFormLayout()
        self.errors: dict[str, QLabel] = {}
        for field, widget in self.fields.items():
            self.form_layout.addRow(labels[field], widget)
            error = QLabel()
            error.setObjectName(f"error_{field}")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            self.errors[field] = error
            self.form_layout.addRow("", error)
            self.form_layout.setRowVisible(error, False)
        hint = hint_label(self.tr("带 * 的为必填项。日期须在计划期（%1—%2年）内。")
                      .replace("%1", str(self.setup.start_year)).replace("%2", str(self.setup.end_year)))
        self.message = error_message()
        self.buttons, self.ok_button = ok_cancel(self, self.tr("保存"))
        layout = QVBoxLayout(self)
        layout.addLayout(self.form_layout)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._clear_on_change()

    def _spin(self, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, MAX_COUNT)
        spin.setSuffix(suffix)
        spin.setGroupSeparatorShown(False)
        spin.setMinimumWidth(140)
        return spin

    def _clear_on_change(self) -> None:
        self.type_combo.currentIndexChanged.connect(lambda: self.set_error("type", ""))
        self.date_edit.dateChanged.connect(lambda: self.set_error("date", ""))
        self.title_edit.textChanged.connect(lambda: self.set_error("title", ""))
        self.place_edit.textChanged.connect(lambda: self.set_error("place", ""))
        self.participants_spin.valueChanged.connect(lambda: self.set_error("participants", ""))
        self.audience_spin.valueChanged.connect(lambda: self.set_error("audience", ""))
        self.note_edit.textChanged.connect(lambda: self.set_error("note", ""))

    def _fill(self, row: LedgerRow | None, default_type: str | None, default_date: dt.date | None) -> None:
        if row is None:
            self.type_combo.setCurrentIndex(self.type_combo.findData(default_type) if default_type else -1)
            day = default_date or min(dt.date.today(), self.setup.last_day)
            self.date_edit.setDate(QDate(day.year, day.month, day.day))
            return
        self.type_combo.setCurrentIndex(self.type_combo.findData(row.type_code))
        self.date_edit.setDate(QDate(row.date.year, row.date.month, row.date.day))
        self.title_edit.setText(row.title)
        self.place_edit.setText(row.place)
        self.participants_spin.setValue(row.participants)
        self.audience_spin.setValue(row.audience)
        self.note_edit.setPlainText(row.note)

    # --- reading, checking, saving ----------------------------------------------------------------
    def form(self) -> ActivityForm:
        day = self.date_edit.date()
        return ActivityForm(
            type_code=self.type_combo.currentData() if self.type_combo.currentIndex() >= 0 else None,
            date=dt.date(day.year(), day.month(), day.day()),
            title=self.title_edit.text(),
            place=self.place_edit.text(),
            participants=self.participants_spin.value(),
            audience=self.audience_spin.value(),
            note=self.note_edit.toPlainText(),
        )

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
            self.message.setText(self.tr("有 %1 项需要修改，请按红字提示更正后再保存。").replace("%1", str(len(errors))))
            self.message.show()
            self.fields[next(f for f in self.fields if f in errors)].setFocus()
        else:
            self.message.hide()

    def accept(self) -> None:
        form = self.form()
        errors = self.check(form)
        self.show_errors(errors)
        if errors:
            return
        try:
            uid = self.submit(form)
        except UserError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        except Exception as exc:  # noqa: BLE001 - logged and shown; the dialog keeps what was typed
            show_error(self, self.tr("保存失败"), exc)
            return
        self.saved.emit(uid)
        super().accept()
