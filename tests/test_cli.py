"""The command-line interface of the foundation (python main.py …)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kexie_desktop import cli
from tests.dbdump import db_content

ROOT = Path(__file__).resolve().parents[1]


def run(db_path, *args) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", str(db_path), *args], out=out)
    return code, out.getvalue()


def test_indicators_json_lists_every_target_with_its_source(db_path):
    code, text = run(db_path, "indicators", "--json")
    assert code == 0
    data = json.loads(text)
    assert len(data) == 61
    assert set(data[0]) >= {"code", "name", "unit", "kind", "section", "source", "targets"}
    by_code = {d["code"]: d for d in data}
    reports = by_code["I02"]
    assert (reports["name"], reports["unit"], reports["kind"]) == ("高层次学术报告会", "场", "annual_flow")
    assert [(t["office"], t["year"], t["value"]) for t in reports["targets"]] == [
        ("320700", 2018, 10.0), ("320700", 2019, 10.0), ("320700", 2020, 10.0)
    ]
    assert "每年举办高层次学术报告会10场" in reports["source"]
    schools = by_code["I43"]
    assert schools["kind"] == "range"
    assert schools["targets"] == [{"office": "320700", "year": None, "value": 4.0, "min": 4.0, "max": 6.0}]
    volunteers = by_code["I12"]
    assert (volunteers["kind"], volunteers["unit"], volunteers["targets"][0]["value"]) == ("level", "人", 60000.0)


def test_main_py_runs_a_subcommand_without_gui(tmp_path):
    result = subprocess.run(
        [sys.executable, "main.py", "--db", str(tmp_path / "k.db"), "offices", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    offices = json.loads(result.stdout)
    assert [o["code"] for o in offices][:7] == ["320700", "320703", "320706", "320707", "320722", "320723", "320724"]
    assert len(offices) == 11


def test_init_sets_this_office(db_path):
    assert run(db_path, "init", "--office", "东海县", "--filler", "王芳")[0] == 0
    code, text = run(db_path, "offices", "--json")
    mine = [o for o in json.loads(text) if o["this_office"]]
    assert [o["code"] for o in mine] == ["320722"]


def test_value_set_then_listed(db_path):
    code, text = run(db_path, "value", "set", "--office", "320706", "--indicator", "I09",
                     "--month", "2019-03", "--value", "7", "--note", "春季项目")
    assert code == 0 and "已保存" in text
    code, text = run(db_path, "value", "set", "--office", "海州区", "--indicator", "i09",
                     "--month", "2019-03", "--value", "7", "--note", "春季项目")
    assert code == 0 and "未变化" in text


def test_coverage_needs_a_base_once_then_carries_it_over(db_path, capsys):
    args = ["value", "set", "--office", "海州区", "--indicator", "I11"]
    assert run(db_path, *args, "--month", "2019-03", "--value", "3")[0] == 2
    assert "请同时填写应覆盖的城市社区总数" in capsys.readouterr().err
    code, text = run(db_path, *args, "--month", "2019-03", "--value", "3", "--base", "40")
    assert code == 0 and "已覆盖 3/40" in text
    code, text = run(db_path, *args, "--month", "2019-06", "--value", "9")
    assert code == 0 and "已覆盖 9/40" in text


def test_target_set_and_range(db_path):
    assert run(db_path, "target", "set", "--office", "赣榆区", "--indicator", "I02", "--year", "2019",
               "--value", "2")[0] == 0
    assert run(db_path, "target", "set", "--office", "赣榆区", "--indicator", "I43",
               "--value", "1", "--max", "2")[0] == 0
    data = {d["code"]: d for d in json.loads(run(db_path, "indicators", "--json")[1])}
    assert {"office": "320707", "year": 2019, "value": 2.0, "min": None, "max": None} in data["I02"]["targets"]
    assert {"office": "320707", "year": None, "value": 1.0, "min": 1.0, "max": 2.0} in data["I43"]["targets"]


def test_activity_add(db_path):
    code, text = run(db_path, "activity", "add", "--office", "灌云县", "--type", "科普讲座",
                     "--date", "2019-05-20", "--title", "防灾减灾科普讲座", "--audience", "120")
    assert code == 0 and "已登记" in text


BAD_ARGUMENTS = [
    (["value", "set", "--office", "某某区", "--indicator", "I09", "--month", "2019-03", "--value", "1"], "没有名为或代码为“某某区”的单位"),
    (["value", "set", "--office", "海州区", "--indicator", "Z99", "--month", "2019-03", "--value", "1"], "没有代码为“Z99”的指标"),
    (["value", "set", "--office", "海州区", "--indicator", "I09", "--month", "2021-01", "--value", "1"], "超出计划期"),
    (["value", "set", "--office", "海州区", "--indicator", "I09", "--month", "2019-13", "--value", "1"], "月份应在 1 到 12 之间"),
    (["value", "set", "--office", "海州区", "--indicator", "I09", "--month", "2019-03", "--value", "-4"], "不能为负数"),
    (["value", "set", "--office", "海州区", "--indicator", "I09", "--month", "2019-03", "--value", "十二"], "不是数字"),
    (["value", "set", "--office", "海州区", "--indicator", "I09", "--month", "2019-03", "--value", "2.5"], "必须是整数"),
    (["value", "set", "--office", "海州区", "--indicator", "I02", "--month", "2019-03", "--value", "3"], "由活动台账自动统计"),
    (["value", "set", "--office", "海州区", "--indicator", "I10", "--month", "2019-03", "--value", "3"], "由市科协统一填报"),
    (["value", "set", "--office", "海州区", "--indicator", "I11", "--month", "2019-03", "--value", "5", "--base", "4"], "不能大于应覆盖总数"),
    (["value", "set", "--office", "海州区", "--month", "2019-03", "--value", "1"], "缺少必需的参数"),
    (["target", "set", "--office", "海州区", "--indicator", "I02", "--value", "3"], "请指定年份"),
    (["target", "set", "--office", "海州区", "--indicator", "I43", "--value", "6", "--max", "4"], "大于上限"),
    (["activity", "add", "--office", "海州区", "--type", "舞会", "--date", "2019-01-02", "--title", "x"], "没有“舞会”这种活动类型"),
    (["activity", "add", "--office", "海州区", "--type", "科普讲座", "--date", "2019-02-30", "--title", "x"], "不存在"),
    (["activity", "add", "--office", "海州区", "--type", "科普讲座", "--date", "2019-02-03", "--title", "x", "--audience", "-1"], "不能为负数"),
    (["init", "--office", "科协"], "不唯一"),
    (["frobnicate"], "的值“frobnicate”无效"),
]


@pytest.mark.parametrize("args,message", BAD_ARGUMENTS, ids=[" ".join(a[:2]) + f" #{i}" for i, (a, _) in enumerate(BAD_ARGUMENTS)])
def test_bad_arguments_fail_in_chinese_and_change_nothing(demo_db_path, capsys, args, message):
    run(demo_db_path, "value", "set", "--office", "海州区", "--indicator", "I09", "--month", "2019-03", "--value", "1")
    before = db_content(demo_db_path)
    code, _ = run(demo_db_path, *args)
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert db_content(demo_db_path) == before


def test_bad_argument_through_main_py_exits_nonzero(tmp_path):
    result = subprocess.run(
        [sys.executable, "main.py", "--db", str(tmp_path / "k.db"), "value", "set", "--office", "海州区",
         "--indicator", "I09", "--month", "2019-03", "--value", "abc"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "错误：数值“abc”不是数字，请输入阿拉伯数字，例如 12 或 3.5。"


def test_demo_twice_is_refused(demo_db_path, capsys):
    before = db_content(demo_db_path)
    assert run(demo_db_path, "demo")[0] == 2
    assert "演示数据已经填入过" in capsys.readouterr().err
    assert db_content(demo_db_path) == before


# --- rules that live in the core services, so the CLI refuses what the GUI refuses (issue 10, point 5) -------

CORE_REFUSALS = [
    ("320722", ["target", "set", "--office", "320722", "--indicator", "I09", "--value", "5"],
     "本机是东海县科协：目标由市科协下发的计划包确定，不能在这里修改。"),
    ("320722", ["target", "split", "--indicator", "I09"],
     "本机是东海县科协：目标由市科协下发的计划包确定，不能在这里修改。"),
    ("320700", ["target", "set", "--office", "320703", "--indicator", "I01", "--value", "150"],
     "目标值不能超过 100%（150）。"),
    ("320700", ["target", "set", "--office", "320700", "--indicator", "I11", "--value", "101"],
     "目标值不能超过 100%（101）。"),
    ("320700", ["thresholds", "--behind", "30", "--serious", "20"], "阈值应满足：0 < 略有滞后 < 严重滞后 ≤ 100（百分点）。"),
    ("320700", ["thresholds", "--behind", "10", "--serious", "120"], "阈值应满足：0 < 略有滞后 < 严重滞后 ≤ 100（百分点）。"),
    ("320722", ["thresholds", "--behind", "5", "--serious", "20"], "本机是东海县科协：状态阈值由市科协设定，不能在这里修改。"),
]


@pytest.mark.parametrize("office,args,message", CORE_REFUSALS, ids=[" ".join(a[:2]) + f" #{i}" for i, (_o, a, _m) in enumerate(CORE_REFUSALS)])
def test_core_rules_refuse_through_the_cli(db_path, capsys, office, args, message):
    assert run(db_path, "init", "--office", office)[0] == 0
    capsys.readouterr()
    before = db_content(db_path)
    code, _ = run(db_path, *args)
    assert code == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"错误：{message}"]
    assert db_content(db_path) == before


def test_the_city_sets_thresholds_and_they_change_the_status(db_path):
    assert run(db_path, "init", "--office", "320700")[0] == 0
    code, text = run(db_path, "thresholds", "--behind", "5", "--serious", "20")
    assert code == 0 and text == "状态阈值：低于时序进度超过 5 个百分点为略有滞后，超过 20 个百分点为严重滞后。\n"


def test_an_init_package_with_a_coverage_target_above_100_is_refused(tmp_path, capsys):
    """A target that the services would refuse, slipped into the city's database by hand, never reaches a unit."""
    import re
    import sqlite3

    city, unit = tmp_path / "city.db", tmp_path / "unit.db"
    assert run(city, "init", "--office", "320700")[0] == 0
    assert run(city, "target", "set", "--office", "320722", "--indicator", "I01", "--value", "100")[0] == 0
    with sqlite3.connect(city) as conn:
        conn.execute("UPDATE target SET value = 150 WHERE value = 100 AND office_id = "
                     "(SELECT id FROM office WHERE code = '320722')")
    code, text = run(city, "export-init", "--office", "320722", "--out", str(tmp_path / "init.xlsx"))
    activation = re.search(r"激活码：(\S+)", text).group(1)
    assert run(unit, "offices")[0] == 0  # a fresh unit database
    before = db_content(unit)
    code, text = run(unit, "import", str(tmp_path / "init.xlsx"), "--code", activation)
    assert code == 1 and "目标值不能超过 100%（150）。" in text
    after = db_content(unit)
    assert [row[8:10] for row in after.pop("package_log")] == [("init.xlsx", "refused")]  # only logged
    assert after == {k: v for k, v in before.items() if k != "package_log"}
