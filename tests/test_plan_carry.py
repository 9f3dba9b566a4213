"""Carry-over (issue 17, point 5): a level of the new plan starts from its predecessor's last value,
per indicator as the user chooses, and its trend spans the plans."""

from __future__ import annotations

import io
import json

import pytest

from kexie_desktop import cli

OLD = "LYG-KX-2018-2020"
NEW = "LYG-KX-2021-2025"


def run(db_path, *args) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", str(db_path), *args], out=out)
    assert code == 0, (args, out.getvalue())
    return code, out.getvalue()


def volunteers(db_path, office, *extra):
    rows = json.loads(run(db_path, "progress", "--office", office, "--year", "2021", "--as-of", "2021-03-31",
                          "--json", *extra)[1])
    return next(r for r in rows if r["code"] == "I12")


@pytest.fixture
def history(db_path):
    """东海县 reported 注册科普志愿者总数 5200 in June and 5600 in November 2020; the new plan is copied."""
    run(db_path, "init", "--office", "东海县")
    for month, value in (("2020-06", "5200"), ("2020-11", "5600")):
        run(db_path, "value", "set", "--office", "东海县", "--indicator", "I12", "--month", month, "--value", value)
    run(db_path, "plan", "copy", "--from", OLD, "--code", NEW, "--name", "新一轮计划", "--start", "2021", "--end", "2025")
    return db_path


def switch(db_path):
    run(db_path, "plan", "publish", NEW)
    run(db_path, "plan", "use", NEW)


def test_a_level_starts_from_its_predecessors_last_value_until_a_new_one_is_entered(history):
    switch(history)
    row = volunteers(history, "东海县")
    assert (row["actual"], row["reported"], row["target"]) == (5600.0, True, None)  # no unit target split
    city = volunteers(history, "市科协")
    assert (city["actual"], city["units_reported"], city["units_total"], city["target"]) == (5600.0, 1, 10, 60000.0)
    assert city["progress"] == pytest.approx(5600 / 60000)
    run(history, "value", "set", "--office", "东海县", "--indicator", "I12", "--month", "2021-02", "--value", "5800")
    assert volunteers(history, "东海县")["actual"] == 5800.0
    # another level without history, and a flow: nothing carried
    rows = {r["code"]: r for r in json.loads(run(history, "progress", "--office", "东海县", "--year", "2021",
                                                 "--as-of", "2021-03-31", "--json")[1])}
    assert rows["I02"]["actual"] is None


def test_the_user_turns_carry_over_off_per_indicator(history):
    assert run(history, "plan", "carry", NEW, "--indicator", "I12", "--off")[1] == (
        "I12“注册科普志愿者总数”：不承接上一计划的最后数值\n")
    switch(history)
    row = volunteers(history, "东海县")
    assert (row["actual"], row["reported"]) == (None, False)


def test_carry_over_is_refused_for_a_flow(history, capsys):
    assert cli.run(["--db", str(history), "plan", "carry", NEW, "--indicator", "I02", "--on"], out=io.StringIO()) == 2
    assert "不是承接上一计划的存量指标" in capsys.readouterr().err


def test_the_trend_spans_the_plans(history):
    switch(history)
    run(history, "value", "set", "--office", "东海县", "--indicator", "I12", "--month", "2021-02", "--value", "5800")
    points = json.loads(run(history, "plan", "trend", "--indicator", "I12", "--office", "东海县",
                            "--as-of", "2021-03-31", "--json")[1])
    by_month = {p["month"]: (p["plan"], p["actual"]) for p in points}
    assert len(points) == 36 + 60
    assert by_month["2020-05"] == (OLD, None)
    assert by_month["2020-06"] == (OLD, 5200.0)
    assert by_month["2020-12"] == (OLD, 5600.0)
    assert by_month["2021-01"] == (NEW, 5600.0)  # carried over
    assert by_month["2021-02"] == (NEW, 5800.0)
    assert by_month["2021-03"] == (NEW, 5800.0)
    assert by_month["2021-04"] == (NEW, None)  # after the as-of date
