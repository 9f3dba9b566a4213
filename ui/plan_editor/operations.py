"""计划编辑 in the operations layer: the plans, a draft's indicators, copy, edit, validate, publish, use.

Every rule is the core's (``services.plan_authoring``, ``services.plan_checks``); this only reads rows for
the page and returns the Changes of each mutation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from kexie_desktop import display
from kexie_desktop.changes import Changes
from kexie_desktop.errors import UserError
from kexie_desktop.models import (KINDS, MEASURES, SEVERITIES, ActivityType, ActivityTypeIndicator, Indicator,
                                  Target)
from kexie_desktop.services import assessment_scheme, offices, plan, plan_authoring, plan_checks, plan_editing

from ..context import AppContext


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    kind: str
    kind_label: str
    unit: str
    target: float | None
    target_max: float | None
    target_text: str


def list_plans(ctx: AppContext) -> list[plan_authoring.PlanSummary]:
    with ctx.db.read() as s:
        return plan_authoring.list_plans(s)


def indicator_lines(ctx: AppContext, code: str) -> list[IndicatorLine]:
    with ctx.db.read() as s:
        chosen = plan.plan_by_code(s, code)
        city = offices.city(s)
        lines = []
        for i in plan.indicators(s, chosen):
            found = s.query(Target).filter(Target.indicator_id == i.id, Target.office_id == city.id) \
                .order_by(Target.year).first()
            text = display.NO_TARGET if found is None else display.target(
                i.kind, i.unit, found.value, found.min_value, found.max_value)
            lines.append(IndicatorLine(i.code, i.name, i.kind, KINDS[i.kind], i.unit,
                                       None if found is None else found.value,
                                       None if found is None else found.max_value, text))
        return lines


def copy_plan(ctx: AppContext, source: str, code: str, name: str, start: int, end: int) -> Changes:
    with ctx.db.write() as s:
        plan_authoring.copy_plan(s, plan.plan_by_code(s, source), code, name, start, end)
    return Changes(plan=True)


def edit_indicator(ctx: AppContext, plan_code: str, code: str, *, name: str, kind: str, target: float,
                   target_max: float | None) -> Changes:
    with ctx.db.write() as s:
        draft = plan_authoring.draft_plan(s, plan_code)
        return plan_authoring.edit_indicator(s, plan.indicator(s, code, draft), name=name, kind=kind,
                                             target=target, target_max=target_max)


def problems(ctx: AppContext, code: str) -> list[str]:
    with ctx.db.read() as s:
        return plan_checks.plan_problems(s, plan.plan_by_code(s, code))


def publish(ctx: AppContext, code: str) -> int:
    with ctx.db.write() as s:
        return plan_authoring.publish_plan(s, plan.plan_by_code(s, code))


def use(ctx: AppContext, code: str) -> Changes:
    with ctx.db.write() as s:
        return plan_authoring.use_plan(s, plan.plan_by_code(s, code))


# --- the editor's parts (every rule is ``services.plan_editing``'s) ---------------------------------
@dataclass(frozen=True)
class SectionLine:
    code: str
    name: str
    parent: str


@dataclass(frozen=True)
class IndicatorDetail:
    fields: plan_editing.IndicatorFields
    kind_label: str
    target_text: str
    source: str
    predecessor: str = ""  # "I09“注册科普志愿者总数”（LYG-KX-2018-2020）" when linked to the last plan's
    carry_over: bool = False

    @property
    def code(self) -> str:
        return self.fields.code


@dataclass(frozen=True)
class TypeLine:
    code: str
    name: str


@dataclass(frozen=True)
class RuleLine:
    fields: plan_editing.RuleFields
    severity_label: str

    @property
    def code(self) -> str:
        return self.fields.code


@dataclass(frozen=True)
class TaskLine:
    fields: plan_editing.TaskFields
    section_name: str
    carriers_text: str

    @property
    def code(self) -> str:
        return self.fields.code


@dataclass(frozen=True)
class Parts:
    """Everything the editor shows of one plan, read in one session."""

    published: bool
    pending: bool  # a published plan edited since (targets on 目标, a loaded template): 发布 makes version N+1
    text: str
    sections: list[SectionLine]
    indicators: list[IndicatorDetail]
    types: list[TypeLine]
    rules: list[RuleLine]
    tasks: list[TaskLine]
    units: list[tuple[str, str]]


def _targets_by_indicator(s, ids: list[int]) -> dict[int, list[Target]]:
    city = offices.city(s)
    by: dict[int, list[Target]] = {}
    query = select(Target).where(Target.indicator_id.in_(ids), Target.office_id == city.id).order_by(Target.year)
    for t in s.scalars(query) if ids else []:
        by.setdefault(t.indicator_id, []).append(t)
    return by


def _ledger_by_indicator(s, ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    by: dict[int, list[tuple[str, str]]] = {}
    query = (select(ActivityTypeIndicator.indicator_id, ActivityType.code, ActivityTypeIndicator.measure)
             .join(ActivityType, ActivityType.id == ActivityTypeIndicator.activity_type_id)
             .where(ActivityTypeIndicator.indicator_id.in_(ids)).order_by(ActivityTypeIndicator.id))
    for ind, code, measure in s.execute(query) if ids else []:
        by.setdefault(ind, []).append((code, measure))
    return by


def _indicator_detail(i, sections: dict[int, str], targets: list[Target], ledger, linked: str) -> IndicatorDetail:
    first = targets[0] if targets else None
    low = None if first is None else (first.min_value if i.kind == "range" else first.value)
    fields = plan_editing.IndicatorFields(
        i.code, i.name, i.unit, i.kind, i.period, i.aggregation, i.entry, sections.get(i.section_id, ""),
        low, None if first is None else first.max_value, i.covers or "", i.covers_units, ledger)
    text = display.NO_TARGET if first is None else display.target(i.kind, i.unit, first.value, first.min_value,
                                                                    first.max_value)
    return IndicatorDetail(fields, KINDS.get(i.kind, i.kind), text, i.source or "", linked, bool(i.carry_over))


def _task_line(t, sections: dict[int, tuple[str, str]], units: dict[str, str]) -> TaskLine:
    carriers = t.carrier_value
    code, name = sections.get(t.section_id, ("", ""))
    fields = plan_editing.TaskFields(t.code, code, t.name, carriers, t.due, t.sentence, t.indicator_codes)
    shown = (plan_editing.CARRIER_WORDS.get(carriers, carriers) if isinstance(carriers, str)
             else "、".join(units.get(c, c) for c in carriers))
    return TaskLine(fields, name, shown)


def parts(ctx: AppContext, code: str) -> Parts:
    with ctx.db.read() as s:
        chosen = plan.plan_by_code(s, code)
        secs = plan_editing.sections(s, chosen)
        by_id = {sec.id: sec.code for sec in secs}
        indicators = plan_editing.plan_indicators(s, chosen)
        ids = [i.id for i in indicators]
        targets, ledger = _targets_by_indicator(s, ids), _ledger_by_indicator(s, ids)
        before = [i.predecessor_id for i in indicators if i.predecessor_id is not None]
        linked = {p.id: f"{p.code}“{p.name}”（{p.plan.code}）"
                  for p in (s.scalars(select(Indicator).where(Indicator.id.in_(before))) if before else [])}
        units = {u.code: u.short_name for u in offices.units(s)}
        rules = [RuleLine(plan_editing.RuleFields(r.code, r.check, r.severity, r.message,
                                                  json.loads(r.indicators or "[]"), json.loads(r.params or "{}"),
                                                  r.active), SEVERITIES.get(r.severity, r.severity))
                 for r in plan_editing.plan_rules(s, chosen)]
        named = {sec.id: (sec.code, sec.name) for sec in secs}
        return Parts(
            chosen.published, plan_authoring.has_unpublished_changes(s, chosen), plan.plan_text_of(chosen),
            [SectionLine(sec.code, sec.name, by_id.get(sec.parent_id, "")) for sec in secs],
            [_indicator_detail(i, by_id, targets.get(i.id, []), ledger.get(i.id, []), linked.get(i.predecessor_id, ""))
             for i in indicators],
            [TypeLine(t.code, t.name) for t in s.scalars(select(ActivityType).order_by(ActivityType.sort_order,
                                                                                        ActivityType.id))],
            rules, [_task_line(t, named, units) for t in plan_editing.plan_tasks(s, chosen)], list(units.items()))


def check_names() -> list[str]:
    """The checks the 审核 engine knows: a rule names one of them."""
    from kexie_desktop.review.checks import EVALUATORS

    return list(EVALUATORS)


def _draft_write(ctx: AppContext, code: str, change) -> Changes:
    with ctx.db.write() as s:
        change(s, plan.plan_by_code(s, code))
    return Changes(plan=True)


def edit_plan(ctx, code: str, new_code: str, name: str, start: int, end: int) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.edit_plan(s, p, new_code, name, start, end))


def add_section(ctx, code: str, section: str, name: str, parent: str | None) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.add_section(s, p, section, name, parent))


def rename_section(ctx, code: str, section: str, name: str) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.rename_section(s, p, section, name))


def move_section(ctx, code: str, section: str, step: int) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.move_section(s, p, section, step))


def put_indicator(ctx, code: str, fields: plan_editing.IndicatorFields, *, new: bool) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.put_indicator(s, p, fields, new=new))


def set_carry_over(ctx, code: str, indicator: str, carry: bool) -> Changes:
    def change(s, chosen):
        plan_editing.require_draft(chosen)
        plan_authoring.set_carry_over(s, plan_editing.plan_indicator(s, chosen, indicator), carry)
    return _draft_write(ctx, code, change)


def remove_indicator(ctx, code: str, indicator: str) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.remove_indicator(s, p, indicator))


def move_indicator(ctx, code: str, indicator: str, step: int) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.move_indicator(s, p, indicator, step))


def add_activity_type(ctx, code: str, type_code: str, name: str) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.add_activity_type(s, p, type_code, name))


def put_rule(ctx, code: str, fields: plan_editing.RuleFields, *, new: bool) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.put_rule(s, p, fields, new=new))


def remove_rule(ctx, code: str, rule: str) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.remove_rule(s, p, rule))


def put_task(ctx, code: str, fields: plan_editing.TaskFields, *, new: bool) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.put_task(s, p, fields, new=new))


def remove_task(ctx, code: str, task: str) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.remove_task(s, p, task))


def ledger_pairs(text: str) -> list[tuple[str, str]]:
    """台账统计 as the template writes it: "类型代码:计量;…" (计量: 活动场次, 受众人次, 参与人数)."""
    measures = {label: code for code, label in MEASURES.items()}
    pairs = []
    for part in filter(None, (p.strip() for p in text.replace("；", ";").split(";"))):
        code, _, label = part.replace("：", ":").partition(":")
        if not code.strip() or label.strip() not in measures:
            raise UserError(f"台账统计“{part}”应写成“活动类型代码:计量”，计量可选：{'、'.join(measures)}。")
        pairs.append((code.strip(), measures[label.strip()]))
    return pairs


def ledger_text(pairs: list[tuple[str, str]]) -> str:
    return ";".join(f"{code}:{MEASURES[measure]}" for code, measure in pairs)


def set_text(ctx, code: str, text: str) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_authoring.set_plan_text(s, p, text))


def read_text_file(path: str) -> str:
    """A .txt or .docx (``plan_sheet.text``: the same reading as ``plan text``)."""
    from kexie_desktop.plan_sheet.text import read_plan_text

    return read_plan_text(Path(path))


def link_sentence(ctx, code: str, what: str, subject: str, sentence: str) -> Changes:
    return _draft_write(ctx, code, lambda s, p: plan_editing.link_sentence(s, p, what, subject, sentence))


def load_scheme(ctx, code: str, year: int) -> assessment_scheme.Scheme:
    """The draft's 考核方案 of ``year`` (the default until one is saved)."""
    with ctx.db.read() as s:
        plan.show_plan(s, code)
        return assessment_scheme.scheme_of(s, year)


def scheme_document(ctx, code: str, year: int) -> str:
    """The same as its JSON document, as ``scheme --json`` writes it."""
    body = load_scheme(ctx, code, year).to_json()
    return json.dumps({k: body[k] for k in ("year", "cap", "classes")}, ensure_ascii=False, indent=1)


def save_scheme(ctx, code: str, year: int, document: str | dict) -> Changes:
    """Validated by the core (``assessment_scheme.put``) for the draft's years, sections, indicators and tasks."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise UserError(f"考核方案不是有效的 JSON（第 {exc.lineno} 行）。") from None
    with ctx.db.write() as s:
        plan_editing.require_draft(plan.show_plan(s, code))
        assessment_scheme.put(s, year, document, user="计划编辑")
    return Changes(plan=True)
