"""``plan template``: a plan as an editable workbook (openpyxl, for its data-validation drop-downs)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from ..models import Plan
from ..packages.format.workbook import atomic_target
from .layout import DATA_SHEETS, HELP, HELP_SHEET, META, Sheet
from .rows import meta_rows, plan_rows

MAX_TEMPLATE_ROWS = 1000  # the drop-downs reach this far, so added rows have them too
_HEAD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_template(s: Session, plan: Plan, path: Path) -> Path:
    rows = plan_rows(s, plan)
    wb = Workbook()
    ws = wb.active
    ws.title = META.name
    _header(ws, META)
    for r, (label, value) in enumerate(meta_rows(rows.meta), start=2):
        ws.cell(r, 1, label)
        ws.cell(r, 2, value)
    for sheet in DATA_SHEETS:
        _data_sheet(wb.create_sheet(sheet.name), sheet, rows.sheets[sheet.name])
    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.column_dimensions["A"].width = 110
    for r, line in enumerate(HELP, start=1):
        help_ws.cell(r, 1, line)
    path = Path(path)
    with atomic_target(path) as temporary:
        wb.save(temporary)
    return path


def _header(ws, sheet: Sheet) -> None:
    for c, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(1, c, column.header)
        cell.font, cell.fill = _HEAD, _HEAD_FILL
        ws.column_dimensions[get_column_letter(c)].width = column.width
    ws.freeze_panes = "B2"


def _data_sheet(ws, sheet: Sheet, rows: list[dict[str, str]]) -> None:
    _header(ws, sheet)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(sheet.columns, start=1):
            value = row.get(column.key, "")
            cell = ws.cell(r, c, value if value != "" else None)
            cell.number_format = "@"  # text: a code like 320703 or a date stays as written
            if column.width >= 28:
                cell.alignment = wrap
    for c, column in enumerate(sheet.columns, start=1):
        if not column.choices:
            continue
        letter = get_column_letter(c)
        dv = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="无效的值",
                            error=f"{column.header}只能从下拉列表中选择：{'、'.join(column.choices)}")
        dv.add(f"{letter}2:{letter}{MAX_TEMPLATE_ROWS}")
        ws.add_data_validation(dv)
