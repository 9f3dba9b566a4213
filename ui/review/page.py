"""审核 page (unit): the findings of the year, explanations, and the month strip with 提交审核 / 审核通过 /
撤销审核. A double-click on a finding jumps to its cell in 数据填报 or its record in 活动台账."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QGroupBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.errors import StaleEdit
from kexie_desktop.models import REVIEW_STATES

from . import operations as ops
from .marks import FINDING_COLOURS, RETURNED_COLOUR, level
from ..context import AppContext
from ..widgets.dialog_parts import error_message, hint_label, ok_cancel
from ..errors import show_error
from ..plan import operations as plan_ops
from ..widgets.year_selector import ReadOnlyBanner, YearSelector, apply_read_only
from ..widgets.table_model import RowTableModel

SEVERITY = {"error": "错误", "warning": "警告"}
STATE_COLOURS = {
    "draft": "#eeeeee", "pending": "#fff2cc", "approved": "#d9ead3", "sent": "#cfe2f3", "received": "#b6d7a8",
    "returned": "#f4cccc",
}


def month_text(finding) -> str:
    return f"{int(finding.month[:4])}年{int(finding.month[5:])}月" if finding.month else "全年"


class FindingsModel(RowTableModel):
    HEADERS = ("级别", "规则", "指标 / 活动", "月份", "数值", "提示", "说明")
    MESSAGE = 5

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names: dict[str, str] = {}

    def what(self, f) -> str:
        return f"{f.indicator} {self.names.get(f.indicator, '')}".strip() if f.indicator else "活动台账"

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        f = self.rows[index.row()]
        if role == Qt.DisplayRole:
            severity = SEVERITY[f.severity] + ("（已说明）" if f.explanation else "")
            return (severity, f.rule, self.what(f), month_text(f), f.value, f.message,
                    f.explanation or "")[index.column()]
        if role == Qt.ToolTipRole and index.column() in (2, 5, 6):
            return {2: self.what(f), 5: f.message, 6: f.explanation}[index.column()]
        if role == Qt.BackgroundRole and index.column() == 0:
            return QBrush(QColor(FINDING_COLOURS[level(f)]))
        return None


class ReturnedModel(RowTableModel):
    """The city's open returned items (delivery.Returned): month, indicator, reason."""

    HEADERS = ("月份", "指标", "市科协的退回原因", "所退回的包")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names: dict[str, str] = {}
        self.year = 0

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole, Qt.BackgroundRole):
            return None
        item = self.rows[index.row()]
        if role == Qt.BackgroundRole:
            return QBrush(QColor(RETURNED_COLOUR)) if index.column() == 0 else None
        what = f"{item.indicator} {self.names.get(item.indicator, '')}".strip() if item.indicator else "整月"
        return (f"{self.year}年{item.month}月", what, item.reason,
                f"序号 {item.submission_sequence}，{item.created:%Y-%m-%d} 退回")[index.column()]


class ReviewerDialog(QDialog):
    """Who acts (prefilled with the stored 审核人), the review password when one is set, and for 撤销审核
    the reason: the one form both reviewer actions ask for."""

    def __init__(self, title: str, hint: str, reviewer: str, needs_password: bool, *, with_reason: bool,
                 parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(self.tr("原因（至少 5 个字）"))
        self.reason.setMaximumHeight(80)
        self.name = QLineEdit(reviewer)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(hint))
        form = QFormLayout()
        if with_reason:
            form.addRow(self.tr("原因："), self.reason)
        form.addRow(self.tr("审核人："), self.name)
        if needs_password:
            form.addRow(self.tr("审核密码："), self.password)
        layout.addLayout(form)
        self.error = error_message()
        layout.addWidget(self.error)
        buttons, self.ok_button = ok_cancel(self, title)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if not self.name.text().strip():
            self.error.setText(self.tr("请写明审核人姓名。"))
            self.error.show()
            return
        super().accept()


class ApproveDialog(ReviewerDialog):
    def __init__(self, reviewer: str, needs_password: bool, months: str, parent=None):
        hint = self.tr("审核通过后，{0}的数据将锁定，不能再修改；如需修改须撤销审核并写明原因。").format(months)
        super().__init__(self.tr("审核通过"), hint, reviewer, needs_password, with_reason=False, parent=parent)


class UnapproveDialog(ReviewerDialog):
    def __init__(self, reviewer: str, needs_password: bool, months: str, parent=None):
        hint = self.tr("撤销{0}的审核，这些月份回到草稿，可以修改；须写明原因。").format(months)
        super().__init__(self.tr("撤销审核"), hint, reviewer, needs_password, with_reason=True, parent=parent)


class ReviewPage(QWidget):
    jump_to_cell = Signal(str, int, int)  # indicator code, year, month (0: the year's total)
    jump_to_record = Signal(str, int)  # activity uid, year

    def __init__(self, ctx: AppContext, parent=None, today=None, year: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today  # tests fix "today"; the program uses the real date
        self.view: ops.ReviewView | None = None
        self.year = YearSelector()
        self.plan_note = ReadOnlyBanner()
        self.summary = QLabel()
        self.approval = QLabel()  # who approved which months
        self.approval.setWordWrap(True)
        self.approval.setStyleSheet("color: #1b5e20;")
        self.month_buttons: list[QToolButton] = []
        self.month_group = QButtonGroup(self)
        self.month_group.setExclusive(True)
        for m in range(1, 13):
            button = QToolButton()
            button.setCheckable(True)
            button.setMinimumWidth(58)
            button.setToolButtonStyle(Qt.ToolButtonTextOnly)
            self.month_group.addButton(button, m)
            self.month_buttons.append(button)
        self.month_note = QLabel()
        self.month_note.setWordWrap(True)
        self.submit_button = QPushButton(self.tr("提交审核"))
        self.approve_button = QPushButton(self.tr("审核通过"))
        self.unapprove_button = QPushButton(self.tr("撤销审核"))
        self.table = QTableView()
        self.model = FindingsModel(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.ElideRight)  # the whole 提示 and 说明 show below the table
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(FindingsModel.MESSAGE, QHeaderView.Stretch)
        for col, width in enumerate((100, 48, 200, 86, 70, 400, 180)):
            self.table.setColumnWidth(col, width)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #1b5e20; font-size: 15px;")
        self.listing = QStackedWidget()  # the findings, or a sentence when there are none
        self.listing.addWidget(self.table)
        self.listing.addWidget(self.empty)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.explanation = QPlainTextEdit()
        self.explanation.setPlaceholderText(self.tr("说明（至少 5 个字）：为什么这个数是对的"))
        self.explanation.setMaximumHeight(70)
        self.save_explanation = QPushButton(self.tr("保存说明"))
        self.jump_button = QPushButton(self.tr("转到该数据"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.returned_model = ReturnedModel(self)
        self.returned_table = QTableView()
        self.returned_table.setModel(self.returned_model)
        self.returned_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.returned_table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.returned_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.returned_table.verticalHeader().setVisible(False)
        self.returned_table.setWordWrap(False)
        returned_header = self.returned_table.horizontalHeader()
        returned_header.setSectionResizeMode(QHeaderView.ResizeToContents)
        returned_header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.returned_box = QGroupBox(self.tr("市科协退回的事项（单击转到该数据；改正后重新审核、报送即答复）"))
        QVBoxLayout(self.returned_box).addWidget(self.returned_table)
        self._build_layout()
        self._connect()
        self.reload(year)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("年度：")))
        top.addWidget(self.year)
        top.addWidget(self.summary)
        top.addSpacing(16)
        top.addWidget(self.approval, 1)
        strip = QHBoxLayout()
        strip.setSpacing(2)
        for button in self.month_buttons:
            strip.addWidget(button)
        strip.addStretch(1)
        actions = QHBoxLayout()
        for button in (self.submit_button, self.approve_button, self.unapprove_button):
            actions.addWidget(button)
        actions.addWidget(self.month_note, 1)
        lower = QWidget()
        form = QVBoxLayout(lower)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.detail)
        row = QHBoxLayout()
        row.addWidget(self.explanation, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.save_explanation)
        buttons.addWidget(self.jump_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        form.addLayout(row)
        form.addWidget(self.message)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.listing)
        split.addWidget(lower)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plan_note)
        layout.addWidget(hint_label(self.tr(
            "错误必须改正；警告可以改正，或写明说明。全部处理后，选中月份，由审核人“审核通过”，这些月份随即锁定。")))
        layout.addWidget(self.returned_box)
        layout.addLayout(strip)
        layout.addLayout(actions)
        layout.addWidget(split, 1)

    def _connect(self) -> None:
        self.year.activated.connect(lambda _i: self.reload(self.year.currentData()))
        self.month_group.idClicked.connect(lambda _m: self._update_buttons())
        self.submit_button.clicked.connect(self.submit)
        self.approve_button.clicked.connect(self.approve)
        self.unapprove_button.clicked.connect(self.unapprove)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.table.doubleClicked.connect(lambda _i: self.jump())
        self.jump_button.clicked.connect(self.jump)
        self.save_explanation.clicked.connect(self.explain)
        self.returned_table.clicked.connect(self.jump_to_returned)
        self.ctx.bus.changed.connect(self._on_changes)

    # --- state -------------------------------------------------------------------------------------
    def reload(self, year: int | None = None) -> None:
        keep = self.current_finding()
        self.view = ops.load_review(self.ctx, year or (self.view.year if self.view else None), self.today)
        v = self.view
        self.year.set_choices(plan_ops.year_choices(self.ctx), v.year)
        self.plan_note.show_reason(v.read_only)
        self.model.names = v.names
        self.model.set_rows(v.findings)
        self.returned_model.names, self.returned_model.year = v.names, v.year
        self.returned_model.set_rows(v.returned)
        self.returned_box.setVisible(bool(v.returned))
        self._fit_returned_height()
        self.empty.setText(self.tr("{0}年没有发现问题：全部检查已通过。\n可以选中月份，提交审核。").format(v.year))
        self.listing.setCurrentWidget(self.table if v.findings else self.empty)
        self.approval.setText("；".join(span + who for span, who in v.approvals))
        errors = sum(f.severity == "error" for f in v.findings)
        open_warnings = sum(f.severity == "warning" and not f.explanation for f in v.findings)
        explained = sum(bool(f.explanation) for f in v.findings)
        self.summary.setText(self.tr("{0} {1}年：{2} 个错误，{3} 个未说明的警告，{4} 个已说明").format(
            v.office_name, v.year, errors, open_warnings, explained))
        for state, button in zip(v.months, self.month_buttons):
            button.setText(self.tr("{0}月\n{1}").format(state.month, REVIEW_STATES[state.state]))
            button.setStyleSheet(f"QToolButton {{ background: {STATE_COLOURS[state.state]}; padding: 3px; }}"
                                 "QToolButton:checked { border: 2px solid #1f4e79; font-weight: bold; }")
            tip = REVIEW_STATES[state.state]
            if state.by:
                tip += self.tr("：{0}，{1:%Y-%m-%d %H:%M}").format(state.by, state.at)
            if state.note:
                tip += f"（{state.note}）"
            button.setToolTip(tip)
        if self.month_group.checkedId() < 1:
            self.month_buttons[max(v.last_due_month, 1) - 1].setChecked(True)
        self._restore(keep)
        self._update_buttons()
        self._show_current()

    def _restore(self, keep) -> None:
        for row, f in enumerate(self.model.rows):
            if keep is not None and (f.rule, f.subject) == (keep.rule, keep.subject):
                self.table.selectRow(row)
                return
        if self.model.rows:
            self.table.selectRow(0)

    def selected_month(self) -> int:
        return max(self.month_group.checkedId(), 1)

    def _update_buttons(self) -> None:
        v, m = self.view, self.selected_month()
        upto = v.months[:m]
        due = m <= v.last_due_month
        blocking = v.blocking_through(m)
        self.submit_button.setText(self.tr("提交审核（1—{0}月）").format(m))
        self.approve_button.setText(self.tr("审核通过（1—{0}月）").format(m))
        self.unapprove_button.setText(self.tr("撤销审核（{0}月起）").format(m))
        if not due:
            note = self.tr("{0}月还没有到。").format(m)
        elif m > v.last_ended_month and any(s.state == "pending" for s in upto):
            note = self.tr("{0}月还没有结束：可以提交，月份结束后才能审核通过。").format(m)
        elif blocking and any(s.state == "pending" for s in upto):
            errors = sum(f.severity == "error" for f in blocking)
            note = self.tr("还不能审核通过：1—{0}月有 {1} 个错误、{2} 个未说明的警告。").format(
                m, errors, len(blocking) - errors)
        else:
            note = ""
        if v.read_only:  # an earlier plan's months keep their state
            note = v.read_only + self.tr("。")
        apply_read_only(v.read_only, self.submit_button, self.approve_button, self.unapprove_button)
        if v.read_only is None:
            self.submit_button.setEnabled(due and any(s.state in ("draft", "returned") for s in upto))
            self.approve_button.setEnabled(
                m <= v.last_ended_month and any(s.state == "pending" for s in upto)
                and all(s.state not in ("draft", "returned") for s in upto) and not blocking
            )
            self.unapprove_button.setEnabled(any(s.locked for s in v.months[m - 1:]))
        self.month_note.setText(note)

    def current_finding(self):
        index = self.table.currentIndex() if hasattr(self, "table") else None
        if index is None or not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()]

    def _show_current(self) -> None:
        f = self.current_finding()
        can_explain = f is not None and f.severity == "warning" and not self.view.read_only
        self.explanation.setEnabled(can_explain)
        self.save_explanation.setEnabled(can_explain)
        self.jump_button.setEnabled(f is not None)
        self.detail.setText(self._detail(f))
        self.explanation.setPlainText(f.explanation or "" if f else "")
        if f is not None and f.severity == "error":
            self.explanation.setPlaceholderText(self.tr("错误不能用说明放过，请改正数据。"))
        else:
            self.explanation.setPlaceholderText(self.tr("说明（至少 5 个字）：为什么这个数是对的"))

    def _detail(self, f) -> str:
        if f is None:
            return self.tr("没有需要处理的提示。")
        head = self.tr("{0}（{1}）　{2}　{3}　数值：{4}").format(
            SEVERITY[f.severity] + ("，已说明" if f.explanation else ""), f.rule, self.model.what(f),
            month_text(f), f.value or self.tr("（空）"))
        return head + "\n" + f.message

    def _on_changes(self, changes) -> None:
        if changes.plan:  # another plan became current: its year
            self.view = None
            self.reload()
            return
        if changes.values or changes.activities or changes.review or changes.everything or changes.settings:
            self.reload()

    # --- actions -----------------------------------------------------------------------------------
    def _run(self, title: str, action, done: str) -> bool:
        try:
            action()
        except StaleEdit as exc:  # another PC moved a month meanwhile: nothing saved, show the states now
            show_error(self, title, exc)
            self.reload()
            return False
        except Exception as exc:  # noqa: BLE001 - shown to the user, traced in the log
            show_error(self, title, exc)
            return False
        self.message.setText(done)
        return True

    def _seen(self) -> dict[int, int]:
        """The versions of the month states this page shows: the steps save against them."""
        return {m.month: m.version for m in self.view.months}

    def explain(self) -> None:
        f = self.current_finding()
        if f is None:
            return
        text = self.explanation.toPlainText()
        self._run(self.tr("保存说明"), lambda: ops.explain(self.ctx, self.view.year, f, text, self.today),
                  self.tr("已保存说明：{0} {1}。").format(f.rule, f.indicator or f.value))

    def submit(self) -> None:
        if not self.ctx.confirm_pending():  # the grid's unsaved edits: save them first, or stop
            return
        m = self.selected_month()
        self._run(self.tr("提交审核"), lambda: ops.submit(self.ctx, self.view.year, m, self.today, self._seen()),
                  self.tr("已提交审核：{0}年1—{1}月。").format(self.view.year, m))

    def approve(self) -> None:
        # Approval judges what is saved: unsaved grid edits are saved (or dropped) first, or nothing happens.
        if not self.ctx.confirm_pending():
            return
        m, seen = self.selected_month(), self._seen()  # what the reviewer looked at, not what arrived since
        dialog = ApproveDialog(self.view.reviewer, self.view.has_password,
                               self.tr("{0}年1—{1}月").format(self.view.year, m), self)
        if dialog.exec() != QDialog.Accepted:
            return
        password = dialog.password.text() or None
        self._run(self.tr("审核通过"),
                  lambda: ops.approve(self.ctx, self.view.year, m, dialog.name.text(), password, self.today,
                                     seen),
                  self.tr("已审核通过并锁定：{0}年1—{1}月。").format(self.view.year, m))

    def unapprove(self) -> None:
        m, seen = self.selected_month(), self._seen()
        dialog = UnapproveDialog(self.view.reviewer, self.view.has_password,
                                 self.tr("{0}年{1}月起").format(self.view.year, m), self)
        if dialog.exec() != QDialog.Accepted:
            return
        reason, by, password = dialog.reason.toPlainText(), dialog.name.text(), dialog.password.text() or None
        self._run(self.tr("撤销审核"), lambda: ops.unapprove(self.ctx, self.view.year, m, reason, by, password, seen),
                  self.tr("已撤销审核：{0}年{1}月起回到草稿。").format(self.view.year, m))

    def jump(self) -> None:
        f = self.current_finding()
        if f is None:
            return
        if f.record:
            self.jump_to_record.emit(f.record, self.view.year)
        elif f.indicator:
            month = int(f.month[5:]) if f.month else 0  # 0: the year's total
            self.jump_to_cell.emit(f.indicator, self.view.year, month)

    def jump_to_returned(self, index) -> None:
        """To the returned cell in 数据填报 (a whole month: the month's first indicator)."""
        if not index.isValid() or index.row() >= len(self.returned_model.rows):
            return
        item = self.returned_model.rows[index.row()]
        code = item.indicator or next(iter(self.view.names), "")
        if code:
            self.jump_to_cell.emit(code, self.view.year, item.month)

    def _fit_returned_height(self) -> None:
        """As tall as its rows (up to five; more scroll), so no empty band sits above the month strip."""
        table = self.returned_table
        rows = min(max(self.returned_model.rowCount(), 1), 5)
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(r) or table.verticalHeader().defaultSectionSize() for r in range(rows))
        table.setFixedHeight(height)
