"""计划指标 / 计划原文 in the operations layer: the plan's sections and indicators with their city targets."""

from __future__ import annotations

from dataclasses import dataclass

from kexie_desktop import display
from kexie_desktop.models import AGGREGATIONS, ENTRIES, KINDS, PERIODS, Target
from kexie_desktop.services import offices, plan, targets

from ..context import AppContext


@dataclass(frozen=True)
class SectionRow:
    code: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    unit: str
    kind: str
    kind_label: str
    period_label: str
    aggregation_label: str
    entry_label: str
    section_code: str
    section_name: str
    target_text: str
    covers: str | None
    phrase: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PlanOverview:
    name: str
    start_year: int
    end_year: int
    sections: list[SectionRow]
    indicators: list[IndicatorRow]
    office_name: str | None


def _target_text(indicator, target: Target | None) -> str:
    if target is None:
        return display.NO_TARGET
    return display.target(indicator.kind, indicator.unit, target.value, target.min_value, target.max_value)


def plan_choices(ctx: AppContext) -> list[tuple[str, str]]:
    """(code, label) of the plans these pages can show: the current one first, then the other published
    ones (newest first); an earlier plan is shown read-only, as it was."""
    with ctx.db.read() as s:
        current, others = _current_and_others(s)
        return [(p.code, f"{plan.plan_years(p)}计划{'（当前）' if p.id == current.id else ''}")
                for p in [current, *others]]


def _current_and_others(s):
    """The current plan and every other published plan, newest first."""
    from sqlalchemy import select

    from kexie_desktop.models import Plan

    current = plan.active_plan(s)
    others = [p for p in s.scalars(select(Plan).where(Plan.published.is_(True))
                                   .order_by(Plan.start_year.desc(), Plan.id.desc())) if p.id != current.id]
    return current, others


def load_plan_overview(ctx: AppContext, code: str | None = None) -> PlanOverview:
    """The plan ``code`` (None: the current one): its sections, indicators and the city's targets."""
    with ctx.db.read() as s:
        current = plan.show_plan(s, code)
        city_targets = targets.final_targets(s, offices.city(s))
        sections = [
            SectionRow(sec.code, sec.name, sec.parent.code if sec.parent else None) for sec in current.sections
        ]
        rows = [
            IndicatorRow(
                code=i.code, name=i.name, unit=i.unit, kind=i.kind, kind_label=KINDS[i.kind],
                period_label=PERIODS[i.period] if i.period == "annual" else f"到{current.end_year}年",
                aggregation_label=AGGREGATIONS[i.aggregation], entry_label=ENTRIES[i.entry],
                section_code=i.section.code, section_name=i.section.name,
                target_text=_target_text(i, city_targets.get(i.id)), covers=i.covers,
                phrase=i.phrase, sources=tuple(plan.sources_of(i)),
            )
            for i in plan.indicators(s, current)
        ]
        mine = offices.this_office(s)
        return PlanOverview(current.name, current.start_year, current.end_year, sections, rows,
                            mine.name if mine else None)


def plan_text(ctx: AppContext, code: str | None = None) -> str:
    """The text of the plan ``code`` (None: the current one); the built-in plan's is in the resources."""
    with ctx.db.read() as s:
        return plan.plan_text_of(plan.show_plan(s, code))


# --- the year selector of every page: the years of every plan ----------------------------------------------
@dataclass(frozen=True)
class YearChoice:
    year: int
    label: str  # "2021年"; an earlier plan's year "2020年（2018—2020年计划）"
    plan_code: str
    read_only: str | None  # "2018—2020年计划已结束，只能查看"; None for the current plan's years


def year_choices(ctx: AppContext) -> list[YearChoice]:
    """The current plan's years first, then every other published plan's (newest plan first), labelled."""
    with ctx.db.read() as s:
        current, others = _current_and_others(s)
        choices = [YearChoice(y, f"{y}年", current.code, None) for y in current.years]
        for other in others:
            line = plan.read_only_line(s, other)
            choices += [YearChoice(y, f"{y}年（{plan.plan_years(other)}计划）", other.code, line)
                        for y in other.years]
        return choices
