"""Operations behind 报送情况 (city): the year's matrix and the deadline setting, through the core."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kexie_desktop import reporting as core
from kexie_desktop.changes import Changes
from kexie_desktop.services import offices, plan

from ..context import AppContext


@dataclass(frozen=True)
class ReportingSetup:
    is_city: bool
    office_name: str
    years: list[int]
    default_year: int
    deadline_day: int


def load_setup(ctx: AppContext, today: dt.date | None = None) -> ReportingSetup:
    with ctx.db.read() as s:
        mine = offices.this_office(s) or offices.city(s)
        current = plan.current_plan(s)
        year = min(max((today or dt.date.today()).year, current.start_year), current.end_year)
        return ReportingSetup(mine.is_city, mine.name, list(current.years), year, core.deadline_day(s))


def load(ctx: AppContext, year: int, today: dt.date | None = None) -> core.Reporting:
    with ctx.db.read() as s:
        plan.show_year(s, year)  # an earlier plan's year: its units and months as they were
        return core.reporting(s, year, today=today)


def deadline_day(ctx: AppContext) -> int:
    with ctx.db.read() as s:
        return core.deadline_day(s)


def put_deadline_day(ctx: AppContext, day: int) -> Changes:
    with ctx.db.write() as s:
        changes = core.put_deadline_day(s, day)
    ctx.notify(changes)
    return changes
