"""Progress arithmetic per target kind and the calendar, hand-computed, through the Python API and
through `progress --json` (every case runs both ways)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from kexie_desktop import cli, progress
from kexie_desktop.services import activities, offices, plan, settings, targets, values

A, B, C = "320703", "320706", "320707"  # 连云区, 海州区, 赣榆区
KEYS = ("code", "kind", "target", "target_max", "actual", "progress", "expected", "status", "projection", "reported")


def _set(s, code, office, year, month, value, base=None):
    values.set_value(s, plan.indicator(s, code), offices.resolve(s, office), year, month, value, base=base)


def _target(s, code, office, year, value, max_value=None):
    targets.put_target(s, plan.indicator(s, code), offices.resolve(s, office), year, value, max_value=max_value)


def _activity(s, office, type_code, date, audience=0, participants=0):
    kind = activities.resolve_type(s, type_code)
    activities.add_activity(s, offices.resolve(s, office), kind, date, f"{type_code} {date}",
                            audience=audience, participants=participants)


@pytest.fixture
def scenario(db):
    """Small hand-made data on the fresh built-in plan (city targets only, no values)."""
    with db.write() as s:
        # annual flow I08 (家, entered): A's 2020 target 12; 2019-12 must not count for 2020.
        _target(s, "I08", A, 2020, 12)
        _target(s, "I08", A, 2018, 10)
        for year, month, value in ((2019, 12, 7), (2020, 1, 2), (2020, 2, 3), (2020, 5, 4), (2018, 1, 4)):
            _set(s, "I08", A, year, month, value)
        _target(s, "I08", B, 2020, 0)  # zero target, nothing reported
        _target(s, "I08", C, 2020, 5)
        _set(s, "I08", C, 2020, 1, 0)  # a reported 0
        # cumulative flow I09 with no data at all
        _target(s, "I09", C, None, 60)
        # range I43 (所): 2-3 for A
        _target(s, "I43", A, None, 2, max_value=3)
        _set(s, "I43", A, 2019, 3, 1)
        _set(s, "I43", A, 2020, 4, 1)
        # level I12 that went down: 3000, 4500, then 4200
        _target(s, "I12", A, None, 6000)
        for year, month, value in ((2018, 6, 3000), (2019, 3, 4500), (2019, 9, 4200)):
            _set(s, "I12", A, year, month, value)
        # coverage I11: 12 of 40 communities, later 30 of 40
        _target(s, "I11", B, None, 100)
        _set(s, "I11", B, 2019, 3, 12, base=40)
        _set(s, "I11", B, 2020, 1, 30, base=40)
        # at least I36 (annual): 5 or more
        _target(s, "I36", A, 2020, 5)
        _set(s, "I36", A, 2020, 3, 6)
    return db


def compute(db, via: str, office: str, year: int, as_of: str) -> dict[str, dict]:
    """{indicator code: row as a dict of KEYS}, from the API or from `progress --json`."""
    if via == "api":
        with db.read() as s:
            rows = progress.progress_for(s, offices.resolve(s, office), year, dt.date.fromisoformat(as_of))
            return {r.code: {k: getattr(r, k) for k in KEYS} for r in rows}
    out = io.StringIO()
    argv = ["--db", db.target, "progress", "--office", office, "--year", str(year), "--as-of", as_of, "--json"]
    assert cli.run(argv, out) == 0
    return {r["code"]: {k: r[k] for k in KEYS} for r in json.loads(out.getvalue())}


VIA = pytest.mark.parametrize("via", ["api", "cli"])


@VIA
def test_annual_flow_in_a_leap_year(scenario, via):
    # 2020-02-29: January (31) + February (29) = day 60 of 366; actual = Jan 2 + Feb 3 = 5 (not 2019-12).
    row = compute(scenario, via, A, 2020, "2020-02-29")["I08"]
    assert row["actual"] == 5
    assert row["target"] == 12
    assert row["progress"] == pytest.approx(5 / 12)
    assert row["expected"] == pytest.approx(60 / 366)
    assert row["status"] == "进度正常"  # 41.7 % done, 16.4 % expected
    assert row["projection"] == pytest.approx(5 / (60 / 366))  # 30.5
    assert row["reported"] is True
    # One day later: day 61 of 366; March has no entry, so the actual is unchanged.
    row = compute(scenario, via, A, 2020, "2020-03-01")["I08"]
    assert (row["actual"], row["expected"]) == (5, pytest.approx(61 / 366))
    assert row["projection"] == pytest.approx(30.0)  # 5 × 366 / 61


@VIA
def test_annual_flow_in_a_common_year_and_mid_year(scenario, via):
    # 2019-03-01 is day 31 + 28 + 1 = 60 of 365.
    assert compute(scenario, via, A, 2019, "2019-03-01")["I08"]["expected"] == pytest.approx(60 / 365)
    # 2020-06-30: 31+29+31+30+31+30 = 182 of 366; actual 2 + 3 + 4 = 9 of 12.
    row = compute(scenario, via, A, 2020, "2020-06-30")["I08"]
    assert row["actual"] == 9
    assert row["progress"] == pytest.approx(0.75)
    assert row["expected"] == pytest.approx(182 / 366)


@VIA
def test_zero_target_is_done_and_a_reported_zero_is_not_unreported(scenario, via):
    rows = compute(scenario, via, B, 2020, "2020-06-30")
    assert rows["I08"]["target"] == 0
    assert rows["I08"]["progress"] == 1.0
    assert rows["I08"]["status"] == "已完成"
    assert rows["I08"]["reported"] is False
    assert rows["I08"]["actual"] is None
    reported_zero = compute(scenario, via, C, 2020, "2020-06-30")["I08"]
    assert reported_zero["reported"] is True
    assert reported_zero["actual"] == 0
    assert reported_zero["progress"] == 0
    assert reported_zero["status"] == "严重滞后"  # 0 % done, 182/366 = 49.7 % expected


@VIA
def test_no_data_at_all(scenario, via):
    row = compute(scenario, via, C, 2020, "2020-06-30")["I09"]
    assert row["status"] == "未填报"
    assert row["reported"] is False
    assert (row["actual"], row["progress"], row["projection"]) == (None, None, None)
    assert row["expected"] == pytest.approx(912 / 1096)  # 365 + 365 + 182 days of 1096


@VIA
def test_range_is_done_at_the_lower_bound(scenario, via):
    # 2019-12-31: 730 of 1096 plan days; 1 of lower bound 2 = 50 %, 16.6 points under: behind.
    row = compute(scenario, via, A, 2019, "2019-12-31")["I43"]
    assert (row["target"], row["target_max"], row["actual"]) == (2, 3, 1)
    assert row["progress"] == pytest.approx(0.5)
    assert row["expected"] == pytest.approx(730 / 1096)
    assert row["status"] == "略有滞后"
    # 2020-06-30: 2 ≥ 2, done although the stretch bound 3 is not reached.
    row = compute(scenario, via, A, 2020, "2020-06-30")["I43"]
    assert (row["actual"], row["progress"], row["status"]) == (2, 1.0, "已完成")
    assert row["projection"] == pytest.approx(2 / (912 / 1096))  # 2.40


@VIA
def test_level_that_went_down_counts_its_latest_value(scenario, via):
    row = compute(scenario, via, A, 2019, "2019-12-31")["I12"]
    assert row["actual"] == 4200  # not 4500 (the highest), not 11700 (the sum)
    assert row["progress"] == pytest.approx(0.7)
    assert row["expected"] == pytest.approx(730 / 1096)
    assert row["status"] == "进度正常"
    assert row["projection"] == 4200  # a stock stays where it is
    assert compute(scenario, via, A, 2019, "2019-06-30")["I12"]["actual"] == 4500
    assert compute(scenario, via, A, 2019, "2019-09-01")["I12"]["actual"] == 4200  # its month counts


@VIA
def test_coverage_is_latest_covered_over_latest_base(scenario, via):
    row = compute(scenario, via, B, 2019, "2019-12-31")["I11"]
    assert row["actual"] == pytest.approx(30.0)  # 12 of 40
    assert row["progress"] == pytest.approx(0.3)
    assert row["status"] == "严重滞后"  # 66.6 - 30 = 36.6 points under
    row = compute(scenario, via, B, 2020, "2020-12-31")["I11"]
    assert row["actual"] == pytest.approx(75.0)  # 30 of 40
    assert row["expected"] == 1.0
    assert row["status"] == "略有滞后"  # exactly 25 points under is not "more than 25"


@VIA
def test_at_least_is_done_above_its_target(scenario, via):
    row = compute(scenario, via, A, 2020, "2020-03-31")["I36"]
    assert (row["kind"], row["actual"], row["progress"], row["status"]) == ("at_least", 6, 1.2, "已完成")


@VIA
def test_as_of_before_the_plan_start(scenario, via):
    rows = compute(scenario, via, A, 2018, "2017-06-30")
    for code in ("I08", "I43", "I12"):
        assert rows[code]["expected"] == 0
        assert rows[code]["reported"] is False  # 2018-01's 4 lies after the as-of date
        assert rows[code]["status"] == "未填报"
    assert compute(scenario, via, B, 2020, "2017-06-30")["I08"]["status"] == "已完成"  # zero target


@VIA
def test_as_of_after_the_plan_end_counts_everything(scenario, via):
    rows = compute(scenario, via, A, 2020, "2021-03-31")
    assert rows["I08"]["expected"] == 1.0
    assert rows["I08"]["actual"] == 9  # all of 2020, nothing of 2019
    assert rows["I08"]["projection"] == 9
    assert rows["I43"]["actual"] == 2  # the whole plan
    assert rows["I12"]["actual"] == 4200
    assert rows["I43"]["expected"] == 1.0


@VIA
def test_plan_target_in_a_leap_february(scenario, via):
    # 365 + 365 + 60 = 790 of 1096 days.
    assert compute(scenario, via, A, 2020, "2020-02-29")["I43"]["expected"] == pytest.approx(790 / 1096)


def test_thresholds_come_from_the_settings(scenario):
    assert compute(scenario, "api", A, 2019, "2019-12-31")["I43"]["status"] == "略有滞后"  # 16.6 under
    with scenario.write() as s:
        settings.put(s, "threshold_serious", 15)
    assert compute(scenario, "api", A, 2019, "2019-12-31")["I43"]["status"] == "严重滞后"
    with scenario.write() as s:
        settings.put(s, "threshold_behind", 20)
        settings.put(s, "threshold_serious", 30)
    assert compute(scenario, "api", A, 2019, "2019-12-31")["I43"]["status"] == "进度正常"


def test_units_do_not_carry_city_only_indicators_and_untargeted_rows_say_so(scenario):
    rows = compute(scenario, "api", A, 2020, "2020-06-30")
    assert "I04" not in rows  # 市级综合示范学会: city only
    assert rows["I09"]["status"] == "未设目标"
    assert rows["I09"]["progress"] is None


def test_default_as_of_is_clamped_to_the_plan_and_the_year():
    current = type("P", (), {"start_year": 2018, "end_year": 2020})()
    assert progress.default_as_of(current, today=dt.date(2026, 11, 28)) == dt.date(2020, 12, 31)
    assert progress.default_as_of(current, today=dt.date(2016, 1, 1)) == dt.date(2018, 1, 1)
    assert progress.default_as_of(current, 2019, today=dt.date(2026, 11, 28)) == dt.date(2019, 12, 31)
    assert progress.default_as_of(current, 2020, today=dt.date(2019, 5, 6)) == dt.date(2019, 5, 6)


def test_period_arithmetic():
    plan_days = progress.Period(dt.date(2018, 1, 1), dt.date(2020, 12, 31))
    assert plan_days.days == 1096
    assert plan_days.elapsed_share(dt.date(2018, 1, 1)) == 1 / 1096
    assert plan_days.elapsed_share(dt.date(2020, 12, 31)) == 1.0
    assert plan_days.cutoff(dt.date(2017, 12, 31)) is None
    assert plan_days.cutoff(dt.date(2022, 1, 1)) == dt.date(2020, 12, 31)
    assert len(plan_days.months()) == 36


@pytest.fixture
def ledger(db):
    with db.write() as s:
        _activity(s, A, "POP_LECTURE", dt.date(2017, 12, 31), audience=999)  # before the plan
        _activity(s, A, "POP_LECTURE", dt.date(2018, 5, 1), audience=100)
        _activity(s, A, "POP_LECTURE", dt.date(2019, 2, 10), audience=50)
        _activity(s, A, "POP_CARAVAN", dt.date(2019, 3, 1), audience=200)
        _activity(s, A, "ACAD_REPORT", dt.date(2019, 4, 1))
        _activity(s, A, "ACAD_EXCHANGE", dt.date(2019, 5, 1))
        _activity(s, A, "HEALTH_CHECK", dt.date(2020, 6, 1), participants=30)
        _activity(s, A, "HEALTH_CHECK", dt.date(2020, 7, 1), participants=45)
        _activity(s, B, "POP_LECTURE", dt.date(2019, 6, 1), audience=0)
        _target(s, "I39", A, None, 6)
    return db


@VIA
def test_ledger_figures_are_counted_from_the_records(ledger, via):
    rows = compute(ledger, via, A, 2019, "2019-02-09")
    assert (rows["I39"]["actual"], rows["I41"]["actual"]) == (1, 100)  # 2019-02-10 not yet
    rows = compute(ledger, via, A, 2019, "2019-02-10")
    assert (rows["I39"]["actual"], rows["I41"]["actual"]) == (2, 150)
    rows = compute(ledger, via, A, 2019, "2019-12-31")
    assert rows["I39"]["actual"] == 2  # lectures only
    assert rows["I39"]["progress"] == pytest.approx(2 / 6)
    assert rows["I41"]["actual"] == 350  # audiences of lectures and caravans
    assert rows["I02"]["actual"] == 1  # academic reports
    assert rows["I03"]["actual"] == 2  # exchanges and reports both count
    assert rows["I13"]["reported"] is False
    assert compute(ledger, via, A, 2020, "2020-12-31")["I13"]["actual"] == 75  # participants 30 + 45
    zero_audience = compute(ledger, via, B, 2019, "2019-12-31")["I41"]
    assert (zero_audience["reported"], zero_audience["actual"]) == (True, 0)


def test_a_ledger_figure_traces_back_to_its_records(ledger):
    with ledger.read() as s:
        unit, indicator = offices.resolve(s, A), plan.indicator(s, "I41")
        records = progress.ledger_records(s, indicator, unit, None, dt.date(2019, 12, 31))
        assert [(r.activity.date, r.amount) for r in records] == [
            (dt.date(2018, 5, 1), 100), (dt.date(2019, 2, 10), 50), (dt.date(2019, 3, 1), 200),
        ]
        row = next(r for r in progress.progress_for(s, unit, 2019, dt.date(2019, 12, 31)) if r.code == "I41")
        assert sum(r.amount for r in records) == row.actual
        assert row.is_ledger
        health = progress.ledger_records(s, plan.indicator(s, "I13"), unit, 2020, dt.date(2020, 6, 30))
        assert [r.amount for r in health] == [30]
        # The city's figure is consolidated, so are its records (A's and B's lectures).
        city = offices.city(s)
        lectures = progress.ledger_records(s, plan.indicator(s, "I39"), city, None, dt.date(2019, 12, 31))
        assert [r.activity.office.code for r in lectures] == [A, A, B]
        assert progress.ledger_records(s, plan.indicator(s, "I39"), city, None, dt.date(2019, 12, 31),
                                       consolidated=False) == []
