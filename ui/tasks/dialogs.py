"""The 工作清单 dialogs: a new milestone, a milestone done, a progress note with evidence files.

Each calls ``submit`` (the operations layer: one transaction through the core service) and stays open
with the core's Chinese reason in its red line until the save succeeds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.errors import UserError
from kexie_desktop.services.tasks import MAX_EVIDENCE_BYTES

from ..errors import show_error
from ..widgets import file_dialogs
from ..widgets.dialog_parts import error_message, hint_label, ok_cancel
from .operations import size_text

EVIDENCE_FILTER = "照片或 PDF (*.png *.jpg *.jpeg *.pdf);;所有文件 (*)"


def date_edit(value: dt.date) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDateRange(QDate(2000, 1, 1), QDate(2099, 12, 31))
    edit.setDate(QDate(value.year, value.month, value.day))
    return edit


def date_of(edit: QDateEdit) -> dt.date:
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())


class _SubmitDialog(QDialog):
    """The shared ending: submit, a UserError in the red line, anything else through show_error."""

    def __init__(self, title: str, submit: Callable, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit = submit
        self.message = error_message()
        self.buttons, self.ok_button = ok_cancel(self, self.tr("保存"))
        self.setMinimumWidth(480)

    def values(self) -> tuple:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.submit(*self.values())
        except UserError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        except Exception as exc:  # noqa: BLE001 - logged and shown; the dialog keeps what was typed
            show_error(self, self.tr("保存失败"), exc)
            return
        super().accept()


class MilestoneDialog(_SubmitDialog):
    """``submit(title, due)``."""

    def __init__(self, task_label: str, default_due: dt.date, submit: Callable, parent: QWidget | None = None):
        super().__init__(self.tr("添加节点"), submit, parent)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("例如：印发实施方案"))
        self.due_edit = date_edit(default_due)
        form = QFormLayout()
        form.addRow(self.tr("任务："), QLabel(task_label))
        form.addRow(self.tr("节点名称*："), self.title_edit)
        form.addRow(self.tr("节点期限*："), self.due_edit)
        self.title_edit.textChanged.connect(lambda: self.message.hide())
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint_label(self.tr("节点过了期限仍未完成，任务即为“滞后”。")))
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def values(self) -> tuple:
        return self.title_edit.text(), date_of(self.due_edit)


class CompleteDialog(_SubmitDialog):
    """``submit(done)``."""

    def __init__(self, milestone_label: str, default_done: dt.date, submit: Callable, parent: QWidget | None = None):
        super().__init__(self.tr("标为完成"), submit, parent)
        self.done_edit = date_edit(default_done)
        form = QFormLayout()
        form.addRow(self.tr("节点："), QLabel(milestone_label))
        form.addRow(self.tr("完成日期*："), self.done_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def values(self) -> tuple:
        return (date_of(self.done_edit),)


class NoteDialog(_SubmitDialog):
    """``submit(date, text, files)``; files are chosen with the file dialog and checked by the core."""

    def __init__(self, task_label: str, default_date: dt.date, settings: QSettings, submit: Callable,
                 parent: QWidget | None = None):
        super().__init__(self.tr("记录进展"), submit, parent)
        self.settings = settings
        self.files: list[str] = []
        self.date_edit = date_edit(default_date)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setPlaceholderText(self.tr("做了什么、有什么结果"))
        self.text_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.file_list = QListWidget()
        self.file_list.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.add_file_button = QPushButton(self.tr("添加文件…"))
        self.remove_file_button = QPushButton(self.tr("移除"))
        self.remove_file_button.setEnabled(False)
        files = QHBoxLayout()
        files.addWidget(self.file_list, 1)
        side = QVBoxLayout()
        side.addWidget(self.add_file_button)
        side.addWidget(self.remove_file_button)
        side.addStretch(1)
        files.addLayout(side)
        form = QFormLayout()
        form.addRow(self.tr("任务："), QLabel(task_label))
        form.addRow(self.tr("日期*："), self.date_edit)
        form.addRow(self.tr("进展说明*："), self.text_edit)
        form.addRow(self.tr("证据文件："), files)
        hint = hint_label(self.tr("证据可附照片（PNG、JPEG）或 PDF，每个不超过 %1 MB；按文件内容判断类型，程序不会打开或运行它。")
                          .replace("%1", str(MAX_EVIDENCE_BYTES // (1024 * 1024))))
        self.add_file_button.clicked.connect(self.choose_files)
        self.remove_file_button.clicked.connect(self.remove_file)
        self.file_list.currentRowChanged.connect(lambda r: self.remove_file_button.setEnabled(r >= 0))
        self.text_edit.textChanged.connect(lambda: self.message.hide())
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def choose_files(self) -> None:
        for path in file_dialogs.open_files(self, self.settings, self.tr("选择证据文件"), self.tr(EVIDENCE_FILTER)):
            if path not in self.files:
                self.files.append(path)
                p = Path(path)
                size = size_text(p.stat().st_size) if p.is_file() else "?"
                self.file_list.addItem(f"{p.name}（{size}）")
        self.message.hide()

    def remove_file(self) -> None:
        row = self.file_list.currentRow()
        if row >= 0:
            self.files.pop(row)
            self.file_list.takeItem(row)
            self.message.hide()

    def values(self) -> tuple:
        return date_of(self.date_edit), self.text_edit.toPlainText(), list(self.files)
