"""Approved months are locked (审核 locks them): the one check every edit of values and records passes.

Locks protect this installation's own approved months; the city importing a unit's package writes the
unit's figures, which that unit's own review governs, so imports at the city are not refused here.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Office, ReviewMonth
from . import offices

LOCKED_STATES = ("approved", "sent", "received")


def check_unlocked(s: Session, office: Office, months: Iterable[tuple[int, int]]) -> None:
    wanted = set(months)
    if not wanted:
        return
    this = offices.this_office(s)
    if this is None or this.id != office.id:
        return
    rows = s.scalars(
        select(ReviewMonth).where(
            ReviewMonth.office_id == office.id,
            ReviewMonth.year.in_({y for y, _m in wanted}),
            ReviewMonth.state.in_(LOCKED_STATES),
        )
    )
    locked = sorted((r for r in rows if (r.year, r.month) in wanted), key=lambda r: (r.year, r.month))
    if locked:
        r = locked[0]
        raise UserError(
            f"{r.year}年{r.month}月的数据已由 {r.by or '审核人'} 于 {r.at:%Y-%m-%d %H:%M} 审核通过并锁定，不能修改。"
            "如需修改，请审核人在“审核”页撤销审核（须写明原因）。"
        )
