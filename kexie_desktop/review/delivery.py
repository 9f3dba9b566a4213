"""At a unit: what became of its submissions (报送): per month 未上报 / 已报送 / 市已接收 / 已退回, the last
receipt, the open returned items, and the packages still waiting for the city's answer.

The state of month m of ``year`` for this unit's own office, first rule that holds:

1. 已退回 (returned): an open ReturnItem (not yet answered by a later export) names m, or the month's
   review state is 已退回.
2. Otherwise let P be the newest submission this office exported (PackageLog sent/exported) whose
   ``months`` carry m. None: 未上报 (unsent).
3. 市已接收 (received): a ReceiptMonth row for m confirms P or a newer submission (its ``submission`` has a
   sequence ≥ P's): the city holds what P carried. A package sent after the last receipt makes the month
   已报送 again until its own receipt comes back.
4. Otherwise 已报送 (sent).

A month of P that is not among P's ``approved_months`` (a draft package), or one the receipt says the city
holds as 未审核, carries the note 未审核. Counts (values, records) come from the receipt, when there is one.

Reading the package log here (not through ``packages``) keeps the review layer below the package code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Office, ReviewMonth
from ..package_kinds import REPLY_KINDS
from ..package_models import PackageLog, ReceiptMonth, ReturnItem, month_list

STATES = {"unsent": "未上报", "sent": "已报送", "received": "市已接收", "returned": "已退回"}
WAIT_DAYS = 7  # a submission with no answer after a week is pointed out


@dataclass(frozen=True)
class MonthDelivery:
    month: int
    state: str  # a key of STATES
    note: str = ""  # 未审核, or empty
    sequence: int | None = None  # 序号 of the newest package that carried the month
    values: int | None = None  # what the city holds, as the receipt said (None: no receipt for it)
    records: int | None = None
    reasons: tuple[str, ...] = ()  # the city's reasons of the open returned items of the month

    @property
    def label(self) -> str:
        return STATES[self.state]


@dataclass(frozen=True)
class LastReceipt:
    at: dt.datetime  # when it was imported here
    sequence: int | None  # the receipt's own 序号
    submission_sequence: int | None  # 序号 of the submission it confirms
    package_id: str


@dataclass(frozen=True)
class Returned:
    month: int
    indicator: str  # empty: the whole month
    reason: str
    submission_sequence: int
    created: dt.datetime


@dataclass(frozen=True)
class Waiting:
    year: int
    sequence: int | None
    sent: dt.datetime
    days: int
    package_id: str

    @property
    def text(self) -> str:
        return f"序号 {self.sequence} 的上报包发出已 {self.days} 天，尚未收到回执"


@dataclass(frozen=True)
class YearDelivery:
    year: int
    months: list[MonthDelivery]
    last_receipt: LastReceipt | None
    returned: list[Returned] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)


def _sent(s: Session, office: Office, year: int | None = None) -> list[PackageLog]:
    q = select(PackageLog).where(PackageLog.direction == "sent", PackageLog.result == "exported",
                                 PackageLog.kind == "submission", PackageLog.office_code == office.code)
    if year is not None:
        q = q.where(PackageLog.year == year)
    return list(s.scalars(q.order_by(PackageLog.sequence, PackageLog.id)))


def _replies(s: Session, office: Office, kinds=REPLY_KINDS, year: int | None = None) -> list[PackageLog]:
    q = select(PackageLog).where(PackageLog.direction == "received", PackageLog.result == "applied",
                                 PackageLog.kind.in_(kinds), PackageLog.office_code == office.code)
    if year is not None:
        q = q.where(PackageLog.year == year)
    return list(s.scalars(q.order_by(PackageLog.id)))


def open_returned(s: Session, office: Office, year: int) -> list[Returned]:
    """The returned items of ``year`` that no export has answered yet, by month then indicator."""
    rows = s.scalars(select(ReturnItem).where(ReturnItem.office_id == office.id, ReturnItem.year == year,
                                              ReturnItem.answered_by == "")
                     .order_by(ReturnItem.month, ReturnItem.indicator, ReturnItem.id))
    return [Returned(r.month, r.indicator, r.reason, r.submission_sequence, r.created) for r in rows]


def month_deliveries(s: Session, office: Office, year: int, returned: list[Returned] | None = None
                     ) -> list[MonthDelivery]:
    """The twelve months of ``year`` by the rules of the module docstring."""
    returned = open_returned(s, office, year) if returned is None else returned
    sent = _sent(s, office, year)
    sequence_of = {e.package_id: (e.sequence or 0) for e in sent}
    held = {r.month: r for r in s.scalars(select(ReceiptMonth).where(
        ReceiptMonth.office_id == office.id, ReceiptMonth.year == year))}
    review = dict(s.execute(select(ReviewMonth.month, ReviewMonth.state).where(
        ReviewMonth.office_id == office.id, ReviewMonth.year == year)).all())
    out = []
    for m in range(1, 13):
        reasons = tuple((f"{i.indicator}：" if i.indicator else "") + i.reason for i in returned if i.month == m)
        newest = next((e for e in reversed(sent) if m in month_list(e.months)), None)
        receipt = held.get(m)
        counts = dict(values=receipt.values, records=receipt.records) if receipt else {}
        seq = newest.sequence if newest else None
        if reasons or review.get(m) == "returned":
            out.append(MonthDelivery(m, "returned", sequence=seq, reasons=reasons, **counts))
        elif newest is None:
            out.append(MonthDelivery(m, "unsent"))
        elif receipt is not None and sequence_of.get(receipt.submission, -1) >= (newest.sequence or 0):
            out.append(MonthDelivery(m, "received", "" if receipt.approved else "未审核", seq, **counts))
        else:
            note = "" if m in month_list(newest.approved_months) else "未审核"
            out.append(MonthDelivery(m, "sent", note, seq, **counts))
    return out


def last_receipt(s: Session, office: Office, year: int) -> LastReceipt | None:
    """The receipt of ``year`` imported last (a replayed one is never applied twice)."""
    found = _replies(s, office, ("receipt",), year)
    if not found:
        return None
    entry = found[-1]
    sequence_of = {e.package_id: e.sequence for e in _sent(s, office, year)}
    return LastReceipt(entry.at, entry.sequence, sequence_of.get(entry.reply_to), entry.package_id)


def waiting_receipts(s: Session, office: Office, today: dt.date | None = None) -> list[Waiting]:
    """Per year, the newest submission sent ``WAIT_DAYS`` days ago or more that no applied receipt or
    return answers (its package id is no reply's ``reply_to``). Only the newest counts: the city answers
    only the package whose figures it holds, so an older one superseded by it can no longer be answered."""
    today = today or dt.date.today()
    answered = {e.reply_to for e in _replies(s, office)}
    newest: dict[int, PackageLog] = {}
    for e in _sent(s, office):
        newest[e.year] = e
    out = []
    for year, e in sorted(newest.items()):
        when = e.created or e.at
        days = (today - when.date()).days
        if e.package_id not in answered and days >= WAIT_DAYS:
            out.append(Waiting(year, e.sequence, when, days, e.package_id))
    return out


def year_delivery(s: Session, office: Office, year: int, today: dt.date | None = None) -> YearDelivery:
    returned = open_returned(s, office, year)
    return YearDelivery(year, month_deliveries(s, office, year, returned), last_receipt(s, office, year),
                        returned, waiting_receipts(s, office, today))


def _span(months: list[int]) -> str:
    return f"{months[0]}月" if len(months) == 1 else f"{months[0]}—{months[-1]}月"


def summary_text(d: YearDelivery) -> str:
    """One line for the status bar: runs of consecutive months in the same state, 未上报 left out, a run
    the city holds or got unapproved marked so, e.g. "2020年报送：1—6月市已接收，7月已退回，8月市已接收（未审核）"."""
    runs: list[tuple[tuple[str, str], list[int]]] = []
    for m in d.months:
        key = (m.state, m.note if m.state in ("sent", "received") else "")
        if runs and runs[-1][0] == key and runs[-1][1][-1] == m.month - 1:
            runs[-1][1].append(m.month)
        else:
            runs.append((key, [m.month]))
    parts = [_span(months) + STATES[state] + (f"（{note}）" if note else "")
             for (state, note), months in runs if state != "unsent"]
    return f"{d.year}年报送：" + ("，".join(parts) if parts else "尚未上报")
