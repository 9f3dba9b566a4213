"""Importing a receipt at the unit: it must answer a package this unit sent (same id and checksum), be
addressed to this unit and signed with the city's key; then the months the city holds as approved
become 市已接收 and what the city holds of each month is kept (ReceiptMonth)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....changes import Changes
from ....models import Office, ReviewMonth
from ....package_models import ReceiptMonth
from ....services import audit, offices, settings
from ...format.workbook import typed_rows
from ...pipeline.results import CHANGED, NEW, SAME, Classified, RowChange
from .. import answers
from ..answers import candidate_keys, check_role  # noqa: F401  (PackageKind)
from .export import ACCEPTED, HELD, MONTHS, RECEIPT, SPECS  # noqa: F401  (SPECS: PackageKind)

def classify(s: Session, loaded) -> Classified:
    m = loaded.manifest
    office = offices.this_office(s)
    changes: list[RowChange] = []
    refuse = answers.refuser(changes)
    _package, checksum, sequence, year, arrived, review = answers.header_row(loaded, RECEIPT, refuse)
    entry, latest = answers.answered_submission(s, m, office, checksum, year)
    held = {}
    for rownum, (month_text, values, records, state) in typed_rows(MONTHS, loaded.rows[MONTHS.name], refuse(MONTHS)):
        month = int(month_text[5:])
        if int(month_text[:4]) != year or month in held:
            changes.append(answers.refusal(MONTHS, rownum, f"月份 {month_text} 不属于{year}年或重复出现。"))
            continue
        held[month] = (rownum, values, records, state == "approved")
    old = {r.month: r for r in s.scalars(select(ReceiptMonth).where(
        ReceiptMonth.office_id == office.id, ReceiptMonth.year == year))}
    for month, (rownum, values, records, approved) in sorted(held.items()):
        label = f"{year}年{month}月 市科协保存"
        new = _held_text(values, records, approved)
        before = old.get(month)
        action = NEW if before is None else SAME if _held_text(before.values, before.records, before.approved) == new else CHANGED
        changes.append(RowChange(MONTHS.name, rownum, f"{year}-{month:02d}", action, label,
                                 _held_text(before.values, before.records, before.approved) if before else "", new))
    current = entry.package_id == latest.package_id
    moved = _received_months(s, office, year, held) if current else []
    for month in moved:
        changes.append(RowChange(answers.STATES_SHEET, None, f"{year}-{month:02d}", CHANGED, f"{year}年{month}月 审核状态",
                                 "已报送", "市已接收"))
    accepted = len(typed_rows(ACCEPTED, loaded.rows[ACCEPTED.name], refuse(ACCEPTED)))
    warnings = [f"市科协已接受本单位的说明 {accepted} 条（工作表“{ACCEPTED.name}”）。"] if accepted else []
    if not current:
        warnings.append(f"此回执确认的是较早的上报包（序号 {entry.sequence}）；本单位之后又报送了序号 {latest.sequence}，"
                        "各月状态不变，只记下市科协当时保存的数据。")

    def apply(session: Session, source: str) -> Changes:
        user = settings.audit_user(session, "导入回执")
        now = dt.datetime.now().replace(microsecond=0)
        rows = {r.month: r for r in session.scalars(select(ReceiptMonth).where(
            ReceiptMonth.office_id == office.id, ReceiptMonth.year == year))}
        for month, row in rows.items():
            if month not in held:
                session.delete(row)
        for month, (_rownum, values, records, approved) in held.items():
            row = rows.get(month) or ReceiptMonth(office_id=office.id, year=year, month=month)
            row.values, row.records, row.approved = values, records, approved
            row.receipt, row.submission, row.at = m.package_id, entry.package_id, now
            session.add(row)
        states = {r.month: r for r in session.scalars(select(ReviewMonth).where(
            ReviewMonth.office_id == office.id, ReviewMonth.year == year, ReviewMonth.month.in_(moved)))}
        for month in moved:
            states[month].state = "received"
            audit.record(session, "review", f"{office.code}/{year}-{month:02d}", office.id, {"state": "sent"},
                         {"state": "received", "package": m.package_id}, user=user, source=source)
        return Changes(review={office.id}, sent=True)

    return Classified(changes, apply, warnings=warnings)


def _received_months(s: Session, office: Office, year: int, held: dict) -> list[int]:
    """Months this unit sent as approved (已报送) that the city says it holds as approved."""
    approved = {m for m, (_r, _v, _n, ok) in held.items() if ok}
    rows = s.scalars(select(ReviewMonth).where(ReviewMonth.office_id == office.id, ReviewMonth.year == year,
                                               ReviewMonth.state == "sent"))
    return sorted(r.month for r in rows if r.month in approved)


def _held_text(values: int, records: int, approved: bool) -> str:
    return f"月度数据 {values} 项，活动台账 {records} 条，{HELD['approved' if approved else 'draft']}"

