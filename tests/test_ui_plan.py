"""The first window: browsing the plan's sections, indicators, targets, sources and full text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.qtkeys import type_text
from ui.main_window import MainWindow
from ui.plan.browser import IndicatorTableModel


def _window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitExposed(window):
        window.show()
    return window


def _visible_codes(browser) -> list[str]:
    proxy = browser.proxy
    return [proxy.index(r, IndicatorTableModel.CODE).data() for r in range(proxy.rowCount())]


def _click_section(qtbot, browser, name: str) -> None:
    item = browser.sections.findItems(name, Qt.MatchExactly | Qt.MatchRecursive)[0]
    browser.sections.scrollToItem(item)
    rect = browser.sections.visualItemRect(item)
    qtbot.mouseClick(browser.sections.viewport(), Qt.LeftButton, pos=rect.center())


def test_table_model_without_widgets(ctx):
    from ui.plan.operations import load_plan_overview

    model = IndicatorTableModel()
    model.set_rows(load_plan_overview(ctx).indicators)
    assert model.rowCount() == 61
    assert model.data(model.index(1, IndicatorTableModel.NAME)) == "高层次学术报告会"
    assert model.data(model.index(1, IndicatorTableModel.TARGET)) == "10场"
    assert model.data(model.index(42, IndicatorTableModel.TARGET)) == "4—6所"
    assert model.data(model.index(0, IndicatorTableModel.TARGET)) == "全覆盖（100%）"
    assert model.data(model.index(35, IndicatorTableModel.TARGET)) == "50人以上"


def test_clicking_a_section_filters_the_indicators(qtbot, ctx):
    window = _window(qtbot, ctx)
    browser = window.show_page("plan_browser")
    assert len(_visible_codes(browser)) == 61
    assert browser.count_label.text() == "61 项"
    _click_section(qtbot, browser, "打造学术交流品牌")
    assert _visible_codes(browser) == ["I02", "I03", "I18", "I19"]
    _click_section(qtbot, browser, "实施科普服务计划")  # a plan shows its tasks' indicators
    assert _visible_codes(browser)[:4] == ["I11", "I12", "I38", "I39"]


def test_typing_a_search_filters_by_name_and_source(qtbot, ctx):
    window = _window(qtbot, ctx)
    browser = window.show_page("plan_browser")
    type_text(browser.search, "志愿者")
    assert _visible_codes(browser) == ["I12"]
    browser.search.clear()
    type_text(browser.search, "覆盖率")  # the Chinese label of the coverage kind
    assert _visible_codes(browser) == [
        "I01", "I07", "I11", "I30", "I37", "I44", "I45", "I46", "I47", "I53", "I54", "I55", "I59", "I60", "I61"
    ]


def test_selecting_an_indicator_shows_target_and_source_and_locates_it(qtbot, ctx):
    window = _window(qtbot, ctx)
    browser = window.show_page("plan_browser")
    assert browser.detail.toPlainText().startswith("I01")  # the first indicator is shown at start
    type_text(browser.search, "科学教育示范校")
    table = browser.table
    rect = table.visualRect(browser.proxy.index(0, IndicatorTableModel.NAME))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    detail = browser.detail.toPlainText()
    assert "I43" in detail and "4—6所" in detail and "区间目标" in detail
    assert "开展科学教育示范创建，新增省级科学教育示范校4-6所，实现科学教师和骨干科技辅导员培训全覆盖" in detail
    qtbot.mouseClick(browser.locate, Qt.LeftButton)
    assert window.current_page() is window.plan_text
    assert window.plan_text.selected_text().startswith("开展科学教育示范创建，新增省级科学教育示范校4-6所")


def test_plan_text_search_and_navigation_shortcut(qtbot, ctx):
    window = _window(qtbot, ctx)
    with qtbot.waitActive(window):
        window.activateWindow()
    action = next(a for a in window.view_menu.actions() if a.text() == "计划原文")
    QTest.keySequence(window.entry.table, action.shortcut())
    assert window.current_page() is window.plan_text
    page = window.plan_text
    type_text(page.search, "6万人")
    qtbot.keyClick(page.search, Qt.Key_Return)
    assert page.selected_text() == "6万人"
    page.search.clear()
    type_text(page.search, "火星基地")
    qtbot.mouseClick(page.find_next, Qt.LeftButton)
    assert page.status.text() == "未找到“火星基地”"


def test_status_bar_names_office_and_database(qtbot, ctx, db_path):
    window = _window(qtbot, ctx)
    assert window.office_label.text() == "本机单位：未设定单位"
    assert str(db_path) in window.db_label.text()


def test_drill_down_from_a_ledger_cell_opens_the_ledger_page(qtbot, ctx):
    import datetime as dt

    from kexie_desktop.services import activities, offices

    with ctx.db.write() as s:
        office = offices.resolve(s, "海州区")
        offices.set_this_office(s, office)
        report = activities.resolve_type(s, "ACAD_REPORT")
        activities.add_activity(s, office, report, dt.date(2020, 5, 3), "院士报告会")
        activities.add_activity(s, office, report, dt.date(2020, 6, 3), "青年学者报告会")
    window = _window(qtbot, ctx)
    grid = window.entry
    row = [r.code for r in grid.model.rows].index("I02")
    index = grid.model.index(row, 2 + 4)  # May
    assert index.data() == "1"
    rect = grid.table.visualRect(index)
    qtbot.mouseClick(grid.table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(grid.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert window.current_page() is window.ledger
    ledger = window.ledger
    titles = [ledger.model.rows[r].title for r in range(len(ledger.model.rows))]
    assert titles == ["院士报告会"]


def test_both_pages_show_the_current_plan_and_an_earlier_one_on_request(qtbot, ctx):
    from kexie_desktop.services import plan, plan_authoring

    window = _window(qtbot, ctx)
    browser, text = window.show_page("plan_browser"), window.show_page("plan_text")
    assert [browser.plan_choice.itemText(i) for i in range(browser.plan_choice.count())] == ["2018—2020年计划（当前）"]
    with ctx.db.write() as s:  # the next plan with its own text, published and made current
        new = plan_authoring.copy_plan(s, plan.current_plan(s), "LYG-KX-2021-2025", "新一轮计划", 2021, 2025)
        plan_authoring.set_plan_text(s, new, plan.plan_text() + "\n到2025年新建科普教育基地50个。\n")
        plan_authoring.publish_plan(s, new)
        changes = plan_authoring.use_plan(s, new)
    ctx.notify(changes)
    labels = ["2021—2025年计划（当前）", "2018—2020年计划"]
    assert [browser.plan_choice.itemText(i) for i in range(browser.plan_choice.count())] == labels
    assert [text.plan_choice.itemText(i) for i in range(text.plan_choice.count())] == labels
    assert text.text.toPlainText().endswith("到2025年新建科普教育基地50个。\n")
    assert browser.overview.end_year == 2025

    browser.plan_choice.setCurrentIndex(1)  # the ended plan, as it was
    assert (browser.overview.start_year, browser.overview.end_year) == (2018, 2020)
    type_text(browser.search, "科学教育示范校")
    rect = browser.table.visualRect(browser.proxy.index(0, IndicatorTableModel.NAME))
    qtbot.mouseClick(browser.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert "到2020年" in browser.detail.toPlainText()
    qtbot.mouseClick(browser.locate, Qt.LeftButton)
    assert window.current_page() is window.plan_text
    assert text.plan_choice.currentData() == "LYG-KX-2018-2020"  # the text of the plan the sentence is from
    assert "到2025年新建科普教育基地50个" not in text.text.toPlainText()
    assert text.selected_text().startswith("开展科学教育示范创建，新增省级科学教育示范校4-6所")
