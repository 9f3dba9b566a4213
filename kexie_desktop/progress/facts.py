"""The figures behind progress, read with a few grouped queries (never one query per cell).

Entered indicators come from ``data_value``; ledger indicators from ``activity`` joined to the
activity types that count toward them. Everything is grouped by indicator × office × year inside
the window plan start .. cutoff, so one read serves every office and indicator at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import and_, case, extract, func, select
from sqlalchemy.orm import Session, aliased

from ..models import Activity, ActivityTypeIndicator, DataValue, Indicator, Target

STOCK_KINDS = ("level", "coverage")


@dataclass
class Cell:
    """One indicator × office × year, within the window."""

    total: float  # sum of the monthly values, or of the ledger measure
    count: int  # entries or activities: 0 never occurs, absent cells mean "nothing reported"
    last_value: float | None = None  # stocks: the value of the latest month
    last_base: float | None = None  # coverage: its base


# (indicator_id, office_id) -> {year: Cell}
Facts = dict[tuple[int, int], dict[int, Cell]]


def _month_key(year, month):
    return year * 100 + month


def load_facts(
    s: Session, start: dt.date, cutoff: dt.date | None, indicators: Iterable[Indicator], office_ids: list[int]
) -> Facts:
    """Yearly cells of the given indicators and offices for months/days in ``start .. cutoff``."""
    facts: Facts = {}
    if cutoff is None or not office_ids:
        return facts
    indicators = list(indicators)
    entered = [i for i in indicators if not i.is_ledger]
    ledger = [i for i in indicators if i.is_ledger]
    if entered:
        _load_entered(s, facts, start, cutoff, entered, office_ids)
        _carry_over(s, facts, start, entered, office_ids)
    if ledger:
        _load_ledger(s, facts, start, cutoff, [i.id for i in ledger], office_ids)
    return facts


def _load_entered(s, facts: Facts, start, cutoff, indicators: list[Indicator], office_ids) -> None:
    stock_ids = [i.id for i in indicators if i.kind in STOCK_KINDS]
    dv = DataValue
    grouped = (
        select(
            dv.indicator_id.label("ind"), dv.office_id.label("office"), dv.year.label("year"),
            func.sum(dv.value).label("total"), func.count().label("n"), func.max(dv.month).label("last"),
        )
        .where(
            dv.indicator_id.in_([i.id for i in indicators]),
            dv.office_id.in_(office_ids),
            _month_key(dv.year, dv.month).between(
                _month_key(start.year, start.month), _month_key(cutoff.year, cutoff.month)
            ),
        )
        .group_by(dv.indicator_id, dv.office_id, dv.year)
        .subquery()
    )
    last = aliased(DataValue)
    # The latest month's value is only needed for stocks; flows skip the lookup.
    on_last = and_(
        grouped.c.ind.in_(stock_ids), last.indicator_id == grouped.c.ind, last.office_id == grouped.c.office,
        last.year == grouped.c.year, last.month == grouped.c.last,
    )
    query = select(
        grouped.c.ind, grouped.c.office, grouped.c.year, grouped.c.total, grouped.c.n, last.value, last.base
    ).outerjoin(last, on_last)
    for ind, office, year, total, n, value, base in s.execute(query):
        facts.setdefault((ind, office), {})[year] = Cell(total, n, value, base)


def _carry_over(s, facts: Facts, start: dt.date, indicators: list[Indicator], office_ids) -> None:
    """A level of a new plan linked to its predecessor (``carry_over``) starts from the predecessor's last
    value: a cell of the year before the plan, which any value entered in the plan supersedes (the
    latest year wins)."""
    for indicator in indicators:
        if indicator.kind != "level" or not indicator.carry_over or indicator.predecessor_id is None:
            continue
        for office, value in carried_values(s, indicator, office_ids, start).items():
            facts.setdefault((indicator.id, office), {})[start.year - 1] = Cell(value, 1, value, None)


MAX_CHAIN = 20  # plans a carried value may pass through


def carried_values(s: Session, indicator: Indicator, office_ids, start: dt.date) -> dict[int, float]:
    """office_id -> the last value before ``start`` of the predecessors of ``indicator``, nearest plan first
    (a predecessor that carried over itself passes its own predecessor's value on)."""
    found: dict[int, float] = {}
    current, wanted = indicator, set(office_ids)
    for _ in range(MAX_CHAIN):
        if not wanted or current.predecessor_id is None or not (current.carry_over or current is indicator):
            break
        previous = s.get(Indicator, current.predecessor_id)
        for office, value in _last_values(s, previous.id, sorted(wanted), start).items():
            found[office] = value
            wanted.discard(office)
        current = previous
    return found


def _last_values(s: Session, indicator_id: int, office_ids: list[int], start: dt.date) -> dict[int, float]:
    dv = DataValue
    key = _month_key(dv.year, dv.month)
    latest = (
        select(dv.office_id.label("office"), func.max(key).label("k"))
        .where(dv.indicator_id == indicator_id, dv.office_id.in_(office_ids),
               key < _month_key(start.year, start.month))
        .group_by(dv.office_id)
        .subquery()
    )
    query = select(dv.office_id, dv.value).join(
        latest, and_(dv.office_id == latest.c.office, _month_key(dv.year, dv.month) == latest.c.k)
    ).where(dv.indicator_id == indicator_id)
    return {office: value for office, value in s.execute(query)}


def _load_ledger(s, facts: Facts, start, cutoff, indicator_ids: list[int], office_ids) -> None:
    # Group the (large) ledger by type first, then spread the few groups over the indicators:
    # much cheaper than joining every record to its indicator links before grouping.
    year = extract("year", Activity.date)
    by_type = (
        select(
            Activity.type_id, Activity.office_id, year.label("year"), func.count().label("n"),
            func.sum(Activity.audience).label("audience"), func.sum(Activity.participants).label("participants"),
        )
        .where(Activity.office_id.in_(office_ids), Activity.date.between(start, cutoff))
        .group_by(Activity.type_id, Activity.office_id, year)
        .subquery()
    )
    link = ActivityTypeIndicator
    amount = case(
        (link.measure == "count", by_type.c.n),
        (link.measure == "audience", by_type.c.audience),
        else_=by_type.c.participants,
    )
    query = (
        select(link.indicator_id, by_type.c.office_id, by_type.c.year, func.sum(amount), func.sum(by_type.c.n))
        .join(link, link.activity_type_id == by_type.c.type_id)
        .where(link.indicator_id.in_(indicator_ids))
        .group_by(link.indicator_id, by_type.c.office_id, by_type.c.year)
    )
    for ind, office, yr, total, n in s.execute(query):
        facts.setdefault((ind, office), {})[int(yr)] = Cell(float(total or 0), n)


def load_targets(
    s: Session, indicators: Iterable[Indicator], office_ids: list[int], year: int
) -> dict[tuple[int, int], Target]:
    """(indicator_id, office_id) -> the target that applies in ``year`` (annual: that year; else the plan end)."""
    indicators = {i.id: i for i in indicators}
    if not indicators or not office_ids:
        return {}
    query = select(Target).where(
        Target.indicator_id.in_(list(indicators)),
        Target.office_id.in_(office_ids),
        (Target.year == year) | Target.year.is_(None),
    )
    found = {}
    for target in s.scalars(query):
        wanted = year if indicators[target.indicator_id].is_annual else None
        if target.year == wanted:
            found[(target.indicator_id, target.office_id)] = target
    return found


@dataclass
class Month:
    """One office's figure of one month: the sum (flows) or the value and base (stocks)."""

    total: float
    count: int
    base: float | None = None


def load_months(
    s: Session, indicator: Indicator, office_ids: list[int], start: dt.date, cutoff: dt.date | None
) -> dict[tuple[int, int, int], Month]:
    """(office_id, year, month) -> Month for one indicator (the trend chart)."""
    if cutoff is None or not office_ids:
        return {}
    if indicator.is_ledger:
        return _ledger_months(s, indicator, office_ids, start, cutoff)
    dv = DataValue
    query = select(dv.office_id, dv.year, dv.month, dv.value, dv.base).where(
        dv.indicator_id == indicator.id,
        dv.office_id.in_(office_ids),
        _month_key(dv.year, dv.month).between(
            _month_key(start.year, start.month), _month_key(cutoff.year, cutoff.month)
        ),
    )
    return {(o, y, m): Month(v, 1, b) for o, y, m, v, b in s.execute(query)}


def _ledger_months(s, indicator, office_ids, start, cutoff):
    """Per office and month, from the linked activity types named in the query, so that the ledger index
    (office, type, date) narrows each office's records to the types and dates wanted."""
    links = s.execute(select(ActivityTypeIndicator.activity_type_id, ActivityTypeIndicator.measure)
                      .where(ActivityTypeIndicator.indicator_id == indicator.id)).all()
    if not links:
        return {}
    measures: dict[int, list[str]] = {}
    for type_id, measure in links:  # a type may count toward one indicator by two measures
        measures.setdefault(type_id, []).append(measure)
    year, month = extract("year", Activity.date), extract("month", Activity.date)
    query = (
        select(Activity.office_id, Activity.type_id, year, month, func.count(), func.sum(Activity.audience),
               func.sum(Activity.participants))
        .where(Activity.office_id.in_(office_ids), Activity.type_id.in_(list(measures)),
               Activity.date.between(start, cutoff))
        .group_by(Activity.office_id, Activity.type_id, year, month)
    )
    found: dict[tuple[int, int, int], Month] = {}
    for o, type_id, y, m, n, audience, participants in s.execute(query):
        by = {"count": n, "audience": audience or 0, "participants": participants or 0}
        amount = sum(float(by[k]) for k in measures[type_id])
        key = (o, int(y), int(m))
        old = found.get(key)
        # As the join of records and links counted: one per record and link.
        found[key] = Month(amount + (old.total if old else 0.0), n * len(measures[type_id]) + (old.count if old else 0))
    return found