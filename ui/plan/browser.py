"""Plan browser: sections, the indicators of the built-in plan with their targets and sources."""

from __future__ import annotations

import html

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..context import AppContext
from ..widgets.table_model import RowTableModel
from .operations import IndicatorRow, PlanOverview, load_plan_overview, plan_choices

ALL_SECTIONS = "*"


class IndicatorTableModel(RowTableModel):
    CODE, NAME, KIND, PERIOD, TARGET, AGGREGATION, ENTRY = range(7)
    HEADERS = ("代码", "指标", "类型", "期限", "目标（市级）", "汇总方式", "数据来源")

    def set_rows(self, rows: list[IndicatorRow]) -> None:
        super().set_rows(list(rows))

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.DisplayRole:
            return (
                row.code, row.name, row.kind_label, row.period_label, row.target_text,
                row.aggregation_label, row.entry_label,
            )[index.column()]
        if role == Qt.ToolTipRole:
            return row.sources[0]
        if role == Qt.UserRole:
            return row
        return None


class IndicatorFilter(QSortFilterProxyModel):
    """Filters by section (a section shows its sub-sections' indicators too) and by text."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.section = ALL_SECTIONS
        self.text = ""

    def set_section(self, code: str) -> None:
        self._refilter(lambda: setattr(self, "section", code))

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "text", text.strip()))

    def _refilter(self, change) -> None:
        # Qt 6.10 replaced invalidateFilter() with begin/endFilterChange().
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:
        row: IndicatorRow = self.sourceModel().rows[source_row]
        if self.section != ALL_SECTIONS and not (
            row.section_code == self.section or row.section_code.startswith(self.section + ".")
        ):
            return False
        if self.text:
            haystack = " ".join((row.code, row.name, row.kind_label, *row.sources))
            return self.text.lower() in haystack.lower()
        return True


class PlanBrowser(QWidget):
    """Sections on the left, indicators in the middle, the selected indicator's details below."""

    show_in_text = Signal(str)  # a source sentence to locate in the plan text

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.sections = QTreeWidget()
        self.sections.setHeaderLabel(self.tr("计划结构"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索指标名称、代码或原文…"))
        self.search.setClearButtonEnabled(True)
        self.model = IndicatorTableModel(self)
        self.proxy = IndicatorFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.locate = QPushButton(self.tr("在计划原文中定位"))
        self.locate.setEnabled(False)
        self.count_label = QLabel()
        self.plan_choice = QComboBox()  # the current plan first; an earlier one is shown as it was
        self._fill_plans()
        self._build_layout()
        self.plan_choice.currentIndexChanged.connect(lambda _i: self.reload())
        self.ctx.bus.changed.connect(self._on_changes)
        self.sections.currentItemChanged.connect(self._on_section)
        self.search.textChanged.connect(self._on_search)
        self.table.selectionModel().currentRowChanged.connect(self._on_indicator)
        self.locate.clicked.connect(self._on_locate)
        self.reload()

    def _build_layout(self) -> None:
        middle = QWidget()
        col = QVBoxLayout(middle)
        col.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("计划：")))
        top.addWidget(self.plan_choice)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        col.addLayout(top)
        col.addWidget(self.table, 3)
        col.addWidget(self.detail, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.locate)
        col.addLayout(buttons)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.sections)
        splitter.addWidget(middle)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _fill_plans(self, keep: str | None = None) -> None:
        self.plan_choice.blockSignals(True)
        self.plan_choice.clear()
        for code, label in plan_choices(self.ctx):
            self.plan_choice.addItem(label, code)
        self.plan_choice.setCurrentIndex(max(self.plan_choice.findData(keep), 0) if keep else 0)
        self.plan_choice.blockSignals(False)

    def plan_code(self) -> str | None:
        return self.plan_choice.currentData()

    def _on_changes(self, changes) -> None:
        if changes.plan or changes.targets or changes.everything:
            if changes.plan or changes.everything:  # another plan may be current, or a new one arrived
                self._fill_plans()
            self.reload()

    def reload(self) -> None:
        overview = load_plan_overview(self.ctx, self.plan_code())
        self.overview = overview
        self.model.set_rows(overview.indicators)
        self._fill_sections(overview)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(IndicatorTableModel.NAME, QHeaderView.Stretch)
        self._update_count()
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def _fill_sections(self, overview: PlanOverview) -> None:
        self.sections.clear()
        root = QTreeWidgetItem([self.tr("全部指标（%n 项）", "", len(overview.indicators))])
        root.setData(0, Qt.UserRole, ALL_SECTIONS)
        self.sections.addTopLevelItem(root)
        items: dict[str, QTreeWidgetItem] = {}
        for section in overview.sections:
            item = QTreeWidgetItem([section.name])
            item.setData(0, Qt.UserRole, section.code)
            item.setToolTip(0, section.name)
            parent = items.get(section.parent) if section.parent else None
            (parent.addChild(item) if parent else root.addChild(item))
            items[section.code] = item
        self.sections.expandToDepth(1)
        self.sections.setCurrentItem(root)

    def _update_count(self) -> None:
        self.count_label.setText(self.tr("%n 项", "", self.proxy.rowCount()))

    def _on_section(self, item, _previous=None) -> None:
        if item is not None:
            self.proxy.set_section(item.data(0, Qt.UserRole))
            self._update_count()

    def _on_search(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def current_indicator(self) -> IndicatorRow | None:
        index = self.table.currentIndex()
        return index.data(Qt.UserRole) if index.isValid() else None

    def _on_indicator(self, *_args) -> None:
        row = self.current_indicator()
        self.locate.setEnabled(row is not None)
        self.detail.setHtml(_detail_html(row) if row else "")

    def _on_locate(self) -> None:
        row = self.current_indicator()
        if row is not None:
            self.show_in_text.emit(row.sources[0])


def _detail_html(row: IndicatorRow) -> str:
    e = html.escape
    covers = f"<tr><td>覆盖对象</td><td>{e(row.covers)}</td></tr>" if row.covers else ""
    phrase = e(row.phrase)
    sources = "".join(
        f"<p style='margin:4px 0'>“{e(src).replace(phrase, f'<b>{phrase}</b>')}。”</p>" for src in row.sources
    )
    return (
        f"<h3 style='margin:0'>{e(row.code)}　{e(row.name)}</h3>"
        "<table cellspacing='6'>"
        f"<tr><td>目标</td><td><b>{e(row.target_text)}</b>（{e(row.period_label)}）</td></tr>"
        f"<tr><td>类型</td><td>{e(row.kind_label)}</td></tr>"
        f"<tr><td>单位</td><td>{e(row.unit)}</td></tr>{covers}"
        f"<tr><td>汇总方式</td><td>{e(row.aggregation_label)}</td></tr>"
        f"<tr><td>数据来源</td><td>{e(row.entry_label)}</td></tr>"
        f"<tr><td>所属部分</td><td>{e(row.section_name)}</td></tr>"
        "</table>"
        f"<p style='margin-top:8px'><b>计划原文出处：</b></p>{sources}"
    )
