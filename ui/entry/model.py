"""The monthly entry grid's model: indicators × months, edits tracked against the saved values.

Every edit, paste or clear is one QUndoCommand holding old and new cells; "dirty" is derived by
comparing the current cells with the saved ones, so undoing back to the saved state is clean.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QUndoCommand, QUndoStack

from kexie_desktop.display import number
from kexie_desktop.errors import UserError
from kexie_desktop.services.grid import CellValue
from kexie_desktop.validation import parse_cell

from ..review.marks import FINDING_COLOURS, LOCKED_COLOUR, RETURNED_COLOUR, ReviewMarks
from .operations import EntryData, EntryRow

NAME, UNIT = 0, 1
FIRST_MONTH = 2
TOTAL = FIRST_MONTH + 12
LEDGER_BG = QColor("#eef2f7")
DIRTY_BG = QColor("#fff4c2")
MARK_BG = {level: QColor(colour) for level, colour in FINDING_COLOURS.items()}
LOCKED_BG = QColor(LOCKED_COLOUR)
RETURNED_BG = QColor(RETURNED_COLOUR)
LOCKED_FG = QColor("#555555")


def fmt_cell(cell: CellValue | None) -> str:
    if cell is None:
        return ""
    if cell.base is not None:
        return f"{number(cell.value)}/{number(cell.base)}"
    return number(cell.value)


class SetCellsCommand(QUndoCommand):
    def __init__(self, model: "EntryModel", changes: list[tuple[int, int, object, object]], text: str):
        super().__init__(text)
        self.model = model
        self.changes = changes  # (row, month, old, new)

    def redo(self) -> None:
        self.model.put_cells([(r, m, new) for r, m, _old, new in self.changes])

    def undo(self) -> None:
        self.model.put_cells([(r, m, old) for r, m, old, _new in self.changes])


class EntryModel(QAbstractTableModel):
    rejected = Signal(str)  # a refused edit or paste, with the reason in Chinese
    dirty_changed = Signal(bool)

    def __init__(self, undo_stack: QUndoStack, parent=None):
        super().__init__(parent)
        self.undo_stack = undo_stack
        self.data_: EntryData | None = None
        self.rows: list[EntryRow] = []
        self.saved: dict[tuple[int, int], CellValue] = {}
        self.current: dict[tuple[int, int], CellValue] = {}
        self.marks = ReviewMarks()
        self._was_dirty = False
        self.last_refusal = ""  # the reason of the latest refused edit

    # --- loading and state ---------------------------------------------------------------
    def load(self, data: EntryData) -> None:
        self.beginResetModel()
        self.data_ = data
        self.rows = list(data.rows)
        self.saved = {(r, m): data.cells[(row.indicator_id, m)]
                      for r, row in enumerate(self.rows) for m in range(1, 13)
                      if (row.indicator_id, m) in data.cells}
        self.current = dict(self.saved)
        self.marks = data.marks
        self.endResetModel()
        self.undo_stack.clear()
        self._emit_dirty()

    def set_marks(self, marks: ReviewMarks) -> None:
        """New 审核 findings or month states; the cells and their unsaved edits stay."""
        self.marks = marks
        if self.rows:
            self.headerDataChanged.emit(Qt.Horizontal, FIRST_MONTH, TOTAL - 1)
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, TOTAL))

    def mark(self, r: int, col: int):
        """The 审核 mark of a cell (the year's total for column 全年), or None."""
        if col < FIRST_MONTH:
            return None
        return self.marks.cells.get((self.rows[r].code, 0 if col == TOTAL else col - FIRST_MONTH + 1))

    def lock(self, col: int):
        """The lock of a month column (None: not locked)."""
        return self.marks.locks.get(col - FIRST_MONTH + 1) if FIRST_MONTH <= col < TOTAL else None

    def returned(self, r: int, col: int) -> str | None:
        """The city's reasons when it returned this cell (its month or its indicator), else None."""
        if not FIRST_MONTH <= col < TOTAL:
            return None
        return self.marks.returned_reason(self.rows[r].code, col - FIRST_MONTH + 1)

    def edits(self) -> dict[tuple[str, int], CellValue | None]:
        """(indicator code, month) -> new cell (None: cleared), for every cell that differs from saved."""
        keys = set(self.saved) | set(self.current)
        return {
            (self.rows[r].code, m): self.current.get((r, m))
            for r, m in sorted(keys)
            if self.saved.get((r, m)) != self.current.get((r, m))
        }

    def is_dirty(self) -> bool:
        return bool(self.edits())

    def mark_saved(self) -> None:
        self.saved = dict(self.current)
        self._emit_dirty()
        self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, TOTAL))

    def _emit_dirty(self) -> None:
        dirty = self.is_dirty()
        if dirty != self._was_dirty:
            self._was_dirty = dirty
        self.dirty_changed.emit(dirty)

    # --- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else TOTAL + 1

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.ToolTipRole and orientation == Qt.Horizontal and self.lock(section):
            return self.lock(section).message
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Vertical:
            return self.rows[section].code
        if section == NAME:
            return "指标"
        if section == UNIT:
            return "单位"
        if section == TOTAL:
            return "全年"
        lock, month = self.lock(section), section - FIRST_MONTH + 1
        label = lock.label if lock else "已退回" if self.marks.month_returned(month) else ""
        return f"{month}月" + (f"\n{label}" if label else "")

    def flags(self, index):
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if self.is_editable(index):
            return base | Qt.ItemIsEditable
        return base

    def is_editable(self, index) -> bool:
        return (
            index.isValid() and FIRST_MONTH <= index.column() < TOTAL and not self.rows[index.row()].is_ledger
            and self.lock(index.column()) is None and not self.data_.read_only
        )

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role in (Qt.DisplayRole, Qt.EditRole):
            return self._text(index.row(), row, col)
        if role == Qt.ToolTipRole:
            return self._tooltip(index.row(), row, col)
        if role == Qt.BackgroundRole:
            return self._background(index.row(), row, col)
        if role == Qt.ForegroundRole and self.lock(col):
            return QBrush(LOCKED_FG)
        if role == Qt.TextAlignmentRole and col >= FIRST_MONTH:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.FontRole and col == TOTAL:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, r: int, row: EntryRow, col: int) -> str:
        if col == NAME:
            return row.name
        if col == UNIT:
            return "已覆盖/总数" if row.kind == "coverage" else row.unit
        if col == TOTAL:
            return self._total(r, row)
        month = col - FIRST_MONTH + 1
        if row.is_ledger:
            return number(self.data_.ledger.get((row.indicator_id, month)))
        return fmt_cell(self.current.get((r, month)))

    def _total(self, r: int, row: EntryRow) -> str:
        if row.is_ledger:
            figures = [self.data_.ledger.get((row.indicator_id, m)) for m in range(1, 13)]
            return number(sum(f for f in figures if f is not None)) if any(f is not None for f in figures) else ""
        cells = [self.current.get((r, m)) for m in range(1, 13)]
        filled = [c for c in cells if c is not None]
        if not filled:
            return ""
        if row.is_stock:  # a stock's year figure is its latest value
            return fmt_cell(filled[-1])
        return number(sum(c.value for c in filled))

    def _tooltip(self, r: int, row: EntryRow, col: int) -> str | None:
        mark, lock = self.mark(r, col), self.lock(col)
        own = self._own_tooltip(r, row, col)
        returned = self.returned(r, col)
        parts = [p for p in (returned, mark.tooltip if mark else None, lock.message if lock else None, own) if p]
        return "\n".join(parts) or None

    def _own_tooltip(self, r: int, row: EntryRow, col: int) -> str | None:
        if col == NAME:
            return f"{row.code} {row.name}\n计划原文：{row.source}"
        if row.is_ledger and col >= FIRST_MONTH:
            return "由活动台账自动统计（只读）。双击查看该月的台账记录。"
        if FIRST_MONTH <= col < TOTAL:
            cell = self.current.get((r, col - FIRST_MONTH + 1))
            if cell and cell.note:
                return f"备注：{cell.note}"
            if row.kind == "coverage":
                return f"填写“已覆盖数/应覆盖{row.covers or '单位'}总数”，如 12/40"
        return None

    def _background(self, r: int, row: EntryRow, col: int):
        """Unsaved yellow first, then an error, a cell the city returned, an open warning, a locked month's
        grey, explained green."""
        if FIRST_MONTH <= col < TOTAL and not row.is_ledger:
            key = (r, col - FIRST_MONTH + 1)
            if self.saved.get(key) != self.current.get(key):
                return QBrush(DIRTY_BG)
        mark = self.mark(r, col)
        if mark is not None and mark.level == "error":
            return QBrush(MARK_BG[mark.level])
        if self.returned(r, col):
            return QBrush(RETURNED_BG)
        if mark is not None and (mark.level != "explained" or not self.lock(col)):
            return QBrush(MARK_BG[mark.level])
        if self.lock(col) or (self.data_.read_only and FIRST_MONTH <= col < TOTAL and not row.is_ledger):
            return QBrush(LOCKED_BG)  # an earlier plan's year is grey like a locked month
        if row.is_ledger:
            return QBrush(LEDGER_BG)
        return None

    def has_note(self, index) -> bool:
        if not self.is_editable(index):
            return False
        cell = self.current.get((index.row(), index.column() - FIRST_MONTH + 1))
        return bool(cell and cell.note)

    # --- editing (all through undo commands) -------------------------------------------------
    def setData(self, index, value, role=Qt.EditRole) -> bool:
        if role != Qt.EditRole or not self.is_editable(index):
            return False
        try:
            new = self._parse(index.row(), self._month(index), str(value), self.current.get(self._key(index)))
        except UserError as exc:
            self.last_refusal = self._where(index) + str(exc)
            self.rejected.emit(self.last_refusal)
            return False
        return self._push([(index.row(), self._month(index), new)], "修改 " + self._where(index).rstrip("："))

    def paste(self, top_left: QModelIndex, text: str) -> bool:
        """Paste a tab/newline block (as Excel copies it) as one undo step. Cells that cannot take
        their value (read-only, outside the table, refused) are skipped, and the message says which
        and why; False when nothing could be pasted."""
        lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")
        block = [line.split("\t") for line in lines]
        changes, skipped, outside = [], [], 0
        for dr, cells in enumerate(block):
            for dc, raw in enumerate(cells):
                index = self.index(top_left.row() + dr, top_left.column() + dc)
                if not index.isValid():
                    outside += 1
                    continue
                reason = self.read_only_reason(index)
                if reason is None:
                    try:
                        new = self._parse(index.row(), self._month(index), raw, self.current.get(self._key(index)))
                    except UserError as exc:
                        reason = str(exc)
                    else:
                        changes.append((index.row(), self._month(index), new))
                        continue
                skipped.append(self._where(index) + reason)
        count = len(skipped) + outside
        if outside:
            skipped.append(f"{outside} 格超出了表格的边缘。")
        if changes:
            self._push(changes, f"粘贴 {len(changes)} 格")
        if skipped:
            done = f"已粘贴 {len(changes)} 格；" if changes else "未粘贴任何数据；"
            self.rejected.emit(done + f"{count} 格未能填入：" + " ".join(skipped))
        return bool(changes)

    def read_only_reason(self, index: QModelIndex) -> str | None:
        """Why a cell cannot be typed into (None: it can)."""
        if self.is_editable(index):
            return None
        row = self.rows[index.row()]
        if self.data_.read_only and FIRST_MONTH <= index.column() < TOTAL:
            return self.data_.read_only + "。"
        if row.is_ledger and FIRST_MONTH <= index.column() < TOTAL:
            return ("这一行由活动台账自动统计，不能直接填写。请在“活动台账”登记活动"
                    "（双击这一格可查看统计到的记录）。")
        if self.lock(index.column()):
            return self.lock(index.column()).message
        if index.column() == TOTAL:
            return "“全年”是各月的合计，由程序计算，请填写各月的数值。"
        return "这一列是指标说明，不能填写；请在 1—12 月的格子里填写。"

    def clear(self, indexes: list[QModelIndex]) -> bool:
        if self.data_ is not None and self.data_.read_only:
            self.rejected.emit(self.data_.read_only + "。")
            return False
        changes = [(i.row(), self._month(i), None) for i in indexes if self.is_editable(i)]
        locked = [i for i in indexes if self.lock(i.column()) and not self.rows[i.row()].is_ledger]
        done = self._push(changes, f"清除 {len(changes)} 格")
        if locked:  # say why those cells kept their values
            self.rejected.emit(self._where(locked[0]) + self.lock(locked[0].column()).message)
        return done

    def set_note(self, index: QModelIndex, note: str) -> bool:
        if self.data_ is not None and self.data_.read_only:
            self.rejected.emit(self.data_.read_only + "。")
            return False
        cell = self.current.get(self._key(index))
        if cell is None:
            self.rejected.emit(self._where(index) + "请先填写数值，再添加备注。")
            return False
        if len(note) > 500:
            self.rejected.emit(f"备注太长（{len(note)} 字），最多 500 字。")
            return False
        new = CellValue(cell.value, cell.base, note.strip())
        return self._push([(index.row(), self._month(index), new)], "修改备注")

    def _parse(self, r: int, month: int, text: str, old: CellValue | None) -> CellValue | None:
        row = self.rows[r]
        indicator = self.data_.indicators[row.code]
        value, base = parse_cell(indicator, text)
        if value is None:
            return None
        if row.kind == "coverage" and base is None:
            base = old.base if old else self._latest_base(r, month)
            if base is None:
                raise UserError(f"请按“已覆盖数/应覆盖{row.covers or '单位'}总数”填写，例如 12/40。")
            if value > base:
                raise UserError(f"已覆盖数 {number(value)} 不能大于应覆盖总数 {number(base)}。")
        return CellValue(value, base, old.note if old else "")

    def _latest_base(self, r: int, month: int) -> float | None:
        """The total to cover carries over from the latest earlier month, as the core service does."""
        bases = [self.current[(r, m)].base for m in range(month - 1, 0, -1) if (r, m) in self.current]
        earlier = next((b for b in bases if b is not None), None)
        return earlier if earlier is not None else self.data_.bases_before.get(self.rows[r].indicator_id)

    def _push(self, changes: list[tuple[int, int, CellValue | None]], text: str) -> bool:
        real = [(r, m, self.current.get((r, m)), new) for r, m, new in changes if self.current.get((r, m)) != new]
        if not real:
            return True
        self.undo_stack.push(SetCellsCommand(self, real, text))
        return True

    def put_cells(self, cells: list[tuple[int, int, CellValue | None]]) -> None:
        for r, m, cell in cells:
            if cell is None:
                self.current.pop((r, m), None)
            else:
                self.current[(r, m)] = cell
        rows = [r for r, _m, _c in cells]
        if rows:
            self.dataChanged.emit(self.index(min(rows), FIRST_MONTH), self.index(max(rows), TOTAL))
        self._emit_dirty()

    def _key(self, index) -> tuple[int, int]:
        return index.row(), self._month(index)

    @staticmethod
    def _month(index) -> int:
        return index.column() - FIRST_MONTH + 1

    def _where(self, index) -> str:
        row = self.rows[index.row()]
        col = index.column()
        month = f"{col - FIRST_MONTH + 1}月" if FIRST_MONTH <= col < TOTAL else self.headerData(col, Qt.Horizontal)
        return f"“{row.name}”{month}："
