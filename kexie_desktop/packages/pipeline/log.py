"""The package log (every package sent or received) and the per-office sequence numbers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...package_models import LOG_KINDS, RESULTS, PackageLog, PackageSequence
from ..format.manifest import Manifest

UP_KINDS = ("submission",)
DOWN_KINDS = ("plan", "init")


def stream_of(kind: str) -> str:
    return "up" if kind in UP_KINDS else "down"


def next_sequence(s: Session, office_code: str, stream: str) -> int:
    row = s.get(PackageSequence, (office_code, stream))
    if row is None:
        row = PackageSequence(office_code=office_code, stream=stream, last=0)
        s.add(row)
    row.last += 1
    s.flush()
    return row.last


def raise_sequence(s: Session, office_code: str, stream: str, at_least: int) -> None:
    """Never number a package lower than ``at_least`` + 1 (a reinstalled unit continues its numbering)."""
    row = s.get(PackageSequence, (office_code, stream))
    if row is None:
        s.add(PackageSequence(office_code=office_code, stream=stream, last=at_least))
    elif row.last < at_least:
        row.last = at_least
    s.flush()


def record(s: Session, *, direction: str, result: str, file_name: str, manifest: Manifest | None = None,
           checksum: str = "", message: str = "", kind: str | None = None) -> PackageLog:
    m = manifest
    entry = PackageLog(
        package_id=m.package_id if m else "",
        kind=(m.kind if m else kind) or "unknown",
        direction=direction,
        office_code=m.office_code if m else "",
        year=m.year if m else None,
        sequence=m.sequence if m else None,
        checksum=checksum,
        file_name=file_name[:260],
        result=result,
        message=message,
    )
    s.add(entry)
    s.flush()
    return entry


def _applied(s: Session, kinds, office_code: str | None, year: int | None):
    q = select(PackageLog).where(
        PackageLog.direction == "received", PackageLog.result == "applied", PackageLog.kind.in_(kinds)
    )
    if office_code is not None:
        q = q.where(PackageLog.office_code == office_code)
        q = q.where(PackageLog.year.is_(None) if year is None else PackageLog.year == year)
    return q


def last_applied(s: Session, manifest: Manifest) -> PackageLog | None:
    """The applied package this one would supersede: same office and year for submissions; any
    downward package for plan and init packages (they share the city's numbering)."""
    if manifest.kind in UP_KINDS:
        q = _applied(s, UP_KINDS, manifest.office_code, manifest.year)
    else:
        q = _applied(s, DOWN_KINDS, None, None)
    return s.scalars(q.order_by(PackageLog.sequence.desc(), PackageLog.id.desc())).first()


def max_received_sequence(s: Session, office_code: str) -> int:
    """The highest sequence of any package received from an office (0 if none)."""
    q = select(PackageLog.sequence).where(
        PackageLog.direction == "received", PackageLog.office_code == office_code,
        PackageLog.kind.in_(UP_KINDS), PackageLog.result == "applied",
    ).order_by(PackageLog.sequence.desc())
    return s.scalars(q).first() or 0


def entries(s: Session, limit: int | None = None) -> list[PackageLog]:
    q = select(PackageLog).order_by(PackageLog.id.desc())
    if limit:
        q = q.limit(limit)
    return list(s.scalars(q))


def describe(entry: PackageLog) -> dict:
    """A log entry as plain data (for JSON and the GUI)."""
    return {
        "at": entry.at.isoformat(sep=" "),
        "direction": entry.direction,
        "kind": entry.kind,
        "kind_label": LOG_KINDS.get(entry.kind, entry.kind),
        "office": entry.office_code,
        "year": entry.year,
        "sequence": entry.sequence,
        "package_id": entry.package_id,
        "checksum": entry.checksum,
        "file": entry.file_name,
        "result": entry.result,
        "result_label": RESULTS.get(entry.result, entry.result),
        "message": entry.message,
    }


def unsent_changes(s: Session, office) -> int:
    """Changes made since this office last sent its data upward (a unit) or targets downward (the city).

    Counted from the audit log; built-in plan rows and demo data do not count.
    """
    from sqlalchemy import func

    from ...models import AuditEntry

    kinds, entities = (DOWN_KINDS, ("target",)) if office.is_city else (UP_KINDS, ("value", "activity"))
    q = select(func.max(PackageLog.at)).where(PackageLog.direction == "sent", PackageLog.kind.in_(kinds))
    if not office.is_city:
        q = q.where(PackageLog.office_code == office.code)
    last_sent = s.scalar(q)
    count = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity.in_(entities), AuditEntry.source.not_in(("builtin", "demo"))
    )
    if not office.is_city:
        count = count.where(AuditEntry.office_id == office.id)
    if last_sent is not None:
        count = count.where(AuditEntry.at > last_sent)
    return s.scalar(count) or 0
