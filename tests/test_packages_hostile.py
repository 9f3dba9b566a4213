"""Hostile and broken files (PRODUCT.md: files arrive by e-mail). Each is refused with a Chinese
message naming the file and, where it applies, the sheet, row and column — and the database content is
exactly what it was (the package log gains one "refused" line)."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from hostile import files
from hostile.helpers import dump, export_sub, init_unit, log_results, make_city, resign
from kexie_desktop import packages
from kexie_desktop.packages.format import safety
from kexie_desktop.services import activities, offices, plan, values
from kexie_desktop.startup import open_app_database

UNIT = "320703"


@dataclass
class Origin:
    city_db: Path
    sub: Path
    key: bytes


@pytest.fixture(scope="module")
def origin(tmp_path_factory) -> Origin:
    """A city database that knows 连云区's key, and a genuine submission package of 连云区."""
    tmp = tmp_path_factory.mktemp("origin")
    city = make_city(tmp / "city.db")
    unit = open_app_database(tmp / "unit.db")
    init_unit(city, unit, UNIT, tmp)
    with unit.write() as s:
        office = offices.resolve(s, UNIT)
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 3, 4.0, note="三月")
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 4, 6.0)
        kind = activities.resolve_type(s, "科普讲座")
        for day in (1, 2):
            activities.add_activity(s, office, kind, dt.date(2019, 5, day), f"讲座{day}", participants=3, audience=50)
    export_sub(unit, UNIT, 2019, tmp / "sub.xlsx")
    from hostile.helpers import unit_key
    key = unit_key(unit, UNIT)
    unit.close()
    city.close()
    return Origin(tmp / "city.db", tmp / "sub.xlsx", key)


@pytest.fixture
def city(origin, tmp_path):
    shutil.copyfile(origin.city_db, tmp_path / "city.db")
    db = open_app_database(tmp_path / "city.db")
    yield db
    db.close()


def refuse(city, path: Path, *fragments: str) -> str:
    """Apply ``path`` at the city: it must be refused with every fragment, changing nothing."""
    before = dump(city)
    logged = len(log_results(city))
    result = packages.apply(city, path)
    assert result.outcome == "refused", result.message
    for fragment in (f"文件“{path.name}”", *fragments):
        assert fragment in result.message, result.message
    assert dump(city) == before
    assert log_results(city)[logged:] == ["refused"]
    with city.read() as s:
        assert packages.preview(s, path).status == "refused"
    return result.message


def test_the_genuine_package_is_accepted(city, origin):
    assert packages.apply(city, origin.sub).outcome == "applied"


def test_not_an_xlsx_at_all(city, tmp_path):
    refuse(city, files.not_xlsx(tmp_path / "photo.xlsx"), "不是 xlsx 文件")


def test_empty_file(city, tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    refuse(city, tmp_path / "empty.xlsx", "文件是空的")


def test_truncated_file(city, origin, tmp_path):
    refuse(city, files.truncated(origin.sub, tmp_path / "cut.xlsx"), "文件不完整或已损坏", "截断")


def test_renamed_xls(city, tmp_path):
    refuse(city, files.renamed_xls(tmp_path / "old.xlsx"), "旧版 Excel 97-2003（.xls）")


def test_renamed_csv(city, tmp_path):
    refuse(city, files.renamed_csv(tmp_path / "data.xlsx"), "这是文本文件（例如 CSV）")


def test_empty_workbook(city, tmp_path):
    refuse(city, files.empty_workbook(tmp_path / "blank.xlsx"), "这是一个空的工作簿，不是本程序导出的数据包")


def test_missing_or_renamed_sheet(city, origin, tmp_path):
    def rename(wb):
        wb["活动台账"].title = "台账"
    path = files.with_openpyxl(origin.sub, tmp_path / "renamed.xlsx", rename)
    refuse(city, path, "缺少工作表“活动台账”（可能被删除或改名）")


def test_manifest_sheet_removed(city, origin, tmp_path):
    path = files.with_openpyxl(origin.sub, tmp_path / "nomanifest.xlsx", lambda wb: wb.remove(wb["校验信息"]))
    refuse(city, path, "找不到工作表“校验信息”")


def test_renamed_column(city, origin, tmp_path):
    def rename(wb):
        wb["活动台账"]["E1"] = "活动日期"
    path = files.with_openpyxl(origin.sub, tmp_path / "column.xlsx", rename)
    refuse(city, path, "工作表“活动台账”第 1 行 E 列", "表头应为“日期”，实际为“活动日期”")


def test_wrong_schema_version(city, origin, tmp_path):
    path = files.set_manifest(origin.sub, tmp_path / "v1.xlsx", "schema_version", "1")
    refuse(city, path, "数据包格式版本为 1，本程序只能读取版本 3")


def test_text_in_a_number_cell(city, origin, tmp_path):
    def change(sheets):
        sheets["月度数据"][0][5] = "四"
    resign(origin.sub, tmp_path / "text.xlsx", origin.key, rows=change)
    refuse(city, tmp_path / "text.xlsx", "工作表“月度数据”第 2 行 F 列（数值）：“四”不是数字", "整个文件未导入")


def test_negative_count(city, origin, tmp_path):
    def change(sheets):
        sheets["活动台账"][1][7] = -5.0
    resign(origin.sub, tmp_path / "negative.xlsx", origin.key, rows=change)
    refuse(city, tmp_path / "negative.xlsx", "工作表“活动台账”第 3 行 H 列（参与人数）：不能为负数（-5）")


def test_month_outside_the_plan(city, origin, tmp_path):
    def change(sheets):
        sheets["月度数据"][1][4] = "2025-04"
    resign(origin.sub, tmp_path / "month.xlsx", origin.key, rows=change)
    refuse(city, tmp_path / "month.xlsx", "工作表“月度数据”第 3 行 E 列（月份）：月份 2025-04 超出计划期（2018—2020年）")


def test_month_of_another_year(city, origin, tmp_path):
    def change(sheets):
        sheets["月度数据"][1][4] = "2020-04"
    resign(origin.sub, tmp_path / "year.xlsx", origin.key, rows=change)
    refuse(city, tmp_path / "year.xlsx", "月份 2020-04 不属于此包的年份（2019年）")


def test_unknown_indicator_code(city, origin, tmp_path):
    def change(sheets):
        sheets["月度数据"][0][1] = "I99"
    resign(origin.sub, tmp_path / "code.xlsx", origin.key, rows=change)
    refuse(city, tmp_path / "code.xlsx", "工作表“月度数据”第 2 行 B 列（指标代码）：未知的指标代码“I99”")


def test_duplicate_rows(city, origin, tmp_path):
    def change(sheets):
        sheets["月度数据"].append(list(sheets["月度数据"][0]))
        sheets["活动台账"].append(list(sheets["活动台账"][0]))
    resign(origin.sub, tmp_path / "dup.xlsx", origin.key, rows=change)
    message = refuse(city, tmp_path / "dup.xlsx", "工作表“月度数据”第 4 行：与第 2 行重复", "共有 2 处")
    with city.read() as s:
        reasons = [c.reason for c in packages.preview(s, tmp_path / "dup.xlsx").changes if c.action == "拒绝"]
    assert reasons[1] == "记录编号与第 2 行重复（同一活动只能有一行）。", message


def test_rows_for_another_office(city, origin, tmp_path):
    def change(sheets):
        sheets["活动台账"][0][1] = "320706"
    resign(origin.sub, tmp_path / "other.xlsx", origin.key, rows=change)
    refuse(city, tmp_path / "other.xlsx", "工作表“活动台账”第 2 行 B 列（单位代码）：此行属于单位 320706，而此包是连云区科协的上报包")


def test_manifest_claims_another_office(city, origin, tmp_path):
    def claim(m):
        m.office_code, m.office_name = "320706", "海州区科协"
    resign(origin.sub, tmp_path / "claim.xlsx", origin.key, manifest=claim)
    refuse(city, tmp_path / "claim.xlsx", "本机没有海州区科协的签名密钥")


def test_forged_signature(city, origin, tmp_path):
    path = files.set_manifest(origin.sub, tmp_path / "forged.xlsx", "signature", "ab" * 32)
    refuse(city, path, "此文件在导出后被修改过，已拒绝导入")


def test_missing_signature(city, origin, tmp_path):
    path = files.set_manifest(origin.sub, tmp_path / "unsigned.xlsx", "signature", None)
    refuse(city, path, "缺少签名")


def test_entity_bomb(city, origin, tmp_path):
    path = files.entity_bomb(origin.sub, tmp_path / "lol.xlsx")
    refuse(city, path, "含有 DTD/实体声明", "XML 实体炸弹")


def _calamine_sheet(path: Path, sheet: str):
    import python_calamine

    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_the_parser_never_expands_entities_or_inflates_past_a_declared_size(origin, tmp_path):
    """workbook.read_book lets python-calamine parse while safety inflates and scans the entries:
    that is sound only while the parser itself holds to these two (safety.py's docstring)."""
    with pytest.raises(Exception, match="unrecognized entity"):
        _calamine_sheet(files.entity_bomb(origin.sub, tmp_path / "lol.xlsx"), "月度数据")
    liar = files.lying_size(origin.sub, tmp_path / "liar.xlsx", files.sheet_part(origin.sub, "月度数据"))
    with pytest.raises(Exception, match="larger than its declared uncompressed size"):
        _calamine_sheet(liar, "月度数据")
    assert len(_calamine_sheet(origin.sub, "月度数据")) > 1


def test_xml_in_another_encoding(city, origin, tmp_path):
    def utf16(xml: bytes) -> bytes:
        return xml.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    path = files.edit_sheet(origin.sub, tmp_path / "utf16.xlsx", "月度数据", utf16)
    refuse(city, path, "不是 UTF-8 编码")


def test_zip_bomb_by_ratio(city, tmp_path):
    refuse(city, files.zip_bomb(tmp_path / "bomb.xlsx"), "压缩比异常", "压缩炸弹")


def test_zip_bomb_with_a_lying_size(city, origin, tmp_path):
    part = files.sheet_part(origin.sub, "月度数据")
    refuse(city, files.lying_size(origin.sub, tmp_path / "liar.xlsx", part), "与其声明的大小或校验值不符")


def test_zip_bomb_by_total_size(city, origin, tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_TOTAL_UNCOMPRESSED", 20_000)
    shutil.copyfile(origin.sub, tmp_path / "big.xlsx")
    refuse(city, tmp_path / "big.xlsx", "解压后的总大小")


def test_a_zip_entry_stored_twice(city, origin, tmp_path):
    part = files.sheet_part(origin.sub, "月度数据")
    bomb = files.BILLION_LAUGHS + b"<worksheet/>"
    refuse(city, files.duplicate_entry(origin.sub, tmp_path / "twice.xlsx", part, bomb), "压缩包中有重名的条目",
           "xl/worksheets/")


def test_too_many_zip_entries(city, tmp_path):
    refuse(city, files.many_entries(tmp_path / "many.xlsx"), "压缩包内的条目过多（1202 个，上限 1000）")


def test_file_too_large(city, origin, tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 1000)
    shutil.copyfile(origin.sub, tmp_path / "large.xlsx")
    refuse(city, tmp_path / "large.xlsx", "文件太大", "超过数据包上限")


def test_formula_in_a_data_cell(city, origin, tmp_path):
    path = files.formula_cell(origin.sub, tmp_path / "formula.xlsx", "月度数据", "F2")
    refuse(city, path, "工作表“月度数据”第 2 行 F 列：含有公式")


def test_cell_over_excels_length_limit(city, origin, tmp_path):
    path = files.long_cell(origin.sub, tmp_path / "long.xlsx", "活动台账", "F2")
    refuse(city, path, "工作表“活动台账”第 2 行 F 列（活动名称）：单元格内容长达 40000 字，超过 Excel 单元格上限 32767 字")


def test_batch_of_hostile_files_keeps_going(city, origin, tmp_path):
    bad = [files.not_xlsx(tmp_path / "a.xlsx"), files.zip_bomb(tmp_path / "b.xlsx"),
           files.entity_bomb(origin.sub, tmp_path / "c.xlsx")]
    before = dump(city)
    batch = packages.import_batch(city, [*bad, origin.sub])
    assert [r.outcome for r in batch.results] == ["refused", "refused", "refused", "applied"]
    assert dump(city) != before


# -- the review sheets (审核状态, 审核说明): forged by a holder of the key, refused cell by cell ------------

def test_forged_review_state(city, origin, tmp_path):
    def change(sheets):
        sheets["审核状态"][2][1] = "已批准"  # no such state
    resign(origin.sub, tmp_path / "state.xlsx", origin.key, rows=change)
    refuse(city, tmp_path / "state.xlsx", "工作表“审核状态”第 4 行 B 列（状态）：“已批准”不是可选值之一", "整个文件未导入")


def test_review_state_of_another_year_and_twice_the_same_month(city, origin, tmp_path):
    def change(sheets):
        sheets["审核状态"][0][0] = "2020-01"
        sheets["审核状态"][3][0] = "2019-03"
    resign(origin.sub, tmp_path / "months.xlsx", origin.key, rows=change)
    message = refuse(city, tmp_path / "months.xlsx", "工作表“审核状态”第 2 行 A 列（月份）：月份 2020-01 不属于此包的年份")
    with city.read() as s:
        reasons = [c.label + c.reason for c in packages.preview(s, tmp_path / "months.xlsx").changes
                   if c.action == "拒绝"]
    assert reasons[1] == "工作表“审核状态”第 5 行与第 4 行重复（每个月份只能有一行）。", message


def test_forged_explanations(city, origin, tmp_path):
    def change(sheets):
        base = ["W99", "warning", "I09", "科教兴农项目", "2019-03", "", "4", "自造的规则", "自造规则的说明文字"]
        sheets["审核说明"] += [
            base,  # an unknown rule code is kept as text: accepted
            ["E01", "error", "I09", "", "2019-04", "", "6", "错误", "错误也想用说明放过"],
            ["W01", "提示", "I09", "", "2019-04", "", "6", "级别不对", ""],
            ["W01", "warning", "I99", "", "2019-04", "", "6", "指标不对", ""],
            ["W01", "warning", "", "", "2019-04", "", "6", "无对象", ""],
            ["W01", "warning", "I09", "", "2019-05", "", "6", "说明太短", "短"],
            list(base),
        ]
    resign(origin.sub, tmp_path / "notes.xlsx", origin.key, rows=change)
    refuse(city, tmp_path / "notes.xlsx", "共有 6 处数据不符合要求")
    with city.read() as s:
        reasons = [c.label + "：" + c.reason for c in packages.preview(s, tmp_path / "notes.xlsx").changes
                   if c.action == "拒绝"]
    assert reasons == [  # the genuine package has two rows (gaps in January and February) before these
        "工作表“审核说明”第 6 行 B 列（级别）：“提示”不是可选值之一（错误、警告）",
        "工作表“审核说明”第 5 行 I 列（说明）：这是错误，不能用说明放过：错误必须在县区改正。",
        "工作表“审核说明”第 7 行 C 列（指标代码）：未知的指标代码“I99”，本机的计划中没有这个指标。",
        "工作表“审核说明”第 8 行 C 列（指标代码）：指标代码和记录编号不能都为空：提示应属于某个指标或某条台账记录。",
        "工作表“审核说明”第 9 行 I 列（说明）：说明太短：至少 5 个字。",
        "工作表“审核说明”第 10 行：与第 4 行重复（同一规则、同一对象只能有一行）。",
    ]


def test_an_unknown_rule_code_is_kept_as_text(city, origin, tmp_path):
    def change(sheets):
        sheets["审核说明"].append(["W99", "warning", "I09", "", "2019-03", "", "4", "新版程序的规则", "新规则的说明文字"])
    resign(origin.sub, tmp_path / "w99.xlsx", origin.key, rows=change)
    result = packages.apply(city, tmp_path / "w99.xlsx")
    assert result.outcome == "applied", result.message
    with city.read() as s:
        from kexie_desktop.models import Explanation
        assert [(e.rule, e.subject, e.value, e.text) for e in s.query(Explanation)] == [
            ("W99", "I09/2019-03", "4", "新规则的说明文字")]
