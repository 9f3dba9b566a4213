"""数据填报 in the operations layer: the grid's rows and cells for one year, and saving its edits."""

from __future__ import annotations

from dataclasses import dataclass, field

from kexie_desktop.changes import Changes
from kexie_desktop.services import offices, plan

from ..context import AppContext
from ..review.marks import ReviewMarks, load_marks


@dataclass(frozen=True)
class EntryRow:
    indicator_id: int
    code: str
    name: str
    unit: str
    kind: str
    is_ledger: bool
    is_stock: bool
    covers: str | None
    source: str


@dataclass
class EntryData:
    office_code: str
    office_name: str
    year: int
    years: list[int]
    rows: list[EntryRow]
    cells: dict  # (indicator_id, month) -> CellValue
    ledger: dict  # (indicator_id, month) -> float
    indicators: dict  # code -> Indicator-like validator (detached ORM object)
    bases_before: dict  # indicator_id -> coverage base carried over from earlier years
    marks: ReviewMarks = field(default_factory=ReviewMarks)  # 审核 findings on cells, locked months


def load_entry(ctx: AppContext, year: int | None = None) -> EntryData:
    from kexie_desktop.services import grid

    with ctx.db.read() as s:
        office = offices.this_office(s) or offices.city(s)
        current = plan.current_plan(s)
        years = list(current.years)
        year = year if year in years else years[-1]
        indicators = grid.grid_indicators(s, office)
        rows = [
            EntryRow(i.id, i.code, i.name, i.unit, i.kind, i.is_ledger, i.kind in ("level", "coverage"),
                     i.covers, i.source)
            for i in indicators
        ]
        for i in indicators:  # loaded now so validation works on the detached objects later
            _ = i.plan.start_year
        return EntryData(office.code, office.name, year, years, rows, grid.entered_cells(s, office, year),
                         grid.ledger_cells(s, office, year), {i.code: i for i in indicators},
                         grid.bases_before(s, office, year), load_marks(s, office, year))


def load_review_marks(ctx: AppContext, office_code: str, year: int) -> ReviewMarks:
    """The findings and locks alone: refreshed after a save or a review change, edits kept."""
    with ctx.db.read() as s:
        return load_marks(s, offices.resolve(s, office_code), year)


def save_entry(ctx: AppContext, office_code: str, year: int, edits: dict) -> Changes:
    """Write the grid's changed cells in one transaction: ``edits`` maps (code, month) -> CellValue | None.

    The caller notifies the change once it has marked itself saved."""
    from kexie_desktop.services import settings, values

    with ctx.db.write() as s:
        office = offices.resolve(s, office_code)
        user = settings.audit_user(s)
        batch = [
            values.ValueEdit(plan.indicator(s, code), office, year, month,
                             None if cell is None else cell.value,
                             None if cell is None else cell.base,
                             None if cell is None else cell.note)
            for (code, month), cell in sorted(edits.items())
        ]
        return values.set_values(s, batch, user=user, source="manual")
