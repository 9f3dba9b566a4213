"""审核 states: 草稿 → 待审核 → 已审核 (locked) → 撤销审核 with a reason, through the CLI and the core."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from kexie_desktop import cli
from kexie_desktop.errors import UserError
from kexie_desktop.models import AuditEntry, ReviewMonth
from kexie_desktop.review import states
from kexie_desktop.services import activities, offices, plan, values
from tests.dbdump import db_content

OFFICE = "东海县"


def run(db_path, *args) -> tuple[int, str]:
    out = io.StringIO()
    return cli.run(["--db", str(db_path), *args], out=out), out.getvalue()


@pytest.fixture
def unit(db_path):
    assert run(db_path, "init", "--office", OFFICE, "--filler", "王填", "--reviewer", "李审")[0] == 0
    for month, value in ((1, 3), (2, 4), (3, 5)):
        code, _ = run(db_path, "value", "set", "--office", OFFICE, "--indicator", "I09",
                      "--month", f"2019-{month:02d}", "--value", str(value))
        assert code == 0
    return db_path


def month_labels(db_path, through=4):
    from kexie_desktop.startup import open_app_database

    db = open_app_database(db_path)
    try:
        with db.read() as s:
            return [m.label for m in states.month_states(s, offices.resolve(s, OFFICE), 2019)[:through]]
    finally:
        db.close()


def test_a_month_walks_from_draft_to_approved_and_back_with_every_transition_audited(unit, capsys):
    assert month_labels(unit) == ["草稿", "草稿", "草稿", "草稿"]
    code, text = run(unit, "submit", "--office", OFFICE, "--through", "2019-03")
    assert code == 0 and text.startswith("已提交审核：东海县科协 2019年。1月待审核；2月待审核；3月待审核；4月草稿")
    assert month_labels(unit) == ["待审核", "待审核", "待审核", "草稿"]

    code, text = run(unit, "approve", "--office", OFFICE, "--through", "2019-03", "--by", "李审")
    assert code == 0 and text.startswith("已审核通过并锁定：东海县科协 2019年。1月已审核；2月已审核；3月已审核；4月草稿")

    # An edit in a locked month is refused, naming who approved; a month after it is open.
    code, _ = run(unit, "value", "set", "--office", OFFICE, "--indicator", "I09", "--month", "2019-02", "--value", "9")
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("错误：2019年2月的数据已由 李审 于 ") and "审核通过并锁定，不能修改" in err
    assert run(unit, "value", "set", "--office", OFFICE, "--indicator", "I09", "--month", "2019-04",
               "--value", "1")[0] == 0

    code, _ = run(unit, "unapprove", "--office", OFFICE, "--from", "2019-02", "--reason", "")
    assert code == 2 and "撤销审核必须写明原因" in capsys.readouterr().err
    assert month_labels(unit) == ["已审核", "已审核", "已审核", "草稿"]
    code, text = run(unit, "unapprove", "--office", OFFICE, "--from", "2019-02", "--reason", "二月数据录错了")
    assert code == 0
    assert month_labels(unit) == ["已审核", "草稿", "草稿", "草稿"]
    assert run(unit, "value", "set", "--office", OFFICE, "--indicator", "I09", "--month", "2019-02",
               "--value", "9")[0] == 0

    from kexie_desktop.startup import open_app_database

    db = open_app_database(unit)
    with db.read() as s:
        trail = [(e.entity_key, json.loads(e.old)["state"], json.loads(e.new), e.user)
                 for e in s.query(AuditEntry).filter_by(entity="review").order_by(AuditEntry.id)]
    db.close()
    assert trail == [
        ("320722/2019-01", "draft", {"state": "pending"}, "王填"),
        ("320722/2019-02", "draft", {"state": "pending"}, "王填"),
        ("320722/2019-03", "draft", {"state": "pending"}, "王填"),
        ("320722/2019-01", "pending", {"state": "approved"}, "李审"),
        ("320722/2019-02", "pending", {"state": "approved"}, "李审"),
        ("320722/2019-03", "pending", {"state": "approved"}, "李审"),
        ("320722/2019-02", "approved", {"state": "draft", "reason": "二月数据录错了"}, "李审"),
        ("320722/2019-03", "approved", {"state": "draft", "reason": "二月数据录错了"}, "李审"),
    ]


def test_approval_is_refused_while_errors_or_unexplained_warnings_remain(unit, capsys):
    # March jumps to 60 (12× February's 5 would be a warning); April left empty while May has a value.
    run(unit, "value", "set", "--office", OFFICE, "--indicator", "I14", "--month", "2019-01", "--value", "4")
    run(unit, "value", "set", "--office", OFFICE, "--indicator", "I14", "--month", "2019-02", "--value", "60")
    assert run(unit, "submit", "--office", OFFICE, "--through", "2019-02")[0] == 0
    before = db_content(unit)
    code, _ = run(unit, "approve", "--office", OFFICE, "--through", "2019-02", "--by", "李审")
    assert code == 2
    assert capsys.readouterr().err == (
        "错误：不能审核通过：还有 0 个错误、1 个未说明的警告。第一条：“柔性引进国内外医药技术专家”2019年2月为 60，"
        "是上月 4 的 15 倍：请核对是否多输了数字；确实无误请填写说明。\n"
    )
    assert db_content(unit) == before
    assert run(unit, "explain", "--office", OFFICE, "--indicator", "I14", "--month", "2019-02", "--rule", "W01",
               "--text", "二月引进了一个专家团队")[0] == 0
    assert run(unit, "approve", "--office", OFFICE, "--through", "2019-02", "--by", "李审")[0] == 0


def test_months_not_submitted_cannot_be_approved(unit, capsys):
    code, _ = run(unit, "approve", "--office", OFFICE, "--through", "2019-02", "--by", "李审")
    assert code == 2
    assert capsys.readouterr().err == "错误：2019年1月、2月还没有提交审核：请填报人先提交，再审核。\n"


def test_reviewer_password_is_a_salted_hash_and_approval_asks_for_it(unit, capsys):
    assert run(unit, "review-password", "--new", "s3cret")[0] == 0
    dump = db_content(unit)
    assert "s3cret" not in json.dumps(dump, ensure_ascii=False, default=str)
    run(unit, "submit", "--office", OFFICE, "--through", "2019-03")
    capsys.readouterr()
    assert run(unit, "approve", "--office", OFFICE, "--through", "2019-03", "--by", "李审")[0] == 2
    assert capsys.readouterr().err == "错误：审核已设密码：请输入审核密码。\n"
    assert run(unit, "approve", "--office", OFFICE, "--through", "2019-03", "--by", "李审", "--password", "wrong")[0] == 2
    assert capsys.readouterr().err == "错误：审核密码不对，请重新输入。\n"
    assert run(unit, "approve", "--office", OFFICE, "--through", "2019-03", "--by", "李审", "--password", "s3cret")[0] == 0
    # Changing it needs the old one.
    assert run(unit, "review-password", "--new", "other")[0] == 2


def test_one_person_as_filler_and_reviewer_is_allowed_and_recorded(db):
    with db.write() as s:
        office = offices.resolve(s, OFFICE)
        offices.set_this_office(s, office)
        from kexie_desktop.services import settings

        settings.put(s, "user_filler", "张一")
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 1, 2)
        states.submit(s, office, 2019, 1)
        states.approve(s, office, 2019, 1, by="张一")
    with db.read() as s:
        first = states.month_states(s, offices.resolve(s, OFFICE), 2019)[0]
    assert (first.state, first.by, first.note) == ("approved", "张一", "填报人与审核人为同一人")


def test_ledger_changes_in_a_locked_month_are_refused(db):
    with db.write() as s:
        office = offices.resolve(s, OFFICE)
        offices.set_this_office(s, office)
        lecture = activities.resolve_type(s, "POP_LECTURE")
        record, _ = activities.add_activity(s, office, lecture, dt.date(2019, 1, 10), "一月讲座")
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 1, 2)
        states.submit(s, office, 2019, 1)
        states.approve(s, office, 2019, 1, by="李审")
        uid = record.uid
    for change in (
        lambda s, o: activities.add_activity(s, o, activities.resolve_type(s, "POP_LECTURE"), dt.date(2019, 1, 20), "新讲座"),
        lambda s, o: activities.update_activity(s, uid, type="POP_LECTURE", date=dt.date(2019, 1, 10), title="改名"),
        lambda s, o: activities.update_activity(s, uid, type="POP_LECTURE", date=dt.date(2019, 2, 10), title="一月讲座"),
        lambda s, o: activities.delete_activity(s, uid),
    ):
        with pytest.raises(UserError, match="2019年1月的数据已由 李审"), db.write() as s:
            change(s, offices.resolve(s, OFFICE))
    with db.write() as s:  # a caller that catches the refusal inside its transaction commits no field of it
        with pytest.raises(UserError, match="2019年1月的数据已由 李审"):
            activities.update_activity(s, uid, type="POP_LECTURE", date=dt.date(2019, 1, 10), title="改名")
    with db.read() as s:
        kept = activities.find_activity(s, uid)
        assert (kept.title, kept.date, kept.version) == ("一月讲座", dt.date(2019, 1, 10), 1)
    with db.write() as s:  # a record in an open month is fine
        office = offices.resolve(s, OFFICE)
        activities.add_activity(s, office, activities.resolve_type(s, "POP_LECTURE"), dt.date(2019, 2, 20), "二月讲座")


def test_the_city_importing_a_unit_is_not_held_by_the_units_locks(db):
    """Locks guard this installation's own months: the city writes a unit's figures freely."""
    with db.write() as s:
        city, unit = offices.city(s), offices.resolve(s, OFFICE)
        offices.set_this_office(s, city)
        s.add(ReviewMonth(office_id=unit.id, year=2019, month=1, state="approved", by="李审"))
    with db.write() as s:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, OFFICE), 2019, 1, 7, source="package")


def test_unapprove_asks_for_the_password_and_records_who_undid_it(unit, capsys):
    assert run(unit, "review-password", "--new", "s3cret")[0] == 0
    assert run(unit, "submit", "--office", OFFICE, "--through", "2019-02")[0] == 0
    assert run(unit, "approve", "--office", OFFICE, "--through", "2019-02", "--by", "李审", "--password", "s3cret")[0] == 0
    capsys.readouterr()
    before = db_content(unit)
    assert run(unit, "unapprove", "--office", OFFICE, "--from", "2019-02", "--reason", "二月数据录错了")[0] == 2
    assert capsys.readouterr().err == "错误：审核已设密码：请输入审核密码。\n"
    assert run(unit, "unapprove", "--office", OFFICE, "--from", "2019-02", "--reason", "二月数据录错了",
               "--password", "wrong")[0] == 2
    assert capsys.readouterr().err == "错误：审核密码不对，请重新输入。\n"
    assert db_content(unit) == before
    assert run(unit, "unapprove", "--office", OFFICE, "--from", "2019-02", "--reason", "二月数据录错了",
               "--password", "s3cret", "--by", "张副审")[0] == 0
    from kexie_desktop.startup import open_app_database

    db = open_app_database(unit)
    with db.read() as s:
        feb = s.query(ReviewMonth).filter_by(month=2).one()
        last = s.query(AuditEntry).filter_by(entity="review").order_by(AuditEntry.id.desc()).first()
    db.close()
    assert (feb.state, feb.by, feb.note) == ("draft", "张副审", "二月数据录错了")
    assert (last.entity_key, last.user) == ("320722/2019-02", "张副审")


@pytest.mark.parametrize("args", [
    ("approve", "--office", "赣榆区", "--through", "2019-01", "--by", "李审"),
    ("submit", "--office", "赣榆区", "--through", "2019-01"),
    ("unapprove", "--office", "赣榆区", "--from", "2019-01", "--reason", "二月数据录错了", "--by", "李审"),
    ("explain", "--office", "赣榆区", "--indicator", "I09", "--month", "2019-02", "--rule", "W01",
     "--text", "二月引进了一个专家团队"),
])
def test_the_city_cannot_review_a_units_data(db_path, capsys, args):
    assert run(db_path, "init", "--office", "320700")[0] == 0
    from kexie_desktop.startup import open_app_database

    db = open_app_database(db_path)
    with db.write() as s:  # a unit's figures and states as an imported package leaves them
        unit = offices.resolve(s, "赣榆区")
        for month, value in ((1, 4), (2, 60)):
            values.set_value(s, plan.indicator(s, "I09"), unit, 2019, month, value, source="package")
        s.add(ReviewMonth(office_id=unit.id, year=2019, month=1, state="pending", by="王填"))
    db.close()
    capsys.readouterr()
    before = db_content(db_path)
    assert run(db_path, *args)[0] == 2
    assert capsys.readouterr().err == "错误：本机是连云港市科协，只能审核本单位的数据，不能审核赣榆区科协的。\n"
    assert db_content(db_path) == before


def test_the_current_month_can_be_submitted_but_approved_only_once_it_has_ended(db):
    today = dt.date(2019, 3, 10)
    with db.write() as s:
        office = offices.resolve(s, OFFICE)
        offices.set_this_office(s, office)
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 1, 2)
        states.submit(s, office, 2019, 3, today=today)  # March, the current month, may be handed over
    with pytest.raises(UserError) as refused, db.write() as s:
        states.approve(s, offices.resolve(s, OFFICE), 2019, 3, by="李审", today=today)
    assert str(refused.value) == "2019年3月还没有结束，不能审核通过；请选到上个月为止，本月结束后再审核。"
    with db.write() as s:
        states.approve(s, offices.resolve(s, OFFICE), 2019, 2, by="李审", today=today)
    with db.read() as s:
        assert [m.state for m in states.month_states(s, offices.resolve(s, OFFICE), 2019)[:4]] == [
            "approved", "approved", "pending", "draft"]
