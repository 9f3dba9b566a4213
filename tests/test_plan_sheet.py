"""plan template → edit (openpyxl, then re-saved by LibreOffice headless) → plan load (issue 17)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from kexie_desktop import cli
from kexie_desktop.models import Target
from kexie_desktop.services import offices, plan
from kexie_desktop.startup import open_app_database
from tests.dbdump import db_content

OLD = "LYG-KX-2018-2020"
NEW = "LYG-KX-2021-2025"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def run(db_path, *args) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", str(db_path), *args], out=out)
    return code, out.getvalue()


@pytest.fixture
def draft(db_path, tmp_path):
    assert run(db_path, "plan", "copy", "--from", OLD, "--code", NEW, "--name", "新一轮计划", "--start", "2021",
               "--end", "2025")[0] == 0
    path = tmp_path / "plan.xlsx"
    assert run(db_path, "plan", "template", "--plan", NEW, "--out", str(path)) == (0, f"已写出计划模板：{path}\n")
    return path


def resave(src: Path, tmp_path: Path) -> Path:
    if SOFFICE is None:
        pytest.skip("LibreOffice（soffice）未安装，跳过重新保存测试；CI 会安装 libreoffice-calc。")
    outdir = tmp_path / "resaved"
    outdir.mkdir()
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "xlsx", "--outdir", str(outdir), str(src)],
                   check=True, timeout=300, capture_output=True)
    out = outdir / src.name
    assert out.exists() and out.read_bytes() != src.read_bytes()
    return out


def rows_by_code(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value}


def edit(path: Path, out: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["指标"]
    at = rows_by_code(ws)
    ws.cell(at["I02"], 12).value = "12"  # 市目标
    ws.cell(at["I03"], 2).value = "学术交流活动"  # 名称
    ws.delete_rows(at["I05"])
    new = ws.max_row + 1
    for col, value in enumerate(["I62", "科技志愿服务队", "支", "不低于", "每年", "求和", "填报", "G1", None, "否",
                                 None, "30", None, "否", None, "每年组建科技志愿服务队30支以上",
                                 "集聚更多海外人才来连创新创业"], start=1):
        ws.cell(new, col).value = value
    tasks = wb["工作清单"]
    tasks.cell(rows_by_code(tasks)["T01"], 6).value = "2024-06-30"
    wb.save(out)


def test_template_edited_and_resaved_by_libreoffice_previews_exactly_the_edits(db_path, draft, tmp_path):
    edited = tmp_path / "edited.xlsx"
    edit(draft, edited)
    resaved = resave(edited, tmp_path)
    before = db_content(db_path)
    code, text = run(db_path, "plan", "load", str(resaved), "--dry-run", "--json")
    assert code == 0, text
    assert json.loads(text) == {"plan": NEW, "creates": False, "changes": [
        "指标 I02“高层次学术报告会”：市目标 “10” → “12”",
        "指标 I03“各类学术交流活动”：名称 “各类学术交流活动” → “学术交流活动”",
        "新增指标 I62“科技志愿服务队”",
        "删除指标 I05“学会科技服务站”",
        "任务 T01“举办海智洽谈会、项目发布会”：完成期限 “2025-12-31” → “2024-06-30”",
    ]}
    assert db_content(db_path) == before  # a dry run changes nothing
    assert run(db_path, "plan", "load", str(resaved))[0] == 0
    db = open_app_database(db_path)
    with db.read() as s:
        new = plan.plan_by_code(s, NEW)
        city = offices.city(s)
        reports = plan.indicator(s, "I02", new)
        assert sorted((t.year, t.value) for t in s.scalars(select(Target).where(
            Target.indicator_id == reports.id, Target.office_id == city.id))) == [(y, 12.0) for y in range(2021, 2026)]
        added = plan.indicator(s, "I62", new)
        assert (added.kind, added.period, added.sort_order) == ("at_least", "annual", 60)
        assert [i.code for i in plan.indicators(s, new)][:5] == ["I01", "I02", "I03", "I04", "I06"]
        old = plan.plan_by_code(s, OLD)
        assert plan.indicator(s, "I03", old).name == "各类学术交流活动"  # the old plan never changes
    db.close()
    # loading the same file again changes nothing more
    assert json.loads(run(db_path, "plan", "load", str(resaved), "--dry-run", "--json")[1])["changes"] == []


def _set_cell(path: Path, sheet: str, code: str, col: int, value, out: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    row = rows_by_code(ws)[code] if code else ws.max_row
    ws.cell(row, col).value = value
    wb.save(out)


@pytest.mark.parametrize("sheet, code, col, value, message", [
    ("指标", "I02", 4, "年度流量",
     "工作表“指标”第 3 行 D 列（类型）：“年度流量”不是有效的类型，可选：年度累计、期间累计、存量/水平、覆盖率、区间目标、不低于。"),
    ("指标", "I03", 1, "I02", "工作表“指标”第 4 行 A 列（代码）：代码“I02”重复：同一工作表中的代码必须唯一。"),
    ("指标", "I43", 13, "3", "工作表“指标”第 44 行 M 列（目标上限）：区间目标的下限 4 大于上限 3。"),
    ("工作清单", "T02", 1, "T01", "工作表“工作清单”第 3 行 A 列（代码）：代码“T01”重复：同一工作表中的代码必须唯一。"),
    ("指标", "I02", 12, "2021:10;2022:十", "工作表“指标”第 3 行 L 列（市目标）：市目标“十”不是数字。"),
])
def test_a_bad_template_is_refused_naming_sheet_row_and_column(db_path, draft, tmp_path, capsys, sheet, code, col,
                                                              value, message):
    bad = tmp_path / "bad.xlsx"
    _set_cell(draft, sheet, code, col, value, bad)
    before = db_content(db_path)
    assert run(db_path, "plan", "load", str(bad), "--dry-run")[0] == 2
    assert capsys.readouterr().err == f"错误：文件“bad.xlsx”：{message}\n"
    assert db_content(db_path) == before


def test_a_template_with_a_new_code_creates_a_draft(db_path, draft, tmp_path):
    other = tmp_path / "other.xlsx"
    wb = openpyxl.load_workbook(draft)
    meta = wb["计划"]
    meta["B2"], meta["B4"], meta["B5"] = "LYG-KX-2026-2028", "2026", "2028"
    wb.save(other)
    code, text = run(db_path, "plan", "load", str(other), "--json")
    assert code == 0, text
    preview = json.loads(text)
    data = plan.builtin_catalogue()
    counts = [len(data[k]) for k in ("sections", "activity_types", "indicators", "rules", "tasks")]
    assert (preview["plan"], preview["creates"], len(preview["changes"])) == ("LYG-KX-2026-2028", True, sum(counts))
    assert preview["changes"][0] == "新增章节 G“主要目标”"
    listed = {p["code"]: p for p in json.loads(run(db_path, "plan", "list", "--json")[1])}
    assert listed["LYG-KX-2026-2028"] | {"name": ""} == {
        "code": "LYG-KX-2026-2028", "name": "", "start_year": 2026, "end_year": 2028, "version": 0,
        "published": False, "current": False, "based_on": OLD, "indicators": 61, "tasks": 65}


def test_a_sentence_missing_from_the_plan_text_refuses_the_load(db_path, draft, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    _set_cell(draft, "指标", "I02", 17, "每年举办高层次学术报告会12场", bad)
    before = db_content(db_path)
    assert run(db_path, "plan", "load", str(bad))[0] == 2
    assert capsys.readouterr().err == (
        "错误：载入后计划有 1 个问题，没有载入：1. 指标 I02“高层次学术报告会”的来源原文在计划文本中找不到："
        "“每年举办高层次学术报告会12场”。\n")
    assert db_content(db_path) == before
