"""The audit log: every change to values, targets and activity records."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..errors import StaleEdit
from ..models import AuditEntry


def _dump(data: Any) -> str | None:
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


ENTITY_CHARS = 20  # AuditEntry.entity is String(20)


def record(s: Session, entity: str, key: str, office_id: int | None, old: Any, new: Any, *, user: str = "",
           source: str = "manual") -> None:
    """Add one audit entry to the session (nothing when ``old == new``)."""
    if row := entry(entity, key, office_id, old, new, user=user, source=source):
        s.add(AuditEntry(**row))


def entry(entity: str, key: str, office_id: int | None, old: Any, new: Any, *, user: str = "",
          source: str = "manual") -> dict | None:
    """The row ``record`` would add, for many at once with ``insert_entries``; None when nothing changed."""
    if old == new:
        return None
    # SQLite never enforces a VARCHAR length, PostgreSQL refuses the row: fail in every engine's tests.
    assert len(entity) <= ENTITY_CHARS, f"audit entity {entity!r} is longer than {ENTITY_CHARS} characters"
    return {"entity": entity, "entity_key": key, "office_id": office_id, "old": _dump(old), "new": _dump(new),
            "user": user, "source": source}


def insert_entries(s: Session, entries: list[dict]) -> None:
    if entries:
        s.execute(insert(AuditEntry), entries)


def stale_message(s: Session, entity: str, key: str) -> str:
    """Who last changed ``entity``/``key`` and when, from the audit log, as the refusal's one line."""
    last = s.scalars(
        select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_key == key)
        .order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    if last is None:
        return "这条数据已在另一台电脑上被修改，已重新读取，请核对后再改。"
    who = last.user or "其他用户"
    return f"这条数据已被 {who} 于 {last.at:%Y-%m-%d %H:%M} 在另一台电脑上修改，已重新读取，请核对后再改。"


def check_version(s: Session, entity: str, key: str, current: int | None, seen: int | None) -> None:
    """Refuse an edit made on a row read at version ``seen`` (0: the view saw no row) when the row is now at
    ``current`` (None: no row); ``seen=None`` asks for no check (imports, the CLI)."""
    if seen is not None and (current or 0) != seen:
        raise StaleEdit(stale_message(s, entity, key))
