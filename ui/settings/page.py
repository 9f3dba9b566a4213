"""设置: the people on package covers, status thresholds (city), where the data lives and which database\nthe next start opens (连接服务器数据库 / 改回本机数据库)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.errors import StaleEdit
from kexie_desktop.paths import data_dir

from .. import installation
from ..context import AppContext
from ..errors import log_path, show_error
from . import operations
from .password_dialog import PasswordDialog
from .server_dialog import ServerDialog


class SettingsPage(QWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.office = QLabel()
        self.filler = QLineEdit()
        self.reviewer = QLineEdit()
        self.phone = QLineEdit()
        self.same_person = QLabel(self.tr("一人兼任，审核记录会注明"))
        self.same_person.setStyleSheet("color: #7a5b00;")
        self.password_state = QLabel()
        self.password_button = QPushButton()
        self.remove_password_button = QPushButton(self.tr("取消密码…"))
        self.password_message = QLabel()
        self.behind = QDoubleSpinBox()
        self.serious = QDoubleSpinBox()
        for box in (self.behind, self.serious):
            box.setRange(0.5, 100)
            box.setDecimals(1)
            box.setSuffix(self.tr(" 个百分点"))
            box.setMaximumWidth(180)
        self.threshold_note = QLabel()
        self.save_button = QPushButton(self.tr("保存设置"))
        self.message = QLabel()
        self.db_path = QLabel(ctx.db.location)
        self.sessions = QLabel()  # a server database: who else is connected (refreshed by reload)
        self.sessions.setWordWrap(True)
        self.log_path = QLabel(str(log_path()))
        for label in (self.db_path, self.log_path):
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.open_folder = QPushButton(self.tr("打开数据文件夹"))
        self.server_button = QPushButton(self.tr("连接服务器数据库…"))
        self.local_button = QPushButton(self.tr("改回本机数据库"))
        self.next_start = QLabel()  # which database the next start opens, when it differs
        self.next_start.setWordWrap(True)
        self._build_layout()
        self.server_button.clicked.connect(self.connect_server)
        self.local_button.clicked.connect(self.back_to_local)
        self.save_button.clicked.connect(self.save)
        self.open_folder.clicked.connect(self._open_folder)
        self.password_button.clicked.connect(lambda: self.change_password(remove=False))
        self.remove_password_button.clicked.connect(lambda: self.change_password(remove=True))
        self.filler.textChanged.connect(self._show_same_person)
        self.reviewer.textChanged.connect(self._show_same_person)
        self.reload()

    def _build_layout(self) -> None:
        self.people = people = QGroupBox()
        form = QFormLayout(people)
        form.addRow(self.tr("本机单位："), self.office)
        form.addRow(self.tr("填报人："), self.filler)
        form.addRow(self.tr("审核人："), self.reviewer)
        form.addRow("", self.same_person)
        form.addRow(self.tr("联系电话："), self.phone)
        status = QGroupBox(self.tr("进度状态阈值（低于时序进度多少个百分点）"))
        sform = QFormLayout(status)
        sform.addRow(self.tr("略有滞后：超过"), self.behind)
        sform.addRow(self.tr("严重滞后：超过"), self.serious)
        sform.addRow(self.threshold_note)
        review = QGroupBox(self.tr("审核密码（审核通过时须输入）"))
        rrow = QHBoxLayout(review)
        rrow.addWidget(self.password_state)
        rrow.addWidget(self.password_button)
        rrow.addWidget(self.remove_password_button)
        rrow.addWidget(self.password_message, 1)
        data = QGroupBox(self.tr("数据存放位置"))
        dform = QFormLayout(data)
        if self.ctx.db.on_server:
            dform.addRow(self.tr("服务器数据库："), self.db_path)
            dform.addRow(self.tr("正在连接的电脑："), self.sessions)
        else:
            dform.addRow(self.tr("数据库文件："), self.db_path)
        dform.addRow(self.tr("日志文件："), self.log_path)
        self.open_folder.setMaximumWidth(180)
        dform.addRow(self.open_folder)
        server_row = QHBoxLayout()
        server_row.addWidget(self.server_button)
        server_row.addWidget(self.local_button)
        server_row.addStretch(1)
        dform.addRow(self.tr("数据库："), server_row)
        dform.addRow("", self.next_start)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        for box in (people, status, review, data):
            box.setMaximumWidth(900)
            layout.addWidget(box)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def reload(self) -> None:
        here = installation.load_installation(self.ctx)
        self.is_city = bool(here.office and here.office.is_city)
        self.people.setTitle(self.tr("本机单位与填报人（印在下发包和初始化包的封面）") if self.is_city
                             else self.tr("本机单位与填报人（印在上报包封面）"))
        self.office.setText(here.office.name if here.office else self.tr("未设定"))
        self.filler.setText(here.filler)
        self.reviewer.setText(here.reviewer)
        self.phone.setText(here.phone)
        self._show_same_person()
        self._show_password_state()
        thresholds = operations.load_thresholds(self.ctx)
        self.versions = operations.load_versions(self.ctx)  # what a save checks (issue 18)
        self.behind.setValue(thresholds.behind)
        self.serious.setValue(thresholds.serious)
        for box in (self.behind, self.serious):
            box.setEnabled(self.is_city)
        if self.ctx.db.on_server:
            others = operations.connected_computers(self.ctx)
            self.sessions.setText("；".join(others) if others else self.tr("只有本机"))
        self._show_next_start()
        self.threshold_note.setText(
            self.tr("市科协设定的阈值会随下发包发给各县区。") if self.is_city else self.tr("阈值由市科协设定，本机不能修改。")
        )

    def save(self) -> bool:
        thresholds = operations.Thresholds(self.behind.value(), self.serious.value()) if self.is_city else None
        try:
            operations.save_settings(self.ctx, self.filler.text(), self.reviewer.text(), self.phone.text(), thresholds,
                                     self.versions)
        except StaleEdit as exc:  # changed on another PC: nothing saved, show what is saved now
            show_error(self, self.tr("保存设置失败"), exc)
            self.reload()
            return False
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("保存设置失败"), exc)
            return False
        self.versions = operations.load_versions(self.ctx)  # the next save checks against this one
        self.message.setText(self.tr("设置已保存。"))
        return True

    def _show_same_person(self) -> None:
        filler, reviewer = self.filler.text().strip(), self.reviewer.text().strip()
        self.same_person.setVisible(bool(filler) and filler == reviewer)

    def _show_password_state(self) -> None:
        has = operations.has_review_password(self.ctx)
        self.password_state.setText(self.tr("已设置审核密码。") if has else self.tr("未设置审核密码。"))
        self.password_button.setText(self.tr("修改密码…") if has else self.tr("设置密码…"))
        self.remove_password_button.setEnabled(has)

    def password_dialog(self, remove: bool) -> PasswordDialog:
        has = operations.has_review_password(self.ctx)
        return PasswordDialog(has, lambda new, old: operations.set_review_password(self.ctx, new, old),
                              remove=remove, parent=self)

    def change_password(self, remove: bool = False) -> None:
        had = operations.has_review_password(self.ctx)
        if self.password_dialog(remove).exec() != QDialog.Accepted:
            return
        self._show_password_state()
        if remove:
            self.password_message.setText(self.tr("审核密码已取消。"))
        else:
            self.password_message.setText(self.tr("审核密码已修改。") if had else self.tr("审核密码已设置。"))

    def _show_next_start(self, text: str = "") -> None:
        saved = operations.saved_server(self.ctx.settings)
        self.local_button.setEnabled(saved is not None)
        if not text and saved is not None:
            text = self.tr("本机启动时连接服务器数据库 %1。").replace("%1", saved.key)
        self.next_start.setText(text)

    def server_dialog(self) -> ServerDialog:
        return ServerDialog(self.ctx.settings, operations.saved_server(self.ctx.settings), parent=self)

    def connect_server(self) -> None:
        dialog = self.server_dialog()
        if dialog.exec() != QDialog.Accepted or dialog.saved is None:
            return
        where = (self.tr("密码保存在系统凭据管理器中。") if dialog.in_keyring else
                 self.tr("密码不保存，启动时询问。") if dialog.saved.needs_password else "")
        self._show_next_start(self.tr("已保存：下次启动时连接服务器数据库 %1。%2重新启动程序后生效。")
                              .replace("%1", dialog.saved.key).replace("%2", where))

    def back_to_local(self) -> None:
        if QMessageBox.question(self, self.tr("改回本机数据库"), self.tr(
                "下次启动时不再连接服务器数据库，改为打开本机的数据库文件（服务器上的数据不受影响）。继续吗？")) \
                != QMessageBox.Yes:
            return
        operations.forget_server(self.ctx.settings)
        self._show_next_start(self.tr("已改回：下次启动时打开本机的数据库文件。重新启动程序后生效。"))

    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(data_dir())))
