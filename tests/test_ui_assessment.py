"""考核 page (pytest-qt, offscreen) on the prepared year (tests/assessment_year.py): the score table with its
hand-computed figures, the class filter, a unit's breakdown and 对比找差, the adjustment and scheme dialogs
(clicked and typed), and a unit's read-only scheme; the page is in both installations' navigation."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt

from kexie_desktop.services import offices
from ui.assessment.model import P_CODE, P_EARNED, PartsModel, ScoreModel
from ui.assessment.page import AssessmentPage
from ui.main_window import MainWindow

import assessment_year as prepared
from qtkeys import type_text

TODAY = dt.date(2020, 10, 8)
TABLE_TEXT = [  # by overall rank; see tests/assessment_year.py
    ["连云区", "区", "28.00", "7.00", "14.00", "49.00", "74.00", "66.22%", "1", "1"],
    ["东海县", "县", "40.00", "3.33", "8.89", "52.22", "88.00", "59.34%", "1", "2"],
    ["海州区", "区", "19.33", "4.50", "7.55", "31.38", "74.00", "42.41%", "2", "3"],
    ["赣榆区", "区", "0.00", "0.00", "4.00", "4.00", "74.00", "5.41%", "3", "4"],
]


def make_page(ctx, qtbot, prepare=True) -> AssessmentPage:
    if prepare:
        with ctx.db.write() as s:
            prepared.prepare(s)
    page = AssessmentPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    return page


def table(model) -> list[list[str]]:
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]


def click_row(qtbot, view, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=rect.center())


def test_score_table_class_filter_breakdown_and_gaps(ctx, qtbot):
    page = make_page(ctx, qtbot)
    assert page.year.currentData() == 2020 and page.as_of.date() == QDate(2020, 10, 8)
    assert table(page.scores) == TABLE_TEXT
    assert page.scores.HEADERS == ScoreModel.HEADERS
    assert page.summary.text().startswith("2020年考核，截至 2020-10-08；已保存的方案，完成率封顶 120%")
    assert [page.klass.itemText(i) for i in range(page.klass.count())] == ["全部", "区", "县"]
    page.klass.setCurrentIndex(1)
    assert [r[0] for r in table(page.scores)] == ["连云区", "海州区", "赣榆区"]
    page.klass.setCurrentIndex(0)
    click_row(qtbot, page.table, 2)  # 海州区
    assert page.breakdown_title.title() == "海州区科协（区）得分明细：31.38 / 74.00 分"
    rows = {r[P_CODE] or r[2]: r for r in table(page.parts)}
    assert rows["I20"] == ["定量指标", "I20", "推广新技术新产品", "T1.3 部分", "10.00", "12.00", "130.0%", "12.00",
                           "完成率 130.0%，封顶 120%"]
    assert rows["T26"][P_EARNED] == "4.50" and rows["T26"][-1].endswith("方案已报区政府待印发，因疫情推迟")
    assert rows["预警说明率"][P_EARNED:] == ["2.00", "已说明 1/2 条预警"]
    assert [page.gaps.item(i).text() for i in range(page.gaps.count())] == [
        "I09 科教兴农项目：失 12.00 分", "I08 培育认定特色家庭农场：失 4.67 分", "报送及时率：失 3.89 分",
        "T16 建立智库分支信息网络：失 2.00 分", "T24 推进市县“建家交友”平台建设：失 2.00 分"]
    t26 = [p.code for p in page.parts.rows].index("T26")
    tip = page.parts.data(page.parts.index(t26, 0), Qt.ToolTipRole)
    assert tip.startswith("市科协调整：4.50 分（按节点计算 0.00 分）\n调整人：考核员，")
    assert not page.adjust_button.isEnabled()  # no task chosen yet
    assert len(PartsModel.HEADERS) == page.parts.columnCount()


def test_adjusting_a_task_with_a_reason(ctx, qtbot):
    page = make_page(ctx, qtbot)
    click_row(qtbot, page.table, 1)  # 东海县
    t26 = [p.code for p in page.parts.rows].index("T26")
    click_row(qtbot, page.breakdown, t26)
    assert page.adjust_button.isEnabled()
    qtbot.mouseClick(page.adjust_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.score.value() == 1.33 and dialog.score.maximum() == 2.0
    dialog.score.setValue(2.0)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # no reason: refused, stays open
    assert page.dialog is dialog and dialog.error.text().startswith("请写明调整理由")
    type_text(dialog.reason, "第三个节点已于十月初完成")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert page.dialog is None
    assert table(page.scores)[1] == ["东海县", "县", "40.00", "4.00", "8.89", "52.89", "88.00", "60.10%", "1", "2"]
    assert page.selected_unit().code == prepared.DONGHAI and page.selected_part().code == "T26"
    assert page.parts.data(page.parts.index(t26, P_EARNED)) == "2.00"


def test_editing_the_scheme_weights_and_classes(ctx, qtbot):
    page = make_page(ctx, qtbot)
    qtbot.mouseClick(page.scheme_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog.klass.currentText() == "区" and dialog.cap.value() == 120
    assert [dialog.items.item(r, 1).text() for r in range(dialog.items.rowCount())] == ["I08", "T1.3", "T26", "*"]
    dialog.items.cellWidget(0, 2).setValue(20)  # I08 weighs 20 in 区
    dialog.item_code.setText("I99")
    qtbot.mouseClick(dialog.add_item_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.error.text() == "“区”类的指标权重中有“I99”，计划中没有这个指标代码。" and page.dialog is dialog
    codes = [dialog.items.item(r, 1).text() for r in range(dialog.items.rowCount())]
    assert codes == ["I08", "T1.3", "I99", "T26", "*"]  # indicators first, then tasks
    dialog.items.selectRow(2)
    qtbot.mouseClick(dialog.remove_item_button, Qt.LeftButton)
    assert dialog.items.rowCount() == 4 and dialog.items.cellWidget(0, 2).value() == 20
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert page.dialog is None
    assert table(page.scores)[0][:6] == ["连云区", "区", "40.00", "7.00", "14.00", "61.00"]
    # 东海县 moves into a new class 乡村县 of its own (its points: none yet, then 报送 10 for 完整率)
    qtbot.mouseClick(page.scheme_button, Qt.LeftButton)
    dialog = page.dialog
    type_text(dialog.new_class, "乡村县")
    qtbot.mouseClick(dialog.add_class_button, Qt.LeftButton)
    assert dialog.klass.currentText() == "乡村县"
    dialog.member_box(prepared.DONGHAI).setCurrentText("乡村县")
    dialog.reporting["completeness"].setValue(10)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert page.dialog is None, dialog.error.text()
    assert [page.klass.itemText(i) for i in range(page.klass.count())] == ["全部", "区", "乡村县"]
    donghai = next(r for r in table(page.scores) if r[0] == "东海县")
    # 连云区 is now 61 of 86 = 70.93%: first overall
    assert donghai == ["东海县", "乡村县", "0.00", "0.00", "6.67", "6.67", "10.00", "66.70%", "1", "2"]


def test_a_unit_sees_its_class_scheme_read_only(ctx, qtbot):
    with ctx.db.write() as s:
        prepared.prepare(s)
        offices.set_this_office(s, offices.resolve(s, prepared.DONGHAI))
    page = make_page(ctx, qtbot, prepare=False)
    assert page.summary.text().startswith("东海县科协属于“县”类。")
    text = page.scheme_text.toPlainText()
    assert "【县】东海县\n  定量指标：全部 40 分\n  定性任务：全部 20 分" in text and "【区】" not in text
    assert page.scheme_text.isReadOnly() and not page.scheme_button.isVisible() and not page.adjust_button.isVisible()
    page.open_scheme()
    assert page.dialog is None


def test_the_page_is_in_both_installations(ctx, qtbot):
    for code in (None, prepared.DONGHAI):
        with ctx.db.write() as s:
            offices.set_this_office(s, offices.resolve(s, code) if code else offices.city(s))
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        titles = [window.nav.item(r).text() for r in range(window.nav.count())]
        assert titles[titles.index("计划原文") + 1] == "考核"
        assert isinstance(window.show_page("assessment"), AssessmentPage)
