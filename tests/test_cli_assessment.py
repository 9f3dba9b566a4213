"""CLI `assessment`: the prepared year (tests/assessment_year.py) as JSON and as a table; the scheme
printed, saved, loaded back and refused when wrong; an adjustment; a unit is refused."""

from __future__ import annotations

import io
import json

import pytest

from kexie_desktop import cli
from kexie_desktop.services import offices

import assessment_year as prepared
from test_assessment import GAPS, PARTS, TABLE


def run(db, *argv) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", db.target, *argv], out)
    return code, out.getvalue()


@pytest.fixture
def year(db):
    with db.write() as s:
        prepared.prepare(s)
    return db


def test_json_has_every_part_total_rank_and_gap(year):
    code, text = run(year, "assessment", "--year", "2020", "--as-of", "2020-10-08", "--json")
    assert code == 0
    data = json.loads(text)
    assert (data["year"], data["as_of"], data["cap"], data["classes"], data["scheme_stored"]) == (
        2020, "2020-10-08", 1.2, ["区", "县"], True)
    units = {u["office"]: u for u in data["units"]}
    assert {c: (u["class"], u["indicator"], u["task"], u["reporting"], u["total"], u["max"], u["score_rate"],
                u["rank_class"], u["rank_overall"]) for c, u in units.items()} == TABLE
    for office, expected in PARTS.items():
        parts = {p["code"]: p for p in units[office]["parts"]}
        assert [(c, parts[c]["item"], parts[c]["weight"], parts[c]["max"], parts[c]["earned"])
                for c, *_ in expected] == expected
    assert {c: [(g["code"], g["lost"]) for g in u["gaps"]] for c, u in units.items()} == GAPS
    i08 = {p["code"]: p for p in units[prepared.LIANYUN]["parts"]}["I08"]
    assert (i08["rate"], i08["capped"], i08["earned"]) == (1.5, 1.2, 12.0)
    t26 = {p["code"]: p for p in units[prepared.HAIZHOU]["parts"]}["T26"]
    assert (t26["derived"], t26["earned"], t26["adjustment"]["points"], t26["adjustment"]["reason"],
            t26["adjustment"]["by"]) == (0.0, 4.5, 4.5, "方案已报区政府待印发，因疫情推迟", "考核员")


def test_table_class_filter_and_breakdown(year):
    code, text = run(year, "assessment", "--year", "2020", "--as-of", "2020-10-08")
    assert code == 0
    lines = text.splitlines()
    assert lines[2:6] == ["连云区\t区\t28.00\t7.00\t14.00\t49.00\t74.00\t66.22%\t1\t1",
                          "东海县\t县\t40.00\t3.33\t8.89\t52.22\t88.00\t59.34%\t1\t2",
                          "海州区\t区\t19.33\t4.50\t7.55\t31.38\t74.00\t42.41%\t2\t3",
                          "赣榆区\t区\t0.00\t0.00\t4.00\t4.00\t74.00\t5.41%\t3\t4"]
    code, text = run(year, "assessment", "--year", "2020", "--as-of", "2020-10-08", "--class", "县", "--json")
    assert [u["office"] for u in json.loads(text)["units"]] == [prepared.DONGHAI]
    code, text = run(year, "assessment", "--year", "2020", "--as-of", "2020-10-08", "--office", "连云区", "--gaps", "2")
    assert code == 0
    assert "定量指标\tI08\t培育认定特色家庭农场\tI08\t10.00\t12.00\t12.00\t完成率 150.0%，封顶 120%" in text
    assert text.endswith("总分 49.00 / 74.00\n对比找差（失分最多的 2 项）：\n\t科教兴农项目（I09）失 6.00 分\n"
                         "\t县区细化实施方案、分解目标任务（T26）失 3.00 分\n")


def test_scheme_saved_edited_and_loaded_back(year, tmp_path):
    code, text = run(year, "assessment", "scheme", "--year", "2020", "--json")
    assert code == 0
    data = json.loads(text)
    data["classes"][0]["indicators"][0]["points"] = 20  # I08 weighs 20 in 区
    path = tmp_path / "scheme.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run(year, "assessment", "scheme", "load", "--year", "2020", str(path)) == (
        0, "已载入 2020 年考核方案：2 类（区、县）。\n")
    code, text = run(year, "assessment", "--year", "2020", "--as-of", "2020-10-08", "--json")
    lianyun = {u["office"]: u for u in json.loads(text)["units"]}[prepared.LIANYUN]
    assert (lianyun["indicator"], lianyun["total"]) == (40.0, 61.0)  # I08: 20 × 1.2 = 24 instead of 12
    data["classes"][0]["units"].append(prepared.DONGHAI)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _ = run(year, "assessment", "scheme", "load", "--year", "2020", str(path))
    assert code == 2  # 东海县 in two classes: refused, nothing changed
    assert json.loads(run(year, "assessment", "scheme", "--year", "2020", "--json")[1])["classes"][0]["units"] == [
        prepared.LIANYUN, prepared.HAIZHOU, prepared.GANYU]
    assert run(year, "assessment", "scheme", "reset", "--year", "2020") == (
        0, "已删除 2020 年保存的考核方案，恢复默认方案。\n")
    assert json.loads(run(year, "assessment", "scheme", "--year", "2020", "--json")[1])["stored"] is False


def test_adjust_and_withdraw(year):
    assert run(year, "assessment", "adjust", "--year", "2020", "--office", "东海县", "--task", "t26", "--score", "2",
               "--reason", "第三个节点已于十月初完成") == (0, "已把东海县科协任务 T26 的 2020 年得分调整为 2.00 分。\n")
    code, text = run(year, "assessment", "--year", "2020", "--as-of", "2020-10-08", "--office", "东海县", "--json")
    assert json.loads(text)["units"][0]["task"] == 4.0
    assert run(year, "assessment", "adjust", "--year", "2020", "--office", "东海县", "--task", "T26", "--withdraw",
               "--reason", "按节点计分") == (0, "已撤销东海县科协任务 T26 的得分调整。\n")
    code, text = run(year, "assessment", "--year", "2020", "--as-of", "2020-10-08", "--office", "东海县", "--json")
    assert json.loads(text)["units"][0]["task"] == 3.33


def test_refusals(year, capsys):
    assert run(year, "assessment", "--as-of", "2020-10-08")[0] == 2
    assert "请用 --year 指定考核的年份" in capsys.readouterr().err
    assert run(year, "assessment", "--year", "2020", "--class", "市")[0] == 2
    assert "考核方案中没有“市”这一类" in capsys.readouterr().err
    with year.write() as s:
        offices.set_this_office(s, offices.resolve(s, prepared.HAIZHOU))
    assert run(year, "assessment", "--year", "2020")[0] == 2
    assert "本机是海州区科协：考核结果由市科协计算" in capsys.readouterr().err
    code, text = run(year, "assessment", "scheme", "--year", "2020")
    assert code == 0 and "【区】连云区、海州区、赣榆区" in text  # a unit reads the scheme
    assert run(year, "assessment", "adjust", "--year", "2020", "--office", "海州区", "--task", "T26", "--score", "6",
               "--reason", "自己给自己加分")[0] == 2
    assert "只有市科协才能调整任务得分" in capsys.readouterr().err
