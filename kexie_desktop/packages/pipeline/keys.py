"""The signing keys: one per unit (issued by the city in the init package) and the city's own key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Office
from ...package_models import OfficeKey
from ..format import signing


def active_keys(s: Session, office: Office) -> list[bytes]:
    rows = s.scalars(
        select(OfficeKey).where(OfficeKey.office_id == office.id, OfficeKey.active.is_(True))
        .order_by(OfficeKey.id.desc())
    )
    return [bytes.fromhex(row.key) for row in rows]


def signing_key(s: Session, office: Office) -> bytes | None:
    """The newest active key of the office, or None."""
    keys = active_keys(s, office)
    return keys[0] if keys else None


def ensure_key(s: Session, office: Office) -> bytes:
    """The office's key, generating one the first time (city side)."""
    key = signing_key(s, office)
    if key is None:
        key = signing.new_key()
        s.add(OfficeKey(office=office, key=key.hex()))
        s.flush()
    return key


def install_key(s: Session, office: Office, key: bytes) -> bool:
    """Make ``key`` the office's only active key (unit side, from an init package). True if new."""
    rows = list(s.scalars(select(OfficeKey).where(OfficeKey.office_id == office.id)))
    changed = False
    found = False
    for row in rows:
        wanted = row.key == key.hex()
        found = found or wanted
        if row.active != wanted:
            row.active, changed = wanted, True
    if not found:
        s.add(OfficeKey(office=office, key=key.hex()))
        changed = True
    s.flush()
    return changed
