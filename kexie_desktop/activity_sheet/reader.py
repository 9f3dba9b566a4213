"""活动台账 from a simple Excel sheet that a clerk fills by hand: reading it back and importing it.

Unlike a package, such a sheet is neither signed nor written by this program, so every row is checked
as the ledger form checks it (``services.activities.field_errors``), and the file first passes the
same safety checks as a package (``safety.read_checked``: size, zip bomb, DTD/entities, formulas)
before python-calamine parses it. Reading writes nothing. Import is all or nothing: any bad row and
no row is imported, every problem is named by sheet, row and column. Rows identical to a record
already in the office's ledger (date, type, title, place) are 已存在 and skipped, so importing the
same file twice adds nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import Activity, ActivityType, Office, Plan
from ..packages.format import safety
from ..packages.format.codec import canon_cell, clean_text
from ..packages.format.errors import PackageError
from ..packages.format.workbook import Book
from ..services import activities, locks
from ..services.plan import current_plan
from ..validation import parse_date, parse_number
from .layout import (AUDIENCE, DATE, HEADERS, HELP_SHEET, NOTE, PARTICIPANTS, PLACE, SHEET, TITLE, TYPE,
                              SheetActivity, example_row)
from .template import write_template

# The feature's public face: callers import the template writer and the layout from here too.
__all__ = ["HEADERS", "SHEET", "ActivitySheet", "SheetActivity", "SheetImport", "SheetProblems", "import_sheet",
           "read_sheet", "write_template"]

COLUMN_OF = {"date": DATE, "type": TYPE, "title": TITLE, "place": PLACE, "participants": PARTICIPANTS,
             "audience": AUDIENCE, "note": NOTE}
MAX_LISTED = 50  # problems listed in one refusal; the rest are counted
SOURCE_LIMIT = 80  # length of Activity.source / AuditEntry.source
_OLE2 = b"\xd0\xcf\x11\xe0"


class SheetProblems(UserError):
    """A sheet with bad rows: nothing is imported. ``problems`` lists up to MAX_LISTED of ``total``."""

    def __init__(self, file: str, problems: list[str]):
        self.file, self.total, self.problems = file, len(problems), problems[:MAX_LISTED]
        self.headline = f"文件“{file}”中有 {self.total} 处问题，没有导入任何记录。请改正后重新导入："
        lines = [self.headline, *self.problems]
        if self.total > len(self.problems):
            lines.append(f"……另有 {self.total - len(self.problems)} 处问题未列出。")
        super().__init__("\n".join(lines))


@dataclass
class ActivitySheet:
    """A checked sheet, ready to import: the new rows and those the ledger already has."""

    file_name: str
    sheet: str
    new: list[SheetActivity]
    existing: list[SheetActivity] = field(default_factory=list)  # 已存在: skipped
    differing: list[int] = field(default_factory=list)  # rows of ``existing`` whose counts or note differ
    example_rows: list[int] = field(default_factory=list)  # the template's example, skipped

    @property
    def first_day(self) -> dt.date | None:
        return min((a.date for a in self.new), default=None)

    @property
    def last_day(self) -> dt.date | None:
        return max((a.date for a in self.new), default=None)

    def type_counts(self) -> list[tuple[str, int]]:
        """(type name, rows to import) in the order of first appearance."""
        return list(Counter(a.type_name for a in self.new).items())

    def summary(self) -> str:
        count = len(self.new) + len(self.existing)
        lines = [f"文件“{self.file_name}”（工作表“{self.sheet}”）中有 {count} 行活动记录。"]
        if self.new:
            lines.append(f"将导入 {len(self.new)} 条新记录，日期 {self.first_day} 至 {self.last_day}：")
            lines += [f"    {name} {n} 条" for name, n in self.type_counts()]
        else:
            lines.append("没有需要导入的新记录。")
        if self.existing:
            lines.append(f"已存在 {len(self.existing)} 条（日期、活动类型、活动名称、地点与台账中的记录相同），"
                         f"将跳过：{_rows_text([a.row for a in self.existing])}。")
        if self.differing:
            lines.append(f"其中{_rows_text(self.differing)}的人数或备注与台账中的记录不同；导入不会修改已有记录，"
                         "如需更正请在台账中编辑。")
        if self.example_rows:
            lines.append(f"{_rows_text(self.example_rows)}是模板中的示例，不导入。")
        return "\n".join(lines)


@dataclass
class SheetImport:
    uids: list[str]  # the records added, in sheet order
    skipped: int  # rows that were already in the ledger
    changes: Changes

    def message(self) -> str:
        text = f"已导入 {len(self.uids)} 条活动记录。"
        return text + (f"另有 {self.skipped} 条已存在，已跳过。" if self.skipped else "")


def _rows_text(rows: list[int], limit: int = 20) -> str:
    shown = "、".join(map(str, rows[:limit]))
    return f"第 {shown} 行" + (f"等 {len(rows)} 行" if len(rows) > limit else "")


def _place(sheet: str, row: int, col: int | None = None) -> str:
    """“活动台账”第 5 行 C 列 (Excel letters, 1-based rows; col 0-based)."""
    return f"“{sheet}”第 {row} 行" + (f" {get_column_letter(col + 1)} 列" if col is not None else "")


# --- reading -------------------------------------------------------------------------------------
def read_sheet(s: Session, office: Office, path: Path, progress=None) -> ActivitySheet:
    """Check the whole file; raises PackageError (the file) or SheetProblems (its rows). Writes nothing.

    ``progress(done, total, text)`` is called now and then (it may raise to cancel).
    """
    path = Path(path)
    try:
        book = Book(_checked_bytes(path))
        sheet, rows = _find_sheet(book)
    except PackageError as exc:
        raise exc.for_file(path.name) from None
    types = activities.activity_types(s)
    plan = current_plan(s)
    parsed, examples, problems = _parse_rows(sheet, rows, types, plan, progress)
    if problems:
        raise SheetProblems(path.name, problems)
    if not parsed and not examples:
        raise PackageError(f"工作表“{sheet}”中没有活动记录（从第 2 行起每行填写一次活动）。", file=path.name)
    known = _ledger_records(s, office, parsed)
    new = [a for a in parsed if a.key not in known]
    existing = [a for a in parsed if a.key in known]
    differing = [a.row for a in existing if known[a.key] != a.fields[4:]]
    # New rows in approved (locked) months would be refused at import: name them here, with their rows.
    locked = locks.locked_months(s, office, {(a.date.year, a.date.month) for a in new})
    if locked:
        problems = [f"{_place(sheet, a.row, DATE)}：{locks.locked_message(r.year, r.month, r.by, r.at)}"
                    for a in new if (r := locked.get((a.date.year, a.date.month)))]
        raise SheetProblems(path.name, problems)
    return ActivitySheet(path.name, sheet, new, existing, differing, examples)


def _checked_bytes(path: Path) -> bytes:
    """The file through the package safety checks, with the messages a hand-made sheet needs."""
    try:
        return safety.read_checked(path)
    except PackageError as exc:
        if exc.sheet is not None and "公式" in exc.message:
            where = _place(exc.sheet, exc.row, exc.col - 1) if exc.row and exc.col else f"工作表“{exc.sheet}”"
            raise PackageError(f"{where}含有公式，已拒绝导入。请在 Excel 或 WPS 中把公式改为数值"
                               "（复制后“选择性粘贴”为“数值”），保存后再导入。") from None
        head = _head(path)
        if head.startswith(_OLE2):
            raise PackageError("这是旧版 Excel 97-2003（.xls）文件或加了密码的工作簿，无法导入。请在 Excel 或 WPS 中"
                               "打开它，取消密码并“另存为” Excel 工作簿（*.xlsx）后再导入。") from None
        if head and not head.startswith(b"PK"):
            raise PackageError("不是 Excel 工作簿（.xlsx）文件，无法导入。如果它是 .xls、.csv 或 WPS 表格文件，"
                               "请在 Excel 或 WPS 中打开，“另存为” Excel 工作簿（*.xlsx）后再导入。") from None
        raise


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(8)
    except OSError:
        return b""


def _find_sheet(book: Book) -> tuple[str, list[list]]:
    """The sheet 活动台账, or else the first sheet with the template's header row; header checked."""
    name = SHEET if SHEET in book.names else next(
        (n for n in book.names if [_text(v).strip() for v in (book.raw(n) or [[]])[0][:7]] == list(HEADERS)), None)
    if name is None:
        raise PackageError(f"文件中没有“{SHEET}”工作表。请用“下载模板…”保存的模板填写活动，"
                           "不要改动工作表名称和第 1 行的表头。")
    rows = book.raw(name)
    header = rows[0] if rows else []
    for col, expected in enumerate(HEADERS):
        found = _text(header[col]).strip() if col < len(header) else ""
        if found != expected:
            actual = f"实际为“{found}”" if found else "实际为空"
            raise PackageError(f"{_place(name, 1, col)}：表头应为“{expected}”，{actual}。请使用“下载模板…”"
                               "保存的模板，不要改动、删除或移动第 1 行的列。")
    return name, rows


def _parse_rows(sheet: str, rows: list[list], types: list[ActivityType], plan: Plan, progress):
    """(valid rows, rows equal to the template's example, problem sentences in row order)."""
    lookup = {t.name: t for t in types} | {t.code.upper(): t for t in types}
    example = example_row(types, plan)
    parsed, examples, problems, seen = [], [], [], {}
    for n, raw in enumerate(rows[1:], start=2):
        cells = (list(raw) + [""] * len(HEADERS))[:len(HEADERS)]
        if all(not _text(v).strip() for v in cells):
            continue  # an empty row
        if progress and n % 200 == 0:
            progress(n, len(rows), f"正在检查第 {n} 行…")
        activity, errors = _parse_row(n, cells, lookup, plan)
        if activity is not None and activity.fields == example.fields:
            examples.append(n)
            continue
        if _text(cells[TITLE]).strip() == example.title:
            errors[TITLE] = "这是模板的示例行。请删除此行，或把它改成真实的活动后再导入。"
        problems += [f"{_place(sheet, n, col)}：{errors[col]}" for col in sorted(errors)]
        if errors:
            continue
        same = (activity.date, activity.type_code, activity.title)
        if same in seen:
            problems.append(f"{_place(sheet, n)}：与第 {seen[same]} 行重复（日期、活动类型、活动名称都相同）。")
            continue
        seen[same] = n
        parsed.append(activity)
    return parsed, examples, problems


def _parse_row(n: int, cells: list, lookup: dict, plan: Plan) -> tuple[SheetActivity | None, dict[int, str]]:
    """The row's activity, or None and the reason of every bad cell (keyed by 0-based column)."""
    errors: dict[int, str] = {}
    date = _read_date(cells[DATE], errors)
    kind = _read_type(cells[TYPE], lookup, errors)
    title, place, note = _text(cells[TITLE]), _text(cells[PLACE]), _text(cells[NOTE])
    people = _read_count(cells[PARTICIPANTS], "参与人数", PARTICIPANTS, errors)
    audience = _read_count(cells[AUDIENCE], "受众人次", AUDIENCE, errors)
    found = activities.field_errors(date=date, title=title, place=place, participants=people or 0,
                                    audience=audience or 0, note=note, plan=plan)
    for name, reason in found.items():
        errors.setdefault(COLUMN_OF[name], reason)
    if errors:
        return None, errors
    return SheetActivity(n, date, kind.code, kind.name, title.strip(), place.strip(), int(people),
                         int(audience), note.strip()), errors


def _text(v) -> str:
    """A cell as text: numbers without a stray .0, dates as 2019-03-15, Windows line ends as LF."""
    if type(v) is str:
        return clean_text(v)
    return "" if v is None else canon_cell(v)


def _read_date(v, errors: dict) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = _text(v).strip()
    if not text:
        errors[DATE] = "日期不能为空。"
    elif type(v) is not str:
        errors[DATE] = f"“{text}”不是日期，请写成 年-月-日，例如 2019-03-15。"
    else:
        try:
            return parse_date(text)  # 2019-03-15, 2019/3/15, 2019.3.15, 2019年3月15日
        except UserError as exc:
            errors[DATE] = str(exc)
    return None


def _read_type(v, lookup: dict, errors: dict) -> ActivityType | None:
    text = _text(v).strip()
    kind = lookup.get(text) or lookup.get(text.upper())
    if kind is None:
        errors[TYPE] = ("活动类型不能为空。" if not text else
                        f"活动类型“{text}”不是可选的类型，请按“{HELP_SHEET}”工作表填写。")
    return kind


def _read_count(v, what: str, col: int, errors: dict):
    """A number (range and whole-number checks are the form's, in field_errors); empty is 0."""
    if type(v) in (int, float):
        return v
    text = _text(v).strip()
    if not text:
        return 0
    if type(v) is str:  # typed into a cell formatted as text; full-width digits and 1,200 are fine
        try:
            return parse_number(text, what)
        except UserError:
            pass
    errors[col] = f"{what}“{text}”不是数字，请填写整数，例如 25。"
    return None


def _ledger_records(s: Session, office: Office, rows: list[SheetActivity]) -> dict[tuple, tuple]:
    """key -> (participants, audience, note) of the office's records in the rows' date range."""
    if not rows:
        return {}
    q = (select(Activity.date, ActivityType.code, Activity.title, Activity.place, Activity.participants,
                Activity.audience, Activity.note)
         .join(ActivityType, Activity.type_id == ActivityType.id)
         .where(Activity.office_id == office.id, Activity.date >= min(a.date for a in rows),
                Activity.date <= max(a.date for a in rows)))
    return {(d, code, title.strip(), (place or "").strip()): (p, a, (note or "").strip())
            for d, code, title, place, p, a, note in s.execute(q)}


# --- importing -----------------------------------------------------------------------------------
def import_sheet(s: Session, office: Office, sheet: ActivitySheet, *, user: str = "") -> SheetImport:
    """Add the sheet's new rows in the caller's transaction, each audited with source "excel:<file>".

    The ledger is looked at again here, so a row added since ``read_sheet`` is skipped, not doubled.
    Any error leaves the whole transaction to be rolled back by the caller.
    """
    plan = current_plan(s)
    types = {t.code: t for t in activities.activity_types(s)}
    known = set(_ledger_records(s, office, sheet.new))
    source = f"excel:{sheet.file_name}"[:SOURCE_LIMIT]
    uids = []
    for a in sheet.new:
        if a.key in known:
            continue
        if a.type_code not in types:
            raise UserError(f"活动类型“{a.type_name}”已不在本程序的类型之中，请重新检查文件后再导入。")
        known.add(a.key)
        activity, _changes = activities.add_activity(
            s, office, types[a.type_code], a.date, a.title, place=a.place, participants=a.participants,
            audience=a.audience, note=a.note, user=user, source=source, plan=plan)
        uids.append(activity.uid)
    skipped = len(sheet.existing) + len(sheet.new) - len(uids)
    return SheetImport(uids, skipped, Changes(activities={office.id}) if uids else Changes())
