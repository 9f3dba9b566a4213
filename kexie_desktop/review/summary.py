"""The review summary of an office's year as a package carries it: 已审核 or 草稿, and which months.

The same arithmetic serves the unit writing its package (from its own month states and checks) and
the city reading one (from the package's 审核状态 sheet and its data rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from ..models import Activity, DataValue, Office
from ..services.locks import LOCKED_STATES
from .checks import Finding, run_checks
from .states import month_states

APPROVED, DRAFT = "approved", "draft"
LABELS = {APPROVED: "已审核", DRAFT: "未审核"}


def months_text(months: Iterable[int]) -> str:
    """[1, 2, 3, 5] → "1—3、5月" (runs of consecutive months joined by a dash)."""
    months = sorted(set(months))
    if not months:
        return ""
    runs: list[list[int]] = []
    for m in months:
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return "、".join(f"{r[0]}—{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs) + "月"


@dataclass(frozen=True)
class ReviewSummary:
    state: str  # APPROVED or DRAFT
    approved_months: tuple[int, ...]
    unapproved_months: tuple[int, ...]  # months up to the last one with data that are not approved
    errors: int = 0  # errors the checks still find (the unit; the city does not re-check)
    approvers: tuple[str, ...] = ()
    months: tuple[int, ...] = ()  # the months with values or ledger records

    @property
    def label(self) -> str:
        """未审核 / 已审核: how the city marks the package and the unit's year."""
        return LABELS[self.state]

    def cover_text(self) -> str:
        """The cover's 审核状态: 已审核（1—6月；审核人：张三） or 草稿（未审核：7—9月；还有 2 个错误）."""
        if self.state == APPROVED:
            who = f"；审核人：{'、'.join(self.approvers)}" if self.approvers else ""
            return f"已审核（{months_text(self.approved_months)}{who}）"
        parts = []
        if self.unapproved_months:
            parts.append(f"未审核：{months_text(self.unapproved_months)}")
        elif not self.approved_months:
            parts.append("未审核")
        if self.errors:
            parts.append(f"还有 {self.errors} 个错误")
        if self.approved_months:
            parts.append(f"已审核：{months_text(self.approved_months)}")
        return f"草稿（{'；'.join(parts)}）"

    def to_json(self) -> dict:
        return {"state": self.state, "approved_months": list(self.approved_months),
                "unapproved_months": list(self.unapproved_months), "months": list(self.months)}


def summarize(states: dict[int, str], data_months: Iterable[int], *, errors: int = 0,
              approvers: Iterable[str] = ()) -> ReviewSummary:
    """``states``: month → review state (a month not given is 草稿); ``data_months``: months with
    values or ledger records. Approved when every month up to the last one with data is approved (or
    already sent), at least one is, and no error remains."""
    last = max(data_months, default=0)
    approved = tuple(m for m in range(1, 13) if states.get(m, "draft") in LOCKED_STATES)
    unapproved = tuple(m for m in range(1, last + 1) if states.get(m, "draft") not in LOCKED_STATES)
    state = APPROVED if approved and not unapproved and not errors else DRAFT
    names = tuple(dict.fromkeys(n for n in approvers if n))
    return ReviewSummary(state, approved, unapproved, errors, names, tuple(sorted(set(data_months))))


def office_summary(s: Session, office: Office, year: int, findings: list[Finding] | None = None, *,
                   today: dt.date | None = None) -> ReviewSummary:
    """The summary of this office's own year, as its submission package will carry it."""
    if findings is None:
        findings = run_checks(s, office, year, today=today)
    months = set(s.scalars(select(DataValue.month).where(DataValue.office_id == office.id,
                                                         DataValue.year == year).distinct()))
    months |= {int(m) for m in s.scalars(
        select(extract("month", Activity.date)).where(
            Activity.office_id == office.id, Activity.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
        ).distinct())}
    states = month_states(s, office, year)
    return summarize({m.month: m.state for m in states}, months,
                     errors=sum(f.severity == "error" for f in findings),
                     approvers=[m.by for m in states if m.locked])
