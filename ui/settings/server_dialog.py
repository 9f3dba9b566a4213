"""设置 → 数据库 → 连接服务器数据库 (issue 18): host, port, database, user, password; 测试连接 in a worker
(the window never freezes while a server is slow to answer); 建立数据表 on an empty database; saving the
profile for the next start. And the small password prompt at start when this PC has no keyring."""

from __future__ import annotations

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from kexie_desktop import server_profile
from kexie_desktop.errors import UserError
from kexie_desktop.server_profile import DEFAULT_PORT, ConnectionCheck, ServerProfile
from kexie_desktop.storage_errors import describe

from ..errors import log_exception
from ..widgets.dialog_parts import ERROR_STYLE, hint_label, ok_cancel
from ..worker import Task
from . import operations

OK_STYLE = "color: #1b5e20; font-weight: bold;"
NOTICE_STYLE = "color: #7a5b00;"  # an empty database: nothing wrong, one step to take


class ServerDialog(QDialog):
    """``saved`` is the profile kept after 保存 (None until then), ``in_keyring`` where the password went."""

    def __init__(self, settings, current: ServerProfile | None = None, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.saved: ServerProfile | None = None
        self.in_keyring = False
        self.busy = False
        self.last: ConnectionCheck | None = None
        self._tested: tuple | None = None  # the field values the last successful test was made with
        self._task: Task | None = None
        self.setWindowTitle(self.tr("连接服务器数据库"))
        self.host, self.database, self.user, self.password = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setMaximumWidth(120)
        self.database.setText("kexie")
        self.password.setEchoMode(QLineEdit.Password)
        self.host.setPlaceholderText(self.tr("服务器的名称或地址，例如 192.168.1.10"))
        if current is not None:
            self.host.setText(current.host)
            self.port.setValue(current.port)
            self.database.setText(current.database)
            self.user.setText(current.user)
        self.test_button = QPushButton(self.tr("测试连接"))
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # an indeterminate bar while the worker waits for the server
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.create_button = QPushButton(self.tr("建立数据表…"))
        self.create_button.hide()
        self._build_layout()
        self.test_button.clicked.connect(self.test)
        self.create_button.clicked.connect(self.create_schema)
        for edit in (self.host, self.database, self.user, self.password):
            edit.textChanged.connect(self._fields_changed)
        self.port.valueChanged.connect(self._fields_changed)
        self._fields_changed()

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("主机："), self.host)
        form.addRow(self.tr("端口："), self.port)
        form.addRow(self.tr("数据库："), self.database)
        form.addRow(self.tr("用户："), self.user)
        form.addRow(self.tr("密码："), self.password)
        keyring = server_profile.keyring_usable()
        self.password_note = hint_label(
            self.tr("密码保存在本机系统的凭据管理器中，不以明文保存。") if keyring else
            self.tr("本机没有可用的系统凭据管理器：密码不保存，每次启动程序时询问。"))
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.busy_bar)
        test_row.addWidget(self.create_button)
        test_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(self.tr(
            "市科协几位同事共用一个 PostgreSQL 服务器数据库时使用（县区科协不需要）。保存后，本机下次启动时"
            "打开这个服务器数据库，而不是本机的数据库文件；可随时在设置中改回本机数据库。")))
        layout.addLayout(form)
        layout.addWidget(self.password_note)
        layout.addLayout(test_row)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        buttons, self.save_button = ok_cancel(self, self.tr("保存，下次启动时使用"))
        self.cancel_button = buttons.button(buttons.StandardButton.Cancel)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def profile(self) -> ServerProfile:
        needs = self.last.needs_password if self.last is not None else True
        return ServerProfile(self.host.text(), self.port.value(), self.database.text(), self.user.text(), needs)

    def _values(self) -> tuple:
        return (self.host.text().strip(), self.port.value(), self.database.text().strip(), self.user.text().strip(),
                self.password.text())

    def _fields_changed(self) -> None:
        self.save_button.setEnabled(not self.busy and self._tested == self._values())
        if self._tested is not None and self._tested != self._values():
            self._tested = None
            self._show("", "")
            self.create_button.hide()

    def _show(self, text: str, style: str) -> None:
        self.outcome.setText(text)
        self.outcome.setStyleSheet(style)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self.busy_bar.setVisible(busy)
        for widget in (self.test_button, self.create_button, self.cancel_button, self.host, self.port, self.database, self.user,
                       self.password):
            widget.setEnabled(not busy)
        self.save_button.setEnabled(not busy and self._tested == self._values())
        if busy:
            self._show(text, "")

    def _run(self, label: str, fn, on_done) -> None:
        """``fn()`` in the thread pool; the dialog stays responsive and shows the bar meanwhile."""
        try:
            self.profile().checked()
        except UserError as exc:
            self._show(str(exc), ERROR_STYLE)
            return
        self._set_busy(True, label)
        task = Task(lambda _progress: fn())
        task.setAutoDelete(False)
        task.signals.finished.connect(lambda result: (self._set_busy(False), on_done(result)))
        task.signals.failed.connect(self._failed)
        self._task = task  # the signals must outlive run()
        QThreadPool.globalInstance().start(task)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        mapped = describe(exc)
        if mapped is None:
            log_exception("测试连接", exc)
        self._show(str(mapped) if mapped is not None else
                   self.tr("测试连接没有完成：程序内部出错（%1），详情见日志文件。").replace("%1", type(exc).__name__),
                   ERROR_STYLE)

    def test(self) -> None:
        profile, password = self.profile(), self.password.text()
        values = self._values()
        self._tested = None
        self.create_button.hide()
        self._run(self.tr("正在连接服务器…"), lambda: operations.check_server(profile, password),
                  lambda check: self._tested_with(check, values))

    def _tested_with(self, check: ConnectionCheck, values: tuple) -> None:
        self.last = check
        self._show(check.message, OK_STYLE if check.ok else NOTICE_STYLE if check.kind == "empty" else ERROR_STYLE)
        self.create_button.setVisible(check.kind == "empty")
        self._tested = values if check.ok and values == self._values() else None
        self.save_button.setEnabled(self._tested is not None)

    def create_schema(self) -> None:
        answer = QMessageBox.question(
            self, self.tr("建立数据表"),
            self.tr("在服务器数据库“%1”中建立本程序的数据表并载入内置计划（即「数据库升级」）。\n"
                    "这个数据库现在是空的，别的数据不受影响。继续吗？").replace("%1", self.database.text().strip()))
        if answer != QMessageBox.Yes:
            return
        profile, password = self.profile(), self.password.text()
        self._run(self.tr("正在建立数据表…"), lambda: operations.create_server_schema(profile, password),
                  lambda _result: self.test())

    def accept(self) -> None:
        if self._tested != self._values():
            self._show(self.tr("请先测试连接，连接成功后才能保存。"), ERROR_STYLE)
            return
        profile = self.profile().checked()
        self.in_keyring = operations.save_server(self.settings, profile, self.password.text())
        self.saved = profile
        super().accept()

    def reject(self) -> None:
        if self.busy:  # the worker still talks to the server; its answer would land on a closed dialog
            return
        super().reject()


class StartPasswordDialog(QDialog):
    """At start: the server database's password, when this PC keeps none (no usable keyring)."""

    def __init__(self, profile: ServerProfile, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("连接服务器数据库"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        form = QFormLayout()
        form.addRow(self.tr("密码："), self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(
            self.tr("请输入用户 %1 在服务器 %2 上的密码（本机不保存密码）。").replace("%1", profile.user)
            .replace("%2", f"{profile.host}:{profile.port}/{profile.database}")))
        layout.addLayout(form)
        buttons, self.ok_button = ok_cancel(self, self.tr("连接"))
        layout.addWidget(buttons)
        self.setMinimumWidth(420)


def ask_start_password(profile: ServerProfile) -> str | None:
    dialog = StartPasswordDialog(profile)
    return dialog.password.text() if dialog.exec() == QDialog.Accepted else None
