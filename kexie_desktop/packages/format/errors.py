"""Refusals of a package, with the place in the file they concern (sheet, row, column)."""

from __future__ import annotations

from ...errors import UserError


def where(sheet: str | None = None, row: int | None = None, col: int | None = None, header: str = "") -> str:
    """“工作表“活动台账”第 5 行 H 列（参与人数）” — Excel-style column letters, 1-based rows."""
    text = f"工作表“{sheet}”" if sheet else ""
    if row:
        text += f"第 {row} 行"
    if col:
        text += f"{' ' if row else ''}{column_letter(col)} 列"
    if header:
        text += f"（{header}）"
    return text


class CellError(ValueError):
    """A cell value of the wrong type or range; the reader adds file, sheet, row and column."""


class PackageError(UserError):
    """A package that is refused as a whole. ``str()`` names the file and, where known, the place."""

    def __init__(self, message: str, *, file: str = "", sheet: str | None = None, row: int | None = None,
                 col: int | None = None, header: str = ""):
        self.message = message
        self.file = file
        self.sheet, self.row, self.col, self.header = sheet, row, col, header
        super().__init__(self._text())

    def _text(self) -> str:
        place = where(self.sheet, self.row, self.col, self.header)
        prefix = f"文件“{self.file}”：" if self.file else ""
        return f"{prefix}{place}{'：' if place else ''}{self.message}"

    def for_file(self, file: str) -> "PackageError":
        if not self.file:
            self.file = file
            self.args = (self._text(),)
        return self

    def __str__(self) -> str:
        return self._text()


def column_letter(col: int) -> str:
    """1 → A, 27 → AA: the column names a spreadsheet shows (without importing openpyxl at start-up)."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
