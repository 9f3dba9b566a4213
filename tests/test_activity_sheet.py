"""活动台账 from a hand-filled Excel sheet: the template, reading back with exact messages, the same safety
checks as packages, all-or-nothing import and 已存在 on a second import."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from hostile import files
from kexie_desktop import activity_sheet
from kexie_desktop.activity_sheet import HEADERS, SHEET, SheetProblems
from kexie_desktop.models import Activity, ActivityType, AuditEntry
from kexie_desktop.packages.format import safety
from kexie_desktop.packages.format.errors import PackageError
from kexie_desktop.packages.format.workbook import Book
from kexie_desktop.services import activities, offices
from tests.dbdump import db_content

D = dt.date
OFFICE = "海州区"
TYPE_NAMES = ["高层次学术报告会", "学术交流活动", "科技下乡", "科普讲座", "科普大篷车“六进”", "农民职业技术培训",
              "科技工作者免费体检", "全国科普日活动", "其他活动"]
EXAMPLE = [dt.datetime(2019, 3, 15), "科普讲座", "社区科普讲座（示例行，导入时跳过）", "某某社区活动中心", 5, 120,
           "示例：可删除此行，或直接改写为真实的活动"]
# What a clerk types: real dates and text dates, types by name and by code, counts left empty or typed as text.
FILLED = [
    (dt.datetime(2019, 3, 20), "科普讲座", "社区防疫科普讲座", "新浦街道", 5, 120, None),
    ("2019/4/2", "ACAD_REPORT", "AI 前沿报告会", "市科技馆", 8, 300, "邀请院士"),
    (None, None, None, None, None, None, None),  # an empty row is skipped
    ("2020-05-12", "学术交流活动", "  青年科技工作者沙龙  ", None, None, None, "第一行\n第二行"),
    (dt.date(2018, 11, 11), "sci_to_country", "科技下乡送技术", "锦屏镇", "12", 9.0, None),
    ("2020年6月1日", "其他活动", 2020, "", 0, 0, ""),
]
# (date, type, title, place, participants, audience, note) as the ledger must store them
STORED = [
    (D(2018, 11, 11), "SCI_TO_COUNTRY", "科技下乡送技术", "锦屏镇", 12, 9, ""),
    (D(2019, 3, 20), "POP_LECTURE", "社区防疫科普讲座", "新浦街道", 5, 120, ""),
    (D(2019, 4, 2), "ACAD_REPORT", "AI 前沿报告会", "市科技馆", 8, 300, "邀请院士"),
    (D(2020, 5, 12), "ACAD_EXCHANGE", "青年科技工作者沙龙", "", 0, 0, "第一行\n第二行"),
    (D(2020, 6, 1), "OTHER", "2020", "", 0, 0, ""),
]
SUMMARY = """文件“已填.xlsx”（工作表“活动台账”）中有 5 行活动记录。
将导入 5 条新记录，日期 2018-11-11 至 2020-06-01：
    科普讲座 1 条
    高层次学术报告会 1 条
    学术交流活动 1 条
    科技下乡 1 条
    其他活动 1 条
第 2 行是模板中的示例，不导入。"""


@pytest.fixture
def template(db, tmp_path) -> Path:
    with db.read() as s:
        return activity_sheet.write_template(s, tmp_path / "模板.xlsx")


def fill(src: Path, dst: Path, rows, start: int = 3) -> Path:
    """Fill rows into the 活动台账 sheet with openpyxl, as a clerk with Excel would."""
    wb = openpyxl.load_workbook(src)
    ws = wb[SHEET]
    for r, row in enumerate(rows, start=start):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    wb.save(dst)
    return dst


def read(db, path: Path):
    with db.read() as s:
        return activity_sheet.read_sheet(s, offices.resolve(s, OFFICE), path)


def import_file(db, path: Path, user: str = "王芳"):
    sheet = read(db, path)
    with db.write() as s:
        return activity_sheet.import_sheet(s, offices.resolve(s, OFFICE), sheet, user=user)


def ledger(db) -> list[tuple]:
    with db.read() as s:
        return [(a.date, a.type.code, a.title, a.place, a.participants, a.audience, a.note)
                for a in activities.list_activities(s, offices.resolve(s, OFFICE))]


def refusal(db, path: Path) -> str:
    with pytest.raises(PackageError) as caught:
        read(db, path)
    return str(caught.value)


# --- the template ----------------------------------------------------------------------------------
def test_template_layout(template):
    safety.read_checked(template)  # the template itself passes the import's safety checks
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["活动台账", "说明"]
    ws = wb[SHEET]
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert [c.value for c in ws[2]] == EXAMPLE
    assert ws["A2"].number_format == "yyyy-mm-dd" and ws.max_row == 2
    assert ws.freeze_panes == "A2"
    assert [ws.column_dimensions[c].width for c in "ABCDEFG"] == [12, 20, 36, 24, 10, 10, 36]
    assert ws["A1"].font.b
    checks = {str(v.sqref): (v.type, v.formula1, v.errorStyle) for v in ws.data_validations.dataValidation}
    assert checks == {"A2:A501": ("date", "43101", "stop"), "B2:B501": ("list", "'说明'!$A$13:$A$21", "warning"),
                      "E2:E501": ("whole", "0", "stop"), "F2:F501": ("whole", "0", "stop")}
    notes = wb["说明"]
    assert notes["A1"].value == "填写说明"
    assert notes["A3"].value == "2. 日期：填写 2018-01-01 至 2020-12-31 之间的日期，例如 2019-03-15 或 2019/3/15。"
    assert [(notes.cell(r, 1).value, notes.cell(r, 2).value) for r in range(12, 22)] == [
        ("可选的活动类型", "代码"), *zip(TYPE_NAMES, ["ACAD_REPORT", "ACAD_EXCHANGE", "SCI_TO_COUNTRY", "POP_LECTURE",
                                                   "POP_CARAVAN", "FARMER_TRAINING", "HEALTH_CHECK", "SCI_DAY",
                                                   "OTHER"])]


def test_template_text_is_never_a_formula(db, tmp_path):
    with db.write() as s:
        s.add(ActivityType(code="EVIL", name='=HYPERLINK("http://x","点我")', sort_order=99))
        s.add(ActivityType(code="ODD", name="@示例_x0041_", sort_order=100))
    with db.read() as s:
        path = activity_sheet.write_template(s, tmp_path / "t.xlsx")
    safety.read_checked(path)  # no <f> element anywhere
    notes = openpyxl.load_workbook(path)["说明"]
    evil, odd = notes["A22"], notes["A23"]
    assert (evil.value, evil.data_type, evil.quotePrefix) == ('=HYPERLINK("http://x","点我")', "s", True)
    assert (odd.data_type, odd.quotePrefix) == ("s", True)
    with open(path, "rb") as f:  # read back as the importer reads: each name exactly as written
        names = [row[0] for row in Book(f.read()).raw("说明")[12:]]
    assert names == TYPE_NAMES + ['=HYPERLINK("http://x","点我")', "@示例_x0041_"]


# --- a good sheet ------------------------------------------------------------------------------------
def test_round_trip_imports_exactly_what_was_written(db, db_path, template, tmp_path):
    path = fill(template, tmp_path / "已填.xlsx", FILLED)
    sheet = read(db, path)
    assert sheet.summary() == SUMMARY
    assert [a.row for a in sheet.new] == [3, 4, 6, 7, 8] and sheet.example_rows == [2]
    assert (sheet.first_day, sheet.last_day, sheet.existing) == (D(2018, 11, 11), D(2020, 6, 1), [])

    result = import_file(db, path)
    assert result.message() == "已导入 5 条活动记录。"
    assert (len(result.uids), result.skipped) == (5, 0)
    assert ledger(db) == STORED
    with db.read() as s:
        office = offices.resolve(s, OFFICE)
        assert result.changes.activities == {office.id}
        records = s.scalars(select(Activity).where(Activity.office_id == office.id)).all()
        assert {(a.source, a.created_by) for a in records} == {("excel:已填.xlsx", "王芳")}
        audits = s.scalars(select(AuditEntry).where(AuditEntry.entity == "activity")).all()
        assert sorted(a.entity_key for a in audits) == sorted(result.uids)
        assert {(a.source, a.user, a.old) for a in audits} == {("excel:已填.xlsx", "王芳", None)}
        first = next(a for a in audits if a.entity_key == result.uids[0])
        assert json.loads(first.new) == {"type": "POP_LECTURE", "date": "2019-03-20", "title": "社区防疫科普讲座",
                                         "place": "新浦街道", "participants": 5, "audience": 120, "note": ""}


def test_a_sheet_of_another_name_with_the_template_headers_is_read(db, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(list(HEADERS))
    wb.active.append(["2019-06-01", "科普讲座", "暑期讲座", "图书馆", 3, 80, ""])
    wb.save(tmp_path / "自制.xlsx")
    sheet = read(db, tmp_path / "自制.xlsx")
    assert (sheet.sheet, [a.fields for a in sheet.new]) == (
        "Sheet1", [(D(2019, 6, 1), "POP_LECTURE", "暑期讲座", "图书馆", 3, 80, "")])


def test_a_second_import_reports_existing_rows_and_adds_nothing(db, db_path, template, tmp_path):
    path = fill(template, tmp_path / "已填.xlsx", FILLED)
    import_file(db, path)
    before = db_content(db_path)
    sheet = read(db, path)
    assert sheet.new == [] and [a.row for a in sheet.existing] == [3, 4, 6, 7, 8]
    assert sheet.summary() == (
        "文件“已填.xlsx”（工作表“活动台账”）中有 5 行活动记录。\n"
        "没有需要导入的新记录。\n"
        "已存在 5 条（日期、活动类型、活动名称、地点与台账中的记录相同），将跳过：第 3、4、6、7、8 行。\n"
        "第 2 行是模板中的示例，不导入。")
    result = import_file(db, path)
    assert (result.uids, result.skipped, bool(result.changes)) == ([], 5, False)
    assert result.message() == "已导入 0 条活动记录。另有 5 条已存在，已跳过。"
    assert db_content(db_path) == before


def test_existing_rows_with_other_counts_are_named_and_new_rows_still_import(db, template, tmp_path):
    import_file(db, fill(template, tmp_path / "已填.xlsx", FILLED))
    changed = [list(r) for r in FILLED[:2]] + [["2020-07-01", "科普讲座", "暑期讲座", "", 3, 50, ""]]
    changed[1][5] = 320  # AI 前沿报告会: audience 300 in the ledger
    sheet = read(db, fill(template, tmp_path / "再次.xlsx", changed))
    assert [a.title for a in sheet.new] == ["暑期讲座"] and sheet.differing == [4]
    assert sheet.summary() == (
        "文件“再次.xlsx”（工作表“活动台账”）中有 3 行活动记录。\n"
        "将导入 1 条新记录，日期 2020-07-01 至 2020-07-01：\n"
        "    科普讲座 1 条\n"
        "已存在 2 条（日期、活动类型、活动名称、地点与台账中的记录相同），将跳过：第 3、4 行。\n"
        "其中第 4 行的人数或备注与台账中的记录不同；导入不会修改已有记录，如需更正请在台账中编辑。\n"
        "第 2 行是模板中的示例，不导入。")
    with db.write() as s:
        result = activity_sheet.import_sheet(s, offices.resolve(s, OFFICE), sheet)
    assert (len(result.uids), result.skipped) == (1, 2)
    assert len(ledger(db)) == 6 and ("AI 前沿报告会", 300) in [(r[2], r[5]) for r in ledger(db)]


def test_a_record_added_after_the_check_is_not_doubled(db, template, tmp_path):
    sheet = read(db, fill(template, tmp_path / "已填.xlsx", FILLED[:2]))
    with db.write() as s:  # someone types the same activity in while the preview is open
        activities.add_activity(s, offices.resolve(s, OFFICE), activities.resolve_type(s, "科普讲座"),
                                D(2019, 3, 20), "社区防疫科普讲座", place="新浦街道")
    with db.write() as s:
        result = activity_sheet.import_sheet(s, offices.resolve(s, OFFICE), sheet)
    assert (len(result.uids), result.skipped) == (1, 1)
    assert [r[2] for r in ledger(db)] == ["社区防疫科普讲座", "AI 前沿报告会"]


# --- bad rows: every problem named, nothing imported ------------------------------------------------
BAD_ROWS = [
    ("2019-03-20", "科普讲座", "社区防疫科普讲座", "", 5, 120, ""),  # fine, but not imported with the others
    ("2021-01-01", "科普展览", None, "礼堂", "十五人", 30, ""),
    ("2019-02-30", None, "报告会", "", -3, 2.5, ""),
    (dt.datetime(2019, 3, 20), "POP_LECTURE", "社区防疫科普讲座", "另一处", 1, 1, ""),
    ("3月15日", "科普讲座", "长" * 201, "", 1, 1, ""),
    (dt.datetime(2019, 3, 15), "科普讲座", "社区科普讲座（示例行，导入时跳过）", "某某社区活动中心", 6, 120, ""),
    (43539, "科普讲座", "讲座", "", True, 1, ""),
]
BAD_MESSAGE = """文件“有错.xlsx”中有 14 处问题，没有导入任何记录。请改正后重新导入：
“活动台账”第 4 行 A 列：活动日期 2021-01-01 超出计划期（2018—2020年）。
“活动台账”第 4 行 B 列：活动类型“科普展览”不是可选的类型，请按“说明”工作表填写。
“活动台账”第 4 行 C 列：活动名称不能为空。
“活动台账”第 4 行 E 列：参与人数“十五人”不是数字，请填写整数，例如 25。
“活动台账”第 5 行 A 列：日期“2019-02-30”不存在，请检查月份和日。
“活动台账”第 5 行 B 列：活动类型不能为空。
“活动台账”第 5 行 E 列：参与人数不能为负数（-3）。
“活动台账”第 5 行 F 列：受众人次必须是整数（2.5）。
“活动台账”第 6 行：与第 3 行重复（日期、活动类型、活动名称都相同）。
“活动台账”第 7 行 A 列：日期“3月15日”格式不对，请写成 年-月-日，例如 2019-03-15。
“活动台账”第 7 行 C 列：活动名称太长（201 字），最多 200 字。
“活动台账”第 8 行 C 列：这是模板的示例行。请删除此行，或把它改成真实的活动后再导入。
“活动台账”第 9 行 A 列：“43539”不是日期，请写成 年-月-日，例如 2019-03-15。
“活动台账”第 9 行 E 列：参与人数“TRUE”不是数字，请填写整数，例如 25。"""


def test_bad_rows_are_all_named_and_nothing_is_written(db, db_path, template, tmp_path):
    path = fill(template, tmp_path / "有错.xlsx", BAD_ROWS)
    before = db_content(db_path)
    with pytest.raises(SheetProblems) as caught:
        read(db, path)
    assert str(caught.value) == BAD_MESSAGE
    assert caught.value.total == 14 and len(caught.value.problems) == 14
    assert db_content(db_path) == before


def test_at_most_fifty_problems_are_listed(db, template, tmp_path):
    rows = [("2019-05-01", "科普讲座", None, "", 1, 1, "")] * 60
    with pytest.raises(SheetProblems) as caught:
        read(db, fill(template, tmp_path / "空名称.xlsx", rows))
    lines = str(caught.value).split("\n")
    assert lines[0] == "文件“空名称.xlsx”中有 60 处问题，没有导入任何记录。请改正后重新导入："
    assert lines[1] == "“活动台账”第 3 行 C 列：活动名称不能为空。"
    assert lines[50] == "“活动台账”第 52 行 C 列：活动名称不能为空。"
    assert lines[51:] == ["……另有 10 处问题未列出。"]


# --- the file as a whole ---------------------------------------------------------------------------
def test_wrong_header_missing_sheet_and_no_rows_are_refused(db, template, tmp_path):
    wb = openpyxl.load_workbook(template)
    wb[SHEET]["C1"] = "名称"
    wb.save(tmp_path / "表头.xlsx")
    assert refusal(db, tmp_path / "表头.xlsx") == (
        "文件“表头.xlsx”：“活动台账”第 1 行 C 列：表头应为“活动名称”，实际为“名称”。"
        "请使用“下载模板…”保存的模板，不要改动、删除或移动第 1 行的列。")
    wb[SHEET].title = "台账"
    wb.save(tmp_path / "改名.xlsx")
    assert refusal(db, tmp_path / "改名.xlsx") == (
        "文件“改名.xlsx”：文件中没有“活动台账”工作表。请用“下载模板…”保存的模板填写活动，不要改动工作表名称和第 1 行的表头。")
    wb = openpyxl.load_workbook(template)
    wb[SHEET].delete_rows(2)
    wb.save(tmp_path / "空白.xlsx")
    assert refusal(db, tmp_path / "空白.xlsx") == (
        "文件“空白.xlsx”：工作表“活动台账”中没有活动记录（从第 2 行起每行填写一次活动）。")


def _formula_by_excel(src: Path, dst: Path) -> Path:
    wb = openpyxl.load_workbook(src)
    wb[SHEET]["F4"] = "=SUM(100,20)"  # what a clerk types into Excel
    wb.save(dst)
    return dst


@pytest.mark.parametrize("make, where", [
    (lambda src, dst: files.formula_cell(src, dst, SHEET, "E3"), "“活动台账”第 3 行 E 列"),
    (_formula_by_excel, "“活动台账”第 4 行 F 列"),
])
def test_a_formula_is_refused(db, db_path, template, tmp_path, make, where):
    filled = fill(template, tmp_path / "已填.xlsx", FILLED)
    path = make(filled, tmp_path / "公式.xlsx")
    before = db_content(db_path)
    assert refusal(db, path) == (f"文件“公式.xlsx”：{where}含有公式，已拒绝导入。请在 Excel 或 WPS 中把公式改为数值"
                                 "（复制后“选择性粘贴”为“数值”），保存后再导入。")
    assert db_content(db_path) == before


NOT_XLSX = ("不是 Excel 工作簿（.xlsx）文件，无法导入。如果它是 .xls、.csv 或 WPS 表格文件，"
            "请在 Excel 或 WPS 中打开，“另存为” Excel 工作簿（*.xlsx）后再导入。")


@pytest.mark.parametrize("make, message", [
    (lambda src, dst: files.not_xlsx(dst), NOT_XLSX),
    (lambda src, dst: files.renamed_csv(dst), NOT_XLSX),
    (lambda src, dst: files.renamed_xls(dst), "这是旧版 Excel 97-2003（.xls）文件或加了密码的工作簿，无法导入。"
                                              "请在 Excel 或 WPS 中打开它，取消密码并“另存为” Excel 工作簿（*.xlsx）后再导入。"),
    (lambda src, dst: files.truncated(src, dst), "文件不完整或已损坏（可能在下载、复制或发送邮件时被截断），无法读取。请对方重新发送。"),
    (lambda src, dst: files.entity_bomb(src, dst, SHEET),
     "XML 部件 xl/worksheets/sheet1.xml 含有 DTD/实体声明（可用于“XML 实体炸弹”等攻击），本程序导出的文件不会有，已拒绝导入。"),
    (lambda src, dst: files.zip_bomb(dst), "压缩包条目 xl/worksheets/sheet1.xml 的压缩比异常（{ratio} 倍），疑似“压缩炸弹”，已拒绝导入。"),
])
def test_files_that_are_not_a_sound_xlsx_are_refused_by_the_package_checks(db, db_path, template, tmp_path,
                                                                           make, message):
    filled = fill(template, tmp_path / "已填.xlsx", FILLED)
    path = make(filled, tmp_path / "坏文件.xlsx")
    before = db_content(db_path)
    if "{ratio}" in message:  # the compression ratio depends on the zlib version
        info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
        message = message.format(ratio=f"{info.file_size / info.compress_size:.0f}")
    assert refusal(db, path) == f"文件“坏文件.xlsx”：{message}"
    assert db_content(db_path) == before


def test_a_sheet_saved_again_by_libreoffice_imports_the_same_rows(db, template, tmp_path):
    from tests.test_packages_libreoffice import resave

    filled = fill(template, tmp_path / "已填.xlsx", FILLED)
    again = resave(filled, tmp_path / "lo", tmp_path / "profile")
    assert [a.fields for a in read(db, again).new] == [a.fields for a in read(db, filled).new]
    assert sorted(a.fields for a in read(db, again).new) == STORED


def test_rows_in_approved_months_are_named_by_row_when_the_sheet_is_read(db, db_path, template, tmp_path):
    from kexie_desktop.models import ReviewMonth

    with db.write() as s:
        office = offices.resolve(s, OFFICE)
        offices.set_this_office(s, office)
        at = dt.datetime(2019, 7, 1, 9, 30)
        s.add(ReviewMonth(office_id=office.id, year=2019, month=3, state="approved", by="李审", at=at))
        s.add(ReviewMonth(office_id=office.id, year=2019, month=4, state="sent", by="李审", at=at))
    path = fill(template, tmp_path / "锁定.xlsx", FILLED)
    before = db_content(db_path)
    with pytest.raises(SheetProblems) as caught:
        read(db, path)
    lock = ("的数据已由 李审 于 2019-07-01 09:30 审核通过并锁定，不能修改。"
            "如需修改，请审核人在“审核”页撤销审核（须写明原因）。")
    assert str(caught.value) == (
        "文件“锁定.xlsx”中有 2 处问题，没有导入任何记录。请改正后重新导入：\n"
        f"“活动台账”第 3 行 A 列：2019年3月{lock}\n"
        f"“活动台账”第 4 行 A 列：2019年4月{lock}")
    assert db_content(db_path) == before
