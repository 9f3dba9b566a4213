"""The 工作清单 as one list: every (task, carrying office) an office looks at, with the derived status, in a
few queries (the page's table; ``tasks.views`` asks per task and per unit).

At a unit: the tasks it carries. At the city: the tasks the city carries and, for each active unit, the
tasks that unit carries (its milestones and notes arrive in its packages). Overdue (滞后) first, then in
plan order, the city before the units.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import UserError
from ..models import Office
from ..task_models import Evidence, Milestone, PlanTask, ProgressNote
from . import offices
from .tasks import all_tasks, carries, derive_status


@dataclass
class Entry:
    task: PlanTask
    office: Office
    status: str
    milestones: list[Milestone]  # by due date
    notes: list[ProgressNote]  # by date

    @property
    def next_milestone(self) -> Milestone | None:
        """The earliest milestone not yet done."""
        return next((m for m in self.milestones if m.done is None), None)


def board(s: Session, office: Office, as_of: dt.date) -> list[Entry]:
    who = [office] if not office.is_city else [office] + [u for u in offices.units(s) if u.active]
    rank = {o.id: i for i, o in enumerate(who)}
    tasks = all_tasks(s)
    ids = list(rank)
    marks: dict[tuple[int, int], list[Milestone]] = defaultdict(list)
    for m in s.scalars(select(Milestone).where(Milestone.office_id.in_(ids)).order_by(Milestone.due, Milestone.id)):
        marks[m.task_id, m.office_id].append(m)
    said: dict[tuple[int, int], list[ProgressNote]] = defaultdict(list)
    query = (select(ProgressNote).where(ProgressNote.office_id.in_(ids))
             .options(selectinload(ProgressNote.evidence).defer(Evidence.data))
             .order_by(ProgressNote.date, ProgressNote.id))
    for n in s.scalars(query):
        said[n.task_id, n.office_id].append(n)
    out = []
    for t in tasks:
        for o in who:
            if carries(t, o):
                ms, ns = marks[t.id, o.id], said[t.id, o.id]
                out.append(Entry(t, o, derive_status([(m.due, m.done) for m in ms], bool(ns), as_of), ms, ns))
    order = {t.id: i for i, t in enumerate(tasks)}
    out.sort(key=lambda e: (e.status != "滞后", order[e.task.id], rank[e.office.id]))
    return out


def evidence_file(s: Session, evidence_id: int) -> Evidence:
    """One stored evidence file with its bytes (only ever shown as an image or saved as a copy)."""
    row = s.get(Evidence, evidence_id)
    if row is None:
        raise UserError(f"没有编号为 {evidence_id} 的证据文件，它可能已被删除。")
    return row
