"""修改记录: who changed a cell or target, when, from what to what, and where the change came from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableView, QVBoxLayout

from kexie_desktop.services.history import HistoryEntry

from ..widgets.table_model import RowTableModel

AT, USER, WHAT, PERIOD, OLD, NEW, SOURCE = range(7)


class HistoryModel(RowTableModel):
    HEADERS = ("时间", "修改人", "项目", "期间", "原值", "新值", "来源")

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role != Qt.DisplayRole:
            return None
        e: HistoryEntry = self.rows[index.row()]
        return (f"{e.at:%Y-%m-%d %H:%M}", e.user, e.what, e.period, e.old, e.new, e.source)[index.column()]


class HistoryDialog(QDialog):
    def __init__(self, title: str, entries: list[HistoryEntry], parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("修改记录"))
        self.resize(900, 360)
        heading = QLabel(title)
        heading.setStyleSheet("font-weight: bold;")
        self.model = HistoryModel(self)
        self.model.set_rows(list(reversed(entries)))  # newest first
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(SOURCE, QHeaderView.Stretch)
        self.empty = QLabel(self.tr("还没有修改记录：这一项从未被填报或修改过。"))
        self.empty.setVisible(not entries)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
