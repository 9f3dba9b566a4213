"""Importing a return at the unit: like a receipt it must answer a package this unit sent; its items are
kept (open until the next export carries their months), and the returned months unlock (已退回), their
note naming the city's reasons."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....changes import Changes
from ....models import REVIEW_STATES, ReviewMonth
from ....package_models import ReturnItem
from ....services import audit, offices, plan, settings
from ...format.errors import PackageError
from ...format.workbook import typed_rows
from ...pipeline.results import CHANGED, NEW, Classified, RowChange
from .. import answers
from ..answers import candidate_keys, check_role  # noqa: F401  (PackageKind)
from .export import ITEMS, REASON_LIMIT, RETURNED, SPECS  # noqa: F401  (SPECS: PackageKind)

def classify(s: Session, loaded) -> Classified:
    m = loaded.manifest
    office = offices.this_office(s)
    changes: list[RowChange] = []
    refuse = answers.refuser(changes)
    _package, checksum, _sequence, year = answers.header_row(loaded, RETURNED, refuse)
    entry, _latest = answers.answered_submission(s, m, office, checksum, year)
    codes = {i.code for i in plan.indicators(s)}
    items: dict[tuple[int, str], str] = {}
    for rownum, (month_text, code, _name, reason) in typed_rows(ITEMS, loaded.rows[ITEMS.name], refuse(ITEMS)):
        month, code, reason = int(month_text[5:]), code.strip(), reason.strip()
        problem = (f"月份 {month_text} 不属于{year}年。" if int(month_text[:4]) != year
                   else f"未知的指标代码“{code}”。" if code and code not in codes
                   else "退回原因不能为空。" if not reason
                   else f"退回原因太长（不超过 {REASON_LIMIT} 字）。" if len(reason) > REASON_LIMIT
                   else "与前面的一行重复。" if (month, code) in items else None)
        if problem:
            changes.append(answers.refusal(ITEMS, rownum, problem))
            continue
        items[(month, code)] = reason
        what = f"{year}年{month}月" + (f" 指标 {code}" if code else "（整月）")
        changes.append(RowChange(ITEMS.name, rownum, f"{year}-{month:02d}/{code}", NEW, f"退回：{what}", new=reason))
    if not items:
        raise PackageError("退回包中没有退回事项。", sheet=ITEMS.name)
    # A month this unit already sent again, approved, in a package newer than the returned one is answered
    # by it, as the city counts it when that package arrives: it stays locked (the city returns it again
    # if the newer figures are still wrong).
    resent = _resent(s, office, year, entry.sequence or 0)
    answered = {month: resent[month] for month, _code in items if month in resent}
    months = sorted({month for month, _code in items} - set(answered))
    warnings = [f"{year}年{month}月已由本单位序号 {e.sequence} 的上报包重新报送（已审核），市科协收到后即视为已重报，"
                "此月不解除锁定；市科协如仍认为有误，会再次退回。" for month, e in sorted(answered.items())]
    states = {r.month: r.state for r in s.scalars(select(ReviewMonth).where(
        ReviewMonth.office_id == office.id, ReviewMonth.year == year))}
    for month in months:
        old = states.get(month, "draft")
        changes.append(RowChange(answers.STATES_SHEET, None, f"{year}-{month:02d}", CHANGED, f"{year}年{month}月 审核状态",
                                 _state_label(old), "已退回（解除锁定）"))
    created = dt.datetime.fromisoformat(m.created)

    def apply(session: Session, source: str) -> Changes:
        user = settings.audit_user(session, "导入退回")
        now = dt.datetime.now().replace(microsecond=0)
        for (month, code), reason in items.items():
            by = answered.get(month)
            session.add(ReturnItem(return_package=m.package_id, submission=entry.package_id,
                                   submission_sequence=entry.sequence or 0, office_id=office.id, year=year,
                                   month=month, indicator=code, reason=reason, created=created,
                                   answered_by=by.package_id if by else "", answered_at=now if by else None))
        rows = {r.month: r for r in session.scalars(select(ReviewMonth).where(
            ReviewMonth.office_id == office.id, ReviewMonth.year == year))}
        for month in months:
            note = "；".join(f"{code + '：' if code else ''}{reason}" for (mo, code), reason in items.items() if mo == month)
            row = rows.get(month)
            before = {"state": row.state if row else "draft"}
            if row is None:
                row = ReviewMonth(office_id=office.id, year=year, month=month)
                session.add(row)
            row.state, row.by, row.at, row.note = "returned", "市科协", now, f"市科协退回：{note}"[:500]
            audit.record(session, "review", f"{office.code}/{year}-{month:02d}", office.id, before,
                         {"state": "returned", "reason": note, "package": m.package_id}, user=user, source=source)
        return Changes(review={office.id}, sent=True)

    return Classified(changes, apply, warnings=warnings)


def _resent(s: Session, office, year: int, sequence: int) -> dict:
    """Month -> the first submission newer than ``sequence`` this office sent that carries it approved."""
    found = {}
    for e in answers.sent_submissions(s, office, year):
        if (e.sequence or 0) > sequence:
            for month in answers.months_of(e, "approved_months"):
                found.setdefault(month, e)
    return found


def _state_label(state: str) -> str:
    return REVIEW_STATES.get(state, state)
