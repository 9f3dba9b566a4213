"""报送情况 (city): the unit × month matrix of a year (按时 / 迟报 / 未报 / 未审核 / 已退回待重报), the units'
completeness and timeliness, the deadline rule, and the overdue units with a 催报 text to copy."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop import reporting as core
from kexie_desktop.display import percent
from kexie_desktop.reporting.status import SHORT

from ..context import AppContext
from ..errors import show_error
from ..plan import operations as plan_ops
from ..widgets.lazy_reload import LazyReload
from ..widgets.year_selector import ReadOnlyBanner, YearSelector, apply_read_only
from . import operations as ops
from .model import COMPLETENESS, FIRST_MONTH, NAME, STATE_COLORS, TIMELINESS, ReportingModel

MIN_TABLE_HEIGHT = 420  # about 12 rows; a longer list of units scrolls
ALL = "__all__"  # the overdue list's first entry: one text for every overdue unit


class ReportingPage(LazyReload, QWidget):
    def __init__(self, ctx: AppContext, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today  # None: the real date at each refresh
        self.setup = ops.load_setup(ctx, today)
        self.result: core.Reporting | None = None
        self.year = YearSelector()
        self.year.set_choices(plan_ops.year_choices(ctx), self.setup.default_year)
        self.plan_note = ReadOnlyBanner()
        self.deadline = QSpinBox()
        self.deadline.setRange(1, 28)
        self.deadline.setValue(self.setup.deadline_day)
        self.deadline.setPrefix(self.tr("每月 "))
        self.deadline.setSuffix(self.tr(" 日前"))
        self.deadline.setToolTip(self.tr("某月的数据在下月这一天结束前创建的上报包中审核报送，算作按时"))
        self.as_of = QLabel()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = ReportingModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(False)
        self.overdue = QListWidget()
        self.reminder = QPlainTextEdit()
        self.reminder.setReadOnly(True)
        self.copy_button = QPushButton(self.tr("复制"))
        self.copy_button.setToolTip(self.tr("复制催报文字，粘贴到电子邮件或聊天消息中"))
        self.message = QLabel()
        self._build_layout()
        self.year.currentIndexChanged.connect(lambda _i: self.reload())
        self.deadline.valueChanged.connect(self.change_deadline)
        self.overdue.currentItemChanged.connect(lambda *_a: self._show_reminder())
        self.copy_button.clicked.connect(self.copy_reminder)
        self.ctx.bus.changed.connect(self._on_changes)
        self.reload()

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("年度：")))
        bar.addWidget(self.year)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("报送截止：")))
        bar.addWidget(self.deadline)
        bar.addWidget(QLabel(self.tr("报送上月数据")))
        bar.addSpacing(16)
        bar.addWidget(self.as_of)
        bar.addStretch(1)
        legend = QHBoxLayout()
        legend.addWidget(QLabel(self.tr("图例：")))
        for state in core.STATES:
            chip = QLabel(f"{SHORT[state]}＝{state}" if SHORT[state] != state else state)
            chip.setStyleSheet(f"background: {STATE_COLORS[state]}; color: #222; padding: 2px 8px;"
                               "border: 1px solid #bbb;")
            legend.addWidget(chip)
        legend.addSpacing(12)
        note = QLabel(self.tr("完整率＝已报月数÷应报月数，及时率＝按时月数÷应报月数（只计已到截止日期的月份）"))
        note.setStyleSheet("color: #555;")
        legend.addWidget(note)
        legend.addStretch(1)
        box = QGroupBox(self.tr("逾期单位与催报文字"))
        brow = QHBoxLayout(box)
        self.overdue.setMaximumWidth(320)
        self.overdue.setMinimumWidth(240)
        brow.addWidget(self.overdue)
        right = QVBoxLayout()
        right.addWidget(self.reminder, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.copy_button)
        right.addLayout(buttons)
        brow.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.plan_note)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)  # as tall as its rows (_size_columns)
        layout.addLayout(legend)
        layout.addWidget(box, 1)

    # --- data ---------------------------------------------------------------------------------
    def reload(self) -> None:
        self._stale = False
        self.plan_note.show_reason(self.year.read_only())
        apply_read_only(self.year.read_only(), self.deadline)  # the deadline rules the shown year's figures
        if not self.setup.is_city:
            self.summary.setText(self.tr("报送情况只在市科协查看；本单位各月的报送状态见数据交换页。"))
            return
        try:
            self.result = ops.load(self.ctx, self.year.currentData(), self.today)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("报送情况"), exc)
            return
        self.model.set_result(self.result)
        self._size_columns()
        r = self.result
        self.as_of.setText(self.tr("截至 %1").replace("%1", r.today.isoformat()))
        self.summary.setText(self._summary_text(r))
        self._fill_overdue()

    def _summary_text(self, r: core.Reporting) -> str:
        c = r.city
        if not c.due:
            return self.tr("%1年还没有到截止日期的月份。").replace("%1", str(r.year))
        return (self.tr("全市：应报 %1 个单位·月，已报 %2，按时 %3；完整率 %4，及时率 %5；逾期单位 %6 个。")
                .replace("%1", str(c.due)).replace("%2", str(c.received)).replace("%3", str(c.on_time))
                .replace("%4", percent(c.completeness)).replace("%5", percent(c.timeliness))
                .replace("%6", str(len(r.overdue))))

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeToContents)
        for col in range(FIRST_MONTH, COMPLETENESS):
            header.setSectionResizeMode(col, QHeaderView.Stretch)
        for col in (COMPLETENESS, TIMELINESS):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        # As tall as its rows (one unit per row, never many): the space left goes to the 催报 text.
        rows = sum(self.table.rowHeight(r) for r in range(self.model.rowCount()))
        height = header.sizeHint().height() + rows + 2 * self.table.frameWidth() + 2
        self.table.setMaximumHeight(height)
        self.table.setMinimumHeight(min(height, MIN_TABLE_HEIGHT))

    def _fill_overdue(self) -> None:
        keep = self.overdue.currentItem().data(Qt.UserRole) if self.overdue.currentItem() else ALL
        self.overdue.blockSignals(True)  # no reminder of an old item while the list is rebuilt
        self.overdue.clear()
        if self.result.overdue:
            item = QListWidgetItem(self.tr("全部逾期单位（%1 个）").replace("%1", str(len(self.result.overdue))))
            item.setData(Qt.UserRole, ALL)
            self.overdue.addItem(item)
        for o in self.result.overdue:
            item = QListWidgetItem(f"{o.name}（{self._overdue_words(o)}）")
            item.setData(Qt.UserRole, o.code)
            self.overdue.addItem(item)
        codes = [self.overdue.item(i).data(Qt.UserRole) for i in range(self.overdue.count())]
        if codes:
            self.overdue.setCurrentRow(codes.index(keep) if keep in codes else 0)
        self.overdue.blockSignals(False)
        self.copy_button.setEnabled(bool(codes))
        self._show_reminder()

    def _overdue_words(self, o: core.Overdue) -> str:
        parts = [f"{label} {len(months)}" for label, months in
                 ((self.tr("未报"), o.missing), (self.tr("退回"), o.returned), (self.tr("未审核"), o.draft)) if months]
        return "，".join(parts)

    def reminder_text(self) -> str:
        """The 催报 text of the chosen entry: every overdue unit, or one of them ("" when none)."""
        item = self.overdue.currentItem()
        if item is None or self.result is None:
            return ""
        code = item.data(Qt.UserRole)
        if code == ALL:
            return self.result.reminder
        return next((o.text for o in self.result.overdue if o.code == code), "")

    def _show_reminder(self) -> None:
        text = self.reminder_text()
        self.reminder.setPlainText(text or self.tr("没有逾期未报的单位。"))
        self.message.clear()

    def copy_reminder(self) -> None:
        text = self.reminder_text()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.message.setText(self.tr("已复制，可以粘贴到电子邮件或聊天消息中。"))

    def change_deadline(self, day: int) -> None:
        if day == ops.deadline_day(self.ctx):
            return
        try:
            ops.put_deadline_day(self.ctx, day)  # the bus refreshes the page
        except Exception as exc:  # noqa: BLE001 - shown to the user; nothing was saved
            show_error(self, self.tr("保存截止日期失败"), exc)
            self.deadline.blockSignals(True)
            self.deadline.setValue(ops.deadline_day(self.ctx))
            self.deadline.blockSignals(False)

    def _on_changes(self, changes) -> None:
        # Imports (values, review, everything), sent receipts and returns, the deadline (settings).
        if not changes:
            return
        if changes.plan:  # another plan became current: its years first
            self.setup = ops.load_setup(self.ctx, self.today)
            self.year.set_choices(plan_ops.year_choices(self.ctx), self.setup.default_year)
        if changes.settings:
            day = ops.deadline_day(self.ctx)
            if day != self.deadline.value():
                self.deadline.blockSignals(True)
                self.deadline.setValue(day)
                self.deadline.blockSignals(False)
        self.reload_when_shown()

