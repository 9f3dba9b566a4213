"""审核 travels in the submission: 审核说明 and 审核状态 sheets, the manifest's summary, the city's
snapshot of a unit's month states and explanations, the import preview, and 已报送 after export."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import select

from hostile.helpers import Pair, dump, init_unit, log_results, make_city
from kexie_desktop import cli, packages
from kexie_desktop.models import AuditEntry, Explanation, ReviewMonth
from kexie_desktop.packages.format.manifest import MANIFEST_SHEET
from kexie_desktop.review import explanations, states
from kexie_desktop.services import offices, plan, settings, values
from kexie_desktop.startup import open_app_database

UNIT = "320703"  # 连云区
WHY = "2月集中立项三十个项目"
EXPLAINED = {"rule": "W01", "indicator": "I09", "month": "2019-02", "record": None, "value": "30",
             "explanation": WHY}


@pytest.fixture
def pair(tmp_path):
    """连云区: I09 2, 30, 3 in 2019-01..03 (W01 fires in February, explained); months 1—3 submitted,
    1—2 approved by 李审, 3 still 待审核."""
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with unit.write() as s:
        settings.put(s, "user_filler", "王填")
        settings.put(s, "user_reviewer", "李审")
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        for month, value in ((1, 2), (2, 30), (3, 3)):
            values.set_value(s, indicator, office, 2019, month, float(value))
    with unit.write() as s:
        office = offices.resolve(s, UNIT)
        explanations.explain(s, office, 2019, "W01", "I09/2019-02", WHY, user="王填")
        states.submit(s, office, 2019, 3, user="王填")
        states.approve(s, office, 2019, 2, by="李审")
    yield Pair(city, unit, UNIT, tmp_path)
    unit.close()
    city.close()


def unit_states(db, year=2019) -> list[str]:
    with db.read() as s:
        return [m.state for m in states.month_states(s, offices.resolve(s, UNIT), year)[:4]]


def city_review(db) -> tuple[list[tuple], list[tuple]]:
    with db.read() as s:
        office = offices.resolve(s, UNIT)
        months = [(r.month, r.state, r.by, r.note) for r in s.scalars(
            select(ReviewMonth).where(ReviewMonth.office_id == office.id).order_by(ReviewMonth.month))]
        notes = [(e.rule, e.subject, e.value, e.text) for e in s.scalars(
            select(Explanation).where(Explanation.office_id == office.id))]
    return months, notes


def sheet(path, name) -> list[tuple]:
    return [tuple(c.value for c in r) for r in openpyxl.load_workbook(path)[name].iter_rows(min_row=2)]


def cover(path) -> dict:
    return {r[0].value: r[1].value for r in openpyxl.load_workbook(path)["封面"].iter_rows(min_row=3)}


def test_the_package_carries_findings_states_and_a_draft_summary(pair):
    result = pair.export(2019)
    assert result.review.state == "draft" and result.review.unapproved_months == (3,)
    findings = sheet(pair.tmp / "sub.xlsx", "审核说明")
    assert findings == [("W01", "警告", "I09", "科教兴农项目", "2019-02", None, "30",
                         "“科教兴农项目”2019年2月为 30，是上月 2 的 15 倍：请核对是否多输了数字；确实无误请填写说明。", WHY)]
    rows = sheet(pair.tmp / "sub.xlsx", "审核状态")
    assert [(r[0], r[1], r[2]) for r in rows[:4]] == [
        ("2019-01", "已审核", "李审"), ("2019-02", "已审核", "李审"), ("2019-03", "待审核", "王填"), ("2019-04", "草稿", None)]
    assert len(rows) == 12 and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[0][3]) and rows[3][3] is None
    assert cover(pair.tmp / "sub.xlsx")["审核状态"] == "草稿（未审核：3月；已审核：1—2月）"
    manifest = {r[0]: r[2] for r in sheet(pair.tmp / "sub.xlsx", MANIFEST_SHEET)}
    assert (manifest["schema_version"], manifest["review"], manifest["approved_months"]) == ("3", "draft", "1,2")


def test_an_approved_year_says_so_on_the_cover(pair):
    with pair.unit.write() as s:
        states.approve(s, offices.resolve(s, UNIT), 2019, 3, by="李审")
    result = pair.export(2019)
    assert result.review.state == "approved"
    assert cover(pair.tmp / "sub.xlsx")["审核状态"] == "已审核（1—3月；审核人：李审）"
    assert {r[0]: r[2] for r in sheet(pair.tmp / "sub.xlsx", MANIFEST_SHEET)}["review"] == "approved"


def test_errors_make_a_draft_even_when_every_month_is_approved(pair):
    from kexie_desktop.models import DataValue

    with pair.unit.write() as s:
        office = offices.resolve(s, UNIT)
        states.approve(s, office, 2019, 3, by="李审")
        other = next(i for i in plan.indicators(s) if i.integer_valued and not i.is_ledger
                     and i.aggregation != "city_only" and i.kind != "coverage" and i.code != "I09")
        # A count of 2.5 in approved January (error E02), written around the lock as a stale copy could be.
        s.add(DataValue(office_id=office.id, indicator_id=other.id, year=2019, month=1, value=2.5))
    result = pair.export(2019)
    assert (result.review.state, result.review.errors, result.review.unapproved_months) == ("draft", 1, ())
    assert cover(pair.tmp / "sub.xlsx")["审核状态"] == "草稿（还有 1 个错误；已审核：1—3月）"
    with pair.city.read() as s:
        preview = packages.preview(s, pair.tmp / "sub.xlsx")
    assert preview.review["state"] == "draft" and preview.review["unapproved_months"] == []
    assert preview.review_line == "未审核"


def test_approved_months_become_sent_with_the_export(pair):
    assert unit_states(pair.unit) == ["approved", "approved", "pending", "draft"]
    result = pair.export(2019)
    assert unit_states(pair.unit) == ["sent", "sent", "pending", "draft"]
    with pair.unit.read() as s:
        rows = s.scalars(select(ReviewMonth).where(ReviewMonth.state == "sent").order_by(ReviewMonth.month)).all()
        assert [(r.month, r.by) for r in rows] == [(1, "李审"), (2, "李审")]  # the approver stays
        audits = [json.loads(a.new) for a in s.scalars(select(AuditEntry).where(AuditEntry.entity == "review"))]
    assert [a for a in audits if a["state"] == "sent"] == [{"state": "sent", "package": result.manifest.package_id}] * 2


def test_a_refused_export_leaves_the_months_approved(pair):
    (pair.tmp / "taken").write_text("a file, not a folder")
    with pytest.raises(Exception):
        pair.export(2019, "taken/sub.xlsx")
    with pytest.raises(Exception):
        pair.export(2019, "sub.xls")
    assert unit_states(pair.unit) == ["approved", "approved", "pending", "draft"]
    assert log_results(pair.unit)[-1] == "applied"  # the init package; no export was logged


def test_round_trip_preview_apply_and_reimport(pair):
    pair.export(2019)
    with pair.city.read() as s:
        preview = packages.preview(s, pair.tmp / "sub.xlsx")
    assert preview.status == "ready", preview.message
    assert preview.review == {"state": "draft", "approved_months": [1, 2], "unapproved_months": [3], "months": [1, 2, 3],
                              "explained": [EXPLAINED]}
    assert preview.review_line == "未审核：3月"
    assert "未审核：3月（导入后标为“未审核”）" in preview.message
    review_rows = [(c.action, c.sheet, c.row, c.label, c.new) for c in preview.changes
                   if c.sheet in ("审核说明", "审核状态")]
    assert [r[:4] for r in review_rows] == [
        ("新增", "审核状态", 2, "2019年1月 审核状态"), ("新增", "审核状态", 3, "2019年2月 审核状态"),
        ("新增", "审核状态", 4, "2019年3月 审核状态"), ("新增", "审核说明", 2, "W01 科教兴农项目 2019-02")]
    assert review_rows[3][4] == f"30（说明：{WHY}）"
    assert review_rows[0][4].startswith("已审核（李审，") and review_rows[2][4].startswith("待审核（王填，")
    assert packages.apply(pair.city, pair.tmp / "sub.xlsx").outcome == "applied"
    assert city_review(pair.city) == (
        [(1, "approved", "李审", ""), (2, "approved", "李审", ""), (3, "pending", "王填", "")],
        [("W01", "I09/2019-02", "30", WHY)],
    )
    before = dump(pair.city)
    again = packages.apply(pair.city, pair.tmp / "sub.xlsx")
    assert again.outcome == "unchanged" and dump(pair.city) == before
    with pair.city.read() as s:
        log = [packages.describe_log_entry(e) for e in packages.package_log(s)]
    applied = next(e for e in log if e["result"] == "applied" and e["kind"] == "submission")
    assert (applied["review"], applied["review_label"], applied["unapproved_months"]) == ("draft", "未审核（3月）", [3])


def test_the_received_states_never_lock_the_city(pair):
    pair.export(2019)
    packages.apply(pair.city, pair.tmp / "sub.xlsx")
    with pair.city.write() as s:  # the city may still correct a unit's figure (no lock for another office)
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), 2019, 1, 4.0)


def test_a_newer_package_replaces_the_states_and_an_older_one_never_rolls_them_back(pair):
    pair.export(2019, "old.xlsx")
    with pair.unit.write() as s:
        office = offices.resolve(s, UNIT)
        states.approve(s, office, 2019, 3, by="李审")
        explanations_row = s.scalars(select(Explanation)).one()
        explanations_row.text = "2月集中立项（已核实）"
    pair.export(2019, "new.xlsx")
    assert packages.apply(pair.city, pair.tmp / "new.xlsx").outcome == "applied"
    after_new = city_review(pair.city)
    assert after_new == ([(1, "sent", "李审", ""), (2, "sent", "李审", ""), (3, "approved", "李审", "")],
                         [("W01", "I09/2019-02", "30", "2月集中立项（已核实）")])
    before = dump(pair.city)
    late = packages.apply(pair.city, pair.tmp / "old.xlsx")
    assert late.outcome == "refused" and "早于已导入的序号" in late.message
    assert city_review(pair.city) == after_new and dump(pair.city) == before


def test_a_newer_package_drops_explanations_it_no_longer_has(pair):
    pair.export(2019, "one.xlsx")
    assert packages.apply(pair.city, pair.tmp / "one.xlsx").outcome == "applied"
    with pair.unit.write() as s:
        office = offices.resolve(s, UNIT)
        states.unapprove(s, office, 2019, 1, reason="二月数字录错了", by="李审")
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 2, 3.0)  # corrected: no warning left
    pair.export(2019, "two.xlsx")
    with pair.city.read() as s:
        preview = packages.preview(s, pair.tmp / "two.xlsx")
    gone = [(c.action, c.key, c.old) for c in preview.changes if c.sheet == "审核说明"]
    assert gone == [("删除", "W01/I09/2019-02", f"30（说明：{WHY}）")]
    assert preview.review == {"state": "draft", "approved_months": [], "unapproved_months": [1, 2, 3], "months": [1, 2, 3],
                              "explained": []}
    assert packages.apply(pair.city, pair.tmp / "two.xlsx").outcome == "applied"
    months, notes = city_review(pair.city)
    assert notes == [] and [(m, st) for m, st, _by, _n in months] == [(1, "draft"), (2, "draft"), (3, "pending")]


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    return cli.run([str(a) for a in argv], out), out.getvalue()


def test_cli_dry_run_json_progress_and_log_show_the_review(pair):
    pair.export(2019)
    city_path = pair.tmp / "city.db"
    pair.city.close()
    code, text = run("--db", city_path, "import", pair.tmp / "sub.xlsx", "--dry-run", "--json")
    assert code == 0
    assert json.loads(text)["files"][0]["review"] == {
        "state": "draft", "approved_months": [1, 2], "unapproved_months": [3], "months": [1, 2, 3],
        "explained": [EXPLAINED]}
    code, text = run("--db", city_path, "import", pair.tmp / "sub.xlsx", "--dry-run")
    assert code == 0 and "    审核：未审核：3月\n" in text
    code, text = run("--db", city_path, "progress", "--office", UNIT, "--year", "2019", "--json")
    assert {r["review_state"] for r in json.loads(text)} == {None}  # previewed only: nothing received yet
    assert run("--db", city_path, "import", pair.tmp / "sub.xlsx")[0] == 0
    code, text = run("--db", city_path, "progress", "--office", UNIT, "--year", "2019", "--json")
    rows = json.loads(text)
    assert rows and {r["review_state"] for r in rows} == {"未审核"}
    code, text = run("--db", city_path, "progress", "--office", "320700", "--year", "2019", "--json")
    assert "review_state" not in json.loads(text)[0]  # the consolidated rows carry none
    code, text = run("--db", city_path, "packages", "--json")
    entry = json.loads(text)[0]
    assert (entry["result"], entry["review"], entry["review_label"]) == ("applied", "draft", "未审核（3月）")
    pair.city = open_app_database(city_path)  # the fixture closes it


def test_review_sheets_print_wrapped_at_the_top(pair):
    pair.export(2019)
    book = openpyxl.load_workbook(pair.tmp / "sub.xlsx")
    ws = book["审核说明"]
    assert (ws["H2"].alignment.wrap_text, ws["H2"].alignment.vertical) == (True, "top")
    assert (ws["A2"].alignment.wrap_text, ws["A2"].alignment.vertical) in ((None, "top"), (False, "top"))
    assert ws.row_dimensions[2].height == 48  # 提示: 51 characters in a column of 44, three lines at most
    assert book["审核状态"].column_dimensions["E"].width == 50
