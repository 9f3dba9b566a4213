"""The reviewer's password (审核密码): set, change (the old one asked) or remove; the core checks it."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QVBoxLayout

from kexie_desktop.errors import UserError

from ..widgets.dialog_parts import error_message, hint_label, ok_cancel


class PasswordDialog(QDialog):
    """``submit(new, old)`` saves (raises UserError on a wrong old password); ``remove`` asks no new one."""

    def __init__(self, has_password: bool, submit: Callable[[str, str | None], None], *, remove: bool = False,
                 parent=None):
        super().__init__(parent)
        self.submit, self.remove = submit, remove
        title = self.tr("取消审核密码") if remove else (self.tr("修改审核密码") if has_password else self.tr("设置审核密码"))
        self.setWindowTitle(title)
        self.old, self.new, self.repeat = QLineEdit(), QLineEdit(), QLineEdit()
        for edit in (self.old, self.new, self.repeat):
            edit.setEchoMode(QLineEdit.Password)
        form = QFormLayout()
        if has_password:
            form.addRow(self.tr("原密码："), self.old)
        if not remove:
            form.addRow(self.tr("新密码："), self.new)
            form.addRow(self.tr("再输一遍："), self.repeat)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(
            self.tr("取消后，审核通过不再要求输入密码。") if remove else
            self.tr("设了审核密码，“审核通过”时须输入它（至少 4 个字符），以免别人代替审核人审核。")))
        layout.addLayout(form)
        self.message = error_message()
        layout.addWidget(self.message)
        buttons, self.ok_button = ok_cancel(self, title)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _refuse(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def accept(self) -> None:
        new = "" if self.remove else self.new.text()
        if not self.remove and not new:
            self._refuse(self.tr("请输入新密码。"))
            return
        if not self.remove and new != self.repeat.text():
            self._refuse(self.tr("两次输入的新密码不一样，请重新输入。"))
            return
        try:
            self.submit(new, self.old.text() or None)
        except UserError as exc:  # wrong old password, too short: the dialog keeps what was typed
            self._refuse(str(exc))
            return
        super().accept()
