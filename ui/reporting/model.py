"""The 报送情况 matrix: one row per unit and a city row; 单位, twelve months, 完整率, 及时率."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from kexie_desktop import reporting as core
from kexie_desktop.display import MISSING, percent
from kexie_desktop.reporting.status import RECEIVED, SHORT

NAME, FIRST_MONTH, COMPLETENESS, TIMELINESS = 0, 1, 13, 14
HEADERS = ("单位", *[f"{m}月" for m in range(1, 13)], "完整率", "及时率")
# Light tints of the Okabe–Ito colours (kexie_desktop/palette.py), dark text stays legible; the cell's
# words are the second cue.
STATE_COLORS = {
    core.ON_TIME: "#CDEBDD",
    core.LATE: "#FBE3B0",
    core.MISSING: "#F6C9B0",
    core.DRAFT: "#FFF4A8",
    core.RETURNED: "#E8CCE0",
    core.NOT_DUE: "#F2F2F2",
}
TOOLTIP_TIME = "%Y-%m-%d %H:%M"


def _time(value) -> str:
    return value.strftime(TOOLTIP_TIME) if value else MISSING


def cell_tooltip(cell: core.Cell, year: int) -> str:
    lines = [f"{year}年{cell.month}月：{cell.state}", f"截止日期：{cell.deadline.isoformat()}"
             + ("" if cell.due else "（未到）")]
    if cell.package_id:
        lines.append(f"上报包序号 {cell.sequence}（包编号 {cell.package_id[:8]}）")
        lines.append(f"创建时间：{_time(cell.created)}" + ("（未记录，按到达时间判断）" if cell.created is None else ""))
        lines.append(f"到达时间：{_time(cell.arrived)}")
    lines += [f"退回原因：{line}" for line in cell.reason_lines()]
    return "\n".join(lines)


def rate_tooltip(rate: core.Rate, which: int) -> str:
    if not rate.due:
        return "还没有到截止日期的月份"
    if which == COMPLETENESS:
        return f"已报 {rate.received} 个月 ÷ 应报 {rate.due} 个月（已报含按时、迟报和未审核）"
    return f"按时 {rate.on_time} 个月 ÷ 应报 {rate.due} 个月"


class ReportingModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: core.Reporting | None = None

    def set_result(self, result: core.Reporting) -> None:
        self.beginResetModel()
        self.result = result
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.result is None else len(self.result.units) + 1

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.tr(HEADERS[section])
        return None

    def is_city_row(self, row: int) -> bool:
        return self.result is not None and row == len(self.result.units)

    def cell(self, row: int, column: int) -> core.Cell | None:
        if self.is_city_row(row) or not FIRST_MONTH <= column < COMPLETENESS:
            return None
        return self.result.units[row].cells[column - FIRST_MONTH]

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or self.result is None:
            return None
        row, col = index.row(), index.column()
        city = self.is_city_row(row)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignVCenter | (Qt.AlignLeft if col == NAME else Qt.AlignCenter))
        if role == Qt.FontRole and city:
            font = QFont()
            font.setBold(True)
            return font
        if col == NAME:
            return self._name(row, city, role)
        if col in (COMPLETENESS, TIMELINESS):
            return self._rate(row, col, city, role)
        if city:
            return self._city_month(col - FIRST_MONTH + 1, role)
        cell = self.cell(row, col)
        if role == Qt.DisplayRole:
            return SHORT[cell.state]
        if role == Qt.ToolTipRole:
            return cell_tooltip(cell, self.result.year)
        if role == Qt.BackgroundRole:
            return QBrush(QColor(STATE_COLORS[cell.state]))
        return None

    def _name(self, row: int, city: bool, role):
        if role == Qt.DisplayRole:
            return self.tr("全市") if city else self.result.units[row].short_name
        if role == Qt.ToolTipRole:
            return self.tr("各县区合计") if city else self.result.units[row].name
        return None

    def _rate(self, row: int, col: int, city: bool, role):
        rate = self.result.city if city else self.result.units[row].rate
        if role == Qt.DisplayRole:
            return percent(rate.completeness if col == COMPLETENESS else rate.timeliness, missing=MISSING)
        if role == Qt.ToolTipRole:
            return rate_tooltip(rate, col)
        return None

    def _city_month(self, month: int, role):
        """The city row: of the units whose month is due, how many sent it (received ÷ due)."""
        cells = [u.cells[month - 1] for u in self.result.units]
        due = [c for c in cells if c.due]
        if role == Qt.DisplayRole:
            return f"{sum(c.state in RECEIVED for c in due)}/{len(due)}" if due else MISSING
        if role == Qt.ToolTipRole:
            counts = [(s, sum(c.state == s for c in cells)) for s in core.STATES]
            return f"{month}月：" + "，".join(f"{s} {n}" for s, n in counts if n)
        return None
