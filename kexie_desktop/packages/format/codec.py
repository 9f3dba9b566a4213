"""Columns of the data sheets: how each kind of cell is written, read back, checked and canonicalised.

A value goes through the same ``normalise`` on export and on import, so the canonical form that the
signature covers is computed from equal values on both sides. Numbers are canonicalised to 15
significant digits (what Excel and LibreOffice keep), so 3 and 3.0, or a LibreOffice re-save, agree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable

from .errors import CellError

EXCEL_TEXT_LIMIT = 32_767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def canon_number(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))  # also turns -0.0 into "0"
    return format(x, ".15g")


def canon_cell(v: Any) -> Any:
    """Canonical form of a raw cell as read (str stays as is; numbers, dates and booleans become text)."""
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "TRUE" if v else "FALSE"
    if t is float or t is int:
        return canon_number(v)
    if v is None:
        return ""
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    return f"<{t.__name__}:{v}>"


def canon_table(rows: list) -> list[list[str]]:
    """Canonical form of a sheet's data rows (see canon_columns)."""
    if not rows:
        return []
    width = max(map(len, rows))
    if min(map(len, rows)) != width:
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    return canon_columns(list(zip(*rows)))


def canon_columns(columns: list) -> list[list[str]]:
    """Canonical form of a sheet, column by column (each column a list of text), without trailing
    columns that are entirely empty. Column-wise because a whole column of text — most of a ledger —
    needs no per-cell work."""
    out = []
    for col in columns:
        kinds = set(map(type, col))
        if kinds <= {str}:
            out.append(list(col))
        elif kinds == {float} and all(map(float.is_integer, col)) and max(map(abs, col)) < 1e15:
            out.append(list(map(str, map(int, col))))  # counts: canon_number without a call per cell
        else:
            out.append([canon_cell(v) for v in col])
    while out and not any(out[-1]):
        out.pop()
    return out


def _all_str(values) -> bool:
    return set(map(type, values)) <= {str}


def clean_text(text: str) -> str:
    """Text as it survives an xlsx round trip: LF line ends, no XML-illegal control characters."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text


# -- normalisers: raw cell (or export value) -> typed value, raising CellError ----------------------

def _text(v: Any) -> str:
    if type(v) is str:
        if len(v) > EXCEL_TEXT_LIMIT:
            raise CellError(f"内容长达 {len(v)} 字，超过 Excel 单元格上限 {EXCEL_TEXT_LIMIT} 字")
        return clean_text(v) if ("\r" in v or _ILLEGAL.search(v)) else v
    if v is None:
        return ""
    if type(v) in (int, float):
        return canon_number(v)
    raise CellError(f"应为文字，实际为“{canon_cell(v)}”")


def _code(v: Any) -> str:
    text = _text(v)
    if not text.strip():
        raise CellError("不能为空")
    return text


def _number(v: Any) -> float:
    if type(v) is float or type(v) is int:
        return float(v)
    if v is None or v == "":
        raise CellError("应填写数字，实际为空")
    raise CellError(f"“{canon_cell(v)}”不是数字")


def _optional_number(v: Any) -> float | None:
    return None if v is None or v == "" else _number(v)


def _count(v: Any) -> int:
    x = _number(v)
    if x < 0:
        raise CellError(f"不能为负数（{canon_number(x)}）")
    if x != int(x):
        raise CellError(f"必须是整数（{canon_number(x)}）")
    return int(x)


def _optional_year(v: Any) -> int | None:
    return None if v is None or v == "" else _count(v)


def _month(v: Any) -> str:
    if isinstance(v, (dt.date, dt.datetime)):
        return f"{v.year:04d}-{v.month:02d}"
    text = _text(v).strip()
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise CellError(f"月份“{text}”格式不对，应写成 年-月，例如 2019-03")
    return text


def _optional_month(v: Any) -> str:
    """A month, or empty text (a finding about a year's total or a ledger record has none)."""
    if v is None or (type(v) is str and not v.strip()):
        return ""
    return _month(v)


def _date(v: Any) -> str:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%Y-%m-%d")
    text = _text(v).strip()
    if not _DATE.match(text):
        raise CellError(f"日期“{text}”格式不对，应写成 年-月-日，例如 2019-03-15")
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise CellError(f"日期“{text}”不存在") from None
    return text


def _optional_date(v: Any) -> str:
    """A date, or empty text (a milestone not yet done)."""
    if v is None or (type(v) is str and not v.strip()):
        return ""
    return _date(v)


def _yes_no(v: Any) -> bool:
    text = _text(v).strip()
    if text not in ("是", "否"):
        raise CellError(f"应填“是”或“否”，实际为“{text}”")
    return text == "是"


def choice(labels: dict[str, str]) -> Callable[[Any], str]:
    """A code written as its Chinese label (the code itself is accepted too)."""
    reverse = {label: code for code, label in labels.items()}

    def _choice(v: Any) -> str:
        text = _text(v).strip()
        if text in reverse:
            return reverse[text]
        if text in labels:
            return text
        raise CellError(f"“{text}”不是可选值之一（{'、'.join(labels.values())}）")

    return _choice


# -- whole-column fast paths: the converted column when every cell is already valid, else None ------

def _bulk_text(values):
    return values if _all_str(values) else None


def _bulk_code(values):
    if _all_str(values) and "" not in values and not any(map(str.isspace, values)):
        return values
    return None


def _bulk_number(values):
    return values if set(map(type, values)) <= {float} else None


def _bulk_optional_number(values):
    kinds = set(map(type, values))
    if kinds <= {float}:
        return values
    if kinds <= {float, str} and set(v for v in values if type(v) is str) == {""}:
        return [None if v == "" else v for v in values]
    return None


def _bulk_count(values):
    if set(map(type, values)) <= {float} and (not values or min(values) >= 0) and all(map(float.is_integer, values)):
        return list(map(int, values))
    return None


_MONTHS = re.compile(r"(?:\d{4}-(?:0[1-9]|1[0-2])\n)*")
_DATES = re.compile(r"(?:\d{4}-\d{2}-\d{2}\n)*")


def _bulk_pattern(pattern: re.Pattern, values, check=None):
    if not _all_str(values) or not pattern.fullmatch("\n".join(values) + "\n" if values else ""):
        return None
    if check is not None:
        try:
            for v in set(values):
                check(v)
        except ValueError:
            return None
    return values


_BULK = {
    _text: _bulk_text,
    _code: _bulk_code,
    _number: _bulk_number,
    _optional_number: _bulk_optional_number,
    _count: _bulk_count,
    _month: lambda values: _bulk_pattern(_MONTHS, values),
    _date: lambda values: _bulk_pattern(_DATES, values, dt.date.fromisoformat),
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    read: Callable[[Any], Any]
    width: float = 12
    number_format: str | None = None
    # How the typed value is written back to a cell (labels for choices, 是/否 for flags).
    write: Callable[[Any], Any] | None = None
    wrap: bool = False  # long prose: the column wraps its cells (printed, nothing is cut off)

    @property
    def bulk(self) -> Callable[[Any], Any] | None:
        """The whole-column fast path of this column's reader, if it has one."""
        return _BULK.get(self.read)


def text(key, header, width=16, wrap=False):
    return Column(key, header, _text, width, wrap=wrap)


def code(key, header, width=12):
    return Column(key, header, _code, width)


def number(key, header, width=12, optional=False):
    # General format: Excel has no format that shows 12 and 12.5 without a stray decimal point.
    return Column(key, header, _optional_number if optional else _number, width)


def count(key, header, width=10, optional_year=False, number_format="#,##0"):
    if optional_year:
        return Column(key, header, _optional_year, width, "0")
    return Column(key, header, _count, width, number_format)


def month(key, header, width=10, optional=False):
    return Column(key, header, _optional_month if optional else _month, width)


def date(key, header, width=12, optional=False):
    return Column(key, header, _optional_date if optional else _date, width)


def yes_no(key, header, width=8):
    return Column(key, header, _yes_no, width, write=lambda b: "是" if b else "否")


def labelled(key, header, labels: dict[str, str], width=12):
    return Column(key, header, choice(labels), width, write=lambda c: labels.get(c, c))


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)
