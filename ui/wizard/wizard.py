"""First start: choose this installation's office, the people, and whether to load demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from .. import installation
from ..errors import show_error
from ..context import AppContext
from ..widgets import file_dialogs
from . import operations


class OfficePage(QWizardPage):
    """The office, chosen from the list or taken from the city's init package. The package is checked
    here (activation code and signature) but imported only at 完成, so 取消 leaves nothing behind."""

    def __init__(self, ctx: AppContext, choices: list[installation.OfficeChoice], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.cities = {c.code for c in choices if c.is_city}
        self.pending: tuple[str, str] | None = None  # (file, activation code) of a checked init package
        self.setTitle(self.tr("本机属于哪个单位？"))
        self.setSubTitle(self.tr("市科协负责汇总、排名和下发目标；县区科协负责填报和上报。以后可在“设置”中查看。"))
        self.combo = QComboBox()
        for choice in choices:
            role = self.tr("（市级：汇总与下发）") if choice.is_city else self.tr("（县区：填报与上报）")
            self.combo.addItem(f"{choice.name} {choice.code} {role}", choice.code)
        self.combo.setCurrentIndex(-1)
        self.combo.setPlaceholderText(self.tr("请选择单位…"))
        self.combo.currentIndexChanged.connect(self.completeChanged)
        self.combo.currentIndexChanged.connect(self._show_skip_cost)
        self.load_button = QPushButton(self.tr("载入市科协发来的初始化包…"))
        self.load_button.clicked.connect(self.load_init_package)
        self.loaded = QLabel()
        self.loaded.setWordWrap(True)
        self.skip_cost = QLabel(self.tr(
            "没有载入初始化包：本机暂时没有本单位的目标（总览中显示“未设目标”），也没有上报签名密钥，还不能导出上报包。"
            "以后收到市科协发来的初始化包和激活码时，在“数据交换”页点“选择文件导入…”导入即可。"))
        self.skip_cost.setWordWrap(True)
        self.skip_cost.setStyleSheet("color: #9a4a00;")
        self.skip_cost.hide()
        layout = QFormLayout(self)
        layout.addRow(self.tr("本机单位："), self.combo)
        layout.addRow(QLabel(self.tr("县区新安装时，推荐载入市科协发来的初始化包（含本单位的目标和签名密钥）：")))
        layout.addRow(self.load_button)
        layout.addRow(self.loaded)
        layout.addRow(self.skip_cost)

    def _show_skip_cost(self) -> None:
        code = self.combo.currentData()
        self.skip_cost.setVisible(code is not None and code not in self.cities and self.pending is None)

    def load_init_package(self) -> None:
        path = file_dialogs.open_file(self, self.ctx.settings, self.tr("选择初始化包"), "Excel 数据包 (*.xlsx)")
        if not path:
            return
        prompt = self.tr("请输入市科协电话告知的激活码：")
        while True:  # a mistyped code is asked again; 取消 stops
            code, ok = QInputDialog.getText(self, self.tr("激活码"), prompt)
            if not ok:
                return
            preview = self._check(path, code.strip())
            if preview.status == "ready":
                break
            if "激活码" not in preview.message:  # not a matter of the code: the file itself is refused
                QMessageBox.warning(self, self.tr("初始化包不能载入"), preview.message)
                return
            prompt = self.tr("激活码不对（%1）。请核对市科协告知的激活码，重新输入：").replace(
                "%1", self.tr("没有输入") if not code.strip() else code.strip())
        self.pending = (path, code.strip())
        m = preview.manifest
        self.combo.setCurrentIndex(self.combo.findData(m.office_code))
        self.combo.setEnabled(False)
        self.load_button.setEnabled(False)
        self.loaded.setText(self.tr("初始化包已核对无误：本机将设为 %1，点“完成”后导入。").replace("%1", m.office_name))
        self._show_skip_cost()

    def _check(self, path: str, code: str):
        from ..sync import operations as sync_operations

        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            return sync_operations.preview_files(self.ctx, [path], code)[0]
        finally:
            QApplication.restoreOverrideCursor()

    def isComplete(self) -> bool:
        return self.combo.currentIndex() >= 0

    def office_code(self) -> str:
        return self.combo.currentData()


class PeoplePage(QWizardPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("填报人与审核人"))
        self.setSubTitle(self.tr("这些信息会印在本机导出的数据包的封面上，方便对方联系。"))
        self.filler = QLineEdit()
        self.reviewer = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("例如 0518-85xxxxxx"))
        layout = QFormLayout(self)
        layout.addRow(self.tr("填报人："), self.filler)
        layout.addRow(self.tr("审核人："), self.reviewer)
        layout.addRow(self.tr("联系电话："), self.phone)
        self.filler.textChanged.connect(self.completeChanged)

    def initializePage(self) -> None:
        office_page = self.wizard().office_page
        if office_page.office_code() in office_page.cities:
            self.setSubTitle(self.tr("这些信息会印在下发包和初始化包的封面上，方便县区联系。"))
        else:
            self.setSubTitle(self.tr("这些信息会印在上报包的封面上，方便市科协联系。"))

    def isComplete(self) -> bool:
        return bool(self.filler.text().strip())


class DemoPage(QWizardPage):
    def __init__(self, offer_demo: bool, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("演示数据"))
        self.demo = QCheckBox(self.tr("填入演示数据（2018—2020年各县区的虚拟数据，仅供试用）"))
        note = QLabel(
            self.tr("正式填报请不要勾选。演示数据全部标注“演示数据”，不会混入正式上报。")
            if offer_demo
            else self.tr("数据库中已有数据，不能再填入演示数据。")
        )
        note.setWordWrap(True)
        self.demo.setEnabled(offer_demo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.demo)
        layout.addWidget(note)
        layout.addStretch(1)


class FirstStartWizard(QWizard):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("首次使用设置"))
        self.setWizardStyle(QWizard.ClassicStyle)
        self.setButtonText(QWizard.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.FinishButton, self.tr("完成"))
        self.setButtonText(QWizard.CancelButton, self.tr("取消"))
        here = installation.load_installation(ctx)
        self.office_page = OfficePage(ctx, operations.list_offices(ctx))
        self.people_page = PeoplePage()
        self.demo_page = DemoPage(offer_demo=not here.has_data)
        for page in (self.office_page, self.people_page, self.demo_page):
            self.addPage(page)
        self.resize(620, 420)

    def accept(self) -> None:
        if self.office_page.pending and not self._import_init_package(*self.office_page.pending):
            return
        operations.initialise(
            self.ctx,
            self.office_page.office_code(),
            self.people_page.filler.text(),
            self.people_page.reviewer.text(),
            self.people_page.phone.text(),
        )
        super().accept()

    def _import_init_package(self, path: str, code: str) -> bool:
        from ..sync import operations as sync_operations

        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            try:
                batch = sync_operations.apply_files(self.ctx, [path], code)
            finally:
                QApplication.restoreOverrideCursor()
        except Exception as exc:  # noqa: BLE001 - a full disk or a locked database: say so, stay open
            show_error(self, self.tr("初始化包未导入"), exc)
            return False
        result = batch.results[0]
        if not result.ok:
            QMessageBox.warning(self, self.tr("初始化包未导入"), result.message)
            return False
        self.ctx.notify(batch.changes)
        return True

    def wants_demo(self) -> bool:
        return self.demo_page.demo.isChecked() and self.demo_page.demo.isEnabled()
