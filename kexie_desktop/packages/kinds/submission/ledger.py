"""The activity ledger part of a submission import: classify every record by its uid (new, changed,
unchanged, deleted, refused) and apply with bulk statements.

Audit: a changed or deleted record gets an audit entry with its old snapshot, since that is what the
import would otherwise lose. A new record does not: its row already holds every field, its source
names the package, and the package log says when that package arrived, from which file, with which
checksum. (At the city, 100,000 duplicate audit rows would double the import's writes.)

Built for 100,000 records: rows are first checked column by column (one set or max over a column);
only when that finds a problem are the rows checked one by one to name the row and column.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from ....errors import UserError
from ....models import Activity, ActivityType, AuditEntry, Office
from ....validation import check_text
from ...pipeline import bulk
from ...pipeline.results import CHANGED, DELETED, NEW, SAME, ChangeBlock, RowChange
from .export import LEDGER
from .scope import SubmissionScope

CHUNK = 900  # stays under SQLite's bound-parameter limit


class Sheet(NamedTuple):
    """The ledger sheet's columns, in LEDGER order: each a column list (or, for one row, a value)."""

    uid: list
    office: list
    type: list
    type_name: list
    date: list
    title: list
    place: list
    participants: list
    audience: list
    note: list


class Fields(NamedTuple):
    """What a record holds, as compared, shown and audited (dates as ISO text)."""

    type: str
    date: str
    title: str
    place: str
    participants: int
    audience: int
    note: str


class Stored(NamedTuple):
    """A record already in this database."""

    id: int
    fields: Fields


LEDGER_FIELDS = Fields._fields
FIELD_LABELS = {"type": "类型", "date": "日期", "title": "名称", "place": "地点", "participants": "参与人数",
                "audience": "受众人次", "note": "备注"}
INSERT_KEYS = ("uid", "office_id", "type_id", "date", "title", "place", "participants", "audience", "note")
TEXT_LIMITS = (("title", 200, True), ("place", 200, False), ("note", 500, False))  # key, length, required
MAX_COUNT = 100_000_000  # as the ledger form: more people than that at one event is a typing slip
_escape = json.encoder.encode_basestring  # the (C) string escaper of json.dumps(ensure_ascii=False)


@dataclass
class LedgerOps:
    inserts: list[tuple] = field(default_factory=list)  # in INSERT_KEYS order
    updates: list[dict] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    audits: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # uid, old, new JSON

    @property
    def touched(self) -> bool:
        return bool(self.inserts or self.updates or self.deletes)


_SNAPSHOT = ('{{"audience": {}, "date": {}, "note": {}, "participants": {}, "place": {}, "title": {}, '
             '"type": {}}}')


def snapshot_json(fields: tuple) -> str:
    """The audit snapshot of one record (type, date, title, place, participants, audience, note): the
    very text services.audit writes (json.dumps with ensure_ascii=False, sort_keys=True)."""
    kind, date, title, place, people, audience, note = fields
    e = _escape
    return _SNAPSHOT.format(int(audience), e(date), e(note), int(people), e(place), e(title), e(kind))


def _existing(s: Session, office: Office) -> dict[str, Stored]:
    q = (select(Activity.uid, Activity.id, ActivityType.code, Activity.date, Activity.title, Activity.place,
                Activity.participants, Activity.audience, Activity.note)
         .join(ActivityType, Activity.type_id == ActivityType.id).where(Activity.office_id == office.id))
    return {uid: Stored(aid, Fields(t, d.isoformat(), title, place or "", p, a, note or ""))
            for uid, aid, t, d, title, place, p, a, note in s.execute(q)}


def _moved_by_newer_package(s: Session, scope: SubmissionScope, existing: dict, uids: list[str]) -> dict[str, int]:
    """uid -> sequence, for records of another year last written by a package newer than this one.

    Sequence numbers run across the years of an office, so a late package of last year must not
    pull back (and a later package then delete) an activity that a newer package moved to this year.
    """
    from ....package_models import PackageLog

    other_year = [u for u in uids if u in existing and int(existing[u].fields.date[:4]) != scope.year]
    if not other_year:
        return {}
    sources = {}
    for i in range(0, len(other_year), CHUNK):
        q = select(Activity.uid, Activity.source).where(
            Activity.office_id == scope.office.id, Activity.uid.in_(other_year[i:i + CHUNK]))
        sources.update(s.execute(q).all())
    package_ids = {src.removeprefix("package:") for src in sources.values() if src.startswith("package:")}
    sequences = dict(s.execute(
        select(PackageLog.package_id, PackageLog.sequence).where(
            PackageLog.package_id.in_(package_ids), PackageLog.result == "applied")
    ).all()) if package_ids else {}
    out = {}
    for uid, src in sources.items():
        seq = sequences.get(src.removeprefix("package:"))
        if seq is not None and seq > scope.sequence:
            out[uid] = seq
    return out


def _owners(s: Session, office: Office, uids: list[str]) -> dict[str, str]:
    """uid -> name of the other office that already has it. Few uids: look them up; many: one scan
    of the other offices' uids is cheaper than hundreds of IN (...) queries."""
    q = select(Activity.uid, Office.name).join(Office, Activity.office_id == Office.id)
    if len(uids) > 4 * CHUNK:
        wanted = set(uids)
        return {u: n for u, n in s.execute(q.where(Activity.office_id != office.id)) if u in wanted}
    found = {}
    for i in range(0, len(uids), CHUNK):
        found.update(s.execute(q.where(Activity.uid.in_(uids[i:i + CHUNK]))).all())
    return found


def _row_problem(scope: SubmissionScope, row: Sheet, types: dict) -> tuple[str, str] | None:
    """(column key, reason) of the first problem of a ledger row, or None."""
    office_code, type_code, date = row.office, row.type, row.date
    if office_code != scope.office.code:
        return "office", f"此行属于单位 {office_code}，而此包是{scope.office.name}的上报包。"
    if type_code not in types:
        return "type", f"未知的活动类型代码“{type_code}”。"
    year = int(date[:4])
    if year != scope.year:
        if not scope.plan.start_year <= year <= scope.plan.end_year:
            return "date", f"日期 {date} 超出计划期（{scope.plan.start_year}—{scope.plan.end_year}年）。"
        return "date", f"日期 {date} 不属于此包的年份（{scope.year}年）。"
    for key, limit, required in TEXT_LIMITS:
        text = getattr(row, key)
        if len(text) > limit or (required and not text.strip()):
            try:
                check_text(text, _header(key), limit, required)
            except UserError as exc:
                return key, str(exc)
    for key in ("participants", "audience"):
        if getattr(row, key) > MAX_COUNT:
            return key, f"{_header(key)} {getattr(row, key)} 过大，请检查是否多输入了数字。"
    return None


def _header(key: str) -> str:
    return LEDGER.columns[LEDGER.index(key)].header


def _all_valid(scope: SubmissionScope, columns: Sheet, types: dict) -> bool:
    """True when every row passes ``_row_problem`` and no uid repeats — checked column by column."""
    uid, office, kind, _name, date, title, place, people, audience, note = columns
    if not uid:
        return True
    return (set(office) == {scope.office.code} and set(kind) <= types.keys()
            and {d[:5] for d in set(date)} == {f"{scope.year}-"} and len(set(uid)) == len(uid)
            and max(map(len, title)) <= 200 and all(map(str.strip, title))
            and max(map(len, place)) <= 200 and max(map(len, note)) <= 500
            and max(people) <= MAX_COUNT and max(audience) <= MAX_COUNT)


class _Types(dict):
    """Activity type code -> id; ``names``: code -> name, for the preview's texts."""

    def __init__(self, s: Session):
        found = list(s.scalars(select(ActivityType)))
        super().__init__((t.code, t.id) for t in found)
        self.names = {t.code: t.name for t in found}


def classify_ledger(s: Session, scope: SubmissionScope, table: tuple[list[int], list]) -> LedgerOps:
    """``table``: Excel row numbers and typed columns of the ledger sheet (workbook.typed_columns)."""
    numbers, columns = table[0], Sheet(*table[1])
    types = _Types(s)
    existing = _existing(s, scope.office)
    if not _all_valid(scope, columns, types):
        rows = _valid_rows(scope, zip(numbers, map(Sheet._make, zip(*columns))), types)
        numbers = [n for n, _ in rows]
        columns = Sheet(*(list(zip(*(r for _, r in rows))) or [()] * len(Sheet._fields)))
    ops = LedgerOps()
    uids = columns.uid
    field_columns = [columns.type, columns.date, columns.title, columns.place, columns.participants,
                     columns.audience, columns.note]
    if not existing:  # the first package of an office: every record is new
        _fresh(s, scope, ops, numbers, uids, field_columns, types)
        return ops
    fresh = []
    newer = _moved_by_newer_package(s, scope, existing, uids)
    for rownum, uid, row_fields in zip(numbers, uids, zip(*field_columns)):
        old = existing.get(uid)
        if old is None:
            fresh.append((rownum, uid, row_fields))
        elif uid in newer:
            scope.changes.append(RowChange(
                LEDGER.name, rownum, uid, SAME, f"{old.fields.date} {old.fields.title}",
                reason=f"此活动已由序号更大的上报包（序号 {newer[uid]}）改到 {old.fields.date[:4]} 年，旧包不会把它改回。"))
        elif old.fields == row_fields:
            scope.changes.append(RowChange(LEDGER.name, rownum, uid, SAME, f"{old.fields.date} {old.fields.title}"))
        else:
            _changed(scope, ops, rownum, uid, old, row_fields, types)
    if fresh:
        fresh_numbers, fresh_uids, fresh_fields = zip(*fresh)
        _fresh(s, scope, ops, fresh_numbers, fresh_uids, list(zip(*fresh_fields)), types)
    _deleted(scope, ops, existing, set(uids))
    return ops


def _valid_rows(scope: SubmissionScope, rows, types: dict) -> list:
    """The rows without problems, refusing the others one by one (row and column named)."""
    seen, valid = {}, []
    for rownum, row in rows:
        problem = _row_problem(scope, row, types)
        if problem is None and row.uid in seen:
            problem = "uid", f"记录编号与第 {seen[row.uid]} 行重复（同一活动只能有一行）。"
        if problem is not None:
            scope.refuse(LEDGER, rownum, *problem)
            continue
        seen[row.uid] = rownum
        valid.append((rownum, row))
    return valid


def _values(fields: tuple, types: dict) -> dict:
    type_code, date, title, place, participants, audience, note = fields
    return {"type_id": types[type_code], "date": dt.date.fromisoformat(date), "title": title, "place": place,
            "participants": participants, "audience": audience, "note": note}


def _changed(scope, ops: LedgerOps, rownum: int, uid: str, old: Stored, fields: tuple, types: dict) -> None:
    fields = Fields._make(fields)
    diff = [(name, types.names.get(o, o), types.names.get(n, n)) if name == "type" else (name, o, n)
            for name, o, n in zip(LEDGER_FIELDS, old.fields, fields) if o != n]
    old_text = "；".join(f"{FIELD_LABELS[k]} {o}" for k, o, _ in diff)
    new_text = "；".join(f"{FIELD_LABELS[k]} {n}" for k, _, n in diff)
    scope.changes.append(RowChange(LEDGER.name, rownum, uid, CHANGED, f"{fields.date} {fields.title}", old_text, new_text))
    ops.updates.append({"id": old.id, **_values(fields, types)})
    ops.audits.append((uid, snapshot_json(old.fields), snapshot_json(fields)))


def _fresh(s: Session, scope, ops: LedgerOps, numbers, uids, fields, types: dict) -> None:
    """New records, column by column (on a first import that is every one of 100,000 rows);
    ``fields``: the columns type, date, title, place, participants, audience, note."""
    owners = _owners(s, scope.office, uids) if uids else {}
    if owners:
        for rownum, uid in zip(numbers, uids):
            if uid in owners:
                scope.refuse(LEDGER, rownum, "uid", f"记录编号“{uid}”已属于{owners[uid]}的活动台账，"
                                                   f"不能由{scope.office.name}的上报包写入。")
        keep = [i for i, uid in enumerate(uids) if uid not in owners]
        numbers, uids = [numbers[i] for i in keep], [uids[i] for i in keep]
        fields = [[column[i] for i in keep] for column in fields]
    if not uids:
        return
    kinds, dates, titles, places, people, audience, notes = fields
    scope.changes.add(ChangeBlock(LEDGER.name, NEW, numbers, uids, ("{} {}", (dates, titles)),
                                  ("{}，{} 人，{} 人次", (list(map(types.names.__getitem__, kinds)), people, audience))))
    ops.inserts.extend(zip(uids, repeat(scope.office.id), map(types.__getitem__, kinds),
                           dates, titles, places, people, audience, notes))


def _deleted(scope, ops: LedgerOps, existing: dict, seen: dict) -> None:
    for uid, old in existing.items():
        if uid in seen or int(old.fields.date[:4]) != scope.year:
            continue
        scope.changes.append(RowChange(LEDGER.name, None, uid, DELETED, f"{old.fields.date} {old.fields.title}",
                                       old=old.fields.type))
        ops.deletes.append(old.id)
        ops.audits.append((uid, snapshot_json(old.fields), None))


def apply_ledger(s: Session, office: Office, ops: LedgerOps, user: str, source: str) -> None:
    """Bulk statements: 100,000 records must import in seconds."""
    now = dt.datetime.now().replace(microsecond=0)
    conn = s.connection()
    table = Activity.__table__
    for i in range(0, len(ops.deletes), CHUNK):
        conn.execute(delete(table).where(table.c.id.in_(ops.deletes[i:i + CHUNK])))
    if ops.updates:  # Core, not the ORM's bulk update: that wants each row's version, and the counter moves
        keys = [k for k in ops.updates[0] if k != "id"]
        changed = (update(table).where(table.c.id == bindparam("b_id"))
                   .values({**{k: bindparam("b_" + k) for k in keys}, "updated_at": now, "source": source,
                            "version": table.c.version + 1}))
        conn.execute(changed, [{"b_" + k: v for k, v in row.items()} for row in ops.updates])
    # In key order the uid indexes grow at one end instead of splitting pages all over.
    ops.inserts.sort(key=itemgetter(0))
    ops.audits.sort(key=itemgetter(0))
    bulk.insert_rows(conn, table, INSERT_KEYS, ops.inserts, {"created_by": user, "updated_at": now, "source": source})
    bulk.insert_rows(conn, AuditEntry.__table__, ("entity_key", "old", "new"), ops.audits,
                     {"at": now, "user": user, "source": source, "entity": "activity", "office_id": office.id})
