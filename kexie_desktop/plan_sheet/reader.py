"""``plan load``: read an edited plan template back, every cell checked, before the database is asked.

The file passes the package safety checks first (``workbook.read_book``: size, zip bomb, DTD/entities,
formulas, grid bounds). Then every sheet's header, every drop-down value, every code (present, unique),
every number, date and reference; the first bad cell refuses the file, naming sheet, row and column.
What the rows mean for the database (new plan or changes, and the plan validation) is ``apply``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from ..packages.format.errors import PackageError
from ..packages.format.workbook import Book, read_book
from .apply import Preview, apply_plan_sheet  # noqa: F401 - the feature's public face
from .layout import (DATA_SHEETS, INDICATORS, MEASURE_BY_LABEL, META, META_FIELDS, NO, RULES, SECTIONS, TASKS,
                     YES, Sheet)
from .rows import PlanRows, cell_text

__all__ = ["Preview", "apply_plan_sheet", "parse_target", "read_plan_sheet"]


def read_plan_sheet(path: Path) -> PlanRows:
    path = Path(path)
    try:
        book = read_book(path)
        rows = PlanRows(_meta(book))
        for sheet in DATA_SHEETS:
            rows.numbers[sheet.name], rows.sheets[sheet.name] = _rows(book, sheet)
        _check(rows)
    except PackageError as exc:
        raise exc.for_file(path.name) from None
    return rows


def _table(book: Book, sheet: Sheet) -> list[list]:
    if sheet.name not in book.names:
        raise PackageError(f"缺少工作表“{sheet.name}”（可能被删除或改名）。请使用 plan template 写出的模板。")
    table = book.raw(sheet.name)
    header = table[0] if table else []
    for col, expected in enumerate(sheet.headers, start=1):
        found = cell_text(header[col - 1]) if col <= len(header) else ""
        if found != expected:
            raise PackageError(f"表头应为“{expected}”，实际为“{found}”（列被改名、删除或移动）。",
                               sheet=sheet.name, row=1, col=col)
    return table


def _meta(book: Book) -> dict[str, str]:
    table = _table(book, META)
    found = {cell_text(r[0]): (n, cell_text(r[1]) if len(r) > 1 else "") for n, r in enumerate(table[1:], start=2)}
    meta = {}
    for key, label in META_FIELDS.items():
        if label not in found:
            raise PackageError(f"缺少“{label}”一行。", sheet=META.name)
        row, meta[key] = found[label]
        if key in ("code", "name") and not meta[key]:
            raise PackageError(f"“{label}”不能为空。", sheet=META.name, row=row, col=2, header="内容")
        if key in ("start_year", "end_year") and not (meta[key].isdigit() and len(meta[key]) == 4):
            raise PackageError(f"“{label}”应为四位年份，实际为“{meta[key]}”。", sheet=META.name, row=row, col=2,
                               header="内容")
    return meta


def _rows(book: Book, sheet: Sheet) -> tuple[list[int], list[dict[str, str]]]:
    numbers, rows = [], []
    for n, raw in enumerate(_table(book, sheet)[1:], start=2):
        cells = [cell_text(raw[i]) if i < len(raw) else "" for i in range(len(sheet.columns))]
        if not any(cells):
            continue
        numbers.append(n)
        rows.append({c.key: v for c, v in zip(sheet.columns, cells)})
    return numbers, rows


class _Place:
    """Refusals naming sheet, Excel row and column."""

    def __init__(self, rows: PlanRows, sheet: Sheet):
        self.sheet, self.numbers = sheet, rows.numbers[sheet.name]

    def refuse(self, index: int, key: str, message: str):
        col = self.sheet.column(key)
        raise PackageError(message, sheet=self.sheet.name, row=self.numbers[index], col=col + 1,
                           header=self.sheet.columns[col].header)


def _check(rows: PlanRows) -> None:
    for sheet in DATA_SHEETS:
        place = _Place(rows, sheet)
        _check_codes(place, rows.sheets[sheet.name])
        _check_choices(place, rows.sheets[sheet.name])
    sections = {r["code"] for r in rows.sheets[SECTIONS.name]}
    indicators = {r["code"] for r in rows.sheets[INDICATORS.name]}
    start, end = int(rows.meta["start_year"]), int(rows.meta["end_year"])
    _check_sections(_Place(rows, SECTIONS), rows.sheets[SECTIONS.name], sections)
    _check_indicators(_Place(rows, INDICATORS), rows.sheets[INDICATORS.name], sections, range(start, end + 1))
    _check_rules(_Place(rows, RULES), rows.sheets[RULES.name], indicators)
    _check_tasks(_Place(rows, TASKS), rows.sheets[TASKS.name], sections, indicators)


def _check_codes(place: _Place, rows: list[dict]) -> None:
    seen: Counter = Counter()
    for i, row in enumerate(rows):
        code = row["code"]
        if not code:
            place.refuse(i, "code", "代码不能为空。")
        if len(code) > 40:
            place.refuse(i, "code", f"代码“{code[:40]}…”太长（最多 40 个字符）。")
        seen[code.upper()] += 1
        if seen[code.upper()] > 1:
            place.refuse(i, "code", f"代码“{code}”重复：同一工作表中的代码必须唯一。")


def _check_choices(place: _Place, rows: list[dict]) -> None:
    for column in place.sheet.columns:
        if not column.choices:
            continue
        for i, row in enumerate(rows):
            value = row[column.key]
            if value == "" and set(column.choices) == {YES, NO}:
                row[column.key] = NO
            elif value not in column.choices:
                place.refuse(i, column.key, f"“{value}”不是有效的{column.header}，可选：{'、'.join(column.choices)}。")


def _check_sections(place: _Place, rows: list[dict], sections: set[str]) -> None:
    for i, row in enumerate(rows):
        if not row["name"]:
            place.refuse(i, "name", "章节名称不能为空。")
        if row["parent"] and (row["parent"] not in sections or row["parent"] == row["code"]):
            place.refuse(i, "parent", f"上级章节“{row['parent']}”不存在。")


def parse_target(text: str, years: range, annual: bool) -> dict[int | None, float]:
    """市目标 as {year: value} (annual) or {None: value} (plan end); raises ValueError with a Chinese line."""
    text = text.replace("；", ";").replace("：", ":").strip()
    if not text:
        raise ValueError("市目标不能为空。")
    if ":" not in text:
        value = _number(text, "市目标")
        return {y: value for y in years} if annual else {None: value}
    if not annual:
        raise ValueError("期末目标只写一个数，不按年份。")
    found: dict[int | None, float] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        year_text, _, value_text = part.partition(":")
        if not year_text.strip().isdigit() or int(year_text) not in years:
            raise ValueError(f"“{part}”的年份不在计划期（{years.start}—{years.stop - 1}年）内。")
        found[int(year_text)] = _number(value_text, "市目标")
    missing = [y for y in years if y not in found]
    if missing:
        raise ValueError(f"市目标缺少 {'、'.join(map(str, missing))} 年。")
    return found


def _number(text: str, what: str) -> float:
    try:
        value = float(text.strip().replace(",", ""))
    except ValueError:
        raise ValueError(f"{what}“{text}”不是数字。") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{what}“{text}”不是数字。")
    return value


def _check_indicators(place: _Place, rows: list[dict], sections: set[str], years: range) -> None:
    for i, row in enumerate(rows):
        for key, label in (("name", "名称"), ("unit", "单位")):
            if not row[key]:
                place.refuse(i, key, f"{label}不能为空。")
        if row["section"] not in sections:
            place.refuse(i, "section", f"章节“{row['section']}”不在“章节”工作表中。")
        annual = row["period"] == "每年"
        try:
            targets = parse_target(row["target"], years, annual)
        except ValueError as exc:
            place.refuse(i, "target", str(exc))
        if row["kind"] == "区间目标":
            if not row["target_max"]:
                place.refuse(i, "target_max", "区间目标须填写目标上限。")
            try:
                top = _number(row["target_max"], "目标上限")
            except ValueError as exc:
                place.refuse(i, "target_max", str(exc))
            if max(targets.values()) > top:
                place.refuse(i, "target_max", f"区间目标的下限 {max(targets.values()):g} 大于上限 {top:g}。")
        elif row["target_max"]:
            place.refuse(i, "target_max", "只有区间目标才有目标上限。")
        for part in filter(None, row["ledger"].replace("；", ";").split(";")):
            code, _, label = part.replace("：", ":").partition(":")
            if not code.strip() or label.strip() not in MEASURE_BY_LABEL:
                place.refuse(i, "ledger", f"“{part}”应写成“活动类型代码:计量”，计量可选：{'、'.join(MEASURE_BY_LABEL)}。")
        if row["entry"] == "台账统计" and not row["ledger"]:
            place.refuse(i, "ledger", "台账统计的指标须写明由哪些活动类型统计。")
        if not row["source"]:
            place.refuse(i, "source", "原文语句不能为空：每项指标都要注明出自计划原文的哪一句。")


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]


def _check_rules(place: _Place, rows: list[dict], indicators: set[str]) -> None:
    for i, row in enumerate(rows):
        if not row["check"]:
            place.refuse(i, "check", "检查不能为空。")
        for code in _codes(row["indicators"]):
            if code not in indicators:
                place.refuse(i, "indicators", f"指标“{code}”不在“指标”工作表中。")
        if row["params"]:
            try:
                params = json.loads(row["params"])
            except ValueError:
                params = None
            if not isinstance(params, dict):
                place.refuse(i, "params", "参数应为 JSON 对象，例如 {\"factor\": 5}。")
        if not row["message"]:
            place.refuse(i, "message", "提示不能为空。")


def _check_tasks(place: _Place, rows: list[dict], sections: set[str], indicators: set[str]) -> None:
    for i, row in enumerate(rows):
        if row["section"] not in sections:
            place.refuse(i, "section", f"章节“{row['section']}”不在“章节”工作表中。")
        for key, label in (("name", "名称"), ("sentence", "原文语句"), ("carriers", "承担单位")):
            if not row[key]:
                place.refuse(i, key, f"{label}不能为空。")
        try:
            dt.date.fromisoformat(row["due"])
        except ValueError:
            place.refuse(i, "due", f"完成期限“{row['due']}”应为日期，例如 2025-12-31。")
        for code in _codes(row["indicators"]):
            if code not in indicators:
                place.refuse(i, "indicators", f"指标“{code}”不在“指标”工作表中。")
