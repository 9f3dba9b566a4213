"""The package log (every package sent or received) and the per-office sequence numbers."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import AuditEntry
from ...package_kinds import REPLY_KINDS
from ...package_models import LOG_KINDS, RESULTS, PackageLog, PackageSequence, month_list
from ...review.summary import months_text
from ...services import demo, offices
from ..format.manifest import Manifest

UP_KINDS = ("submission",)
DOWN_KINDS = ("plan", "init")


def stream_of(kind: str) -> str:
    return "up" if kind in UP_KINDS else "reply" if kind in REPLY_KINDS else "down"


def next_sequence(s: Session, office_code: str, stream: str) -> int:
    # FOR UPDATE on a server: two clerks numbering at once wait for each other instead of both reading
    # the same last number (SQLite renders nothing; its write transactions are serialized anyway).
    row = s.get(PackageSequence, (office_code, stream), with_for_update=True)
    if row is None:
        row = PackageSequence(office_code=office_code, stream=stream, last=0)
        s.add(row)
    row.last += 1
    s.flush()
    return row.last


def raise_sequence(s: Session, office_code: str, stream: str, at_least: int) -> None:
    """Never number a package lower than ``at_least`` + 1 (a reinstalled unit continues its numbering)."""
    row = s.get(PackageSequence, (office_code, stream), with_for_update=True)
    if row is None:
        s.add(PackageSequence(office_code=office_code, stream=stream, last=at_least))
    elif row.last < at_least:
        row.last = at_least
    s.flush()


def _months(months) -> str:
    return ",".join(map(str, sorted(months or ())))


def _created(m: Manifest | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(m.created) if m and m.created else None
    except ValueError:  # a refused file's manifest may say anything
        return None


def record(s: Session, *, direction: str, result: str, file_name: str, manifest: Manifest | None = None,
           checksum: str = "", message: str = "", kind: str | None = None, review: dict | None = None) -> PackageLog:
    """``review``: a submission's review summary (PackagePreview.review, or the exporter's), kept with the
    entry with the months the package holds data for and its approved months (报送情况 reads them)."""
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
        review=review["state"] if review else "",
        unapproved_months=_months(review["unapproved_months"]) if review else "",
        created=_created(m),
        months=_months(review.get("months")) if review else "",
        approved_months=_months(review["approved_months"]) if review else "",
        reply_to=m.reply_to if m else "",
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
    """The applied package this one would supersede: same office and year for submissions, and for
    receipts and returns (of which the newer tells the state); any downward package for plan and init
    packages (they share the city's numbering)."""
    if manifest.kind in UP_KINDS:
        q = _applied(s, UP_KINDS, manifest.office_code, manifest.year)
    elif manifest.kind in REPLY_KINDS:  # replies about one unit's year, receipts and returns in one order
        q = _applied(s, REPLY_KINDS, manifest.office_code, manifest.year)
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
        "review": entry.review or None,
        "review_label": review_label(entry),
        "unapproved_months": month_list(entry.unapproved_months),
    }


def review_label(entry: PackageLog) -> str:
    """未审核（7—9月） / 已审核 for a submission whose review the log knows; else empty."""
    if entry.review == "approved":
        return "已审核"
    if entry.review == "draft":
        months = month_list(entry.unapproved_months)
        return f"未审核（{months_text(months)}）" if months else "未审核"
    return ""


def review_states(s: Session, year: int) -> dict[str, str]:
    """Unit code → 已审核 / 未审核: the review of the last submission for ``year`` applied from each
    unit (a unit whose package predates review, or that sent none, is absent)."""
    q = select(PackageLog.office_code, PackageLog.review).where(
        PackageLog.direction == "received", PackageLog.result == "applied", PackageLog.kind.in_(UP_KINDS),
        PackageLog.year == year,
    ).order_by(PackageLog.sequence, PackageLog.id)
    found = {code: review for code, review in s.execute(q)}
    return {code: "已审核" if review == "approved" else "未审核" for code, review in found.items() if review}


def unsent_changes(s: Session, office) -> int:
    """Changes this office made that no package it sent has carried yet (a unit: upward; the city:
    downward). The sum of ``unsent_by_scope``."""
    return sum(unsent_by_scope(s, office).values())


def unsent_by_scope(s: Session, office) -> dict:
    """Unsent changes per scope that a package carries, from the audit log (built-in plan rows and demo
    data do not count).

    A unit: {year: n}. A submission for year Y carries the year's values and the ledger records dated
    in it, so exporting Y clears Y only. The city: {unit code: n} for the targets of each unit, cleared
    by a plan or init package for that unit (or a plan package for all units); the city's own targets
    travel in every such package and count under the city's code until every unit got one after them.
    A change in the same second as the export counts as carried (timestamps are whole seconds).
    """
    if office.is_city:
        return _unsent_targets(s, office, offices.units(s))
    sent = _last_sent(s, UP_KINDS, office.code)
    counts: dict[int, int] = {}
    q = select(AuditEntry.entity, AuditEntry.entity_key, AuditEntry.old, AuditEntry.new, AuditEntry.at).where(
        AuditEntry.entity.in_(("value", "activity")), AuditEntry.office_id == office.id,
        _counted(AuditEntry.source),
    )
    for entity, key, old, new, at in s.execute(q):
        for year in _years_of(entity, key, old, new):
            if year in sent and at <= sent[year]:
                continue
            counts[year] = counts.get(year, 0) + 1
    return counts


def _counted(source):
    """Neither the built-in plan nor demo data (entered as demo or from a demo package)."""
    return (source != "builtin") & ~demo._is_demo_source(source)


def _last_sent(s: Session, kinds, office_code: str | None = None) -> dict:
    """(office code, year) of sent packages -> when the last one was sent; keyed by year for one office."""
    q = select(PackageLog.office_code, PackageLog.year, func.max(PackageLog.at)).where(
        PackageLog.direction == "sent", PackageLog.kind.in_(kinds)
    ).group_by(PackageLog.office_code, PackageLog.year)
    if office_code is not None:
        return {year: at for code, year, at in s.execute(q) if code == office_code}
    return {(code, year): at for code, year, at in s.execute(q)}


def _years_of(entity: str, key: str, old: str | None, new: str | None) -> set[int]:
    """The submission years an audit entry belongs to: a value's month; a record's date before and after."""
    if entity == "value":  # "I09/320703/2019-05"
        return {int(key.rsplit("/", 1)[1][:4])}
    return {int(json.loads(snap)["date"][:4]) for snap in (old, new) if snap}


def _unsent_targets(s: Session, city, units) -> dict:
    sent = {code: at for (code, _year), at in _last_sent(s, DOWN_KINDS).items()}
    to_all = sent.get(city.code)
    # When each unit last got its targets: a package for it alone, or one for all units.
    got = {u.id: max(filter(None, (sent.get(u.code), to_all)), default=None) for u in units}
    codes = {u.id: u.code for u in units} | {city.id: city.code}
    # The city's own targets reach every unit in any package: unsent until the last unit got one.
    got[city.id] = None if None in got.values() or not units else min(got.values())
    q = select(AuditEntry.office_id, AuditEntry.at, func.count()).where(
        AuditEntry.entity == "target", _counted(AuditEntry.source),
    ).group_by(AuditEntry.office_id, AuditEntry.at)
    counts: dict[str, int] = {}
    for office_id, at, n in s.execute(q):
        if office_id not in codes or (got[office_id] is not None and at <= got[office_id]):
            continue
        counts[codes[office_id]] = counts.get(codes[office_id], 0) + n
    return counts
