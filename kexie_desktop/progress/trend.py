"""Month by month: the cumulative figure (flows) or the latest level (stocks) against the target pace."""

from __future__ import annotations

import calendar as cal
import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..models import Indicator, Office
from ..services import offices as office_service
from ..services import targets as target_service
from . import arithmetic
from .arithmetic import Figure
from .calendar import Period
from .engine import counts_units, make_scope
from .facts import Month, load_months


@dataclass(frozen=True)
class TrendPoint:
    year: int
    month: int
    actual: float | None  # None after the as-of month, or while nothing was reported yet
    pace: float | None  # target × elapsed share at the month's end (None without a target)


@dataclass(frozen=True)
class Trend:
    code: str
    name: str
    unit: str
    kind: str
    office_name: str
    target: float | None
    target_max: float | None
    as_of: dt.date
    cumulative: bool  # flows add up; stocks show their latest level
    points: list[TrendPoint]


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, cal.monthrange(year, month)[1])


def trend(
    s: Session, indicator: Indicator, office: Office, year: int | None = None, as_of: dt.date | None = None
) -> Trend:
    """The monthly series of one indicator for one office (the city office: consolidated)."""
    scope = make_scope(s, year, as_of)
    period = scope.period(indicator)
    offices = _offices(s, indicator, office)
    months = load_months(s, indicator, [o.id for o in offices], period.start, period.cutoff(scope.as_of))
    target = target_service.find_target(s, indicator, office, scope.year if indicator.is_annual else None)
    # A coverage of the units themselves counts a unit that has not reported yet as uncovered (as the row).
    counted = {o.id for o in offices if not o.is_city} if office.is_city and counts_units(indicator) else set()
    series = _series(indicator, [o.id for o in offices], months, period, scope.as_of, counted)
    points = [
        TrendPoint(y, m, actual, None if target is None else target.value * period.elapsed_share(month_end(y, m)))
        for (y, m), actual in series
    ]
    return Trend(
        indicator.code, indicator.name, indicator.unit, indicator.kind, office.name,
        None if target is None else target.value, None if target is None else target.max_value,
        scope.as_of, not arithmetic.is_stock(indicator.kind), points,
    )


def _offices(s: Session, indicator: Indicator, office: Office) -> list[Office]:
    if office.is_city and indicator.aggregation != "city_only":
        return [office] + office_service.units(s)
    return [office]


def _series(indicator, office_ids, months: dict[tuple[int, int, int], Month], period: Period, as_of,
            counted: set[int] = frozenset(), latest: dict[int, Figure] | None = None):
    """[((year, month), actual)] over the period; months after the as-of date have None. ``latest``: the
    stocks' figures carried in from a predecessor plan (updated in place)."""
    last = (as_of.year, as_of.month)
    latest = {} if latest is None else latest
    running, seen, out = 0.0, False, []
    for y, m in period.months():
        if (y, m) > last:
            out.append(((y, m), None))
            continue
        for office_id in office_ids:
            cell = months.get((office_id, y, m))
            if cell is None:
                continue
            seen = True
            running += cell.total
            latest[office_id] = _stock_figure(indicator, cell)
        if arithmetic.is_stock(indicator.kind):
            missing = len(counted - latest.keys())
            figure = arithmetic.consolidate(indicator.kind, indicator.aggregation, list(latest.values()),
                                            unreported_units=missing)
            out.append(((y, m), figure.actual))
        else:
            out.append(((y, m), running if seen else None))
    return out


def _stock_figure(indicator: Indicator, cell: Month) -> Figure:
    if indicator.kind == "coverage":
        return arithmetic.share(cell.total, cell.base or 0.0)
    return Figure(cell.total, True)


@dataclass(frozen=True)
class SpanPoint:
    plan: str
    year: int
    month: int
    actual: float | None


def lineage(s: Session, indicator: Indicator) -> list[Indicator]:
    """The indicator and its predecessors in earlier plans, oldest first."""
    chain = [indicator]
    while chain[-1].predecessor_id is not None and len(chain) < 20:
        chain.append(s.get(Indicator, chain[-1].predecessor_id))
    return chain[::-1]


def span_trend(s: Session, indicator: Indicator, office: Office, as_of: dt.date | None = None) -> list[SpanPoint]:
    """The monthly series of one indicator across the plans it descends from: each plan's months in turn;
    a level that carries over goes on from its predecessor's last figure (flows add up within a plan)."""
    from .calendar import plan_period

    as_of = as_of or dt.date.today()
    points: list[SpanPoint] = []
    latest: dict[int, Figure] = {}
    for link in lineage(s, indicator):
        period = plan_period(link.plan)
        if as_of < period.start:
            break
        if not (link.carry_over and arithmetic.is_stock(link.kind)):
            latest = {}
        ids = [o.id for o in _offices(s, link, office)]
        months = load_months(s, link, ids, period.start, period.cutoff(as_of))
        counted = {o.id for o in _offices(s, link, office) if not o.is_city} if office.is_city and counts_units(link) else set()
        series = _series(link, ids, months, period, min(as_of, period.end), counted, latest)
        points += [SpanPoint(link.plan.code, y, m, actual) for (y, m), actual in series]
    return points
