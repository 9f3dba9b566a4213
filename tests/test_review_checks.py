"""审核 rules: every built-in rule with one case that fires and one just below its threshold,
through the core and through ``check --json``; explanations bind to the value they explain."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from kexie_desktop import cli
from kexie_desktop.errors import UserError
from kexie_desktop.models import DataValue, ValidationRule
from kexie_desktop.review import explanations
from kexie_desktop.review.checks import run_checks
from kexie_desktop.services import activities, offices, plan, targets

TODAY = dt.date(2019, 6, 15)
OFFICE = "东海县"


def put(s, office, code, year, month, value, base=None):
    """A stored value as an older package or file may hold it (the entry services refuse some of these)."""
    indicator = plan.indicator(s, code)
    s.add(DataValue(indicator_id=indicator.id, office_id=office.id, year=year, month=month,
                    value=value, base=base))


def record(s, office, type_code, date, title, audience=0, participants=0):
    activities.add_activity(s, office, activities.resolve_type(s, type_code), date, title,
                            audience=audience, participants=participants)


def months(s, office, code, year, values: dict[int, float]):
    for month, value in values.items():
        put(s, office, code, year, month, value)


# Each case: (rule, builder, the exact findings of that rule as (indicator, month, value)).
def build_e01(s, o):
    put(s, o, "I01", 2019, 1, 5, base=4)  # fires
    put(s, o, "I11", 2019, 1, 4, base=4)  # equal: fine


def build_e02(s, o):
    put(s, o, "I09", 2019, 1, 3.5)  # fires
    put(s, o, "I14", 2019, 1, 3)  # whole: fine
    put(s, o, "I30", 2019, 1, 2, base=4.5)  # a base that is not whole: fires


def build_e03(s, o):
    put(s, o, "I09", 2019, 7, 3)  # July, after 2019-06-15: fires
    put(s, o, "I14", 2019, 6, 3)  # the current month: fine


def build_e04(s, o):
    months(s, o, "I20", 2019, {1: 1, 3: 1})  # February missing between: fires
    months(s, o, "I22", 2019, {1: 1, 2: 1})  # nothing missing before the latest month: fine


def build_e05(s, o):
    record(s, o, "POP_LECTURE", dt.date(2019, 6, 16), "明天的讲座")  # after today: fires
    record(s, o, "POP_LECTURE", dt.date(2019, 6, 15), "今天的讲座")  # today: fine
    record(s, o, "POP_LECTURE", dt.date(2021, 3, 1), "计划期后的讲座")  # outside the plan: shown in 2020


def build_w01(s, o):
    months(s, o, "I09", 2019, {1: 10, 2: 50})  # 5×, above the floor 10: fires
    months(s, o, "I14", 2019, {1: 10, 2: 49})  # 4.9×: fine
    months(s, o, "I15", 2019, {1: 2, 2: 10})  # 5× but not above the floor: fine
    put(s, o, "I16", 2018, 12, 3)
    put(s, o, "I16", 2019, 1, 30)  # January against the previous December: fires


def build_w02(s, o):
    months(s, o, "I12", 2019, {1: 1000, 2: 690})  # falls 31%: fires
    months(s, o, "I12", 2019, {3: 1000, 4: 700})  # falls exactly 30%: fine (W01 ignores: no jump)


def build_w03(s, o):  # unit targets arrive in the city's plan package
    indicator = plan.indicator(s, "I08")
    targets.put_target(s, indicator, o, 2019, 10, source="package")
    months(s, o, "I08", 2019, {1: 20, 2: 11})  # 31 > 3 × 10: fires
    targets.put_target(s, indicator, o, 2018, 10, source="package")
    months(s, o, "I08", 2018, {1: 30})  # 30 = 3 × 10 (another year, checked separately): fine
    # A ledger-counted annual flow: four reports in 2019 against a target of one.
    targets.put_target(s, plan.indicator(s, "I02"), o, 2019, 1, source="package")
    for day in (1, 2, 3, 4):
        record(s, o, "ACAD_REPORT", dt.date(2019, 5, day), f"报告会{day}")
    record(s, o, "ACAD_REPORT", dt.date(2018, 5, 1), "去年的报告会")  # another year: not in 2019's total


def build_w04(s, o):
    targets.put_target(s, plan.indicator(s, "I09"), o, None, 20, source="package")
    months(s, o, "I09", 2018, {1: 30})
    months(s, o, "I09", 2019, {1: 31})  # 61 since the plan start > 3 × 20: fires
    targets.put_target(s, plan.indicator(s, "I14"), o, None, 20, source="package")
    months(s, o, "I14", 2018, {1: 30})
    months(s, o, "I14", 2019, {1: 30})  # 60 = 3 × 20: fine
    # Ledger-counted cumulative flows: lectures since the plan start (2 + 2 = 4 > 3 × 1) fire;
    # 科技下乡 (3 = 3 × 1) does not.
    targets.put_target(s, plan.indicator(s, "I39"), o, None, 1, source="package")
    targets.put_target(s, plan.indicator(s, "I38"), o, None, 1, source="package")
    for when in (dt.date(2018, 3, 1), dt.date(2018, 4, 1), dt.date(2019, 3, 1), dt.date(2019, 4, 1)):
        record(s, o, "POP_LECTURE", when, f"讲座{when}")
    for when in (dt.date(2018, 3, 1), dt.date(2019, 3, 1), dt.date(2019, 4, 1)):
        record(s, o, "SCI_TO_COUNTRY", when, f"下乡{when}")


def build_w05(s, o):
    record(s, o, "POP_LECTURE", dt.date(2019, 3, 1), "大型讲座", audience=5001)  # fires
    record(s, o, "POP_LECTURE", dt.date(2019, 3, 2), "讲座", audience=5000)  # at the limit: fine


def build_w06(s, o):
    record(s, o, "POP_LECTURE", dt.date(2019, 3, 1), "讲座甲", audience=100, participants=101)  # fires
    record(s, o, "POP_LECTURE", dt.date(2019, 3, 2), "讲座乙", audience=100, participants=100)  # fine
    record(s, o, "POP_LECTURE", dt.date(2019, 3, 3), "讲座丙", participants=50)  # no audience given: fine


def build_w07(s, o):
    record(s, o, "POP_LECTURE", dt.date(2019, 4, 1), "防灾讲座")
    record(s, o, "POP_LECTURE", dt.date(2019, 4, 1), "防灾讲座")  # same type, date and title: fires
    record(s, o, "POP_LECTURE", dt.date(2019, 4, 2), "防灾讲座")  # another day: fine
    record(s, o, "SCI_TO_COUNTRY", dt.date(2019, 4, 1), "防灾讲座")  # another type: fine


CASES = [
    ("E01", build_e01, 2019, [("I01", "2019-01", "5/4")]),
    ("E02", build_e02, 2019, [("I09", "2019-01", "3.5"), ("I30", "2019-01", "2/4.5")]),
    ("E03", build_e03, 2019, [("I09", "2019-07", "3")]),
    ("E04", build_e04, 2019, [("I20", "2019-02", "")]),
    ("E05", build_e05, 2019, [(None, "2019-06", "2019-06-16")]),
    ("W01", build_w01, 2019, [("I16", "2019-01", "30"), ("I09", "2019-02", "50")]),
    ("W02", build_w02, 2019, [("I12", "2019-02", "690")]),
    ("W03", build_w03, 2019, [("I02", None, "4"), ("I08", None, "31")]),
    ("W04", build_w04, 2019, [("I09", None, "61"), ("I39", None, "4")]),
    ("W05", build_w05, 2019, [(None, "2019-03", "5001")]),
    ("W06", build_w06, 2019, [(None, "2019-03", "101/100")]),
    ("W07", build_w07, 2019, [(None, "2019-04", "2")]),
]


def _office(s):
    office = offices.resolve(s, OFFICE)
    offices.set_this_office(s, office)
    return office


def _found(findings, rule):
    return [(f.indicator, f.month, f.value) for f in findings if f.rule == rule]


@pytest.mark.parametrize("rule, build, year, expected", CASES, ids=[c[0] for c in CASES])
def test_each_rule_fires_above_and_stays_quiet_below_its_threshold(db, db_path, rule, build, year, expected):
    with db.write() as s:
        build(s, _office(s))
    with db.read() as s:
        findings = run_checks(s, offices.resolve(s, OFFICE), year, today=TODAY)
    assert _found(findings, rule) == expected
    out = io.StringIO()
    code = cli.run(["--db", str(db_path), "check", "--office", OFFICE, "--year", str(year),
                    "--as-of", TODAY.isoformat(), "--json"], out=out)
    rows = json.loads(out.getvalue())
    assert [(r["indicator"], r["month"], r["value"]) for r in rows if r["rule"] == rule] == expected
    assert all(r["severity"] == ("error" if rule.startswith("E") else "warning") for r in rows if r["rule"] == rule)
    assert code == (1 if any(r["severity"] == "error" for r in rows) else 0)


def test_records_outside_the_plan_years_are_reported_with_the_last_plan_year(db):
    with db.write() as s:
        build_e05(s, _office(s))
    with db.read() as s:
        findings = run_checks(s, offices.resolve(s, OFFICE), 2020, today=dt.date(2026, 1, 1))
    assert [(f.rule, f.value, f.message) for f in findings] == [
        ("E05", "2021-03-01", "活动“计划期后的讲座”的日期 2021-03-01 不在计划年度（2018—2020年）内：请在活动台账中改正日期。")
    ]


def test_messages_say_what_is_wrong_and_what_to_do(db):
    with db.write() as s:
        build_w01(s, _office(s))
        build_e04(s, offices.resolve(s, OFFICE))
    with db.read() as s:
        findings = run_checks(s, offices.resolve(s, OFFICE), 2019, today=TODAY)
    messages = {(f.rule, f.indicator): f.message for f in findings}
    assert messages[("W01", "I09")] == (
        "“科教兴农项目”2019年2月为 50，是上月 10 的 5 倍：请核对是否多输了数字；确实无误请填写说明。"
    )
    assert messages[("E04", "I20")] == (
        "“推广新技术新产品”2019年2月没有填报，而之后的月份已有数据：空白不等于 0，本月没有开展工作请填 0（补0）。"
    )
    assert [f.severity for f in findings][:1] == ["error"]  # errors first


def test_thresholds_are_data_in_the_rule(db):
    with db.write() as s:
        build_w01(s, _office(s))
        rule = s.query(ValidationRule).filter_by(code="W01").one()
        rule.params = json.dumps({"factor": 4.9, "floor": 10})
    with db.read() as s:
        findings = run_checks(s, offices.resolve(s, OFFICE), 2019, today=TODAY)
    assert _found(findings, "W01") == [("I16", "2019-01", "30"), ("I09", "2019-02", "50"), ("I14", "2019-02", "49")]


def test_an_explanation_clears_a_warning_until_the_value_changes(db):
    with db.write() as s:
        build_w01(s, _office(s))
    with db.write() as s:
        office = offices.resolve(s, OFFICE)
        explanations.explain(s, office, 2019, "W01", "I09/2019-02", "二月集中验收了一批项目", user="张三")
    with db.read() as s:
        office = offices.resolve(s, OFFICE)
        w01 = {f.indicator: f for f in run_checks(s, office, 2019, today=TODAY) if f.rule == "W01"}
    assert w01["I09"].explanation == "二月集中验收了一批项目" and not w01["I09"].blocking
    assert w01["I16"].explanation is None and w01["I16"].blocking
    with db.write() as s:
        row = s.query(DataValue).filter_by(year=2019, month=2, indicator_id=plan.indicator(s, "I09").id).one()
        row.value = 60  # still a jump, but another value: the explanation no longer applies
    with db.read() as s:
        w01 = {f.indicator: f for f in run_checks(s, offices.resolve(s, OFFICE), 2019, today=TODAY) if f.rule == "W01"}
    assert (w01["I09"].value, w01["I09"].explanation) == ("60", None)


@pytest.mark.parametrize("rule, subject, text, message", [
    ("W01", "I09/2019-02", "太短", "说明太短：至少写 5 个字，讲清楚这个数为什么是对的。"),
    ("E04", "I20/2019-02", "二月确实没有开展", "这是错误，不能用说明放过："),
    ("W01", "I14/2019-02", "这个数没有问题的", "规则 W01 对“I14/2019-02”没有提示，不需要说明"),
])
def test_explanations_that_are_refused(db, rule, subject, text, message):
    with db.write() as s:
        office = _office(s)
        build_w01(s, office)
        build_e04(s, office)
    with pytest.raises(UserError) as err, db.write() as s:
        explanations.explain(s, offices.resolve(s, OFFICE), 2019, rule, subject, text, today=TODAY)
    assert str(err.value).startswith(message)


def test_cli_explain_then_check_shows_the_explanation(db, db_path):
    with db.write() as s:
        build_w01(s, _office(s))
    out = io.StringIO()
    args = ["--db", str(db_path), "explain", "--office", OFFICE, "--indicator", "I16", "--month", "2019-01",
            "--rule", "w01", "--text", "一月份新签约项目集中录入"]
    assert cli.run(args, out=out) == 0
    assert out.getvalue() == "已保存说明：东海县科协 W01 I16/2019-01。\n"
    out = io.StringIO()
    cli.run(["--db", str(db_path), "check", "--office", OFFICE, "--year", "2019", "--json"], out=out)
    rows = {(r["rule"], r["indicator"]): r for r in json.loads(out.getvalue())}
    assert rows[("W01", "I16")]["explanation"] == "一月份新签约项目集中录入"
    assert rows[("W01", "I09")]["explanation"] is None
    # A short text is refused with exit 2 and nothing stored.
    assert cli.run(args[:-1] + ["短"], out=io.StringIO()) == 2
