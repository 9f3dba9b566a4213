"""The city's adjustment of a unit's task score (with a reason): kept, never overwritten; the newest counts."""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..assessment_models import TaskAdjustment
from ..changes import Changes
from ..errors import UserError
from ..models import Office
from ..services import audit, plan as plan_service
from ..services import tasks as task_service
from ..validation import check_year
from ..services.assessment_scheme import require_city, scheme_of, task_weight

MIN_REASON = 4
MAX_REASON = 300


@dataclass(frozen=True)
class Adjustment:
    office_code: str
    task_code: str
    points: float | None  # None: withdrawn (the derived score applies again)
    reason: str
    by: str
    at: dt.datetime

    def to_json(self) -> dict:
        return {"office": self.office_code, "task": self.task_code, "points": self.points, "reason": self.reason,
                "by": self.by, "at": self.at.isoformat(sep=" ")}


def history(s: Session, year: int, office: Office | None = None) -> list[Adjustment]:
    """Every adjustment of the year (of one unit), oldest first."""
    plan = plan_service.current_plan(s)
    q = select(TaskAdjustment).where(TaskAdjustment.plan_id == plan.id, TaskAdjustment.year == year)
    if office is not None:
        q = q.where(TaskAdjustment.office_id == office.id)
    return [Adjustment(r.office.code, r.task_code, r.points, r.reason, r.by, r.at)
            for r in s.scalars(q.order_by(TaskAdjustment.id))]


def current(s: Session, year: int) -> dict[tuple[str, str], Adjustment]:
    """(office code, task code) → the adjustment in force (withdrawn ones left out)."""
    latest: dict[tuple[str, str], Adjustment] = {}
    for a in history(s, year):
        latest[(a.office_code, a.task_code)] = a
    return {k: a for k, a in latest.items() if a.points is not None}


def adjust(s: Session, year: int, office: Office, task_code: str, points: float | None, reason: str, *,
           user: str = "") -> Changes:
    """Set (``points``, at most what the task weighs in the year's scheme) or withdraw (None) the city's
    score of ``office``'s task."""
    require_city(s, "调整任务得分")
    plan_service.check_year_writable(s, year)  # an ended plan's scores stay as they were
    check_year(year, plan_service.current_plan(s), what=f"年份 {year}")
    if office.is_city:
        raise UserError("考核的对象是各县区，不能调整市科协本身的任务得分。")
    t = task_service.task(s, task_code)
    if not task_service.carries(t, office):
        raise UserError(f"任务 {t.code}“{t.name}”不由{office.name}承担，没有得分可调整。")
    text = (reason or "").strip()
    if len(text) < MIN_REASON:
        raise UserError(f"请写明调整理由（至少 {MIN_REASON} 个字）：理由会和调整人、时间一起保留。")
    if len(text) > MAX_REASON:
        raise UserError(f"调整理由太长（{len(text)} 字），最多 {MAX_REASON} 字。")
    if points is not None:
        top = task_weight(s, scheme_of(s, year), office, t.code)
        if top is None:
            raise UserError(f"{office.name}的任务 {t.code} 不在 {year} 年考核方案的计分项中，没有得分可调整。")
        if points < 0:
            raise UserError(f"调整后的得分不能为负数（{points:g}）。")
        if points > top + 1e-9:
            raise UserError(f"任务 {t.code} 在 {year} 年考核方案中最多 {top:.2f} 分，调整后的得分 {points:g} 超过了它。")
    plan = plan_service.current_plan(s)
    before = current(s, year).get((office.code, t.code))
    s.add(TaskAdjustment(plan_id=plan.id, year=year, office_id=office.id, task_code=t.code, points=points,
                         reason=text, by=user))
    audit.record(s, "task_score", f"{year}/{t.code}", office.id,
                 None if before is None else {"points": before.points, "reason": before.reason},
                 {"points": points, "reason": text}, user=user)
    s.flush()
    return Changes(assessment=True)
