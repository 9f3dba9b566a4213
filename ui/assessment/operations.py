"""Operations behind 考核: the year's result and scheme, saving a scheme, adjusting a task, through the core."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kexie_desktop import assessment as core
from kexie_desktop.changes import Changes
from kexie_desktop.progress import default_as_of
from kexie_desktop.services import offices, plan, settings
from kexie_desktop.services import tasks as task_service

from ..context import AppContext


@dataclass(frozen=True)
class AssessmentSetup:
    is_city: bool
    office_code: str
    office_name: str
    years: list[int]
    default_year: int
    units: list[tuple[str, str]]  # (code, short name) of the active units, in office order
    indicators: list[tuple[str, str]]  # (code, name)
    tasks: list[tuple[str, str]]
    sections: list[tuple[str, str]]


def load_setup(ctx: AppContext, today: dt.date | None = None) -> AssessmentSetup:
    with ctx.db.read() as s:
        mine = offices.this_office(s) or offices.city(s)
        current = plan.current_plan(s)
        year = min(max((today or dt.date.today()).year, current.start_year), current.end_year)
        return AssessmentSetup(
            mine.is_city, mine.code, mine.name, list(current.years), year,
            [(u.code, u.short_name) for u in offices.units(s)],
            [(i.code, i.name) for i in plan.indicators(s, current)],
            [(t.code, t.name) for t in task_service.all_tasks(s)],
            [(sec.code, sec.name) for sec in current.sections],
        )


def as_of_default(ctx: AppContext, year: int, today: dt.date | None = None) -> dt.date:
    with ctx.db.read() as s:
        return default_as_of(plan.show_year(s, year), year, today)


def load(ctx: AppContext, year: int, as_of: dt.date | None) -> core.Assessment:
    with ctx.db.read() as s:
        plan.show_year(s, year)  # an earlier plan's year: assessed under that plan, as it was
        return core.assess(s, year, as_of)


def load_scheme(ctx: AppContext, year: int) -> core.Scheme:
    with ctx.db.read() as s:
        plan.show_year(s, year)
        return core.scheme_of(s, year)


def save_scheme(ctx: AppContext, year: int, document: dict) -> core.Scheme:
    with ctx.db.write() as s:
        saved = core.put(s, year, document, user=settings.audit_user(s, "市科协"))
    ctx.notify(Changes(assessment=True))
    return saved


def adjust(ctx: AppContext, year: int, office_code: str, task_code: str, points: float | None, reason: str) -> Changes:
    with ctx.db.write() as s:
        changes = core.adjust(s, year, offices.resolve(s, office_code), task_code, points, reason,
                              user=settings.audit_user(s, "市科协"))
    ctx.notify(changes)
    return changes
