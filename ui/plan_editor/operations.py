"""计划编辑 in the operations layer: the plans, a draft's indicators, copy, edit, validate, publish, use.

Every rule is the core's (``services.plan_authoring``, ``services.plan_checks``); this only reads rows for
the page and returns the Changes of each mutation.
"""

from __future__ import annotations

from dataclasses import dataclass

from kexie_desktop import display
from kexie_desktop.changes import Changes
from kexie_desktop.models import KINDS, Target
from kexie_desktop.services import offices, plan, plan_authoring, plan_checks

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
