"""审核 page operations: the findings and month states of this office's year, and the transitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kexie_desktop.changes import Changes
from kexie_desktop.review import delivery, explanations, states
from kexie_desktop.review.checks import Finding, run_checks
from kexie_desktop.services import offices, plan, settings

from ..context import AppContext


@dataclass(frozen=True)
class ReviewView:
    office_code: str
    office_name: str
    year: int
    years: list[int]
    findings: list[Finding]
    months: list[states.MonthState]
    today: dt.date
    has_password: bool
    filler: str
    reviewer: str
    names: dict[str, str]  # indicator code -> name
    returned: list[delivery.Returned] = field(default_factory=list)  # the city's open returned items
    read_only: str | None = None  # "2018—2020年计划已结束，只能查看": an earlier plan's year

    @property
    def approvals(self) -> list[tuple[str, str]]:
        """(months, "by, at") for each approval of the year's locked months, in month order."""
        groups: dict[tuple, list[int]] = {}
        for m in self.months:
            if m.locked:
                groups.setdefault((m.label, m.by, m.at, m.note), []).append(m.month)
        lines = []
        for (label, by, at, note), months in groups.items():
            span = f"{months[0]}月" if len(months) == 1 else f"{months[0]}—{months[-1]}月"
            who = f"{label}：{by or '审核人'}" + (f"，{at:%Y-%m-%d %H:%M}" if at else "")
            lines.append((span, who + (f"（{note}）" if note else "")))
        return lines

    def blocking_through(self, month: int) -> list[Finding]:
        last = f"{self.year}-{month:02d}"
        return [f for f in self.findings if f.blocking and (f.month is None or f.month <= last)]

    @property
    def last_due_month(self) -> int:
        """The latest month that may be submitted or approved (0: the year has not begun)."""
        if self.year < self.today.year:
            return 12
        return self.today.month if self.year == self.today.year else 0

    @property
    def last_ended_month(self) -> int:
        """The latest month that may be approved: it has ended (0: none of the year has)."""
        if self.year < self.today.year:
            return 12
        return self.today.month - 1 if self.year == self.today.year else 0


def load_review(ctx: AppContext, year: int | None = None, today: dt.date | None = None) -> ReviewView:
    today = today or dt.date.today()
    with ctx.db.read() as s:
        office = offices.this_office(s) or offices.city(s)
        active = plan.active_plan(s)
        years = list(active.years)
        if year is None or (year not in years and plan.plan_of_year(s, year) is None):
            year = min(max(today.year, years[0]), years[-1])
        current = plan.show_year(s, year)  # an earlier plan's year: its rules and findings, read-only
        return ReviewView(
            office_code=office.code, office_name=office.name, year=year, years=years,
            findings=run_checks(s, office, year, today=today), months=states.month_states(s, office, year),
            today=today, has_password=states.has_password(s), filler=settings.get(s, "user_filler") or "",
            reviewer=settings.get(s, "user_reviewer") or "",
            names={i.code: i.name for i in plan.indicators(s, current)},
            returned=delivery.open_returned(s, office, year) if not office.is_city else [],
            read_only=plan.read_only_line(s, current),
        )


def _write(ctx: AppContext, action) -> Changes:
    with ctx.db.write() as s:
        changes = action(s, offices.this_office(s))
    ctx.notify(changes)  # after the commit: views never show what was not saved
    return changes


def explain(ctx: AppContext, year: int, finding: Finding, text: str, today: dt.date | None = None) -> Changes:
    def act(s, office):
        user = settings.get(s, "user_filler") or ""
        return explanations.explain(s, office, year, finding.rule, finding.subject, text, user=user, today=today)
    return _write(ctx, act)


# ``seen`` in the three steps below: ``states.seen_versions(view.months)``, the states the page showed; a
# month another PC moved since refuses the step (StaleEdit) and the page reads again.

def submit(ctx: AppContext, year: int, through: int, today: dt.date | None = None,
           seen: dict[int, int] | None = None) -> Changes:
    return _write(ctx, lambda s, o: states.submit(s, o, year, through, user=settings.get(s, "user_filler") or "",
                                                  today=today, seen=seen))


def approve(ctx: AppContext, year: int, through: int, by: str, password: str | None,
            today: dt.date | None = None, seen: dict[int, int] | None = None) -> Changes:
    return _write(ctx, lambda s, o: states.approve(s, o, year, through, by=by, password=password, today=today,
                                                   seen=seen))


def unapprove(ctx: AppContext, year: int, from_month: int, reason: str, by: str,
              password: str | None, seen: dict[int, int] | None = None) -> Changes:
    return _write(ctx, lambda s, o: states.unapprove(s, o, year, from_month, reason=reason, by=by,
                                                     password=password, seen=seen))
