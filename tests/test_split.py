"""Target decomposition (任务分解): the city target split into unit targets, sums exact, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kexie_desktop.errors import UserError
from kexie_desktop.models import AuditEntry, Target
from kexie_desktop.services import offices, plan, targets

CITY = "320700"
UNIT_CODES = ["320703", "320706", "320707", "320722", "320723", "320724", "3207Z1", "3207Z2", "3207Z3", "3207Z4"]


def _unit_targets(s, code, year):
    indicator = plan.indicator(s, code)
    found = {}
    for unit in offices.units(s):
        t = targets.find_target(s, indicator, unit, year)
        found[unit.code] = None if t is None else (t.value, t.max_value)
    return found


def _count(s, model, *where):
    return s.scalar(select(func.count()).select_from(model).where(*where))


def test_split_integer_keeps_its_behaviour():
    assert targets.split_integer(10, [1, 1, 1]) == [4, 3, 3]
    assert targets.split_integer(4, [1] * 10) == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]


def test_units_are_the_ten_of_the_builtin_list(db):
    with db.read() as s:
        assert [u.code for u in offices.units(s)] == UNIT_CODES


def test_split_by_weights_keeps_the_sum(db):
    with db.write() as s:
        indicator = plan.indicator(s, "I08")
        targets.put_target(s, indicator, offices.city(s), 2020, 10)
        weights = dict.fromkeys(UNIT_CODES, 0) | {"320703": 1, "320706": 1, "320707": 1}
        shares, changes = targets.decompose_target(s, indicator, 2020, weights, user="测试")
        assert [(x.office.code, x.value) for x in shares[:4]] == [("320703", 4), ("320706", 3), ("320707", 3),
                                                                  ("320722", 0)]
        assert len(changes.targets) == 10
    with db.read() as s:
        stored = _unit_targets(s, "I08", 2020)
        assert stored["320703"] == (4, None) and stored["320707"] == (3, None)
        assert sum(v for v, _ in stored.values()) == 10
        assert _unit_targets(s, "I08", 2019) == dict.fromkeys(UNIT_CODES)  # other years untouched
        assert _count(s, AuditEntry, AuditEntry.entity == "target", AuditEntry.source == "split") == 10


def test_equal_split_by_default(db):
    with db.write() as s:
        shares, _ = targets.decompose_target(s, plan.indicator(s, "I09"), None)  # 600 项目 over 10
    assert [x.value for x in shares] == [60] * 10


def test_range_splits_both_bounds(db):
    with db.write() as s:
        shares, _ = targets.decompose_target(s, plan.indicator(s, "I43"), None)  # 4-6 所 over 10
        assert [x.value for x in shares] == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
        assert [x.max_value for x in shares] == [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    with db.read() as s:
        stored = _unit_targets(s, "I43", None)
    assert stored["320703"] == (1, 1) and stored["320724"] == (0, 1) and stored["3207Z1"] == (0, 0)


def test_range_bounds_stay_ordered_when_rounding_would_cross_them(db):
    # Split separately, the lower bound 7 gives 灌云县 (weight 1) one school, the upper bound 8 none.
    weights = dict(zip(UNIT_CODES, [3, 0, 2, 2, 1, 2, 3, 0, 2, 0]))
    assert targets.split_integer(7, list(weights.values()))[4] == 1
    assert targets.split_integer(8, list(weights.values()))[4] == 0
    with db.write() as s:
        indicator = plan.indicator(s, "I43")
        targets.put_target(s, indicator, offices.city(s), None, 7, max_value=8)
        shares, _ = targets.decompose_target(s, indicator, None, weights)
    assert sum(x.value for x in shares) == 7
    assert sum(x.max_value for x in shares) == 8
    assert all(x.value <= x.max_value for x in shares)


def test_coverage_is_not_split(db):
    with db.write() as s:
        shares, _ = targets.decompose_target(s, plan.indicator(s, "I01"), None)
    assert [x.value for x in shares] == [100] * 10


@pytest.mark.parametrize(
    "code,year,weights,message",
    [
        ("I04", None, None, "市级单列"),
        ("I08", None, None, "请指定要分解的年份"),
        ("I09", 2019, None, "不要指定年份"),
        ("I08", 2020, {"320703": 1}, "缺少"),
        ("I08", 2020, dict.fromkeys(UNIT_CODES, 1) | {"999999": 1}, "不是县区单位代码"),
        ("I08", 2020, dict.fromkeys(UNIT_CODES, 0), "权重之和为 0"),
        ("I08", 2020, dict.fromkeys(UNIT_CODES, 1) | {"320703": -1}, "不能为负数"),
    ],
)
def test_bad_splits_are_refused_and_change_nothing(db, code, year, weights, message):
    with pytest.raises(UserError, match=message):
        with db.write() as s:
            targets.decompose_target(s, plan.indicator(s, code), year, weights)
    with db.read() as s:
        city = offices.city(s)
        assert _count(s, Target, Target.office_id != city.id) == 0
        assert _count(s, AuditEntry, AuditEntry.source == "split") == 0


def test_missing_city_target_is_refused(db):
    with db.write() as s:
        indicator = plan.indicator(s, "I08")
        s.delete(targets.find_target(s, indicator, offices.city(s), 2020))
    with pytest.raises(UserError, match="市科协还没有设定"):
        with db.write() as s:
            targets.decompose_target(s, plan.indicator(s, "I08"), 2020)
