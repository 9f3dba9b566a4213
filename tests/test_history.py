"""修改记录: the history of a cell and a target from the audit log, in the core and on the CLI."""

from __future__ import annotations

import io
import json

import pytest

from hostile.helpers import export_sub, init_unit, make_city
from kexie_desktop import cli, packages
from kexie_desktop.services import history, offices, plan, settings, targets, values
from kexie_desktop.startup import open_app_database

UNIT = "320703"  # 连云区


@pytest.fixture
def pair(tmp_path):
    """A unit with two edits of I09 2019-03 (7, then 9 with a note), exported and imported at the city."""
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with city.write() as s:
        settings.put(s, "user_filler", "市科协张三")
    with unit.write() as s:
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        values.set_value(s, indicator, office, 2019, 3, 7, user="王芳")
        values.set_value(s, indicator, office, 2019, 3, 9, note="补报", user="李强")
        values.set_value(s, indicator, office, 2019, 4, 5, user="王芳")  # another cell
    path = tmp_path / "连云区科协-2019年-上报包.xlsx"
    export_sub(unit, UNIT, 2019, path)
    result = packages.apply(city, path)
    assert result.outcome == "applied", result.message
    yield city, unit
    city.close()
    unit.close()


def _rows(db, month=None, **kw):
    with db.read() as s:
        entries = history.history(s, offices.resolve(s, UNIT), plan.indicator(s, "I09"), 2019 if month else None,
                                  month, **kw)
        return [(e.user, e.what, e.period, e.old, e.new, e.source) for e in entries], [e.at for e in entries]


def test_a_cell_history_after_two_edits_and_an_import(pair):
    city, unit = pair
    rows, times = _rows(unit, 3, targets=False)
    assert rows == [
        ("王芳", "数值", "2019-03", "（空）", "7个", "手工录入"),
        ("李强", "数值", "2019-03", "7个", "9个（备注：补报）", "手工录入"),
    ]
    assert times == sorted(times)
    rows, _ = _rows(city, 3, targets=False)
    assert rows == [("市科协张三", "数值", "2019-03", "（空）", "9个（备注：补报）",
                     "上报包“连云区科协-2019年-上报包.xlsx”（第 1 号）")]


def test_the_whole_history_of_an_indicator_has_every_month_and_the_targets(pair):
    city, _unit = pair
    with city.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), None, 80, user="市科协张三")
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), None, 90, user="市科协张三")
    rows, _ = _rows(city)
    assert [r[1:5] for r in rows] == [
        ("数值", "2019-03", "（空）", "9个（备注：补报）"),
        ("数值", "2019-04", "（空）", "5个"),
        ("目标", "期末", "（空）", "80个"),
        ("目标", "期末", "80个", "90个"),
    ]
    assert rows[2][5] == "手工录入"


def _cli(db, *args) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["history", "--db", db.target, *args], out=out)
    return code, out.getvalue()


def test_cli_history_text_and_json(pair):
    city, unit = pair
    code, text = _cli(unit, "--office", "连云区", "--indicator", "I09", "--month", "2019-03")
    lines = text.splitlines()
    assert code == 0 and lines[0] == "连云区科协 I09 科教兴农项目（2019年3月）的修改记录：2 条"
    assert lines[1].endswith("  王芳  数值 2019-03：（空） → 7个  来源：手工录入")
    assert lines[2].endswith("  李强  数值 2019-03：7个 → 9个（备注：补报）  来源：手工录入")
    code, text = _cli(city, "--office", UNIT, "--indicator", "I09", "--month", "2019-03", "--json")
    data = json.loads(text)
    assert code == 0 and len(data) == 1
    assert {k: v for k, v in data[0].items() if k != "at"} == {
        "user": "市科协张三", "what": "数值", "period": "2019-03", "old": "（空）", "new": "9个（备注：补报）",
        "source": "上报包“连云区科协-2019年-上报包.xlsx”（第 1 号）"}


def test_cli_history_refuses_a_bad_month_in_chinese(pair, capsys):
    city, _unit = pair
    code, _text = _cli(city, "--office", UNIT, "--indicator", "I09", "--month", "2019-13")
    assert code == 2 and capsys.readouterr().err.startswith("错误：")


def test_a_value_from_a_demo_package_names_the_package_and_says_demo(tmp_path):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    for db in (city, unit):  # only a demo installation takes a demo package
        with db.write() as s:
            settings.put(s, "demo_data", True)
    with unit.write() as s:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), 2019, 3, 7, user="王芳")
    path = tmp_path / "连云区科协-2019年-上报包.xlsx"
    export_sub(unit, UNIT, 2019, path)
    assert packages.apply(city, path).outcome == "applied"
    rows, _ = _rows(city, 3, targets=False)
    assert [row[-1] for row in rows] == ["演示数据，上报包“连云区科协-2019年-上报包.xlsx”（第 1 号）"]
    assert history.source_text("demo:package:0123456789abcdef") == "演示数据，数据包 01234567"
    city.close()
    unit.close()
