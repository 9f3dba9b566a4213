"""Issue 17, scope 1: every page's year choice spans the plans; an earlier plan's year shows that plan's
indicators, targets, data and reports read-only, every edit disabled with "2018—2020年计划已结束，只能查看"."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from kexie_desktop import progress as engine
from kexie_desktop.services import offices, plan
from tests.two_plans import ENDED, NEW, OLD, add_new_plan, as_office, choose_year


def old_progress(ctx, office: str, year: int) -> dict:
    """(actual, target) per indicator on the old plan, computed before the new plan exists."""
    with ctx.db.read() as s:
        rows = engine.progress_for(s, offices.resolve(s, office), year, dt.date(year, 12, 31))
        return {r.code: (r.actual, r.target) for r in rows}


# --- 总览 --------------------------------------------------------------------------------------------
def test_dashboard_lists_both_plans_and_shows_2020_of_the_old_one(qtbot, demo_ctx):
    from ui.dashboard.page import DashboardPage

    as_office(demo_ctx, "海州区")
    before = old_progress(demo_ctx, "海州区", 2020)
    add_new_plan(demo_ctx)
    page = DashboardPage(demo_ctx)
    qtbot.addWidget(page)
    labels = [page.year.itemText(i) for i in range(page.year.count()) if page.year.itemData(i) is not None]
    assert labels == ["2021年", "2022年", "2023年", "2024年", "2025年",
                      "2018年（2018—2020年计划）", "2019年（2018—2020年计划）", "2020年（2018—2020年计划）"]
    assert page.year.currentData() == 2025 and page.plan_note.isHidden()
    choose_year(qtbot, page.year, 2020)
    assert page.as_of.date().toString("yyyy-MM-dd") == "2020-12-31"
    assert {r.code: (r.actual, r.target) for r in page.data.rows} == before
    assert page.plan_note.text() == ENDED and not page.plan_note.isHidden()
    assert page.summary.text().startswith("海州区科协 2020年，截至 2020-12-31：已填报 47/47 项有目标的指标。")
    choose_year(qtbot, page.year, 2021)
    assert page.plan_note.isHidden()
    assert page.summary.text().startswith("海州区科协 2021年，截至 2021-12-31：已填报 1/47 项有目标的指标。已完成 1 项")  # a carried-over level


# --- 数据填报 ----------------------------------------------------------------------------------------
def entry_page(qtbot, ctx):
    from ui.entry.page import EntryPage

    page = EntryPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    with qtbot.waitExposed(page):
        page.show()
    with qtbot.waitActive(page):
        page.activateWindow()
    return page


def grid_texts(page, code: str) -> list[str]:
    from ui.entry.model import FIRST_MONTH

    r = [row.code for row in page.model.rows].index(code)
    return [page.model.index(r, FIRST_MONTH + m).data() or "" for m in range(12)]


def stored(ctx, plan_code: str, office: str, code: str, year: int) -> dict[int, float]:
    from sqlalchemy import select

    from kexie_desktop.models import DataValue

    with ctx.db.read() as s:
        indicator = plan.indicator(s, code, plan.plan_by_code(s, plan_code))
        rows = s.scalars(select(DataValue).where(DataValue.indicator_id == indicator.id, DataValue.year == year,
                                                 DataValue.office_id == offices.resolve(s, office).id))
        return {r.month: r.value for r in rows}


def test_unit_enters_2021_on_the_new_plan_then_sees_2020_unchanged_and_read_only(qtbot, demo_ctx):
    from tests.test_ui_entry import cell, click, type_keys

    as_office(demo_ctx, "海州区")
    old_2020 = stored(demo_ctx, OLD, "海州区", "I09", 2020)
    assert len(old_2020) == 12
    add_new_plan(demo_ctx)
    page = entry_page(qtbot, demo_ctx)
    assert page.year.currentData() == 2025 and page.plan_note.isHidden()
    choose_year(qtbot, page.year, 2021)
    assert grid_texts(page, "I09") == [""] * 12
    click(qtbot, page, cell(page, "I09", 3))
    type_keys(qtbot, page, "7\r")
    assert page.save() is True
    assert stored(demo_ctx, NEW, "海州区", "I09", 2021) == {3: 7.0}
    choose_year(qtbot, page.year, 2020)
    assert page.model.data_.year == 2020 and page.plan_note.text() == ENDED and page.plan_note.isVisible()
    assert grid_texts(page, "I09") == [f"{old_2020[m]:g}" for m in range(1, 13)]
    assert not page.model.flags(cell(page, "I09", 3)) & Qt.ItemIsEditable
    click(qtbot, page, cell(page, "I09", 3))
    type_keys(qtbot, page, "9")
    assert page.message.text() == "不能填写：" + ENDED + "。"
    assert page.model.paste(cell(page, "I09", 1), "1\t2") is False
    assert page.model.clear([cell(page, "I09", 1)]) is False
    assert not page.model.is_dirty()
    assert stored(demo_ctx, OLD, "海州区", "I09", 2020) == old_2020
    assert stored(demo_ctx, NEW, "海州区", "I09", 2021) == {3: 7.0}
    choose_year(qtbot, page.year, 2021)
    assert page.plan_note.isHidden() and grid_texts(page, "I09")[2] == "7"
    assert page.model.flags(cell(page, "I09", 4)) & Qt.ItemIsEditable


# --- 目标 --------------------------------------------------------------------------------------------
def test_targets_of_2020_are_the_old_plans_and_cannot_be_edited(qtbot, demo_ctx, monkeypatch):
    from kexie_desktop.services import targets
    from tests.test_ui_targets import _make_page, click_row, row_texts
    from ui.targets.page import TARGET

    as_office(demo_ctx, "市科协")
    add_new_plan(demo_ctx)
    with demo_ctx.db.write() as s:  # the new plan's 2021 target differs from the old plan's
        targets.put_target(s, plan.indicator(s, "I02"), offices.city(s), 2021, 12, source="manual")
    page = _make_page(qtbot, demo_ctx, monkeypatch)
    opened = []
    monkeypatch.setattr(page, "_open", lambda dialog: opened.append(dialog))
    choose_year(qtbot, page.year_combo, 2020)
    assert page.year_combo.currentText() == "2020年（2018—2020年计划）"
    assert row_texts(page, "I02")[TARGET] == "10场"
    assert page.note.text() == ENDED + "。"
    click_row(qtbot, page, "I02", double=True)
    assert opened == []
    assert not page.edit_button.isEnabled() and page.edit_button.toolTip() == ENDED
    assert not page.split_button.isEnabled() and page.split_button.toolTip() == ENDED
    page.edit_target()
    assert opened == []
    choose_year(qtbot, page.year_combo, 2021)
    assert row_texts(page, "I02")[TARGET] == "12场"
    click_row(qtbot, page, "I02")
    assert page.edit_button.isEnabled() and page.edit_button.toolTip() == "修改选中指标的目标（回车或双击）"
    page.edit_target()
    assert len(opened) == 1


# --- 活动台账 ----------------------------------------------------------------------------------------
OLD_NAME = "连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）"


def old_month_refusal(year: int, month: int) -> str:
    return f"{year}年{month}月属于计划“{OLD_NAME}”（{OLD}，2018—2020年），不是当前计划，其数据只能查看，不能修改。"


@pytest.fixture
def ledger(qtbot, ctx, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from kexie_desktop.services import activities, settings
    from tests.test_ui_ledger import RECORDS
    from ui.ledger.page import LedgerPage

    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "海州区"))
        settings.put(s, "user_filler", "王芳")
        for uid, (office, kind, date, title, place, participants, audience, note) in RECORDS.items():
            activities.add_activity(s, offices.resolve(s, office), activities.resolve_type(s, kind), date, title,
                                    place=place, participants=participants, audience=audience, note=note, uid=uid,
                                    plan=plan.current_plan(s))
    add_new_plan(ctx)
    with ctx.db.write() as s:
        activities.add_activity(s, offices.resolve(s, "海州区"), activities.resolve_type(s, "ACAD_REPORT"),
                                dt.date(2021, 4, 8), "新计划报告会", audience=80, uid="n", plan=plan.current_plan(s))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail(f"unexpected question: {a[1:]}"))
    page = LedgerPage(ctx)
    qtbot.addWidget(page)
    page.resize(1210, 680)
    with qtbot.waitExposed(page):
        page.show()
    return page


def test_ledger_shows_the_old_plans_records_which_cannot_be_changed(qtbot, ledger, ctx):
    from PySide6.QtCore import QDate

    from kexie_desktop.errors import UserError
    from kexie_desktop.services import activities
    from tests.test_ui_ledger import ALL, click_row, titles

    page = ledger
    assert titles(page) == [*ALL, "新计划报告会"]  # the old plan's records stay in the ledger, unchanged
    assert page.plan_note.isHidden() and page.add_button.isEnabled()
    opened = []
    page._open = lambda dialog: opened.append(dialog)
    click_row(qtbot, page, "AI 前沿报告会", double=True)
    assert opened == []
    assert not page.edit_button.isEnabled() and not page.delete_button.isEnabled()
    assert page.edit_button.toolTip() == page.delete_button.toolTip() == ENDED
    qtbot.keyClick(page.table, Qt.Key_Delete)  # no question asked, nothing deleted
    click_row(qtbot, page, "新计划报告会")
    assert page.edit_button.isEnabled() and page.delete_button.isEnabled()
    assert page.edit_button.toolTip() == "编辑选中的记录（回车或双击）"
    page.filters.date_from.setDate(QDate(2020, 1, 1))
    page.filters.date_to.setDate(QDate(2020, 12, 31))
    page.reload()
    assert titles(page) == ["AI 前沿报告会", "青年科技工作者沙龙", "海洋经济学术报告会", "六月报告会"]
    assert page.plan_note.text() == ENDED and page.plan_note.isVisible()
    assert not page.add_button.isEnabled() and page.add_button.toolTip() == ENDED
    page.add_activity()
    assert opened == []
    with pytest.raises(UserError) as refused, ctx.db.write() as s:  # reached anyway: the core refuses
        activities.update_activity(s, "b", type="ACAD_REPORT", date=dt.date(2021, 5, 3), title="改名")
    assert str(refused.value) == old_month_refusal(2020, 5)
    with pytest.raises(UserError) as refused, ctx.db.write() as s:
        activities.delete_activity(s, "g")
    assert str(refused.value) == old_month_refusal(2018, 11)
    with ctx.db.read() as s:
        assert activities.find_activity(s, "b").title == "AI 前沿报告会"


# --- 报表 --------------------------------------------------------------------------------------------
def test_report_of_2020_is_the_old_plans_report_unchanged(qtbot, demo_ctx):
    import dataclasses

    from kexie_desktop.report.model import build_report
    from ui.report import operations as report_ops
    from ui.report.page import ReportPage

    as_office(demo_ctx, "市科协")
    today = dt.date(2021, 1, 20)
    with demo_ctx.db.read() as s:
        before = repr(dataclasses.asdict(build_report(s, offices.city(s), 2020, dt.date(2020, 12, 31), today=today)))
    add_new_plan(demo_ctx)
    page = ReportPage(demo_ctx, today=today)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    assert page.year.currentData() == 2021 and page.plan_note.isHidden()
    choose_year(qtbot, page.year, 2020)
    assert page.as_of.date().toPython() == dt.date(2020, 12, 31)
    assert page.plan_note.text() == ENDED and page.plan_note.isVisible()
    assert page.choice() == report_ops.Choice("320700", 2020, dt.date(2020, 12, 31))
    after = report_ops.build(demo_ctx, page.choice(), lambda *_a: None, today)
    assert repr(dataclasses.asdict(after)) == before  # every figure, text and chart series
    qtbot.mouseClick(page.preview_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    assert page.pages is not None and "截至 2020-12-31" in page.preview_title.text()
    assert page.excel_button.isEnabled()  # a report of an ended plan can still be exported and printed
    choose_year(qtbot, page.year, 2021)
    assert page.plan_note.isHidden()


# --- 考核 --------------------------------------------------------------------------------------------
def test_assessment_of_2020_is_the_old_plans_and_cannot_be_changed(ctx, qtbot):
    from PySide6.QtCore import QDate

    import assessment_year as prepared
    from kexie_desktop.errors import UserError
    from kexie_desktop.assessment.adjustments import adjust
    from kexie_desktop.services import assessment_scheme
    from tests.test_ui_assessment import TABLE_TEXT, TODAY, click_row, table
    from ui.assessment.page import AssessmentPage

    with ctx.db.write() as s:
        prepared.prepare(s)
    add_new_plan(ctx)
    page = AssessmentPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    assert page.year.currentData() == 2021 and page.plan_note.isHidden() and page.scheme_button.isEnabled()
    choose_year(qtbot, page.year, 2020)
    assert page.as_of.date() == QDate(2020, 10, 8)
    assert table(page.scores) == TABLE_TEXT  # exactly as before the new plan
    assert page.summary.text().startswith("2020年考核，截至 2020-10-08；已保存的方案，完成率封顶 120%")
    assert page.plan_note.text() == ENDED and page.plan_note.isVisible()
    assert not page.scheme_button.isEnabled() and page.scheme_button.toolTip() == ENDED
    click_row(qtbot, page.table, 2)  # 海州区
    t26 = [p.code for p in page.parts.rows].index("T26")
    click_row(qtbot, page.breakdown, t26)
    assert page.selected_part().code == "T26"
    assert not page.adjust_button.isEnabled() and page.adjust_button.toolTip() == ENDED
    page.open_scheme()
    page.open_adjust()
    assert page.dialog is None
    with pytest.raises(UserError) as refused, ctx.db.write() as s:
        assessment_scheme.reset(s, 2020)
    assert str(refused.value) == REFUSED_2020
    with pytest.raises(UserError) as refused, ctx.db.write() as s:
        adjust(s, 2020, offices.resolve(s, "海州区"), "T26", 1.0, "补充材料后重新评定")
    assert str(refused.value) == REFUSED_2020
    choose_year(qtbot, page.year, 2021)
    assert page.plan_note.isHidden() and page.scheme_button.isEnabled()


REFUSED_2020 = f"2020年属于计划“{OLD_NAME}”（{OLD}，2018—2020年），不是当前计划，其数据只能查看，不能修改。"


# --- 审核 --------------------------------------------------------------------------------------------
def test_review_of_2019_shows_the_old_findings_and_every_action_is_disabled(qtbot, ctx):
    from kexie_desktop.errors import UserError
    from kexie_desktop.review import explanations, states
    from tests.test_ui_review import cells
    from ui.review.page import ReviewPage

    _review_data(ctx)  # as tests/test_ui_review.py's unit_ctx: an error and a warning in 2019
    add_new_plan(ctx)
    page = ReviewPage(ctx, today=dt.date(2021, 7, 15))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    assert page.view.year == 2021 and page.plan_note.isHidden()
    choose_year(qtbot, page.year, 2019)
    assert page.view.year == 2019 and page.view.read_only == ENDED
    assert cells(page, 1) == ["E01", "W01"] and cells(page, 3) == ["2019年1月", "2019年2月"]
    assert page.plan_note.text() == ENDED and page.month_note.text() == ENDED + "。"
    for button in (page.submit_button, page.approve_button, page.unapprove_button):
        assert not button.isEnabled() and button.toolTip() == ENDED
    page.table.selectRow(1)  # the warning: no explanation can be written
    assert not page.explanation.isEnabled() and not page.save_explanation.isEnabled()
    refused = f"2019年属于计划“{OLD_NAME}”（{OLD}，2018—2020年），不是当前计划，其数据只能查看，不能修改。"
    for act in (lambda s, o: states.submit(s, o, 2019, 3, today=dt.date(2021, 7, 15)),
                lambda s, o: states.approve(s, o, 2019, 3, by="李审", today=dt.date(2021, 7, 15)),
                lambda s, o: states.unapprove(s, o, 2019, 1, reason="重新核对数据", by="李审"),
                lambda s, o: explanations.explain(s, o, 2019, "W01", "I09/2019-02", "二月集中开展项目")):
        with pytest.raises(UserError) as error, ctx.db.write() as s:
            act(s, offices.resolve(s, "东海县"))
        assert str(error.value) == refused
    choose_year(qtbot, page.year, 2021)
    assert page.plan_note.isHidden() and page.submit_button.toolTip() != ENDED


def _review_data(ctx) -> None:
    from kexie_desktop.models import DataValue
    from kexie_desktop.services import settings

    with ctx.db.write() as s:
        office = offices.resolve(s, "东海县")
        offices.set_this_office(s, office)
        settings.put(s, "user_reviewer", "李审")
        for code, month, value, base in (("I09", 1, 10, None), ("I09", 2, 50, None), ("I01", 1, 5, 4)):
            s.add(DataValue(indicator_id=plan.indicator(s, code).id, office_id=office.id, year=2019,
                            month=month, value=value, base=base))


# --- 报送情况 ----------------------------------------------------------------------------------------
def test_reporting_of_2020_is_the_old_plans_matrix(ctx, qtbot):
    import reporting_year as prepared
    from tests.test_ui_reporting import text
    from ui.reporting.page import ReportingPage

    with ctx.db.write() as s:
        prepared.prepare(s)
    page = ReportingPage(ctx, today=prepared.TODAY)
    qtbot.addWidget(page)
    before = [[text(page, r, c) for c in range(page.model.columnCount())] for r in range(page.model.rowCount())]
    summary = page.summary.text()
    add_new_plan(ctx)
    assert page.year.currentData() == 2021 and page.plan_note.isHidden()
    choose_year(qtbot, page.year, 2020)
    assert [[text(page, r, c) for c in range(page.model.columnCount())] for r in range(page.model.rowCount())] \
        == before
    assert page.summary.text() == summary
    assert page.plan_note.text() == ENDED and not page.deadline.isEnabled() and page.deadline.toolTip() == ENDED
    choose_year(qtbot, page.year, 2021)
    assert page.deadline.isEnabled()


# --- 工作清单 ----------------------------------------------------------------------------------------
def test_tasks_of_2020_are_the_old_plans_with_their_milestones_read_only(ctx, qtbot):
    from kexie_desktop.services import tasks
    from tests.test_ui_tasks import click_row
    from ui.tasks.page import TasksPage

    as_office(ctx, "东海县")
    with ctx.db.write() as s:
        unit = offices.resolve(s, "东海县")
        code = tasks.tasks_for(s, unit)[0].code
        tasks.add_milestone(s, unit, code, "完成方案起草", dt.date(2020, 6, 30), user="王芳")
    add_new_plan(ctx)
    page = TasksPage(ctx, today=dt.date(2021, 7, 1))
    qtbot.addWidget(page)
    page.resize(1300, 720)
    page.show()
    assert page.year.currentData() == 2021 and page.plan_note.isHidden()
    row = [r.task_code for r in page.model.rows].index(code)
    assert page.model.rows[row].milestones == ()  # the new plan's copy of the task has none
    click_row(qtbot, page.table, row)
    assert page.add_milestone_button.isEnabled()
    choose_year(qtbot, page.year, 2020)
    assert page.as_of() == dt.date(2020, 12, 31)
    row = [r.task_code for r in page.model.rows].index(code)
    assert [m.title for m in page.model.rows[row].milestones] == ["完成方案起草"]
    assert page.plan_note.text() == ENDED and page.plan_note.isVisible()
    click_row(qtbot, page.table, row)
    for button in (page.add_milestone_button, page.complete_button, page.add_note_button):
        assert button.isVisible() and not button.isEnabled() and button.toolTip() == ENDED
    assert page.readonly_label.text() == ENDED + "。" and page.readonly_label.isVisible()
    choose_year(qtbot, page.year, 2021)
    click_row(qtbot, page.table, [r.task_code for r in page.model.rows].index(code))
    assert page.add_milestone_button.isEnabled() and page.plan_note.isHidden()


# --- a plan switch refreshes every page ----------------------------------------------------------------
def test_a_plan_switch_moves_every_pages_year_choice_to_the_new_plan(qtbot, demo_ctx):
    from ui.assessment.page import AssessmentPage
    from ui.dashboard.page import DashboardPage
    from ui.entry.page import EntryPage
    from ui.report.page import ReportPage
    from ui.reporting.page import ReportingPage
    from ui.review.page import ReviewPage
    from ui.targets.page import TargetsPage
    from ui.tasks.page import TasksPage

    as_office(demo_ctx, "市科协")
    today = dt.date(2022, 3, 1)
    pages = {"总览": DashboardPage(demo_ctx, today=today), "数据填报": EntryPage(demo_ctx),
             "目标": TargetsPage(demo_ctx), "报表": ReportPage(demo_ctx, today=today),
             "考核": AssessmentPage(demo_ctx, today=today), "报送情况": ReportingPage(demo_ctx, today=today),
             "审核": ReviewPage(demo_ctx, today=today), "工作清单": TasksPage(demo_ctx, today=today)}
    for page in pages.values():
        qtbot.addWidget(page)

    def combo(page):
        return page.year_combo if isinstance(page, TargetsPage) else page.year

    def listed(page):
        c = combo(page)
        return [c.itemText(i) for i in range(c.count()) if c.itemData(i) is not None]

    assert {name: listed(p) for name, p in pages.items()} == {name: ["2018年", "2019年", "2020年"] for name in pages}
    add_new_plan(demo_ctx)
    new_years = ["2021年", "2022年", "2023年", "2024年", "2025年",
                 "2018年（2018—2020年计划）", "2019年（2018—2020年计划）", "2020年（2018—2020年计划）"]
    assert {name: listed(p) for name, p in pages.items()} == {name: new_years for name in pages}
    chosen = {name: combo(p).currentData() for name, p in pages.items()}
    assert 2021 <= chosen.pop("目标") <= 2025  # the real date clamped to the new plan
    assert chosen == {"总览": 2022, "数据填报": 2025, "报表": 2022, "考核": 2022, "报送情况": 2022, "审核": 2022,
                      "工作清单": 2022}
    assert all(combo(p).read_only() is None for p in pages.values())

