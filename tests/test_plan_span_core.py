"""Issue 17, scope 1, in the core: a reading session shows the plan holding a year (show_year), the pages'
read-only line, and the services that write refuse an ended plan's data with one Chinese line."""

from __future__ import annotations

import pytest

from kexie_desktop.errors import UserError
from kexie_desktop.services import offices, plan, plan_authoring, targets, values
from tests.two_plans import ENDED, NEW, OLD

OLD_NAME = "连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）"


@pytest.fixture
def two(db):
    with db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "东海县"))
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), 2020, 5, 7)
        new = plan_authoring.copy_plan(s, plan.plan_by_code(s, OLD), NEW, "新一轮计划", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        plan_authoring.use_plan(s, new)
    return db


def test_show_year_reads_the_plan_of_the_year_and_names_it_read_only(two):
    with two.read() as s:
        assert plan.plan_of_year(s, 2019).code == OLD and plan.plan_of_year(s, 2030) is None
        assert plan.show_year(s, 2020).code == OLD and plan.current_plan(s).code == OLD
        assert plan.indicator(s, "I09").plan.code == OLD
        assert plan.read_only_line(s, plan.current_plan(s)) == ENDED == "2018—2020年计划已结束，只能查看"
        assert plan.show_year(s, 2021).code == NEW and plan.current_plan(s).code == NEW
        assert plan.read_only_line(s, plan.current_plan(s)) is None
        assert plan.show_year(s, 2030).code == NEW  # a year of no plan: the current one


def test_a_later_plan_that_is_not_current_is_not_called_ended(two):
    with two.write() as s:
        plan_authoring.use_plan(s, plan.plan_by_code(s, OLD))
    with two.read() as s:
        assert plan.read_only_line(s, plan.plan_by_code(s, NEW)) == "2021—2025年计划不是当前计划，只能查看"


def test_writes_to_the_ended_plan_are_refused_with_one_line_and_change_nothing(two):
    with pytest.raises(UserError) as refused, two.write() as s:
        old = plan.plan_by_code(s, OLD)
        values.set_value(s, plan.indicator(s, "I09", old), offices.resolve(s, "东海县"), 2020, 5, 9)
    assert str(refused.value) == (f"计划“{OLD_NAME}”（{OLD}，2018—2020年）不是当前计划，其数据只能查看，不能修改。"
                                  f"当前计划是“新一轮计划”（{NEW}）。")
    with pytest.raises(UserError) as refused, two.write() as s:  # the new plan's indicator, an old month
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), 2020, 5, 9)
    assert str(refused.value) == "年份 2020 超出计划期（2021—2025年）。"
    with two.write() as s:
        offices.set_this_office(s, offices.city(s))
    with pytest.raises(UserError) as refused, two.write() as s:
        targets.put_target(s, plan.indicator(s, "I02", plan.plan_by_code(s, OLD)), offices.city(s), 2020, 11,
                           source="manual")
    assert str(refused.value).startswith(f"计划“{OLD_NAME}”（{OLD}，2018—2020年）不是当前计划，其数据只能查看")
    with two.read() as s:
        old = plan.plan_by_code(s, OLD)
        assert values.find_value(s, plan.indicator(s, "I09", old), offices.resolve(s, "东海县"), 2020, 5).value == 7
        assert targets.find_target(s, plan.indicator(s, "I02", old), offices.city(s), 2020).value == 10


def test_a_plan_package_still_brings_an_earlier_plans_targets(two):
    """put_target(any_plan=True): a plan package carries the targets of the plan it is for, current or not."""
    with two.write() as s:
        old = plan.plan_by_code(s, OLD)
        targets.put_target(s, plan.indicator(s, "I02", old), offices.city(s), 2020, 11, source="package",
                           any_plan=True)
    with two.read() as s:
        assert targets.find_target(s, plan.indicator(s, "I02", plan.plan_by_code(s, OLD)), offices.city(s),
                                   2020).value == 11


def test_the_grid_save_of_an_ended_year_is_refused_by_the_core(two, tmp_path, qapp):
    """Reached past the disabled grid (an old window, a script): refused, nothing written."""
    from tests.conftest import make_context
    from ui.entry import operations as entry_ops
    from ui.entry.model import CellValue

    ctx = make_context(two, tmp_path)
    data = entry_ops.load_entry(ctx, 2020)
    assert data.read_only == ENDED and data.year == 2020
    with pytest.raises(UserError) as refused:
        entry_ops.save_entry(ctx, data.office_code, 2020, {("I09", 5): CellValue(9.0, None, "")}, data.versions)
    assert str(refused.value) == "年份 2020 超出计划期（2021—2025年）。"
    assert entry_ops.load_entry(ctx, 2021).read_only is None
