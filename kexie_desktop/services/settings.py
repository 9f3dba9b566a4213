"""Installation settings stored in the database (so they travel with a backup)."""

from __future__ import annotations

import json
from typing import Any, Iterable, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Setting
from . import audit

DEFAULTS: dict[str, Any] = {
    "office_code": None,  # this installation's office; None until `init`
    "user_filler": "",  # 填报人
    "user_reviewer": "",  # 审核人
    "phone": "",  # 联系电话
    "threshold_behind": 10.0,  # percentage points under expected progress: 略有滞后
    "threshold_serious": 25.0,  # ...: 严重滞后
    "demo_data": False,
}


def get(s: Session, key: str) -> Any:
    row = s.get(Setting, key)
    if row is None:
        return DEFAULTS.get(key)
    return json.loads(row.value)


def versions(s: Session, keys: Iterable[str]) -> dict[str, int]:
    """key -> the version of the stored setting (0: not stored), what an editing view saves against."""
    keys = list(keys)
    found = dict(s.execute(select(Setting.key, Setting.version).where(Setting.key.in_(keys))).all())
    return {k: found.get(k, 0) for k in keys}


def put(s: Session, key: str, value: Any, *, seen_version: int | None = None, user: str | None = None) -> None:
    """Store one setting. ``seen_version`` (from ``versions``) refuses the write with ``StaleEdit`` when another
    PC changed it meanwhile; ``user`` records a change in the audit log (so a refusal can say who and when)."""
    text = json.dumps(value, ensure_ascii=False)
    row = s.get(Setting, key)
    audit.check_version(s, "setting", key, row.version if row else None, seen_version)
    old = None if row is None else json.loads(row.value)
    if row is None:
        s.add(Setting(key=key, value=text))
    else:
        row.value = text
    if user is not None:
        audit.record(s, "setting", key, None, old, value, user=user)


def _seen(seen: dict[str, int] | None, key: str) -> int | None:
    return None if seen is None else seen.get(key, 0)


THRESHOLD_KEYS = ("threshold_behind", "threshold_serious")
PEOPLE_KEYS = ("user_filler", "user_reviewer", "phone")


def put_thresholds(s: Session, behind: float, serious: float, *, seen: dict[str, int] | None = None,
                   user: str | None = None) -> None:
    """The status thresholds (percentage points under expected progress), set by the city office only.
    ``seen``: the versions the view read (``versions(s, THRESHOLD_KEYS)``); ``user`` as for ``put``."""
    from .offices import this_office  # offices reads settings: imported here to avoid a cycle

    mine = this_office(s)
    if mine is not None and not mine.is_city:
        raise UserError(f"本机是{mine.name}：状态阈值由市科协设定，不能在这里修改。")
    if not 0 < behind < serious <= 100:
        raise UserError("阈值应满足：0 < 略有滞后 < 严重滞后 ≤ 100（百分点）。")
    for key in THRESHOLD_KEYS:  # both checked before either is written
        row = s.get(Setting, key)
        audit.check_version(s, "setting", key, row.version if row else None, _seen(seen, key))
    put(s, "threshold_behind", behind, user=user)
    put(s, "threshold_serious", serious, user=user)


class People(NamedTuple):
    """填报人, 审核人 and 联系电话 as entered ("" when not set): printed on the package covers."""

    filler: str
    reviewer: str
    phone: str


def people(s: Session) -> People:
    return People(get(s, "user_filler") or "", get(s, "user_reviewer") or "", get(s, "phone") or "")


def put_people(s: Session, people: People, *, seen: dict[str, int] | None = None, user: str | None = None) -> None:
    """``seen`` (``versions(s, PEOPLE_KEYS)``) and ``user`` as for ``put_thresholds``: any of the three changed
    meanwhile refuses all three. With ``seen``, an unchanged entry is not written again (no version moves)."""
    for key in PEOPLE_KEYS:
        row = s.get(Setting, key)
        audit.check_version(s, "setting", key, row.version if row else None, _seen(seen, key))
    for key, value in zip(PEOPLE_KEYS, people):
        if seen is None or get(s, key) != value.strip():
            put(s, key, value.strip(), user=user)


def audit_user(s: Session, fallback: str = "") -> str:
    """Whom a change is recorded as: the 填报人, or ``fallback`` (e.g. "导入", "命令行") when none is set."""
    return get(s, "user_filler") or fallback
