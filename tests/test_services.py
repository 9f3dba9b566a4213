"""Core services: validation, audit log, target scope rules, integer decomposition."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from kexie_desktop.errors import UserError
from kexie_desktop.models import AuditEntry, DataValue
from kexie_desktop.services import activities, offices, plan, targets, values
from kexie_desktop.validation import parse_date, parse_month, parse_number


@pytest.mark.parametrize(
    "total,weights,expected",
    [
        (10, [1, 1, 1], [4, 3, 3]),  # 3.33 each; the one leftover goes to the first
        (5, [1, 1], [3, 2]),
        (100, [1.6, 0.8, 1.6], [40, 20, 40]),
        (7, [0.5, 0.25, 0.25], [3, 2, 2]),  # quotas 3.5, 1.75, 1.75: floors 3,1,1; the two left go to .75, .75
        (0, [1, 2], [0, 0]),
        (6, [1, 0, 1], [3, 0, 3]),
    ],
)
def test_split_integer_keeps_the_sum(total, weights, expected):
    shares = targets.split_integer(total, weights)
    assert shares == expected
    assert sum(shares) == total


def test_split_integer_refuses_nonsense():
    with pytest.raises(UserError, match="权重之和为 0"):
        targets.split_integer(10, [0, 0])
    with pytest.raises(UserError, match="不是整数"):
        targets.split_integer(2.5, [1, 1])


def test_parse_helpers():
    assert parse_number("１，２３４") == 1234.0
    assert parse_number(" 3.5 ") == 3.5
    with pytest.raises(UserError, match="不是数字"):
        parse_number("1e5")
    current = type("P", (), {"start_year": 2018, "end_year": 2020})()
    assert parse_month("2020年2月", current) == (2020, 2)
    assert parse_date("2020/2/29", current) == dt.date(2020, 2, 29)
    with pytest.raises(UserError, match="不存在"):
        parse_date("2019-02-29", current)


def test_value_changes_are_audited_with_old_and_new(db):
    with db.write() as s:
        office = offices.resolve(s, "海州区")
        indicator = plan.indicator(s, "I09")
        values.set_value(s, indicator, office, 2019, 3, 5, note="a", user="王芳")
        values.set_value(s, indicator, office, 2019, 3, 8, user="李强")
        values.set_value(s, indicator, office, 2019, 3, 8, user="李强")  # no change, no entry
        values.set_value(s, indicator, office, 2019, 3, None, user="李强")
    with db.read() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.entity == "value").order_by(AuditEntry.id)))
        assert [(e.entity_key, e.user) for e in entries] == [("I09/320706/2019-03", "王芳")] + [
            ("I09/320706/2019-03", "李强")
        ] * 2
        assert [json.loads(e.old) if e.old else None for e in entries] == [
            None,
            {"value": 5.0, "base": None, "note": "a"},
            {"value": 8.0, "base": None, "note": "a"},
        ]
        assert json.loads(entries[1].new) == {"value": 8.0, "base": None, "note": "a"}
        assert entries[2].new is None


def test_one_call_may_set_the_same_cell_twice_and_clear_a_new_one(db):
    """New values are inserted together at the end of set_values: a cell set twice, or set and
    cleared, in one call must end as if the edits had been applied one by one."""
    with db.write() as s:
        office = offices.resolve(s, "海州区")
        i09, i08 = plan.indicator(s, "I09"), plan.indicator(s, "I08")
        edit = values.ValueEdit
        changes = values.set_values(s, [edit(i09, office, 2019, 3, 1.0, note="先"), edit(i09, office, 2019, 3, 2.0),
                                        edit(i08, office, 2019, 4, 7.0), edit(i08, office, 2019, 4, None),
                                        edit(i08, office, 2019, 5, 3.0, note="五月")], user="王芳", source="grid")
        assert changes.values == {(office.id, i09.id, 2019), (office.id, i08.id, 2019)}
    with db.read() as s:
        stored = s.execute(select(DataValue.month, DataValue.value, DataValue.note, DataValue.entered_by,
                                  DataValue.source).order_by(DataValue.month)).all()
        assert stored == [(3, 2.0, "先", "王芳", "grid"), (5, 3.0, "五月", "王芳", "grid")]
        trail = s.execute(select(AuditEntry.entity_key, AuditEntry.old, AuditEntry.new)
                          .where(AuditEntry.entity == "value").order_by(AuditEntry.id)).all()
        assert trail == [
            ("I09/320706/2019-03", None, '{"base": null, "note": "先", "value": 1.0}'),
            ("I09/320706/2019-03", '{"base": null, "note": "先", "value": 1.0}',
             '{"base": null, "note": "先", "value": 2.0}'),
            ("I08/320706/2019-04", None, '{"base": null, "note": "", "value": 7.0}'),
            ("I08/320706/2019-04", '{"base": null, "note": "", "value": 7.0}', None),
            ("I08/320706/2019-05", None, '{"base": null, "note": "五月", "value": 3.0}'),
        ]


def test_target_changes_are_audited(db):
    with db.write() as s:
        office = offices.resolve(s, "东海县")
        indicator = plan.indicator(s, "I09")
        assert targets.put_target(s, indicator, office, None, 80, user="市科协")
        assert not targets.put_target(s, indicator, office, None, 80, user="市科协")
        with pytest.raises(UserError, match="期末目标"):
            targets.put_target(s, indicator, office, 2019, 80)
    with db.read() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "target", AuditEntry.source == "manual")
        ).one()
        assert entry.entity_key == "I09/320722/plan"
        assert json.loads(entry.new) == {"value": 80.0, "min": None, "max": None}


def test_activity_is_recorded_and_audited(db):
    with db.write() as s:
        office = offices.resolve(s, "灌南县")
        lecture = activities.resolve_type(s, "POP_LECTURE")
        activity, changes = activities.add_activity(
            s, office, lecture, dt.date(2020, 2, 29), "  科普讲座：防疫知识  ", audience=300,
            plan=plan.current_plan(s),
        )
        assert changes.activities == {office.id}
        assert activity.title == "科普讲座：防疫知识"
        with pytest.raises(UserError, match="超出计划期"):
            activities.add_activity(s, office, lecture, dt.date(2021, 1, 1), "x", plan=plan.current_plan(s))
        with pytest.raises(UserError, match="活动名称不能为空"):
            activities.add_activity(s, office, lecture, dt.date(2020, 1, 1), "  ")
    with db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "activity")).one()
        assert json.loads(entry.new)["audience"] == 300


def test_demo_data_is_labelled_and_consistent(demo_db):
    from sqlalchemy import func

    from kexie_desktop.models import Activity, DataValue, Target

    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(DataValue).where(DataValue.source != "demo")) == 0
        assert s.scalar(select(func.count()).select_from(Activity).where(~Activity.title.startswith("【演示数据】"))) == 0
        city = offices.city(s)
        units = offices.units(s)
        indicator = plan.indicator(s, "I09")  # 600 projects, split over the ten units
        unit_targets = s.scalars(
            select(Target.value).where(Target.indicator_id == indicator.id, Target.office_id != city.id)
        ).all()
        assert len(unit_targets) == len(units) == 10
        assert sum(unit_targets) == 600


def test_final_targets_are_the_plan_end_ones(db):
    with db.read() as s:
        final = targets.final_targets(s, offices.city(s))
        by_code = {i.code: final[i.id] for i in plan.indicators(s)}
        assert len(final) == len(by_code) == 61
        # I02 is annual (a target for 2018, 2019 and 2020): the overview shows the last year's
        assert [(c, by_code[c].year, by_code[c].value, by_code[c].max_value) for c in ("I02", "I09", "I43")] == [
            ("I02", 2020, 10.0, None), ("I09", None, 600.0, None), ("I43", None, 4.0, 6.0)]
        assert targets.final_targets(s, offices.resolve(s, "海州区")) == {}


def test_has_data_counts_values_and_activities_demo_ones_too(db, demo_db):
    from kexie_desktop.services import demo

    with db.read() as s:
        assert demo.has_data(s) is False
    with db.write() as s:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "海州区"), 2019, 3, 5)
    with db.read() as s:
        assert demo.has_data(s) is True
    with demo_db.read() as s:
        assert demo.has_data(s) is True
