"""The progress table of 总览: one row per indicator, status in words and (colour-blind safe) colour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from kexie_desktop import display
from kexie_desktop.display import MISSING, UNREPORTED
from kexie_desktop.display import figure as number
from kexie_desktop.display import percent
from kexie_desktop.palette import STATUS_STYLES
from kexie_desktop.progress import ProgressRow

from ..widgets.table_model import RowTableModel

CODE, NAME, TARGET, ACTUAL, PROGRESS, EXPECTED, STATUS, PROJECTION = range(8)
HEADERS = ("代码", "指标", "目标", "完成", "完成率", "时序进度", "状态", "预计期末")
# Looked up once: each ``Qt.DisplayRole`` attribute access costs PySide6 several microseconds, and a
# table asks for thousands of cells while it sizes its columns at start-up.
DISPLAY, BACKGROUND, ALIGNMENT, TOOLTIP, USER = (Qt.DisplayRole, Qt.BackgroundRole, Qt.TextAlignmentRole,
                                                 Qt.ToolTipRole, Qt.UserRole)
RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
KIND_HINT = {"annual_flow": "当年累计", "cumulative_flow": "2018年起累计", "level": "最新值", "coverage": "覆盖率",
             "range": "区间", "at_least": "不低于"}


def target_text(row: ProgressRow) -> str:
    return display.target(row.kind, row.unit, row.target, None, row.target_max)


def actual_text(row: ProgressRow) -> str:
    """A consolidated figure says over how many units it stands, e.g. "1/10，已报 4/10"."""
    if not row.reported:
        shown = UNREPORTED
    elif row.kind == "coverage":
        shown = f"{number(row.covered)}/{number(row.base)}"
    else:
        shown = f"{number(row.actual)}{row.unit}"
    if row.consolidated and row.units_total:
        shown += f"，已报 {row.units_reported}/{row.units_total}"
    return shown


def tint(color: str) -> QColor:
    """A light version of a status colour, so black text stays readable on it."""
    c = QColor(color)
    return QColor(int(c.red() * 0.35 + 255 * 0.65), int(c.green() * 0.35 + 255 * 0.65), int(c.blue() * 0.35 + 255 * 0.65))


class ProgressModel(RowTableModel):
    HEADERS = HEADERS

    def set_rows(self, rows: list[ProgressRow]) -> None:
        """Replace the rows; when the indicators are the same, only changed rows are signalled."""
        self.update_rows(rows, key=lambda row: row.code)

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == DISPLAY:
            return self._text(row, col)
        if role == BACKGROUND and col == STATUS:
            style = STATUS_STYLES.get(row.status)
            return QBrush(tint(style.color)) if style else None
        if role == ALIGNMENT and col in (ACTUAL, PROGRESS, EXPECTED, PROJECTION):
            return RIGHT
        if role == TOOLTIP:
            return f"{row.code} {row.name}（{KIND_HINT.get(row.kind, row.kind)}）"
        if role == USER:
            return row
        return None

    @staticmethod
    def _text(row: ProgressRow, col: int) -> str:
        if col == CODE:
            return row.code
        if col == NAME:
            return row.name
        if col == TARGET:
            return target_text(row)
        if col == ACTUAL:
            return actual_text(row)
        if col == PROGRESS:
            return percent(row.progress) if row.reported or row.progress is not None else MISSING
        if col == EXPECTED:
            return percent(row.expected)
        if col == STATUS:
            return row.status
        if row.projection is None:
            return ""
        return f"{row.projection:.1f}%" if row.kind == "coverage" else number(row.projection)
