"""Writing a package workbook (openpyxl write-only, for speed) and reading one (python-calamine).

Layout: 封面 (cover), the data sheets, 填写说明 (instructions), 校验信息 (manifest, hidden). Every text
cell that a spreadsheet could take for a formula (= + - @, tab, CR, LF first) is written as a string
with Excel's quote prefix, never as a formula.
"""

from __future__ import annotations

import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from copy import copy
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Iterable, Sequence

import python_calamine
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import safety
from .codec import EXCEL_TEXT_LIMIT, CellError, SheetSpec, canon_cell, canon_columns, canon_table, clean_text
from .errors import PackageError, where
from .manifest import MANIFEST_HEADERS, MANIFEST_SHEET, Manifest, manifest_rows
from .signing import canonical, checksum, sign

COVER_SHEET = "封面"
NOTES_SHEET = "填写说明"
RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r", "\n")
_RISKY = frozenset(RISKY_FIRST)
# Excel decodes _xHHHH_ in strings; a literal one is written with its underscore escaped.
_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


@dataclass
class PackageSheet:
    spec: SheetSpec
    rows: Iterable[Sequence]  # typed values in column order


class _Styles:
    """Style arrays registered once on the workbook; each styled cell gets a copy."""

    def __init__(self, ws):
        self.arrays = {
            "header": self._array(ws, font=Font(bold=True), fill=PatternFill("solid", fgColor="DDEBF7"),
                                  alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
            "quoted": self._array(ws, quotePrefix=True),
            "wrap": self._array(ws, alignment=Alignment(wrap_text=True, vertical="top")),
            "title": self._array(ws, font=Font(bold=True, size=14)),
            "bold": self._array(ws, font=Font(bold=True), alignment=Alignment(vertical="top")),
        }
        self._formats = {}

    @staticmethod
    def _array(ws, **attributes):
        cell = WriteOnlyCell(ws)
        for name, value in attributes.items():
            setattr(cell, name, value)
        return cell._style

    def cell(self, ws, value, style: str) -> Cell:
        cell = WriteOnlyCell(ws, value=value)
        cell._style = copy(self.arrays[style])
        return cell

    def number(self, ws, value, number_format: str) -> Cell:
        template = self._formats.get(number_format)
        if template is None:
            template = self._formats[number_format] = self._array(ws, number_format=number_format)
        cell = WriteOnlyCell(ws, value=value)
        cell._style = copy(template)
        return cell


def _text_value(ws, styles: _Styles, text: str):
    """(cell or plain value to append, the text a reader will get back)."""
    if "\r" in text or not text.isprintable():
        text = clean_text(text)
    if len(text) > EXCEL_TEXT_LIMIT:
        raise PackageError(f"有一段文字长达 {len(text)} 字，超过 Excel 单元格上限，无法导出。")
    stored = _ESCAPE.sub(r"_x005F_\1", text) if "_x" in text else text
    if text and text[0] in RISKY_FIRST:
        cell = styles.cell(ws, stored, "quoted")
        cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
        return cell, text
    return (stored or None), text


def _row_cells(ws, styles: _Styles, spec: SheetSpec, row: Sequence) -> tuple[list, list]:
    """(cells to append, values as a reader will get them back). Plain text goes straight through:
    this loop runs for every cell of a 100,000-row ledger."""
    cells, read_back = [], []
    for column, value in zip(spec.columns, row):
        if column.write is not None:
            value = column.write(value)
        if type(value) is str:
            if value and (value[0] in _RISKY or "_x" in value or not value.isprintable()):
                cell, value = _text_value(ws, styles, value)
            else:
                cell = value or None
        elif value is not None and column.number_format:
            cell = styles.number(ws, value, column.number_format)
        else:
            cell = value
        cells.append(cell)
        read_back.append(value)
    return cells, read_back


def _start_sheet(wb: Workbook, styles, name: str, headers: list[str], widths: list[float]):
    ws = wb.create_sheet(name)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    _fit_to_width(ws, landscape=len(widths) > 3)  # before the first row: it goes in the sheet's head
    ws.append([styles.cell(ws, h, "header") for h in headers])
    return ws


def _write_data(wb, styles, sheet: PackageSheet) -> list[list]:
    spec = sheet.spec
    ws = _start_sheet(wb, styles, spec.name, spec.headers, [c.width for c in spec.columns])
    written = []
    for row in sheet.rows:
        cells, read_back = _row_cells(ws, styles, spec, row)
        ws.append(cells)
        written.append(read_back)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{len(written) + 1}"
    return canon_table(written)


def _row_height(text: str, width: float) -> float:
    """Rows of wrapped text get an explicit height: not every program re-measures them on opening."""
    lines = 0
    for part in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)
        lines += max(1, -(-units // int(width)))
    return 15.0 * lines + 3


def _fit_to_width(ws, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_cover(wb, styles, cover: list[tuple[str, str]], title: str) -> None:
    ws = wb.create_sheet(COVER_SHEET)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 72
    _fit_to_width(ws, landscape=False)
    ws.row_dimensions[1].height = 24
    ws.append([styles.cell(ws, title, "title")])
    ws.append([])
    for row, (label, value) in enumerate(cover, start=3):
        cell, text = _text_value(ws, styles, value)
        if not isinstance(cell, Cell) and cell is not None:
            cell = styles.cell(ws, cell, "wrap")
        ws.row_dimensions[row].height = _row_height(text, 70)
        ws.append([styles.cell(ws, label, "bold"), cell])


def _write_notes(wb, styles, notes: list[str]) -> None:
    ws = wb.create_sheet(NOTES_SHEET)
    ws.column_dimensions["A"].width = 100
    _fit_to_width(ws, landscape=False)
    ws.append([styles.cell(ws, NOTES_SHEET, "title")])
    for row, line in enumerate(notes, start=2):
        cell, text = _text_value(ws, styles, line)
        ws.row_dimensions[row].height = _row_height(text, 98)
        ws.append([cell if isinstance(cell, Cell) else styles.cell(ws, cell, "wrap")])


def _write_manifest(wb, styles, manifest: Manifest) -> None:
    ws = _start_sheet(wb, styles, MANIFEST_SHEET, MANIFEST_HEADERS, [18, 26, 70])
    ws.sheet_state = "hidden"
    for row in manifest_rows(manifest):
        ws.append([_text_value(ws, styles, v)[0] for v in row])


def write_package(path: Path, manifest: Manifest, sheets: list[PackageSheet], *, title: str,
                  cover: list[tuple[str, str]], notes: list[str], key: bytes) -> str:
    """Write and sign the package (sets ``manifest.signature``); returns the content checksum.

    The file appears at ``path`` only when complete (written beside it, then renamed).
    """
    wb = Workbook(write_only=True)
    wb.properties.creator = "kexie-desktop"
    wb.properties.title = title
    styles = _Styles(wb.create_sheet("_styles"))
    wb.remove(wb["_styles"])
    _write_cover(wb, styles, cover, title)
    canon = [(sheet.spec.name, _write_data(wb, styles, sheet)) for sheet in sheets]
    _write_notes(wb, styles, notes)
    data = canonical(manifest.signed_fields(), canon)
    manifest.signature = sign(key, data)
    _write_manifest(wb, styles, manifest)
    save_atomically(wb, Path(path))
    return checksum(data)


def save_atomically(wb: Workbook, path: Path) -> None:
    """The file appears at ``path`` only when complete (written beside it, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".kexie-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- reading -------------------------------------------------------------------------------------

class Book:
    """A workbook opened from bytes that passed safety.read_checked, or (in ``read_book``)
    safety.check_archive while the remaining checks run beside the parse."""

    def __init__(self, data: bytes):
        try:
            self._wb = python_calamine.CalamineWorkbook.from_filelike(BytesIO(data))
            self.names = list(self._wb.sheet_names)
        except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException (a BaseException)
            if not is_parser_failure(exc):
                raise
            raise PackageError("文件已损坏，无法作为 Excel 工作簿读取。") from None
        self._parsed: dict[str, list[list]] = {}

    def raw(self, name: str) -> list[list]:
        if name in self._parsed:
            return self._parsed[name]
        try:
            rows = self._wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except BaseException as exc:
            if not is_parser_failure(exc):
                raise
            raise PackageError("工作表已损坏，无法读取。", sheet=name) from None
        self._parsed[name] = rows
        return rows

    def parse_all(self) -> "Book":
        """Parse every sheet now (a damaged one is reported when it is asked for)."""
        for name in self.names:
            try:
                self.raw(name)
            except PackageError:
                pass
        return self

    def is_empty(self) -> bool:
        return all(all(v == "" for row in self.raw(n) for v in row) for n in self.names)

    def data_rows(self, spec: SheetSpec) -> "SheetRows":
        """The non-empty rows under a checked header row."""
        if spec.name not in self.names:
            raise PackageError(
                f"缺少工作表“{spec.name}”（可能被删除或改名）。请导入本程序导出的原始文件。"
            )
        rows = self.raw(spec.name)
        header = rows[0] if rows else []
        for i, expected in enumerate(spec.headers):
            found = header[i] if i < len(header) else ""
            if found != expected:
                raise PackageError(
                    f"表头应为“{expected}”，实际为“{canon_cell(found)}”（列被改名、删除或移动）。",
                    sheet=spec.name, row=1, col=i + 1,
                )
        width = len(header)
        numbers = [n for n, r in enumerate(rows[1:], start=2) if r.count("") != width]
        cells = [rows[n - 1] for n in numbers] if len(numbers) != len(rows) - 1 else rows[1:]
        sheet = SheetRows(numbers, cells, list(zip(*cells)))
        _check_lengths(spec, sheet)
        return sheet


def is_parser_failure(exc: BaseException) -> bool:
    """An error of the parser (any Exception, or pyo3's PanicException, which derives from
    BaseException), as opposed to KeyboardInterrupt or SystemExit, which must go on."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def read_book(path: Path) -> Book:
    """Safety-check and open a workbook file, every sheet parsed.

    python-calamine parses without holding the GIL, so once the archive's directory and every
    worksheet's grid have passed (bounded sizes, see safety's docstring) the sheets are parsed on a
    second thread while this one scans the XML for DTDs, entities and formulas. Nothing parsed is
    used unless all of that passes.
    """
    data = safety.read_bounded(path)
    parts = safety.inflate_parts(data, safety.check_archive(data))
    safety.check_grid(parts)  # the parser would allocate the whole grid: bounded before it starts
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsing = pool.submit(lambda: Book(data).parse_all())
        safety.check_parts(parts)
        return parsing.result()


@dataclass
class SheetRows:
    """The non-empty data rows of a sheet: Excel row numbers, raw cells, and the same by column
    (transposed once: the length check, the canonical form and the readers all work by column)."""

    numbers: list[int]
    cells: list[list]
    columns: list[tuple]

    def __iter__(self):
        return zip(self.numbers, self.cells)

    def __len__(self) -> int:
        return len(self.numbers)


def _check_lengths(spec: SheetSpec, sheet: SheetRows) -> None:
    """Excel cannot hold more than 32,767 characters in a cell: a longer one was not made by a spreadsheet."""
    for col, values in enumerate(sheet.columns, start=1):
        texts = values if set(map(type, values)) <= {str} else [v if type(v) is str else "" for v in values]
        if max(map(len, texts)) <= EXCEL_TEXT_LIMIT:
            continue
        i = next(i for i, v in enumerate(texts) if len(v) > EXCEL_TEXT_LIMIT)
        header = spec.columns[col - 1].header if col <= len(spec.columns) else ""
        raise PackageError(f"单元格内容长达 {len(texts[i])} 字，超过 Excel 单元格上限 {EXCEL_TEXT_LIMIT} 字，"
                           "已拒绝导入。", sheet=spec.name, row=sheet.numbers[i], col=col, header=header)


def canonical_rows(sheet: SheetRows) -> list[list[str]]:
    return canon_columns(sheet.columns)


def typed_columns(spec: SheetSpec, sheet: SheetRows, refuse) -> tuple[list[int], list]:
    """Convert raw cells with each column's reader, column by column (a column whose every cell is
    already valid is converted in one go); ``refuse(row, col, message)`` for bad cells, in row order.
    Returns the Excel row numbers and typed columns of the rows without a bad cell."""
    if not len(sheet):
        return [], [[] for _ in spec.columns]
    typed, problems = [], []
    for col, (column, values) in enumerate(zip(spec.columns, sheet.columns), start=1):
        fast = column.bulk(values) if column.bulk else None
        typed.append(fast if fast is not None else _cell_by_cell(column, col, values, problems))
    if not problems:
        return sheet.numbers, typed
    bad = {i for i, _, _ in problems}
    for i, col, message in sorted(problems):
        refuse(sheet.numbers[i], col, message)
    keep = [i for i in range(len(sheet)) if i not in bad]
    return [sheet.numbers[i] for i in keep], [[values[i] for i in keep] for values in typed]


def typed_rows(spec: SheetSpec, sheet: SheetRows, refuse) -> list[tuple[int, tuple]]:
    """As typed_columns, as (Excel row number, typed row) pairs."""
    numbers, columns = typed_columns(spec, sheet, refuse)
    return list(zip(numbers, zip(*columns)))


def _cell_by_cell(column, col: int, values, problems: list) -> list:
    out = []
    for i, value in enumerate(values):
        try:
            out.append(column.read(value))
        except CellError as exc:
            problems.append((i, col, str(exc)))
            out.append(None)
    return out


def place(spec: SheetSpec, row: int, key: str | None = None) -> str:
    if key is None:
        return where(spec.name, row)
    i = spec.index(key)
    return where(spec.name, row, i + 1, spec.columns[i].header)
