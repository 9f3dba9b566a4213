"""Per-month review state of an office: 草稿 → 待审核 → 已审核 (locked) → back only by 撤销审核 with a reason.

Every transition is written to the audit log (who, when, old → new state, reason). A reviewer password
(optional, for a shared office PC) is kept as a salted scrypt hash in the settings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import REVIEW_STATES, Office, ReviewMonth
from ..services import audit, settings
from ..services.plan import check_year_writable
from ..services.locks import LOCKED_STATES, require_own_office
from .checks import run_checks

PASSWORD_KEY = "reviewer_password"
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_REASON = 5


@dataclass(frozen=True)
class MonthState:
    month: int
    state: str
    by: str = ""
    at: dt.datetime | None = None
    note: str = ""
    version: int = 0  # the row's version (0: no row yet): an edit made on this view checks it (issue 18)

    @property
    def label(self) -> str:
        return REVIEW_STATES[self.state]

    @property
    def locked(self) -> bool:
        return self.state in LOCKED_STATES


def month_states(s: Session, office: Office, year: int) -> list[MonthState]:
    """The twelve months of ``year``; a month never touched is 草稿."""
    rows = {r.month: r for r in _rows(s, office, year)}
    return [
        MonthState(m, rows[m].state, rows[m].by, rows[m].at, rows[m].note, rows[m].version) if m in rows else MonthState(m, "draft")
        for m in range(1, 13)
    ]


def _rows(s: Session, office: Office, year: int) -> list[ReviewMonth]:
    return list(s.scalars(select(ReviewMonth).where(ReviewMonth.office_id == office.id, ReviewMonth.year == year)))


def seen_versions(months: list[MonthState]) -> dict[int, int]:
    """month -> version, as a view that shows ``months`` saves against them."""
    return {m.month: m.version for m in months}


def _check_seen(s: Session, office: Office, year: int, seen: dict[int, int] | None) -> None:
    """Refuse a transition made on states read at other versions (another PC moved a month meanwhile)."""
    if seen is None:
        return
    rows = {r.month: r for r in _rows(s, office, year)}
    for m in range(1, 13):
        audit.check_version(s, "review", f"{office.code}/{year}-{m:02d}",
                            rows[m].version if m in rows else None, seen.get(m, 0))


def _move(s: Session, office: Office, year: int, months: list[int], state: str, by: str, note: str = "") -> Changes:
    rows = {r.month: r for r in _rows(s, office, year)}
    now = dt.datetime.now().replace(microsecond=0)
    for m in months:
        row = rows.get(m)
        old = {"state": row.state if row else "draft"}
        if row is None:
            row = ReviewMonth(office_id=office.id, year=year, month=m)
            s.add(row)
        row.state, row.by, row.at, row.note = state, by, now, note
        new = {"state": state, **({"reason": note} if note else {})}
        audit.record(s, "review", f"{office.code}/{year}-{m:02d}", office.id, old, new, user=by)
    return Changes(review={office.id})


def _label(months: list[int]) -> str:
    return "、".join(f"{m}月" for m in months)


def _due_months(year: int, through: int, today: dt.date) -> None:
    if (year, through) > (today.year, today.month):
        raise UserError(f"{year}年{through}月还没有到，不能提交或审核；请选到本月为止。")


def submit(s: Session, office: Office, year: int, through: int, *, user: str = "", today: dt.date | None = None,
           seen: dict[int, int] | None = None) -> Changes:
    """The 填报人 hands months 1..``through`` to the reviewer (草稿 or 已退回 → 待审核). ``seen``
    (``seen_versions`` of the states the view showed) refuses the step with ``StaleEdit`` when another PC
    changed a month's state meanwhile; None: no check (the CLI)."""
    require_own_office(s, office)
    check_year_writable(s, year)  # an ended plan's months keep their review state
    _check_seen(s, office, year, seen)
    _due_months(year, through, today or dt.date.today())
    states = month_states(s, office, year)[:through]
    months = [m.month for m in states if m.state in ("draft", "returned")]
    if not months:
        raise UserError(f"{year}年1—{through}月没有待提交的月份：它们已提交审核或已审核。")
    return _move(s, office, year, months, "pending", user)


def approve(
    s: Session, office: Office, year: int, through: int, *, by: str, password: str | None = None,
    today: dt.date | None = None, seen: dict[int, int] | None = None,
) -> Changes:
    """The 审核人 approves months 1..``through``: all submitted, no error, every warning explained.
    ``seen`` as for ``submit``."""
    require_own_office(s, office)
    check_year_writable(s, year)  # an ended plan's months keep their review state
    _check_seen(s, office, year, seen)
    today = today or dt.date.today()
    by = (by or "").strip()
    if not by:
        raise UserError("请写明审核人姓名。")
    check_password(s, password)
    # A month is approved once it has ended (submitting the current month is fine: the filler may
    # hand over early, but the reviewer locks only finished months).
    if (year, through) >= (today.year, today.month):
        raise UserError(f"{year}年{through}月还没有结束，不能审核通过；请选到上个月为止，本月结束后再审核。")
    states = month_states(s, office, year)[:through]
    drafts = [m.month for m in states if m.state in ("draft", "returned")]
    if drafts:
        raise UserError(f"{year}年{_label(drafts)}还没有提交审核：请填报人先提交，再审核。")
    months = [m.month for m in states if m.state == "pending"]
    if not months:
        raise UserError(f"{year}年1—{through}月没有待审核的月份。")
    blocking = [
        f for f in run_checks(s, office, year, today=today)
        if f.blocking and (f.month is None or f.month <= f"{year}-{through:02d}")
    ]
    if blocking:
        errors = sum(f.severity == "error" for f in blocking)
        raise UserError(
            f"不能审核通过：还有 {errors} 个错误、{len(blocking) - errors} 个未说明的警告。"
            f"第一条：{blocking[0].message}"
        )
    alone = (settings.get(s, "user_filler") or "").strip() == by
    return _move(s, office, year, months, "approved", by, "填报人与审核人为同一人" if alone else "")


def unapprove(
    s: Session, office: Office, year: int, from_month: int, *, reason: str, by: str,
    password: str | None = None, seen: dict[int, int] | None = None,
) -> Changes:
    """撤销审核 by the 审核人 ``by`` (the review password when one is set): months ``from_month``..12
    that are approved (or sent) go back to 草稿; a reason is required. ``seen`` as for ``submit``."""
    require_own_office(s, office)
    check_year_writable(s, year)  # an ended plan's months keep their review state
    _check_seen(s, office, year, seen)
    by = (by or "").strip()
    if not by:
        raise UserError("请写明撤销审核的审核人姓名。")
    check_password(s, password)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise UserError(f"撤销审核必须写明原因（至少 {MIN_REASON} 个字），以便日后查证。")
    states = month_states(s, office, year)[from_month - 1:]
    months = [m.month for m in states if m.locked]
    if not months:
        raise UserError(f"{year}年{from_month}月起没有已审核的月份，无需撤销。")
    return _move(s, office, year, months, "draft", by, reason)


def mark_sent(s: Session, office: Office, year: int, months: list[int], *, package: str, user: str = "") -> Changes:
    """Approved months carried by an exported package become 已报送. Who approved them and when stays
    (the lock names the approver); the audit log names the package."""
    rows = {r.month: r for r in _rows(s, office, year)}
    moved = [rows[m] for m in months if m in rows and rows[m].state == "approved"]
    for row in moved:
        row.state = "sent"
        audit.record(s, "review", f"{office.code}/{year}-{row.month:02d}", office.id, {"state": "approved"},
                     {"state": "sent", "package": package}, user=user)
    return Changes(review={office.id}) if moved else Changes()


# --- the reviewer's password --------------------------------------------------------------------------

def _hash(password: str, salt: bytes, params: dict) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **params).hex()


def has_password(s: Session) -> bool:
    return bool(settings.get(s, PASSWORD_KEY))


def set_password(s: Session, new: str, *, old: str | None = None) -> Changes:
    """Set or change (old one required) the reviewer's password; an empty ``new`` removes it."""
    if has_password(s):
        check_password(s, old)
    if new and len(new) < 4:
        raise UserError("审核密码至少 4 个字符。")
    if not new:
        settings.put(s, PASSWORD_KEY, None)
        return Changes(settings=True)
    salt = os.urandom(16)
    settings.put(s, PASSWORD_KEY, {"salt": salt.hex(), "hash": _hash(new, salt, SCRYPT), **SCRYPT})
    audit.record(s, "setting", PASSWORD_KEY, None, None, {"changed": True})
    return Changes(settings=True)


def check_password(s: Session, password: str | None) -> None:
    stored = settings.get(s, PASSWORD_KEY)
    if not stored:
        return
    if not password:
        raise UserError("审核已设密码：请输入审核密码。")
    params = {k: stored[k] for k in ("n", "r", "p")}
    if not hmac.compare_digest(_hash(password, bytes.fromhex(stored["salt"]), params), stored["hash"]):
        raise UserError("审核密码不对，请重新输入。")
