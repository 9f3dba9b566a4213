"""Monthly data values of entered indicators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import DataValue, Indicator, Office
from ..validation import check_text, check_value, check_year
from .plan import check_plan_writable
from . import audit, locks

NOTE_LIMIT = 500


def find_value(s: Session, indicator: Indicator, office: Office, year: int, month: int) -> DataValue | None:
    return s.scalars(
        select(DataValue).where(
            DataValue.indicator_id == indicator.id,
            DataValue.office_id == office.id,
            DataValue.year == year,
            DataValue.month == month,
        )
    ).first()


def _snapshot(v: DataValue | None) -> dict | None:
    if v is None:
        return None
    return {"value": v.value, "base": v.base, "note": v.note}


def check_writable(indicator: Indicator, office: Office) -> None:
    if indicator.is_ledger:
        raise UserError(
            f"“{indicator.name}”由活动台账自动统计，不能直接填数；请在活动台账中登记活动。"
        )
    if indicator.aggregation == "city_only" and not office.is_city:
        raise UserError(f"“{indicator.name}”由市科协统一填报，{office.name}无需填写。")


@dataclass(frozen=True)
class ValueEdit:
    """One monthly cell to set; ``value=None`` clears it. ``note=None`` keeps the existing note.
    ``seen_version`` is the cell's version the editing view read (0: empty then; None: no check)."""

    indicator: Indicator
    office: Office
    year: int
    month: int
    value: float | None
    base: float | None = None
    note: str | None = None
    seen_version: int | None = None


def value_key(indicator: Indicator, office: Office, year: int, month: int) -> str:
    """The audit log's key of one monthly value."""
    return f"{indicator.code}/{office.code}/{year}-{month:02d}"


def set_value(
    s: Session,
    indicator: Indicator,
    office: Office,
    year: int,
    month: int,
    value: float | None,
    *,
    base: float | None = None,
    note: str | None = None,
    user: str = "",
    source: str = "manual",
) -> Changes:
    """Set (or, with ``value=None``, clear) one monthly value. Coverage values need ``base``."""
    edit = ValueEdit(indicator, office, year, month, value, base, note)
    return set_values(s, [edit], user=user, source=source)


class _NewValue:
    """A value first stored by this call: inserted with the others in one statement at the end
    (the ORM would spend about a quarter millisecond on each of thousands of imported values)."""

    def __init__(self, edit: ValueEdit):
        self.indicator_id, self.office_id = edit.indicator.id, edit.office.id
        self.year, self.month = edit.year, edit.month
        self.value, self.base, self.note, self.entered_by, self.source = None, None, "", "", ""

    def row(self) -> dict:
        return {"indicator_id": self.indicator_id, "office_id": self.office_id, "year": self.year,
                "month": self.month, "value": self.value, "base": self.base, "note": self.note,
                "entered_by": self.entered_by, "source": self.source}


def set_values(s: Session, edits: Iterable[ValueEdit], *, user: str = "", source: str = "manual") -> Changes:
    """Apply many edits with one lookup per office and year; all are validated before any is written."""
    from .demo import is_package_source  # local: demo builds on this module

    edits = list(edits)
    for edit in edits:
        _validate(edit)
    from_package = is_package_source(source)  # a unit's late package of an ended plan's year: that plan's data
    if not from_package:
        for plan_ in {edit.indicator.plan for edit in edits}:
            check_plan_writable(s, plan_)
    by_office: dict[int, tuple] = {}
    for edit in edits:
        by_office.setdefault(edit.office.id, (edit.office, set()))[1].add((edit.year, edit.month))
    for office, months in by_office.values():
        locks.check_unlocked(s, office, months, from_package=from_package)
    existing: dict = _load_existing(s, {(e.office.id, e.year) for e in edits})
    for edit in edits:  # all refused before any is written
        if edit.seen_version is not None:
            row = existing.get((edit.indicator.id, edit.office.id, edit.year, edit.month))
            audit.check_version(s, "value", value_key(edit.indicator, edit.office, edit.year, edit.month),
                                row.version if row else None, edit.seen_version)
    fresh: dict[tuple, _NewValue] = {}
    trail: list[dict] = []
    changes = Changes()
    with s.no_autoflush:
        for edit in edits:
            key = (edit.indicator.id, edit.office.id, edit.year, edit.month)
            row = existing.get(key)
            old = _snapshot(row)
            if edit.value is None:
                if row is None:
                    continue
                if key in fresh:
                    del fresh[key]
                else:
                    s.delete(row)
                existing.pop(key)
                new = None
            else:
                if row is None:
                    row = existing[key] = fresh[key] = _NewValue(edit)
                row.value, row.base = edit.value, _base(s, edit, old)
                if edit.note is not None:
                    row.note = edit.note
                new = _snapshot(row)
                if old == new:
                    continue
                row.entered_by, row.source = user, source
            entry = audit.entry("value", value_key(edit.indicator, edit.office, edit.year, edit.month),
                                edit.office.id, old, new, user=user, source=source)
            if entry:
                trail.append(entry)
            changes.values.add((edit.office.id, edit.indicator.id, edit.year))
    if fresh:
        s.execute(insert(DataValue), [v.row() for v in fresh.values()])
    audit.insert_entries(s, trail)
    return changes


def _base(s: Session, edit: ValueEdit, old: dict | None) -> float | None:
    """The edit's base; a coverage value without one keeps the cell's or carries an earlier month's."""
    if edit.indicator.kind != "coverage" or edit.base is not None:
        return edit.base
    base = old["base"] if old else _previous_base(s, edit)
    if base is None:
        raise UserError(f"“{edit.indicator.name}”是覆盖率指标，请同时填写应覆盖的{edit.indicator.covers or '单位'}总数。")
    _check_coverage(edit.indicator, edit.value, base)
    return base


def _previous_base(s: Session, edit: ValueEdit) -> float | None:
    """The number of units to cover rarely changes: carry it over from the latest earlier month."""
    return s.scalars(
        select(DataValue.base)
        .where(
            DataValue.indicator_id == edit.indicator.id,
            DataValue.office_id == edit.office.id,
            DataValue.base.is_not(None),
            DataValue.year * 100 + DataValue.month < edit.year * 100 + edit.month,
        )
        .order_by(DataValue.year.desc(), DataValue.month.desc())
        .limit(1)
    ).first()


def _load_existing(s: Session, scopes: set[tuple[int, int]]) -> dict[tuple[int, int, int, int], DataValue]:
    found: dict[tuple[int, int, int, int], DataValue] = {}
    for office_id, year in scopes:
        rows = s.scalars(
            select(DataValue).where(DataValue.office_id == office_id, DataValue.year == year)
        )
        for row in rows:
            found[(row.indicator_id, row.office_id, row.year, row.month)] = row
    return found


def _validate(edit: ValueEdit) -> None:
    indicator = edit.indicator
    check_writable(indicator, edit.office)
    check_year(edit.year, indicator.plan)
    if not 1 <= edit.month <= 12:
        raise UserError(f"月份 {edit.month} 不存在：应在 1 到 12 之间。")
    if edit.note is not None:
        check_text(edit.note, "备注", NOTE_LIMIT)
    if edit.value is None:
        return
    check_value(indicator, edit.value)
    if indicator.kind == "coverage":
        if edit.base is not None:
            _check_coverage(indicator, edit.value, edit.base)
    elif edit.base is not None:
        raise UserError(f"“{indicator.name}”不是覆盖率指标，不需要填写应覆盖总数。")


def _check_coverage(indicator: Indicator, value: float, base: float) -> None:
    check_value(indicator, base, "应覆盖总数")
    if value > base:
        raise UserError(f"已覆盖数 {value:g} 不能大于应覆盖总数 {base:g}。")
