"""总览: progress against targets for an office and year, with charts; at the city the consolidated
view, the ranking of units and the heatmap, with drill-down from a unit's cell to that unit."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.progress import BEHIND, DONE, ON_TRACK, SERIOUS, UNREPORTED

from ..context import AppContext
from ..errors import show_error
from ..plan import operations as plan_ops
from ..widgets import file_dialogs
from ..widgets.dialog_parts import filter_bar
from ..widgets.lazy_reload import LazyReload
from ..widgets.year_selector import ReadOnlyBanner, YearSelector
from . import operations as ops
from .progress_model import NAME, ProgressModel


class DashboardPage(LazyReload, QWidget):
    def __init__(self, ctx: AppContext, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._today = today
        self.setup = ops.load_setup(ctx, today)
        self.data: ops.DashboardData | None = None
        self.charts: dict[str, object] = {}
        self.overall: list = []  # the city's overall ranking as last drawn
        self._table_painted = False
        self.office = QComboBox()
        for option in self.setup.offices:
            self.office.addItem(option.label, option.code)
        self.year = YearSelector()
        self.year.set_choices(plan_ops.year_choices(ctx), self.setup.default_year)
        self.plan_note = ReadOnlyBanner()
        self.as_of = QDateEdit(_qdate(self.setup.default_as_of))
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self._set_date_range()
        self.export_button = QPushButton(self.tr("导出图表…"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = ProgressModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.viewport().installEventFilter(self)
        self.tabs = QTabWidget()
        self._build_layout()
        self._connect()
        self.reload()

    def _build_layout(self) -> None:
        bar = filter_bar(((self.tr("单位："), self.office), (self.tr("年度："), self.year),
                          (self.tr("截至："), self.as_of)),
                         (self.export_button,))
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 620])
        splitter.splitterMoved.connect(self._splitter_moved)
        splitter.installEventFilter(self)
        self.splitter = splitter
        self._user_split = False
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.plan_note)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        self.office.activated.connect(lambda _i: self.reload())
        self.year.activated.connect(lambda _i: self._on_year())
        self.as_of.dateChanged.connect(lambda _d: self.reload())
        self.export_button.clicked.connect(self.export_chart)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._draw_selected())
        self.tabs.currentChanged.connect(lambda _i: self._draw_selected())
        self.ctx.bus.changed.connect(self._on_changes)

    # --- data -------------------------------------------------------------------------------
    def current_office(self) -> str:
        return self.office.currentData()

    def reload(self) -> None:
        year = self.year.currentData()
        as_of = self.as_of.date().toPython()
        try:
            self.data = ops.load_dashboard(self.ctx, self.current_office(), year, as_of, self.setup.is_city)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("无法计算进度"), exc)
            return
        for i, label in enumerate(ops.office_labels(self.ctx, self.setup, year)):
            self.office.setItemText(i, label)
        selected = self.selected_code()
        self.model.set_rows(self.data.rows)
        self._fit_columns()
        self.summary.setText(self._summary_text())
        self.plan_note.show_reason(self.year.read_only())
        self.select_indicator(selected or (self.data.rows[0].code if self.data.rows else None))
        self._stale = False
        # Charts (and matplotlib) come after the table is on screen: at start-up after its first paint.
        if self._table_painted:
            QTimer.singleShot(0, self.draw_charts)

    def eventFilter(self, obj, event) -> bool:
        if not self._table_painted and event.type() == QEvent.Paint and obj is self.table.viewport():
            self._table_painted = True
            QTimer.singleShot(0, self.draw_charts)
        elif obj is self.splitter and event.type() == QEvent.Resize:
            self._split()
        return super().eventFilter(obj, event)

    def _set_date_range(self) -> None:
        """Dates of every plan the year choice offers: an earlier plan's year is looked at as of its end."""
        years = [self.year.itemData(i) for i in range(self.year.count()) if self.year.itemData(i) is not None]
        self.as_of.setDateRange(QDate(min(years), 1, 1), QDate(max(years), 12, 31))

    def _on_year(self) -> None:
        year = self.year.currentData()
        day = self.as_of.date().toPython()
        if day.year != year:  # keep the as-of date inside the chosen year
            self.as_of.blockSignals(True)
            self.as_of.setDate(QDate(year, 12, 31) if day.year < year else QDate(year, 12, 31))
            self.as_of.blockSignals(False)
        self.reload()

    def _summary_text(self) -> str:
        d = self.data
        counts = {s: sum(1 for r in d.rows if r.status == s) for s in (DONE, ON_TRACK, BEHIND, SERIOUS, UNREPORTED)}
        scope = self.tr("全市汇总") if d.consolidated else d.office_name
        done = d.completeness
        parts = "，".join(f"{status} {n} 项" for status, n in counts.items())
        text = self.tr("%1 %2年，截至 %3：已填报 %4/%5 项有目标的指标。%6。").replace("%1", scope).replace(
            "%2", str(d.year)).replace("%3", d.as_of.isoformat()).replace("%4", str(done.reported)).replace(
            "%5", str(done.required)).replace("%6", parts)
        if not d.consolidated and not done.required:
            text += "\n" + self.tr(
                "本单位还没有目标：县区的目标由市科协分解后下发。请向市科协索取下发包（或初始化包和激活码），"
                "在“数据交换”页点“选择文件导入…”导入后，这里就会显示完成率和进度。")
        return text

    def _fit_columns(self) -> None:
        """Every column as wide as its contents and header (measured once, not on every change)."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.resizeSections(QHeaderView.ResizeToContents)
        self.table.setColumnWidth(NAME, 170)
        self._split()

    def _table_width(self) -> int:
        """The width that shows every column (预计期末 included) without a horizontal scroll bar."""
        columns = sum(self.table.columnWidth(c) for c in range(self.model.columnCount()))
        return columns + self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth() + 2

    def _split(self) -> None:
        """The table gets the width it needs (at most 55% of the page; the name column gives way
        first), the charts the rest; until the user moves the splitter."""
        total = self.splitter.width() - self.splitter.handleWidth()
        if self._user_split or total <= 0 or not self.model.rowCount():
            return
        limit = total * 11 // 20
        self.table.setColumnWidth(NAME, 170)
        need = self._table_width()
        if need > limit:
            self.table.setColumnWidth(NAME, max(110, 170 - (need - limit)))
            need = min(self._table_width(), limit)
        self.splitter.setSizes([need, total - need])

    def _splitter_moved(self, *_args) -> None:
        self._user_split = True

    def selected_code(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()].code if index.isValid() and index.row() < len(self.model.rows) else None

    def select_indicator(self, code: str | None) -> None:
        codes = [r.code for r in self.model.rows]
        if code in codes:
            self.table.selectRow(codes.index(code))

    def _on_changes(self, changes) -> None:
        if changes.plan or changes.everything:  # another plan may be current: its years first
            self.setup = ops.load_setup(self.ctx, self._today)
            self.year.set_choices(plan_ops.year_choices(self.ctx), self.setup.default_year if changes.plan else None)
            self._set_date_range()
            if changes.plan:
                self.as_of.blockSignals(True)
                self.as_of.setDate(_qdate(self.setup.default_as_of))
                self.as_of.blockSignals(False)
        if (changes.values or changes.activities or changes.targets or changes.settings or changes.plan
                or changes.everything):
            self.reload_when_shown()


    # --- charts ------------------------------------------------------------------------------
    def _chart(self, key: str, title: str):
        if key not in self.charts:
            from ..widgets.chart_view import ChartView

            view = ChartView(keep_min_width=key == "heatmap")
            self.charts[key] = view
            self.tabs.addTab(view, title)
            if key == "heatmap":
                view.connect_click(self._on_heatmap_click)
        return self.charts[key]

    def draw_charts(self) -> None:
        if self.data is None:
            return
        from kexie_desktop import charts

        self._chart("progress", self.tr("进度")).draw(lambda fig: charts.progress_chart(self.data.rows, fig=fig))
        self._chart("trend", self.tr("趋势"))
        if self.setup.is_city:
            self._chart("ranking", self.tr("排名"))
            self._chart("overall", self.tr("综合排名"))
            self._chart("heatmap", self.tr("热力图"))
        self._draw_selected()
        if self.data.overview is not None:  # the city: whichever office is shown, from the current figures
            overview = self.data.overview
            self._chart("heatmap", "").draw(lambda fig: charts.heatmap_chart(overview, fig=fig))
            self.overall = ops.overall_ranking(self.ctx, overview)
            self._chart("overall", "").draw(lambda fig: charts.overall_chart(self.overall, fig=fig))

    def _draw_selected(self) -> None:
        """Trend and ranking follow the selected indicator."""
        code = self.selected_code()
        if self.data is None or code is None or "trend" not in self.charts:
            return
        from kexie_desktop import charts
        from kexie_desktop.progress import rank_indicator

        trend = ops.load_trend(self.ctx, code, self.data.office_code, self.data.year, self.data.as_of)
        self.charts["trend"].draw(lambda fig: charts.trend_chart(trend, fig=fig))
        if "ranking" in self.charts and self.data.overview is not None:
            ranks = rank_indicator(self.data.overview, code)
            self.charts["ranking"].draw(lambda fig: charts.ranking_chart(ranks, fig=fig))

    def _on_heatmap_click(self, event) -> None:
        if event.xdata is None or event.ydata is None or self.data is None or self.data.overview is None:
            return
        from kexie_desktop.charts import heatmap_cell

        cell = heatmap_cell(self.data.overview, event.xdata, event.ydata)
        if cell is not None:
            self.drill_down(*cell)

    def drill_down(self, unit_code: str, indicator_code: str) -> None:
        """From a unit's cell of the city view to that unit's own progress, on the same indicator."""
        self.office.setCurrentIndex(self.office.findData(unit_code))
        self.reload()
        self.select_indicator(indicator_code)
        self.tabs.setCurrentWidget(self.charts.get("progress") or self.tabs.currentWidget())

    def export_chart(self) -> None:
        view = self.tabs.currentWidget()
        if view is None:
            return
        from kexie_desktop import charts

        name = f"{self.data.office_name}-{self.data.year}年-{self.tabs.tabText(self.tabs.currentIndex())}.png"
        path, _filter = file_dialogs.save_file(
            self, self.ctx.settings, self.tr("导出图表"), name, self.tr("PNG 图片 (*.png);;SVG 矢量图 (*.svg)")
        )
        if not path:
            return
        try:
            charts.save_figure(view.figure, path)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("导出图表失败"), exc)
            return
        self.summary.setText(self.tr("图表已导出：") + path)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)
