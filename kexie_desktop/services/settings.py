"""Installation settings stored in the database (so they travel with a backup)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Setting

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


def put(s: Session, key: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(key=key, value=text))
    else:
        row.value = text


def put_thresholds(s: Session, behind: float, serious: float) -> None:
    """The status thresholds (percentage points under expected progress), set by the city office only."""
    from .offices import this_office  # offices reads settings: imported here to avoid a cycle

    mine = this_office(s)
    if mine is not None and not mine.is_city:
        raise UserError(f"本机是{mine.name}：状态阈值由市科协设定，不能在这里修改。")
    if not 0 < behind < serious <= 100:
        raise UserError("阈值应满足：0 < 略有滞后 < 严重滞后 ≤ 100（百分点）。")
    put(s, "threshold_behind", behind)
    put(s, "threshold_serious", serious)


class People(NamedTuple):
    """填报人, 审核人 and 联系电话 as entered ("" when not set): printed on the package covers."""

    filler: str
    reviewer: str
    phone: str


def people(s: Session) -> People:
    return People(get(s, "user_filler") or "", get(s, "user_reviewer") or "", get(s, "phone") or "")


def put_people(s: Session, people: People) -> None:
    for key, value in zip(("user_filler", "user_reviewer", "phone"), people):
        put(s, key, value.strip())


def audit_user(s: Session, fallback: str = "") -> str:
    """Whom a change is recorded as: the 填报人, or ``fallback`` (e.g. "导入", "命令行") when none is set."""
    return get(s, "user_filler") or fallback
