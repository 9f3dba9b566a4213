"""退回包 (issue 14, "Done when" 2): a return of two months with reasons unlocks exactly those months at
the unit and shows the reasons; the next submission answers them, at the unit when it is exported and at
the city when it is applied. Bad returns are refused where they are made or where they arrive."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import openpyxl
import pytest
from sqlalchemy import select

from hostile.helpers import Pair, dump, init_unit, log_results, make_city, resign, unit_key
from kexie_desktop import cli, packages
from kexie_desktop.errors import UserError
from kexie_desktop.models import AuditEntry
from kexie_desktop.package_models import PackageLog, PackageSequence, ReturnItem
from kexie_desktop.packages import ReturnRequest
from kexie_desktop.packages.kinds import answers
from kexie_desktop.packages.pipeline import importer
from kexie_desktop.review import states
from kexie_desktop.services import offices, plan, settings, values
from kexie_desktop.startup import open_app_database

UNIT = "320703"  # 连云区
FEB = "二月数据与台账不符，请核对"
MAR = "三月科教兴农项目偏少请核实"
TWO = [ReturnRequest(FEB, 2), ReturnRequest(MAR, 3, "I09")]


@pytest.fixture
def pair(tmp_path):
    """连云区: I09 2, 3, 4, 5 in 2019-01..04, months 1—3 approved by 李审, April 草稿; the package (序号 1)
    is at the city and its receipt back at the unit (1—3 市已接收)."""
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with unit.write() as s:
        settings.put(s, "user_filler", "王填")
        settings.put(s, "user_reviewer", "李审")
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        for month, value in ((1, 2), (2, 3), (3, 4), (4, 5)):
            values.set_value(s, indicator, office, 2019, month, float(value))
    with unit.write() as s:
        office = offices.resolve(s, UNIT)
        states.submit(s, office, 2019, 3, user="王填")
        states.approve(s, office, 2019, 3, by="李审")
    p = Pair(city, unit, UNIT, tmp_path)
    p.sub = send(p, "sub1.xlsx")
    with city.write() as s:
        receipt = packages.export_receipt(s, p.sub.manifest.package_id, tmp_path / "rc1.xlsx")
    assert packages.apply(unit, receipt.path).outcome == "applied"
    yield p
    unit.close()
    city.close()


def send(pair, name: str):
    result = pair.export(2019, name)
    applied = packages.apply(pair.city, pair.tmp / name)
    assert applied.outcome == "applied", applied.message
    return result


def give_back(pair, requests=TWO, name: str = "rt.xlsx", package_id: str | None = None):
    with pair.city.write() as s:
        return packages.export_return(s, package_id or pair.sub.manifest.package_id, requests, pair.tmp / name)


def rows(path, name) -> list[tuple]:
    return [tuple(c.value for c in r) for r in openpyxl.load_workbook(path)[name].iter_rows(min_row=2)]


def items(db) -> list[tuple]:
    with db.read() as s:
        return [(i.return_package, i.submission, i.submission_sequence, i.year, i.month, i.indicator, i.reason,
                 i.answered_by, i.answered_at is not None)
                for i in s.scalars(select(ReturnItem).order_by(ReturnItem.id))]


def unit_states(db) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(m.state, m.note) for m in states.month_states(s, offices.resolve(s, UNIT), 2019)[:5]]


def preview(db, path):
    with db.read() as s:
        return packages.preview(s, path)


def described(rt) -> str:
    return f"退回包（连云区科协，2019年，序号 {rt.manifest.sequence}，包编号 {rt.manifest.package_id[:8]}）"


def refused_unchanged(db, path, message: str) -> None:
    before, log_before = dump(db), log_results(db)
    assert preview(db, path).message == message
    result = packages.apply(db, path)
    assert (result.outcome, result.message, result.backup) == ("refused", message, None)
    assert dump(db) == before and log_results(db) == log_before + ["refused"]


# ── the return at the city ──────────────────────────────────────────────────────────────────────────

def test_the_return_names_the_package_and_its_items_and_the_city_keeps_them_open(pair):
    sub = pair.sub.manifest
    rt = give_back(pair)
    assert rows(rt.path, "退回") == [(sub.package_id, pair.sub.checksum, 1, 2019)]
    assert rows(rt.path, "退回事项") == [("2019-02", None, None, FEB), ("2019-03", "I09", "科教兴农项目", MAR)]
    cover = {r[0]: r[1] for r in rows(rt.path, "封面")[1:]}
    assert cover["包类型"] == "退回包（市科协 → 县区（答复上报包））"
    assert cover["退回的上报包"] == f"序号 1，包编号 {sub.package_id}"
    assert cover["退回事项"] == "2 项，详见工作表“退回事项”"
    # Receipts and returns share the city's reply numbering: the receipt was 1, this return is 2.
    m = rt.manifest
    assert (m.kind, m.office_code, m.year, m.sequence, m.reply_to) == ("return", UNIT, 2019, 2, sub.package_id)
    assert rt.message == (f"已导出{described(rt)}：退回 1 行，退回事项 2 行。文件：{rt.path}")
    assert items(pair.city) == [(m.package_id, sub.package_id, 1, 2019, 2, "", FEB, "", False),
                                (m.package_id, sub.package_id, 1, 2019, 3, "I09", MAR, "", False)]
    with pair.city.read() as s:
        created = {i.created for i in s.scalars(select(ReturnItem))}
    assert created == {dt.datetime.fromisoformat(m.created)}


def test_a_return_without_a_month_returns_every_month_the_package_carries(pair):
    rt = give_back(pair, [ReturnRequest("全年数据请重新核对后再报")])
    assert [r[:2] for r in rows(rt.path, "退回事项")] == [("2019-01", None), ("2019-02", None), ("2019-03", None),
                                                       ("2019-04", None)]


# ── the return at the unit ──────────────────────────────────────────────────────────────────────────

def test_the_unit_unlocks_exactly_the_returned_months_and_keeps_the_reasons(pair):
    rt = give_back(pair)
    p = preview(pair.unit, rt.path)
    assert p.status == "ready" and p.warnings == []
    assert [(c.sheet, c.row, c.key, c.action, c.label, c.old, c.new) for c in p.changes] == [
        ("退回事项", 2, "2019-02/", "新增", "退回：2019年2月（整月）", "", FEB),
        ("退回事项", 3, "2019-03/I09", "新增", "退回：2019年3月 指标 I09", "", MAR),
        ("审核状态", None, "2019-02", "修改", "2019年2月 审核状态", "市已接收", "已退回（解除锁定）"),
        ("审核状态", None, "2019-03", "修改", "2019年3月 审核状态", "市已接收", "已退回（解除锁定）"),
    ]
    assert p.message == f"文件“rt.xlsx”：{described(rt)}：新增 2，修改 2。"
    assert unit_states(pair.unit) == [("received", "")] * 3 + [("draft", "")] * 2  # a preview writes nothing
    result = packages.apply(pair.unit, rt.path)
    assert result.outcome == "applied" and result.message == f"文件“rt.xlsx”：已导入{described(rt)}：新增 2，修改 2。"
    assert unit_states(pair.unit) == [("received", ""), ("returned", f"市科协退回：{FEB}"),
                                      ("returned", f"市科协退回：I09：{MAR}"), ("draft", ""), ("draft", "")]
    ids = (rt.manifest.package_id, pair.sub.manifest.package_id)
    assert items(pair.unit) == [(*ids, 1, 2019, 2, "", FEB, "", False), (*ids, 1, 2019, 3, "I09", MAR, "", False)]
    with pair.unit.read() as s:
        office = offices.resolve(s, UNIT)
        assert [(i.month, i.indicator) for i in answers.open_items(s, office, 2019)] == [
            (2, ""), (3, "I09")]
        audits = [(a.entity_key, json.loads(a.old), json.loads(a.new), a.source) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "review").order_by(AuditEntry.id))][-2:]
        by = [m.by for m in states.month_states(s, office, 2019)[:3]]
    assert audits == [
        (f"{UNIT}/2019-02", {"state": "received"}, {"state": "returned", "reason": FEB, "package": ids[0]},
         f"package:{ids[0]}"),
        (f"{UNIT}/2019-03", {"state": "received"}, {"state": "returned", "reason": f"I09：{MAR}", "package": ids[0]},
         f"package:{ids[0]}"),
    ]
    assert by == ["李审", "市科协", "市科协"]
    with pair.unit.write() as s, pytest.raises(UserError) as locked:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), 2019, 1, 9.0)
    assert str(locked.value).startswith("2019年1月的数据已由 李审 于 ") and str(locked.value).endswith(
        " 审核通过并锁定，不能修改。如需修改，请审核人在“审核”页撤销审核（须写明原因）。")
    with pair.unit.write() as s:  # the returned months take edits again
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        values.set_value(s, indicator, office, 2019, 2, 6.0)
        values.set_value(s, indicator, office, 2019, 3, 7.0)
    with pair.unit.read() as s:
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        assert [values.find_value(s, indicator, office, 2019, m).value for m in (1, 2, 3, 4)] == [2, 6, 7, 5]
    before = dump(pair.unit)
    assert packages.apply(pair.unit, rt.path).outcome == "unchanged" and dump(pair.unit) == before


def test_a_returned_draft_month_becomes_returned_and_can_be_submitted(pair):
    """April was never approved (no review row at the unit): the return makes its row, 已退回."""
    rt = give_back(pair, [ReturnRequest("四月数据请先审核再报", 4)])
    p = preview(pair.unit, rt.path)
    assert [(c.key, c.old, c.new) for c in p.changes if c.sheet == "审核状态"] == [
        ("2019-04", "草稿", "已退回（解除锁定）")]
    assert packages.apply(pair.unit, rt.path).outcome == "applied"
    assert unit_states(pair.unit)[3] == ("returned", "市科协退回：四月数据请先审核再报")
    with pair.unit.write() as s:
        states.submit(s, offices.resolve(s, UNIT), 2019, 4, user="王填")
    assert [st for st, _n in unit_states(pair.unit)] == ["received"] * 3 + ["pending", "draft"]


def test_the_next_submission_answers_the_items_at_both_ends(pair):
    rt = give_back(pair)
    assert packages.apply(pair.unit, rt.path).outcome == "applied"
    with pair.unit.write() as s:
        office = offices.resolve(s, UNIT)
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 2, 6.0)
    with pair.unit.write() as s:
        office = offices.resolve(s, UNIT)
        states.submit(s, office, 2019, 3, user="王填")
        states.approve(s, office, 2019, 3, by="李审")
    assert [st for st, _n in unit_states(pair.unit)] == ["received", "approved", "approved", "draft", "draft"]
    new = pair.export(2019, "sub2.xlsx")
    assert new.manifest.sequence == 2
    ids = (rt.manifest.package_id, pair.sub.manifest.package_id)
    new_id = new.manifest.package_id
    assert items(pair.unit) == [(*ids, 1, 2019, 2, "", FEB, new_id, True), (*ids, 1, 2019, 3, "I09", MAR, new_id, True)]
    assert [st for st, _n in unit_states(pair.unit)] == ["received", "sent", "sent", "draft", "draft"]
    # The city: open until the new package is applied; its preview says which items it answers.
    assert [i[-2] for i in items(pair.city)] == ["", ""]
    p = preview(pair.city, pair.tmp / "sub2.xlsx")
    assert p.status == "ready", p.message
    assert [(c.sheet, c.row, c.key, c.action, c.label, c.old, c.new) for c in p.changes if c.sheet == "退回事项"] == [
        ("退回事项", None, f"{ids[0]}/2/", "修改", "退回：2019年2月（整月）", f"已退回待重报（{FEB}）", "已重报"),
        ("退回事项", None, f"{ids[0]}/3/I09", "修改", "退回：2019年3月 指标 I09", f"已退回待重报（{MAR}）", "已重报"),
    ]
    assert [(c.key, c.old, c.new) for c in p.changes if c.sheet == "月度数据" and c.action == "修改"] == [
        ("I09/2019-02", "3", "6")]
    assert packages.apply(pair.city, pair.tmp / "sub2.xlsx").outcome == "applied"
    assert items(pair.city) == [(*ids, 1, 2019, 2, "", FEB, new_id, True), (*ids, 1, 2019, 3, "I09", MAR, new_id, True)]
    with pair.city.read() as s:
        assert answers.open_items(s, offices.resolve(s, UNIT)) == []
    # A stale file (序号 1, the returned package itself) answers nothing and changes nothing.
    before = dump(pair.city)
    late = packages.apply(pair.city, pair.tmp / "sub1.xlsx")
    assert late.outcome == "refused" and "此包序号 1 早于已导入的序号 2" in late.message
    assert dump(pair.city) == before
    # The city confirms the new package: the corrected months are 市已接收 again.
    with pair.city.write() as s:
        rc = packages.export_receipt(s, new_id, pair.tmp / "rc2.xlsx")
    assert packages.apply(pair.unit, rc.path).outcome == "applied"
    assert [st for st, _n in unit_states(pair.unit)] == ["received", "received", "received", "draft", "draft"]


def test_re_importing_the_returned_package_answers_nothing(pair):
    give_back(pair)
    before = dump(pair.city)
    again = packages.apply(pair.city, pair.tmp / "sub1.xlsx")
    assert again.outcome == "unchanged" and dump(pair.city) == before
    assert [i[-2] for i in items(pair.city)] == ["", ""]


def test_a_resend_that_still_carries_the_months_as_returned_answers_nothing(pair):
    """Exported again before the returned months were corrected and approved: the package says 已退回 for
    them, so the items stay open at both ends (the 审核 page keeps the reasons; the city waits)."""
    rt = give_back(pair)
    assert packages.apply(pair.unit, rt.path).outcome == "applied"
    resend = pair.export(2019, "sub2.xlsx")
    assert resend.review.approved_months == (1,) and [i[-2] for i in items(pair.unit)] == ["", ""]
    p = preview(pair.city, pair.tmp / "sub2.xlsx")
    assert [c for c in p.changes if c.sheet == "退回事项"] == []
    assert packages.apply(pair.city, pair.tmp / "sub2.xlsx").outcome == "applied"
    assert [i[-2] for i in items(pair.city)] == ["", ""]
    with pair.unit.write() as s:  # February corrected, submitted and approved; March only submitted
        office = offices.resolve(s, UNIT)
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 2, 6.0)
        states.submit(s, office, 2019, 3, user="王填")
    with pair.unit.write() as s:
        states.approve(s, offices.resolve(s, UNIT), 2019, 2, by="李审")
    third = pair.export(2019, "sub3.xlsx")
    assert third.review.approved_months == (1, 2)
    answered = third.manifest.package_id
    assert [(i[4], i[-2]) for i in items(pair.unit)] == [(2, answered), (3, "")]
    p = preview(pair.city, pair.tmp / "sub3.xlsx")
    assert [(c.key, c.new) for c in p.changes if c.sheet == "退回事项"] == [(f"{rt.manifest.package_id}/2/", "已重报")]
    assert packages.apply(pair.city, pair.tmp / "sub3.xlsx").outcome == "applied"
    assert [(i[4], i[-2]) for i in items(pair.city)] == [(2, answered), (3, "")]


def test_a_submission_without_the_returned_months_answers_nothing(pair):
    """The unit exports again but its package no longer carries 2 and 3 (every value deleted): open at both ends."""
    rt = give_back(pair)
    assert packages.apply(pair.unit, rt.path).outcome == "applied"
    with pair.unit.write() as s:
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        for month in (2, 3):
            values.set_value(s, indicator, office, 2019, month, None)
    pair.export(2019, "sub2.xlsx")
    assert [i[-2] for i in items(pair.unit)] == ["", ""]
    p = preview(pair.city, pair.tmp / "sub2.xlsx")
    assert [c for c in p.changes if c.sheet == "退回事项"] == []
    assert packages.apply(pair.city, pair.tmp / "sub2.xlsx").outcome == "applied"
    assert [i[-2] for i in items(pair.city)] == ["", ""]


def test_a_receipt_older_than_the_return_is_refused_at_the_unit(pair):
    """Receipts and returns of one unit × year are one order: a receipt made before the return cannot undo it."""
    with pair.city.write() as s:
        stale = packages.export_receipt(s, pair.sub.manifest.package_id, pair.tmp / "rc2.xlsx")
    rt = give_back(pair)
    assert (stale.manifest.sequence, rt.manifest.sequence) == (2, 3)
    assert packages.apply(pair.unit, rt.path).outcome == "applied"
    refused_unchanged(pair.unit, stale.path, (
        f"文件“rc2.xlsx”：此包序号 2 早于已导入的序号 3，不会回退数据，已拒绝导入（回执包（连云区科协，2019年，序号 2，"
        f"包编号 {stale.manifest.package_id[:8]}））。"))
    assert [st for st, _n in unit_states(pair.unit)][:3] == ["received", "returned", "returned"]


# ── refusals where the return is made ───────────────────────────────────────────────────────────────

@pytest.mark.parametrize("requests, message", [
    ([ReturnRequest("请核对", 2)], "退回必须写明原因（每项至少 5 个字），县区据此改正。"),
    ([ReturnRequest("  请核对  ", 2)], "退回必须写明原因（每项至少 5 个字），县区据此改正。"),
    ([ReturnRequest(FEB, 2), ReturnRequest("", 3)], "退回必须写明原因（每项至少 5 个字），县区据此改正。"),
    ([ReturnRequest("很" * 501, 2)], "退回原因太长（501 字），请不超过 500 字。"),
    ([ReturnRequest(FEB, 5)], "此上报包没有2019年5月的数据（包中有：1月、2月、3月、4月），不能退回该月。"),
    ([ReturnRequest(FEB, 2, year=2020)], "此上报包是2019年的，不能退回2020年的月份。"),
    ([ReturnRequest(FEB, 2, "I99")], "计划中没有指标代码“I99”。"),
    ([], "请至少写明一项要退回的内容和原因。"),
])
def test_a_bad_return_is_refused_and_writes_nothing(pair, requests, message):
    before = dump(pair.city, with_log=True)
    with pytest.raises(UserError) as refused:
        give_back(pair, requests)
    assert str(refused.value) == message
    assert not (pair.tmp / "rt.xlsx").exists() and dump(pair.city, with_log=True) == before
    assert give_back(pair).manifest.sequence == 2  # no number was used


def test_no_return_for_a_superseded_package_nor_at_a_unit(pair):
    second = send(pair, "sub2.xlsx")
    with pytest.raises(UserError) as refused:
        give_back(pair)
    assert str(refused.value) == (
        f"包编号 {pair.sub.manifest.package_id[:8]}（序号 1）已被连云区科协2019年较新的上报包（序号 2，"
        f"包编号 {second.manifest.package_id[:8]}）取代：请答复较新的包。")
    with pair.unit.write() as s, pytest.raises(UserError) as refused:
        packages.export_return(s, second.manifest.package_id, TWO, pair.tmp / "rt.xlsx")
    assert str(refused.value) == "本机是连云区科协，只有市科协才能生成回执包和退回包。"
    assert not (pair.tmp / "rt.xlsx").exists()


# ── refusals where the return arrives ───────────────────────────────────────────────────────────────

def test_a_return_for_a_package_the_unit_never_sent_is_refused(pair):
    rt = give_back(pair)
    stranger = uuid.uuid4().hex

    def reply_to_stranger(sheets):
        sheets["退回"][0][0] = stranger

    resign(rt.path, pair.tmp / "stranger.xlsx", unit_key(pair.city, "320700"), rows=reply_to_stranger,
           manifest=lambda m: setattr(m, "reply_to", stranger))
    refused_unchanged(pair.unit, pair.tmp / "stranger.xlsx", (
        f"文件“stranger.xlsx”：本单位没有发出过包编号为 {stranger[:8]} 的2019年上报包，"
        "此退回包不是答复本单位的包，已拒绝导入。"))
    assert [st for st, _n in unit_states(pair.unit)][:3] == ["received"] * 3


def test_a_forged_return_is_refused(pair):
    rt = give_back(pair)
    resign(rt.path, pair.tmp / "forged.xlsx", unit_key(pair.unit, UNIT))
    refused_unchanged(pair.unit, pair.tmp / "forged.xlsx", (
        f"文件“forged.xlsx”：签名所用的密钥与本机保存的市科协的密钥不符：此包可能是伪造的，或用其他单位的密钥签名，"
        f"已拒绝导入（{described(rt)}）。"))


def test_a_return_with_bad_rows_signed_by_the_city_is_refused_naming_the_row(pair):
    """Rows a buggy city program could sign: each is named; nothing is imported."""
    rt = give_back(pair)

    def bad(sheets):
        sheets["退回事项"].append(["2019-04", "I99", "", "四月数据请补充完整"])
        sheets["退回事项"].append(["2019-02", "", "", FEB])

    resign(rt.path, pair.tmp / "bad.xlsx", unit_key(pair.city, "320700"), rows=bad)
    p = preview(pair.unit, pair.tmp / "bad.xlsx")
    assert [(c.label, c.reason) for c in p.changes if c.action == "拒绝"] == [
        ("工作表“退回事项”第 4 行", "未知的指标代码“I99”。"), ("工作表“退回事项”第 5 行", "与前面的一行重复。")]
    refused_unchanged(pair.unit, pair.tmp / "bad.xlsx", (
        f"文件“bad.xlsx”：工作表“退回事项”第 4 行：未知的指标代码“I99”。 共有 2 处数据不符合要求，"
        f"整个文件未导入（{described(rt)}）。"))


def test_a_return_at_the_city_is_refused(pair):
    rt = give_back(pair)
    refused_unchanged(pair.city, rt.path,
                      "文件“rt.xlsx”：这是市科协发给连云区科协的退回包，应由该县区导入；本机是连云港市科协。")


# ── the command line ────────────────────────────────────────────────────────────────────────────────

def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    return cli.run([str(a) for a in argv], out), out.getvalue()


def reply_numbers(db_path) -> int:
    db = open_app_database(db_path)
    try:
        with db.read() as s:
            row = s.get(PackageSequence, ("320700", "reply"))
            return row.last if row else 0
    finally:
        db.close()


def test_cli_return(pair, capsys):
    pair.city.close()
    pair.unit.close()
    city_db, unit_db = pair.tmp / "city.db", pair.tmp / "unit.db"
    prefix = pair.sub.manifest.package_id[:8]
    base = ("--db", city_db, "return", "--package", prefix)
    refusals = [
        (("--month", "2019-02", "--reason", "请核对"), "退回必须写明原因（每项至少 5 个字），县区据此改正。"),
        (("--month", "2020-02", "--reason", FEB), "此上报包是2019年的，不能退回2020年的月份。"),
        (("--month", "2019-13", "--reason", FEB), "月份“2019-13”格式不对，应写成 年-月，如 2020-03。"),
        (("--month", "2019-06", "--reason", FEB), "此上报包没有2019年6月的数据（包中有：1月、2月、3月、4月），不能退回该月。"),
        (("--month", "2019-03", "--indicator", "I99", "--reason", MAR), "计划中没有指标代码“I99”。"),
    ]
    assert reply_numbers(city_db) == 1  # the fixture's receipt
    for args, message in refusals:
        code, text = run(*base, *args, "--out", pair.tmp / "bad.xlsx")
        assert (code, text) == (2, ""), args
        assert capsys.readouterr().err == f"错误：{message}\n"
    assert not (pair.tmp / "bad.xlsx").exists()
    # The month format is checked before a number is reserved; the other refusals each used one (a gap).
    assert reply_numbers(city_db) == 5
    code, text = run("--db", unit_db, "return", "--package", prefix, "--month", "2019-02", "--reason", FEB,
                     "--out", pair.tmp / "bad.xlsx")
    assert (code, text, capsys.readouterr().err) == (2, "", "错误：本机是连云区科协，只有市科协才能生成回执包和退回包。\n")
    city = open_app_database(city_db)
    try:
        assert items(city) == []
    finally:
        city.close()
    code, text = run(*base, "--month", "2019-02", "--reason", FEB, "--out", pair.tmp / "rt2.xlsx")
    assert code == 0, capsys.readouterr().err
    rt2 = importer.load(pair.tmp / "rt2.xlsx").manifest
    assert rt2.sequence == 6
    assert text == f"已导出退回包（连云区科协，2019年，序号 6，包编号 {rt2.package_id[:8]}）：退回 1 行，退回事项 1 行。文件：{pair.tmp / 'rt2.xlsx'}\n"
    code, text = run(*base, "--month", "2019-03", "--indicator", "i09", "--reason", MAR, "--out", pair.tmp / "rt3.xlsx")
    assert code == 0
    assert rows(pair.tmp / "rt3.xlsx", "退回事项") == [("2019-03", "I09", "科教兴农项目", MAR)]
    code, text = run("--db", unit_db, "import", pair.tmp / "rt2.xlsx", pair.tmp / "rt3.xlsx", "--json")
    data = json.loads(text)
    assert code == 0 and [(f["kind"], f["outcome"], f["counts"]["新增"], f["counts"]["修改"]) for f in data["files"]] == [
        ("return", "applied", 1, 1), ("return", "applied", 1, 1)]
    pair.city, pair.unit = open_app_database(city_db), open_app_database(unit_db)
    assert unit_states(pair.unit)[:3] == [("received", ""), ("returned", f"市科协退回：{FEB}"),
                                          ("returned", f"市科协退回：I09：{MAR}")]
    assert [(i[4], i[5]) for i in items(pair.unit)] == [(2, ""), (3, "I09")]
    with pair.unit.read() as s:
        kinds = [e.kind for e in s.scalars(select(PackageLog).where(PackageLog.direction == "received")
                                            .order_by(PackageLog.id))]
    assert kinds == ["init", "receipt", "return", "return"]


def test_a_return_of_a_package_the_unit_already_sent_again_approved_is_answered_by_the_newer_one(pair):
    """The city returns 序号 1 while the unit, on its own, corrects February and sends 序号 2 with 1—3
    approved. Importing the return then records both items as answered by 序号 2 (the city counts them so
    when 序号 2 arrives) and unlocks nothing; the preview says why."""
    rt = give_back(pair)
    with pair.unit.write() as s:
        office = offices.resolve(s, UNIT)
        states.unapprove(s, office, 2019, 2, reason="二月数字录错需要改正", by="李审")
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 2, 6.0)
    with pair.unit.write() as s:
        office = offices.resolve(s, UNIT)
        states.submit(s, office, 2019, 3, user="王填")
        states.approve(s, office, 2019, 3, by="李审")
    new = pair.export(2019, "sub2.xlsx")
    p = preview(pair.unit, rt.path)
    assert p.status == "ready", p.message
    assert [c.sheet for c in p.changes] == ["退回事项", "退回事项"]  # no month state changes
    assert p.warnings == [
        f"2019年{m}月已由本单位序号 2 的上报包重新报送（已审核），市科协收到后即视为已重报，此月不解除锁定；"
        "市科协如仍认为有误，会再次退回。" for m in (2, 3)]
    assert packages.apply(pair.unit, rt.path).outcome == "applied"
    new_id = new.manifest.package_id
    ids = (rt.manifest.package_id, pair.sub.manifest.package_id)
    assert items(pair.unit) == [(*ids, 1, 2019, 2, "", FEB, new_id, True), (*ids, 1, 2019, 3, "I09", MAR, new_id, True)]
    assert [st for st, _n in unit_states(pair.unit)] == ["received", "sent", "sent", "draft", "draft"]
    assert packages.apply(pair.city, pair.tmp / "sub2.xlsx").outcome == "applied"
    assert [i[-2] for i in items(pair.city)] == [new_id, new_id]
