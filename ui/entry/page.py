"""数据填报: the monthly grid that behaves like a spreadsheet (Tab/Enter, typing over, paste, undo)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPainter, QPolygon
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.errors import StaleEdit
from kexie_desktop.storage_errors import describe

from ..context import AppContext
from ..errors import show_error
from ..plan import operations as plan_ops
from ..widgets.year_selector import ReadOnlyBanner, YearSelector
from . import operations
from .model import FIRST_MONTH, NAME, TOTAL, EntryModel


class CellDelegate(QStyledItemDelegate):
    """Draws a note marker; Enter commits and moves down like a spreadsheet."""

    def paint(self, painter: QPainter, option, index) -> None:
        super().paint(painter, option, index)
        if index.model().has_note(index):
            r = option.rect
            painter.save()
            painter.setRenderHint(QPainter.Antialiasing)
            painter.setBrush(Qt.red)
            painter.setPen(Qt.NoPen)
            painter.drawPolygon(QPolygon([QPoint(r.right() - 6, r.top()), QPoint(r.right(), r.top()),
                                          QPoint(r.right(), r.top() + 6)]))
            painter.restore()

    def setModelData(self, editor, model, index) -> None:
        # A refused value keeps its editor open (see EntryTable.closeEditor), with the reason.
        refused = not model.setData(index, editor.text(), Qt.EditRole) and model.is_editable(index)
        editor.setProperty("refused", refused)
        editor.setToolTip(model.last_refusal if refused else "")
        editor.setStyleSheet("border: 2px solid #b00020;" if refused else "")

    def eventFilter(self, editor, event) -> bool:
        if event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter):
            editor.setProperty("enter_pressed", True)
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.NoHint)
            return True
        return super().eventFilter(editor, event)


class EntryTable(QTableView):
    """Spreadsheet keys: Enter moves down, Delete clears, Ctrl+C/V copy and paste blocks."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setEditTriggers(
            QAbstractItemView.AnyKeyPressed | QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setItemDelegate(CellDelegate(self))

    read_only = Signal(str)  # typed or double-clicked into a cell that cannot take a value: why

    def closeEditor(self, editor, hint) -> None:
        if editor.property("refused") and editor.hasFocus():
            # Enter or Tab on a refused value: the editor stays, the text selected for typing over;
            # clicking elsewhere (focus gone) closes it and the cell keeps its old value.
            editor.setProperty("refused", False)
            editor.setProperty("enter_pressed", False)
            editor.selectAll()
            return
        enter = bool(editor.property("enter_pressed"))
        super().closeEditor(editor, QAbstractItemDelegate.NoHint if enter else hint)
        if enter:
            self._move_down()

    def _move_down(self) -> None:
        current = self.currentIndex()
        below = current.sibling(current.row() + 1, current.column())
        if below.isValid():
            self.setCurrentIndex(below)

    def keyPressEvent(self, event) -> None:
        model: EntryModel = self.model()
        if event.matches(QKeySequence.Paste):
            model.paste(self.currentIndex(), QGuiApplication.clipboard().text())
        elif event.matches(QKeySequence.Copy):
            QGuiApplication.clipboard().setText(self._selection_text())
        elif event.key() in (Qt.Key_Delete, Qt.Key_Backspace) and self.state() != QAbstractItemView.EditingState:
            model.clear(self.selectedIndexes())
        elif event.key() in (Qt.Key_Return, Qt.Key_Enter) and self.state() != QAbstractItemView.EditingState:
            self._move_down()
        elif (event.text().strip() and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier)
              and self.state() != QAbstractItemView.EditingState and self.currentIndex().isValid()
              and not model.is_editable(self.currentIndex())):
            self.read_only.emit(model.read_only_reason(self.currentIndex()))
        else:
            super().keyPressEvent(event)

    def _selection_text(self) -> str:
        indexes = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        if not indexes:
            return ""
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes})
        cells = {(i.row(), i.column()): i.data() or "" for i in indexes}
        return "\n".join("\t".join(cells.get((r, c), "") for c in cols) for r in rows)


class EntryPage(QWidget):
    show_ledger = Signal(str, int, int)  # indicator code, year, month

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = EntryModel(ctx.undo_stack, self)
        self.table = EntryTable()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(False)
        self.office_label = QLabel()
        self.year = YearSelector()
        self.plan_note = ReadOnlyBanner()
        self.save_button = QPushButton(self.tr("保存 (Ctrl+S)"))
        self.save_action = QAction(self.tr("保存"), self)
        self.save_action.setShortcut(QKeySequence.Save)
        self.save_action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.addAction(self.save_action)
        self.undo_button = QPushButton(self.tr("撤销"))
        self.redo_button = QPushButton(self.tr("重做"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self._missed_changes = False
        self._saving = False
        self._build_layout()
        self._connect()
        self.reload()
        ctx.guards.append(self.confirm_leave)

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.office_label)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("年度：")))
        bar.addWidget(self.year)
        bar.addStretch(1)
        for button in (self.undo_button, self.redo_button, self.save_button):
            bar.addWidget(button)
        hint = QLabel(self.tr("直接输入数字，Tab/回车 移到下一格；可从 Excel 复制一块后 Ctrl+V 粘贴；"
                              "Delete 清除；右键添加备注。灰色行由活动台账自动统计。"))
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.plan_note)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    def _connect(self) -> None:
        self.model.rejected.connect(self.show_rejection)
        self.table.read_only.connect(self.show_read_only)
        self.model.dirty_changed.connect(self._on_dirty)
        self.save_button.clicked.connect(self.save)
        self.save_action.triggered.connect(self.save)
        self.undo_button.clicked.connect(self.ctx.undo_stack.undo)
        self.redo_button.clicked.connect(self.ctx.undo_stack.redo)
        self.ctx.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.ctx.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.year.activated.connect(self._on_year)
        self.table.setContextMenuPolicy(Qt.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(self._on_double_click)
        self.ctx.bus.changed.connect(self._on_changes)

    def reload(self, year: int | None = None) -> None:
        data = operations.load_entry(self.ctx, year or self.year.currentData())
        self.office_label.setText(self.tr("填报单位：") + data.office_name)
        self.year.set_choices(plan_ops.year_choices(self.ctx), data.year)
        self.plan_note.show_reason(data.read_only)
        self.model.load(data)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        self.table.setColumnWidth(NAME, 210)
        for col in range(1, TOTAL + 1):
            self.table.setColumnWidth(col, 60 if col >= FIRST_MONTH else 84)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self.message.clear()

    def show_rejection(self, text: str) -> None:
        self.message.setStyleSheet("color: #b00020; font-weight: bold;")
        self.message.setText(self.tr("未接受：") + text)

    def show_read_only(self, text: str) -> None:
        self.message.setStyleSheet("color: #7a5b00; font-weight: bold;")
        self.message.setText(self.tr("不能填写：") + text)

    def _on_dirty(self, dirty: bool) -> None:
        self.save_button.setEnabled(dirty)
        if dirty:
            self.message.setStyleSheet("color: #7a5b00;")
            self.message.setText(self.tr("有 %n 格尚未保存（黄色）。", "", len(self.model.edits())))
        elif self.message.text().startswith("有"):
            self.message.clear()

    def has_unsaved(self) -> bool:
        return self.model.is_dirty()

    def save(self) -> bool:
        edits = self.model.edits()
        if not edits:
            return True
        data = self.model.data_
        try:
            changes = operations.save_entry(self.ctx, data.office_code, data.year, edits, data.versions)
        except Exception as exc:  # noqa: BLE001 - shown to the user, edits stay in the grid
            show_error(self, self.tr("保存失败"), exc)
            if isinstance(describe(exc), StaleEdit):  # another PC changed a cell: show what is saved now
                self._missed_changes = False
                self.reload(data.year)
                self.show_rejection(str(describe(exc)))
            return False
        self.model.mark_saved()
        self.refresh_marks()  # a corrected value clears its finding, a changed one voids its 说明
        missed, self._missed_changes = self._missed_changes, False
        self._saving = True  # our own change: the grid already shows it (and keeps its undo history)
        try:
            self.ctx.notify(changes)
        finally:
            self._saving = False
        if missed:  # something changed elsewhere while edits were pending: show it now
            self.reload(self.model.data_.year)
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(self.tr("已保存 %n 格。", "", len(edits)))
        return True

    def confirm_leave(self) -> bool:
        """Ask before unsaved edits would be lost; True when it is fine to go on."""
        if not self.has_unsaved():
            return True
        answer = QMessageBox.question(
            self, self.tr("尚未保存"), self.tr("填报表中有尚未保存的修改。是否保存？"),
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save,
        )
        if answer == QMessageBox.Save:
            return self.save()
        if answer == QMessageBox.Discard:
            self.discard()
            return True
        return False

    def discard(self) -> None:
        """Forget the unsaved edits: the grid shows what is saved again (no yellow cells, no undo)."""
        self._missed_changes = False
        self.reload(self.model.data_.year)

    def _on_year(self, _index: int) -> None:
        wanted = self.year.currentData()
        if wanted == self.model.data_.year:
            return
        if not self.confirm_leave():
            self.year.setCurrentIndex(self.year.findData(self.model.data_.year))
            return
        self.reload(wanted)

    def refresh_marks(self) -> None:
        data = self.model.data_
        try:
            marks = operations.load_review_marks(self.ctx, data.office_code, data.year)
        except Exception as exc:  # noqa: BLE001 - the grid keeps working without fresh marks
            show_error(self, self.tr("无法读取审核提示"), exc)
            return
        self.model.set_marks(marks)

    def select_cell(self, code: str, year: int, month: int) -> bool:
        """Show ``code``'s cell of ``year``-``month`` (month 0: the year's total), selected and in view.

        False when the year could not be shown (unsaved edits kept) or the indicator is not in the grid."""
        if year != self.model.data_.year:
            if not self.confirm_leave():
                return False
            self.reload(year)
        row = next((r for r, entry in enumerate(self.model.rows) if entry.code == code), None)
        if row is None:
            return False
        index = self.model.index(row, TOTAL if month == 0 else FIRST_MONTH + month - 1)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index, QAbstractItemView.PositionAtCenter)
        self.table.setFocus()
        return True

    def _on_changes(self, changes) -> None:
        if changes.review and not (changes.everything or changes.settings or changes.values or changes.activities):
            self.refresh_marks()  # an explanation or a month state: the cells and edits stay
            return
        if changes.plan and not self.has_unsaved():  # another plan became current: its latest year
            self.year.clear()
            self.reload()
            return
        # Reload when something this grid shows changed elsewhere; with edits pending, after the save.
        if self._saving or not (changes.everything or changes.activities or changes.settings or changes.values):
            return
        if self.has_unsaved():
            self._missed_changes = True
            self.refresh_marks()
        else:
            self.reload(self.model.data_.year)

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        menu = QMenu(self)
        note = menu.addAction(self.tr("备注…"))
        note.setEnabled(self.model.is_editable(index))
        clear = menu.addAction(self.tr("清除"))
        clear.setEnabled(self.model.is_editable(index))
        menu.addSeparator()
        history = menu.addAction(self.tr("修改记录…"))
        chosen = self.popup_menu(menu, self.table.viewport().mapToGlobal(pos))
        if chosen is note:
            self.edit_note(index)
        elif chosen is clear:
            self.model.clear(self.table.selectedIndexes() or [index])
        elif chosen is history:
            self.show_history(index)

    def popup_menu(self, menu: QMenu, where) -> QAction | None:
        """The chosen action of a context menu (one place for tests to stand in for the user)."""
        return menu.exec(where)

    def show_history(self, index) -> None:
        """The cell's history (a month column) or the whole year's of its row (name and total)."""
        from ..history.dialog import HistoryDialog
        from ..history.operations import load_history

        row, data = self.model.rows[index.row()], self.model.data_
        month = index.column() - FIRST_MONTH + 1 if FIRST_MONTH <= index.column() < TOTAL else None
        try:
            title, entries = load_history(self.ctx, data.office_code, row.code, data.year, month, targets=False)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("无法显示修改记录"), exc)
            return
        self.history_dialog = HistoryDialog(title, entries, self)
        self.history_dialog.open()

    def edit_note(self, index) -> None:
        cell = self.model.current.get((index.row(), index.column() - FIRST_MONTH + 1))
        text, ok = QInputDialog.getMultiLineText(self, self.tr("备注"), self.tr("这一格的说明（最多 500 字）："),
                                                 cell.note if cell else "")
        if ok:
            self.model.set_note(index, text)

    def _on_double_click(self, index) -> None:
        row = self.model.rows[index.row()]
        reason = self.model.read_only_reason(index)
        if reason:
            self.show_read_only(reason)
        if row.is_ledger and FIRST_MONTH <= index.column() < TOTAL:
            self.show_ledger.emit(row.code, self.model.data_.year, index.column() - FIRST_MONTH + 1)
