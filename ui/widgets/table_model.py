"""The shape most tables share: one plain row object per table row, one ``HEADERS`` entry per column."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt


class RowTableModel(QAbstractTableModel):
    """A flat table over ``rows``; a subclass names its ``HEADERS`` and answers ``data``.

    ``rows`` is any sequence with ``len`` and indexing and is kept as given, so a lazy one (the import
    preview's changes) stays lazy.
    """

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: Sequence = []

    def set_rows(self, rows: Sequence) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def update_rows(self, rows, key: Callable) -> None:
        """Replace the rows; when their keys are unchanged, only changed rows are signalled (no reset),
        so the selection and scroll position stay where they were."""
        rows = list(rows)
        if [key(r) for r in rows] != [key(r) for r in self.rows]:
            RowTableModel.set_rows(self, rows)  # a subclass's set_rows may be the caller
            return
        old, self.rows = self.rows, rows
        for r, (before, after) in enumerate(zip(old, rows)):
            if before != after:
                self.dataChanged.emit(self.index(r, 0), self.index(r, len(self.HEADERS) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.tr(self.HEADERS[section])
        return None
