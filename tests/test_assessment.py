"""考核 core: the prepared year of tests/assessment_year.py, hand-computed there, part by part; the
default scheme, the scheme's validation, adjustments, ties and the milestone rule."""

from __future__ import annotations

import datetime as dt

import pytest

from kexie_desktop import assessment
from kexie_desktop.errors import UserError
from kexie_desktop.progress import progress_for
from kexie_desktop.services import offices

import assessment_year as prepared

L, H, G, D = prepared.LIANYUN, prepared.HAIZHOU, prepared.GANYU, prepared.DONGHAI
# office → (class, indicators, tasks, reporting, total, max, 得分率, rank in class, overall rank)
TABLE = {
    L: ("区", 28.0, 7.0, 14.0, 49.0, 74.0, 0.6622, 1, 1),
    H: ("区", 19.33, 4.5, 7.55, 31.38, 74.0, 0.4241, 2, 3),
    G: ("区", 0.0, 0.0, 4.0, 4.0, 74.0, 0.0541, 3, 4),
    D: ("县", 40.0, 3.33, 8.89, 52.22, 88.0, 0.5934, 1, 2),
}
# office → the parts that earned something or are named in the year's story: (code, item, weight, max, earned)
PARTS = {
    L: [("I08", "I08", 10, 12, 12), ("I09", "T1.3 部分", 10, 12, 6), ("I20", "T1.3 部分", 10, 12, 10),
        ("T16", "全部", 2, 2, 2), ("T24", "全部", 2, 2, 0), ("T26", "T26", 6, 6, 3), ("T28", "全部", 2, 2, 2),
        ("completeness", "报送完整率", 5, 5, 5), ("timeliness", "报送及时率", 5, 5, 5),
        ("explained", "预警说明率", 4, 4, 4)],
    H: [("I08", "I08", 10, 12, 7.33), ("I09", "T1.3 部分", 10, 12, 0), ("I20", "T1.3 部分", 10, 12, 12),
        ("T26", "T26", 6, 6, 4.5), ("T41", "全部", 2, 2, 0),
        ("completeness", "报送完整率", 5, 5, 4.44), ("timeliness", "报送及时率", 5, 5, 1.11),
        ("explained", "预警说明率", 4, 4, 2)],
    G: [("I08", "I08", 10, 12, 0), ("I09", "T1.3 部分", 20, 24, 0), ("T26", "T26", 6, 6, 0),
        ("completeness", "报送完整率", 5, 5, 0), ("timeliness", "报送及时率", 5, 5, 0),
        ("explained", "预警说明率", 4, 4, 4)],
    D: [("I08", "全部", 20, 24, 16), ("I09", "全部", 20, 24, 24), ("T26", "全部", 2, 2, 1.33), ("T50", "全部", 2, 2, 2),
        ("completeness", "报送完整率", 10, 10, 6.67), ("timeliness", "报送及时率", 10, 10, 2.22)],
}
GAPS = {
    L: [("I09", 6.0), ("T26", 3.0), ("I20", 2.0), ("T24", 2.0), ("T41", 2.0)],
    H: [("I09", 12.0), ("I08", 4.67), ("timeliness", 3.89), ("T16", 2.0), ("T24", 2.0)],
    G: [("I09", 24.0), ("I08", 12.0), ("T26", 6.0), ("completeness", 5.0), ("timeliness", 5.0)],
    D: [("I08", 8.0), ("timeliness", 7.78), ("completeness", 3.33), ("T16", 2.0), ("T24", 2.0)],
}


@pytest.fixture
def year(db):
    with db.write() as s:
        prepared.prepare(s)
    return db


def result(db, **kw):
    with db.read() as s:
        return assessment.assess(s, prepared.YEAR, prepared.AS_OF, **kw)


def test_every_unit_scores_as_computed_by_hand(year):
    a = result(year)
    got = {u.code: (u.class_name, u.subtotal("indicator"), u.subtotal("task"), u.subtotal("reporting"), u.total,
                    u.max, u.score_rate, u.rank_class, u.rank_overall) for u in a.units}
    assert got == TABLE
    assert [u.code for u in a.ranked()] == [L, D, H, G]
    assert [u.code for u in a.ranked("区")] == [L, H, G]


def test_every_part_is_shown_with_its_weight_cap_and_points(year):
    a = result(year)
    for code, expected in PARTS.items():
        parts = {p.code: p for p in a.unit(code).parts}
        assert [(c, parts[c].item, parts[c].weight, parts[c].max, parts[c].earned) for c, *_ in expected] == expected
    lianyun = {p.code: p for p in a.unit(L).parts}
    assert (lianyun["I08"].rate, lianyun["I08"].capped, lianyun["I08"].detail) == (1.5, 1.2, "完成率 150.0%，封顶 120%")
    assert [p.code for p in a.unit(L).parts if p.group == "task"] == [
        "T16", "T24", "T26", "T28", "T41", "T44", "T45", "T50", "T51", "T59"]
    assert lianyun["T26"].detail == "节点按期完成 1/2"  # the second milestone was done late
    assert lianyun["T24"].detail == "本年没有到期的节点"  # its milestone belongs to 2019
    assert {p.code: p for p in a.unit(G).parts}["T26"].detail == "没有节点"
    haizhou = {p.code: p for p in a.unit(H).parts}
    assert (haizhou["T26"].derived, haizhou["T26"].earned, haizhou["T26"].adjustment.reason) == (
        0.0, 4.5, "方案已报区政府待印发，因疫情推迟")
    assert haizhou["explained"].detail == "已说明 1/2 条预警"
    assert haizhou["timeliness"].detail == "按时 2/9 个月"
    assert haizhou["I09"].detail == "未填报，按 0 计"


def test_completion_rates_are_the_progress_engines(year):
    a = result(year)
    with year.read() as s:
        for u in a.units:
            rows = {r.code: r for r in progress_for(s, offices.resolve(s, u.code), prepared.YEAR, prepared.AS_OF)}
            for p in u.parts:
                if p.group == "indicator" and rows[p.code].reported:
                    assert p.rate == rows[p.code].progress


def test_gaps_name_what_cost_each_unit_most(year):
    a = result(year)
    assert {u.code: [(p.code, p.lost) for p in u.gaps()] for u in a.units} == GAPS
    assert [(p.code, p.lost) for p in a.unit(L).gaps(2)] == GAPS[L][:2]


def test_equal_scores_share_a_rank_and_the_next_rank_skips():
    assert assessment.competition_ranks([9.0, 9.0, 7.0, 9.5]) == [2, 2, 4, 1]
    assert assessment.competition_ranks([]) == []


def test_default_scheme_classes_from_the_offices_and_every_unit_ties(db):
    with db.write() as s:
        offices.set_this_office(s, offices.city(s))
    with db.read() as s:
        sch = assessment.scheme_of(s, 2019)
        a = assessment.assess(s, 2019, dt.date(2019, 3, 1))
    assert not sch.stored and sch.cap == 1.2
    assert [(c.name, c.units) for c in sch.classes] == [
        ("区", ("320703", "320706", "320707")), ("县", ("320722", "320723", "320724")),
        ("功能区", ("3207Z1", "3207Z2", "3207Z3", "3207Z4"))]
    klass = sch.classes[0]
    assert [(i.kind, i.code, i.points) for i in klass.indicators] == [
        ("section", "G", 12.0), ("section", "T1", 12.0), ("section", "T2", 12.0), ("section", "T3", 12.0),
        ("section", "T4", 12.0)]
    assert [(i.kind, i.code, i.points) for i in klass.tasks] == [("section", "*", 25.0)]
    assert klass.reporting == {"completeness": 5.0, "timeliness": 5.0, "explained": 5.0}
    # Nothing reported, no target, no milestone: every unit earns only the 5 points of "no warning"; all tie.
    assert {(u.total, u.max, u.rank_class, u.rank_overall) for u in a.units} == {(5.0, 40.0, 1, 1)}
    assert len(a.units) == 10


def test_scheme_round_trips_and_is_validated(year):
    with year.read() as s:
        stored = assessment.scheme_of(s, prepared.YEAR)
    assert stored.stored and stored.updated_by == "考核员"
    assert {k: v for k, v in stored.to_json().items() if k in ("cap", "classes")}["classes"][1] == {
        "name": "县", "units": [D], "indicators": [{"section": "*", "points": 40.0}],
        "tasks": [{"section": "*", "points": 20.0}],
        "reporting": {"completeness": 10.0, "timeliness": 10.0, "explained": 0.0}}
    bad = [
        ({"cap": 0.9}, "完成率封顶（cap）应在 1（100%）到 3（300%）之间，现为 0.9。"),
        ({"classes": [{**prepared.SCHEME["classes"][0], "units": [L, H, G, D]}, prepared.SCHEME["classes"][1]]},
         "东海县科协同时在“区”和“县”两类中，每个单位只能属于一类。"),
        ({"classes": [prepared.SCHEME["classes"][0]]}, "东海县科协不在任何一类中：每个单位都要归入一类才能考核。"),
        ({"classes": [{**prepared.SCHEME["classes"][0], "indicators": [{"indicator": "I99", "points": 3}]},
                      prepared.SCHEME["classes"][1]]}, "“区”类的指标权重中有“I99”，计划中没有这个指标代码。"),
        ({"classes": [{**prepared.SCHEME["classes"][0], "tasks": [{"task": "T26", "points": -1}]},
                      prepared.SCHEME["classes"][1]]}, "“区”类“T26”的分值应在 0 到 1000 分之间，现为 -1。"),
        ({"year": 2019}, "文件中的考核方案是 2019 年的，不是 2020 年的。"),
    ]
    for change, message in bad:
        with year.write() as s, pytest.raises(UserError) as exc:
            assessment.put(s, prepared.YEAR, {**prepared.SCHEME, **change})
        assert str(exc.value) == message
    with year.read() as s:
        assert assessment.scheme_of(s, prepared.YEAR).to_json() == stored.to_json()


def test_only_the_city_edits_the_scheme_and_adjusts(year):
    with year.write() as s:
        offices.set_this_office(s, offices.resolve(s, H))
    with year.write() as s, pytest.raises(UserError) as exc:
        assessment.put(s, prepared.YEAR, prepared.SCHEME)
    assert str(exc.value) == "本机是海州区科协：只有市科协才能修改考核方案；县区可以查看本单位所在类的考核方案。"
    with year.write() as s, pytest.raises(UserError) as exc:
        assessment.adjust(s, prepared.YEAR, offices.resolve(s, H), "T26", 1, "理由写清楚")
    assert "只有市科协才能调整任务得分" in str(exc.value)
    with year.read() as s:  # the unit still reads the scheme
        assert assessment.scheme_of(s, prepared.YEAR).class_of(H).name == "区"


def test_adjustments_are_checked_kept_and_withdrawn(year):
    with year.write() as s:
        unit = offices.resolve(s, L)
        for args, message in [
            (("T26", 7, "理由写清楚", 6), "任务 T26 在 2020 年考核方案中最多 6.00 分，调整后的得分 7 超过了它。"),
            (("T26", 2, "短", 6), "请写明调整理由（至少 4 个字）：理由会和调整人、时间一起保留。"),
            (("T01", 2, "理由写清楚", 6), None),
        ]:
            task, points, reason, _top = args
            with pytest.raises(UserError) as exc:
                assessment.adjust(s, prepared.YEAR, unit, task, points, reason)
            if message:
                assert str(exc.value) == message
            else:
                assert str(exc.value).startswith("任务 T01") and "不由连云区科协承担" in str(exc.value)
    with year.write() as s:
        assessment.adjust(s, prepared.YEAR, offices.resolve(s, H), "T26", None, "撤销：方案尚未印发", user="审核员")
    haizhou = {p.code: p for p in result(year).unit(H).parts}
    assert (haizhou["T26"].earned, haizhou["T26"].adjustment) == (0.0, None)
    with year.read() as s:
        kept = assessment.history(s, prepared.YEAR)
    assert [(a.office_code, a.task_code, a.points, a.reason, a.by) for a in kept] == [
        (H, "T26", 4.5, "方案已报区政府待印发，因疫情推迟", "考核员"), (H, "T26", None, "撤销：方案尚未印发", "审核员")]


def test_milestone_rule():
    d = dt.date
    share = assessment.milestone_share
    as_of = d(2020, 10, 8)
    assert share([], 2020, as_of) == (0, 0)
    assert share([(d(2020, 10, 8), None)], 2020, as_of) == (0, 0)  # due today: still on time, not counted yet
    assert share([(d(2020, 10, 7), None)], 2020, as_of) == (0, 1)  # past due, not done
    assert share([(d(2020, 10, 8), d(2020, 10, 8))], 2020, as_of) == (1, 1)
    assert share([(d(2020, 10, 9), None)], 2020, as_of) == (0, 0)  # not due yet
    assert share([(d(2020, 11, 1), d(2020, 10, 1))], 2020, as_of) == (1, 1)  # done early
    assert share([(d(2021, 1, 31), d(2020, 10, 1))], 2020, as_of) == (0, 0)  # next year's
    assert share([(d(2020, 5, 1), d(2020, 10, 9))], 2020, as_of) == (0, 1)  # done after the as-of date
    assert share([(d(2019, 5, 1), d(2019, 5, 1))], 2020, as_of) == (0, 0)  # last year's
