"""Several clerks on one database (issue 18, point 4), the rows beyond targets and values: settings, review
states, milestones, a bulk delete of activities and the city's decomposition. A stale edit is refused with who
and when, nothing of it is written and the audit log is as it was.

Two Database objects on one file (or two sessions of one server database) stand for two PCs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kexie_desktop.errors import StaleEdit
from kexie_desktop.models import Activity, AuditEntry
from kexie_desktop.review import states
from kexie_desktop.services import activities, offices, plan, settings, targets, tasks
from kexie_desktop.task_models import Milestone
from tests.other_pc import REFUSED, stamp

D = dt.date


def _audit_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


def _here(db, code: str) -> None:
    with db.write() as s:
        offices.set_this_office(s, offices.resolve(s, code))


# --- settings -------------------------------------------------------------------------------------

def test_a_stale_threshold_save_is_refused_and_the_first_stays(two_pcs):
    pc1, pc2 = two_pcs
    _here(pc1, "320700")
    keys = settings.THRESHOLD_KEYS
    with pc2.read() as s:
        seen2 = settings.versions(s, keys)
    assert seen2 == {"threshold_behind": 0, "threshold_serious": 0}  # never stored: the defaults
    with pc1.write() as s:
        settings.put_thresholds(s, 12, 30, seen=settings.versions(s, keys), user="张三")
        stamp(s, "threshold_behind")
    before = _audit_count(pc1)
    with pytest.raises(StaleEdit) as refused, pc2.write() as s:
        settings.put_thresholds(s, 15, 40, seen=seen2, user="王芳")
    assert str(refused.value) == REFUSED
    assert _audit_count(pc1) == before
    with pc2.read() as s:  # read again: 张三's thresholds and the versions to save against
        assert (settings.get(s, "threshold_behind"), settings.get(s, "threshold_serious")) == (12, 30)
        seen2 = settings.versions(s, keys)
    assert seen2 == {"threshold_behind": 1, "threshold_serious": 1}
    with pc2.write() as s:
        settings.put_thresholds(s, 15, 40, seen=seen2, user="王芳")
    with pc1.read() as s:
        assert (settings.get(s, "threshold_behind"), settings.versions(s, keys)) == (15, dict.fromkeys(keys, 2))


def test_the_people_are_refused_when_any_of_them_changed_meanwhile(two_pcs):
    pc1, pc2 = two_pcs
    with pc1.write() as s:
        settings.put_people(s, settings.People("李强", "赵审", "0518-1"))
    with pc2.read() as s:
        seen2 = settings.versions(s, settings.PEOPLE_KEYS)
    with pc1.write() as s:  # only the phone changes: only its version moves
        settings.put_people(s, settings.People("李强", "赵审", "0518-2"), seen=settings.versions(s, settings.PEOPLE_KEYS),
                            user="张三")
        assert settings.versions(s, settings.PEOPLE_KEYS) == {"user_filler": 1, "user_reviewer": 1, "phone": 2}
        stamp(s, "phone")
    before = _audit_count(pc1)
    with pytest.raises(StaleEdit, match="^" + REFUSED + "$"), pc2.write() as s:
        settings.put_people(s, settings.People("王芳", "赵审", "0518-1"), seen=seen2, user="王芳")
    assert _audit_count(pc1) == before
    with pc1.read() as s:
        assert settings.people(s) == settings.People("李强", "赵审", "0518-2")


# --- review states --------------------------------------------------------------------------------

def test_a_stale_submit_is_refused_and_no_month_moves(two_pcs):
    pc1, pc2 = two_pcs
    _here(pc1, "320706")
    today = D(2020, 1, 10)
    with pc2.read() as s:
        seen2 = states.seen_versions(states.month_states(s, offices.resolve(s, "320706"), 2019))
    assert seen2 == dict.fromkeys(range(1, 13), 0)
    with pc1.write() as s:
        office = offices.resolve(s, "320706")
        seen1 = states.seen_versions(states.month_states(s, office, 2019))
        states.submit(s, office, 2019, 3, user="张三", today=today, seen=seen1)
        stamp(s, "320706/2019-01")
    before = _audit_count(pc1)
    with pytest.raises(StaleEdit) as refused, pc2.write() as s:
        states.submit(s, offices.resolve(s, "320706"), 2019, 5, user="王芳", today=today, seen=seen2)
    assert str(refused.value) == REFUSED
    assert _audit_count(pc1) == before
    with pc2.read() as s:
        shown = states.month_states(s, offices.resolve(s, "320706"), 2019)
    assert [(m.state, m.version) for m in shown[:6]] == [("pending", 1)] * 3 + [("draft", 0)] * 3
    with pc2.write() as s:  # on what it shows now: months 4 and 5 go
        states.submit(s, offices.resolve(s, "320706"), 2019, 5, user="王芳", today=today,
                      seen=states.seen_versions(shown))
    with pc1.read() as s:
        assert [m.state for m in states.month_states(s, offices.resolve(s, "320706"), 2019)[:6]] == \
            ["pending"] * 5 + ["draft"]


def test_approving_months_another_pc_returned_to_draft_is_refused(two_pcs):
    pc1, pc2 = two_pcs
    _here(pc1, "320706")
    today = D(2020, 1, 10)
    with pc1.write() as s:
        states.submit(s, offices.resolve(s, "320706"), 2019, 2, user="李强", today=today)
        states.approve(s, offices.resolve(s, "320706"), 2019, 2, by="赵审", today=today)
    with pc2.read() as s:
        seen2 = states.seen_versions(states.month_states(s, offices.resolve(s, "320706"), 2019))
    assert (seen2[1], seen2[2], seen2[3]) == (2, 2, 0)
    with pc1.write() as s:
        states.unapprove(s, offices.resolve(s, "320706"), 2019, 2, reason="二月数据有误需更正", by="张三")
        stamp(s, "320706/2019-02")
    before = _audit_count(pc1)
    with pytest.raises(StaleEdit, match="^" + REFUSED + "$"), pc2.write() as s:
        states.unapprove(s, offices.resolve(s, "320706"), 2019, 1, reason="一月起全部重审", by="王芳", seen=seen2)
    assert _audit_count(pc1) == before
    with pc1.read() as s:
        assert [m.state for m in states.month_states(s, offices.resolve(s, "320706"), 2019)[:3]] == \
            ["approved", "draft", "draft"]


# --- milestones -----------------------------------------------------------------------------------

def test_completing_a_milestone_another_pc_completed_is_refused_with_who(two_pcs):
    pc1, pc2 = two_pcs
    _here(pc1, "320722")
    with pc1.write() as s:
        m, _c = tasks.add_milestone(s, offices.resolve(s, "320722"), "T26", "印发实施方案", D(2019, 3, 31))
        mid, uid = m.id, m.uid
    with pc2.read() as s:
        seen2 = s.get(Milestone, mid).version
    with pc1.write() as s:
        tasks.complete_milestone(s, offices.resolve(s, "320722"), "T26", mid, D(2019, 4, 2), user="张三",
                                 seen_version=1)
        stamp(s, uid)
    before = _audit_count(pc1)
    with pytest.raises(StaleEdit, match="^" + REFUSED + "$"), pc2.write() as s:
        tasks.complete_milestone(s, offices.resolve(s, "320722"), "T26", mid, D(2019, 4, 9), user="王芳",
                                 seen_version=seen2)
    assert _audit_count(pc1) == before
    with pc1.read() as s:
        row = s.get(Milestone, mid)
        assert (row.done, row.version) == (D(2019, 4, 2), 2)


# --- activities: several deleted at once ----------------------------------------------------------

def _add(s, uid: str, title: str) -> None:
    activities.add_activity(s, offices.resolve(s, "320706"), activities.resolve_type(s, "POP_LECTURE"),
                            D(2019, 3, 5), title, audience=50, uid=uid)


def test_a_bulk_delete_with_one_stale_record_deletes_none(two_pcs):
    pc1, pc2 = two_pcs
    _here(pc1, "320706")
    with pc1.write() as s:
        _add(s, "a", "讲座一")
        _add(s, "b", "讲座二")
    with pc2.read() as s:
        seen2 = {}
        activities.activity_rows(s, offices.resolve(s, "320706"), versions=seen2)
    assert seen2 == {"a": 1, "b": 1}
    with pc1.write() as s:
        activities.update_activity(s, "b", type="POP_LECTURE", date=D(2019, 3, 6), title="讲座二（改期）",
                                   user="张三", seen_version=1)
        stamp(s, "b")
    before = _audit_count(pc1)
    with pytest.raises(StaleEdit, match="^" + REFUSED + "$"), pc2.write() as s:
        activities.delete_activities(s, seen2, user="王芳")
    assert _audit_count(pc1) == before
    with pc1.read() as s:
        assert [(a.uid, a.title, a.version) for a in s.scalars(select(Activity).order_by(Activity.uid))] == \
            [("a", "讲座一", 1), ("b", "讲座二（改期）", 2)]
    with pc2.write() as s:
        activities.delete_activities(s, {"a": 1, "b": 2}, user="王芳")
    with pc1.read() as s:
        assert s.scalars(select(Activity)).all() == []


# --- the city's decomposition ---------------------------------------------------------------------

def _unit_values(db, code: str) -> dict[str, float | None]:
    with db.read() as s:
        indicator = plan.indicator(s, code)
        return {u.code: (t.value if (t := targets.find_target(s, indicator, u, None)) else None)
                for u in offices.units(s)}


@pytest.mark.parametrize("changed", ["320722", "320700"])  # a unit's target, the city's own
def test_a_split_on_targets_changed_meanwhile_writes_no_unit_target(two_pcs, changed):
    pc1, pc2 = two_pcs
    _here(pc1, "320700")
    with pc1.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.city(s), None, 500, user="李强")
    with pc2.read() as s:
        seen2 = targets.split_versions(s, plan.indicator(s, "I09"), None)
    # the built-in plan's city target (600) and 李强's edit; no unit has one yet
    assert seen2 == {"320700": 2} | dict.fromkeys(_unit_values(pc2, "I09"), 0)
    with pc1.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, changed), None, 80, user="张三")
        stamp(s, f"I09/{changed}/plan")
    before = _audit_count(pc1)
    with pytest.raises(StaleEdit, match="^" + REFUSED + "$"), pc2.write() as s:
        targets.decompose_target(s, plan.indicator(s, "I09"), None, user="王芳", seen=seen2)
    assert _audit_count(pc1) == before
    expected = dict.fromkeys(_unit_values(pc1, "I09")) | ({changed: 80} if changed != "320700" else {})
    assert _unit_values(pc1, "I09") == expected
    with pc2.read() as s:  # read again, split again: every unit gets its share of the city's figure now
        seen2 = targets.split_versions(s, plan.indicator(s, "I09"), None)
    with pc2.write() as s:
        targets.decompose_target(s, plan.indicator(s, "I09"), None, user="王芳", seen=seen2)
    assert set(_unit_values(pc1, "I09").values()) == ({50} if changed != "320700" else {8})


def test_one_edit_of_an_activity_moves_its_version_by_one_even_a_second_later(db, monkeypatch):
    """The lock check's query autoflushes the edit; ``updated_at`` set after it was a second UPDATE whenever
    the clock had moved on to another second (the counter then jumped by two)."""
    import types

    _here(db, "320706")
    with db.write() as s:
        _add(s, "a", "讲座一")
    later = dt.datetime.now() + dt.timedelta(days=1)

    class Tomorrow(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    fake = types.SimpleNamespace(date=dt.date, datetime=Tomorrow)
    monkeypatch.setattr(activities, "dt", fake)
    with db.write() as s:
        activities.update_activity(s, "a", type="POP_LECTURE", date=D(2019, 3, 6), title="讲座一", seen_version=1)
    with db.read() as s:
        row = s.scalars(select(Activity)).one()
        assert (row.version, row.updated_at) == (2, later.replace(microsecond=0))
