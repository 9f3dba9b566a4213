"""审核 rules as plan data: the city's plan and init packages carry them in 审核规则, and a unit's
import replaces its rules all or nothing (unknown rules deactivated, never deleted)."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from hostile.helpers import Pair, dump, init_unit, make_city, resign, unit_key
from kexie_desktop import cli, packages
from kexie_desktop.models import DataValue, ValidationRule
from kexie_desktop.packages.kinds.plan.export import RULES
from kexie_desktop.packages.kinds.plan.load import rule_params
from kexie_desktop.services import offices, plan
from kexie_desktop.startup import open_app_database

UNIT = "320703"  # 连云区
AS_OF = "2019-06-15"


@pytest.fixture
def pair(tmp_path):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    yield Pair(city, unit, UNIT, tmp_path)
    unit.close()
    city.close()


def _rule(s, code) -> ValidationRule:
    return s.scalars(select(ValidationRule).where(ValidationRule.code == code)).one()


def _export(pair: Pair, name="plan.xlsx"):
    with pair.city.write() as s:
        packages.export_plan(s, pair.tmp / name)
    return pair.tmp / name


def _preview(db, path):
    with db.read() as s:
        return packages.preview(s, path)


def _rule_changes(preview) -> list[tuple]:
    return [(c.key, c.action, c.old, c.new) for c in preview.changes if c.sheet == RULES.name and c.action != "未变"]


def _check(pair: Pair) -> list[dict]:
    out = io.StringIO()
    cli.run(["--db", str(pair.tmp / "unit.db"), "check", "--office", UNIT, "--year", "2019", "--as-of", AS_OF,
             "--json"], out=out)
    return json.loads(out.getvalue())


def _city_key(pair: Pair) -> bytes:
    with pair.city.read() as s:
        code = offices.city(s).code
    return unit_key(pair.city, code)


def _rows_of(sheets, code):
    return next(r for r in sheets[RULES.name] if r[0] == code)


def test_the_citys_w01_factor_4_reaches_the_units_check(pair):
    with pair.unit.write() as s:
        office, i09 = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        for month, value in ((1, 10), (2, 45)):  # 4.5 times the previous month, above the floor 10
            s.add(DataValue(indicator_id=i09.id, office_id=office.id, year=2019, month=month, value=value))
    assert [r for r in _check(pair) if r["rule"] == "W01"] == []  # factor 5: no warning yet
    with pair.city.write() as s:
        _rule(s, "W01").params = json.dumps({"factor": 4, "floor": 10})
    path = _export(pair)
    preview = _preview(pair.unit, path)
    assert preview.status == "ready", preview.message
    assert _rule_changes(preview) == [("W01", "修改", '参数 {"factor": 5, "floor": 10}', '参数 {"factor": 4, "floor": 10}')]
    assert sum(1 for c in preview.changes if c.sheet == RULES.name and c.action == "未变") == 11
    assert packages.apply(pair.unit, path).outcome == "applied"
    with pair.unit.read() as s:
        assert _rule(s, "W01").params == '{"factor": 4, "floor": 10}'
    w01 = [(r["indicator"], r["month"], r["value"], r["message"]) for r in _check(pair) if r["rule"] == "W01"]
    assert w01 == [("I09", "2019-02", "45",
                    "“科教兴农项目”2019年2月为 45，是上月 10 的 4.5 倍：请核对是否多输了数字；确实无误请填写说明。")]
    # The same file again is unchanged; a new export of the same rules shows every rule row 未变.
    assert packages.apply(pair.unit, path).outcome == "unchanged"
    again = _preview(pair.unit, _export(pair, "again.xlsx"))
    assert _rule_changes(again) == []
    assert [c.action for c in again.changes if c.sheet == RULES.name] == ["未变"] * 12


def test_a_forged_params_cell_is_refused_naming_sheet_row_and_column_and_nothing_is_imported(pair):
    with pair.city.write() as s:
        _rule(s, "W02").params = json.dumps({"share": 0.5})  # a valid change in the same file
    forged = pair.tmp / "forged.xlsx"

    def change(sheets):
        _rows_of(sheets, "W01")[4] = '{"factor": "4", "floor": 10}'  # a number as text
    resign(_export(pair), forged, _city_key(pair), rows=change)
    before = dump(pair.unit)
    result = packages.apply(pair.unit, forged)
    assert result.outcome == "refused"
    # W01 is the 6th rule: row 7 under the header; 参数 is column E.
    assert ("工作表“审核规则”第 7 行 E 列（参数）：参数“{\"factor\": \"4\", \"floor\": 10}”不是由数字组成的 JSON 对象"
            in result.message), result.message
    assert "共有 1 处数据不符合要求，整个文件未导入" in result.message
    assert dump(pair.unit) == before
    with pair.unit.read() as s:
        assert (_rule(s, "W01").params, _rule(s, "W02").params) == ('{"factor": 5, "floor": 10}', '{"share": 0.3}')


@pytest.mark.parametrize("code, column, value, place, reason", [
    ("W01", 1, "monthly_jump", "第 7 行 B 列（检查）", "本程序没有名为“monthly_jump”的检查"),
    ("W01", 2, "严重", "第 7 行 C 列（级别）", "“严重”不是可选值之一（错误、警告）"),
    ("W01", 3, "I09,I999", "第 7 行 D 列（适用指标）", "未知的指标代码“I999”"),
    ("W01", 4, "[5, 10]", "第 7 行 E 列（参数）", "不是由数字组成的 JSON 对象"),
    ("W01", 4, '{"factor": true}', "第 7 行 E 列（参数）", "不是由数字组成的 JSON 对象"),
    ("W01", 4, '{"factor": NaN}', "第 7 行 E 列（参数）", "不是由数字组成的 JSON 对象"),
    ("W01", 4, "{factor: 5}", "第 7 行 E 列（参数）", "不是由数字组成的 JSON 对象"),
    ("W01", 5, "“{indicator}”为 {value:.2f}", "第 7 行 F 列（提示）", "不能带格式或序号"),
    ("W01", 0, "W02", "第 8 行 A 列（代码）", "规则代码“W02”与第 7 行重复"),
])
def test_each_bad_rule_cell_is_refused_with_its_place(pair, code, column, value, place, reason):
    forged = pair.tmp / "forged.xlsx"

    def change(sheets):
        _rows_of(sheets, code)[column] = value
    resign(_export(pair), forged, _city_key(pair), rows=change)
    preview = _preview(pair.unit, forged)
    refused = [c for c in preview.changes if c.action == "拒绝"]
    assert len(refused) == 1, [c.text() for c in refused]
    assert refused[0].label == f"工作表“审核规则”{place}"
    assert reason in refused[0].reason
    assert preview.status != "ready"


def test_a_new_rule_arrives_and_one_the_package_no_longer_has_is_deactivated_not_deleted(pair):
    trimmed = pair.tmp / "trimmed.xlsx"

    def change(sheets):
        rules = sheets[RULES.name]
        rules.remove(_rows_of(sheets, "W07"))
        rules.append(["W08", "month_jump", "警告", "I09，I14", '{"factor": 2}', "“{indicator}”{month}翻倍：请核对。", "是"])
    resign(_export(pair), trimmed, _city_key(pair), rows=change)
    preview = _preview(pair.unit, trimmed)
    assert preview.status == "ready", preview.message
    assert _rule_changes(preview) == [
        ("W08", "新增", "", '检查 month_jump；级别 警告；适用指标 I09,I14；参数 {"factor": 2}；启用 是；排序 11'),
        ("W07", "修改", "启用 是", "启用 否"),
    ]
    assert packages.apply(pair.unit, trimmed).outcome == "applied"
    with pair.unit.read() as s:
        w07, w08 = _rule(s, "W07"), _rule(s, "W08")
        assert (w07.active, w07.check) == (False, "duplicate_activity")
        assert (w08.indicators, w08.params, w08.severity, w08.active) == ('["I09", "I14"]', '{"factor": 2}',
                                                                          "warning", True)
        assert s.query(ValidationRule).count() == 13


def test_an_init_package_carries_the_citys_rules(tmp_path):
    city = make_city(tmp_path / "city.db")
    with city.write() as s:
        _rule(s, "W05").params = json.dumps({"limit": 8000})
        _rule(s, "E03").active = False
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, "320722", tmp_path)
    with unit.read() as s:
        assert (_rule(s, "W05").params, _rule(s, "E03").active, _rule(s, "W01").params) == (
            '{"limit": 8000}', False, '{"factor": 5, "floor": 10}')
    unit.close()
    city.close()


def test_rule_params_read_only_json_objects_of_numbers():
    assert rule_params("") == {}
    assert rule_params('{"factor": 4.0, "share": 0.25}') == {"factor": 4, "share": 0.25}
    for bad in ("5", "[]", '{"a": "1"}', '{"a": null}', '{"a": Infinity}', '{"a": 1e400}', "[" * 5000, "{"):
        assert rule_params(bad) is None, bad
