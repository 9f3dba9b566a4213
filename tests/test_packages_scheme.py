"""The 考核方案 sheet of the plan package: the city's saved scheme reaches a unit (which then reads its
class's scheme), a second import changes nothing, a newer scheme replaces it, and a scheme that does not
fit the unit's offices refuses the whole import (re-signed with the city's key: a buggy city program)."""

from __future__ import annotations

import pytest

from hostile.helpers import Pair, dump, init_unit, make_city, resign
from kexie_desktop import assessment, packages
from kexie_desktop.packages.format.errors import PackageError
from kexie_desktop.packages.kinds.plan.scheme_sheet import SCHEME, documents
from kexie_desktop.packages.pipeline import keys
from kexie_desktop.services import offices
from kexie_desktop.startup import open_app_database

UNIT = "320722"  # 东海县
DOC = {"cap": 1.1, "classes": [
    {"name": "城区", "units": ["320703", "320706", "320707", "3207Z1", "3207Z2", "3207Z3", "3207Z4"],
     "indicators": [{"section": "*", "points": 50}], "tasks": [{"section": "*", "points": 30}],
     "reporting": {"completeness": 10, "timeliness": 10}},
    {"name": "县", "units": ["320722", "320723", "320724"],
     "indicators": [{"indicator": "I09", "points": 20}, {"section": "T1", "points": 30}],
     "tasks": [{"task": "T26", "points": 10}, {"section": "*", "points": 20}],
     "reporting": {"completeness": 8, "timeliness": 8, "explained": 4}}]}


@pytest.fixture
def pair(tmp_path):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    yield Pair(city, unit, UNIT, tmp_path)
    unit.close()
    city.close()


def _export(pair: Pair, name="plan.xlsx"):
    with pair.city.write() as s:
        packages.export_plan(s, pair.tmp / name)
    return pair.tmp / name


def _scheme(db, year=2020):
    with db.read() as s:
        return assessment.scheme_of(s, year)


def _changes(db, path):
    with db.read() as s:
        preview = packages.preview(s, path)
    return [(c.key, c.action) for c in preview.changes if c.sheet == SCHEME.name]


def test_the_city_scheme_reaches_the_unit(pair):
    with pair.city.write() as s:
        assessment.put(s, 2020, DOC, user="考核员")
    path = _export(pair)
    assert _changes(pair.unit, path) == [("2020", "新增")]
    assert packages.apply(pair.unit, path).outcome == "applied"
    city, unit = _scheme(pair.city), _scheme(pair.unit)
    assert unit.stored and unit.updated_by == "市科协下发包"
    assert unit.to_json()["classes"] == city.to_json()["classes"] and unit.cap == 1.1
    assert not _scheme(pair.unit, 2019).stored  # a year without a saved scheme: the default
    assert _changes(pair.unit, _export(pair, "again.xlsx")) == [("2020", "未变")]  # a new package, same scheme
    with pair.city.write() as s:
        assessment.put(s, 2020, {**DOC, "cap": 1.3})
    newer = _export(pair, "plan2.xlsx")
    assert _changes(pair.unit, newer) == [("2020", "修改")]
    assert packages.apply(pair.unit, newer).outcome == "applied"
    assert _scheme(pair.unit).cap == 1.3
    with pair.unit.read() as s:
        lines = assessment.describe(assessment.scheme_of(s, 2020), {o.code: o.short_name for o in offices.all_offices(s)},
                                    only="县")
    assert lines[1:3] == ["【县】东海县、灌云县、灌南县", "  定量指标：I09 20 分；T1 部分 30 分"]


def test_a_scheme_that_does_not_fit_refuses_the_import(pair):
    with pair.city.write() as s:
        assessment.put(s, 2020, DOC)
        key = keys.ensure_key(s, offices.city(s))
    good = _export(pair)
    bad = pair.tmp / "bad.xlsx"

    def drop_donghai(sheets):  # 东海县 in no class
        sheets[SCHEME.name] = [r for r in sheets[SCHEME.name] if r[3] != UNIT]
    resign(good, bad, key, rows=drop_donghai)
    before = dump(pair.unit)
    outcome = packages.apply(pair.unit, bad)
    assert outcome.outcome != "applied"
    assert "2020年考核方案不能用于本机：东海县科协不在任何一类中" in outcome.message
    assert dump(pair.unit) == before
    with pytest.raises(PackageError) as exc:
        documents([(2, (2020, "县", "奖励", "", 3.0))])
    assert "“项目”应为完成率封顶、单位、指标、指标部分、任务、任务部分或报送完整率、报送及时率、预警说明率，实际为“奖励”" in str(exc.value)
