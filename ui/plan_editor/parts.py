"""What the editor's tabs share: a table over plain lines with named columns, and a form's button row."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QPushButton, QTableView, QWidget

from ..widgets.table_model import RowTableModel


class LinesModel(RowTableModel):
    """``columns``: (header, how a line shows in that column)."""

    def __init__(self, columns: Sequence[tuple[str, Callable]], parent=None):
        super().__init__(parent)
        self.HEADERS = tuple(header for header, _ in columns)
        self._cells = [cell for _, cell in columns]

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if role not in (Qt.DisplayRole, Qt.ToolTipRole) or not index.isValid():
            return None
        return self._cells[index.column()](self.rows[index.row()])

    def row_of(self, code: str) -> int:
        return next((n for n, line in enumerate(self.rows) if line.code == code), -1)


def table(model: RowTableModel, widths: Sequence[int] = ()) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setDefaultSectionSize(24)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    return view


def select_code(view: QTableView, model: LinesModel, code: str | None) -> bool:
    row = model.row_of(code) if code else -1
    if row < 0:
        return False
    view.setCurrentIndex(model.index(row, 0))
    view.scrollTo(model.index(row, 0))
    return True


def current_line(view: QTableView, model: LinesModel):
    index = view.currentIndex()
    return model.rows[index.row()] if index.isValid() and index.row() < len(model.rows) else None


def buttons(parent: QWidget, *labels: str) -> tuple[QHBoxLayout, list[QPushButton]]:
    row = QHBoxLayout()
    made = [QPushButton(parent.tr(label)) for label in labels]
    for button in made:
        row.addWidget(button)
    row.addStretch(1)
    return row, made
