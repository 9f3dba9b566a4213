"""活动台账 from a hand-filled Excel sheet (not a package: neither signed nor written by this program):
``template`` writes the blank sheet to hand out, ``reader`` reads a filled one back and imports it,
``layout`` is the columns both share. Callers use the names re-exported here."""

from .layout import HEADERS, SHEET
from .reader import ActivitySheet, SheetImport, SheetProblems, import_sheet, read_sheet
from .template import write_template

__all__ = ["HEADERS", "SHEET", "ActivitySheet", "SheetImport", "SheetProblems", "import_sheet", "read_sheet",
           "write_template"]
