"""Parsing and checking what users type: numbers, months, dates. Messages are Chinese."""

from __future__ import annotations

import datetime as dt
import math
import re

from .errors import UserError
from .models import Indicator, Plan

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(text: str | float | int, what: str = "数值") -> float:
    """A finite number from user text; thousands separators and full-width digits are accepted."""
    if isinstance(text, bool):
        raise UserError(f"{what}“{text}”不是数字。")
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        raw = str(text).strip()
        cleaned = raw.translate(_FULLWIDTH).replace(",", "").replace(" ", "")
        if not _NUMBER.match(cleaned):
            raise UserError(f"{what}“{raw}”不是数字，请输入阿拉伯数字，例如 12 或 3.5。")
        value = float(cleaned)
    if not math.isfinite(value):
        raise UserError(f"{what}“{text}”不是有效的数字。")
    return value


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")


def check_value(indicator: Indicator, value: float, what: str = "数值") -> float:
    """Refuse negatives (unless the indicator is signed, e.g. a growth rate) and fractional counts."""
    if value < 0 and not indicator.signed:
        raise UserError(f"{what}不能为负数（{_fmt(value)}）：“{indicator.name}”只能填 0 或正数。")
    if indicator.integer_valued and value != int(value):
        raise UserError(
            f"{what}必须是整数（{_fmt(value)}）：“{indicator.name}”以“{indicator.unit}”计，不能有小数。"
        )
    if abs(value) > 1e12:
        raise UserError(f"{what} {_fmt(value)} 过大，请检查是否多输入了数字。")
    return value


def parse_month(text: str, plan: Plan) -> tuple[int, int]:
    """``YYYY-MM`` (or ``YYYY/MM``, ``YYYY年MM月``) inside the plan period."""
    raw = (text or "").strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", raw)
    if not m:
        raise UserError(f"月份“{raw}”格式不对，请写成 年-月，例如 2019-03。")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise UserError(f"月份“{raw}”不存在：月份应在 1 到 12 之间。")
    check_year(year, plan, what=f"月份 {raw}")
    return year, month


def check_year(year: int, plan: Plan, what: str | None = None) -> int:
    if not plan.start_year <= year <= plan.end_year:
        label = what or f"年份 {year}"
        raise UserError(f"{label} 超出计划期（{plan.start_year}—{plan.end_year}年）。")
    return year


def parse_date(text: str, plan: Plan | None = None) -> dt.date:
    raw = (text or "").strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", raw)
    if not m:
        raise UserError(f"日期“{raw}”格式不对，请写成 年-月-日，例如 2019-03-15。")
    try:
        date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise UserError(f"日期“{raw}”不存在，请检查月份和日。") from None
    if plan is not None:
        check_year(date.year, plan, what=f"日期 {raw}")
    return date


def parse_count(text: str | int | None, what: str) -> int:
    if text is None or (isinstance(text, str) and not text.strip()):
        return 0
    value = parse_number(text, what)
    if value < 0:
        raise UserError(f"{what}不能为负数（{_fmt(value)}）。")
    if value != int(value):
        raise UserError(f"{what}必须是整数（{_fmt(value)}）。")
    return int(value)


def check_text(text: str | None, what: str, limit: int, required: bool = False) -> str:
    value = (text or "").strip()
    if required and not value:
        raise UserError(f"{what}不能为空。")
    if len(value) > limit:
        raise UserError(f"{what}太长（{len(value)} 字），最多 {limit} 字。")
    return value


def _fmt(value: float) -> str:
    return f"{value:g}"


def parse_cell(indicator: Indicator, text: str) -> tuple[float | None, float | None]:
    """What a user typed into a monthly cell: ``(value, base)``; empty text clears the cell.

    Coverage cells take "covered/total" (e.g. "12/40") or just the covered count.
    """
    raw = (text or "").strip()
    if not raw:
        return None, None
    if indicator.kind == "coverage" and "/" in raw.replace("／", "/"):
        covered, _, total = raw.replace("／", "/").partition("/")
        value = check_value(indicator, parse_number(covered, "已覆盖数"), "已覆盖数")
        base = check_value(indicator, parse_number(total, "应覆盖总数"), "应覆盖总数")
        if value > base:
            raise UserError(f"已覆盖数 {_fmt(value)} 不能大于应覆盖总数 {_fmt(base)}。")
        return value, base
    return check_value(indicator, parse_number(raw)), None
