"""数据交换: export packages, import files (also dropped on the window) with a preview first,
the package log, and backup/restore of the database."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.review.summary import months_text

from ..context import AppContext
from ..errors import show_error
from ..plan import operations as plan_ops
from ..widgets import file_dialogs
from ..widgets.table_model import RowTableModel
from ..widgets.year_selector import YearSelector
from ..worker import run_task
from . import operations as ops
from .delivery_view import DeliveryView
from .import_dialog import ImportPreviewDialog
from .return_dialog import ReturnDialog, preview_items

XLSX_FILTER = "Excel 数据包 (*.xlsx)"
NEEDS_CODE = "需要激活码"


class LogModel(RowTableModel):
    """The package log, one dict per package sent or received."""

    HEADERS = ("时间", "方向", "类型", "单位", "年度", "序号", "结果", "审核", "文件", "说明")
    KEYS = ("at", "direction", "kind_label", "office", "year", "sequence", "result_label", "review_label", "file",
            "message")

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        row = self.rows[index.row()]
        key = self.KEYS[index.column()]
        if key == "direction":
            return "发出" if row[key] == "sent" else "收到"
        value = row.get(key)
        return "" if value is None else str(value)


class SyncPage(QWidget):
    imported = Signal(object)  # the BatchResult of an import

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setup = ops.load_setup(ctx)
        self.year = YearSelector()  # earlier plans' years too: their package can be sent again
        self.year.set_choices(plan_ops.year_choices(ctx), self.setup.default_year)
        self.export_submission_button = QPushButton(self.tr("导出上报包…"))
        self.plan_unit = QComboBox()
        self.plan_unit.addItem(self.tr("全部县区"), None)
        self.init_unit = QComboBox()
        for code, name in self.setup.units:
            self.plan_unit.addItem(name, code)
            self.init_unit.addItem(name, code)
        self.export_plan_button = QPushButton(self.tr("导出下发包（目标）…"))
        self.export_init_button = QPushButton(self.tr("导出初始化包…"))
        self.import_button = QPushButton(self.tr("选择文件导入…"))
        self.backup_button = QPushButton(self.tr("备份数据库…"))
        self.restore_button = QPushButton(self.tr("从备份恢复…"))
        self.show_code_button = QPushButton(self.tr("显示激活码"))
        self.show_code_button.setToolTip(self.tr("在下面的记录中选中一个发出的初始化包，再显示它的激活码"))
        self.show_code_button.setEnabled(False)
        self.receipt_button = QPushButton(self.tr("生成回执…"))
        self.receipt_button.setToolTip(self.tr("选中一个已导入的上报包（该县区该年度最新的一个），为它生成回执包"))
        self.return_button = QPushButton(self.tr("退回…"))
        self.return_button.setToolTip(self.tr("选中一个已导入的上报包，退回整个包或其中的月份、指标，并写明原因"))
        self.batch_receipts_button = QPushButton()
        self.batch_receipts_button.hide()
        self.batch_applied: list[ops.Applied] = []  # the submissions the last import applied
        self.delivery = None if self.setup.is_city else DeliveryView(ctx, self.setup.default_year)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.log_model = LogModel(self)
        self.log_table = QTableView()
        self.log_table.setModel(self.log_model)
        self.log_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.log_table.verticalHeader().hide()
        self.log_table.setWordWrap(False)
        self.log_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.log_table.horizontalHeader().setStretchLastSection(True)
        self._build_layout()
        self._connect()
        self.reload_log()

    def _build_layout(self) -> None:
        export = QGroupBox(self.tr("发出"))
        grid = QGridLayout(export)
        if self.setup.is_city:
            grid.addWidget(QLabel(self.tr("把目标下发给：")), 0, 0)
            grid.addWidget(self.plan_unit, 0, 1)
            grid.addWidget(self.export_plan_button, 0, 2)
            grid.addWidget(QLabel(self.tr("为新安装的县区生成：")), 1, 0)
            grid.addWidget(self.init_unit, 1, 1)
            grid.addWidget(self.export_init_button, 1, 2)
        else:
            grid.addWidget(QLabel(self.tr("上报年度：")), 0, 0)
            grid.addWidget(self.year, 0, 1)
            grid.addWidget(self.export_submission_button, 0, 2)
        grid.setColumnStretch(3, 1)
        receive = QGroupBox(self.tr("收到"))
        row = QHBoxLayout(receive)
        row.addWidget(self.import_button)
        hint = QLabel(self.tr("可一次选择多个文件，也可以把文件直接拖到窗口上。导入前会先显示每个文件将带来的变更。"))
        hint.setWordWrap(True)
        row.addWidget(hint, 1)
        row.addWidget(self.batch_receipts_button)
        safety = QGroupBox(self.tr("备份与恢复"))
        srow = QHBoxLayout(safety)
        srow.addWidget(self.backup_button)
        srow.addWidget(self.restore_button)
        srow.addStretch(1)
        layout = QVBoxLayout(self)
        for box in (export, self.delivery, receive, safety):
            if box is not None:
                layout.addWidget(box)
        layout.addWidget(self.message)
        log_bar = QHBoxLayout()
        log_bar.addWidget(QLabel(self.tr("数据包记录（发出与收到的每一个包）：")), 1)
        if self.setup.is_city:
            for button in (self.receipt_button, self.return_button, self.show_code_button):
                log_bar.addWidget(button)
        layout.addLayout(log_bar)
        layout.addWidget(self.log_table, 1)

    def _connect(self) -> None:
        self.export_submission_button.clicked.connect(self.export_submission)
        self.export_plan_button.clicked.connect(self.export_plan)
        self.export_init_button.clicked.connect(self.export_init)
        self.import_button.clicked.connect(self.choose_and_import)
        self.backup_button.clicked.connect(self.backup)
        self.restore_button.clicked.connect(self.restore)
        self.show_code_button.clicked.connect(self.show_issued_code)
        self.receipt_button.clicked.connect(self.make_receipt)
        self.return_button.clicked.connect(self.make_return)
        self.batch_receipts_button.clicked.connect(self.make_batch_receipts)
        self.log_table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_code_button())
        self.ctx.bus.changed.connect(self._on_changes)
        if self.delivery is not None:
            self.year.currentIndexChanged.connect(lambda _i: self.delivery.reload(self.year.currentData()))

    def _on_changes(self, changes) -> None:
        self.reload_log()
        if (changes.plan or changes.everything) and self._reload_years():
            return
        if self.delivery is not None and (changes.review or changes.sent or changes.everything):
            self.delivery.reload()

    def _reload_years(self) -> bool:
        """The current plan changed its years (another plan became current): offer that plan's years."""
        setup = ops.load_setup(self.ctx)
        if setup.years == self.setup.years:
            return False
        self.setup = setup
        self.year.set_choices(plan_ops.year_choices(self.ctx), setup.default_year)
        if self.delivery is not None:
            self.delivery.reload(setup.default_year)
        return True

    def reload_log(self) -> None:
        self.log_model.set_rows(ops.package_log(self.ctx))
        self._update_code_button()

    def selected_row(self) -> dict | None:
        index = self.log_table.currentIndex()
        if not index.isValid() or index.row() >= len(self.log_model.rows):
            return None
        return self.log_model.rows[index.row()]

    def _selected_init(self) -> dict | None:
        row = self.selected_row()
        return row if row and row["direction"] == "sent" and row["kind"] == "init" else None

    def _selected_submission(self) -> dict | None:
        """The selected applied submission the city may answer (the newest of its unit × year)."""
        row = self.selected_row()
        return row if row and row["replyable"] else None

    def _update_code_button(self) -> None:
        self.show_code_button.setEnabled(self._selected_init() is not None)
        replyable = self._selected_submission() is not None
        self.receipt_button.setEnabled(replyable)
        self.return_button.setEnabled(replyable and bool(self._selected_submission()["months"]))

    def show_issued_code(self) -> None:
        row = self._selected_init()
        if row is None:
            return
        code = ops.issued_code(self.ctx, row["package_id"])
        if code is None:
            self._say(self.tr("这个初始化包是较早的程序版本导出的，没有保存激活码。请为该县区重新导出初始化包。"))
            return
        self._show_activation_code(code, self.tr("初始化包“%1”（%2 导出）。").replace("%1", row["file"]).replace(
            "%2", row["at"][:16]))

    def _say(self, text: str) -> None:
        self.message.setText(text)

    # --- export -------------------------------------------------------------------------------
    def _save_path(self, title: str, name: str) -> str | None:
        path, _f = file_dialogs.save_file(self, self.ctx.settings, title, name, XLSX_FILTER)
        if path and not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        return path or None

    def _export(self, label: str, fn, on_done=None) -> None:
        def done(result) -> None:
            self._say(result.message)
            self.reload_log()
            self.ctx.notify(result.changes)  # the log, and a submission's months now 已报送
            if on_done:
                on_done(result)

        run_task(self, label, fn, done, error_title=self.tr("导出失败"))

    def export_submission(self) -> None:
        if not self.ctx.confirm_pending():
            return
        year = self.year.currentData()
        if not self.confirm_draft(year):
            return
        path = self._save_path(self.tr("导出上报包"), ops.proposed_name(self.setup.office_name, "submission", year))
        if path:
            self._export(self.tr("正在导出上报包…"), lambda p: ops.export_submission(self.ctx, year, path, p))

    def confirm_draft(self, year: int) -> bool:
        """A year with errors or unapproved months is sent as a draft (草稿) only when the user says so."""
        try:
            summary = ops.review_summary(self.ctx, year)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("无法检查审核状态"), exc)
            return False
        if summary.state == "approved":
            return True
        parts = []
        if summary.errors:
            parts.append(self.tr("还有 %1 个错误").replace("%1", str(summary.errors)))
        if summary.unapproved_months:
            parts.append(self.tr("%1 个月未审核（%2）").replace("%1", str(len(summary.unapproved_months))).replace(
                "%2", months_text(summary.unapproved_months)))
        if not parts:
            parts.append(self.tr("还没有审核通过的月份"))
        text = self.tr("%1年的数据%2。仍可导出，但封面和校验信息会注明“草稿”，市科协导入后标为“未审核”。"
                       "\n\n要导出草稿吗？").replace("%1", str(year)).replace("%2", "，".join(parts))
        answer = QMessageBox.question(self, self.tr("导出草稿"), text, QMessageBox.Yes | QMessageBox.No,
                                      QMessageBox.No)
        return answer == QMessageBox.Yes

    def export_plan(self) -> None:
        if not self.ctx.confirm_pending():
            return
        unit = self.plan_unit.currentData()
        who = self.plan_unit.currentText() if unit else self.tr("全部县区")
        path = self._save_path(self.tr("导出下发包"), ops.proposed_name(who, "plan"))
        if path:
            self._export(self.tr("正在导出下发包…"), lambda p: ops.export_plan(self.ctx, path, unit, p))

    def export_init(self) -> None:
        if not self.ctx.confirm_pending():
            return
        unit = self.init_unit.currentData()
        path = self._save_path(self.tr("导出初始化包"), ops.proposed_name(self.init_unit.currentText(), "init"))
        if path:
            self._export(self.tr("正在导出初始化包…"), lambda p: ops.export_init(self.ctx, unit, path, p),
                         lambda result: self._show_activation_code(result.activation_code or "",
                                                                   self.tr("初始化包已导出。")))

    def _show_activation_code(self, code: str, what: str) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("激活码"))
        box.setIcon(QMessageBox.Information)
        box.setText(what + self.tr("请通过电话把激活码告诉对方（不要和文件一起发邮件）。以后也可以在数据包记录中选中"
                                   "这个初始化包，点“显示激活码”再次查看：\n\n%1").replace("%1", code))
        box.setTextInteractionFlags(Qt.TextSelectableByMouse)
        box.open()
        self.activation_box = box

    # --- the city's answers: receipts and returns -------------------------------------------
    def make_receipt(self) -> None:
        row = self._selected_submission()
        if row is None:
            return
        name = ops.reply_name("receipt", row["office_name"], row["year"], row["sequence"])
        path = self._save_path(self.tr("生成回执包"), name)
        if path:
            self._export(self.tr("正在生成回执包…"), lambda p: ops.export_receipt(self.ctx, row["package_id"], path, p))

    def make_return(self) -> None:
        row = self._selected_submission()
        if row is None:
            return
        title = self.tr("%1 %2年 序号 %3 的上报包（%4）").replace("%1", row["office_name"]).replace(
            "%2", str(row["year"])).replace("%3", str(row["sequence"])).replace("%4", row["file"])
        dialog = self.create_return_dialog(title, row)
        dialog.accepted.connect(lambda: self._save_return(row, dialog))
        dialog.open()
        self.return_dialog = dialog

    def create_return_dialog(self, title: str, row: dict) -> ReturnDialog:
        return ReturnDialog(title, row["months"], ops.indicator_choices(self.ctx),
                            lambda requests: ops.check_return(self.ctx, row["package_id"], requests), self)

    def _save_return(self, row: dict, dialog: ReturnDialog) -> None:
        requests, items = dialog.requests(), dialog.items
        path = self._save_path(self.tr("保存退回包"), ops.reply_name("return", row["office_name"], row["year"],
                                                                      row["sequence"]))
        if path:
            self._export(self.tr("正在生成退回包…"),
                         lambda p: ops.export_return(self.ctx, row["package_id"], requests, path, p),
                         lambda _r: self._say(self.message.text() + "\n" + preview_items(items)))

    def _offer_batch_receipts(self, batch) -> None:
        self.batch_applied = ops.applied_submissions(batch) if self.setup.is_city else []
        n = len(self.batch_applied)
        self.batch_receipts_button.setText(self.tr("为已导入的 %1 个上报包生成回执…").replace("%1", str(n)))
        self.batch_receipts_button.setVisible(n > 0)

    def make_batch_receipts(self) -> None:
        applied = list(self.batch_applied)
        if not applied:
            return
        folder = file_dialogs.choose_folder(self, self.ctx.settings, self.tr("选择保存回执包的文件夹"))
        if not folder:
            return

        def done(batch) -> None:
            self._say(batch.message)
            self.reload_log()
            self.ctx.notify(batch.changes)
            if batch.written and not batch.failed:
                self.batch_applied = []
                self.batch_receipts_button.hide()

        run_task(self, self.tr("正在生成回执包…"), lambda p: ops.export_receipts(self.ctx, applied, folder, p), done,
                 error_title=self.tr("生成回执失败"))

    # --- import -------------------------------------------------------------------------------
    def choose_and_import(self) -> None:
        paths = file_dialogs.open_files(self, self.ctx.settings, self.tr("选择要导入的数据包"),
                                        XLSX_FILTER + ";;所有文件 (*)")
        if paths:
            self.import_files(paths)

    def import_files(self, paths: list[str], code: str | None = None) -> None:
        """Preview every file in a worker, then show the preview; nothing is written before 导入."""
        if code is None and not self.ctx.confirm_pending():
            return
        run_task(self, self.tr("正在检查文件…"), lambda p: ops.preview_files(self.ctx, paths, code, p),
                 lambda previews: self._previewed(paths, previews, code), error_title=self.tr("检查文件失败"))

    def _previewed(self, paths, previews, code) -> None:
        if code is None and any(NEEDS_CODE in p.message for p in previews):
            code = self.ask_code()
            if code:
                self.import_files(paths, code)
                return
        dialog = self.create_preview_dialog(previews)
        dialog.accepted.connect(lambda: self._apply(dialog.ready_paths(), code))
        dialog.open()
        self.preview_dialog = dialog

    def create_preview_dialog(self, previews) -> ImportPreviewDialog:
        return ImportPreviewDialog(previews, self)

    def ask_code(self) -> str | None:
        code, ok = QInputDialog.getText(self, self.tr("激活码"),
                                        self.tr("导入初始化包需要市科协提供的激活码："), QLineEdit.Normal)
        return code.strip() if ok and code.strip() else None

    def _apply(self, paths: list[str], code: str | None) -> None:
        if not paths:
            return

        def done(batch) -> None:
            self.reload_log()
            self._say(batch.summary() + "\n" + "\n".join(r.message for r in batch.results))
            self.ctx.notify(batch.changes)
            self._offer_batch_receipts(batch)
            self._offer_new_plans(batch)
            self.imported.emit(batch)

        run_task(self, self.tr("正在导入…"), lambda p: ops.apply_files(self.ctx, paths, code, p), done,
                 error_title=self.tr("导入失败"))

    def _offer_new_plans(self, batch) -> None:
        """A plan package brought a new plan: the unit chooses whether to work on it now."""
        for code, name in ops.new_plans(batch):
            answer = QMessageBox.question(
                self, self.tr("新计划"),
                self.tr("已导入新计划“%1”。原有计划及其数据保持不变，可随时查看。\n现在切换到新计划吗？")
                .replace("%1", name), QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
            if answer == QMessageBox.Yes:
                try:
                    self.ctx.notify(ops.use_plan(self.ctx, code))
                except Exception as exc:  # noqa: BLE001 - shown to the user as one line
                    show_error(self, self.tr("切换计划失败"), exc)
                    return
                self._say(self.message.text() + "\n" + self.tr("当前计划已切换为“%1”。").replace("%1", name))
                return

    # --- backup and restore -------------------------------------------------------------------
    def backup(self) -> None:
        if not self.ctx.confirm_pending():
            return
        path, _f = file_dialogs.save_file(self, self.ctx.settings, self.tr("备份数据库"), "科协数据备份.db",
                                          "数据库备份 (*.db)")
        if not path:
            return
        run_task(self, self.tr("正在备份…"), lambda p: ops.backup(self.ctx, path, p),
                 lambda saved: self._say(self.tr("数据库已备份到 ") + str(saved)), error_title=self.tr("备份失败"))

    def restore(self) -> None:
        if not self.ctx.confirm_pending():
            return
        path = file_dialogs.open_file(self, self.ctx.settings, self.tr("选择备份文件"),
                                      "数据库备份 (*.db);;所有文件 (*)")
        if not path:
            return
        answer = QMessageBox.question(
            self, self.tr("从备份恢复"),
            self.tr("用备份替换当前数据库？当前数据库会先自动备份，恢复后程序重新载入数据。"),
        )
        if answer != QMessageBox.Yes:
            return
        try:
            result = ops.restore(self.ctx, path)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the database is unchanged
            show_error(self, self.tr("恢复失败"), exc)
            return
        self._say(result.message)
        ops.everything_changed(self.ctx)
