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
    # (indicator_id, month) -> version of the saved value as loaded; a cell missing here was empty (0)
    versions: dict = field(default_factory=dict)
    read_only: str | None = None  # "2018—2020年计划已结束，只能查看": an earlier plan's year


def load_entry(ctx: AppContext, year: int | None = None) -> EntryData:
    from kexie_desktop.services import grid

    with ctx.db.read() as s:
        office = offices.this_office(s) or offices.city(s)
        current = plan.active_plan(s)
        years = list(current.years)
        if year is None or (year not in years and plan.plan_of_year(s, year) is None):
            year = years[-1]
        shown = plan.show_year(s, year)  # an earlier plan's year: its indicators, read-only
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
                         grid.bases_before(s, office, year), load_marks(s, office, year),
                         grid.cell_versions(s, office, year), plan.read_only_line(s, shown))


def load_review_marks(ctx: AppContext, office_code: str, year: int) -> ReviewMarks:
    """The findings and locks alone: refreshed after a save or a review change, edits kept."""
    with ctx.db.read() as s:
        return load_marks(s, offices.resolve(s, office_code), year)


def save_entry(ctx: AppContext, office_code: str, year: int, edits: dict, versions: dict | None = None) -> Changes:
    """Write the grid's changed cells in one transaction: ``edits`` maps (code, month) -> CellValue | None.

    ``versions`` (the grid's ``EntryData.versions``) makes a cell changed on another PC since the grid was
    loaded refuse the whole save (``StaleEdit``); on success it is updated for the saved cells.
    The caller notifies the change once it has marked itself saved."""
    from kexie_desktop.services import grid, settings, values

    with ctx.db.write() as s:
        office = offices.resolve(s, office_code)
        user = settings.audit_user(s)
        batch = []
        for (code, month), cell in sorted(edits.items()):
            indicator = plan.indicator(s, code)
            seen = None if versions is None else versions.get((indicator.id, month), 0)
            batch.append(values.ValueEdit(indicator, office, year, month,
                                          None if cell is None else cell.value,
                                          None if cell is None else cell.base,
                                          None if cell is None else cell.note, seen))
        changes = values.set_values(s, batch, user=user, source="manual")
        if versions is not None:  # only the saved cells: another's change elsewhere must still be refused
            now = grid.cell_versions(s, office, year)
            for edit in batch:
                key = (edit.indicator.id, edit.month)
                if key in now:
                    versions[key] = now[key]
                else:
                    versions.pop(key, None)
        return changes
