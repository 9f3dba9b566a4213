"""The 工作清单 tables: the tasks (one row per task and carrying office), a task's milestones and its notes."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from kexie_desktop.display import MISSING

from ..widgets.table_model import RowTableModel
from .operations import MilestoneRow, NoteRow, TaskRow

SECTION, CODE, NAME, OFFICE, DUE, STATUS, MARKS, NEXT, LAST = range(9)
# Light tints of the Okabe–Ito colours (as 报送情况): the status word is the second cue.
STATUS_COLORS = {
    "未启动": "#F2F2F2",
    "推进中": "#D4E6F4",
    "已完成": "#CDEBDD",
    "滞后": "#F6C9B0",
}


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else MISSING


class TaskTableModel(RowTableModel):
    HEADERS = ("章节", "代码", "任务", "承担单位", "完成期限", "状态", "节点", "下一节点", "最近进展")

    rows: list[TaskRow]

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row: TaskRow = self.rows[index.row()]
        col = index.column()
        if role == Qt.DisplayRole:
            return self._text(row, col)
        if role == Qt.ToolTipRole:
            if col == SECTION:
                return f"{row.section_code} {row.section_name}"
            if col == NAME:
                return row.sentence
            if col == OFFICE:
                return row.office_name
            if col == NEXT and row.next_milestone:
                return f"{row.next_milestone.title}（期限 {row.next_milestone.due.isoformat()}）"
            return None
        if role == Qt.BackgroundRole and col == STATUS:
            return QBrush(QColor(STATUS_COLORS[row.status]))
        if role == Qt.TextAlignmentRole and col in (CODE, DUE, STATUS, MARKS, LAST):
            return int(Qt.AlignCenter)
        return None

    @staticmethod
    def _text(row: TaskRow, col: int) -> str:
        if col == SECTION:
            return row.section_code
        if col == CODE:
            return row.task_code
        if col == NAME:
            return row.name
        if col == OFFICE:
            return row.office_short
        if col == DUE:
            return row.due.isoformat()
        if col == STATUS:
            return row.status
        if col == MARKS:
            return f"{row.done_count}/{len(row.milestones)}" if row.milestones else MISSING
        if col == NEXT:
            m = row.next_milestone
            return f"{m.title}（{m.due.isoformat()}）" if m else MISSING
        return day(row.notes[-1].date) if row.notes else MISSING


def milestone_state(m: MilestoneRow, as_of: dt.date) -> str:
    if m.done is not None:
        return "已完成" + ("（逾期完成）" if m.done > m.due else "")
    return "逾期未完成" if m.due < as_of else "未到期"


class MilestoneModel(RowTableModel):
    HEADERS = ("编号", "节点", "期限", "完成日期", "情况")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.as_of = dt.date.today()

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        m: MilestoneRow = self.rows[index.row()]
        col = index.column()
        state = milestone_state(m, self.as_of)
        if role == Qt.DisplayRole:
            return (str(m.id), m.title, m.due.isoformat(), day(m.done), state)[col]
        if role == Qt.BackgroundRole and col == 4:
            color = {"逾期未完成": "滞后", "未到期": "推进中"}.get(state, "已完成")
            return QBrush(QColor(STATUS_COLORS[color]))
        if role == Qt.ToolTipRole and col == 1:
            return m.title
        return None


class NoteModel(RowTableModel):
    HEADERS = ("日期", "进展", "填写人", "证据")

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        n: NoteRow = self.rows[index.row()]
        col = index.column()
        if role == Qt.DisplayRole:
            files = f"{len(n.evidence)} 个文件" if n.evidence else MISSING
            return (n.date.isoformat(), n.text, n.by or MISSING, files)[col]
        if role == Qt.ToolTipRole and col in (1, 3):
            return n.text if col == 1 else "\n".join(e.file_name for e in n.evidence) or None
        return None
