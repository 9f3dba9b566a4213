"""Thin layer between widgets and core services: widgets never run SQL themselves.

Each function opens one read or write transaction through the AppContext's database and returns
plain row objects that table models can hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from kexie_desktop.changes import Changes
from kexie_desktop.models import AGGREGATIONS, ENTRIES, KINDS, PERIODS, Target
from kexie_desktop.services import offices, plan, targets

from .context import AppContext


@dataclass(frozen=True)
class SectionRow:
    code: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    unit: str
    kind: str
    kind_label: str
    period_label: str
    aggregation_label: str
    entry_label: str
    section_code: str
    section_name: str
    target_text: str
    covers: str | None
    phrase: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PlanOverview:
    name: str
    start_year: int
    end_year: int
    sections: list[SectionRow]
    indicators: list[IndicatorRow]
    office_name: str | None


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{int(value)}" if value == int(value) else f"{value:g}"


def _target_text(indicator, target: Target | None) -> str:
    if target is None:
        return "—"
    if indicator.kind == "range":
        return f"{_number(target.min_value)}—{_number(target.max_value)}{indicator.unit}"
    if indicator.kind == "coverage":
        return "全覆盖（100%）"
    suffix = "以上" if indicator.kind == "at_least" else ""
    return f"{_number(target.value)}{indicator.unit}{suffix}"


def load_plan_overview(ctx: AppContext) -> PlanOverview:
    with ctx.db.read() as s:
        current = plan.current_plan(s)
        city_targets = targets.final_targets(s, offices.city(s))
        sections = [
            SectionRow(sec.code, sec.name, sec.parent.code if sec.parent else None) for sec in current.sections
        ]
        rows = [
            IndicatorRow(
                code=i.code, name=i.name, unit=i.unit, kind=i.kind, kind_label=KINDS[i.kind],
                period_label=PERIODS[i.period] if i.period == "annual" else f"到{current.end_year}年",
                aggregation_label=AGGREGATIONS[i.aggregation], entry_label=ENTRIES[i.entry],
                section_code=i.section.code, section_name=i.section.name,
                target_text=_target_text(i, city_targets.get(i.id)), covers=i.covers,
                phrase=i.phrase, sources=tuple(plan.sources_of(i)),
            )
            for i in plan.indicators(s, current)
        ]
        mine = offices.this_office(s)
        return PlanOverview(current.name, current.start_year, current.end_year, sections, rows,
                            mine.name if mine else None)


def plan_text() -> str:
    return plan.plan_text()


@dataclass(frozen=True)
class OfficeChoice:
    code: str
    name: str
    short_name: str
    is_city: bool


@dataclass(frozen=True)
class Installation:
    office: OfficeChoice | None
    filler: str
    reviewer: str
    phone: str
    demo_data: bool
    has_data: bool


def list_offices(ctx: AppContext) -> list[OfficeChoice]:
    with ctx.db.read() as s:
        return [OfficeChoice(o.code, o.name, o.short_name, o.is_city) for o in offices.all_offices(s)]


def load_installation(ctx: AppContext) -> Installation:
    from kexie_desktop.services import demo, settings

    with ctx.db.read() as s:
        mine = offices.this_office(s)
        return Installation(
            office=OfficeChoice(mine.code, mine.name, mine.short_name, mine.is_city) if mine else None,
            filler=settings.get(s, "user_filler") or "",
            reviewer=settings.get(s, "user_reviewer") or "",
            phone=settings.get(s, "phone") or "",
            demo_data=bool(settings.get(s, "demo_data")),
            has_data=demo.has_data(s),
        )


def initialise(ctx: AppContext, office_code: str, filler: str, reviewer: str, phone: str) -> None:
    """First start: this installation's office and the people who fill in and review."""
    from kexie_desktop.services import settings

    with ctx.db.write() as s:
        changes = offices.set_this_office(s, offices.resolve(s, office_code))
        settings.put(s, "user_filler", filler.strip())
        settings.put(s, "user_reviewer", reviewer.strip())
        settings.put(s, "phone", phone.strip())
    ctx.notify(changes)


def clear_demo(ctx: AppContext) -> dict:
    """工具 → 清除演示数据: a backup first; every demo row goes, the real ones stay (one transaction)."""
    from kexie_desktop.db import backup_file
    from kexie_desktop.services import demo

    with ctx.db.read() as s:
        demo.require_demo(s)
    backup_file(ctx.db.path, reason="before-clear-demo")
    with ctx.db.write() as s:
        counts, changes = demo.clear_demo(s)
    ctx.notify(changes)
    return counts


def fill_demo(ctx: AppContext, progress) -> dict:
    """Runs in a worker thread (no widgets here)."""
    from kexie_desktop.services import demo

    with ctx.db.write() as s:
        return demo.fill_demo(s, progress)


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
                         grid.bases_before(s, office, year))


def save_entry(ctx: AppContext, office_code: str, year: int, edits: dict) -> Changes:
    """Write the grid's changed cells in one transaction: ``edits`` maps (code, month) -> CellValue | None.

    The caller notifies the change once it has marked itself saved."""
    from kexie_desktop.services import settings, values

    with ctx.db.write() as s:
        office = offices.resolve(s, office_code)
        user = settings.get(s, "user_filler") or ""
        batch = [
            values.ValueEdit(plan.indicator(s, code), office, year, month,
                             None if cell is None else cell.value,
                             None if cell is None else cell.base,
                             None if cell is None else cell.note)
            for (code, month), cell in sorted(edits.items())
        ]
        return values.set_values(s, batch, user=user, source="manual")


@dataclass(frozen=True)
class Thresholds:
    behind: float
    serious: float


def load_thresholds(ctx: AppContext) -> Thresholds:
    from kexie_desktop.services import settings

    with ctx.db.read() as s:
        return Thresholds(float(settings.get(s, "threshold_behind")), float(settings.get(s, "threshold_serious")))


def save_settings(ctx: AppContext, filler: str, reviewer: str, phone: str, thresholds: Thresholds | None) -> None:
    """People on the cover of packages; thresholds only at the city office."""
    from kexie_desktop.errors import UserError
    from kexie_desktop.services import settings

    with ctx.db.write() as s:
        settings.put(s, "user_filler", filler.strip())
        settings.put(s, "user_reviewer", reviewer.strip())
        settings.put(s, "phone", phone.strip())
        if thresholds is not None:
            if not 0 < thresholds.behind < thresholds.serious <= 100:
                raise UserError("阈值应满足：0 < 略有滞后 < 严重滞后 ≤ 100（百分点）。")
            settings.put(s, "threshold_behind", thresholds.behind)
            settings.put(s, "threshold_serious", thresholds.serious)
    ctx.notify(Changes(settings=True))


def unsent_changes(ctx: AppContext) -> int:
    from kexie_desktop.packages.log import unsent_changes as count

    with ctx.db.read() as s:
        office = offices.this_office(s)
        return count(s, office) if office else 0


def working_year(ctx: AppContext) -> int:
    """This year, clamped to the plan period (after 2020 the last plan year)."""
    import datetime as dt

    with ctx.db.read() as s:
        current = plan.current_plan(s)
        return min(max(dt.date.today().year, current.start_year), current.end_year)
