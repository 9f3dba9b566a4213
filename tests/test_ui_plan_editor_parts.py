"""计划编辑, every part driven by clicks and typing: a section, an indicator with a range target whose
min > max (检查 names it, then fixed), the plan text from a .txt (and a .docx) split into sentences and
linked, a task, an activity type, a 审核 rule, the 考核方案, publish; a published plan is read-only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from kexie_desktop.assessment_models import AssessmentScheme
from kexie_desktop.errors import UserError
from kexie_desktop.models import ActivityType, ActivityTypeIndicator, Section, Target, ValidationRule
from kexie_desktop.services import offices, plan, plan_editing
from kexie_desktop.task_models import PlanTask
from tests.qtkeys import type_text
from tests.test_ui_plan_editor import NEW, _city_window

SENTENCE = "到2025年，全市组建科技志愿服务队8至12支。"
TASK_SENTENCE = "建设科技志愿服务平台，推动科技志愿服务常态化。"


def _click_row(qtbot, view, model, code: str) -> None:
    row = model.row_of(code)
    view.scrollTo(model.index(row, 0))
    rect = view.visualRect(model.index(row, 1))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=rect.center())
    assert view.currentIndex().row() == row


def _click_sentence(qtbot, page, sentence: str) -> None:
    listed = page.text.sentences
    row = next(n for n in range(listed.count()) if listed.item(n).text() == sentence)
    listed.scrollToItem(listed.item(row))
    qtbot.mouseClick(listed.viewport(), Qt.LeftButton, pos=listed.visualItemRect(listed.item(row)).center())
    assert listed.currentRow() == row


def _tab(qtbot, page, widget) -> None:
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(page.tabs.indexOf(widget)).center())
    assert page.tabs.currentWidget() is widget


def _type(field, text: str) -> None:
    field.selectAll()
    field.del_()
    type_text(field, text)


def _choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))
    assert combo.currentData() == data


def _problems(page) -> list[str]:
    return [page.problems.item(i).text() for i in range(page.problems.count())]


def _copied(qtbot, ctx):
    window = _city_window(qtbot, ctx)
    page = window.show_page("plan_editor")
    type_text(page.copy_code, NEW)
    type_text(page.copy_name, "新一轮计划")
    qtbot.mouseClick(page.copy_button, Qt.LeftButton)
    assert page.current_code() == NEW
    return window, page


def _import(qtbot, page, monkeypatch, path: Path) -> None:
    monkeypatch.setattr("ui.plan_editor.text_tabs.open_file", lambda *a, **k: str(path))
    _tab(qtbot, page, page.text)
    qtbot.mouseClick(page.text.import_button, Qt.LeftButton)


def test_every_part_edited_checked_linked_and_published(qtbot, ctx, tmp_path, monkeypatch):
    window, page = _copied(qtbot, ctx)

    # 章节: add one; a second time the same code is one Chinese line
    sections = page.sections
    _tab(qtbot, page, sections)
    _type(sections.edit_code, "T9")
    _type(sections.edit_name, "科技志愿服务")
    qtbot.mouseClick(sections.add_button, Qt.LeftButton)
    assert page.state.text() == "已添加章节 T9。"
    assert sections.model.rows[-1].code == "T9" and sections.current_code() == "T9"
    qtbot.mouseClick(sections.add_button, Qt.LeftButton)
    assert page.state.text() == "章节代码“T9”已经存在：代码必须唯一。"
    qtbot.mouseClick(sections.up_button, Qt.LeftButton)
    assert [r.code for r in sections.model.rows][-2:] == ["T9", "B3"]

    # 指标: a range target with min > max
    tab = page.indicators
    _tab(qtbot, page, tab)
    _type(tab.edit_code, "I62")
    _type(tab.edit_name, "科技志愿服务队")
    _type(tab.edit_unit, "支")
    _choose(tab.edit_kind, "range")
    _choose(tab.edit_period, "plan")
    _choose(tab.edit_aggregation, "sum")
    _choose(tab.edit_entry, "entered")
    _choose(tab.edit_section, "T9")
    _type(tab.edit_target, "12")
    _type(tab.edit_max, "8")
    _type(tab.edit_covers, "")
    _type(tab.edit_ledger, "")
    qtbot.mouseClick(tab.add_button, Qt.LeftButton)
    assert page.state.text() == "已新增指标 I62。"
    assert tab.current_code() == "I62" and tab.model.rowCount() == 62

    qtbot.mouseClick(page.check_button, Qt.LeftButton)
    assert page.state.text() == "有 2 个问题，发布前须解决："
    assert _problems(page) == ["指标 I62“科技志愿服务队”的期末区间目标下限 12 大于上限 8。",
                               "指标 I62“科技志愿服务队”没有来源原文。"]
    _tab(qtbot, page, page.sections)
    first = page.problems.item(0)
    where = page.problems.visualItemRect(first).center()
    qtbot.mouseClick(page.problems.viewport(), Qt.LeftButton, pos=where)
    qtbot.mouseDClick(page.problems.viewport(), Qt.LeftButton, pos=where)
    assert page.tabs.currentWidget() is tab and tab.current_code() == "I62"

    _type(tab.edit_target, "8")
    _type(tab.edit_max, "12")
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    qtbot.mouseClick(page.check_button, Qt.LeftButton)
    assert _problems(page) == ["指标 I62“科技志愿服务队”没有来源原文。"]

    # 原文: the built-in text with two new sentences, from a .txt; link one to I62
    with ctx.db.read() as s:
        old_text = plan.plan_text_of(plan.plan_by_code(s, NEW))
    txt = tmp_path / "新计划.txt"
    txt.write_text(old_text + "\n" + SENTENCE + TASK_SENTENCE + "\n", encoding="utf-8")
    _import(qtbot, page, monkeypatch, txt)
    assert page.state.text() == f"已保存计划原文（{len(plan_editing.sentences(txt.read_text()))} 句）。"
    shown = [page.text.sentences.item(n).text() for n in range(page.text.sentences.count())]
    assert shown[-2:] == [SENTENCE, TASK_SENTENCE]
    assert page.text.target.text() == "当前指标：I62“科技志愿服务队”；当前任务：（未选）"
    _click_sentence(qtbot, page, SENTENCE)
    qtbot.mouseClick(page.text.link_indicator, Qt.LeftButton)
    assert page.state.text() == "已把所选语句关联到 I62。"
    _tab(qtbot, page, tab)
    assert tab.source.text() == SENTENCE
    assert tab.model.data(tab.model.index(61, 5)) == SENTENCE

    # 工作清单: a task carried by both levels, linked to its sentence
    tasks = page.tasks
    _tab(qtbot, page, tasks)
    _type(tasks.edit_code, "T66")
    _type(tasks.edit_name, "建设科技志愿服务平台")
    _choose(tasks.edit_section, "T9")
    _choose(tasks.edit_carriers, "all")
    tasks.edit_due.setDate(QDate(2023, 6, 30))
    _type(tasks.edit_indicators, "I62")
    qtbot.mouseClick(tasks.add_button, Qt.LeftButton)
    assert page.state.text() == "已新增任务 T66。"
    assert tasks.sentence.text() == "（尚未关联）"
    _tab(qtbot, page, page.text)
    _click_sentence(qtbot, page, TASK_SENTENCE)
    qtbot.mouseClick(page.text.link_task, Qt.LeftButton)
    assert page.state.text() == "已把所选语句关联到 T66。"
    assert tasks.sentence.text() == TASK_SENTENCE

    # 活动类型, then I62 counted from it
    types = page.types
    _tab(qtbot, page, types)
    _type(types.edit_code, "SCI_VOLUNTEER")
    _type(types.edit_name, "科技志愿服务")
    qtbot.mouseClick(types.add_button, Qt.LeftButton)
    assert page.state.text() == "已添加活动类型 SCI_VOLUNTEER。"
    _tab(qtbot, page, tab)
    _click_row(qtbot, tab.table, tab.model, "I62")
    _choose(tab.edit_entry, "ledger")
    _type(tab.edit_ledger, "SCI_VOLUNTEER:活动场次")
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    assert page.state.text() == "已保存指标 I62。"
    _type(tab.edit_ledger, "NOPE:活动场次")
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    assert page.state.text() == "活动类型“NOPE”不存在，请先在“活动类型”中添加。"

    # 审核规则
    rules = page.rules
    _tab(qtbot, page, rules)
    _type(rules.edit_code, "E06")
    rules.edit_check.setCurrentText("not_whole")
    _choose(rules.edit_severity, "error")
    _type(rules.edit_indicators, "I62")
    _type(rules.edit_params, "")
    _type(rules.edit_message, "科技志愿服务队数应为整数。")
    qtbot.mouseClick(rules.add_button, Qt.LeftButton)
    assert page.state.text() == "已新增审核规则 E06。"

    # 考核方案 of 2021 in 考核's dialog: the cap 120% → 150%, 10 points for I62 in the class 区
    scheme = page.scheme
    _tab(qtbot, page, scheme)
    assert scheme.year.value() == 2021 and json.loads(scheme.document.toPlainText())["cap"] == 1.2
    qtbot.mouseClick(scheme.edit_button, Qt.LeftButton)
    dialog = scheme.dialog
    assert dialog.isVisible() and dialog.windowTitle() == "2021年考核方案"
    dialog.cap.lineEdit().selectAll()
    type_text(dialog.cap.lineEdit(), "150")
    dialog.klass.setCurrentText("区")
    _choose(dialog.item_kind, "indicator")
    type_text(dialog.item_code, "I62")
    dialog.item_points.lineEdit().selectAll()
    type_text(dialog.item_points.lineEdit(), "10")
    qtbot.mouseClick(dialog.add_item_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert not dialog.isVisible()
    assert page.state.text() == "已保存 2021 年的考核方案。"
    assert json.loads(scheme.document.toPlainText())["cap"] == 1.5

    qtbot.mouseClick(page.check_button, Qt.LeftButton)
    assert page.state.text() == "检查通过，可以发布。" and _problems(page) == []
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert page.state.text() == f"已发布计划 {NEW}（第 1 版）。"

    # published: every part read-only
    for part in (sections, tab, types, rules, tasks):
        assert not part.edit_box.isEnabled()
    assert page.text.text.isReadOnly() and scheme.document.isReadOnly()
    assert not page.text.link_indicator.isEnabled() and not page.text.import_button.isEnabled()
    assert not scheme.save_button.isEnabled() and not page.publish_button.isEnabled()
    with ctx.db.write() as s, pytest.raises(UserError) as refused:
        plan_editing.add_section(s, plan.plan_by_code(s, NEW), "T10", "再加一章")
    assert str(refused.value) == (f"计划“新一轮计划”（{NEW}）已经发布（第 1 版），只能查看，不能再修改。"
                                  "如需修改，请复制为新计划。")

    with ctx.db.read() as s:
        new = plan.plan_by_code(s, NEW)
        assert (new.published, new.version) == (True, 1)
        codes = [sec.code for sec in plan_editing.sections(s, new)]
        assert codes[-2:] == ["T9", "B3"] and len(codes) == 33
        t9 = s.scalars(select(Section).where(Section.plan_id == new.id, Section.code == "T9")).one()
        assert (t9.name, t9.parent_id) == ("科技志愿服务", None)
        i62 = plan.indicator(s, "I62", new)
        assert (i62.name, i62.unit, i62.kind, i62.period, i62.aggregation, i62.entry, i62.section_id,
                i62.source, i62.sort_order, i62.predecessor_id) == (
            "科技志愿服务队", "支", "range", "plan", "sum", "ledger", t9.id, SENTENCE, 61, None)
        city = offices.city(s)
        assert [(t.office_id, t.year, t.value, t.min_value, t.max_value) for t in
                s.scalars(select(Target).where(Target.indicator_id == i62.id))] == [(city.id, None, 8, 8, 12)]
        volunteer = s.scalars(select(ActivityType).where(ActivityType.code == "SCI_VOLUNTEER")).one()
        assert volunteer.name == "科技志愿服务"
        assert [(x.activity_type_id, x.measure) for x in s.scalars(
            select(ActivityTypeIndicator).where(ActivityTypeIndicator.indicator_id == i62.id))] == [
            (volunteer.id, "count")]
        task = s.scalars(select(PlanTask).where(PlanTask.plan_id == new.id, PlanTask.code == "T66")).one()
        assert (task.name, task.section_id, task.carriers, task.due, task.indicators, task.sentence,
                task.sort_order) == ("建设科技志愿服务平台", t9.id, '"all"', dt.date(2023, 6, 30), '["I62"]',
                                     TASK_SENTENCE, 65)
        rule = s.scalars(select(ValidationRule).where(ValidationRule.plan_id == new.id,
                                                      ValidationRule.code == "E06")).one()
        assert (rule.check, rule.severity, rule.indicators, rule.params, rule.message, rule.active,
                rule.sort_order) == ("not_whole", "error", '["I62"]', "{}", "科技志愿服务队数应为整数。", True, 12)
        stored = s.scalars(select(AssessmentScheme).where(AssessmentScheme.plan_id == new.id)).one()
        body = json.loads(stored.body)
        assert (stored.year, body["cap"], stored.updated_by) == (2021, 1.5, "计划编辑")
        district = next(c for c in body["classes"] if c["name"] == "区")
        assert district["indicators"][-1] == {"indicator": "I62", "points": 10.0}
        assert [i["section"] for i in district["indicators"][:-1]] == ["G", "T1", "T2", "T3", "T4", "T9"]
        assert new.text == txt.read_text(encoding="utf-8")
        old = plan.plan_by_code(s, "LYG-KX-2018-2020")
        assert s.scalars(select(Section).where(Section.plan_id == old.id, Section.code == "T9")).first() is None
    window.close()


def test_a_docx_text_split_into_sentences_and_linked(qtbot, ctx, tmp_path, monkeypatch):
    docx = pytest.importorskip("docx")
    _window, page = _copied(qtbot, ctx)
    document = docx.Document()
    document.add_paragraph("第一句。第二句！")
    document.add_paragraph("第三段，没有句号")
    path = tmp_path / "计划.docx"
    document.save(str(path))

    _tab(qtbot, page, page.indicators)
    _click_row(qtbot, page.indicators.table, page.indicators.model, "I01")
    _import(qtbot, page, monkeypatch, path)
    assert page.state.text() == "已保存计划原文（3 句）。"
    assert [page.text.sentences.item(n).text() for n in range(page.text.sentences.count())] == [
        "第一句。", "第二句！", "第三段，没有句号"]
    _click_sentence(qtbot, page, "第二句！")
    qtbot.mouseClick(page.text.link_indicator, Qt.LeftButton)
    assert page.state.text() == "已把所选语句关联到 I01。"
    assert page.indicators.source.text() == "第二句！"
    with ctx.db.read() as s:
        new = plan.plan_by_code(s, NEW)
        assert new.text == "第一句。第二句！\n第三段，没有句号"
        assert plan.indicator(s, "I01", new).source == "第二句！"


def test_remove_reorder_rename_and_refusals_are_one_line(qtbot, ctx):
    _window, page = _copied(qtbot, ctx)
    tab = page.indicators
    _tab(qtbot, page, tab)
    _click_row(qtbot, tab.table, tab.model, "I02")
    qtbot.mouseClick(tab.down_button, Qt.LeftButton)
    assert page.state.text() == "已移动指标 I02。"
    assert [r.code for r in tab.model.rows][:4] == ["I01", "I03", "I02", "I04"] and tab.current_code() == "I02"
    qtbot.mouseClick(tab.up_button, Qt.LeftButton)
    qtbot.mouseClick(tab.up_button, Qt.LeftButton)
    assert [r.code for r in tab.model.rows][:3] == ["I02", "I01", "I03"]
    qtbot.mouseClick(tab.up_button, Qt.LeftButton)  # already first: nothing moves
    assert [r.code for r in tab.model.rows][:3] == ["I02", "I01", "I03"]

    _click_row(qtbot, tab.table, tab.model, "I13")
    qtbot.mouseClick(tab.remove_button, Qt.LeftButton)
    assert page.state.text() == "已删除指标 I13。" and tab.model.rowCount() == 60 and tab.model.row_of("I13") == -1
    _type(tab.edit_code, "I10")
    _type(tab.edit_target, "多")
    qtbot.mouseClick(tab.add_button, Qt.LeftButton)
    assert page.state.text() == "市目标“多”不是数字。"
    _type(tab.edit_target, "5")
    qtbot.mouseClick(tab.add_button, Qt.LeftButton)
    assert page.state.text() == "指标代码“I10”已经存在：代码必须唯一。"

    sections = page.sections
    _tab(qtbot, page, sections)
    _click_row(qtbot, sections.table, sections.model, "T1.1")
    _type(sections.edit_name, "打造海智品牌")
    qtbot.mouseClick(sections.rename_button, Qt.LeftButton)
    assert page.state.text() == "已修改章节 T1.1 的名称。"

    scheme = page.scheme
    _tab(qtbot, page, scheme)
    scheme.document.selectAll()
    type_text(scheme.document, "{")
    qtbot.mouseClick(scheme.save_button, Qt.LeftButton)
    assert page.state.text() == "考核方案不是有效的 JSON（第 1 行）。"

    rules, tasks = page.rules, page.tasks
    _tab(qtbot, page, rules)
    _click_row(qtbot, rules.table, rules.model, "W07")
    qtbot.mouseClick(rules.remove_button, Qt.LeftButton)
    assert page.state.text() == "已删除审核规则 W07。" and rules.model.rowCount() == 11
    _tab(qtbot, page, tasks)
    _click_row(qtbot, tasks.table, tasks.model, "T65")
    qtbot.mouseClick(tasks.remove_button, Qt.LeftButton)
    assert page.state.text() == "已删除任务 T65。" and tasks.model.rowCount() == 64
    _click_row(qtbot, tasks.table, tasks.model, "T01")
    tasks.edit_due.setDate(QDate(2030, 1, 1))
    qtbot.mouseClick(tasks.save_button, Qt.LeftButton)
    assert page.state.text() == "任务 T01 的完成期限 2030-01-01 不在计划期（2021—2025年）内。"

    with ctx.db.read() as s:
        new = plan.plan_by_code(s, NEW)
        codes = [i.code for i in plan_editing.plan_indicators(s, new)]
        assert codes[:3] == ["I02", "I01", "I03"] and "I13" not in codes and len(codes) == 60
        assert [i.sort_order for i in plan_editing.plan_indicators(s, new)] == list(range(60))
        assert plan_editing.plan_task(s, new, "T25").indicator_codes == []  # it named I13 only
        assert plan_editing.section(s, new, "T1.1").name == "打造海智品牌"
        assert "W07" not in [r.code for r in plan_editing.plan_rules(s, new)]
        assert plan_editing.plan_task(s, new, "T01").due == dt.date(2025, 12, 31)
        old = plan.plan_by_code(s, "LYG-KX-2018-2020")
        assert plan.indicator(s, "I13", old).sort_order == 12  # the plan copied from is never changed
        assert plan_editing.plan_task(s, old, "T25").indicator_codes == ["I13"]
        assert plan_editing.section(s, old, "T1.1").name == "打造海智工作品牌"


def test_a_drafts_code_name_and_years(qtbot, ctx):
    _window, page = _copied(qtbot, ctx)
    assert (page.plan_code.text(), page.plan_start.value(), page.plan_end.value()) == (NEW, 2021, 2025)
    _type(page.plan_code, "LYG-KX-2021-2023")
    _type(page.plan_name, "三年计划")
    page.plan_end.lineEdit().selectAll()
    type_text(page.plan_end.lineEdit(), "2023")
    qtbot.mouseClick(page.plan_button, Qt.LeftButton)
    assert page.state.text() == "已保存计划信息。"
    assert page.current_code() == "LYG-KX-2021-2023" and page.plans.currentText() == "LYG-KX-2021-2023  2021—2023  草稿"
    page.plan_start.lineEdit().selectAll()
    type_text(page.plan_start.lineEdit(), "2020")
    qtbot.mouseClick(page.plan_button, Qt.LeftButton)
    assert page.state.text() == ("计划年份 2020—2023 与计划“连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）”"
                                 "（LYG-KX-2018-2020，2018—2020年）重叠：每个年份只能属于一个计划。")
    with ctx.db.read() as s:
        new = plan.plan_by_code(s, "LYG-KX-2021-2023")
        assert (new.name, new.start_year, new.end_year) == ("三年计划", 2021, 2023)
        i02 = plan.indicator(s, "I02", new)  # annual: 2024 and 2025 went
        assert sorted(t.year for t in s.scalars(select(Target).where(Target.indicator_id == i02.id,
                                                                     Target.office_id == offices.city(s).id))) == [
            2021, 2022, 2023]
