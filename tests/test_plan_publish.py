"""Issue 17, point 4: a new version of a published plan. The city revises its current published plan (here
through the Excel template: a rename, a changed target, an added indicator; and an assessment scheme);
``plan publish`` makes the revision version 2 (and refuses when nothing changed); what a revision may not
do is refused naming it; the unit's import of the version-2 package previews exactly the revision."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from kexie_desktop import assessment, cli, packages
from kexie_desktop.models import Target
from kexie_desktop.task_models import PlanTask
from kexie_desktop.services import plan, plan_authoring
from kexie_desktop.startup import open_app_database
from tests.hostile.helpers import init_unit, make_city
from tests.test_packages_scheme import DOC

OLD = "LYG-KX-2018-2020"
NEW = "LYG-KX-2021-2025"
UNIT = "320722"  # 东海县


def run(db, *args) -> str:
    out = io.StringIO()
    code = cli.run(["--db", str(db.path), *args], out=out)
    assert code == 0, (args, out.getvalue())
    return out.getvalue()


def refused(db, capsys, *args) -> str:
    capsys.readouterr()
    assert cli.run(["--db", str(db.path), *args], out=io.StringIO()) == 2
    return capsys.readouterr().err


@pytest.fixture
def published(tmp_path):
    """The city's NEW (a copy of the built-in plan) published as version 1 and current; the unit has it."""
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with city.write() as s:
        new = plan_authoring.copy_plan(s, plan.current_plan(s), NEW, "十四五科普规划", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        plan_authoring.use_plan(s, new)
    run(city, "export-plan", "--out", str(tmp_path / "plan-v1.xlsx"))
    run(unit, "import", str(tmp_path / "plan-v1.xlsx"))
    run(unit, "plan", "use", NEW)
    yield city, unit, tmp_path
    city.close()
    unit.close()


def template(city, path, edit) -> None:
    run(city, "plan", "template", "--plan", NEW, "--out", str(path))
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)


def indicator_rows(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}


def revise(wb) -> None:
    """I02 renamed, I03's city target 200 → 250 every year, I62 added (an annual flow, 30 a year)."""
    ws = wb["指标"]
    rows = indicator_rows(ws)
    ws.cell(rows["I02"], 2).value = "高层次学术报告会（含线上）"
    ws.cell(rows["I03"], 12).value = "250"
    source = ws.cell(rows["I03"], 17).value  # a revision keeps the plan's text: a sentence of it
    row = ws.max_row + 1
    for col, value in enumerate(["I62", "科技志愿服务活动", "场", "年度累计", "每年", "求和", "填报", "G1", None, "否",
                                 None, "30", None, "否", None, source, source], start=1):
        ws.cell(row, col).value = value


def test_a_revision_of_the_published_plan_is_published_as_version_2_and_previewed_at_the_unit(published, capsys):
    city, unit, tmp = published
    assert f"计划“十四五科普规划”（{NEW}）第 1 版发布后没有修改，不需要再发布。" in refused(city, capsys, "plan", "publish", NEW)
    template(city, tmp / "v2.xlsx", revise)
    dry = run(city, "plan", "load", "--dry-run", str(tmp / "v2.xlsx")).splitlines()
    assert dry[0] == f"修改计划 {NEW}（已发布的第 1 版；用 plan publish 发布为第 2 版）：3 处改动"
    assert dry[1:] == ["  指标 I02“高层次学术报告会”：名称 “高层次学术报告会” → “高层次学术报告会（含线上）”",
                       "  指标 I03“各类学术交流活动”：市目标 “200” → “250”",
                       "  新增指标 I62“科技志愿服务活动”", "（预览，未修改）"]
    run(city, "plan", "load", str(tmp / "v2.xlsx"))
    with city.write() as s:
        assessment.put(s, 2021, DOC, user="考核员")
    assert run(city, "plan", "publish", NEW) == f"已发布计划 {NEW}（第 2 版）\n"
    run(city, "export-plan", "--out", str(tmp / "plan-v2.xlsx"))

    with unit.read() as s:
        preview = packages.preview(s, tmp / "plan-v2.xlsx")
    assert preview.status == "ready", preview.message
    got = [(ch.sheet, ch.key, ch.action, ch.old, ch.new) for ch in preview.changes if ch.action != "未变"]
    i03 = [(y, ) for y in range(2021, 2026)]
    assert got == [
        ("计划", NEW, "修改", "版本号 1", "版本号 2"),
        ("指标", "I02", "修改", "名称 高层次学术报告会", "名称 高层次学术报告会（含线上）"),
        ("指标", "I62", "新增", "", "代码 I62；名称 科技志愿服务活动；计量单位 场；类别 年度累计；期限 每年；汇总方式 求和；"
                                    "填报方式 填报；覆盖对象 （空）；可为负数 否；排序 61"),
        *[("目标", f"320700/I03/{y}", "修改", "目标值 200", "目标值 250") for (y,) in i03],
        *[("目标", f"320700/I62/{y}", "新增", "", "目标值 30；下限 （空）；上限 （空）") for (y,) in i03],
        ("考核方案", "2021", "新增", "", ""),
    ]
    assert packages.apply(unit, tmp / "plan-v2.xlsx").outcome == "applied"
    with unit.read() as s:
        assert plan.plan_by_code(s, NEW).version == 2
        assert plan.indicator(s, "I02").name == "高层次学术报告会（含线上）"
        i62 = plan.indicator(s, "I62")
        assert sorted((t.year, t.value) for t in s.scalars(select(Target).where(Target.indicator_id == i62.id))) == [
            (y, 30.0) for y in range(2021, 2026)]
        assert assessment.scheme_of(s, 2021).stored


@pytest.mark.parametrize("edit, message", [
    (lambda wb: wb["指标"].delete_rows(indicator_rows(wb["指标"])["I05"]),
     "指标 I05 已在第 1 版发布，各县区可能已在其上填报，不能删除（不再使用可以保留不填）。"),
    (lambda wb: setattr(wb["指标"].cell(indicator_rows(wb["指标"])["I02"], 4), "value", "存量/水平"),
     "指标 I02 已在第 1 版发布，其类型不能再改（各县区按原口径填报）。如需不同口径，请新增一个指标。"),
    (lambda wb: wb["计划"].__setitem__("B5", "2026"), "计划已经发布（第 1 版），起止年份 2021—2025 不能再改。"),
])
def test_what_a_revision_may_not_do_is_refused(published, capsys, edit, message):
    city, _unit, tmp = published
    template(city, tmp / "bad.xlsx", edit)
    err = refused(city, capsys, "plan", "load", str(tmp / "bad.xlsx"))
    assert "计划“十四五科普规划”已经发布（第 1 版），这些修改不能载入：1. " + message in err
    assert "第 1 版发布后没有修改" in refused(city, capsys, "plan", "publish", NEW)  # nothing was loaded


def test_an_ended_plan_is_not_revised_and_a_unit_revises_none(published, capsys):
    city, unit, tmp = published
    run(city, "plan", "template", "--plan", OLD, "--out", str(tmp / "old.xlsx"))
    assert f"已经发布，且不是当前计划（当前计划是 {NEW}），不能再修改" in refused(city, capsys, "plan", "load",
                                                                          str(tmp / "old.xlsx"))
    run(unit, "plan", "template", "--plan", NEW, "--out", str(tmp / "unit.xlsx"))
    assert "本机是东海县科协：已发布的计划由市科协修改" in refused(unit, capsys, "plan", "load", str(tmp / "unit.xlsx"))


def test_a_revision_is_published_on_either_engine(db):
    """The same rule through the services, on the test database (SQLite, or PostgreSQL with KEXIE_TEST_DB)."""
    from kexie_desktop.errors import UserError
    from kexie_desktop.services import offices, targets

    with db.write() as s:
        offices.set_this_office(s, offices.city(s))
        new = plan_authoring.copy_plan(s, plan.current_plan(s), NEW, "十四五科普规划", 2021, 2025)
        assert plan_authoring.publish_plan(s, new) == 1
        plan_authoring.use_plan(s, new)
    with db.write() as s, pytest.raises(UserError, match="第 1 版发布后没有修改"):
        plan_authoring.publish_plan(s, plan.plan_by_code(s, NEW))
    with db.write() as s:
        targets.put_target(s, plan.indicator(s, "I02"), offices.city(s), 2022, 14, user="市科协")
        new = plan.plan_by_code(s, NEW)
        assert plan_authoring.has_unpublished_changes(s, new)
        assert plan_authoring.publish_plan(s, new) == 2
        assert not plan_authoring.has_unpublished_changes(s, new)
        fields = {i.code: [i.kind, i.period, i.aggregation, i.entry, bool(i.covers_units)] for i in new.indicators}
        i05 = fields.pop("I05")
        assert fields["I06"][0] != "range"
        fields["I06"][0] = "range"  # another kind
        tasks = {t.code for t in s.scalars(select(PlanTask).where(PlanTask.plan_id == new.id))} - {"T01"}
        sections = {x.code for x in new.sections}
        assert i05 and plan_authoring.revision_problems(s, new, years=(2021, 2025), indicators=fields, tasks=tasks,
                                                        sections=sections) == [
            "指标 I05 已在第 2 版发布，各县区可能已在其上填报，不能删除（不再使用可以保留不填）。",
            "指标 I06 已在第 2 版发布，其类型不能再改（各县区按原口径填报）。如需不同口径，请新增一个指标。",
            "任务 T01 已在第 2 版发布，不能删除（各县区的进展记录挂在它上面）。",
        ]
