"""City consolidation, ranking, completeness, trend, and recomputing only what an edit touched."""

from __future__ import annotations

import datetime as dt

import pytest

from kexie_desktop import progress
from kexie_desktop.services import activities, offices, plan, settings, targets, values

CITY, A, B, C, D = "320700", "320703", "320706", "320707", "320722"
END = dt.date(2020, 12, 31)


def _set(s, code, office, year, month, value, base=None):
    values.set_value(s, plan.indicator(s, code), offices.resolve(s, office), year, month, value, base=base)


def _target(s, code, office, year, value):
    targets.put_target(s, plan.indicator(s, code), offices.resolve(s, office), year, value)


@pytest.fixture
def city_data(db):
    with db.write() as s:
        # I08 (annual, sum): city 1 + A 2+3+4 + B 0 + C 5 = 15 of the city's 30.
        _set(s, "I08", CITY, 2020, 1, 1)
        for month, value in ((1, 2), (2, 3), (5, 4)):
            _set(s, "I08", A, 2020, month, value)
        _set(s, "I08", B, 2020, 1, 0)
        _set(s, "I08", C, 2020, 7, 5)
        # I12 (level, sum): A's latest 4200, B's latest 800 (after 1000).
        _set(s, "I12", A, 2019, 3, 4500)
        _set(s, "I12", A, 2019, 9, 4200)
        _set(s, "I12", B, 2019, 1, 1000)
        _set(s, "I12", B, 2020, 1, 800)
        # I01 (coverage of counties, share): 7 of the 10 units have a provincial base.
        for n, unit in enumerate(offices.units(s)):
            values.set_value(s, plan.indicator(s, "I01"), unit, 2020, 6, 1 if n < 7 else 0, base=1)
        # I04 (city only): 5 + 4 of 15.
        _set(s, "I04", CITY, 2018, 3, 5)
        _set(s, "I04", CITY, 2019, 3, 4)
    return db


def test_city_sum_is_its_own_entries_plus_the_units(city_data):
    with city_data.read() as s:
        overview = progress.city_progress(s, 2020, END)
        row = overview.row(CITY, "I08")
        assert (row.actual, row.target, row.progress, row.consolidated) == (15, 30, 0.5, True)
        units = [r.actual for r in overview.unit_rows("I08") if r.reported]
        assert row.actual == 1 + sum(units) == 15
        assert overview.row(CITY, "I12").actual == 4200 + 800  # each office's latest level
        assert overview.row(CITY, "I12").progress == pytest.approx(5000 / 60000)


def test_city_coverage_is_the_share_of_covered_units(city_data):
    with city_data.read() as s:
        row = progress.city_progress(s, 2020, END).row(CITY, "I01")
        assert (row.covered, row.base) == (7, 10)
        assert row.actual == pytest.approx(70.0)
        assert row.progress == pytest.approx(0.7)


def test_city_only_indicator_uses_the_city_office_alone(city_data):
    with city_data.read() as s:
        overview = progress.city_progress(s, 2020, END)
        row = overview.row(CITY, "I04")
        assert (row.actual, row.target, row.progress) == (9, 15, 0.6)
        assert overview.unit_rows("I04") == []
        # progress_for on the city office is the consolidated picture.
        assert progress.progress_for(s, offices.city(s), 2020, END) == overview.city


def test_city_with_nothing_reported_is_unreported(db):
    with db.read() as s:
        row = progress.city_progress(s, 2020, END).row(CITY, "I09")
        assert (row.reported, row.status, row.actual) == (False, "未填报", None)


def _rows(overview) -> dict[tuple[str, str], progress.ProgressRow]:
    found = {(r.office_code, r.code): r for r in overview.city}
    for rows in overview.units.values():
        found.update({(r.office_code, r.code): r for r in rows})
    return found


def _changed(before, after) -> set[tuple[str, str]]:
    return {key for key in before if before[key] != after[key]}


def test_an_edit_changes_only_the_row_it_touched_and_the_city_row(demo_db):
    with demo_db.read() as s:
        before = _rows(progress.city_progress(s, 2020, END))
    with demo_db.write() as s:
        unit, indicator = offices.resolve(s, A), plan.indicator(s, "I09")
        old = values.find_value(s, indicator, unit, 2019, 5).value
        values.set_value(s, indicator, unit, 2019, 5, old + 1)
    with demo_db.read() as s:
        after = _rows(progress.city_progress(s, 2020, END))
        assert _changed(before, after) == {(A, "I09"), (CITY, "I09")}
        assert after[(A, "I09")].actual == before[(A, "I09")].actual + 1
        assert after[(CITY, "I09")].actual == before[(CITY, "I09")].actual + 1
        # Recomputing just that office and indicator gives the same row.
        only = progress.progress_for(s, offices.resolve(s, A), 2020, END, indicators=[plan.indicator(s, "I09")])
        assert only == [after[(A, "I09")]]


def test_a_new_ledger_record_changes_only_its_indicators(demo_db):
    with demo_db.read() as s:
        before = _rows(progress.city_progress(s, 2020, END))
    with demo_db.write() as s:
        activities.add_activity(s, offices.resolve(s, B), activities.resolve_type(s, "POP_LECTURE"),
                                dt.date(2020, 3, 3), "新增讲座", audience=80)
    with demo_db.read() as s:
        after = _rows(progress.city_progress(s, 2020, END))
    # 科普讲座 counts in I39 (lectures) and I41 (audiences).
    assert _changed(before, after) == {(B, "I39"), (B, "I41"), (CITY, "I39"), (CITY, "I41")}
    assert after[(B, "I41")].actual == before[(B, "I41")].actual + 80


@pytest.fixture
def ranked(db):
    with db.write() as s:
        _target(s, "I08", A, 2020, 12)  # 9 of 12: 75 %
        _target(s, "I08", B, 2020, 0)  # zero target: 100 %
        _target(s, "I08", C, 2020, 5)  # 5 of 5: 100 %, ties with B, B's code is smaller
        _target(s, "I08", D, 2020, 10)  # nothing reported: last
        for month, value in ((1, 2), (2, 3), (5, 4)):
            _set(s, "I08", A, 2020, month, value)
        _set(s, "I08", C, 2020, 7, 5)
        _target(s, "I09", A, None, 60)
        _set(s, "I09", A, 2019, 1, 30)  # 50 %
        _target(s, "I09", B, None, 10)
        _set(s, "I09", B, 2019, 1, 20)  # 200 %, counts as 100 % in the score
    return db


def test_ranking_per_indicator(ranked):
    with ranked.read() as s:
        ranks = progress.rank_indicator(progress.city_progress(s, 2020, END), "I08")
    # B's zero target reads 已完成 on its own row, but B reported nothing: after those that did.
    assert [(k.rank, k.row.office_code, k.row.progress, k.status) for k in ranks] == [
        (1, C, 1.0, "已完成"), (2, A, 0.75, "略有滞后"), (3, B, 1.0, "未填报"), (4, D, None, "未填报"),
    ]


def test_overall_ranking_with_equal_and_set_weights(ranked):
    with ranked.read() as s:
        overview = progress.city_progress(s, 2020, END)
        assert progress.ranking_weights(s) is None
        ranks = progress.rank_overall(overview)
    by_code = {k.office_code: k for k in ranks}
    assert by_code[B].score == 1.0  # (1 + min(2, 1)) / 2
    assert by_code[C].score == 1.0
    assert by_code[A].score == pytest.approx((0.75 + 0.5) / 2)
    assert by_code[D].score == 0.0  # its one target, unreported
    assert (by_code[A].indicators, by_code[A].reported) == (2, 2)
    assert [k.office_code for k in ranks[:4]] == [B, C, A, D]
    assert ranks[4].score is None  # no targets at all: after everyone with a score
    with ranked.write() as s:
        settings.put(s, "ranking_weights", {"I08": 3})
    with ranked.read() as s:
        weights = progress.ranking_weights(s)
        ranks = progress.rank_overall(progress.city_progress(s, 2020, END), weights)
    assert {k.office_code: k.score for k in ranks}[A] == pytest.approx((3 * 0.75 + 1 * 0.5) / 4)


def test_completeness_counts_required_indicators_still_unreported(ranked):
    with ranked.read() as s:
        rows = progress.progress_for(s, offices.resolve(s, D), 2020, END)
        done = progress.completeness(rows)
        assert (done.required, done.reported, done.missing, done.share) == (1, 0, ["I08"], 0.0)
        done = progress.completeness(progress.progress_for(s, offices.resolve(s, A), 2020, END))
        assert (done.required, done.reported, done.missing) == (2, 2, [])


def test_trend_accumulates_flows_and_carries_levels(city_data):
    with city_data.read() as s:
        city = offices.city(s)
        flow = progress.trend(s, plan.indicator(s, "I08"), city, 2020, dt.date(2020, 7, 15))
        assert [p.actual for p in flow.points] == [3, 6, 6, 6, 10, 10, 15, None, None, None, None, None]
        assert flow.points[-1].pace == 30  # the target at the year's end
        assert flow.points[1].pace == pytest.approx(30 * 60 / 366)  # end of February 2020
        level = progress.trend(s, plan.indicator(s, "I12"), city, 2020, END)
        by_month = {(p.year, p.month): p.actual for p in level.points}
        assert by_month[(2018, 12)] is None
        assert by_month[(2019, 1)] == 1000  # B only
        assert by_month[(2019, 3)] == 4500 + 1000
        assert by_month[(2019, 9)] == 4200 + 1000
        assert by_month[(2020, 12)] == 4200 + 800
        assert not level.cumulative


def test_city_trend_of_ledger_indicators_sums_each_linked_type_by_its_measure(db):
    """I41 (受众) adds the audience of 科技下乡, 科普讲座 and 科普大篷车; I39 counts 科普讲座 only. Two units,
    hand-computed: January 300 (A: lecture 100 + caravan 200), March +50 (B: 科技下乡 audience 50) and a
    lecture of A with 70: I41 = 300, 300, 420 cumulative; I39 = 1, 1, 2."""
    with db.write() as s:
        a, b = offices.resolve(s, "320703"), offices.resolve(s, "320722")
        add = activities.add_activity
        add(s, a, activities.resolve_type(s, "POP_LECTURE"), dt.date(2020, 1, 5), "讲座一", audience=100)
        add(s, a, activities.resolve_type(s, "POP_CARAVAN"), dt.date(2020, 1, 9), "大篷车", audience=200)
        add(s, b, activities.resolve_type(s, "SCI_TO_COUNTRY"), dt.date(2020, 3, 2), "下乡", audience=50)
        add(s, a, activities.resolve_type(s, "POP_LECTURE"), dt.date(2020, 3, 20), "讲座二", audience=70)
        add(s, a, activities.resolve_type(s, "OTHER"), dt.date(2020, 2, 1), "其他", audience=999)  # counts nowhere
    with db.read() as s:
        city = offices.city(s)
        audience = progress.trend(s, plan.indicator(s, "I41"), city, 2020, dt.date(2020, 3, 31))
        lectures = progress.trend(s, plan.indicator(s, "I39"), city, 2020, dt.date(2020, 3, 31))
    by_month = {(p.year, p.month): p.actual for p in audience.points}
    assert [by_month[(2020, m)] for m in (1, 2, 3, 4)] == [300, 300, 420, None]
    assert by_month[(2019, 12)] is None  # nothing before January 2020 in the plan period
    assert [p.actual for p in lectures.points if p.year == 2020][:4] == [1, 1, 2, None]


# --- what a consolidated figure rests on (issue 10, point 1) -----------------------------------------------


def test_city_coverage_of_the_units_counts_unreported_units_as_not_covered(db):
    with db.write() as s:
        for unit, covered in ((A, 1), (B, 0), (C, 0), (D, 0)):  # 4 of the 10 units reported
            _set(s, "I01", unit, 2020, 6, covered, base=1)
    with db.read() as s:
        row = progress.city_progress(s, 2020, END).row(CITY, "I01")
    # 1 covered of 10 units that should be (not 1 of the 4 that reported); expected 100 % at the end.
    assert (row.covered, row.base, row.actual, row.progress) == (1, 10, 10.0, 0.1)
    assert (row.units_reported, row.units_total, row.status) == (4, 10, "严重滞后")


def test_city_coverage_is_never_done_while_units_are_missing(db):
    with db.write() as s:
        for unit in (A, B, C, D):
            _set(s, "I01", unit, 2020, 6, 1, base=1)
    with db.read() as s:
        row = progress.city_progress(s, 2020, END).row(CITY, "I01")
        assert (row.covered, row.base, row.actual, row.units_reported) == (4, 10, 40.0, 4)
        assert row.status != "已完成"
    with db.write() as s:
        for unit in offices.units(s):
            values.set_value(s, plan.indicator(s, "I01"), unit, 2020, 6, 1, base=1)
    with db.read() as s:
        row = progress.city_progress(s, 2020, END).row(CITY, "I01")
        assert (row.covered, row.base, row.units_reported, row.status) == (10, 10, 10, "已完成")


def test_recomputed_share_stands_over_the_reporting_units(db):
    with db.write() as s:
        _set(s, "I11", A, 2020, 3, 30, base=40)  # communities: the others' bases are unknown
        _set(s, "I11", B, 2020, 3, 10, base=10)
    with db.read() as s:
        row = progress.city_progress(s, 2020, END).row(CITY, "I11")
    assert (row.covered, row.base, row.actual) == (40, 50, 80.0)
    assert (row.units_reported, row.units_total, row.status) == (2, 10, "略有滞后")  # 80 % of 100 %


def test_a_sum_over_some_units_meets_the_target_but_is_not_done(db):
    with db.write() as s:
        _set(s, "I08", A, 2020, 2, 20)
        _set(s, "I08", B, 2020, 3, 15)
    with db.read() as s:
        row = progress.city_progress(s, 2020, END).row(CITY, "I08")
        assert (row.actual, row.target, row.progress) == (35, 30, 35 / 30)
        assert (row.units_reported, row.units_total, row.status) == (2, 10, "进度正常")
    with db.write() as s:
        for unit in offices.units(s)[2:]:  # the other 8 report their 0
            values.set_value(s, plan.indicator(s, "I08"), unit, 2020, 3, 0)
    with db.read() as s:
        row = progress.city_progress(s, 2020, END).row(CITY, "I08")
        assert (row.actual, row.units_reported, row.status) == (35, 10, "已完成")


def test_city_only_rows_rest_on_the_city_alone_and_unit_rows_on_themselves(city_data):
    with city_data.read() as s:
        overview = progress.city_progress(s, 2020, END)
        row = overview.row(CITY, "I04")
        assert (row.units_reported, row.units_total) == (0, 0)
        assert overview.row(CITY, "I08").units_reported == 3  # A, B (its 0 counts) and C
        assert {(r.units_reported, r.units_total) for r in overview.units[A]} == {(None, None)}


def test_overall_ranking_puts_units_that_reported_nothing_last(db):
    with db.write() as s:
        _target(s, "I08", A, 2020, 12)
        _set(s, "I08", A, 2020, 1, 3)  # 25 %
        _target(s, "I08", B, 2020, 0)  # a zero target counts as met, but B reported nothing
    with db.read() as s:
        ranks = progress.rank_overall(progress.city_progress(s, 2020, END))
    assert [(k.rank, k.office_code, k.score, k.status) for k in ranks[:2]] == [
        (1, A, 0.25, None), (2, B, 1.0, "未填报"),
    ]
    assert {k.status for k in ranks[1:]} == {"未填报"}


def test_city_trend_of_a_coverage_of_the_units_counts_the_missing_units(db):
    with db.write() as s:
        for unit, covered in ((A, 1), (B, 0), (C, 0), (D, 0)):
            _set(s, "I01", unit, 2020, 6, covered, base=1)
    with db.read() as s:
        trend = progress.trend(s, plan.indicator(s, "I01"), offices.city(s), 2020, END)
    by_month = {(p.year, p.month): p.actual for p in trend.points}
    assert (by_month[(2020, 5)], by_month[(2020, 6)], by_month[(2020, 12)]) == (None, 10.0, 10.0)  # 1 of 10


def test_city_coverage_of_city_and_units_counts_unreported_units_as_not_covered(db):
    """I53 市县两级农技协组织覆盖: its base is the units themselves (and the city), like I01."""
    with db.write() as s:
        for unit, covered in ((A, 1), (B, 0), (C, 1), (D, 1)):  # 4 of the 10 units reported
            _set(s, "I53", unit, 2020, 6, covered, base=1)
    with db.read() as s:
        row = progress.city_progress(s, 2020, END).row(CITY, "I53")
    # 3 covered of the 10 units (the 6 silent ones are not known to be covered); target 100 %.
    assert (row.covered, row.base, row.actual, row.progress) == (3, 10, 30.0, 0.3)
    assert (row.units_reported, row.units_total) == (4, 10)
