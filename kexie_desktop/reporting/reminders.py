"""催报: the overdue units of a year, each with a ready reminder the city can paste into an email or a chat."""

from __future__ import annotations

import datetime as dt

from ..review.summary import months_text
from .deadline import rule_text
from .status import DRAFT, MISSING, RETURNED, Overdue, UnitRow

CLOSING = "请尽快在程序中审核后导出上报包发送至市科协。"


def overdue_list(rows: list[UnitRow], year: int, day: int) -> tuple[Overdue, ...]:
    """Units with due months 未报, 已退回待重报 or 未审核 (to be approved and sent again), in unit order."""
    found = []
    for row in rows:
        missing, returned, draft = row.months(MISSING), row.months(RETURNED), row.months(DRAFT)
        if missing or returned or draft:
            found.append(Overdue(row.code, row.name, tuple(missing), tuple(returned), tuple(draft),
                                 unit_text(row, year, day)))
    return tuple(found)


def _parts(row: UnitRow) -> list[str]:
    parts = []
    if row.months(MISSING):
        parts.append(f"{months_text(row.months(MISSING))}的数据尚未报送")
    if row.months(RETURNED):
        parts.append(f"{months_text(row.months(RETURNED))}的数据已退回待重报")
    if row.months(DRAFT):
        parts.append(f"{months_text(row.months(DRAFT))}的数据尚未审核，待审核后重报")
    return parts


def unit_text(row: UnitRow, year: int, day: int) -> str:
    """东海县科协：贵单位2020年7—9月的数据尚未报送（截止日期：每月5日前报送上月数据），请尽快…。
    Returned months add their reasons: 退回原因：5月：…；2月 I09：…。"""
    text = f"{row.name}：贵单位{year}年{'；'.join(_parts(row))}（截止日期：{rule_text(day)}），{CLOSING}"
    reasons = [line for c in row.cells if c.due and c.state == RETURNED for line in c.reason_lines()]
    return text + (f"退回原因：{'；'.join(reasons)}。" if reasons else "")


def combined_text(overdue: tuple[Overdue, ...], year: int, day: int, today: dt.date) -> str:
    """One message for all overdue units (a group chat), "" when none is overdue."""
    if not overdue:
        return ""
    lines = [f"各县区科协：截至{today.year}年{today.month}月{today.day}日，以下单位{year}年的数据尚未按要求报送"
             f"（截止日期：{rule_text(day)}）："]
    for o in overdue:
        parts = []
        if o.missing:
            parts.append(f"{months_text(o.missing)}尚未报送")
        if o.returned:
            parts.append(f"{months_text(o.returned)}已退回待重报")
        if o.draft:
            parts.append(f"{months_text(o.draft)}尚未审核，待审核后重报")
        lines.append(f"{o.name}：{'；'.join(parts)}。")
    lines.append(CLOSING)
    return "\n".join(lines)
