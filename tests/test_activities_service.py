"""活动台账 core services: editing, deleting and listing activities, with exact expectations."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import event, select

from kexie_desktop.errors import UserError
from kexie_desktop.models import AuditEntry
from kexie_desktop.services import activities, offices, plan

D = dt.date

# uid: (office, type code, date, title, place, participants, audience, note)
RECORDS = {
    "a": ("海州区", "POP_LECTURE", D(2019, 3, 5), "社区防疫科普讲座", "新浦街道", 5, 120, ""),
    "b": ("海州区", "ACAD_REPORT", D(2020, 5, 3), "AI 前沿报告会", "市科技馆", 8, 300, "邀请院士"),
    "c": ("海州区", "ACAD_REPORT", D(2020, 5, 31), "海洋经济学术报告会", "海州宾馆", 6, 95, ""),
    "d": ("海州区", "ACAD_EXCHANGE", D(2020, 5, 12), "青年科技工作者沙龙", "海州宾馆", 20, 40, "100%到场"),
    "e": ("海州区", "ACAD_REPORT", D(2020, 6, 1), "六月报告会", "", 3, 1000, ""),
    "f": ("连云区", "ACAD_REPORT", D(2020, 5, 10), "连云区报告会", "", 4, 50, ""),
    "g": ("海州区", "SCI_TO_COUNTRY", D(2018, 11, 11), "科技下乡送技术", "锦屏镇", 12, 9, "海洋渔业"),
}


@pytest.fixture
def ledger(db):
    with db.write() as s:
        current = plan.current_plan(s)
        for uid, (office, kind, date, title, place, participants, audience, note) in RECORDS.items():
            activities.add_activity(
                s, offices.resolve(s, office), activities.resolve_type(s, kind), date, title, place=place,
                participants=participants, audience=audience, note=note, uid=uid, user="王芳", plan=current,
            )
    return db


def uids(found) -> list[str]:
    return [a.uid for a in found]


def haizhou(s):
    return offices.resolve(s, "海州区")


def snapshot(uid: str) -> dict:
    _office, kind, date, title, place, participants, audience, note = RECORDS[uid]
    return {"type": kind, "date": date.isoformat(), "title": title, "place": place,
            "participants": participants, "audience": audience, "note": note}


def audit_of(db, uid: str) -> list[tuple[dict | None, dict | None, str]]:
    with db.read() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity == "activity", AuditEntry.entity_key == uid)
                         .order_by(AuditEntry.id))
        return [(json.loads(r.old) if r.old else None, json.loads(r.new) if r.new else None, r.user) for r in rows]


# --- listing --------------------------------------------------------------------------------------
def test_list_is_the_offices_records_oldest_first(ledger):
    with ledger.read() as s:
        assert uids(activities.list_activities(s, haizhou(s))) == ["g", "a", "b", "d", "c", "e"]
        assert uids(activities.list_activities(s, offices.resolve(s, "连云区"))) == ["f"]
        assert uids(activities.list_activities(s, offices.resolve(s, "东海县"))) == []


def test_filters_by_type_dates_text_and_indicator(ledger):
    with ledger.read() as s:
        office = haizhou(s)

        def pick(**kw):
            return uids(activities.list_activities(s, office, **kw))

        assert pick(type_codes=["ACAD_REPORT"]) == ["b", "c", "e"]
        assert pick(type_codes=["ACAD_REPORT", "POP_LECTURE"]) == ["a", "b", "c", "e"]
        assert pick(type_codes=[]) == []
        # both bounds are inclusive
        assert pick(date_from=D(2020, 5, 3), date_to=D(2020, 5, 31)) == ["b", "d", "c"]
        assert pick(date_from=D(2020, 5, 4)) == ["d", "c", "e"]
        assert pick(date_to=D(2019, 3, 5)) == ["g", "a"]
        # text: title, place or note; case-insensitive; every word must match
        assert pick(text="海洋") == ["g", "c"]  # g by its note, c by its title
        assert pick(text="ai") == ["b"]
        assert pick(text="海州宾馆") == ["d", "c"]
        assert pick(text="海州宾馆 沙龙") == ["d"]
        assert pick(text="  ") == ["g", "a", "b", "d", "c", "e"]
        assert pick(text="%") == ["d"]  # LIKE wildcards are taken literally
        assert pick(text="_") == []
        # indicator: only the types linked to it
        assert pick(indicator="I02") == ["b", "c", "e"]
        assert pick(indicator="I03") == ["b", "d", "c", "e"]  # reports count as exchanges too
        assert pick(indicator="I41") == ["g", "a"]  # audience of 科技下乡 and 科普讲座
        assert pick(indicator=plan.indicator(s, "I02"), date_from=D(2020, 5, 1), date_to=D(2020, 5, 31)) == ["b", "c"]
        assert pick(indicator="I02", type_codes=["ACAD_REPORT"], text="海洋") == ["c"]


def test_listing_is_one_query_with_types_loaded(ledger):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with ledger.read() as s:
        office, indicator = haizhou(s), plan.indicator(s, "I03")
        event.listen(ledger.engine, "before_cursor_execute", count)
        try:
            found = activities.list_activities(s, office, indicator=indicator)
            names = [a.type.name for a in found]
        finally:
            event.remove(ledger.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert names == ["高层次学术报告会", "学术交流活动", "高层次学术报告会", "高层次学术报告会"]


def test_rows_are_the_same_selection_as_plain_tuples(ledger):
    with ledger.read() as s:
        rows = activities.activity_rows(s, haizhou(s), date_from=D(2020, 5, 1), date_to=D(2020, 5, 31))
    assert rows == [
        ("b", D(2020, 5, 3), "ACAD_REPORT", "高层次学术报告会", "AI 前沿报告会", "市科技馆", 8, 300, "邀请院士"),
        ("d", D(2020, 5, 12), "ACAD_EXCHANGE", "学术交流活动", "青年科技工作者沙龙", "海州宾馆", 20, 40, "100%到场"),
        ("c", D(2020, 5, 31), "ACAD_REPORT", "高层次学术报告会", "海洋经济学术报告会", "海州宾馆", 6, 95, ""),
    ]
    assert rows[0].title == "AI 前沿报告会"


def test_indicator_measures(ledger):
    with ledger.read() as s:
        assert activities.indicator_measures(s, plan.indicator(s, "I03")) == {
            "ACAD_EXCHANGE": "count", "ACAD_REPORT": "count"}
        assert activities.indicator_measures(s, plan.indicator(s, "I41")) == {
            "SCI_TO_COUNTRY": "audience", "POP_LECTURE": "audience", "POP_CARAVAN": "audience"}
        assert activities.indicator_measures(s, plan.indicator(s, "I01")) == {}


# --- editing ---------------------------------------------------------------------------------------
def test_update_changes_every_field_and_audits_old_and_new(ledger):
    with ledger.write() as s:
        office_id = haizhou(s).id
        changes = activities.update_activity(
            s, "b", type="ACAD_EXCHANGE", date=D(2020, 5, 4), title="  AI 前沿交流会 ", place="市科技馆二楼",
            participants=9, audience=310, note="改为交流会", user="李华", plan=plan.current_plan(s),
        )
        assert changes.activities == {office_id}
        assert not changes.values and not changes.everything
    with ledger.read() as s:
        row = activities.activity_rows(s, haizhou(s), text="交流会")[0]
        assert row == ("b", D(2020, 5, 4), "ACAD_EXCHANGE", "学术交流活动", "AI 前沿交流会", "市科技馆二楼", 9, 310,
                       "改为交流会")
    new = {"type": "ACAD_EXCHANGE", "date": "2020-05-04", "title": "AI 前沿交流会", "place": "市科技馆二楼",
           "participants": 9, "audience": 310, "note": "改为交流会"}
    assert audit_of(ledger, "b") == [(None, snapshot("b"), "王芳"), (snapshot("b"), new, "李华")]


def test_update_with_nothing_changed_records_nothing(ledger):
    _office, kind, date, title, place, participants, audience, note = RECORDS["c"]
    with ledger.write() as s:
        changes = activities.update_activity(s, "c", type=kind, date=date, title=title, place=place,
                                             participants=participants, audience=audience, note=note)
        assert not changes
    assert len(audit_of(ledger, "c")) == 1


@pytest.mark.parametrize("field, value, message", [
    ("date", D(2021, 1, 1), "活动日期 2021-01-01 超出计划期（2018—2020年）。"),
    ("date", D(2017, 12, 31), "活动日期 2017-12-31 超出计划期（2018—2020年）。"),
    ("date", "2020-01-01", "活动日期不是有效的日期，请写成 年-月-日，例如 2019-03-15。"),
    ("title", "   ", "活动名称不能为空。"),
    ("title", "长" * 201, "活动名称太长（201 字），最多 200 字。"),
    ("place", "地" * 201, "地点太长（201 字），最多 200 字。"),
    ("participants", -1, "参与人数不能为负数（-1）。"),
    ("audience", 2.5, "受众人次必须是整数（2.5）。"),
    ("audience", True, "受众人次“True”不是数字。"),
    ("audience", 100_000_001, "受众人次 100000001 过大，请检查是否多输入了数字。"),
    ("note", "注" * 501, "备注太长（501 字），最多 500 字。"),
    ("type", "讲座", None),  # unknown type: the message lists the types
])
def test_update_refuses_bad_fields_and_changes_nothing(ledger, field, value, message):
    _office, kind, date, title, place, participants, audience, note = RECORDS["a"]
    fields = dict(type=kind, date=date, title=title, place=place, participants=participants, audience=audience,
                  note=note)
    fields[field] = value
    with pytest.raises(UserError) as refused, ledger.write() as s:
        activities.update_activity(s, "a", **fields)
    if message:
        assert str(refused.value) == message
    else:
        assert str(refused.value).startswith("没有“讲座”这种活动类型。可用的类型：高层次学术报告会、")
    with ledger.read() as s:
        assert activities.activity_rows(s, haizhou(s), type_codes=["POP_LECTURE"])[0] == (
            "a", D(2019, 3, 5), "POP_LECTURE", "科普讲座", "社区防疫科普讲座", "新浦街道", 5, 120, "")
    assert len(audit_of(ledger, "a")) == 1


def test_field_errors_reports_every_field_at_once(db):
    with db.read() as s:
        current = plan.current_plan(s)
    assert activities.field_errors(date=D(2019, 1, 1), title="讲座", plan=current) == {}
    assert activities.field_errors(date=D(2021, 2, 3), title="", place="x", participants=-2, audience=1.5,
                                   note="", plan=current) == {
        "date": "活动日期 2021-02-03 超出计划期（2018—2020年）。",
        "title": "活动名称不能为空。",
        "participants": "参与人数不能为负数（-2）。",
        "audience": "受众人次必须是整数（1.5）。",
    }
    # without a plan the date is not bounded (as add_activity without a plan)
    assert activities.field_errors(date=D(2030, 1, 1), title="x") == {}


def test_add_takes_integral_counts_and_refuses_fractions(db):
    with db.write() as s:
        office, kind = haizhou(s), activities.resolve_type(s, "POP_LECTURE")
        activity, _ = activities.add_activity(s, office, kind, D(2019, 1, 1), "讲座", participants=3.0, audience=7)
        assert (activity.participants, activity.audience) == (3, 7)
        with pytest.raises(UserError, match=r"^参与人数必须是整数（3.5）。$"):
            activities.add_activity(s, office, kind, D(2019, 1, 1), "讲座", participants=3.5)


def test_update_of_a_missing_record_is_refused(ledger):
    with pytest.raises(UserError, match="找不到这条活动记录"), ledger.write() as s:
        activities.update_activity(s, "nope", type="POP_LECTURE", date=D(2019, 1, 1), title="x")


# --- deleting --------------------------------------------------------------------------------------
def test_delete_removes_the_record_and_audits_what_it_was(ledger):
    with ledger.write() as s:
        office_id = haizhou(s).id
        changes = activities.delete_activity(s, "d", "李华")
        assert changes.activities == {office_id}
    with ledger.read() as s:
        assert uids(activities.list_activities(s, haizhou(s))) == ["g", "a", "b", "c", "e"]
    assert audit_of(ledger, "d") == [(None, snapshot("d"), "王芳"), (snapshot("d"), None, "李华")]
    with pytest.raises(UserError, match="找不到这条活动记录"), ledger.write() as s:
        activities.delete_activity(s, "d", "李华")
