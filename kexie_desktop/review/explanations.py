"""Explanations (说明) that clear a warning; the rule that refuses a short one or an error lives here."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import Explanation, Office
from ..services import audit
from ..services.locks import require_own_office
from ..services.plan import check_year_writable
from .checks import Finding, run_checks

MIN_LENGTH = 5
MAX_LENGTH = 500


def find_finding(
    s: Session, office: Office, year: int, rule: str, subject: str, *, today: dt.date | None = None
) -> Finding:
    for finding in run_checks(s, office, year, today=today):
        if finding.rule == rule.upper() and finding.subject == subject:
            return finding
    raise UserError(f"规则 {rule} 对“{subject}”没有提示，不需要说明（可能数值已改正）。用 check 命令查看全部提示。")


def explain(
    s: Session, office: Office, year: int, rule: str, subject: str, text: str, *, user: str = "",
    today: dt.date | None = None,
) -> Changes:
    """Bind an explanation to the warning's current value; a later change of the value voids it."""
    require_own_office(s, office)
    check_year_writable(s, year)
    text = (text or "").strip()
    if len(text) < MIN_LENGTH:
        raise UserError(f"说明太短：至少写 {MIN_LENGTH} 个字，讲清楚这个数为什么是对的。")
    if len(text) > MAX_LENGTH:
        raise UserError(f"说明太长：最多 {MAX_LENGTH} 个字。")
    finding = find_finding(s, office, year, rule, subject, today=today)
    if finding.severity == "error":
        raise UserError(f"这是错误，不能用说明放过：{finding.message}")
    row = s.scalars(
        select(Explanation).where(
            Explanation.office_id == office.id, Explanation.rule == finding.rule, Explanation.subject == subject
        )
    ).first()
    old = {"value": row.value, "text": row.text} if row else None
    if row is None:
        row = Explanation(office_id=office.id, rule=finding.rule, subject=subject)
        s.add(row)
    row.value, row.text, row.by = finding.value, text, user
    row.at = dt.datetime.now().replace(microsecond=0)
    audit.record(s, "explanation", f"{finding.rule}/{subject}", office.id, old,
                 {"value": finding.value, "text": text}, user=user)
    return Changes(review={office.id})
