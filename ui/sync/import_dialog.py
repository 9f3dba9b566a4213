"""The import preview: every file's verdict and the rows it would change, before anything is applied."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.packages.pipeline.results import SAME

from ..widgets.table_model import RowTableModel

STATUS_LABELS = {"ready": "可导入", "unchanged": "未变（已导入过）", "refused": "拒绝"}
STATUS_COLORS = {"ready": "#d8eefe", "unchanged": "#eeeeee", "refused": "#fde0d6"}


UNAPPROVED_COLOR = "#fff2cc"


def review_text(p) -> str:
    """未审核 / 已审核 for a submission (empty for other kinds and refused files)."""
    if p.review is None:
        return ""
    return "未审核" if p.unapproved else "已审核"


class FilesModel(RowTableModel):
    HEADERS = ("文件", "内容", "检查结果", "审核", "变更", "说明")

    def __init__(self, previews, parent=None):
        super().__init__(parent)
        self.rows = list(previews)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        p = self.rows[index.row()]
        if role == Qt.DisplayRole:
            return (
                p.file_name,
                p.manifest.describe() if p.manifest else "—",
                STATUS_LABELS.get(p.status, p.status),
                review_text(p),
                p.counts_text() if p.changes else "",
                p.message,
            )[index.column()]
        if role == Qt.BackgroundRole and index.column() == 2:
            return QBrush(QColor(STATUS_COLORS.get(p.status, "#ffffff")))
        if role == Qt.BackgroundRole and index.column() == 3 and p.unapproved:
            return QBrush(QColor(UNAPPROVED_COLOR))
        if role == Qt.ToolTipRole:
            return p.message
        return None


class ChangesModel(RowTableModel):
    HEADERS = ("变更", "工作表", "行", "项目", "原值", "新值", "原因")

    def set_changes(self, changes) -> None:
        self.set_rows(changes.without(SAME))  # rows are made as the view asks for them

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        c = self.rows[index.row()]
        return (c.action, c.sheet, "" if c.row is None else str(c.row), c.label or c.key, c.old, c.new,
                c.reason)[index.column()]


class ImportPreviewDialog(QDialog):
    """Lists every file; selecting one shows its row changes. 导入 applies the files that are ready."""

    def __init__(self, previews, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("导入预览：确认后才会写入"))
        self.previews = list(previews)
        self.files = FilesModel(self.previews, self)
        self.changes = ChangesModel(self)
        self.file_table = _table(self.files)
        self.change_table = _table(self.changes)
        self.review_label = QLabel()  # the selected package's review: 未审核：7—9月
        self.review_label.setWordWrap(True)
        ready = self.ready_paths()
        self.summary = QLabel(self._summary(ready))
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton(self.tr("导入 %n 个文件", "", len(ready)), QDialogButtonBox.AcceptRole)
        self.apply_button.setEnabled(bool(ready))
        self.buttons.addButton(self.tr("取消"), QDialogButtonBox.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # The selected file's whole verdict: the 说明 column cuts a long refusal short.
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.detail.setObjectName("detail")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail)
        lower_layout.addWidget(self.review_label)
        lower_layout.addWidget(self.change_table, 1)
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.file_table)
        splitter.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.file_table.selectionModel().currentRowChanged.connect(self._show_changes)
        if self.previews:
            self.file_table.selectRow(0)
        self.resize(1100, 640)

    def ready_paths(self) -> list[str]:
        return [str(p.path) for p in self.previews if p.status == "ready"]

    def _summary(self, ready) -> str:
        refused = sum(1 for p in self.previews if p.status == "refused")
        same = sum(1 for p in self.previews if p.status == "unchanged")
        return self.tr("共 %1 个文件：%2 个可导入，%3 个已导入过（不会重复计入），%4 个被拒绝（不会写入任何数据）。"
                       "选中一个文件可查看它将带来的每一处变更。").replace("%1", str(len(self.previews))).replace(
            "%2", str(len(ready))).replace("%3", str(same)).replace("%4", str(refused))

    def _show_changes(self, current, _previous=None) -> None:
        if current.isValid():
            preview = self.previews[current.row()]
            self.changes.set_changes(preview.changes)
            self.review_label.setText(self.review_header(preview))
            self.review_label.setVisible(bool(preview.review_line))
            fit_columns(self.change_table)
            self.detail.setText(self._detail(preview))
            self.detail.setStyleSheet(f"background: {STATUS_COLORS.get(preview.status, '#ffffff')}; padding: 6px;")

    def _detail(self, preview) -> str:
        verdict = STATUS_LABELS.get(preview.status, preview.status)
        text = self.tr("%1：%2").replace("%1", verdict).replace("%2", preview.message)
        if preview.status == "refused":
            text += "\n" + self.tr("此文件不会写入任何数据，其他文件不受影响。")
        return text

    def review_header(self, p) -> str:
        if not p.review_line:
            return ""
        explained = self.tr("已说明的警告 %1 条（工作表“审核说明”）。").replace("%1", str(len(p.review["explained"])))
        if p.unapproved:
            return self.tr("%1。导入后该单位本年数据标为“未审核”。").replace("%1", p.review_line) + explained
        return p.review_line + "。" + explained


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(True)
    fit_columns(view)
    return view


def fit_columns(view: QTableView, sample: int = 200, widest: int = 420) -> None:
    """Column widths from the header and up to ``sample`` rows spread evenly over the table.

    Qt's ResizeToContents would ask the model about a thousand rows, several roles each, on every
    layout: over a second for a 100,000-row package. The user can still drag the columns wider;
    a cut-off cell shows its whole text as a tooltip.
    """
    model, header = view.model(), view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.Interactive)
    n = model.rowCount()
    rows = range(n) if n <= sample else sorted({i * (n - 1) // (sample - 1) for i in range(sample)})
    cells, titles = view.fontMetrics(), header.fontMetrics()
    pad = 2 * cells.averageCharWidth() + 6
    for col in range(model.columnCount() - 1):  # the last one stretches
        width = titles.horizontalAdvance(str(model.headerData(col, Qt.Horizontal) or ""))
        for r in rows:
            width = max(width, cells.horizontalAdvance(str(model.data(model.index(r, col)) or "")))
        header.resizeSection(col, min(widest, width + pad))
