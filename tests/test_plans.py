"""新一轮计划 (issue 17): several plans in one database, copy, publish, use, --plan, refusals."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from kexie_desktop import cli
from kexie_desktop.errors import UserError
from kexie_desktop.models import Indicator, Target
from kexie_desktop.services import offices, plan, plan_authoring, plan_checks, targets, values
from kexie_desktop.startup import open_app_database
from kexie_desktop.task_models import PlanTask

OLD = "LYG-KX-2018-2020"
NEW = "LYG-KX-2021-2025"


def run(db_path, *args) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", str(db_path), *args], out=out)
    return code, out.getvalue()


def copy(db_path, code=NEW, start="2021", end="2025") -> None:
    assert run(db_path, "plan", "copy", "--from", OLD, "--code", code, "--name", "新一轮计划",
               "--start", start, "--end", end)[0] == 0


def test_copy_is_a_draft_with_predecessor_links_and_rebased_targets(db_path):
    copy(db_path)
    code, text = run(db_path, "plan", "list", "--json")
    assert code == 0
    listed = json.loads(text)
    assert [(p["code"], p["version"], p["published"], p["current"], p["based_on"], p["indicators"], p["tasks"])
            for p in listed] == [(OLD, 1, True, True, None, 61, 65), (NEW, 0, False, False, OLD, 61, 65)]
    db = open_app_database(db_path)
    with db.read() as s:
        old, new = plan.plan_by_code(s, OLD), plan.plan_by_code(s, NEW)
        city = offices.city(s)

        def city_targets(p, code):
            ind = plan.indicator(s, code, p)
            rows = s.scalars(select(Target).where(Target.indicator_id == ind.id, Target.office_id == city.id))
            return sorted(((t.year or 0, t.value, t.min_value, t.max_value) for t in rows))

        # 每年举办高层次学术报告会10场: every new year gets the old plan's last year's target
        assert city_targets(new, "I02") == [(y, 10.0, None, None) for y in range(2021, 2026)]
        # 新增省级科学教育示范校4-6所: a plan-end range keeps its bounds
        assert city_targets(new, "I43") == [(0, 4.0, 4.0, 6.0)]
        assert city_targets(new, "I12") == city_targets(old, "I12") == [(0, 60000.0, None, None)]
        volunteers = plan.indicator(s, "I12", new)
        assert volunteers.predecessor_id == plan.indicator(s, "I12", old).id
        assert volunteers.carry_over is True  # a level carries over by default
        assert plan.indicator(s, "I02", new).carry_over is False
        due = {t.code: t.due for t in s.scalars(select(PlanTask).where(PlanTask.plan_id == new.id))}
        assert due["T01"] == dt.date(2025, 12, 31)  # due at the old plan's end → the new plan's end
        assert plan.current_plan(s).code == OLD  # a copy does not become current
        assert plan_checks.plan_problems(s, new) == []
    db.close()


def test_copy_refuses_overlapping_years_and_a_used_code(db_path, capsys):
    assert run(db_path, "plan", "copy", "--from", OLD, "--code", "X", "--name", "X", "--start", "2020",
               "--end", "2022")[0] == 2
    assert "计划年份 2020—2022 与计划“连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）”" in capsys.readouterr().err
    assert run(db_path, "plan", "copy", "--from", OLD, "--code", OLD, "--name", "X", "--start", "2021",
               "--end", "2022")[0] == 2
    assert f"已有代码为“{OLD}”的计划" in capsys.readouterr().err


def test_use_needs_publishing_and_publishing_gives_version_one(db_path, capsys):
    copy(db_path)
    assert run(db_path, "plan", "use", NEW)[0] == 2
    assert "还没有发布，不能设为当前计划" in capsys.readouterr().err
    assert run(db_path, "plan", "publish", NEW) == (0, f"已发布计划 {NEW}（第 1 版）\n")
    assert run(db_path, "plan", "use", NEW)[0] == 0
    current = [p["code"] for p in json.loads(run(db_path, "plan", "list", "--json")[1]) if p["current"]]
    assert current == [NEW]


def test_publishing_lists_every_problem_in_chinese(db_path, capsys):
    copy(db_path)
    db = open_app_database(db_path)
    with db.write() as s:
        new = plan.plan_by_code(s, NEW)
        city = offices.city(s)
        schools = plan.indicator(s, "I43", new)
        target = s.scalars(select(Target).where(Target.indicator_id == schools.id, Target.office_id == city.id)).one()
        target.min_value, target.max_value = 7.0, 6.0
        reports = plan.indicator(s, "I02", new)
        s.delete(s.scalars(select(Target).where(Target.indicator_id == reports.id, Target.office_id == city.id,
                                                Target.year == 2023)).one())
        volunteers = plan.indicator(s, "I12", new)
        volunteers.source = "这句话不在计划里"
        coverage = plan.indicator(s, "I01", new)
        coverage.covers, coverage.covers_units = None, False
        s.scalars(select(PlanTask).where(PlanTask.plan_id == new.id, PlanTask.code == "T01")).one().sentence = ""
    db.close()
    code, text = run(db_path, "plan", "check", NEW, "--json")
    assert code == 1
    assert json.loads(text) == [
        "指标 I01“省级海智基地县（区）覆盖”是覆盖率指标，但没有写明覆盖对象（应覆盖的总数从哪里来）。",
        "指标 I02“高层次学术报告会”缺少市科协目标（2023年）。",
        "指标 I43“新增省级科学教育示范校”的期末区间目标下限 7 大于上限 6。",
        "指标 I12“注册科普志愿者总数”的来源原文在计划文本中找不到：“这句话不在计划里”。",
        "任务 T01“举办海智洽谈会、项目发布会”没有来源原文。",
    ]
    assert run(db_path, "plan", "publish", NEW)[0] == 2
    err = capsys.readouterr().err
    assert "有 5 个问题，不能发布：1. 指标 I01" in err
    assert json.loads(run(db_path, "plan", "list", "--json")[1])[1]["published"] is False


@pytest.fixture
def switched(db_path):
    """The built-in plan with a 2020 value at 东海县, then the new plan published and current."""
    assert run(db_path, "init", "--office", "东海县")[0] == 0
    assert run(db_path, "value", "set", "--office", "东海县", "--indicator", "I12", "--month", "2020-06",
               "--value", "5200")[0] == 0
    copy(db_path)
    assert run(db_path, "plan", "publish", NEW)[0] == 0
    assert run(db_path, "plan", "use", NEW)[0] == 0
    return db_path


def test_an_ended_plan_is_read_with_plan_and_never_written(switched, capsys):
    db_path = switched
    assert run(db_path, "progress", "--office", "东海县", "--year", "2020", "--json")[0] == 2
    assert capsys.readouterr().err == (
        "错误：年份 2020 超出计划期（2021—2025年），属于计划“连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）”"
        f"（{OLD}）：加上 --plan {OLD} 查看该计划。\n")
    code, text = run(db_path, "progress", "--office", "东海县", "--year", "2020", "--plan", OLD, "--json")
    assert code == 0
    row = {r["code"]: r for r in json.loads(text)}["I12"]
    assert (row["actual"], row["year"]) == (5200.0, None)
    code, text = run(db_path, "indicators", "--plan", OLD, "--json")
    assert [t["year"] for t in {d["code"]: d for d in json.loads(text)}["I02"]["targets"]] == [2018, 2019, 2020]
    # A month of the ended plan: refused, naming the plan
    assert run(db_path, "value", "set", "--office", "东海县", "--indicator", "I12", "--month", "2020-07",
               "--value", "5300")[0] == 2
    assert "月份 2020-07 超出计划期（2021—2025年）" in capsys.readouterr().err
    db = open_app_database(db_path)
    with pytest.raises(UserError, match=r"^计划“.*”（LYG-KX-2018-2020，2018—2020年）不是当前计划，其数据只能查看，不能修改。"):
        with db.write() as s:
            old = plan.plan_by_code(s, OLD)
            east = offices.resolve(s, "东海县")
            values.set_value(s, plan.indicator(s, "I12", old), east, 2020, 7, 5300.0)
    with pytest.raises(UserError, match="不是当前计划"):
        with db.write() as s:
            old = plan.plan_by_code(s, OLD)
            targets.put_target(s, plan.indicator(s, "I02", old), offices.city(s), 2020, 12.0, source="package")
    with db.read() as s:
        old = plan.plan_by_code(s, OLD)
        assert s.scalars(select(Indicator).where(Indicator.plan_id == old.id)).first() is not None
    db.close()
    # the new plan takes the data
    assert run(db_path, "value", "set", "--office", "东海县", "--indicator", "I12", "--month", "2021-01",
               "--value", "5300")[0] == 0


def test_plan_option_names_an_unknown_plan(db_path, capsys):
    assert run(db_path, "progress", "--plan", "NOPE")[0] == 2
    assert f"没有代码为“NOPE”的计划（现有：{OLD}）" in capsys.readouterr().err


def test_task_due_dates_are_rebased():
    class P:
        def __init__(self, a, b):
            self.start_year, self.end_year = a, b

    old, new = P(2018, 2020), P(2021, 2025)
    assert plan_authoring.rebase_due(dt.date(2020, 12, 31), old, new) == dt.date(2025, 12, 31)
    assert plan_authoring.rebase_due(dt.date(2019, 6, 30), old, new) == dt.date(2022, 6, 30)
    assert plan_authoring.rebase_due(dt.date(2020, 2, 29), old, new) == dt.date(2023, 2, 28)
    short = P(2021, 2021)
    assert plan_authoring.rebase_due(dt.date(2019, 6, 30), old, short) == dt.date(2021, 12, 31)


def test_publishing_does_not_switch_the_current_plan(db_path):
    copy(db_path)
    assert run(db_path, "plan", "publish", NEW)[0] == 0
    current = [p["code"] for p in json.loads(run(db_path, "plan", "list", "--json")[1]) if p["current"]]
    assert current == [OLD]
