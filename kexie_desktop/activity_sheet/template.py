"""The .xlsx template a clerk fills with 活动台账 rows: the entry sheet with Excel's own input checks and
an example row, and a sheet of instructions listing the activity types. ``activity_sheet`` reads it back."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from ..models import ActivityType, Plan
from ..packages.format.codec import clean_text
from ..packages.format.workbook import RISKY_FIRST, save_atomically
from ..services import activities
from ..services.plan import current_plan
from .layout import HEADERS, HELP_SHEET, SHEET, SheetActivity, example_row

WIDTHS = (12, 20, 36, 24, 10, 10, 36)
TEMPLATE_ROWS = 500  # entry rows of the template that get Excel's input checks (column A is date-formatted)
_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # Excel decodes _xHHHH_ in strings


def _help_lines(plan: Plan) -> list[str]:
    return [
        "1. 在“活动台账”工作表中每行填写一次活动；第 1 行的表头不要改动、删除或移动，空行会被跳过。",
        f"2. 日期：填写 {plan.start_year}-01-01 至 {plan.end_year}-12-31 之间的日期，例如 2019-03-15 或 2019/3/15。",
        "3. 活动类型：从下拉列表中选择，或填写下表中的类型名称（也可以填代码）。",
        "4. 活动名称必填，最多 200 字；地点最多 200 字；备注最多 500 字。",
        "5. 参与人数、受众人次：填写 0 或正整数，不填视为 0。",
        "6. 不要使用公式：含公式的文件会被拒绝导入（可用“选择性粘贴”为“数值”）。",
        "7. 第 2 行是示例，导入时自动跳过；可以删除，也可以直接改写为真实的活动。",
        "8. 导入时先检查全部行：只要有一行有问题，就一条也不导入，并列出每个问题所在的行和列。",
        "9. 日期、活动类型、活动名称、地点都与台账中已有记录相同的行视为“已存在”，导入时跳过，不会重复。",
    ]


def _put(ws, row: int, col: int, value, **style):
    """Write a cell; text that a spreadsheet could take for a formula keeps Excel's quote prefix."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = clean_text(value)
        cell.value = _ESCAPE.sub(r"_x005F_\1", value) if "_x" in value else value
        if value and value[0] in RISKY_FIRST:
            cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
            cell.quotePrefix = True
    else:
        cell.value = value
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def _write_entry_sheet(ws, example: SheetActivity, plan: Plan, type_range: str) -> None:
    header = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7"),
              "alignment": Alignment(horizontal="center", vertical="center")}
    for col, (title, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        _put(ws, 1, col, title, **header)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions["A"].number_format = "yyyy-mm-dd"
    grey = Font(italic=True, color="808080")
    values = (example.date, example.type_name, example.title, example.place, example.participants,
              example.audience, example.note)
    for col, value in enumerate(values, start=1):
        _put(ws, 2, col, value, font=grey)
    ws["A2"].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", 9
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _add_checks(ws, plan, type_range)


def _add_checks(ws, plan: Plan, type_range: str) -> None:
    """Excel's own input checks on the entry rows: dates in the plan period, types from the list
    (a warning only: codes are accepted too), whole counts ≥ 0. The importer checks all of it again."""
    last = TEMPLATE_ROWS + 1
    first_day = (dt.date(plan.start_year, 1, 1) - dt.date(1899, 12, 30)).days  # Excel serial numbers
    last_day = (dt.date(plan.end_year, 12, 31) - dt.date(1899, 12, 30)).days
    checks = [
        (DataValidation("date", operator="between", formula1=str(first_day), formula2=str(last_day),
                        error=f"请填写 {plan.start_year}—{plan.end_year} 年之间的日期，例如 2019-03-15。"), "A"),
        (DataValidation("list", formula1=type_range, errorStyle="warning",
                        error=f"请从下拉列表中选择活动类型（见“{HELP_SHEET}”工作表）。"), "B"),
        (DataValidation("whole", operator="greaterThanOrEqual", formula1="0", error="请填写 0 或正整数。"), "E"),
        (DataValidation("whole", operator="greaterThanOrEqual", formula1="0", error="请填写 0 或正整数。"), "F"),
    ]
    for check, col in checks:
        check.errorTitle, check.showErrorMessage, check.allow_blank = "输入有误", True, True
        check.errorStyle = check.errorStyle or "stop"
        check.add(f"{col}2:{col}{last}")
        ws.add_data_validation(check)


def _write_help_sheet(ws, types: list[ActivityType], plan: Plan) -> str:
    """The instructions and the valid types; returns the types' range for the entry sheet's list."""
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 20
    _put(ws, 1, 1, "填写说明", font=Font(bold=True, size=14))
    lines = _help_lines(plan)
    for row, line in enumerate(lines, start=2):
        _put(ws, row, 1, line)
    top = len(lines) + 3
    header = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7")}
    _put(ws, top, 1, "可选的活动类型", **header)
    _put(ws, top, 2, "代码", **header)
    for row, kind in enumerate(types, start=top + 1):
        _put(ws, row, 1, kind.name)
        _put(ws, row, 2, kind.code)
    return f"{quote_sheetname(HELP_SHEET)}!$A${top + 1}:$A${top + len(types)}"


def write_template(s: Session, path: Path) -> Path:
    """The .xlsx a clerk fills: 活动台账 (headers, an example row, input checks) and 说明 (the types).

    The file appears at ``path`` only when complete (written beside it, then renamed).
    """
    types = activities.activity_types(s)
    plan = current_plan(s)
    wb = Workbook()
    wb.properties.creator = "kexie-desktop"
    wb.properties.title = "活动台账导入模板"
    entry = wb.active
    entry.title = SHEET
    type_range = _write_help_sheet(wb.create_sheet(HELP_SHEET), types, plan)
    _write_entry_sheet(entry, example_row(types, plan), plan, type_range)
    path = Path(path)
    save_atomically(wb, path)
    return path
