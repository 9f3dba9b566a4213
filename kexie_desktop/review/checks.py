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
    Activity, ActivityType, DataValue, Explanation, Indicator, Office, Plan, ValidationRule,
)
from ..progress.facts import STOCK_KINDS, load_facts, load_targets
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

    def covers(self, indicator: Indicator) -> bool:
        return not self.indicators or indicator.code in self.indicators


def number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:g}"


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


@dataclass
class _Cell:
    value: float
    base: float | None


@dataclass
class Data:
    """What the checks of one office and year read, loaded once."""

    office: Office
    year: int
    today: dt.date
    plan: Plan
    indicators: list[Indicator]  # entered by this office
    ledger_flows: list[Indicator]
    rules: list[Rule]
    cells: dict[int, dict[tuple[int, int], _Cell]] = field(default_factory=dict)  # ind -> (y, m) -> cell
    totals: dict[tuple[int, str], float] = field(default_factory=dict)  # (ind, "year"|"plan") -> total
    targets: dict[int, float] = field(default_factory=dict)
    activities: list[tuple] = field(default_factory=list)
    duplicates: list[tuple] = field(default_factory=list)

    @property
    def elapsed_month(self) -> int:
        """The last month of ``year`` that has begun (0: the year lies ahead)."""
        if self.year < self.today.year:
            return 12
        return self.today.month if self.year == self.today.year else 0


def _entered_by(indicator: Indicator, office: Office) -> bool:
    if indicator.is_ledger:
        return False
    return office.is_city or indicator.aggregation != "city_only"


def load_data(s: Session, office: Office, year: int, today: dt.date, plan: Plan, rules: list[Rule]) -> Data:
    all_indicators = plan_service.indicators(s, plan)
    entered = [i for i in all_indicators if _entered_by(i, office)]
    ledger_flows = [i for i in all_indicators if i.is_ledger and i.kind not in STOCK_KINDS]
    data = Data(office, year, today, plan, entered, ledger_flows, rules)
    _load_cells(s, data)
    _load_totals(s, data)
    _load_activities(s, data)
    return data


def _load_cells(s: Session, data: Data) -> None:
    dv = DataValue
    key = dv.year * 100 + dv.month
    query = select(dv.indicator_id, dv.year, dv.month, dv.value, dv.base).where(
        dv.office_id == data.office.id,
        key.between((data.year - 1) * 100 + 12, data.year * 100 + 12),
    )
    for ind, y, m, value, base in s.execute(query):
        data.cells.setdefault(ind, {})[(y, m)] = _Cell(value, base)
    # Cumulative flows compare everything since the plan start: one grouped sum.
    plan_flows = [i.id for i in data.indicators if i.kind not in STOCK_KINDS and not i.is_annual]
    if plan_flows:
        since = select(dv.indicator_id, func.sum(dv.value)).where(
            dv.office_id == data.office.id, dv.indicator_id.in_(plan_flows),
            dv.year.between(data.plan.start_year, data.year),
        ).group_by(dv.indicator_id)
        for ind, total in s.execute(since):
            data.totals[(ind, "plan")] = float(total or 0)


def _load_totals(s: Session, data: Data) -> None:
    for indicator in data.indicators:
        if indicator.kind in STOCK_KINDS or not indicator.is_annual:
            continue
        months = data.cells.get(indicator.id, {})
        values = [c.value for (y, _m), c in months.items() if y == data.year]
        if values:
            data.totals[(indicator.id, "year")] = float(sum(values))
    if data.ledger_flows:
        start = dt.date(data.plan.start_year, 1, 1)
        facts = load_facts(s, start, dt.date(data.year, 12, 31), data.ledger_flows, [data.office.id])
        for indicator in data.ledger_flows:
            years = facts.get((indicator.id, data.office.id), {})
            if indicator.is_annual:
                if data.year in years:
                    data.totals[(indicator.id, "year")] = years[data.year].total
            elif years:
                data.totals[(indicator.id, "plan")] = sum(c.total for c in years.values())
    flows = [i for i in [*data.indicators, *data.ledger_flows] if i.kind not in STOCK_KINDS]
    for (ind, _office), target in load_targets(s, flows, [data.office.id], data.year).items():
        data.targets[ind] = target.value


def _load_activities(s: Session, data: Data) -> None:
    a = Activity
    start, end = dt.date(data.year, 1, 1), dt.date(data.year, 12, 31)
    # Records outside the plan years are reported with the plan's first or last year.
    if data.year == data.plan.start_year:
        start = dt.date(1900, 1, 1)
    if data.year == data.plan.end_year:
        end = dt.date(9999, 12, 31)
    scope = (a.office_id == data.office.id, a.date.between(start, end))
    # Only records some rule may flag are fetched; the rest stay in the database.
    plan_start, plan_end = dt.date(data.plan.start_year, 1, 1), dt.date(data.plan.end_year, 12, 31)
    limits = [r.params.get("limit", 5000) for r in data.rules if r.check == "large_audience"]
    limit = min(limits) if limits else 5000
    suspicious = (
        (a.date > data.today) | (a.date < plan_start) | (a.date > plan_end) | (a.audience > limit)
        | ((a.participants > a.audience) & (a.audience > 0) & (a.participants > 0))
    )
    query = select(a.uid, a.date, a.title, a.audience, a.participants, ActivityType.name).join(
        ActivityType, ActivityType.id == a.type_id
    ).where(*scope, suspicious)
    data.activities = list(s.execute(query))
    groups = (
        select(a.type_id, a.date, a.title, func.count(), func.min(a.uid))
        .where(*scope)
        .group_by(a.type_id, a.date, a.title)
        .having(func.count() > 1)
        .subquery()
    )
    dup_query = select(groups, ActivityType.name).join(ActivityType, ActivityType.id == groups.c.type_id)
    data.duplicates = [(row[1], row[2], row[3], row[4], row[5]) for row in s.execute(dup_query)]


# --- evaluators: each yields (subject, value, fields, indicator, month, record) -------------------------

Hit = tuple[str, str, dict, "str | None", "str | None", "str | None"]


def _cell_hit(indicator: Indicator, year: int, month: int, shown: str, **fields) -> Hit:
    """``shown`` is what an explanation binds to; the message may show a part of it as {value}."""
    fields.setdefault("value", shown)
    fields.update(indicator=indicator.name, month=month_label(year, month), unit=indicator.unit)
    return (f"{indicator.code}/{month_key(year, month)}", shown, fields, indicator.code,
            month_key(year, month), None)


def _year_cells(data: Data, indicator: Indicator) -> list[tuple[int, _Cell]]:
    months = data.cells.get(indicator.id, {})
    return sorted((m, c) for (y, m), c in months.items() if y == data.year)


def _previous(data: Data, indicator: Indicator, month: int) -> _Cell | None:
    y, m = (data.year, month - 1) if month > 1 else (data.year - 1, 12)
    return data.cells.get(indicator.id, {}).get((y, m))


def check_coverage_above_base(data: Data, rule: Rule) -> Iterable[Hit]:
    for ind in data.indicators:
        if ind.kind != "coverage" or not rule.covers(ind):
            continue
        for month, cell in _year_cells(data, ind):
            if cell.base is not None and cell.value > cell.base:
                yield _cell_hit(ind, data.year, month, f"{number(cell.value)}/{number(cell.base)}",
                                base=number(cell.base), value=number(cell.value))


def check_not_whole(data: Data, rule: Rule) -> Iterable[Hit]:
    for ind in data.indicators:
        if not rule.covers(ind):
            continue
        for month, cell in _year_cells(data, ind):
            if ind.integer_valued and cell.value != int(cell.value):
                yield _cell_hit(ind, data.year, month, number(cell.value), field="数值")
            elif ind.kind == "coverage" and cell.base is not None and cell.base != int(cell.base):
                yield _cell_hit(ind, data.year, month, f"{number(cell.value)}/{number(cell.base)}",
                                field="应覆盖总数", value=number(cell.base))


def check_future_month(data: Data, rule: Rule) -> Iterable[Hit]:
    now = data.today.year * 100 + data.today.month
    for ind in data.indicators:
        if rule.covers(ind):
            for month, cell in _year_cells(data, ind):
                if data.year * 100 + month > now:
                    yield _cell_hit(ind, data.year, month, number(cell.value))


def check_month_gap(data: Data, rule: Rule) -> Iterable[Hit]:
    elapsed = data.elapsed_month
    for ind in data.indicators:
        if not rule.covers(ind):
            continue
        filled = {m for m, _c in _year_cells(data, ind)}
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
        for month, cell in _year_cells(data, ind):
            prev = _previous(data, ind, month)
            if prev is not None and prev.value > 0 and cell.value > floor and cell.value >= factor * prev.value:
                yield _cell_hit(ind, data.year, month, number(cell.value), previous=number(prev.value),
                                ratio=f"{cell.value / prev.value:.1f}".rstrip("0").rstrip("."))


def check_level_drop(data: Data, rule: Rule) -> Iterable[Hit]:
    share = rule.params.get("share", 0.3)
    for ind in data.indicators:
        if ind.kind != "level" or not rule.covers(ind):
            continue
        for month, cell in _year_cells(data, ind):
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
    for uid, date, title, _aud, _part, _type in data.activities:
        if not first <= date.year <= last:
            why = f"不在计划年度（{first}—{last}年）内"
        elif date > data.today:
            why = "晚于今天"
        else:
            continue
        yield _record_hit(uid, date, title, date.isoformat(), why=why)


def check_large_audience(data: Data, rule: Rule) -> Iterable[Hit]:
    limit = rule.params.get("limit", 5000)
    for uid, date, title, audience, _part, _type in data.activities:
        if audience > limit:
            yield _record_hit(uid, date, title, str(audience), limit=number(limit))


def check_participants_over_audience(data: Data, rule: Rule) -> Iterable[Hit]:
    for uid, date, title, audience, participants, _type in data.activities:
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


def _explanations(s: Session, office: Office) -> dict[tuple[str, str], Explanation]:
    rows = s.scalars(select(Explanation).where(Explanation.office_id == office.id))
    return {(e.rule, e.subject): e for e in rows}


def run_checks(
    s: Session, office: Office, year: int, *, today: dt.date | None = None, plan: Plan | None = None
) -> list[Finding]:
    """Every finding of the plan's rules for ``office`` in ``year``: errors first, then by month."""
    today = today or dt.date.today()
    plan = plan or plan_service.current_plan(s)
    rules = rules_of(s, plan)
    data = load_data(s, office, year, today, plan, rules)
    explained = _explanations(s, office)
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
