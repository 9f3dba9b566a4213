"""总览: progress table and charts, city consolidation, drill-down from the heatmap, chart export."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from kexie_desktop.services import offices, plan, values
from ui.dashboard.page import DashboardPage
from ui.dashboard.progress_model import ACTUAL, CODE, PROGRESS, STATUS, TARGET


def _page(qtbot, ctx, office: str) -> DashboardPage:
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, office))
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 720)
    with qtbot.waitExposed(page):
        page.show()
    qtbot.waitUntil(lambda: "progress" in page.charts, timeout=10000)
    return page


def _cells(page, code: str) -> dict[int, str]:
    r = [row.code for row in page.model.rows].index(code)
    return {c: page.model.index(r, c).data() for c in (CODE, TARGET, ACTUAL, PROGRESS, STATUS)}


def test_unit_sees_its_own_progress(qtbot, demo_ctx):
    page = _page(qtbot, demo_ctx, "海州区")
    assert page.office.count() == 1 and page.office.currentText() == "海州区科协"
    assert page.as_of.date().toString("yyyy-MM-dd") == "2020-12-31"  # today is past the plan: clamped
    codes = [r.code for r in page.model.rows]
    assert "I10" not in codes  # a city-only indicator has no unit row
    assert page.summary.text().startswith("海州区科协 2020年，截至 2020-12-31：已填报 47/47 项有目标的指标。")
    assert set(page.charts) == {"progress", "trend"}


def test_city_view_is_the_consolidation_and_has_city_charts(qtbot, demo_ctx):
    page = _page(qtbot, demo_ctx, "市科协")
    assert page.office.currentText() == "全市汇总（市科协＋各县区）"
    assert page.office.count() == 11
    assert set(page.charts) == {"progress", "trend", "ranking", "overall", "heatmap"}
    city = {r.code: r for r in page.data.rows}
    units = page.data.overview.units
    assert city["I09"].actual == sum(rows_by_code(rows)["I09"].actual for rows in units.values())


def rows_by_code(rows):
    return {r.code: r for r in rows}


def test_not_reported_is_distinct_from_zero(qtbot, ctx):
    with ctx.db.write() as s:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), 2019, 3, 0)
        from kexie_desktop.services import targets

        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 80)
        targets.put_target(s, plan.indicator(s, "I20"), offices.resolve(s, "东海县"), None, 30)
    page = _page(qtbot, ctx, "东海县")
    assert _cells(page, "I09") == {CODE: "I09", TARGET: "80个", ACTUAL: "0个", PROGRESS: "0.0%", STATUS: "严重滞后"}
    assert _cells(page, "I20") == {CODE: "I20", TARGET: "30个", ACTUAL: "未填报", PROGRESS: "—", STATUS: "未填报"}


def test_selecting_an_indicator_redraws_trend_in_the_same_figure(qtbot, demo_ctx):
    page = _page(qtbot, demo_ctx, "海州区")
    trend_figure = page.charts["trend"].figure
    r = [row.code for row in page.model.rows].index("I09")
    rect = page.table.visualRect(page.model.index(r, CODE))
    page.table.scrollTo(page.model.index(r, CODE))
    rect = page.table.visualRect(page.model.index(r, CODE))
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert page.charts["trend"].figure is trend_figure
    assert "I09 科教兴农项目" in trend_figure.axes[0].get_title(loc="left")


def test_an_edit_elsewhere_refreshes_only_the_changed_row(qtbot, demo_ctx):
    page = _page(qtbot, demo_ctx, "海州区")
    progress_figure = page.charts["progress"].figure
    before = {r.code: r for r in page.model.rows}
    changed_rows = []
    page.model.dataChanged.connect(lambda top, bottom: changed_rows.append((top.row(), bottom.row())))
    with demo_ctx.db.write() as s:
        changes = values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "海州区"), 2020, 12, 40)
    demo_ctx.notify(changes)
    after = {r.code: r for r in page.model.rows}
    assert [code for code in before if before[code] != after[code]] == ["I09"]
    r = [row.code for row in page.model.rows].index("I09")
    assert changed_rows == [(r, r)]
    assert page.charts["progress"].figure is progress_figure  # redrawn in place


def test_clicking_a_heatmap_cell_drills_down_to_the_unit(qtbot, demo_ctx):
    page = _page(qtbot, demo_ctx, "市科协")
    view = page.charts["heatmap"]
    page.tabs.setCurrentWidget(view)
    view.canvas.draw()
    units = list(page.data.overview.units)
    codes = [c for c in (r.code for r in page.data.overview.city)
             if any(getattr(rows_by_code(rows).get(c), "target", None) is not None
                    for rows in page.data.overview.units.values())]
    ax = view.figure.axes[0]
    x, y = ax.transData.transform((units.index("320723"), codes.index("I09")))
    height = view.canvas.height()
    qtbot.mouseClick(view.canvas, Qt.LeftButton, pos=QPoint(int(x), int(height - y)))
    assert page.office.currentData() == "320723"
    assert page.data.office_name == "灌云县科协"
    assert page.selected_code() == "I09"


def test_chart_export_to_png_and_svg(qtbot, demo_ctx, tmp_path, monkeypatch):
    page = _page(qtbot, demo_ctx, "海州区")
    target = tmp_path / "进度.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.export_button, Qt.LeftButton)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "进度.svg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(svg), ""))
    qtbot.mouseClick(page.export_button, Qt.LeftButton)
    assert b"<svg" in svg.read_bytes()[:500]
    assert page.summary.text() == "图表已导出：" + str(svg)


@pytest.mark.parametrize("day,expected", [(dt.date(2019, 6, 30), "2019-06-30")])
def test_as_of_date_changes_the_year_scope(qtbot, demo_ctx, day, expected):
    page = _page(qtbot, demo_ctx, "海州区")
    page.year.setCurrentIndex(page.year.findData(2019))
    page.year.activated.emit(page.year.currentIndex())
    assert page.as_of.date().toString("yyyy-MM-dd") == "2019-12-31"
    from PySide6.QtCore import QDate

    page.as_of.setDate(QDate(day.year, day.month, day.day))
    assert page.data.as_of.isoformat() == expected
    row = rows_by_code(page.data.rows)["I02"]  # an annual target: half a year elapsed
    assert row.expected == pytest.approx(181 / 365)


def test_progress_table_says_how_many_units_a_city_figure_rests_on(db, qapp):
    from kexie_desktop import progress
    from ui.dashboard.progress_model import ProgressModel

    with db.write() as s:
        for unit, covered in zip(offices.units(s)[:4], (1, 0, 0, 0)):
            values.set_value(s, plan.indicator(s, "I01"), unit, 2020, 6, covered, base=1)
    with db.read() as s:
        model = ProgressModel()
        model.set_rows(progress.city_progress(s, 2020, dt.date(2020, 12, 31)).city)
    cells = {model.index(r, CODE).data(): model.index(r, ACTUAL).data() for r in range(model.rowCount())}
    assert cells["I01"] == "1/10，已报 4/10"
    assert cells["I08"] == "未填报，已报 0/10"
    assert cells["I04"] == "未填报"  # city only: rests on the city office alone
def _heatmap_text(view, col: int, row: int) -> str:
    return next(t.get_text() for t in view.figure.axes[0].texts if t.get_position() == (col, row))


def test_city_charts_follow_an_import_whichever_office_is_shown(qtbot, tmp_path):
    """The heatmap and 综合排名 are redrawn from the import's Changes record, with a unit shown too."""
    from hostile.helpers import export_sub, init_unit, make_city
    from kexie_desktop.services import targets
    from kexie_desktop.startup import open_app_database
    from tests.conftest import make_context
    from ui.main_window import MainWindow

    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, "320703", tmp_path)
    with city.write() as s:
        for u in offices.units(s):
            targets.put_target(s, plan.indicator(s, "I09"), u, None, 10)
    with unit.write() as s:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "320703"), 2020, 3, 7)
    package = tmp_path / "连云区-上报包.xlsx"
    export_sub(unit, "320703", 2020, package)
    unit.close()
    window = MainWindow(make_context(city, tmp_path))
    qtbot.addWidget(window)
    window.show()
    page = window.dashboard
    qtbot.waitUntil(lambda: "heatmap" in page.charts, timeout=10000)
    page.drill_down("320703", "I09")  # the city looks at 连云区 before the package arrives
    qtbot.waitUntil(lambda: page.data.office_code == "320703", timeout=10000)
    heatmap = page.charts["heatmap"]
    units = list(page.data.overview.units)
    assert _heatmap_text(heatmap, units.index("320703"), 0) == "未"
    assert [(r.office_code, r.reported) for r in page.overall if r.office_code == "320703"] == [("320703", 0)]

    sync = window.show_page("sync")
    sync.import_files([str(package)])
    qtbot.waitUntil(lambda: getattr(sync, "preview_dialog", None) is not None, timeout=20000)
    with qtbot.waitSignal(sync.imported, timeout=20000):
        qtbot.mouseClick(sync.preview_dialog.apply_button, Qt.LeftButton)
    window.show_page("dashboard")
    qtbot.waitUntil(lambda: _heatmap_text(heatmap, units.index("320703"), 0) == "70", timeout=10000)
    mine = [r for r in page.overall if r.office_code == "320703"][0]
    assert (mine.rank, mine.score, mine.reported, mine.indicators) == (1, pytest.approx(0.7), 1, 1)
    assert page.data.office_code == "320703" and _cells(page, "I09")[ACTUAL] == "7个"
    city.close()


def test_the_table_is_filled_and_painted_before_the_charts_are_built(qtbot, demo_ctx, monkeypatch):
    with demo_ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "海州区"))
    order = []
    real_draw = DashboardPage.draw_charts
    monkeypatch.setattr(DashboardPage, "draw_charts",
                        lambda self: (order.append((self.model.rowCount(), self._table_painted)), real_draw(self)))
    page = DashboardPage(demo_ctx)
    qtbot.addWidget(page)
    qtbot.wait(50)  # events run, but nothing painted the table yet: no chart
    assert page.model.rowCount() == 47 and page.charts == {} and order == []
    page.resize(1366, 720)
    page.show()
    qtbot.waitUntil(lambda: "progress" in page.charts, timeout=10000)
    assert order == [(47, True)]


def test_at_start_up_the_status_bar_counts_after_the_first_page_is_painted(qtbot, demo_ctx, monkeypatch):
    from ui.main_window import MainWindow

    window = MainWindow()  # as at start-up: the window is on screen before the database opens
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    seen = []
    real_update = MainWindow._update_status_bar
    monkeypatch.setattr(MainWindow, "_update_status_bar",
                        lambda self: (seen.append(self.dashboard._table_painted), real_update(self)))
    window.attach(demo_ctx)
    assert seen == [] and window.unsent_label.text() == ""
    qtbot.waitUntil(lambda: seen != [], timeout=10000)
    assert seen == [True] and window.unsent_label.text() == "　未上报的修改：0 处"  # no office set: nothing counted


def _city_page_at_1366(qtbot, ctx) -> DashboardPage:
    """The dashboard as it sits in a 1366×768 window (less navigation, menu and status bars)."""
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.city(s))
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366 - 150, 640)
    with qtbot.waitExposed(page):
        page.show()
    qtbot.waitUntil(lambda: "heatmap" in page.charts, timeout=10000)
    return page


def test_at_1366_the_heatmap_has_horizontal_labels_and_the_wheel_scrolls_it(qtbot, demo_ctx):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    page = _city_page_at_1366(qtbot, demo_ctx)
    view = page.charts["heatmap"]
    page.tabs.setCurrentWidget(view)
    qtbot.wait(50)
    ax = view.figure.axes[0]
    labels = ax.get_xticklabels() + ax.get_yticklabels()
    assert len(labels) > 20 and {label.get_rotation() for label in labels} == {0.0}
    assert ax.get_xticklabels()[6].get_text() == "经济技术\n开发区"
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0  # taller than its pane: it scrolls
    centre = QPointF(view.canvas.width() / 2, 100)
    wheel = QWheelEvent(centre, view.canvas.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120), Qt.NoButton,
                        Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(view.canvas, wheel)
    assert bar.value() > 0


def test_at_1366_every_column_of_the_table_shows_whole(qtbot, demo_ctx):
    from ui.dashboard.progress_model import HEADERS, PROJECTION

    page = _city_page_at_1366(qtbot, demo_ctx)
    header = page.table.horizontalHeader()
    text = header.fontMetrics().horizontalAdvance(HEADERS[PROJECTION])
    assert page.table.columnWidth(PROJECTION) >= text
    right = page.table.columnViewportPosition(PROJECTION) + page.table.columnWidth(PROJECTION)
    assert right <= page.table.viewport().width()  # 预计期末 is not cut by the pane
    assert page.table.horizontalScrollBar().maximum() == 0


def test_the_wheel_over_a_chart_scrolls_its_view(qtbot):
    """matplotlib's canvas accepts wheel events itself (in a plain application they then never reach
    the scroll area; under pytest-qt they happen to): the view's filter takes them for its scroll bars."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent

    from ui.widgets.chart_view import ChartView

    view = ChartView()
    qtbot.addWidget(view)
    view.resize(300, 300)
    view.draw(lambda fig: (fig.set_size_inches(3, 10), fig.add_subplot()))
    view.show()
    qtbot.waitExposed(view)
    centre = QPointF(50, 50)
    wheel = QWheelEvent(centre, view.canvas.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120), Qt.NoButton,
                        Qt.NoModifier, Qt.NoScrollPhase, False)
    assert view.eventFilter(view.canvas, wheel) is True  # taken: the canvas never sees it
    bar = view.verticalScrollBar()
    assert bar.value() == 3 * bar.singleStep()  # three lines per notch
