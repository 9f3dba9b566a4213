"""The activity ledger (活动台账)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import Activity, ActivityType, Office
from ..validation import check_text, check_year
from . import audit


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
    if plan is not None:
        check_year(date.year, plan, what=f"活动日期 {date.isoformat()}")
    if participants < 0 or audience < 0:
        raise UserError("参与人数和受众人次不能为负数。")
    activity = Activity(
        uid=uid or uuid.uuid4().hex,
        office=office,
        type=activity_type,
        date=date,
        title=check_text(title, "活动名称", 200, required=True),
        place=check_text(place, "地点", 200),
        participants=participants,
        audience=audience,
        note=check_text(note, "备注", 500),
        created_by=user,
        source=source,
    )
    s.add(activity)
    audit.record(s, "activity", activity.uid, office.id, None, _snapshot(activity), user=user, source=source)
    return activity, Changes(activities={office.id})


def measure_expression():
    """SQL for how much one activity adds to a linked indicator, by the link's measure."""
    from sqlalchemy import case

    from ..models import ActivityTypeIndicator

    return case(
        (ActivityTypeIndicator.measure == "count", 1),
        (ActivityTypeIndicator.measure == "audience", Activity.audience),
        else_=Activity.participants,
    )
