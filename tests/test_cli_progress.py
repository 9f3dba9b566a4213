"""CLI: progress, ranking, chart and target split; bad input exits 2 with Chinese and changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from kexie_desktop import cli
from kexie_desktop.models import AuditEntry, Target
from kexie_desktop.services import offices, plan, targets, values

UNITS = ["320703", "320706", "320707", "320722", "320723", "320724", "3207Z1", "3207Z2", "3207Z3", "3207Z4"]


def run(db, *argv) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", db.target, *argv], out)
    return code, out.getvalue()


def _targets_and_audit(db) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Target)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.fixture
def seeded(db):
    with db.write() as s:
        a, b = offices.resolve(s, "320703"), offices.resolve(s, "320706")
        i08 = plan.indicator(s, "I08")
        targets.put_target(s, i08, a, 2020, 12)
        targets.put_target(s, i08, b, 2020, 6)
        values.set_value(s, i08, a, 2020, 1, 9)
        values.set_value(s, i08, b, 2020, 1, 6)
    return db


def test_progress_text_shows_statuses_and_completeness(seeded):
    code, text = run(seeded, "progress", "--office", "连云区", "--year", "2020", "--as-of", "2020-06-30")
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == "连云区科协 2020年目标完成进度，截至 2020-06-30"
    assert lines[1] == "已填报 1/1 项有目标的指标；未填报：无"
    i08 = next(line for line in lines if line.startswith("I08\t"))
    assert i08.split("\t") == ["I08", "培育认定特色家庭农场", "12家", "9", "75.0%", "49.7%", "进度正常", "18.1"]


def test_progress_json_for_the_city_is_consolidated(seeded):
    code, text = run(seeded, "progress", "--office", "320700", "--year", "2020", "--as-of", "2020-12-31", "--json")
    assert code == 0
    rows = {r["code"]: r for r in json.loads(text)}
    assert len(rows) == 61
    assert rows["I08"]["actual"] == 15 and rows["I08"]["target"] == 30 and rows["I08"]["consolidated"] is True
    assert rows["I08"]["progress"] == 0.5 and rows["I08"]["status"] == "严重滞后"
    assert rows["I09"]["reported"] is False and rows["I09"]["status"] == "未填报"
    assert set(rows["I01"]) >= {"code", "name", "kind", "target", "actual", "progress", "expected", "status",
                                "projection", "reported"}


def test_ranking_per_indicator_and_overall(seeded):
    code, text = run(seeded, "ranking", "--indicator", "I08", "--year", "2020", "--as-of", "2020-12-31", "--json")
    assert code == 0
    ranks = json.loads(text)
    assert [(r["rank"], r["office"], r["progress"]) for r in ranks] == [(1, "320706", 1.0), (2, "320703", 0.75)]
    code, text = run(seeded, "ranking", "--year", "2020", "--as-of", "2020-12-31", "--json")
    overall = json.loads(text)
    assert [(r["office"], r["score"]) for r in overall[:2]] == [("320706", 1.0), ("320703", 0.75)]
    assert overall[2]["score"] is None and len(overall) == 10
    code, text = run(seeded, "ranking", "--year", "2020", "--as-of", "2020-12-31")
    assert text.splitlines()[1].split("\t") == ["1", "320706", "海州区", "100.0%", "已填报 1/1"]


@pytest.mark.parametrize(
    "argv",
    [
        ["chart", "progress", "--office", "320703", "--year", "2020"],
        ["chart", "trend", "--office", "320700", "--indicator", "I08", "--year", "2020"],
        ["chart", "ranking", "--indicator", "I08", "--year", "2020"],
        ["chart", "ranking", "--year", "2020"],
        ["chart", "heatmap", "--year", "2020"],
    ],
)
@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_chart_commands_write_png_and_svg(seeded, tmp_path, argv, suffix, magic):
    target = tmp_path / f"chart{suffix}"
    code, text = run(seeded, *argv, "--out", str(target))
    assert code == 0, text
    assert target.read_bytes().startswith(magic)
    assert "图表已保存" in text


def test_target_split_with_weights(db):
    weights = ",".join(f"{code}={1 if code in ('320703', '320706', '320707') else 0}" for code in UNITS)
    assert run(db, "target", "set", "--office", "320700", "--indicator", "I08", "--year", "2020",
               "--value", "10")[0] == 0
    code, text = run(db, "target", "split", "--indicator", "I08", "--year", "2020", "--weights", weights)
    assert code == 0
    assert "合计 10家" in text
    assert "320703\t连云区\t4家" in text
    with db.read() as s:
        i08 = plan.indicator(s, "I08")
        got = [targets.find_target(s, i08, offices.resolve(s, c), 2020).value for c in UNITS[:4]]
    assert got == [4, 3, 3, 0]


def test_target_split_range_prints_both_bounds(db):
    code, text = run(db, "target", "split", "--indicator", "I43")
    assert code == 0
    assert "合计 4所-6所" in text
    assert "320703\t连云区\t1-1所" in text and "3207Z4\t云台山风景名胜区\t0-0所" in text


@pytest.mark.parametrize(
    "argv,message",
    [
        (["target", "split", "--indicator", "I04"], "市级单列"),
        (["target", "split", "--indicator", "I08", "--year", "2020", "--weights", "320703"], "格式不对"),
        (["target", "split", "--indicator", "I08", "--year", "2020", "--weights", "火星=1"], "没有名为"),
        (["target", "split", "--indicator", "I08", "--year", "2020", "--weights", "320700=1"], "市科协自己"),
        (["target", "split", "--indicator", "I08", "--year", "2020", "--weights", "320703=1"], "缺少"),
        (["target", "split", "--indicator", "I08", "--year", "二〇二〇"], "不是数字"),
        (["progress", "--office", "320703", "--year", "2017"], "超出计划期"),
        (["progress", "--office", "火星"], "没有名为"),
        (["progress", "--as-of", "2019-02-30"], "不存在"),
        (["ranking", "--indicator", "I99"], "没有代码为"),
        (["chart", "heatmap", "--out", "x.pdf"], ".png 或 .svg"),
    ],
)
def test_bad_input_exits_2_in_chinese_and_changes_nothing(db, capsys, tmp_path, argv, message):
    before = _targets_and_audit(db)
    code, _ = run(db, *argv)
    assert code == 2
    assert message in capsys.readouterr().err
    assert _targets_and_audit(db) == before


def test_missing_required_argument_is_a_usage_error(db, capsys):
    assert run(db, "chart", "trend", "--out", "x.png")[0] == 2
    assert "--indicator" in capsys.readouterr().err


def _cli(path, *argv) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", str(path), *map(str, argv)], out)
    return code, out.getvalue()


@pytest.fixture
def city_with_four_units(db_path):
    """A city installation made through the CLI; 4 of its 10 units reported I01, one of them covered."""
    assert _cli(db_path, "init", "--office", "320700")[0] == 0
    for unit, covered in (("320703", 1), ("320706", 0), ("320707", 0), ("320722", 0)):
        assert _cli(db_path, "value", "set", "--office", unit, "--indicator", "I01", "--month", "2020-06",
                    "--value", covered, "--base", 1)[0] == 0
    return db_path


def test_city_coverage_rests_on_all_ten_units_through_the_cli(city_with_four_units):
    code, text = _cli(city_with_four_units, "progress", "--office", "320700", "--year", "2020", "--json")
    assert code == 0
    rows = json.loads(text)
    i01 = next(r for r in rows if r["code"] == "I01")
    assert {k: i01[k] for k in ("actual", "covered", "base", "progress", "status", "units_reported",
                                "units_total", "consolidated")} == {
        "actual": 10.0, "covered": 1.0, "base": 10.0, "progress": 0.1, "status": "严重滞后",
        "units_reported": 4, "units_total": 10, "consolidated": True,
    }
    assert all("units_reported" in r and "units_total" in r for r in rows) and len(rows) == 61
    by_code = {r["code"]: r for r in rows}
    assert (by_code["I08"]["units_reported"], by_code["I08"]["units_total"]) == (0, 10)
    assert (by_code["I04"]["units_reported"], by_code["I04"]["units_total"]) == (0, 0)  # city only
    code, text = _cli(city_with_four_units, "progress", "--office", "320700", "--year", "2020")
    line = next(x for x in text.splitlines() if x.startswith("I01\t")).split("\t")
    assert line[3:7] == ["1/10，已报 4/10", "10.0%", "100.0%", "严重滞后"]


def test_ranking_puts_units_that_reported_nothing_last_through_the_cli(city_with_four_units):
    path = city_with_four_units
    for unit, value in (("320703", 2), ("320706", 0), ("320707", 0)):  # 320706 has a zero target
        assert _cli(path, "target", "set", "--office", unit, "--indicator", "I08", "--year", 2020,
                    "--value", value)[0] == 0
    assert _cli(path, "value", "set", "--office", "320703", "--indicator", "I08", "--month", "2020-03",
                "--value", 1)[0] == 0
    code, text = _cli(path, "ranking", "--indicator", "I08", "--year", "2020")
    assert code == 0
    assert [line.split("\t")[:3] + line.split("\t")[-1:] for line in text.splitlines()[1:]] == [
        ["1", "320703", "连云区科协", "严重滞后"], ["2", "320706", "海州区科协", "未填报"],
        ["3", "320707", "赣榆区科协", "未填报"],
    ]
    code, text = _cli(path, "ranking", "--year", "2020", "--json")
    overall = json.loads(text)
    assert [(r["office"], r["score"], r["status"]) for r in overall[:3]] == [
        ("320703", 0.5, None), ("320706", 1.0, "未填报"), ("320707", 1.0, "未填报")]
