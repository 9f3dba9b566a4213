"""Issue 17, point 4 (publishing): a plan package carries a whole plan. A unit that imports the package of
a plan it does not have gets it as a new plan (its earlier plans and their data stay as they were) and
chooses to switch; a package with a newer version of a plan it has updates it with a preview; an older
version is refused."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from kexie_desktop import cli, packages
from kexie_desktop.models import ActivityTypeIndicator, Indicator, Office, Plan, Target
from kexie_desktop.packages.kinds.plan.export import INDICATORS
from kexie_desktop.packages.kinds.plan.load import new_plan_summary
from kexie_desktop.services import offices, plan, plan_authoring
from kexie_desktop.startup import open_app_database
from tests.hostile.helpers import export_sub, init_unit, make_city

OLD = "LYG-KX-2018-2020"
NEW = "LYG-KX-2021-2025"
UNIT = "320722"  # 东海县


def run(db, *args) -> str:
    out = io.StringIO()
    code = cli.run(["--db", str(db.path), *args], out=out)
    assert code == 0, (args, out.getvalue())
    return out.getvalue()


def city_target(db, code: str, year: int) -> float:
    with db.read() as s:
        q = (select(Target.value).join(Indicator).join(Plan).join(Office, Target.office_id == Office.id)
             .where(Plan.code == NEW, Indicator.code == code, Office.kind == "city", Target.year == year))
        return s.scalars(q).one()


def export_plan(city, path) -> None:
    with city.write() as s:
        packages.export_plan(s, path)


def test_a_new_plans_package_makes_a_new_plan_and_keeps_the_old(tmp_path):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    run(unit, "value", "set", "--office", UNIT, "--indicator", "I12", "--month", "2020-06", "--value", "5200")
    run(unit, "activity", "add", "--office", UNIT, "--type", "高层次学术报告会", "--date", "2020-05-08",
        "--title", "2020年学术报告会", "--audience", "90")
    old_args = ("progress", "--office", UNIT, "--json", "--year", "2020", "--as-of", "2020-12-31", "--plan", OLD)
    old_before = run(unit, *old_args)

    # The city copies the plan, changes I02's target from 10 to 12, publishes and switches
    with city.write() as s:
        new = plan_authoring.copy_plan(s, plan.current_plan(s), NEW, "十四五科普规划", 2021, 2025)
        i02 = next(i for i in new.indicators if i.code == "I02")
        plan_authoring.edit_indicator(s, i02, name=i02.name, kind=i02.kind, target=12)
        assert plan_authoring.publish_plan(s, new) == 1
        plan_authoring.use_plan(s, new)
    export_plan(city, tmp_path / "plan-v1.xlsx")

    # The unit's preview: a new plan, with what it brings
    with unit.read() as s:
        preview = packages.preview(s, tmp_path / "plan-v1.xlsx")
    assert preview.status == "ready", preview.message
    head = next(ch for ch in preview.changes if ch.sheet == "计划")
    summary = new_plan_summary(preview.changes)
    assert (head.action, head.label) == ("新增", "新计划：十四五科普规划（2021—2025年）")
    assert head.new == f"版本号 1；{summary}（本机原有计划及其数据不变）"
    assert summary.startswith("章节 ") and "指标 61 个" in summary and "任务 65 项" in summary
    assert not [ch for ch in preview.changes if ch.action == "拒绝"]
    lineage = [ch for ch in preview.changes if ch.sheet == "指标沿革"]
    assert len(lineage) == 61 and {ch.action for ch in lineage} == {"新增"}
    i12 = next(ch for ch in lineage if ch.key == "I12")
    assert (i12.label, i12.new) == (f"I12 ← {OLD} I12", "接续上期数值")

    hint = f"    新计划：十四五科普规划（2021—2025年）；原有计划及其数据不变。用 plan use {NEW} 切换为当前计划。\n"
    assert hint in run(unit, "import", "--dry-run", str(tmp_path / "plan-v1.xlsx"))
    assert hint in run(unit, "import", str(tmp_path / "plan-v1.xlsx"))
    listed = json.loads(run(unit, "plan", "list", "--json"))
    assert [(p["code"], p["current"], p["version"]) for p in listed] == [(OLD, True, 1), (NEW, False, 1)]
    assert run(unit, *old_args) == old_before  # the old plan's data and targets are untouched
    assert city_target(unit, "I02", 2021) == 12.0

    # The unit switches, enters 2021 and reports; the city consolidates on the new plan
    run(unit, "plan", "use", NEW)
    mine = {r["code"]: r for r in json.loads(run(unit, "progress", "--office", UNIT, "--json", "--year", "2021",
                                                 "--as-of", "2021-12-31"))}
    assert mine["I12"]["actual"] == 5200.0  # 指标沿革: the level starts from the old plan's last value
    run(unit, "activity", "add", "--office", UNIT, "--type", "高层次学术报告会", "--date", "2021-03-15",
        "--title", "2021年学术报告会", "--audience", "150")
    run(unit, "value", "set", "--office", UNIT, "--indicator", "I12", "--month", "2021-06", "--value", "5300")
    export_sub(unit, UNIT, 2021, tmp_path / "sub-2021.xlsx")
    outcome = packages.apply(city, tmp_path / "sub-2021.xlsx")
    assert outcome.outcome == "applied", outcome.message
    got = {r["code"]: r for r in json.loads(run(city, "progress", "--office", "市科协", "--json", "--year", "2021",
                                                "--as-of", "2021-12-31"))}
    assert (got["I02"]["actual"], got["I02"]["target"], got["I02"]["units_reported"]) == (1.0, 12.0, 1)
    assert got["I12"]["actual"] == 5300.0
    assert run(unit, *old_args) == old_before

    # Version 2: the city changes I02's 2022 target to 14 and publishes the revision
    with city.write() as s:
        p = s.scalars(select(Plan).where(Plan.code == NEW)).one()
        i02 = next(i for i in p.indicators if i.code == "I02")
        t = s.scalars(select(Target).where(Target.indicator_id == i02.id, Target.year == 2022,
                                           Target.office_id == plan_city_id(s))).one()
        t.value = 14
        assert plan_authoring.publish_plan(s, p) == 2
    export_plan(city, tmp_path / "plan-v2.xlsx")
    with unit.read() as s:
        preview = packages.preview(s, tmp_path / "plan-v2.xlsx")
    assert preview.status == "ready", preview.message
    changed = [(ch.sheet, ch.old, ch.new) for ch in preview.changes if ch.action == "修改"]
    assert changed == [("计划", "版本号 1", "版本号 2"), ("目标", "目标值 12", "目标值 14")]
    assert packages.apply(unit, tmp_path / "plan-v2.xlsx").outcome == "applied"
    assert city_target(unit, "I02", 2022) == 14.0
    assert json.loads(run(unit, "plan", "list", "--json"))[1]["version"] == 2

    # The version-1 package again: an earlier package, refused by its sequence
    with unit.read() as s:
        assert "早于已导入的序号 3" in packages.preview(s, tmp_path / "plan-v1.xlsx").message
    # A later package of an older version (say the city restored an old backup): refused by the version,
    # not shown as unchanged, since applying it would undo version 2's targets
    with city.write() as s:
        s.scalars(select(Plan).where(Plan.code == NEW)).one().version = 1
    export_plan(city, tmp_path / "plan-old.xlsx")
    with unit.read() as s:
        preview = packages.preview(s, tmp_path / "plan-old.xlsx")
    assert preview.status == "refused"
    assert "此包是计划“LYG-KX-2021-2025”的第 1 版，本机已有第 2 版（更新），不能用旧版覆盖" in preview.message
    assert city_target(unit, "I02", 2022) == 14.0
    assert run(unit, *old_args) == old_before
    city.close()
    unit.close()


def plan_city_id(s) -> int:
    return s.scalars(select(Office.id).where(Office.kind == "city")).one()


def test_an_init_package_installs_a_unit_on_the_citys_current_plan(tmp_path):
    city = make_city(tmp_path / "city.db")
    with city.write() as s:
        new = plan_authoring.copy_plan(s, plan.current_plan(s), NEW, "十四五科普规划", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        plan_authoring.use_plan(s, new)
    unit = open_app_database(tmp_path / "unit.db")
    path = tmp_path / "init.xlsx"
    with city.write() as s:
        result = packages.export_init(s, offices.resolve(s, UNIT), path)
    with unit.read() as s:
        preview = packages.preview(s, path, code=result.activation_code)
    assert [(ch.label, ch.new) for ch in preview.changes if ch.key == "current_plan"] == [
        ("当前计划", f"十四五科普规划（{NEW}）")]
    outcome = packages.apply(unit, path, code=result.activation_code)
    assert outcome.outcome == "applied", outcome.message
    listed = json.loads(run(unit, "plan", "list", "--json"))
    assert [(p["code"], p["current"]) for p in listed] == [(OLD, False), (NEW, True)]
    run(unit, "value", "set", "--office", UNIT, "--indicator", "I12", "--month", "2021-06", "--value", "5300")
    city.close()
    unit.close()


def test_the_period_is_written_plan_neutrally_and_the_old_label_still_reads():
    column = INDICATORS.columns[INDICATORS.index("period")]
    assert [column.write(x) for x in ("annual", "plan")] == ["每年", "期末"]
    assert [column.read(x) for x in ("每年", "期末", "到2020年", "plan")] == ["annual", "plan", "plan", "plan"]


def test_a_new_plan_whose_years_overlap_a_plan_of_the_unit_is_refused(tmp_path):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with city.write() as s:
        new = plan_authoring.copy_plan(s, plan.current_plan(s), NEW, "十四五科普规划", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        plan_authoring.use_plan(s, new)
    export_plan(city, tmp_path / "plan.xlsx")
    with unit.write() as s:  # the unit's own (say, restored) plan holds 2021 already
        plan_authoring.copy_plan(s, plan.current_plan(s), "OWN", "本地计划", 2021, 2021)
    with unit.read() as s:
        preview = packages.preview(s, tmp_path / "plan.xlsx")
    assert preview.status == "refused"
    assert (f"此包的新计划“{NEW}”不能导入：计划年份 2021—2025 与计划“本地计划”（OWN，2021—2021年）重叠："
            "每个年份只能属于一个计划。") in preview.message
    city.close()
    unit.close()


def test_a_new_plans_scheme_tasks_and_ledger_rules_are_created_though_it_is_not_the_units_current_plan(tmp_path):
    from kexie_desktop import assessment
    from kexie_desktop.assessment_models import AssessmentScheme
    from kexie_desktop.task_models import PlanTask
    from tests.test_packages_scheme import DOC

    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with city.write() as s:
        new = plan_authoring.copy_plan(s, plan.current_plan(s), NEW, "十四五科普规划", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        plan_authoring.use_plan(s, new)
        assessment.put(s, 2021, DOC, user="考核员")
    export_plan(city, tmp_path / "plan.xlsx")
    with unit.read() as s:
        preview = packages.preview(s, tmp_path / "plan.xlsx")
    assert [(ch.key, ch.action) for ch in preview.changes if ch.sheet == "考核方案"] == [("2021", "新增")]
    assert packages.apply(unit, tmp_path / "plan.xlsx").outcome == "applied"
    with unit.read() as s:
        assert plan.active_plan(s).code == OLD  # not switched: the scheme went to the carried plan all the same
        rows = list(s.scalars(select(AssessmentScheme).join(Plan).where(Plan.code == NEW)))
        assert [(r.year, json.loads(r.body)["cap"], [k["name"] for k in json.loads(r.body)["classes"]])
                for r in rows] == [(2021, 1.1, ["城区", "县"])]
        assert not list(s.scalars(select(AssessmentScheme).join(Plan).where(Plan.code == OLD)))
        tasks = list(s.scalars(select(PlanTask).join(Plan).where(Plan.code == NEW)))
        assert len(tasks) == 65 and len({t.code for t in tasks}) == 65
        links = s.execute(select(Plan.code, func.count()).select_from(ActivityTypeIndicator).join(Indicator)
                          .join(Plan).group_by(Plan.code).order_by(Plan.code)).all()
        assert links == [(OLD, 11), (NEW, 11)]  # the ledger rules of the new plan's own indicators too
    run(unit, "plan", "use", NEW)
    with unit.read() as s:
        assert assessment.scheme_of(s, 2021).class_of(UNIT).name == "县"
    city.close()
    unit.close()
