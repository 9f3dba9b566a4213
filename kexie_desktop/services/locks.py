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
from .plan import check_months_writable

LOCKED_STATES = ("approved", "sent", "received")


def check_unlocked(s: Session, office: Office, months: Iterable[tuple[int, int]], *,
                   from_package: bool = False) -> None:
    """``from_package``: a unit's package, which may still bring an ended plan's months (a late December)."""
    wanted = set(months)
    if not wanted:
        return
    if not from_package:
        check_months_writable(s, wanted)  # a month of an ended plan: refused before any lock is asked
    locked = locked_months(s, office, wanted)
    if locked:
        r = locked[min(locked)]
        raise UserError(locked_message(r.year, r.month, r.by, r.at))


def locked_months(s: Session, office: Office, months: Iterable[tuple[int, int]]) -> dict[tuple[int, int], ReviewMonth]:
    """Which of ``months`` are locked for ``office`` here ((year, month) -> its review row)."""
    wanted = set(months)
    this = offices.this_office(s)
    if not wanted or this is None or this.id != office.id:
        return {}
    rows = s.scalars(
        select(ReviewMonth).where(
            ReviewMonth.office_id == office.id,
            ReviewMonth.year.in_({y for y, _m in wanted}),
            ReviewMonth.state.in_(LOCKED_STATES),
        )
    )
    return {(r.year, r.month): r for r in rows if (r.year, r.month) in wanted}


def require_own_office(s: Session, office: Office) -> Office:
    """审核 (submit, approve, unapprove, explain) is done where the data is entered: only this
    installation's own office. Returns this office."""
    this = offices.this_office(s)
    if this is None:
        raise UserError("本机还没有设定所属单位，不能审核。请先设定本机单位，或导入市科协发来的初始化包。")
    if this.id != office.id:
        raise UserError(f"本机是{this.name}，只能审核本单位的数据，不能审核{office.name}的。")
    return this


def locked_message(year: int, month: int, by: str, at) -> str:
    """Why a locked month refuses an edit: the one sentence the core, the grid and the ledger show."""
    when = f" 于 {at:%Y-%m-%d %H:%M}" if at else ""
    return (f"{year}年{month}月的数据已由 {by or '审核人'}{when} 审核通过并锁定，不能修改。"
            "如需修改，请审核人在“审核”页撤销审核（须写明原因）。")
