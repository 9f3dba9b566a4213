"""A plan as the template's rows of text: written by ``template`` and compared by ``reader``.

One row is a dict column key -> text; a sheet is a list of rows in order. The database side and the
file side meet in this form, so a preview names every cell that differs, in the template's words.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (AGGREGATIONS, ENTRIES, KINDS, MEASURES, SEVERITIES, ActivityType, ActivityTypeIndicator,
                      Indicator, Plan, Section, Target, ValidationRule)
from ..services import offices
from ..task_models import PlanTask
from .layout import INDICATORS, META_FIELDS, NO, PERIOD_LABELS, RULES, SECTIONS, TASKS, TYPES, YES

Row = dict[str, str]


@dataclass
class PlanRows:
    meta: dict[str, str]
    sheets: dict[str, list[Row]] = field(default_factory=dict)  # sheet name -> rows
    numbers: dict[str, list[int]] = field(default_factory=dict)  # sheet name -> Excel row of each row


def cell_text(value) -> str:
    """A cell as the text it shows: 10.0 → "10", a date → 2025-12-31, None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return f"{value:.10g}" if value != int(value) else str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _yes(value: bool) -> str:
    return YES if value else NO


def plan_rows(s: Session, plan: Plan) -> PlanRows:
    based = s.get(Plan, plan.based_on_id) if plan.based_on_id else None
    meta = {"code": plan.code, "name": plan.name, "start_year": str(plan.start_year), "end_year": str(plan.end_year),
            "based_on": based.code if based else ""}
    sections = list(s.scalars(select(Section).where(Section.plan_id == plan.id).order_by(Section.sort_order, Section.id)))
    by_id = {sec.id: sec.code for sec in sections}
    rows = PlanRows(meta)
    rows.sheets[SECTIONS.name] = [{"code": sec.code, "name": sec.name, "parent": by_id.get(sec.parent_id, "")}
                                  for sec in sections]
    rows.sheets[TYPES.name] = [{"code": t.code, "name": t.name}
                               for t in s.scalars(select(ActivityType).order_by(ActivityType.sort_order, ActivityType.id))]
    rows.sheets[INDICATORS.name] = _indicator_rows(s, plan, by_id)
    rows.sheets[RULES.name] = [_rule_row(r) for r in s.scalars(
        select(ValidationRule).where(ValidationRule.plan_id == plan.id).order_by(ValidationRule.sort_order))]
    rows.sheets[TASKS.name] = [_task_row(t, by_id) for t in s.scalars(
        select(PlanTask).where(PlanTask.plan_id == plan.id).order_by(PlanTask.sort_order))]
    return rows


def _indicator_rows(s: Session, plan: Plan, sections: dict[int, str]) -> list[Row]:
    indicators = list(s.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.sort_order)))
    ids = [i.id for i in indicators]
    city = offices.city(s)
    targets: dict[int, list[Target]] = {}
    for t in s.scalars(select(Target).where(Target.indicator_id.in_(ids), Target.office_id == city.id)) if ids else []:
        targets.setdefault(t.indicator_id, []).append(t)
    ledger: dict[int, list[str]] = {}
    query = (select(ActivityTypeIndicator.indicator_id, ActivityType.code, ActivityTypeIndicator.measure)
             .join(ActivityType, ActivityType.id == ActivityTypeIndicator.activity_type_id)
             .where(ActivityTypeIndicator.indicator_id.in_(ids)).order_by(ActivityTypeIndicator.id))
    for ind, code, measure in s.execute(query) if ids else []:
        ledger.setdefault(ind, []).append(f"{code}:{MEASURES[measure]}")
    linked = [i.predecessor_id for i in indicators if i.predecessor_id]
    predecessors = dict(s.execute(select(Indicator.id, Indicator.code).where(Indicator.id.in_(linked))).all())
    return [_indicator_row(i, sections, targets.get(i.id, []), ledger.get(i.id, []), predecessors)
            for i in indicators]


def target_text(indicator_annual: bool, targets: list[Target]) -> tuple[str, str]:
    """(市目标, 目标上限): one number, or per year "2021:10;2022:12" when the years differ."""
    wanted = sorted((t for t in targets if (t.year is not None) == indicator_annual), key=lambda t: t.year or 0)
    if not wanted:
        return "", ""
    values = {cell_text(t.value) for t in wanted}
    top = cell_text(wanted[0].max_value)
    if len(values) == 1:
        return values.pop(), top
    return ";".join(f"{t.year}:{cell_text(t.value)}" for t in wanted), top


def _indicator_row(i: Indicator, sections, targets, ledger, predecessors) -> Row:
    target, top = target_text(i.is_annual, targets)
    return {
        "code": i.code, "name": i.name, "unit": i.unit, "kind": KINDS.get(i.kind, i.kind),
        "period": PERIOD_LABELS.get(i.period, i.period), "aggregation": AGGREGATIONS.get(i.aggregation, i.aggregation),
        "entry": ENTRIES.get(i.entry, i.entry), "section": sections.get(i.section_id, ""), "covers": i.covers or "",
        "covers_units": _yes(i.covers_units), "ledger": ";".join(ledger), "target": target, "target_max": top,
        "carry_over": _yes(i.carry_over), "predecessor": predecessors.get(i.predecessor_id, ""),
        "phrase": i.phrase, "source": i.source, "other_sources": "\n".join(json.loads(i.other_sources or "[]")),
    }


def _rule_row(r: ValidationRule) -> Row:
    return {"code": r.code, "check": r.check, "severity": SEVERITIES.get(r.severity, r.severity),
            "indicators": ",".join(json.loads(r.indicators or "[]")),
            "params": "" if r.params in ("{}", "", None) else json.dumps(json.loads(r.params), ensure_ascii=False),
            "message": r.message, "active": _yes(r.active)}


def _task_row(t: PlanTask, sections) -> Row:
    carriers = t.carrier_value
    return {"code": t.code, "section": sections.get(t.section_id, ""), "name": t.name, "sentence": t.sentence,
            "carriers": carriers if isinstance(carriers, str) else ",".join(carriers), "due": t.due.isoformat(),
            "indicators": ",".join(t.indicator_codes)}


def meta_rows(meta: dict[str, str]) -> list[list[str]]:
    return [[label, meta.get(key, "")] for key, label in META_FIELDS.items()]
