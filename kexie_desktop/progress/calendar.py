"""The calendar of targets: periods, the as-of date and expected progress (时序进度).

Expected progress is the elapsed share of a target's own period, counted in days and including the
as-of day itself: on 2020-02-29 an annual 2020 target is 60/366 through its year (31 days of January
plus 29 of February; 2020 is a leap year), on 2020-03-01 61/366. The plan period 2018-01-01 ..
2020-12-31 has 365 + 365 + 366 = 1096 days.

Before a period starts nothing is expected (0); from its last day on everything is (1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import UserError
from ..models import Indicator, Plan


@dataclass(frozen=True)
class Period:
    """A closed range of days: the year of an annual target, or the whole plan."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def elapsed_share(self, as_of: dt.date) -> float:
        """Share of the period's days up to and including ``as_of`` (0 before, 1 after)."""
        if as_of < self.start:
            return 0.0
        if as_of >= self.end:
            return 1.0
        return ((as_of - self.start).days + 1) / self.days

    def cutoff(self, as_of: dt.date) -> dt.date | None:
        """The last day whose records count at ``as_of``; None when the period has not begun."""
        if as_of < self.start:
            return None
        return min(as_of, self.end)

    def months(self) -> list[tuple[int, int]]:
        return [
            (y, m)
            for y in range(self.start.year, self.end.year + 1)
            for m in range(1, 13)
            if (self.start.year, self.start.month) <= (y, m) <= (self.end.year, self.end.month)
        ]


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


def plan_period(plan: Plan) -> Period:
    return Period(dt.date(plan.start_year, 1, 1), dt.date(plan.end_year, 12, 31))


def target_period(plan: Plan, indicator: Indicator, year: int) -> Period:
    """The year for annual targets, the whole plan for plan-end targets."""
    return year_period(year) if indicator.is_annual else plan_period(plan)


def default_as_of(plan: Plan, year: int | None = None, today: dt.date | None = None) -> dt.date:
    """Today clamped to the plan period; with a year, no later than that year's last day.

    Looking at 2019 in 2026 means "how did 2019 end", not "what does 2019 look like from 2026".
    """
    period = plan_period(plan)
    day = min(max(today or dt.date.today(), period.start), period.end)
    if year is not None:
        day = min(day, dt.date(year, 12, 31))
    return day


def check_year(plan: Plan, year: int) -> int:
    if not plan.start_year <= year <= plan.end_year:
        raise UserError(f"年份 {year} 超出计划期（{plan.start_year}—{plan.end_year}年）。")
    return year
