"""The reporting deadline (a setting of the city): a month's data are due by day D of the month after
it, end of that day (the usual 每月5日前报送上月数据)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..services import offices, settings

KEY = "reporting_deadline_day"
DEFAULT_DAY = 5
LAST_DAY = 28  # every month has it


def deadline_day(s: Session) -> int:
    value = settings.get(s, KEY)
    return int(value) if isinstance(value, int) and 1 <= value <= LAST_DAY else DEFAULT_DAY


def put_deadline_day(s: Session, day) -> Changes:
    """Set D (1..28); the city only: units do not judge each other's reporting."""
    mine = offices.this_office(s)
    if mine is not None and not mine.is_city:
        raise UserError(f"本机是{mine.name}：报送截止日期由市科协设定，不能在这里修改。")
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= LAST_DAY:
        raise UserError(f"报送截止日应为每月 1 至 {LAST_DAY} 日之间的整数，而不是“{day}”。")
    settings.put(s, KEY, day)
    return Changes(settings=True)


def deadline(year: int, month: int, day: int) -> dt.date:
    """The last day on which the data of ``year``-``month`` count as on time."""
    return dt.date(year + month // 12, month % 12 + 1, day)


def rule_text(day: int) -> str:
    return f"每月{day}日前报送上月数据"
