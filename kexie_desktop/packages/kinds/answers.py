"""What receipts and returns (the city's answers to a submission) share on both sides: finding the
submission they answer, what the city holds of a unit's year, and answering returned items."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from ...errors import UserError
from ...models import Activity, DataValue, Office, ReviewMonth
from ...package_models import PackageLog, ReturnItem, month_list
from ...services import offices
from ...services.locks import LOCKED_STATES
from ..format.errors import PackageError, where
from ..format.workbook import typed_rows
from ..pipeline import keys
from ..pipeline.exporter import require_this_office
from ..pipeline.log import UP_KINDS
from ..pipeline.results import REFUSED, RowChange

MIN_PREFIX = 8  # a package id may be given by its first 8 characters, as the covers and the log show it


def _submissions(s: Session, direction: str, result: str):
    return select(PackageLog).where(
        PackageLog.direction == direction, PackageLog.result == result, PackageLog.kind.in_(UP_KINDS)
    )


def require_city(s: Session) -> Office:
    """Only the city answers submissions (plan.export.require_city names the downward packages instead)."""
    mine = require_this_office(s)
    if not mine.is_city:
        raise UserError(f"本机是{mine.name}，只有市科协才能生成回执包和退回包。")
    return mine


def find_applied(s: Session, package_id: str) -> PackageLog:
    """(City) the applied submission with this id or unique prefix; a UserError names what is wrong."""
    text = (package_id or "").strip().lower()
    if len(text) < MIN_PREFIX:
        raise UserError(f"请写出上报包编号（至少前 {MIN_PREFIX} 位，见数据交换页的收发记录或包的封面）。")
    rows = list(s.scalars(_submissions(s, "received", "applied").where(PackageLog.package_id.startswith(text))))
    ids = {r.package_id for r in rows}
    if not rows:
        raise UserError(f"本机没有导入过编号为 {text[:32]} 的上报包：只能为已导入的上报包生成回执或退回。")
    if len(ids) > 1:
        raise UserError(f"编号 {text} 对应多个上报包，请写出更多位数。")
    return rows[-1]


def latest_applied(s: Session, office_code: str, year: int) -> PackageLog | None:
    q = _submissions(s, "received", "applied").where(PackageLog.office_code == office_code, PackageLog.year == year)
    return s.scalars(q.order_by(PackageLog.sequence.desc(), PackageLog.id.desc())).first()


def require_latest(s: Session, entry: PackageLog) -> Office:
    """The city answers only the package whose figures it holds: the newest applied one of that unit × year."""
    latest = latest_applied(s, entry.office_code, entry.year)
    office = s.scalars(select(Office).where(Office.code == entry.office_code)).first()
    if office is None:
        raise UserError(f"本机的单位列表中没有单位代码 {entry.office_code}。")
    if latest is not None and latest.package_id != entry.package_id:
        raise UserError(f"包编号 {entry.package_id[:8]}（序号 {entry.sequence}）已被{office.name}{entry.year}年较新的"
                        f"上报包（序号 {latest.sequence}，包编号 {latest.package_id[:8]}）取代：请答复较新的包。")
    return office


def sent_submissions(s: Session, office: Office, year: int) -> list[PackageLog]:
    """(Unit) the submissions this office exported for ``year``, oldest first."""
    q = _submissions(s, "sent", "exported").where(PackageLog.office_code == office.code, PackageLog.year == year)
    return list(s.scalars(q.order_by(PackageLog.sequence, PackageLog.id)))


def months_of(entry: PackageLog, column: str = "months") -> list[int]:
    return month_list(getattr(entry, column))


@dataclass(frozen=True)
class HeldMonth:
    month: int
    values: int
    records: int
    approved: bool


def held_months(s: Session, office: Office, year: int) -> list[HeldMonth]:
    """(City) per month of ``year`` with data: how many values and ledger records of the unit it holds,
    and whether the unit approved the month (the unit's review states as its last package said)."""
    values = dict(s.execute(
        select(DataValue.month, func.count()).where(DataValue.office_id == office.id, DataValue.year == year)
        .group_by(DataValue.month)).all())
    month = extract("month", Activity.date)
    records = {int(m): n for m, n in s.execute(
        select(month, func.count()).where(Activity.office_id == office.id,
                                          Activity.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        .group_by(month))}
    approved = set(s.scalars(select(ReviewMonth.month).where(
        ReviewMonth.office_id == office.id, ReviewMonth.year == year, ReviewMonth.state.in_(LOCKED_STATES))))
    return [HeldMonth(m, values.get(m, 0), records.get(m, 0), m in approved)
            for m in sorted(set(values) | set(records))]


def open_items(s: Session, office: Office, year: int | None = None) -> list[ReturnItem]:
    q = select(ReturnItem).where(ReturnItem.office_id == office.id, ReturnItem.answered_by == "")
    if year is not None:
        q = q.where(ReturnItem.year == year)
    return list(s.scalars(q.order_by(ReturnItem.year, ReturnItem.month, ReturnItem.indicator, ReturnItem.id)))


def answerable(s: Session, office: Office, year: int, months, sequence: int | None = None) -> list[ReturnItem]:
    """The open returned items of ``office`` × ``year`` that a submission approving ``months`` answers (a
    month it still carries as 已退回 or 待审核 answers nothing; at the city only one newer than the returned
    package: an older one arriving late answers nothing)."""
    wanted = set(months)
    return [i for i in open_items(s, office, year)
            if i.month in wanted and (sequence is None or sequence > i.submission_sequence)]


def answer(items: list[ReturnItem], package_id: str) -> None:
    now = dt.datetime.now().replace(microsecond=0)
    for item in items:
        item.answered_by, item.answered_at = package_id, now


def reasons_by_month(items: list[ReturnItem]) -> dict[int, list[ReturnItem]]:
    found: dict[int, list[ReturnItem]] = defaultdict(list)
    for item in items:
        found[item.month].append(item)
    return dict(found)



# -- importing a receipt or a return at the unit ----------------------------------------------------

def check_role(s: Session, m) -> None:
    mine = offices.this_office(s)
    if mine is None or mine.is_city:
        who = mine.name if mine else "尚未设定单位"
        raise PackageError(f"这是市科协发给{m.office_name}的{m.kind_label}，应由该县区导入；本机是{who}。")
    if mine.code != m.office_code:
        raise PackageError(f"这是市科协发给{m.office_name}的{m.kind_label}，本机是{mine.name}，不能导入。")
    if not m.reply_to or m.year is None:
        raise PackageError(f"{m.kind_label}缺少所答复的上报包编号或年份，不是完整的{m.kind_label}。")


def candidate_keys(s: Session, loaded, code: str | None) -> list[bytes]:
    found = keys.active_keys(s, offices.city(s))
    if not found:
        raise PackageError("本机没有市科协的签名密钥（没有导入过初始化包），无法核对此包，已拒绝导入。")
    return found


def answered_submission(s: Session, m, office: Office, checksum: str, year: int):
    """The sent submission a receipt or return answers; PackageError when this unit never sent it."""
    sent = {e.package_id: e for e in sent_submissions(s, office, m.year)}
    entry = sent.get(m.reply_to)
    if entry is None:
        raise PackageError(f"本单位没有发出过包编号为 {m.reply_to[:8]} 的{m.year}年上报包，"
                           f"此{m.kind_label}不是答复本单位的包，已拒绝导入。")
    if checksum != entry.checksum or year != m.year:
        raise PackageError(f"{m.kind_label}中的校验和或年份与本单位发出的上报包（序号 {entry.sequence}）不符，已拒绝导入。")
    latest = max(sent.values(), key=lambda e: (e.sequence or 0, e.id))
    return entry, latest


STATES_SHEET = "审核状态"  # the preview's name for the month states a receipt or a return moves


def header_row(loaded, spec, refuse) -> tuple:
    """The one row of a receipt's or a return's header sheet, which must name the manifest's reply_to."""
    header = typed_rows(spec, loaded.rows[spec.name], refuse(spec))
    if len(header) != 1:
        raise PackageError("应正好有一行数据。", sheet=spec.name)
    row = header[0][1]
    if row[0] != loaded.manifest.reply_to:
        raise PackageError("上报包编号与校验信息不符。", sheet=spec.name)
    return row


def refusal(spec, rownum: int, reason: str) -> RowChange:
    return RowChange(spec.name, rownum, "", REFUSED, where(spec.name, rownum), reason=reason)


def refuser(changes: list):
    def for_spec(spec):
        def refuse(row, col, reason):
            changes.append(RowChange(spec.name, row, "", REFUSED,
                                     where(spec.name, row, col, spec.columns[col - 1].header), reason=reason))
        return refuse
    return for_spec
