"""The audit log: every change to values, targets and activity records."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditEntry


def _dump(data: Any) -> str | None:
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def record(
    s: Session,
    entity: str,
    key: str,
    office_id: int | None,
    old: Any,
    new: Any,
    *,
    user: str = "",
    source: str = "manual",
) -> None:
    if old == new:
        return
    s.add(
        AuditEntry(
            entity=entity,
            entity_key=key,
            office_id=office_id,
            old=_dump(old),
            new=_dump(new),
            user=user,
            source=source,
        )
    )
