"""报送情况 core: the states of a prepared year (tests/reporting_year.py), the rates and the 催报 texts,
computed by hand; one path through real packages (unit export → city import → return → resend)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kexie_desktop import packages, reporting
from kexie_desktop.errors import UserError
from kexie_desktop.package_models import PackageLog
from kexie_desktop.packages import ReturnRequest
from kexie_desktop.review import states
from kexie_desktop.services import offices, plan, settings, values
from kexie_desktop.startup import open_app_database

from hostile.helpers import export_sub, init_unit, make_city
import reporting_year as prepared

T, L, M, D, R, N = "按时", "迟报", "未报", "未审核", "已退回待重报", "未到期"
EXPECTED = {  # see tests/reporting_year.py for why each cell is what it is
    "320703": [T] * 9 + [N] * 3,
    "320706": [L, L, T, L, L, T, L, D, M] + [N] * 3,
    "320707": [M] * 9 + [N] * 3,
    "320722": [T, L, L, L, R, L, T, M, M] + [N] * 3,
}


@pytest.fixture
def year(db):
    with db.write() as s:
        rows = prepared.prepare(s)
    return db, rows


def result(db, **kw):
    with db.read() as s:
        return reporting.reporting(s, prepared.YEAR, today=kw.pop("today", prepared.TODAY), **kw)


def test_every_cell_of_the_prepared_year(year):
    db, _rows = year
    r = result(db)
    assert [u.code for u in r.units] == list(prepared.UNITS)  # the six deactivated units are left out
    assert {u.code: [c.state for c in u.cells] for u in r.units} == EXPECTED
    assert [c.due for c in r.units[0].cells] == [True] * 9 + [False] * 3  # September: 10-05 < 10-08
    assert r.units[0].cells[8].deadline == dt.date(2020, 10, 5)
    assert r.units[0].cells[11].deadline == dt.date(2021, 1, 5)


def test_rates_per_unit_and_for_the_city(year):
    db, _rows = year
    r = result(db)
    rates = {u.code: (u.rate.due, u.rate.received, u.rate.on_time) for u in r.units}
    # received = 按时 + 迟报 + 未审核 among the 9 due months; on time = 按时
    assert rates == {
        "320703": (9, 9, 9),  # 9 on time
        "320706": (9, 8, 2),  # 1—8 (8 only as a draft); on time 3 and 6
        "320707": (9, 0, 0),
        "320722": (9, 6, 2),  # 1 2 3 4 6 7 (5 returned, 8 9 missing); on time 1 and 7
    }
    b = r.units[1].rate
    assert (b.completeness, b.timeliness) == (8 / 9, 2 / 9)
    assert (r.units[2].rate.completeness, r.units[2].rate.timeliness) == (0.0, 0.0)
    # the city pools the counts: 9+9+9+9 = 36 due, 9+8+0+6 = 23 received, 9+2+0+2 = 13 on time
    assert (r.city.due, r.city.received, r.city.on_time) == (36, 23, 13)
    assert (r.city.completeness, r.city.timeliness) == (23 / 36, 13 / 36)


def test_cells_name_the_package_that_decided_them(year):
    db, rows = year
    r = {u.code: u for u in result(db).units}
    june_b = r["320706"].cells[5]  # created 07-05 23:30, the deadline day's last half hour
    assert (june_b.state, june_b.created, june_b.sequence) == (T, dt.datetime(2020, 7, 5, 23, 30), 2)
    assert june_b.arrived == dt.datetime(2020, 7, 6, 1, 30) and june_b.package_id == rows["B2"].package_id
    assert r["320706"].cells[6].created == dt.datetime(2020, 8, 6, 0, 0)  # 迟报 by one second
    aug_b = r["320706"].cells[7]  # the draft month: the package that brought it
    assert (aug_b.state, aug_b.sequence) == (D, 4)
    march_d = r["320722"].cells[2]  # on time in seq 2, returned, answered late by seq 3
    assert (march_d.state, march_d.sequence, march_d.created) == (L, 3, dt.datetime(2020, 4, 20, 10, 0))
    july_d = r["320722"].cells[6]  # no creation time in the log: its arrival decides
    assert (july_d.state, july_d.created, july_d.arrived) == (T, None, dt.datetime(2020, 8, 1, 10, 0))
    may_d = r["320722"].cells[4]
    assert (may_d.state, may_d.sequence, may_d.package_id) == (R, 5, rows["D5"].package_id)
    assert may_d.reasons == (("", "五月科普讲座缺少活动台账记录"),)
    missing = r["320707"].cells[0]
    assert (missing.created, missing.arrived, missing.package_id, missing.sequence) == (None, None, "", None)


def test_overdue_units_and_their_reminders(year):
    db, _rows = year
    r = result(db)
    assert [(o.code, o.missing, o.returned, o.draft) for o in r.overdue] == [
        ("320706", (9,), (), (8,)),
        ("320707", tuple(range(1, 10)), (), ()),
        ("320722", (8, 9), (5,), ()),
    ]
    rule = "（截止日期：每月5日前报送上月数据），请尽快在程序中审核后导出上报包发送至市科协。"
    assert [o.text for o in r.overdue] == [
        "海州区科协：贵单位2020年9月的数据尚未报送；8月的数据尚未审核，待审核后重报" + rule,
        "赣榆区科协：贵单位2020年1—9月的数据尚未报送" + rule,
        "东海县科协：贵单位2020年8—9月的数据尚未报送；5月的数据已退回待重报" + rule
        + "退回原因：5月：五月科普讲座缺少活动台账记录。",
    ]
    assert r.reminder.splitlines() == [
        "各县区科协：截至2020年10月8日，以下单位2020年的数据尚未按要求报送（截止日期：每月5日前报送上月数据）：",
        "海州区科协：9月尚未报送；8月尚未审核，待审核后重报。",
        "赣榆区科协：1—9月尚未报送。",
        "东海县科协：8—9月尚未报送；5月已退回待重报。",
        "请尽快在程序中审核后导出上报包发送至市科协。",
    ]


def test_a_later_deadline_day_makes_september_not_due(year):
    db, _rows = year
    with db.write() as s:
        reporting.put_deadline_day(s, 10)
    r = result(db)
    assert r.deadline_day == 10
    # deadline 10: September's is 10-10, after today; 连云区's September (created 10-03) shows 按时 but
    # is not counted; 赣榆区's September is 未到期
    a, b, c, d = r.units
    assert (a.cells[8].state, a.cells[8].due) == (T, False)
    assert c.cells[8].state == N and b.cells[8].state == N
    # 海州区 with day 10: 4 (dl 05-10, created 07-05) 迟报, 5 (06-10) 迟报, 6 按时, 7 (08-10, created 08-06) 按时
    assert [x.state for x in b.cells] == [L, L, T, L, L, T, T, D, N, N, N, N]
    assert (a.rate.due, a.rate.received, a.rate.on_time) == (8, 8, 8)
    assert (b.rate.due, b.rate.received, b.rate.on_time) == (8, 8, 3)
    # 东海县 with day 10: 2 and 3 still late (04-20), 4 (06-03 > 05-10) 迟报, 6 (08-01 > 07-10) 迟报, 7 按时
    assert [x.state for x in d.cells][:8] == [T, L, L, L, R, L, T, M]
    assert (r.city.due, r.city.received, r.city.on_time) == (32, 8 + 8 + 0 + 6, 8 + 3 + 0 + 2)


def test_the_deadline_setting_is_checked_and_city_only(db):
    with db.write() as s:
        assert reporting.deadline_day(s) == 5
        offices.set_this_office(s, offices.city(s))
        for bad in (0, 29, "5", 5.0, True):
            with pytest.raises(UserError, match="1 至 28 日"):
                reporting.put_deadline_day(s, bad)
        reporting.put_deadline_day(s, 28)
        assert reporting.deadline_day(s) == 28
        assert settings.get(s, "reporting_deadline_day") == 28
        offices.set_this_office(s, offices.resolve(s, "东海县"))
        with pytest.raises(UserError, match="本机是东海县科协：报送截止日期由市科协设定"):
            reporting.put_deadline_day(s, 6)
        with pytest.raises(UserError, match="本机是东海县科协：报送情况只在市科协查看"):
            reporting.reporting(s, 2020)
    assert reporting.deadline(2020, 12, 5) == dt.date(2021, 1, 5)


def test_to_json_has_one_object_per_unit_and_month(year):
    db, rows = year
    data = result(db).to_json()
    assert len(data["cells"]) == 4 * 12
    first = data["cells"][0]
    assert first == {"office": "320703", "month": "2020-01", "state": T, "created": "2020-02-03 09:00:00",
                     "arrived": "2020-02-03 11:00:00", "due": True, "deadline": "2020-02-05",
                     "package": rows["A1"].package_id, "sequence": 1, "reasons": []}
    assert data["city"] == {"due": 36, "received": 23, "on_time": 13, "completeness": 23 / 36,
                            "timeliness": 13 / 36}


def test_real_packages_returned_then_answered(tmp_path):
    """Unit exports 2019 (1—3 approved) → the city imports, returns month 2 → 已退回待重报; the unit
    resends → 2 is judged by the new package. Real clocks: every 2019 month is due and late."""
    city, unit = make_city(tmp_path / "city.db"), open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, "320703", tmp_path)
    with unit.write() as s:
        office, i09 = offices.resolve(s, "320703"), plan.indicator(s, "I09")
        for m in (1, 2, 3):
            values.set_value(s, i09, office, 2019, m, float(m))
        states.submit(s, office, 2019, 3)
        states.approve(s, office, 2019, 3, by="李审")
    first = export_sub(unit, "320703", 2019, tmp_path / "sub1.xlsx")
    assert packages.apply(city, tmp_path / "sub1.xlsx").outcome == "applied"
    with city.write() as s:
        packages.export_return(s, first.manifest.package_id, [ReturnRequest("二月数据与台账不符，请核对", 2)],
                               tmp_path / "return.xlsx")
    with city.read() as s:
        r = reporting.reporting(s, 2019)
        entry = s.scalars(select(PackageLog).where(PackageLog.package_id == first.manifest.package_id,
                                                   PackageLog.direction == "received")).one()
    cells = r.units[0].cells
    assert [c.state for c in cells] == [L, R, L] + [M] * 9
    assert cells[0].created == dt.datetime.fromisoformat(first.manifest.created) == entry.created
    assert cells[1].reasons == (("", "二月数据与台账不符，请核对"),)
    assert (r.units[0].rate.due, r.units[0].rate.received, r.units[0].rate.on_time) == (12, 2, 0)
    assert packages.apply(unit, tmp_path / "return.xlsx").outcome == "applied"
    with unit.write() as s:
        office = offices.resolve(s, "320703")
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 2, 5.0)
        states.submit(s, office, 2019, 3)
        states.approve(s, office, 2019, 3, by="李审")
    second = export_sub(unit, "320703", 2019, tmp_path / "sub2.xlsx")
    assert packages.apply(city, tmp_path / "sub2.xlsx").outcome == "applied"
    with city.write() as s:  # as if the resend had been made on 2019-03-04: month 2 on time, by it
        s.execute(PackageLog.__table__.update().where(PackageLog.package_id == second.manifest.package_id)
                  .values(created=dt.datetime(2019, 3, 4, 9, 0)))
    with city.read() as s:
        cells = reporting.reporting(s, 2019).units[0].cells
    assert [c.state for c in cells[:3]] == [L, T, L]
    assert (cells[1].sequence, cells[1].package_id) == (second.manifest.sequence, second.manifest.package_id)
    assert cells[0].package_id == first.manifest.package_id  # month 1 stays with the package that first brought it
