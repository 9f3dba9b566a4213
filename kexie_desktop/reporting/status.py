"""The unit × month matrix of a year at the city: one state per cell, and the reporting rates.

States (PRODUCT.md, "The reporting cycle"):
- 按时 / 迟报: the month's approved figures arrived; the package that first brought them (after the
  latest return of the month, when it was returned) was created by the deadline, or after it.
  "Created" is the package's 创建时间 (``PackageLog.created``; ``at``, the arrival, when a log row has none).
- 未审核: the month arrived only as a draft (in a package's months, in no package's approved months).
- 已退回待重报: the city returned the month (or an indicator of it) and no newer submission answered it.
- 未报: due and nothing arrived; 未到期: not due yet and nothing arrived (not counted).
A month is due once its deadline day (day D of the next month) has ended, i.e. when ``today`` is later.

Rates, as DHIS2 defines its reporting rates, over the due months only:
completeness = received ÷ due and timeliness = on time ÷ due, where "received" counts 按时 + 迟报 + 未审核
(the city holds the month's figures, approved or not); a returned month is not received (it waits for a
resubmission) and a missing one obviously not. The city's rates pool the units' counts (Σ received ÷ Σ due).
A month that arrived before it was due shows its state but is not counted until it is due.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Office
from ..package_models import PackageLog, ReturnItem, month_list
from ..services import offices, plan
from ..validation import check_year
from .deadline import deadline, deadline_day

ON_TIME, LATE, MISSING, DRAFT, RETURNED, NOT_DUE = "按时", "迟报", "未报", "未审核", "已退回待重报", "未到期"
STATES = (ON_TIME, LATE, DRAFT, RETURNED, MISSING, NOT_DUE)
RECEIVED = (ON_TIME, LATE, DRAFT)
# The matrix's cells (CLI and page): two characters each.
SHORT = {ON_TIME: "按时", LATE: "迟报", MISSING: "未报", DRAFT: "未审", RETURNED: "退回", NOT_DUE: "—"}


@dataclass(frozen=True)
class Cell:
    office: str  # unit code
    month: int
    state: str
    due: bool
    deadline: dt.date
    created: dt.datetime | None = None  # of the package that decided the cell
    arrived: dt.datetime | None = None
    package_id: str = ""
    sequence: int | None = None
    reasons: tuple[tuple[str, str], ...] = ()  # 已退回待重报: (indicator or "", the city's reason)

    def reason_lines(self) -> list[str]:
        """"5月：原因" for a whole month, "5月 I09：原因" for an indicator."""
        return [f"{self.month}月{' ' + ind if ind else ''}：{why}" for ind, why in self.reasons]

    def to_json(self, year: int) -> dict:
        return {"office": self.office, "month": f"{year}-{self.month:02d}", "state": self.state,
                "created": _iso(self.created), "arrived": _iso(self.arrived), "due": self.due,
                "deadline": self.deadline.isoformat(), "package": self.package_id or None,
                "sequence": self.sequence,
                "reasons": [{"indicator": ind or None, "reason": why} for ind, why in self.reasons]}


@dataclass(frozen=True)
class Rate:
    due: int
    received: int
    on_time: int

    @property
    def completeness(self) -> float | None:
        return self.received / self.due if self.due else None

    @property
    def timeliness(self) -> float | None:
        return self.on_time / self.due if self.due else None

    def __add__(self, other: "Rate") -> "Rate":
        return Rate(self.due + other.due, self.received + other.received, self.on_time + other.on_time)

    def to_json(self) -> dict:
        return {"due": self.due, "received": self.received, "on_time": self.on_time,
                "completeness": self.completeness, "timeliness": self.timeliness}

    @classmethod
    def of(cls, cells) -> "Rate":
        due = [c for c in cells if c.due]
        return cls(len(due), sum(c.state in RECEIVED for c in due), sum(c.state == ON_TIME for c in due))


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    short_name: str
    cells: tuple[Cell, ...]  # months 1..12
    rate: Rate

    def months(self, state: str) -> list[int]:
        """The due months in ``state``."""
        return [c.month for c in self.cells if c.due and c.state == state]


@dataclass(frozen=True)
class Overdue:
    code: str
    name: str
    missing: tuple[int, ...]  # 未报
    returned: tuple[int, ...]  # 已退回待重报
    draft: tuple[int, ...]  # 未审核: to be approved and sent again
    text: str  # the 催报 text for this unit


@dataclass(frozen=True)
class Reporting:
    year: int
    today: dt.date
    deadline_day: int
    units: tuple[UnitRow, ...]
    city: Rate
    overdue: tuple[Overdue, ...]
    reminder: str  # one 催报 text for all overdue units ("" when none)

    def to_json(self) -> dict:
        return {
            "year": self.year, "today": self.today.isoformat(), "deadline_day": self.deadline_day,
            "cells": [c.to_json(self.year) for u in self.units for c in u.cells],
            "units": [{"office": u.code, "name": u.name, **u.rate.to_json()} for u in self.units],
            "city": self.city.to_json(),
            "overdue": [{"office": o.code, "name": o.name, "missing": list(o.missing), "returned": list(o.returned),
                         "draft": list(o.draft), "text": o.text} for o in self.overdue],
            "reminder": self.reminder,
        }


def require_city(s: Session) -> None:
    mine = offices.this_office(s)
    if mine is not None and not mine.is_city:
        raise UserError(f"本机是{mine.name}：报送情况只在市科协查看；本单位各月的报送状态见数据交换页。")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(sep=" ") if value else None


def reporting(s: Session, year: int, *, today: dt.date | None = None, day: int | None = None) -> Reporting:
    """The year's matrix for every active unit; ``day``: the deadline day (default: the setting).
    Only the city sees it: a unit installation gets a UserError."""
    from .reminders import combined_text, overdue_list  # reminders reads this module's types

    require_city(s)
    check_year(year, plan.current_plan(s), what=f"年份 {year}")
    today = today or dt.date.today()
    day = day or deadline_day(s)
    units = offices.units(s)
    packages = _applied(s, year)
    returns = _returns(s, year)
    rows = []
    for unit in units:
        cells = tuple(_cell(unit.code, year, m, day, today, packages[unit.code], returns[(unit.code, m)])
                      for m in range(1, 13))
        rows.append(UnitRow(unit.code, unit.name, unit.short_name, cells, Rate.of(cells)))
    city = sum((r.rate for r in rows), Rate(0, 0, 0))
    overdue = overdue_list(rows, year, day)
    return Reporting(year, today, day, tuple(rows), city, overdue, combined_text(overdue, year, day, today))


@dataclass(frozen=True)
class _Package:
    package_id: str
    sequence: int
    created: dt.datetime | None
    arrived: dt.datetime
    months: frozenset[int]
    approved: frozenset[int]

    @property
    def made(self) -> dt.datetime:
        """When the sender made it; its arrival stands in for log rows without a creation time."""
        return self.created or self.arrived


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    # A package's clock is local time; an offset a foreign file may carry is dropped, not converted.
    return value.replace(tzinfo=None) if value is not None else None


def _applied(s: Session, year: int) -> dict[str, list[_Package]]:
    """Applied submissions of ``year`` per unit code, oldest first (a newer sequence supersedes)."""
    q = select(PackageLog).where(PackageLog.direction == "received", PackageLog.result == "applied",
                                 PackageLog.kind == "submission", PackageLog.year == year)
    found: dict[str, list[_Package]] = defaultdict(list)
    for e in s.scalars(q.order_by(PackageLog.office_code, PackageLog.sequence, PackageLog.id)):
        found[e.office_code].append(_Package(e.package_id, e.sequence or 0, _naive(e.created), _naive(e.at),
                                             frozenset(month_list(e.months)), frozenset(month_list(e.approved_months))))
    return found


def _returns(s: Session, year: int) -> dict[tuple[str, int], list[ReturnItem]]:
    """The city's returned items of ``year`` per (unit code, month)."""
    q = select(ReturnItem, Office.code).join(Office, ReturnItem.office_id == Office.id).where(ReturnItem.year == year)
    found: dict[tuple[str, int], list[ReturnItem]] = defaultdict(list)
    for item, code in s.execute(q.order_by(ReturnItem.id)):
        found[(code, item.month)].append(item)
    return found


def _cell(code: str, year: int, month: int, day: int, today: dt.date, packages: list[_Package],
          items: list[ReturnItem]) -> Cell:
    last = deadline(year, month, day)
    base = Cell(code, month, NOT_DUE, today > last, last)
    after = max((i.submission_sequence for i in items), default=0)  # judge only packages after the last return
    open_items = [i for i in items if not i.answered_by]
    if open_items:
        returned = max(open_items, key=lambda i: (i.submission_sequence, i.id))
        source = next((p for p in packages if p.package_id == returned.submission), None)
        reasons = tuple(dict.fromkeys((i.indicator, i.reason) for i in open_items))
        return _decided(base, RETURNED, source, reasons=reasons)
    later = [p for p in packages if p.sequence > after]
    approved = next((p for p in later if month in p.approved), None)
    if approved is not None:
        on_time = approved.made < dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
        return _decided(base, ON_TIME if on_time else LATE, approved)
    draft = next((p for p in reversed(later) if month in p.months), None)
    if draft is not None:
        return _decided(base, DRAFT, draft)
    return base if not base.due else _decided(base, MISSING, None)


def _decided(base: Cell, state: str, package: _Package | None, reasons: tuple = ()) -> Cell:
    if package is None:
        return Cell(base.office, base.month, state, base.due, base.deadline, reasons=reasons)
    return Cell(base.office, base.month, state, base.due, base.deadline, package.created, package.arrived,
                package.package_id, package.sequence, reasons)
