"""Progress rows per indicator × office, and the consolidated city picture.

One call reads its figures with a handful of grouped queries (see ``facts``) and returns plain
dataclasses. ``progress_for`` recomputes one office (optionally a few indicators); ``city_progress``
computes the city and every unit in one pass, which the ranking and the heatmap reuse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy.orm import Session

from ..models import Indicator, Office, Plan, Target
from ..services import offices as office_service
from ..services import plan as plan_service
from ..services import settings
from . import arithmetic
from .arithmetic import Figure
from .calendar import Period, check_year, default_as_of, plan_period, target_period
from .facts import Facts, load_facts, load_targets

@dataclass(frozen=True)
class ProgressRow:
    """Progress of one indicator for one office (the city's row is consolidated over its units)."""

    code: str
    name: str
    kind: str
    unit: str
    period: str
    aggregation: str
    entry: str
    office_code: str
    office_name: str
    year: int | None  # the target's year; None for a plan-end target
    target: float | None  # for a range: the lower bound
    target_max: float | None  # for a range: the upper (stretch) bound
    actual: float | None  # None when nothing was reported
    progress: float | None  # actual ÷ target (fraction)
    expected: float  # 时序进度 (fraction)
    status: str
    projection: float | None
    reported: bool
    covered: float | None  # coverage: units covered ...
    base: float | None  # ... of units that should be
    consolidated: bool
    # A consolidated row: how many of the units that count toward it reported (None for one office's
    # own row; 0 of 0 for a city-only indicator, which rests on the city office alone).
    units_reported: int | None
    units_total: int | None
    # To trace the figure back (ledger_records) and to refresh only what an edit touched:
    indicator_id: int
    office_id: int
    as_of: dt.date
    period_start: dt.date  # the target's own period ...
    period_end: dt.date
    window_end: dt.date | None  # ... counted up to here; None when it had not begun at the as-of date

    @property
    def is_ledger(self) -> bool:
        return self.entry == "ledger"


@dataclass(frozen=True)
class Scope:
    """What every row of one computation shares: the plan, the year of annual targets, the date."""

    plan: Plan
    year: int
    as_of: dt.date
    behind: float
    serious: float

    @property
    def plan_period(self) -> Period:
        return plan_period(self.plan)

    def period(self, indicator: Indicator) -> Period:
        return target_period(self.plan, indicator, self.year)


def make_scope(s: Session, year: int | None = None, as_of: dt.date | None = None) -> Scope:
    """``year`` defaults to the as-of year (within the plan); ``as_of`` to today clamped to the plan
    period and, with a year, to that year's end. An explicit ``as_of`` is kept as given."""
    plan = plan_service.current_plan(s)
    if year is None:
        day = as_of or default_as_of(plan)
        year = min(max(day.year, plan.start_year), plan.end_year)
    if not plan.start_year <= year <= plan.end_year:
        plan_service.refuse_other_plans_year(s, plan, year)
    check_year(plan, year)
    as_of = as_of or default_as_of(plan, year)
    return Scope(plan, year, as_of, *thresholds(s))


def thresholds(s: Session) -> tuple[float, float]:
    behind = settings.get(s, "threshold_behind")
    serious = settings.get(s, "threshold_serious")
    return (
        float(settings.DEFAULTS["threshold_behind"] if behind is None else behind),
        float(settings.DEFAULTS["threshold_serious"] if serious is None else serious),
    )


def _indicators(s: Session, plan: Plan, chosen: Iterable[Indicator] | None) -> list[Indicator]:
    every = plan_service.indicators(s, plan)
    if chosen is None:
        return every
    wanted = {i.id for i in chosen}
    return [i for i in every if i.id in wanted]


def _facts(s: Session, scope: Scope, indicators, office_ids) -> Facts:
    period = scope.plan_period
    return load_facts(s, period.start, period.cutoff(scope.as_of), indicators, office_ids)


def make_row(
    scope: Scope, office: Office, indicator: Indicator, figure: Figure, target: Target | None, consolidated: bool,
    units: tuple[int, int] | None = None,
) -> ProgressRow:
    """``units``: (reported, total) of the units behind a consolidated figure."""
    period = scope.period(indicator)
    expected = period.elapsed_share(scope.as_of)
    lower = None if target is None else target.value
    complete = units is None or units[0] == units[1]
    verdict = arithmetic.judge(indicator.kind, lower, figure, expected, scope.behind, scope.serious, complete)
    return ProgressRow(
        code=indicator.code, name=indicator.name, kind=indicator.kind, unit=indicator.unit,
        period=indicator.period, aggregation=indicator.aggregation, entry=indicator.entry,
        office_code=office.code, office_name=office.name,
        year=scope.year if indicator.is_annual else None,
        target=lower, target_max=None if target is None else target.max_value,
        actual=figure.actual, progress=verdict.progress, expected=expected, status=verdict.status,
        projection=verdict.projection, reported=figure.reported, covered=figure.covered, base=figure.base,
        consolidated=consolidated, units_reported=None if units is None else units[0],
        units_total=None if units is None else units[1],
        indicator_id=indicator.id, office_id=office.id, as_of=scope.as_of,
        period_start=period.start, period_end=period.end, window_end=period.cutoff(scope.as_of),
    )


def _figure(scope: Scope, indicator: Indicator, office: Office, facts: Facts) -> Figure:
    cells = facts.get((indicator.id, office.id))
    return arithmetic.office_figure(indicator.kind, indicator.is_annual, cells, scope.year)


def _applies(indicator: Indicator, office: Office, targets) -> bool:
    """Units do not carry city-only indicators, unless someone gave them a target anyway."""
    return office.is_city or indicator.aggregation != "city_only" or (indicator.id, office.id) in targets


def office_rows(scope: Scope, office: Office, indicators, facts: Facts, targets) -> list[ProgressRow]:
    """One office's own rows (for the city office: its own entries only, not consolidated)."""
    return [
        make_row(scope, office, i, _figure(scope, i, office, facts), targets.get((i.id, office.id)), False)
        for i in indicators
        if _applies(i, office, targets)
    ]


def counts_units(indicator: Indicator) -> bool:
    """A coverage whose objects are the units themselves (县（区）全覆盖): every unit should be covered."""
    return indicator.kind == "coverage" and indicator.aggregation == "share" and indicator.covers_units


def city_row(scope: Scope, city: Office, units, indicator: Indicator, facts: Facts, targets) -> ProgressRow:
    """The city's figure: its own entries plus its units', by the indicator's aggregation rule.

    It says over how many units it stands, and is never 已完成 while a unit that counts toward it has
    not reported: a sum over 4 of 10 units is not the city's total, a share over them not its share.
    """
    unit_figures = [] if indicator.aggregation == "city_only" else [_figure(scope, indicator, u, facts) for u in units]
    reported = sum(1 for f in unit_figures if f.reported)
    missing = len(unit_figures) - reported if counts_units(indicator) else 0
    figure = arithmetic.consolidate(indicator.kind, indicator.aggregation,
                                    [_figure(scope, indicator, city, facts)] + unit_figures, unreported_units=missing)
    return make_row(scope, city, indicator, figure, targets.get((indicator.id, city.id)), True,
                    (reported, len(unit_figures)))


@dataclass(frozen=True)
class CityProgress:
    """The consolidated city rows and every unit's rows, from one read."""

    year: int
    as_of: dt.date
    city_code: str
    city: list[ProgressRow]
    units: dict[str, list[ProgressRow]]  # office code -> rows, in office order
    unit_names: dict[str, str]  # office code -> short name

    def row(self, office_code: str, indicator_code: str) -> ProgressRow | None:
        rows = self.city if office_code == self.city_code else self.units.get(office_code, [])
        return next((r for r in rows if r.code == indicator_code), None)

    def unit_rows(self, indicator_code: str) -> list[ProgressRow]:
        return [r for rows in self.units.values() for r in rows if r.code == indicator_code]


def city_progress(
    s: Session, year: int | None = None, as_of: dt.date | None = None, indicators: Iterable[Indicator] | None = None
) -> CityProgress:
    scope = make_scope(s, year, as_of)
    chosen = _indicators(s, scope.plan, indicators)
    city, units = office_service.city(s), office_service.units(s)
    ids = [city.id] + [u.id for u in units]
    facts = _facts(s, scope, chosen, ids)
    targets = load_targets(s, chosen, ids, scope.year)
    return CityProgress(
        year=scope.year,
        as_of=scope.as_of,
        city_code=city.code,
        city=[city_row(scope, city, units, i, facts, targets) for i in chosen],
        units={u.code: office_rows(scope, u, chosen, facts, targets) for u in units},
        unit_names={u.code: u.short_name for u in units},
    )


def progress_for(
    s: Session,
    office: Office,
    year: int | None = None,
    as_of: dt.date | None = None,
    indicators: Iterable[Indicator] | None = None,
) -> list[ProgressRow]:
    """Rows of one office (the city office: consolidated), optionally only for some indicators.

    After an edit, recompute just the indicator and office it touched (and the city row of that
    indicator); the rest is unchanged by construction.
    """
    if office.is_city:
        return city_progress(s, year, as_of, indicators).city
    scope = make_scope(s, year, as_of)
    chosen = _indicators(s, scope.plan, indicators)
    facts = _facts(s, scope, chosen, [office.id])
    targets = load_targets(s, chosen, [office.id], scope.year)
    return office_rows(scope, office, chosen, facts, targets)

