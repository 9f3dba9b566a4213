"""Issue 17, Done when (the first point): the built-in plan is copied to 2021—2025, a target changed, an
indicator of each kind added, one removed, the new text linked; it is published; the unit gets it through a
plan package (export → import, then switches), enters 2021 data and exports; the city consolidates 2021 on
the new plan and 2020 on the old one, both exactly. Then the city changes one target of the published plan
and publishes version 2; the unit's import of that package previews exactly that change and applies it,
leaving the unit's 2021 data as it was.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from sqlalchemy import select

from kexie_desktop import cli, packages
from kexie_desktop.models import DataValue, Indicator
from kexie_desktop.services import plan
from kexie_desktop.startup import open_app_database
from tests.hostile.helpers import export_sub, init_unit, make_city

OLD = "LYG-KX-2018-2020"
NEW = "LYG-KX-2021-2025"
UNIT = "320722"  # 东海县
NAME = "连云港市科协“十四五”科普发展规划"

NEW_SENTENCES = {
    "I62": "每年开展科技志愿服务活动30场",
    "I63": "到2025年新建科普教育基地50个",
    "I64": "科技志愿者队伍达到8000人",
    "I65": "实现乡镇（街道）科普e站全覆盖",
    "I66": "新增院士工作站4-6家",
    "I67": "每年推荐优秀科技工作者50人以上",
}
ADDED = [  # code, name, unit, kind, period, aggregation, entry, covers, target, target max
    ("I62", "科技志愿服务活动", "场", "年度累计", "每年", "求和", "填报", None, "30", None),
    ("I63", "新建科普教育基地", "个", "期间累计", "期末", "求和", "填报", None, "50", None),
    ("I64", "科技志愿者队伍人数", "人", "存量/水平", "期末", "求和", "填报", None, "8000", None),
    ("I65", "乡镇（街道）科普e站覆盖", "%", "覆盖率", "期末", "重算比例", "填报", "乡镇（街道）", "100", None),
    ("I66", "新增院士工作站", "家", "区间目标", "期末", "求和", "填报", None, "4", "6"),
    ("I67", "推荐优秀科技工作者", "人", "不低于", "每年", "求和", "填报", None, "50", None),
]


def run(db, *args) -> str:
    out = io.StringIO()
    code = cli.run(["--db", str(db.path), *args], out=out)
    assert code == 0, (args, out.getvalue())
    return out.getvalue()


def edit_template(src, dst) -> None:
    wb = openpyxl.load_workbook(src)
    ws = wb["指标"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["I02"], 12).value = "12"
    ws.delete_rows(rows["I05"])
    for code, name, unit, kind, period, aggregation, entry, covers, target, top in ADDED:
        row = ws.max_row + 1
        values = [code, name, unit, kind, period, aggregation, entry, "G1", covers, "否", None, target, top, "否",
                  None, NEW_SENTENCES[code], NEW_SENTENCES[code]]
        for col, value in enumerate(values, start=1):
            ws.cell(row, col).value = value
    wb.save(dst)


def new_plan(db, template, text) -> None:
    """The city, as the plan's author, copies, links the new text, loads the edits, publishes, switches."""
    run(db, "plan", "copy", "--from", OLD, "--code", NEW, "--name", NAME, "--start", "2021", "--end", "2025")
    run(db, "plan", "text", NEW, "--file", str(text))
    run(db, "plan", "load", str(template))
    assert run(db, "plan", "publish", NEW) == f"已发布计划 {NEW}（第 1 版）\n"
    run(db, "plan", "use", NEW)


def import_at_city(city, path) -> None:
    outcome = packages.apply(city, path)
    assert outcome.outcome == "applied", outcome.message


def rows(db, *args) -> dict[str, dict]:
    return {r["code"]: r for r in json.loads(run(db, "progress", "--office", "市科协", "--json", *args))}


def test_a_new_plan_from_copy_to_consolidation(tmp_path, capsys):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    # 2020 on the old plan, sent before the new plan exists
    run(unit, "value", "set", "--office", UNIT, "--indicator", "I12", "--month", "2020-06", "--value", "5200")
    run(unit, "activity", "add", "--office", UNIT, "--type", "高层次学术报告会", "--date", "2020-05-08",
        "--title", "2020年学术报告会", "--audience", "90")
    export_sub(unit, UNIT, 2020, tmp_path / "sub-2020.xlsx")
    import_at_city(city, tmp_path / "sub-2020.xlsx")

    # The city writes the new plan: the old text with the new sentences, the template edited
    text = tmp_path / "plan2021.txt"
    text.write_text(plan.plan_text() + "\n" + "。\n".join(NEW_SENTENCES.values()) + "。\n", encoding="utf-8")
    template = tmp_path / "template.xlsx"
    run(city, "plan", "copy", "--from", OLD, "--code", "DRAFT", "--name", "草稿", "--start", "2026", "--end", "2026")
    run(city, "plan", "template", "--plan", "DRAFT", "--out", str(template))
    wb = openpyxl.load_workbook(template)
    wb["计划"]["B2"], wb["计划"]["B3"], wb["计划"]["B4"], wb["计划"]["B5"] = NEW, NAME, "2021", "2025"
    wb.save(template)
    edit_template(template, template)
    new_plan(city, template, text)

    # The plan package carries the whole new plan; the unit imports it as a new plan and switches
    run(city, "export-plan", "--out", str(tmp_path / "plan-v1.xlsx"))
    shown = run(unit, "import", str(tmp_path / "plan-v1.xlsx")).splitlines()
    targets = city_targets(city)  # every city target of the new plan travels: 5 a year for annual indicators
    assert shown[1] == (f"    新增  计划 第 2 行  新计划：{NAME}（2021—2025年）：版本号 1；章节 32 个，指标 66 个，"
                        f"目标 {targets} 条，审核规则 12 条，任务 65 项（本机原有计划及其数据不变）")
    assert shown[-2] == (f"    新计划：{NAME}（2021—2025年）；原有计划及其数据不变。用 plan use {NEW} 切换为当前计划。")
    run(unit, "plan", "use", NEW)
    listed = json.loads(run(unit, "plan", "list", "--json"))
    assert [(p["code"], p["current"], p["indicators"]) for p in listed] == [(OLD, False, 61), (NEW, True, 66)]

    # The unit enters 2021 data and exports; the city imports
    for code, month, value, extra in [("I62", "2021-03", "4", ()), ("I62", "2021-05", "6", ()),
                                      ("I63", "2021-04", "3", ()), ("I64", "2021-02", "650", ()),
                                      ("I64", "2021-06", "700", ()), ("I65", "2021-06", "5", ("--base", "12")),
                                      ("I66", "2021-09", "2", ()), ("I67", "2021-10", "20", ())]:
        run(unit, "value", "set", "--office", UNIT, "--indicator", code, "--month", month, "--value", value, *extra)
    run(unit, "activity", "add", "--office", UNIT, "--type", "高层次学术报告会", "--date", "2021-03-15",
        "--title", "2021年学术报告会", "--audience", "150")
    export_sub(unit, UNIT, 2021, tmp_path / "sub-2021.xlsx")
    import_at_city(city, tmp_path / "sub-2021.xlsx")

    new = rows(city, "--year", "2021", "--as-of", "2021-12-31")
    assert "I05" not in new and len(new) == 66
    assert {c: (new[c]["actual"], new[c]["target"], new[c]["units_reported"]) for c in (*NEW_SENTENCES, "I02")} == {
        "I62": (10.0, 30.0, 1), "I63": (3.0, 50.0, 1), "I64": (700.0, 8000.0, 1),
        "I65": (pytest.approx(500 / 12), 100.0, 1), "I66": (2.0, 4.0, 1), "I67": (20.0, 50.0, 1),
        "I02": (1.0, 12.0, 1),
    }
    assert (new["I65"]["covered"], new["I65"]["base"]) == (5.0, 12.0)
    assert new["I66"]["target_max"] == 6.0
    assert new["I12"]["actual"] == 5200.0  # carried over from 2020 (a level linked to its predecessor)
    old = rows(city, "--year", "2020", "--as-of", "2020-12-31", "--plan", OLD)
    assert len(old) == 61
    assert (old["I12"]["actual"], old["I12"]["units_reported"]) == (5200.0, 1)
    assert (old["I02"]["actual"], old["I02"]["target"]) == (1.0, 10.0)
    assert old["I05"]["actual"] is None

    # Version 2: the city raises I63's plan-end target from 50 to 60 and publishes the revision
    mine_before = run(unit, "progress", "--office", UNIT, "--json", "--year", "2021", "--as-of", "2021-12-31")
    values_before = unit_values(unit)
    assert cli.run(["--db", str(city.path), "plan", "publish", NEW], out=io.StringIO()) == 2
    assert f"计划“{NAME}”（{NEW}）第 1 版发布后没有修改，不需要再发布。" in capsys.readouterr().err
    run(city, "target", "set", "--office", "市科协", "--indicator", "I63", "--value", "60")
    assert run(city, "export-plan", "--out", str(tmp_path / "pending.xlsx")).splitlines()[-1] == (
        f"提示：计划 {NEW} 第 1 版发布后有修改，本包仍标为第 1 版；用 plan publish {NEW} 发布为第 2 版后再导出。")
    assert run(city, "plan", "publish", NEW) == f"已发布计划 {NEW}（第 2 版）\n"
    run(city, "export-plan", "--out", str(tmp_path / "plan-v2.xlsx"))
    shown = run(unit, "import", "--dry-run", str(tmp_path / "plan-v2.xlsx"))
    assert [line for line in shown.splitlines() if line.startswith("    ")] == [
        f"    修改  计划 第 2 行  {NAME}：版本号 1 → 版本号 2",
        f"    修改  目标 第 {target_row(city, 'I63')} 行  连云港市科协 新建科普教育基地 期末：目标值 50 → 目标值 60",
    ]
    run(unit, "import", str(tmp_path / "plan-v2.xlsx"))
    assert [(p["code"], p["version"]) for p in json.loads(run(unit, "plan", "list", "--json"))] == [(OLD, 1), (NEW, 2)]
    assert rows(unit, "--year", "2021", "--as-of", "2021-12-31")["I63"]["target"] == 60.0
    assert unit_values(unit) == values_before
    mine_after = run(unit, "progress", "--office", UNIT, "--json", "--year", "2021", "--as-of", "2021-12-31")
    assert mine_after == mine_before
    # The version-1 package again changes nothing: refused as an earlier package
    again = io.StringIO()
    assert cli.run(["--db", str(unit.path), "import", str(tmp_path / "plan-v1.xlsx")], out=again) == 1
    assert "早于已导入的序号" in again.getvalue()
    city.close()
    unit.close()


def city_targets(db) -> int:
    with db.read() as s:
        new = plan.plan_by_code(s, NEW)
        annual = sum(1 for i in new.indicators if i.is_annual)
        return 5 * annual + (len(new.indicators) - annual)


def target_row(db, code: str) -> int:
    """The 目标 sheet's row of the city's target of ``code``: the city's rows come first, by indicator order."""
    with db.read() as s:
        before = [i for i in plan.plan_by_code(s, NEW).indicators if i.sort_order < plan.indicator(s, code).sort_order]
        return 2 + sum(5 if i.is_annual else 1 for i in before)


def unit_values(db) -> list[tuple]:
    with db.read() as s:
        q = (select(Indicator.code, DataValue.year, DataValue.month, DataValue.value, DataValue.base)
             .join(Indicator, DataValue.indicator_id == Indicator.id).order_by(Indicator.code, DataValue.year,
                                                                               DataValue.month))
        return [tuple(r) for r in s.execute(q)]
