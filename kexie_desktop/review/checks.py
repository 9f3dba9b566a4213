"""The data checks (审核): run a plan's validation rules over one office's year.

Every check is one evaluator below, named by ``ValidationRule.check``; its numbers come from the rule's
``params``. The data is read with a handful of grouped queries per office and year (never one per
cell), so a full check costs less than the progress computation of the same data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    Activity, ActivityType, ActivityTypeIndicator, DataValue, Explanation, Indicator, Office, Plan,
    ValidationRule,
)
from ..progress.facts import STOCK_KINDS, load_targets
from ..display import number
from ..gcpause import gc_paused
from ..services import plan as plan_service

SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass
class Finding:
    """One thing a rule found: a cell, a year's total or a ledger record."""

    rule: str
    severity: str
    message: str
    subject: str  # what an explanation binds to: "I05/2019-03", "I05/2019", "activity/<uid>"
    value: str  # the value as shown; an explanation of another value is void
    indicator: str | None = None
    month: str | None = None  # "YYYY-MM"
    record: str | None = None  # ledger record uid
    explanation: str | None = None

    @property
    def blocking(self) -> bool:
        """An error always blocks approval; a warning until it is explained."""
        return self.severity == "error" or not self.explanation

    def to_json(self) -> dict:
        return {
            "rule": self.rule, "severity": self.severity, "indicator": self.indicator, "month": self.month,
            "record": self.record, "value": self.value, "message": self.message,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Rule:
    code: str
    check: str
    severity: str
    message: str
    params: dict
    indicators: frozenset[str]

    def covers(self, indicator: "_Indicator") -> bool:
        return not self.indicators or indicator.code in self.indicators


def month_label(year: int, month: int) -> str:
    return f"{year}年{month}月"


def month_key(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


class _Fields(dict):
    def __missing__(self, key):  # a template naming a field the check does not give prints nothing
        return ""


def rules_of(s: Session, plan: Plan) -> list[Rule]:
    rows = s.scalars(
        select(ValidationRule)
        .where(ValidationRule.plan_id == plan.id, ValidationRule.active.is_(True))
        .order_by(ValidationRule.sort_order)
    )
    return [
        Rule(r.code, r.check, r.severity, r.message, json.loads(r.params or "{}"),
             frozenset(json.loads(r.indicators or "[]")))
        for r in rows
    ]


@dataclass(slots=True)
class _Cell:
    value: float
    base: float | None


@dataclass(frozen=True, slots=True)
class _Indicator:
    """What the evaluators read of an indicator, copied once: the ORM attributes would be read tens of
    thousands of times in a city-wide check."""

    id: int
    code: str
    name: str
    unit: str
    kind: str
    aggregation: str
    is_annual: bool
    is_ledger: bool
    integer_valued: bool

    @classmethod
    def of(cls, i: Indicator) -> "_Indicator":
        return cls(i.id, i.code, i.name, i.unit, i.kind, i.aggregation, i.is_annual, i.is_ledger, i.integer_valued)


@dataclass
class Data:
    """What the checks of one office and year read, loaded once."""

    office: Office
    year: int
    today: dt.date
    plan: Plan
    indicators: list[_Indicator]  # entered by this office
    ledger_flows: list[_Indicator]
    rules: list[Rule]
    cells: dict[int, dict[tuple[int, int], _Cell]] = field(default_factory=dict)  # ind -> (y, m) -> cell
    totals: dict[tuple[int, str], float] = field(default_factory=dict)  # (ind, "year"|"plan") -> total
    targets: dict[int, float] = field(default_factory=dict)
    activities: list[tuple] = field(default_factory=list)
    duplicates: list[tuple] = field(default_factory=list)
    _by_year: dict[int, list[tuple[int, _Cell]]] = field(default_factory=dict)

    def year_cells(self, indicator: _Indicator) -> list[tuple[int, _Cell]]:
        """(month, cell) of ``year`` for one indicator, in month order (computed once)."""
        found = self._by_year.get(indicator.id)
        if found is None:
            months = self.cells.get(indicator.id, {})
            found = self._by_year[indicator.id] = sorted((m, c) for (y, m), c in months.items() if y == self.year)
        return found

    @property
    def elapsed_month(self) -> int:
        """The last month of ``year`` that has begun (0: the year lies ahead)."""
        if self.year < self.today.year:
            return 12
        return self.today.month if self.year == self.today.year else 0


def _entered_by(indicator: _Indicator, office: Office) -> bool:
    if indicator.is_ledger:
        return False
    return office.is_city or indicator.aggregation != "city_only"


def load_data(
    s: Session, office_list: list[Office], year: int, today: dt.date, plan: Plan, rules: list[Rule]
) -> dict[int, Data]:
    """What the checks of each office read, with one query per kind of data for all offices together."""
    all_indicators = [_Indicator.of(i) for i in plan_service.indicators(s, plan)]
    ledger_flows = [i for i in all_indicators if i.is_ledger and i.kind not in STOCK_KINDS]
    batch = {
        o.id: Data(o, year, today, plan, [i for i in all_indicators if _entered_by(i, o)], ledger_flows, rules)
        for o in office_list
    }
    if batch:
        _load_cells(s, batch, year, plan)
        _load_totals(s, batch, year, plan, [i for i in all_indicators if i.kind not in STOCK_KINDS])
        _load_activities(s, batch, year, today, plan, rules)
    return batch


def _load_cells(s: Session, batch: dict[int, Data], year: int, plan: Plan) -> None:
    dv = DataValue
    key = dv.year * 100 + dv.month
    query = select(dv.office_id, dv.indicator_id, dv.year, dv.month, dv.value, dv.base).where(
        dv.office_id.in_(list(batch)), key.between((year - 1) * 100 + 12, year * 100 + 12),
    )
    for office, ind, y, m, value, base in s.execute(query):
        batch[office].cells.setdefault(ind, {})[(y, m)] = _Cell(value, base)
    # Cumulative flows compare everything since the plan start: one grouped sum.
    since = select(dv.office_id, dv.indicator_id, func.sum(dv.value)).where(
        dv.office_id.in_(list(batch)), dv.year.between(plan.start_year, year),
    ).group_by(dv.office_id, dv.indicator_id)
    cumulative = {i.id for d in batch.values() for i in d.indicators if i.kind not in STOCK_KINDS and not i.is_annual}
    for office, ind, total in s.execute(since):
        if ind in cumulative:
            batch[office].totals[(ind, "plan")] = float(total or 0)


def _load_totals(s: Session, batch: dict[int, Data], year: int, plan: Plan, flows: list[_Indicator]) -> None:
    for data in batch.values():
        for indicator in data.indicators:
            if indicator.kind in STOCK_KINDS or not indicator.is_annual:
                continue
            values = [c.value for _m, c in data.year_cells(indicator)]
            if values:
                data.totals[(indicator.id, "year")] = float(sum(values))
    for (ind, office), target in load_targets(s, flows, list(batch), year).items():
        batch[office].targets[ind] = target.value


def _load_activities(
    s: Session, batch: dict[int, Data], year: int, today: dt.date, plan: Plan, rules: list[Rule]
) -> None:
    """Three narrow passes over the ledger index (ix_activity_ledger holds every column they test, so
    only the records they return are read from the table): the records some rule flags, the groups
    recorded twice, and per office and type the sums the year's and the plan's totals need."""
    a = Activity
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    # Records outside the plan years are reported with the plan's first or last year, except those in the
    # years of another plan of the database: they are that plan's records.
    before, after = _neighbour_years(s, plan)
    lo = dt.date(before + 1, 1, 1) if year == plan.start_year else start
    hi = dt.date(after - 1, 12, 31) if year == plan.end_year else end
    plan_start, plan_end = dt.date(plan.start_year, 1, 1), dt.date(plan.end_year, 12, 31)
    limits = [r.params.get("limit", 5000) for r in rules if r.check == "large_audience"]
    limit = min(limits) if limits else 5000
    names = dict(s.execute(select(ActivityType.id, ActivityType.name)).all())
    # Every type named, so that the index narrows each office's and type's records to the year.
    scope = (a.office_id.in_(list(batch)), a.type_id.in_(list(names)), a.date.between(lo, hi))
    flagged = select(a.office_id, a.uid, a.date, a.title, a.audience, a.participants).where(
        *scope,
        (a.date > today) | (a.date < plan_start) | (a.date > plan_end) | (a.audience > limit)
        | ((a.participants > a.audience) & (a.audience > 0)),
    )
    for office_id, *row in s.execute(flagged):
        batch[office_id].activities.append(tuple(row))
    if any(r.check == "duplicate_activity" for r in rules):
        n = func.count()
        twice = (
            select(a.office_id, a.type_id, a.date, a.title, n, func.min(a.id))
            .where(*scope)
            .group_by(a.office_id, a.type_id, a.date, a.title)  # the index's order: no sort, no table reads
            .having(n > 1)
        ).subquery()
        q = select(twice, a.uid).join(a, a.id == twice.c[5])  # the first record's uid
        for office_id, type_id, date, title, count, _first, uid in s.execute(q):
            batch[office_id].duplicates.append((date, title, count, uid, names[type_id]))
    _ledger_totals(s, batch, scope[0], year, plan)


def _neighbour_years(s: Session, plan: Plan) -> tuple[int, int]:
    """The end year of the plan before ``plan`` (1899 without one) and the start year of the next (10000)."""
    ended = s.scalar(select(func.max(Plan.end_year)).where(Plan.end_year < plan.start_year))
    starts = s.scalar(select(func.min(Plan.start_year)).where(Plan.start_year > plan.end_year))
    return (ended or 1899), (starts or 10000)


def _ledger_totals(s: Session, batch: dict[int, Data], office, year: int, plan: Plan) -> None:
    """The year's total of each annual ledger flow and the total since the plan start of each cumulative one,
    from grouped sums per office and activity type over only the types linked to such flows: one over the
    year, one over the plan's earlier years (plain sums walk the ledger index faster than one pass of
    conditional sums)."""
    flows = {i.id: i for data in batch.values() for i in data.ledger_flows}
    if not flows:
        return
    link = ActivityTypeIndicator
    links = s.execute(select(link.activity_type_id, link.indicator_id, link.measure)
                      .where(link.indicator_id.in_(list(flows)))).all()
    if not links:
        return
    a = Activity

    def sums(first: dt.date, last: dt.date, types: set[int]) -> dict[tuple[int, int], tuple]:
        if not types or first > last:
            return {}
        q = (select(a.office_id, a.type_id, func.count(), func.sum(a.audience), func.sum(a.participants))
             .where(office, a.type_id.in_(types), a.date.between(first, last))
             .group_by(a.office_id, a.type_id))  # the ledger index's order: covering, no sort
        return {(office_id, type_id): amounts for office_id, type_id, *amounts in s.execute(q)}

    this_year = sums(dt.date(year, 1, 1), dt.date(year, 12, 31), {t for t, _i, _m in links})
    earlier = sums(dt.date(plan.start_year, 1, 1), dt.date(year - 1, 12, 31),
                   {t for t, i, _m in links if not flows[i].is_annual})
    measures = {"count": 0, "audience": 1, "participants": 2}
    by_type: dict[int, list] = defaultdict(list)
    for type_id, ind, measure in links:
        by_type[type_id].append((flows[ind], measures[measure]))
    for key in this_year.keys() | earlier.keys():
        office_id, type_id = key
        data = batch[office_id]
        now, before = this_year.get(key), earlier.get(key)
        for indicator, k in by_type[type_id]:
            if indicator.is_annual:
                if now is None:
                    continue  # no record this year: the year has no ledger total (as progress shows 未填报)
                scope, amount = "year", float(now[k] or 0)
            else:
                scope, amount = "plan", float((now[k] or 0) if now else 0) + float((before[k] or 0) if before else 0)
            data.totals[(indicator.id, scope)] = data.totals.get((indicator.id, scope), 0.0) + amount


# --- evaluators: each yields (subject, value, fields, indicator, month, record) -------------------------

Hit = tuple[str, str, dict, "str | None", "str | None", "str | None"]


def _cell_hit(indicator: _Indicator, year: int, month: int, shown: str, **fields) -> Hit:
    """``shown`` is what an explanation binds to; the message may show a part of it as {value}."""
    fields.setdefault("value", shown)
    fields.update(indicator=indicator.name, month=month_label(year, month), unit=indicator.unit)
    return (f"{indicator.code}/{month_key(year, month)}", shown, fields, indicator.code,
            month_key(year, month), None)


def _previous(data: Data, indicator: _Indicator, month: int) -> _Cell | None:
    y, m = (data.year, month - 1) if month > 1 else (data.year - 1, 12)
    return data.cells.get(indicator.id, {}).get((y, m))


def check_coverage_above_base(data: Data, rule: Rule) -> Iterable[Hit]:
    for ind in data.indicators:
        if ind.kind != "coverage" or not rule.covers(ind):
            continue
        for month, cell in data.year_cells(ind):
            if cell.base is not None and cell.value > cell.base:
                yield _cell_hit(ind, data.year, month, f"{number(cell.value)}/{number(cell.base)}",
                                base=number(cell.base), value=number(cell.value))


def check_not_whole(data: Data, rule: Rule) -> Iterable[Hit]:
    for ind in data.indicators:
        if not rule.covers(ind):
            continue
        for month, cell in data.year_cells(ind):
            if ind.integer_valued and cell.value != int(cell.value):
                yield _cell_hit(ind, data.year, month, number(cell.value), field="数值")
            elif ind.kind == "coverage" and cell.base is not None and cell.base != int(cell.base):
                yield _cell_hit(ind, data.year, month, f"{number(cell.value)}/{number(cell.base)}",
                                field="应覆盖总数", value=number(cell.base))


def check_future_month(data: Data, rule: Rule) -> Iterable[Hit]:
    now = data.today.year * 100 + data.today.month
    for ind in data.indicators:
        if rule.covers(ind):
            for month, cell in data.year_cells(ind):
                if data.year * 100 + month > now:
                    yield _cell_hit(ind, data.year, month, number(cell.value))


def check_month_gap(data: Data, rule: Rule) -> Iterable[Hit]:
    elapsed = data.elapsed_month
    for ind in data.indicators:
        if not rule.covers(ind):
            continue
        filled = {m for m, _c in data.year_cells(ind)}
        if not filled:
            continue
        for month in range(1, min(max(filled), elapsed + 1)):
            if month not in filled:
                yield _cell_hit(ind, data.year, month, "")


def check_month_jump(data: Data, rule: Rule) -> Iterable[Hit]:
    factor, floor = rule.params.get("factor", 5), rule.params.get("floor", 10)
    for ind in data.indicators:
        if not rule.covers(ind):
            continue
        for month, cell in data.year_cells(ind):
            prev = _previous(data, ind, month)
            if prev is not None and prev.value > 0 and cell.value > floor and cell.value >= factor * prev.value:
                yield _cell_hit(ind, data.year, month, number(cell.value), previous=number(prev.value),
                                ratio=f"{cell.value / prev.value:.1f}".rstrip("0").rstrip("."))


def check_level_drop(data: Data, rule: Rule) -> Iterable[Hit]:
    share = rule.params.get("share", 0.3)
    for ind in data.indicators:
        if ind.kind != "level" or not rule.covers(ind):
            continue
        for month, cell in data.year_cells(ind):
            prev = _previous(data, ind, month)
            if prev is not None and prev.value > 0 and cell.value < (1 - share) * prev.value:
                drop = (prev.value - cell.value) / prev.value
                yield _cell_hit(ind, data.year, month, number(cell.value), previous=number(prev.value),
                                drop=f"{drop:.0%}")


def _over_target(data: Data, rule: Rule, scope: str) -> Iterable[Hit]:
    factor = rule.params.get("factor", 3)
    for ind in [*data.indicators, *data.ledger_flows]:
        if ind.kind in STOCK_KINDS or ind.is_annual != (scope == "year") or not rule.covers(ind):
            continue
        total, target = data.totals.get((ind.id, scope)), data.targets.get(ind.id)
        if total is None or not target or target <= 0 or total <= factor * target:
            continue
        fields = dict(indicator=ind.name, year=data.year, value=number(total), target=number(target),
                      factor=number(factor), unit=ind.unit)
        yield (f"{ind.code}/{data.year}", number(total), fields, ind.code, None, None)


def check_annual_over_target(data: Data, rule: Rule) -> Iterable[Hit]:
    return _over_target(data, rule, "year")


def check_cumulative_over_target(data: Data, rule: Rule) -> Iterable[Hit]:
    return _over_target(data, rule, "plan")


def _record_hit(uid: str, date: dt.date, title: str, shown: str, **fields) -> Hit:
    fields.update(title=title, date=date.isoformat())
    fields.setdefault("value", shown)
    return (f"activity/{uid}", shown, fields, None, month_key(date.year, date.month), uid)


def check_ledger_date(data: Data, rule: Rule) -> Iterable[Hit]:
    first, last = data.plan.start_year, data.plan.end_year
    for uid, date, title, _aud, _part in data.activities:
        if not first <= date.year <= last:
            why = f"不在计划年度（{first}—{last}年）内"
        elif date > data.today:
            why = "晚于今天"
        else:
            continue
        yield _record_hit(uid, date, title, date.isoformat(), why=why)


def check_large_audience(data: Data, rule: Rule) -> Iterable[Hit]:
    limit = rule.params.get("limit", 5000)
    for uid, date, title, audience, _part in data.activities:
        if audience > limit:
            yield _record_hit(uid, date, title, str(audience), limit=number(limit))


def check_participants_over_audience(data: Data, rule: Rule) -> Iterable[Hit]:
    for uid, date, title, audience, participants in data.activities:
        if audience > 0 and participants > audience:
            yield _record_hit(uid, date, title, f"{participants}/{audience}",
                              participants=participants, audience=audience)


def check_duplicate_activity(data: Data, rule: Rule) -> Iterable[Hit]:
    for date, title, count, uid, type_name in data.duplicates:
        yield _record_hit(uid, date, title, str(count), type=type_name)


EVALUATORS: dict[str, Callable[[Data, Rule], Iterable[Hit]]] = {
    "coverage_above_base": check_coverage_above_base,
    "not_whole": check_not_whole,
    "future_month": check_future_month,
    "month_gap": check_month_gap,
    "ledger_date": check_ledger_date,
    "month_jump": check_month_jump,
    "level_drop": check_level_drop,
    "annual_over_target": check_annual_over_target,
    "cumulative_over_target": check_cumulative_over_target,
    "large_audience": check_large_audience,
    "participants_over_audience": check_participants_over_audience,
    "duplicate_activity": check_duplicate_activity,
}


def _explanations(s: Session, office_ids: list[int]) -> dict[int, dict[tuple[str, str], Explanation]]:
    found: dict[int, dict] = defaultdict(dict)
    for e in s.scalars(select(Explanation).where(Explanation.office_id.in_(office_ids))):
        found[e.office_id][(e.rule, e.subject)] = e
    return found


def run_checks(
    s: Session, office: Office, year: int, *, today: dt.date | None = None, plan: Plan | None = None
) -> list[Finding]:
    """Every finding of the plan's rules for ``office`` in ``year``: errors first, then by month."""
    return run_checks_many(s, [office], year, today=today, plan=plan)[office.id]


def run_checks_many(
    s: Session, office_list: list[Office], year: int, *, today: dt.date | None = None, plan: Plan | None = None
) -> dict[int, list[Finding]]:
    """``run_checks`` for several offices at once (the city checks what its units sent)."""
    today = today or dt.date.today()
    plan = plan or plan_service.current_plan(s)
    with gc_paused():
        rules = rules_of(s, plan)
        batch = load_data(s, office_list, year, today, plan, rules)
        notes = _explanations(s, list(batch))
        return {office_id: _findings(data, rules, notes.get(office_id, {})) for office_id, data in batch.items()}


def _findings(data: Data, rules: list[Rule], explained: dict) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        evaluator = EVALUATORS.get(rule.check)
        if evaluator is None:  # a rule from a newer program: nothing here can evaluate it
            continue
        for subject, value, fields, indicator, month, record in evaluator(data, rule):
            note = explained.get((rule.code, subject))
            findings.append(Finding(
                rule=rule.code, severity=rule.severity, message=rule.message.format_map(_Fields(fields)),
                subject=subject, value=value, indicator=indicator, month=month, record=record,
                explanation=note.text if note is not None and note.value == value else None,
            ))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.month or "", f.indicator or "", f.rule))
    return findings
