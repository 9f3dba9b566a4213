"""At the unit, on 数据交换: what the city has of the year — 1–12月 as 未上报 / 已报送 / 市已接收 / 已退回 (the
city's counts and reasons on hover), the last receipt, and a package still unanswered after a week."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout

from kexie_desktop.review.delivery import WAIT_DAYS, MonthDelivery, YearDelivery

from ..context import AppContext
from . import operations as ops

COLOURS = {"unsent": "#eeeeee", "sent": "#cfe2f3", "received": "#b6d7a8", "returned": "#f4cccc"}
WARNING_STYLE = "color: #9a4a00; font-weight: bold;"


def month_tooltip(m: MonthDelivery) -> str:
    held = (f"市科协保存（据回执）：月度数据 {m.values} 项，活动台账 {m.records} 条" if m.values is not None else "")
    if m.state == "unsent":
        return f"{m.month}月 未上报：还没有发出过含本月数据的上报包。"
    if m.state == "returned":
        lines = [f"{m.month}月 已退回（序号 {m.sequence} 的上报包），市科协的原因："]
        lines += [f"· {r}" for r in m.reasons] or ["· （见审核页）"]
        lines.append("改正后重新提交审核、导出上报包。")
        return "\n".join(lines + ([held] if held else []))
    if m.state == "received":
        head = f"{m.month}月 市已接收（序号 {m.sequence} 的上报包）" + ("，市科协保存为未审核" if m.note else "")
        return head + "\n" + held
    head = f"{m.month}月 已报送（序号 {m.sequence} 的上报包{'，未审核' if m.note else ''}），等待市科协的回执。"
    return head + (f"\n上一次回执时{held}" if held else "")


def receipt_text(d: YearDelivery) -> str:
    r = d.last_receipt
    if r is None:
        return f"{d.year}年还没有收到市科协的回执。"
    return (f"最近的回执：{r.at:%Y-%m-%d %H:%M} 导入，确认序号 {r.submission_sequence} 的上报包"
            f"（回执序号 {r.sequence}）。")


def waiting_text(d: YearDelivery) -> str:
    return "\n".join(f"{w.year}年{w.text}：请向市科协确认是否收到（超过 {WAIT_DAYS} 天未答复即提醒）。"
                     for w in d.waiting)


class DeliveryView(QGroupBox):
    def __init__(self, ctx: AppContext, year: int, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today  # tests fix "today"
        self.delivery: YearDelivery | None = None
        self.cells: list[QLabel] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(3)
        for m in range(12):
            cell = QLabel()
            cell.setAlignment(Qt.AlignCenter)
            cell.setMinimumWidth(56)
            cell.setMinimumHeight(36)
            self.cells.append(cell)
            grid.addWidget(cell, 0, m)
        self.receipt = QLabel()
        self.receipt.setWordWrap(True)
        self.waiting = QLabel()
        self.waiting.setWordWrap(True)
        self.waiting.setStyleSheet(WARNING_STYLE)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.receipt)
        layout.addWidget(self.waiting)
        self.reload(year)

    def reload(self, year: int | None = None) -> None:
        year = year or (self.delivery.year if self.delivery else None)
        self.delivery = d = ops.delivery(self.ctx, year, self.today)
        if d is None:
            return
        self.setTitle(self.tr("%1年报送情况（市科协收到了什么）").replace("%1", str(year)))
        for cell, m in zip(self.cells, d.months):
            cell.setText(f"{m.month}月\n{m.label}" + ("*" if m.note else ""))
            cell.setToolTip(month_tooltip(m))
            border = "2px solid #b00020" if m.state == "returned" else "1px solid #bbbbbb"
            cell.setStyleSheet(f"background: {COLOURS[m.state]}; border: {border}; padding: 2px;")
        self.receipt.setText(receipt_text(d) + ("　* 未审核" if any(m.note for m in d.months) else ""))
        self.waiting.setText(waiting_text(d))
        self.waiting.setVisible(bool(d.waiting))
