"""Writing a package workbook (XlsxWriter, constant-memory mode, for speed) and reading one (python-calamine).

Layout: 封面 (cover), the data sheets, 填写说明 (instructions), 校验信息 (manifest, hidden). Every text
goes through ``write_string`` (never ``write``, which would turn "=..." into a formula); text that a
spreadsheet could take for a formula (= + - @, tab, CR, LF first) gets Excel's quote prefix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

import python_calamine

from ...instance_lock import pid_alive

from . import safety
from .codec import EXCEL_TEXT_LIMIT, CellError, SheetSpec, canon_cell, canon_columns, canon_table, clean_text
from .errors import PackageError, where
from .manifest import MANIFEST_HEADERS, MANIFEST_SHEET, Manifest, manifest_rows
from .signing import canonical, checksum, sign

if TYPE_CHECKING:
    import xlsxwriter

COVER_SHEET = "封面"
NOTES_SHEET = "填写说明"
RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r", "\n")
# Text starting with these takes the careful path (prepared, put_text); "<" for XlsxWriter's
# "<r>...</r>", which it would copy into the XML unescaped as a rich string.
_SLOW_FIRST = frozenset(RISKY_FIRST + ("<",))
# A string of more UTF-16 units than this might exceed Excel's limit (XlsxWriter would cut it).
_MAYBE_LONG = EXCEL_TEXT_LIMIT // 2
# No formula, link or number is ever made from a string; constant memory: rows go to disk as written.
WRITER_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                  "strings_to_numbers": False}
STYLES = {
    "header": {"bold": True, "bg_color": "#DDEBF7", "align": "center", "valign": "vcenter", "text_wrap": True},
    "quoted": {"quote_prefix": True},
    "wrap": {"text_wrap": True, "valign": "top"},
    "top": {"valign": "top"},
    "title": {"bold": True, "font_size": 14},
    "bold": {"bold": True, "valign": "top"},
}


@dataclass
class PackageSheet:
    spec: SheetSpec
    rows: Iterable[Sequence]  # typed values in column order


class Formats:
    """The workbook's cell formats, registered once (by style name, and by number format)."""

    def __init__(self, wb: xlsxwriter.Workbook, styles: dict[str, dict] = STYLES):
        self._wb = wb
        self.named = {name: wb.add_format(props) for name, props in styles.items()}
        self._numbers = {None: None}

    def number(self, number_format: str | None):
        if number_format not in self._numbers:
            self._numbers[number_format] = self._wb.add_format({"num_format": number_format})
        return self._numbers[number_format]


def prepared(text: str) -> str:
    """Text as a reader will get it back (LF line ends, no illegal characters), within Excel's limit."""
    if "\r" in text or not text.isprintable():
        text = clean_text(text)
    if len(text) > _MAYBE_LONG and len(text.encode("utf-16-le")) // 2 > EXCEL_TEXT_LIMIT:
        raise PackageError(f"有一段文字长达 {len(text)} 字，超过 Excel 单元格上限，无法导出。")
    return text


def put_text(ws, formats: Formats, row: int, col: int, text: str, style: str | None = None) -> None:
    """Write prepared text as a string cell, never as a formula; risky text gets the quote prefix."""
    if not text:
        return
    if text[0] in RISKY_FIRST:
        style = "quoted"
    fmt = formats.named[style] if style else None
    if text.startswith("<r>") and text.endswith("</r>"):
        runs = ("<", "r", text[2:]) + ((fmt,) if fmt else ())
        ws.write_rich_string(row, col, *runs)  # plain runs, escaped like any text
    else:
        ws.write_string(row, col, text, fmt)


def set_width(ws, col: int, width: float, fmt=None) -> None:
    """Column width as stored in the file, as openpyxl wrote it (XlsxWriter's set_column adds padding).
    ``fmt``: the column's format, taken by its cells written without one of their own."""
    ws.set_column_pixels(col, col, round(width * 7), fmt)


def _start_sheet(wb, formats: Formats, name: str, headers: list[str], widths: list[float],
                 wrapped: Sequence[bool] = ()):
    ws = wb.add_worksheet(name)
    # A sheet with wrapped columns aligns every column at the top, so that a row reads as one line.
    styles = [formats.named["wrap" if w else "top"] for w in wrapped] if any(wrapped) else []
    for i, width in enumerate(widths):
        set_width(ws, i, width, styles[i] if i < len(styles) else None)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    fit_to_width(ws, landscape=len(widths) > 3)
    for col, header in enumerate(headers):
        put_text(ws, formats, 0, col, header, "header")
    return ws


def _write_data(wb, formats: Formats, sheet: PackageSheet) -> list[list]:
    """Write the rows; returns their canonical form, from the values as a reader will get them back.
    Plain text goes straight through: this loop runs for every cell of a 100,000-row ledger."""
    spec = sheet.spec
    ws = _start_sheet(wb, formats, spec.name, spec.headers, [c.width for c in spec.columns],
                      [c.wrap for c in spec.columns])
    writers = [c.write for c in spec.columns]
    converted = any(writers)
    numbers = [formats.number(c.number_format) for c in spec.columns]
    write_string, write_number = ws.write_string, ws.write_number
    # Wrapped columns: rows get their height here (not every program re-measures them on opening).
    wrapped = [(i, c.width) for i, c in enumerate(spec.columns) if c.wrap]
    written = []
    for row, values in enumerate(sheet.rows, start=1):
        values = [w(v) if w else v for w, v in zip(writers, values)] if converted else list(values)
        if wrapped:
            ws.set_row(row, max(row_height(values[i] if type(values[i]) is str else "", w - 1) for i, w in wrapped))
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if value[0] in _SLOW_FIRST or len(value) > _MAYBE_LONG or not value.isprintable():
                    values[col] = value = prepared(value)
                    put_text(ws, formats, row, col, value)
                else:
                    write_string(row, col, value)
            elif kind is float or kind is int:
                write_number(row, col, value, numbers[col])
            elif kind is bool:
                ws.write_boolean(row, col, value)
            elif value is not None:
                raise TypeError(f"{spec.name}: cannot write a {kind.__name__} cell")
        written.append(values)
    ws.autofilter(0, 0, len(written), len(spec.columns) - 1)
    return canon_table(written)


def row_height(text: str, width: float) -> float:
    """Rows of wrapped text get an explicit height: not every program re-measures them on opening."""
    lines = 0
    for part in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)
        lines += max(1, -(-units // int(width)))
    return 15.0 * lines + 3


def fit_to_width(ws, landscape: bool) -> None:
    """Printed on A4, as wide as one page."""
    ws.set_landscape() if landscape else ws.set_portrait()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _write_cover(wb, formats: Formats, cover: list[tuple[str, str]], title: str) -> None:
    ws = wb.add_worksheet(COVER_SHEET)
    set_width(ws, 0, 14)
    set_width(ws, 1, 72)
    fit_to_width(ws, landscape=False)
    ws.set_row(0, 24)
    put_text(ws, formats, 0, 0, prepared(title), "title")
    for row, (label, value) in enumerate(cover, start=2):
        text = prepared(value)
        ws.set_row(row, row_height(text, 70))
        put_text(ws, formats, row, 0, label, "bold")
        put_text(ws, formats, row, 1, text, "wrap")


def _write_notes(wb, formats: Formats, notes: list[str]) -> None:
    ws = wb.add_worksheet(NOTES_SHEET)
    set_width(ws, 0, 100)
    fit_to_width(ws, landscape=False)
    put_text(ws, formats, 0, 0, NOTES_SHEET, "title")
    for row, line in enumerate(notes, start=1):
        text = prepared(line)
        ws.set_row(row, row_height(text, 98))
        put_text(ws, formats, row, 0, text, "wrap")


def _write_manifest(wb, formats: Formats, manifest: Manifest) -> None:
    ws = _start_sheet(wb, formats, MANIFEST_SHEET, MANIFEST_HEADERS, [18, 26, 70])
    ws.hide()
    for row, values in enumerate(manifest_rows(manifest), start=1):
        for col, value in enumerate(values):
            put_text(ws, formats, row, col, prepared(value))


def write_package(path: Path, manifest: Manifest, sheets: list[PackageSheet], *, title: str,
                  cover: list[tuple[str, str]], notes: list[str], key: bytes) -> str:
    """Write and sign the package (sets ``manifest.signature``); returns the content checksum.

    The file appears at ``path`` only when complete (written beside it, then renamed).
    """
    with new_workbook(Path(path)) as wb:
        wb.set_properties({"title": title, "author": "kexie-desktop"})
        formats = Formats(wb)
        _write_cover(wb, formats, cover, title)
        canon = [(sheet.spec.name, _write_data(wb, formats, sheet)) for sheet in sheets]
        _write_notes(wb, formats, notes)
        data = canonical(manifest.signed_fields(), canon)
        manifest.signature = sign(key, data)
        _write_manifest(wb, formats, manifest)
    return checksum(data)


@contextlib.contextmanager
def new_workbook(path: Path, options: dict = WRITER_OPTIONS) -> Iterator[xlsxwriter.Workbook]:
    """An XlsxWriter workbook that appears at ``path`` only when complete, after the block (written
    beside it, then renamed). Its row buffers live in a scratch folder removed afterwards."""
    import xlsxwriter  # on first export: it is not needed to start the program

    with atomic_target(path) as tmp, tempfile.TemporaryDirectory(prefix="kexie-xlsx-",
                                                                 ignore_cleanup_errors=True) as scratch:
        wb = xlsxwriter.Workbook(str(tmp), {**options, "tmpdir": scratch})
        try:
            yield wb
        except BaseException:
            for ws in wb.worksheets():  # release the row buffers so that the scratch folder can go
                if getattr(ws, "row_data_fh", None) is not None:
                    ws.row_data_fh.close()
            raise
        wb.close()


PARTIAL_SUFFIX = ".partial"


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to it when the block ends without an error.

    The temporary name (".kexie-<pid>-….partial") never looks like a package, and one left by a writer
    that was killed is removed by the next write into the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".kexie-{os.getpid()}-", suffix=PARTIAL_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, path)
        except PermissionError:  # Windows: Excel or WPS holds the old file open
            raise PackageError(f"文件“{path}”正被 Excel 或 WPS 打开，请关闭它后重试（或换一个文件名）。") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_abandoned(folder: Path) -> None:
    for leftover in folder.glob(f".kexie-*{PARTIAL_SUFFIX}"):
        try:
            pid = int(leftover.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not pid_alive(pid):
            leftover.unlink(missing_ok=True)


def save_atomically(wb, path: Path) -> None:
    """Save an openpyxl workbook so that the file appears at ``path`` only when complete."""
    with atomic_target(path) as tmp:
        wb.save(tmp)


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
