"""回执包 (issue 14, "Done when" 1): unit exports → city imports and issues a receipt → the unit imports it
and shows 市已接收 for exactly the months the city holds as approved; a receipt replayed, forged, edited,
for another unit, for a package never sent, older than one imported, for a superseded package, or at the
city is refused and changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import openpyxl
import pytest
from sqlalchemy import select

from hostile.helpers import Pair, dump, export_sub, init_unit, log_results, make_city, resign, unit_key
from kexie_desktop import cli, packages
from kexie_desktop.errors import UserError
from kexie_desktop.models import AuditEntry
from kexie_desktop.package_models import PackageLog, ReceiptMonth
from kexie_desktop.packages.pipeline import importer
from kexie_desktop.review import explanations, states
from kexie_desktop.services import activities, offices, plan, settings, values
from kexie_desktop.startup import open_app_database

UNIT, OTHER = "320703", "320707"  # 连云区, 赣榆区
WHY = "2月集中立项三十个项目"


def fill_unit(unit, code: str = UNIT) -> None:
    """I09 2, 30, 3, 4 in 2019-01..04 (W01 fires in February, explained), a lecture on 2019-01-15;
    months 1—3 submitted and approved by 李审, April still 草稿."""
    with unit.write() as s:
        settings.put(s, "user_filler", "王填")
        settings.put(s, "user_reviewer", "李审")
        office, indicator = offices.resolve(s, code), plan.indicator(s, "I09")
        for month, value in ((1, 2), (2, 30), (3, 3), (4, 4)):
            values.set_value(s, indicator, office, 2019, month, float(value))
        activities.add_activity(s, office, activities.resolve_type(s, "科普讲座"), dt.date(2019, 1, 15),
                                "科普讲座进社区", participants=3, audience=120)
    with unit.write() as s:
        office = offices.resolve(s, code)
        explanations.explain(s, office, 2019, "W01", "I09/2019-02", WHY, user="王填")
        states.submit(s, office, 2019, 3, user="王填")
        states.approve(s, office, 2019, 3, by="李审")


@pytest.fixture
def pair(tmp_path):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    fill_unit(unit)
    yield Pair(city, unit, UNIT, tmp_path)
    unit.close()
    city.close()


def send(pair, name: str = "sub.xlsx"):
    """The unit exports its 2019 submission and the city applies it."""
    result = pair.export(2019, name)
    applied = packages.apply(pair.city, pair.tmp / name)
    assert applied.outcome == "applied", applied.message
    return result


def receipt(pair, package_id: str, name: str = "rc.xlsx"):
    with pair.city.write() as s:
        return packages.export_receipt(s, package_id, pair.tmp / name)


def rows(path, name) -> list[tuple]:
    return [tuple(c.value for c in r) for r in openpyxl.load_workbook(path)[name].iter_rows(min_row=2)]


def unit_states(db, year: int = 2019) -> list[str]:
    with db.read() as s:
        return [m.state for m in states.month_states(s, offices.resolve(s, UNIT), year)]


def preview(db, path):
    with db.read() as s:
        return packages.preview(s, path)


def city_entry(db, package_id: str) -> PackageLog:
    with db.read() as s:
        return s.scalars(select(PackageLog).where(PackageLog.package_id == package_id,
                                                  PackageLog.result == "applied")).one()


def city_entry_sent(db, package_id: str) -> PackageLog:
    with db.read() as s:
        return s.scalars(select(PackageLog).where(PackageLog.package_id == package_id,
                                                  PackageLog.direction == "sent")).one()


def refused_unchanged(db, path, message: str) -> None:
    """Importing ``path`` at ``db`` is refused with exactly ``message`` and changes nothing but the log."""
    before, log_before = dump(db), log_results(db)
    assert preview(db, path).message == message
    result = packages.apply(db, path)
    assert (result.outcome, result.message, result.backup) == ("refused", message, None)
    assert dump(db) == before and log_results(db) == log_before + ["refused"]


# ── the receipt file ────────────────────────────────────────────────────────────────────────────────

def test_the_receipt_names_the_package_and_what_the_city_holds(pair):
    sub = send(pair)
    rc = receipt(pair, sub.manifest.package_id[:8])
    entry = city_entry(pair.city, sub.manifest.package_id)
    assert entry.checksum == sub.checksum
    arrived = entry.at.isoformat(sep=" ")
    assert rows(rc.path, "回执") == [(sub.manifest.package_id, sub.checksum, 1, 2019, arrived, "未审核")]
    assert rows(rc.path, "各月数据") == [("2019-01", 1, 1, "已审核"), ("2019-02", 1, 0, "已审核"),
                                       ("2019-03", 1, 0, "已审核"), ("2019-04", 1, 0, "未审核")]
    assert rows(rc.path, "已接受的说明") == [("W01", "I09/2019-02", "30", WHY)]
    cover = {r[0]: r[1] for r in rows(rc.path, "封面")[1:]}
    assert cover["包类型"] == "回执包（市科协 → 县区（答复上报包））"
    assert cover["单位"] == "连云区科协（320703）" and cover["期间"] == "2019年" and cover["序号"] == "1"
    assert cover["所确认的上报包"] == f"序号 1，包编号 {sub.manifest.package_id}，sub.xlsx"
    assert cover["市科协导入时间"] == arrived
    m = rc.manifest
    assert (m.kind, m.office_code, m.year, m.sequence, m.reply_to) == ("receipt", UNIT, 2019, 1, sub.manifest.package_id)
    assert rc.message == (f"已导出回执包（连云区科协，2019年，序号 1，包编号 {m.package_id[:8]}）：回执 1 行，各月数据 4 行，"
                          f"已接受的说明 1 行。文件：{rc.path}")
    sent = city_entry_sent(pair.city, m.package_id)  # the city's log keeps what it answered
    assert (sent.kind, sent.office_code, sent.year, sent.sequence, sent.reply_to) == (
        "receipt", UNIT, 2019, 1, sub.manifest.package_id)


def test_the_unit_sees_received_for_exactly_the_approved_months_the_city_holds(pair):
    sub = send(pair)
    assert unit_states(pair.unit)[:5] == ["sent", "sent", "sent", "draft", "draft"]
    rc = receipt(pair, sub.manifest.package_id)
    p = preview(pair.unit, rc.path)
    assert p.status == "ready", p.message
    assert [(c.sheet, c.row, c.key, c.action, c.label, c.old, c.new) for c in p.changes] == [
        ("各月数据", 2, "2019-01", "新增", "2019年1月 市科协保存", "", "月度数据 1 项，活动台账 1 条，已审核"),
        ("各月数据", 3, "2019-02", "新增", "2019年2月 市科协保存", "", "月度数据 1 项，活动台账 0 条，已审核"),
        ("各月数据", 4, "2019-03", "新增", "2019年3月 市科协保存", "", "月度数据 1 项，活动台账 0 条，已审核"),
        ("各月数据", 5, "2019-04", "新增", "2019年4月 市科协保存", "", "月度数据 1 项，活动台账 0 条，未审核"),
        ("审核状态", None, "2019-01", "修改", "2019年1月 审核状态", "已报送", "市已接收"),
        ("审核状态", None, "2019-02", "修改", "2019年2月 审核状态", "已报送", "市已接收"),
        ("审核状态", None, "2019-03", "修改", "2019年3月 审核状态", "已报送", "市已接收"),
    ]
    assert p.warnings == ["市科协已接受本单位的说明 1 条（工作表“已接受的说明”）。"]
    described = f"回执包（连云区科协，2019年，序号 1，包编号 {rc.manifest.package_id[:8]}）"
    assert p.message == f"文件“rc.xlsx”：{described}：新增 4，修改 3。"
    result = packages.apply(pair.unit, rc.path)
    assert result.outcome == "applied" and result.message == f"文件“rc.xlsx”：已导入{described}：新增 4，修改 3。"
    assert unit_states(pair.unit) == ["received"] * 3 + ["draft"] * 9
    with pair.unit.read() as s:
        held = [(r.month, r.values, r.records, r.approved, r.receipt, r.submission)
                for r in s.scalars(select(ReceiptMonth).order_by(ReceiptMonth.month))]
        audits = [(a.entity_key, json.loads(a.old), json.loads(a.new), a.user, a.source)
                  for a in s.scalars(select(AuditEntry).where(AuditEntry.entity == "review").order_by(AuditEntry.id))
                  if json.loads(a.new)["state"] == "received"]
        log = s.scalars(select(PackageLog).where(PackageLog.kind == "receipt")).one()
        locked = states.month_states(s, offices.resolve(s, UNIT), 2019)
    ids = (rc.manifest.package_id, sub.manifest.package_id)
    assert held == [(1, 1, 1, True, *ids), (2, 1, 0, True, *ids), (3, 1, 0, True, *ids), (4, 1, 0, False, *ids)]
    assert audits == [(f"{UNIT}/2019-{m:02d}", {"state": "sent"}, {"state": "received", "package": ids[0]}, "王填",
                       f"package:{ids[0]}") for m in (1, 2, 3)]
    assert (log.direction, log.result, log.sequence, log.reply_to) == ("received", "applied", 1, ids[1])
    assert [m.locked for m in locked[:4]] == [True, True, True, False]  # 市已接收 stays locked
    assert [m.by for m in locked[:3]] == ["李审"] * 3  # the approver is kept
    with pair.unit.write() as s, pytest.raises(UserError, match="2019年1月的数据已由 李审"):
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), 2019, 1, 7.0)


def test_a_replayed_receipt_is_unchanged_and_changes_nothing(pair):
    sub = send(pair)
    rc = receipt(pair, sub.manifest.package_id)
    assert packages.apply(pair.unit, rc.path).outcome == "applied"
    before = dump(pair.unit)
    again = packages.apply(pair.unit, rc.path)
    assert again.outcome == "unchanged" and again.backup is None
    assert again.message == (f"文件“rc.xlsx”：此包已导入过，内容相同，不再重复导入（回执包（连云区科协，2019年，序号 1，"
                             f"包编号 {rc.manifest.package_id[:8]}））。")
    assert dump(pair.unit) == before and log_results(pair.unit)[-2:] == ["applied", "unchanged"]


# ── refusals ────────────────────────────────────────────────────────────────────────────────────────

def described(rc) -> str:
    return f"回执包（连云区科协，2019年，序号 {rc.manifest.sequence}，包编号 {rc.manifest.package_id[:8]}）"


def test_a_receipt_signed_with_a_unit_key_is_refused_as_forged(pair):
    sub = send(pair)
    rc = receipt(pair, sub.manifest.package_id)
    forged = pair.tmp / "forged.xlsx"
    resign(rc.path, forged, unit_key(pair.unit, UNIT))  # the unit's own key, which the city's receipts never use
    refused_unchanged(pair.unit, forged, (
        f"文件“forged.xlsx”：签名所用的密钥与本机保存的市科协的密钥不符：此包可能是伪造的，或用其他单位的密钥签名，"
        f"已拒绝导入（{described(rc)}）。"))
    assert unit_states(pair.unit)[:4] == ["sent", "sent", "sent", "draft"]


def test_a_receipt_signed_with_another_key_under_the_citys_key_id_is_refused(pair):
    sub = send(pair)
    rc = receipt(pair, sub.manifest.package_id)
    forged = pair.tmp / "forged.xlsx"
    city_id = rc.manifest.key_id
    resign(rc.path, forged, unit_key(pair.unit, UNIT), manifest=lambda m: setattr(m, "key_id", city_id))
    refused_unchanged(pair.unit, forged, (
        f"文件“forged.xlsx”：此文件在导出后被修改过，已拒绝导入（{described(rc)}）。请对方在程序中重新导出后再发来，"
        "不要在 Excel 或 WPS 中修改或另存。"))


def test_an_edited_receipt_is_refused(pair):
    sub = send(pair)
    rc = receipt(pair, sub.manifest.package_id)
    book = openpyxl.load_workbook(rc.path)
    assert book["各月数据"]["B5"].value == 1
    book["各月数据"]["B5"] = 9  # April: 9 values instead of 1
    book.save(pair.tmp / "edited.xlsx")
    refused_unchanged(pair.unit, pair.tmp / "edited.xlsx", (
        f"文件“edited.xlsx”：此文件在导出后被修改过，已拒绝导入（{described(rc)}）。请对方在程序中重新导出后再发来，"
        "不要在 Excel 或 WPS 中修改或另存。"))
    assert unit_states(pair.unit)[:4] == ["sent", "sent", "sent", "draft"]


def test_a_receipt_for_another_unit_is_refused(pair):
    other = open_app_database(pair.tmp / "other.db")
    try:
        init_unit(pair.city, other, OTHER, pair.tmp)
        fill_unit(other, OTHER)
        sub = export_sub(other, OTHER, 2019, pair.tmp / "other-sub.xlsx")
        assert packages.apply(pair.city, pair.tmp / "other-sub.xlsx").outcome == "applied"
        rc = receipt(pair, sub.manifest.package_id, "other-rc.xlsx")
        refused_unchanged(pair.unit, rc.path,
                          "文件“other-rc.xlsx”：这是市科协发给赣榆区科协的回执包，本机是连云区科协，不能导入。")
        assert packages.apply(other, rc.path).outcome == "applied"  # its own unit takes it
    finally:
        other.close()


def test_a_receipt_for_a_package_the_unit_never_sent_is_refused(pair):
    sub = send(pair)
    rc = receipt(pair, sub.manifest.package_id)
    city_key = unit_key(pair.city, "320700")
    stranger = uuid.uuid4().hex

    def reply_to_stranger(sheets):
        sheets["回执"][0][0] = stranger

    resign(rc.path, pair.tmp / "stranger.xlsx", city_key, rows=reply_to_stranger,
           manifest=lambda m: setattr(m, "reply_to", stranger))
    refused_unchanged(pair.unit, pair.tmp / "stranger.xlsx", (
        f"文件“stranger.xlsx”：本单位没有发出过包编号为 {stranger[:8]} 的2019年上报包，"
        "此回执包不是答复本单位的包，已拒绝导入。"))
    # The package id of a sent package with another checksum (a package of that id the unit never made).
    resign(rc.path, pair.tmp / "checksum.xlsx", city_key, rows=lambda sheets: sheets["回执"][0].__setitem__(1, "0" * 64))
    refused_unchanged(pair.unit, pair.tmp / "checksum.xlsx",
                      "文件“checksum.xlsx”：回执包中的校验和或年份与本单位发出的上报包（序号 1）不符，已拒绝导入。")
    # The sheet and the manifest naming different packages.
    resign(rc.path, pair.tmp / "mixed.xlsx", city_key, rows=reply_to_stranger)
    refused_unchanged(pair.unit, pair.tmp / "mixed.xlsx",
                      "文件“mixed.xlsx”：工作表“回执”：上报包编号与校验信息不符。")
    resign(rc.path, pair.tmp / "two.xlsx", city_key, rows=lambda sheets: sheets["回执"].append(list(sheets["回执"][0])))
    refused_unchanged(pair.unit, pair.tmp / "two.xlsx", "文件“two.xlsx”：工作表“回执”：应正好有一行数据。")
    assert unit_states(pair.unit)[:4] == ["sent", "sent", "sent", "draft"]


def test_an_older_receipt_after_a_newer_one_is_refused(pair):
    sub = send(pair)
    old = receipt(pair, sub.manifest.package_id, "rc1.xlsx")
    with pair.city.write() as s:  # the city adds a May figure of the unit, then confirms again
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), 2019, 5, 6.0)
    new = receipt(pair, sub.manifest.package_id, "rc2.xlsx")
    assert (old.manifest.sequence, new.manifest.sequence) == (1, 2)
    assert packages.apply(pair.unit, new.path).outcome == "applied"
    refused_unchanged(pair.unit, old.path, (
        f"文件“rc1.xlsx”：此包序号 1 早于已导入的序号 2，不会回退数据，已拒绝导入（{described(old)}）。"))
    with pair.unit.read() as s:
        assert [r.month for r in s.scalars(select(ReceiptMonth).order_by(ReceiptMonth.month))] == [1, 2, 3, 4, 5]


def test_a_newer_receipt_replaces_what_the_city_holds(pair):
    sub = send(pair)
    assert packages.apply(pair.unit, receipt(pair, sub.manifest.package_id, "rc1.xlsx").path).outcome == "applied"
    with pair.city.write() as s:  # the city corrects the unit's April and adds a May figure, then confirms again
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        values.set_value(s, indicator, office, 2019, 5, 6.0)
        other = next(i for i in plan.indicators(s) if not i.is_ledger and i.aggregation != "city_only"
                     and i.kind != "coverage" and i.code != "I09")
        values.set_value(s, other, office, 2019, 4, 1.0)
    new = receipt(pair, sub.manifest.package_id, "rc2.xlsx")
    p = preview(pair.unit, new.path)
    assert [(c.key, c.action, c.old, c.new) for c in p.changes] == [
        ("2019-01", "未变", "月度数据 1 项，活动台账 1 条，已审核", "月度数据 1 项，活动台账 1 条，已审核"),
        ("2019-02", "未变", "月度数据 1 项，活动台账 0 条，已审核", "月度数据 1 项，活动台账 0 条，已审核"),
        ("2019-03", "未变", "月度数据 1 项，活动台账 0 条，已审核", "月度数据 1 项，活动台账 0 条，已审核"),
        ("2019-04", "修改", "月度数据 1 项，活动台账 0 条，未审核", "月度数据 2 项，活动台账 0 条，未审核"),
        ("2019-05", "新增", "", "月度数据 1 项，活动台账 0 条，未审核"),
    ]  # months 1—3 are already 市已接收: no state moves again
    assert packages.apply(pair.unit, new.path).outcome == "applied"
    assert unit_states(pair.unit)[:5] == ["received"] * 3 + ["draft"] * 2
    with pair.unit.read() as s:
        assert [(r.month, r.values, r.receipt) for r in s.scalars(select(ReceiptMonth).order_by(ReceiptMonth.month))] == [
            (1, 1, new.manifest.package_id), (2, 1, new.manifest.package_id), (3, 1, new.manifest.package_id),
            (4, 2, new.manifest.package_id), (5, 1, new.manifest.package_id)]


def test_no_receipt_for_a_superseded_package(pair):
    first = send(pair, "sub1.xlsx")
    second = send(pair, "sub2.xlsx")
    before = dump(pair.city, with_log=True)
    with pair.city.write() as s, pytest.raises(UserError) as refused:
        packages.export_receipt(s, first.manifest.package_id[:8], pair.tmp / "rc.xlsx")
    assert str(refused.value) == (
        f"包编号 {first.manifest.package_id[:8]}（序号 1）已被连云区科协2019年较新的上报包（序号 2，"
        f"包编号 {second.manifest.package_id[:8]}）取代：请答复较新的包。")
    assert not (pair.tmp / "rc.xlsx").exists() and dump(pair.city, with_log=True) == before
    assert receipt(pair, second.manifest.package_id[:8]).manifest.sequence == 1  # no number was used


def test_a_receipt_for_an_older_package_the_unit_superseded_keeps_the_states(pair):
    """The unit sent 序号 2 before the receipt of 序号 1 came back: it records what the city held, moves nothing."""
    first = send(pair, "sub1.xlsx")
    rc = receipt(pair, first.manifest.package_id)
    pair.export(2019, "sub2.xlsx")  # not yet at the city
    p = preview(pair.unit, rc.path)
    assert p.status == "ready" and [c.sheet for c in p.changes] == ["各月数据"] * 4
    assert p.warnings == ["市科协已接受本单位的说明 1 条（工作表“已接受的说明”）。",
                          "此回执确认的是较早的上报包（序号 1）；本单位之后又报送了序号 2，各月状态不变，只记下市科协当时保存的数据。"]
    assert packages.apply(pair.unit, rc.path).outcome == "applied"
    assert unit_states(pair.unit)[:4] == ["sent", "sent", "sent", "draft"]
    with pair.unit.read() as s:
        assert {r.submission for r in s.scalars(select(ReceiptMonth))} == {first.manifest.package_id}


def test_a_receipt_at_the_city_is_refused(pair):
    sub = send(pair)
    rc = receipt(pair, sub.manifest.package_id)
    refused_unchanged(pair.city, rc.path,
                      "文件“rc.xlsx”：这是市科协发给连云区科协的回执包，应由该县区导入；本机是连云港市科协。")


def test_the_unit_cannot_make_a_receipt(pair):
    sub = send(pair)
    with pair.unit.write() as s, pytest.raises(UserError) as refused:
        packages.export_receipt(s, sub.manifest.package_id, pair.tmp / "rc.xlsx")
    assert str(refused.value) == "本机是连云区科协，只有市科协才能生成回执包和退回包。"
    assert not (pair.tmp / "rc.xlsx").exists()


# ── the command line ────────────────────────────────────────────────────────────────────────────────

def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    return cli.run([str(a) for a in argv], out), out.getvalue()


def test_cli_receipt_and_dry_run_import(pair, capsys):
    sub = send(pair)
    pair.city.close()
    pair.unit.close()
    city_db, unit_db = pair.tmp / "city.db", pair.tmp / "unit.db"
    prefix = sub.manifest.package_id[:8]
    code, text = run("--db", city_db, "receipt", "--package", prefix, "--out", pair.tmp / "rc.xlsx")
    assert code == 0, capsys.readouterr().err
    rc_id = importer.load(pair.tmp / "rc.xlsx").manifest.package_id
    assert text == (f"已导出回执包（连云区科协，2019年，序号 1，包编号 {rc_id[:8]}）：回执 1 行，各月数据 4 行，"
                    f"已接受的说明 1 行。文件：{pair.tmp / 'rc.xlsx'}\n")
    code, text = run("--db", unit_db, "receipt", "--package", prefix, "--out", pair.tmp / "rc-unit.xlsx")
    assert (code, text) == (2, "")
    assert capsys.readouterr().err == "错误：本机是连云区科协，只有市科协才能生成回执包和退回包。\n"
    code, text = run("--db", city_db, "receipt", "--package", "0123abcd", "--out", pair.tmp / "rc-x.xlsx")
    assert (code, text) == (2, "")
    assert capsys.readouterr().err == "错误：本机没有导入过编号为 0123abcd 的上报包：只能为已导入的上报包生成回执或退回。\n"
    code, text = run("--db", city_db, "receipt", "--package", prefix[:7], "--out", pair.tmp / "rc-x.xlsx")
    assert (code, text) == (2, "")
    assert capsys.readouterr().err == "错误：请写出上报包编号（至少前 8 位，见数据交换页的收发记录或包的封面）。\n"
    assert sorted(p.name for p in pair.tmp.glob("rc*.xlsx")) == ["rc.xlsx"]
    code, text = run("--db", unit_db, "import", pair.tmp / "rc.xlsx", "--dry-run", "--json")
    assert code == 0
    data = json.loads(text)
    assert data["ok"] and data["summary"] == "共 1 个文件：仅预览 1 个。"
    (entry,) = data["files"]
    assert (entry["kind"], entry["status"], entry["outcome"], entry["office"], entry["year"], entry["sequence"]) == (
        "receipt", "ready", "previewed", UNIT, 2019, 1)
    assert entry["counts"] == {"新增": 4, "修改": 3, "未变": 0, "删除": 0, "拒绝": 0}
    assert [c["key"] for c in entry["changes"]] == ["2019-01", "2019-02", "2019-03", "2019-04",
                                                   "2019-01", "2019-02", "2019-03"]
    unit = open_app_database(unit_db)
    try:
        assert unit_states(unit)[:4] == ["sent", "sent", "sent", "draft"]  # a dry run moves nothing
    finally:
        unit.close()
    code, text = run("--db", unit_db, "import", pair.tmp / "rc.xlsx")
    assert code == 0 and "[已导入]" in text
    pair.city, pair.unit = open_app_database(city_db), open_app_database(unit_db)  # the fixture closes them
    assert unit_states(pair.unit)[:4] == ["received", "received", "received", "draft"]
