"""活动台账 in the operations layer: plain rows for the ledger page, and its add, edit and delete.

Each function opens one read or write transaction through the AppContext and calls the core
services in ``kexie_desktop.services.activities``; mutations notify the signal bus. The Excel sheet
functions (template, read, import) run in a worker thread (ui.worker.run_task), so the page notifies
the bus with their result on the GUI thread; openpyxl and python-calamine load only when first used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kexie_desktop.changes import Changes
from kexie_desktop.errors import UserError
from kexie_desktop.services import activities, offices, plan, settings
from kexie_desktop.services.activities import ActivityRow as LedgerRow

from ..context import AppContext

if TYPE_CHECKING:
    from kexie_desktop.activity_sheet import ActivitySheet, SheetImport

__all__ = [
    "ActivityForm", "IndicatorFilter", "LedgerFilter", "LedgerRow", "LedgerSetup", "TypeChoice",
    "TEMPLATE_NAME", "add_activity", "check_form", "delete_activities", "import_activity_sheet", "load_for_edit", "load_indicator",
    "load_rows", "load_setup", "problem_report", "read_activity_sheet", "update_activity", "write_activity_template",
]

TEMPLATE_NAME = "活动台账导入模板.xlsx"
PROBLEMS_SHOWN = 10  # problems in the message text; all of them are in its details


@dataclass(frozen=True)
class TypeChoice:
    code: str
    name: str


@dataclass(frozen=True)
class LedgerSetup:
    """What the page needs once: whose ledger, the plan period and the activity types."""

    office_code: str
    office_name: str
    start_year: int
    end_year: int
    types: tuple[TypeChoice, ...]
    # the other published plans' (start year, end year, "2018—2020年计划已结束，只能查看"): their records are shown
    # (the dates reach their years), never changed
    other_plans: tuple[tuple[int, int, str], ...] = ()

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start_year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.end_year, 12, 31)

    @property
    def dates_span(self) -> tuple[dt.date, dt.date]:
        """The dates the filter may choose: every plan's."""
        starts = [self.start_year, *(p[0] for p in self.other_plans)]
        ends = [self.end_year, *(p[1] for p in self.other_plans)]
        return dt.date(min(starts), 1, 1), dt.date(max(ends), 12, 31)

    def read_only(self, day: dt.date) -> str | None:
        """Why a record of ``day`` can only be viewed: it lies in another plan's years (None: it may change)."""
        return next((line for start, end, line in self.other_plans if start <= day.year <= end), None)


@dataclass(frozen=True)
class LedgerFilter:
    type_code: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""
    indicator_code: str | None = None


@dataclass(frozen=True)
class IndicatorFilter:
    """A ledger indicator the page filters by (drill-down from the entry grid)."""

    code: str
    name: str
    unit: str
    measures: dict  # activity type code -> "count" | "audience" | "participants"

    def amount(self, row: LedgerRow) -> int:
        """What one record adds to the indicator's figure."""
        measure = self.measures.get(row.type_code)
        if measure == "count":
            return 1
        if measure == "audience":
            return row.audience
        return row.participants if measure == "participants" else 0


@dataclass(frozen=True)
class ActivityForm:
    """The fields of the activity dialog, as typed (checked by ``check_form``)."""

    type_code: str | None
    date: dt.date
    title: str
    place: str = ""
    participants: int = 0
    audience: int = 0
    note: str = ""


def load_setup(ctx: AppContext) -> LedgerSetup:
    with ctx.db.read() as s:
        office = offices.this_office(s) or offices.city(s)
        current = plan.current_plan(s)
        types = tuple(TypeChoice(t.code, t.name) for t in activities.activity_types(s))
        from ..plan.operations import year_choices  # local: the shared year selector's choices

        spans: dict[str, list[int]] = {}
        lines: dict[str, str] = {}
        for choice in year_choices(ctx):
            if choice.read_only is not None:
                spans.setdefault(choice.plan_code, []).append(choice.year)
                lines[choice.plan_code] = choice.read_only
        others = tuple((min(y), max(y), lines[code]) for code, y in spans.items())
        return LedgerSetup(office.code, office.name, current.start_year, current.end_year, types, others)


def load_rows(ctx: AppContext, office_code: str, flt: LedgerFilter,
              versions: dict[str, int] | None = None) -> list[LedgerRow]:
    """The office's records matching ``flt``, oldest first (one query); ``versions`` is filled with their
    versions (uid -> version) for a delete made on them."""
    with ctx.db.read() as s:
        return activities.activity_rows(
            s, offices.resolve(s, office_code),
            type_codes=[flt.type_code] if flt.type_code else None,
            date_from=flt.date_from, date_to=flt.date_to, text=flt.text or None,
            indicator=flt.indicator_code, versions=versions,
        )


def load_indicator(ctx: AppContext, code: str) -> IndicatorFilter:
    with ctx.db.read() as s:
        indicator = plan.indicator(s, code)
        if not indicator.is_ledger:
            raise UserError(f"“{indicator.name}”（{indicator.code}）是填报指标，不由活动台账统计。")
        return IndicatorFilter(indicator.code, indicator.name, indicator.unit,
                               activities.indicator_measures(s, indicator))


def check_form(ctx: AppContext, form: ActivityForm) -> dict[str, str]:
    """Chinese reasons keyed by field ("type", "date", "title", …); empty when the form can be saved."""
    with ctx.db.read() as s:
        errors = activities.field_errors(
            date=form.date, title=form.title, place=form.place, participants=form.participants,
            audience=form.audience, note=form.note, plan=plan.current_plan(s),
        )
        if not form.type_code:
            errors["type"] = "请选择活动类型。"
        else:
            try:
                activities.resolve_type(s, form.type_code)
            except UserError as exc:
                errors["type"] = str(exc)
    return errors


def _fields(form: ActivityForm) -> dict:
    return dict(place=form.place, participants=form.participants, audience=form.audience, note=form.note)


def add_activity(ctx: AppContext, office_code: str, form: ActivityForm) -> str:
    """Record a new activity for the office; returns its uid."""
    with ctx.db.write() as s:
        current = plan.current_plan(s)
        activity, changes = activities.add_activity(
            s, offices.resolve(s, office_code), activities.resolve_type(s, form.type_code), form.date,
            form.title, user=_user(s), plan=current, **_fields(form),
        )
        uid = activity.uid
    ctx.notify(changes)
    return uid


def load_for_edit(ctx: AppContext, uid: str) -> tuple[LedgerRow, int]:
    """The record as saved now and its version, for the edit dialog (issue 18: the save checks the version)."""
    with ctx.db.read() as s:
        a = activities.find_activity(s, uid)
        return (LedgerRow(a.uid, a.date, a.type.code, a.type.name, a.title, a.place, a.participants, a.audience,
                          a.note), a.version)


def update_activity(ctx: AppContext, uid: str, form: ActivityForm, seen_version: int | None = None) -> Changes:
    """``seen_version`` (``LedgerRow.version``) refuses the save when another PC changed the record meanwhile."""
    with ctx.db.write() as s:
        changes = activities.update_activity(
            s, uid, type=form.type_code, date=form.date, title=form.title, user=_user(s),
            plan=plan.current_plan(s), seen_version=seen_version, **_fields(form),
        )
    ctx.notify(changes)
    return changes


def delete_activities(ctx: AppContext, uids: list[str] | dict[str, int | None]) -> Changes:
    """Delete the records in one transaction: all of them or, on any error, none. A dict maps each uid to
    the version the page read (``load_rows(versions=...)``): one changed on another PC refuses them all."""
    seen = uids if isinstance(uids, dict) else dict.fromkeys(uids)
    with ctx.db.write() as s:
        changes = activities.delete_activities(s, seen, _user(s))
    ctx.notify(changes)
    return changes


def write_activity_template(ctx: AppContext, path: str, progress=None) -> Path:
    """Save the Excel template a clerk fills (活动台账 + 说明); returns its path."""
    from kexie_desktop import activity_sheet

    with ctx.db.read() as s:
        return activity_sheet.write_template(s, Path(path))


def read_activity_sheet(ctx: AppContext, office_code: str, path: str, progress=None) -> "ActivitySheet":
    """Check a filled sheet against the office's ledger (nothing is written). Raises PackageError
    for the file, SheetProblems listing every bad row."""
    from kexie_desktop import activity_sheet

    with ctx.db.read() as s:
        return activity_sheet.read_sheet(s, offices.resolve(s, office_code), Path(path), progress)


def import_activity_sheet(ctx: AppContext, office_code: str, sheet: "ActivitySheet", progress=None) -> "SheetImport":
    """Add every new row of a checked sheet in one transaction (all or none). The caller notifies
    ``ctx`` with ``result.changes`` (on the GUI thread)."""
    from kexie_desktop import activity_sheet

    with ctx.db.write() as s:
        return activity_sheet.import_sheet(s, offices.resolve(s, office_code), sheet, user=_user(s))


def problem_report(exc: BaseException) -> tuple[str, str] | None:
    """(message, details) for a sheet refused for its rows: the first problems, and every listed one
    (fifty lines do not fit a message box at 1366×768). None for any other error."""
    from kexie_desktop.activity_sheet import SheetProblems

    if not isinstance(exc, SheetProblems):
        return None
    shown = exc.problems[:PROBLEMS_SHOWN]
    text = "\n".join([exc.headline, *shown])
    if exc.total > len(shown):
        text += f"\n……共 {exc.total} 处问题，其余的见“详细信息”。"
    return text, str(exc)


def _user(s) -> str:
    return settings.audit_user(s)
