"""The activity ledger (活动台账): recording, editing, deleting and listing activity records.

Every mutation is audited with old and new snapshots and returns a ``Changes`` record; listing
filters in SQL so that a city ledger of 100,000 records loads with a single query.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session, joinedload

from ..changes import Changes
from ..errors import UserError
from ..models import Activity, ActivityType, ActivityTypeIndicator, Indicator, Office, Plan
from ..validation import check_text, check_year, parse_count
from . import audit, locks

# Field names, in the order a form shows them; ``field_errors`` keys its messages by these.
FIELDS = ("type", "date", "title", "place", "participants", "audience", "note")
MAX_COUNT = 100_000_000  # more people than that at one event is a typing slip


def activity_types(s: Session) -> list[ActivityType]:
    return list(s.scalars(select(ActivityType).order_by(ActivityType.sort_order)))


def resolve_type(s: Session, text: str) -> ActivityType:
    key = (text or "").strip()
    for t in activity_types(s):
        if key in (t.code, t.name) or key.upper() == t.code:
            return t
    names = "、".join(t.name for t in activity_types(s))
    raise UserError(f"没有“{key}”这种活动类型。可用的类型：{names}。")


def _snapshot(a: Activity) -> dict:
    return {
        "type": a.type.code if a.type else None,
        "date": a.date.isoformat(),
        "title": a.title,
        "place": a.place,
        "participants": a.participants,
        "audience": a.audience,
        "note": a.note,
    }


# --- validation ---------------------------------------------------------------------------------
def _check_date(date: Any, plan: Plan | None) -> dt.date:
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise UserError("活动日期不是有效的日期，请写成 年-月-日，例如 2019-03-15。")
    if plan is not None:
        check_year(date.year, plan, what=f"活动日期 {date.isoformat()}")
    return date


def _check_count(value: Any, what: str) -> int:
    count = parse_count(value, what)
    if count > MAX_COUNT:
        raise UserError(f"{what} {count} 过大，请检查是否多输入了数字。")
    return count


def _validate(
    *, date: Any, title: Any, place: Any, participants: Any, audience: Any, note: Any, plan: Plan | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """(cleaned values, Chinese reasons) per field; a field is in exactly one of the two."""
    checks = {
        "date": lambda: _check_date(date, plan),
        "title": lambda: check_text(title, "活动名称", 200, required=True),
        "place": lambda: check_text(place, "地点", 200),
        "participants": lambda: _check_count(participants, "参与人数"),
        "audience": lambda: _check_count(audience, "受众人次"),
        "note": lambda: check_text(note, "备注", 500),
    }
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, check in checks.items():
        try:
            clean[field] = check()
        except UserError as exc:
            errors[field] = str(exc)
    return clean, errors


def field_errors(
    *, date: Any, title: Any, place: Any = "", participants: Any = 0, audience: Any = 0, note: Any = "",
    plan: Plan | None = None,
) -> dict[str, str]:
    """Every field's problem as a Chinese sentence, keyed by field name; empty when all is well.

    The same checks ``add_activity`` and ``update_activity`` apply, so a form can show each reason
    next to its field before anything is written.
    """
    return _validate(date=date, title=title, place=place, participants=participants, audience=audience,
                     note=note, plan=plan)[1]


def _checked(**fields: Any) -> dict[str, Any]:
    clean, errors = _validate(**fields)
    if errors:
        raise UserError(errors[next(f for f in FIELDS if f in errors)])
    return clean


def _as_type(s: Session, activity_type: ActivityType | str) -> ActivityType:
    if isinstance(activity_type, ActivityType):
        return activity_type
    return resolve_type(s, activity_type)


# --- mutations -----------------------------------------------------------------------------------
def add_activity(
    s: Session,
    office: Office,
    activity_type: ActivityType,
    date: dt.date,
    title: str,
    *,
    place: str = "",
    participants: int = 0,
    audience: int = 0,
    note: str = "",
    uid: str | None = None,
    user: str = "",
    source: str = "manual",
    plan=None,
) -> tuple[Activity, Changes]:
    """Record one activity; with ``plan`` its date must fall inside the plan period."""
    clean = _checked(date=date, title=title, place=place, participants=participants, audience=audience,
                     note=note, plan=plan)
    locks.check_unlocked(s, office, [(clean["date"].year, clean["date"].month)])
    activity = Activity(
        uid=uid or uuid.uuid4().hex,
        office=office,
        type=_as_type(s, activity_type),
        created_by=user,
        source=source,
        **clean,
    )
    s.add(activity)
    audit.record(s, "activity", activity.uid, office.id, None, _snapshot(activity), user=user, source=source)
    return activity, Changes(activities={office.id})


def find_activity(s: Session, uid: str) -> Activity:
    activity = s.scalars(select(Activity).where(Activity.uid == uid)).first()
    if activity is None:
        raise UserError("找不到这条活动记录，它可能已被删除或被导入的上报包替换。请刷新台账后再试。")
    return activity


def update_activity(
    s: Session,
    activity_uid: str,
    *,
    type: ActivityType | str,  # noqa: A002 - the field's name in the ledger
    date: dt.date,
    title: str,
    place: str = "",
    participants: int = 0,
    audience: int = 0,
    note: str = "",
    user: str = "",
    plan: Plan | None = None,
    seen_version: int | None = None,
) -> Changes:
    """Change every field of one activity (its office and uid stay); nothing changed, nothing recorded.

    The date must fall inside ``plan``'s period (the current plan when not given). ``seen_version``: the
    record's version the editing view read; another version raises ``StaleEdit``.
    """
    from .plan import current_plan  # local: plan imports the catalogue loader

    activity = find_activity(s, activity_uid)
    audit.check_version(s, "activity", activity.uid, activity.version, seen_version)
    clean = _checked(date=date, title=title, place=place, participants=participants, audience=audience,
                     note=note, plan=plan or current_plan(s))
    new_type = _as_type(s, type)
    old = _snapshot(activity)
    if all(getattr(activity, field) == value for field, value in clean.items()) and activity.type_id == new_type.id:
        return Changes()
    # Refused before any field is set: a caller that catches the refusal inside its transaction commits nothing.
    months = {(activity.date.year, activity.date.month), (clean["date"].year, clean["date"].month)}
    locks.check_unlocked(s, activity.office, months)
    for field, value in clean.items():
        setattr(activity, field, value)
    activity.type = new_type
    activity.updated_at = dt.datetime.now().replace(microsecond=0)  # with the fields: one UPDATE, version + 1
    audit.record(s, "activity", activity.uid, activity.office_id, old, _snapshot(activity), user=user,
                 source="manual")
    return Changes(activities={activity.office_id})


def delete_activity(s: Session, uid: str, user: str = "", seen_version: int | None = None) -> Changes:
    """Remove one activity; the audit log keeps what it was. ``seen_version`` as for ``update_activity``."""
    activity = find_activity(s, uid)
    audit.check_version(s, "activity", uid, activity.version, seen_version)
    locks.check_unlocked(s, activity.office, [(activity.date.year, activity.date.month)])
    old = _snapshot(activity)
    office_id = activity.office_id
    s.delete(activity)
    audit.record(s, "activity", uid, office_id, old, None, user=user, source="manual")
    return Changes(activities={office_id})


def delete_activities(s: Session, seen: dict[str, int | None], user: str = "") -> Changes:
    """Remove several activities (uid -> the version the view read; None: no check), all or none: one
    changed on another PC meanwhile refuses the whole delete with ``StaleEdit``."""
    changes = Changes()
    for uid, version in seen.items():
        changes = changes | delete_activity(s, uid, user, seen_version=version)
    return changes


# --- listing -------------------------------------------------------------------------------------
class ActivityRow(NamedTuple):
    """One ledger line as plain values (no ORM object), for large tables."""

    uid: str
    date: dt.date
    type_code: str
    type_name: str
    title: str
    place: str
    participants: int
    audience: int
    note: str


def _filters(
    s: Session,
    office: Office,
    type_codes: Iterable[str] | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    text: str | None,
    indicator: Indicator | str | None,
) -> list:
    conditions = [Activity.office_id == office.id]
    if type_codes is not None:
        codes = list(type_codes)
        conditions.append(Activity.type_id.in_(select(ActivityType.id).where(ActivityType.code.in_(codes))))
    if date_from is not None:
        conditions.append(Activity.date >= date_from)
    if date_to is not None:
        conditions.append(Activity.date <= date_to)
    for word in (text or "").split():
        conditions.append(or_(*(column.icontains(word, autoescape=True)
                                for column in (Activity.title, Activity.place, Activity.note))))
    if indicator is not None:
        if isinstance(indicator, str):
            from .plan import indicator as find_indicator

            indicator = find_indicator(s, indicator)
        linked = select(ActivityTypeIndicator.activity_type_id).where(
            ActivityTypeIndicator.indicator_id == indicator.id
        )
        conditions.append(Activity.type_id.in_(linked))
    return conditions


def list_activities(
    s: Session,
    office: Office,
    *,
    type_codes: Iterable[str] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    text: str | None = None,
    indicator: Indicator | str | None = None,
) -> list[Activity]:
    """The office's activities, oldest first, filtered in SQL (one query, types loaded with it).

    ``type_codes``: only these types; ``date_from``/``date_to``: inclusive bounds; ``text``: every
    whitespace-separated word must occur in the title, place or note (case-insensitive);
    ``indicator`` (object or code): only types linked to that indicator, i.e. the records behind
    its ledger figure.
    """
    query = (
        select(Activity)
        .options(joinedload(Activity.type))
        .where(and_(*_filters(s, office, type_codes, date_from, date_to, text, indicator)))
        .order_by(Activity.date, Activity.id)
    )
    return list(s.scalars(query))


def activity_rows(
    s: Session,
    office: Office,
    *,
    type_codes: Iterable[str] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    text: str | None = None,
    indicator: Indicator | str | None = None,
    versions: dict[str, int] | None = None,
) -> list[ActivityRow]:
    """The same selection as ``list_activities`` as plain tuples (fast for a 100,000-record ledger).
    ``versions``, when given, is filled with uid -> version of the same rows, read in the same query (what a
    delete made on them checks, issue 18)."""
    query = (
        select(Activity.uid, Activity.date, ActivityType.code, ActivityType.name, Activity.title,
               Activity.place, Activity.participants, Activity.audience, Activity.note, Activity.version)
        .join(ActivityType, Activity.type_id == ActivityType.id)
        .where(and_(*_filters(s, office, type_codes, date_from, date_to, text, indicator)))
        .order_by(Activity.date, Activity.id)
    )
    rows = s.execute(query).all()
    if versions is not None:
        versions.update((row[0], row[9]) for row in rows)
    return [ActivityRow(*row[:9]) for row in rows]


def indicator_measures(s: Session, indicator: Indicator) -> dict[str, str]:
    """Activity type code -> measure ("count", "audience", "participants") for a ledger indicator."""
    query = (
        select(ActivityType.code, ActivityTypeIndicator.measure)
        .join(ActivityType, ActivityTypeIndicator.activity_type_id == ActivityType.id)
        .where(ActivityTypeIndicator.indicator_id == indicator.id)
    )
    return dict(s.execute(query).all())


def measure_expression():
    """SQL for how much one activity adds to a linked indicator, by the link's measure."""
    return case(
        (ActivityTypeIndicator.measure == "count", 1),
        (ActivityTypeIndicator.measure == "audience", Activity.audience),
        else_=Activity.participants,
    )
