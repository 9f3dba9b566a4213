"""Operations behind 数据交换: exporting and importing packages, the log, backup and restore.

Export, preview and apply run in worker threads (ui.worker.run_task): nothing here touches widgets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kexie_desktop import packages
from kexie_desktop.backup import backup_database, restore_database
from kexie_desktop.changes import Changes
from kexie_desktop.package_kinds import PACKAGE_KINDS
from kexie_desktop.review.summary import ReviewSummary, office_summary
from kexie_desktop.services import offices, plan, plan_authoring

from ..context import AppContext



@dataclass(frozen=True)
class SyncSetup:
    is_city: bool
    office_code: str
    office_name: str
    units: list[tuple[str, str]]  # (code, name)
    years: list[int]
    default_year: int


def load_setup(ctx: AppContext, today: dt.date | None = None) -> SyncSetup:
    with ctx.db.read() as s:
        mine = offices.this_office(s) or offices.city(s)
        current = plan.current_plan(s)
        year = min(max((today or dt.date.today()).year, current.start_year), current.end_year)
        return SyncSetup(mine.is_city, mine.code, mine.name, [(u.code, u.name) for u in offices.units(s)],
                         list(current.years), year)


def proposed_name(office_name: str, kind: str, year: int | None = None, today: dt.date | None = None) -> str:
    """A clear file name: office, year, kind, date — e.g. 海州区科协-2020年-上报包-20261128.xlsx."""
    day = (today or dt.date.today()).strftime("%Y%m%d")
    parts = [office_name] + ([f"{year}年"] if year else []) + [PACKAGE_KINDS[kind], day]
    return "-".join(parts) + ".xlsx"


def export_submission(ctx: AppContext, year: int, path: str, progress=None) -> packages.ExportResult:
    number = packages.reserve_sequence(ctx.db, "submission")  # committed before the file is written
    with ctx.db.write() as s:
        plan.show_year(s, year)  # an earlier plan's year: its package again (its months are only marked 已报送)
        return packages.export_submission(s, offices.this_office(s), year, Path(path), sequence=number)


def review_summary(ctx: AppContext, year: int) -> ReviewSummary:
    """What the submission of ``year`` would say of its review (草稿 or 已审核), before exporting."""
    with ctx.db.read() as s:
        plan.show_year(s, year)
        return office_summary(s, offices.this_office(s), year)


def export_plan(ctx: AppContext, path: str, unit_code: str | None = None, progress=None) -> packages.ExportResult:
    number = packages.reserve_sequence(ctx.db, "plan")
    with ctx.db.write() as s:
        unit = offices.resolve(s, unit_code) if unit_code else None
        return packages.export_plan(s, Path(path), unit, sequence=number)


def export_init(ctx: AppContext, unit_code: str, path: str, progress=None) -> packages.ExportResult:
    number = packages.reserve_sequence(ctx.db, "init")
    with ctx.db.write() as s:
        return packages.export_init(s, offices.resolve(s, unit_code), Path(path), sequence=number)


def preview_files(ctx: AppContext, paths: list[str], code: str | None = None, progress=None):
    """Judge every file on its own (nothing is written); the GUI shows these before applying."""
    previews = []
    for n, path in enumerate(paths):
        if progress:
            progress(n, len(paths), f"正在检查 {Path(path).name}…")
        with ctx.db.read() as s:
            try:
                previews.append(packages.preview(s, path, code))
            except Exception as exc:  # noqa: BLE001 - one bad file never stops the others
                previews.append(packages.PackagePreview(Path(path), "refused",
                                                        f"文件“{Path(path).name}”无法检查：{exc}"))
    return previews


def apply_files(ctx: AppContext, paths: list[str], code: str | None = None, progress=None) -> packages.BatchResult:
    return packages.import_batch(ctx.db, paths, code=code, progress=progress)


def issued_code(ctx: AppContext, package_id: str) -> str | None:
    """The activation code of an init package this city exported, to tell the unit again."""
    from kexie_desktop.packages.kinds.init import export as init_package

    with ctx.db.read() as s:
        return init_package.issued_code(s, package_id)


def package_log(ctx: AppContext, limit: int = 500) -> list[dict]:
    """The log rows, each also with the office's name, the months a submission carries and, at the city,
    whether it may be answered (``replyable``: the newest applied submission of its unit × year)."""
    with ctx.db.read() as s:
        entries = packages.package_log(s, limit)
        names = {o.code: o.name for o in offices.units(s)}
        city = offices.city(s)
        names[city.code] = city.name
        newest: dict[tuple, tuple] = {}
        for e in entries:
            if (e.direction, e.kind, e.result) == ("received", "submission", "applied"):
                key, rank = (e.office_code, e.year), (e.sequence or 0, e.id)
                newest[key] = max(newest.get(key, rank), rank)
        rows = []
        for e in entries:
            row = packages.describe_log_entry(e)
            row["office_name"] = names.get(e.office_code, e.office_code)
            row["months"] = [int(m) for m in e.months.split(",") if m]
            row["replyable"] = (e.direction, e.kind, e.result) == ("received", "submission", "applied") \
                and newest.get((e.office_code, e.year)) == (e.sequence or 0, e.id)
            rows.append(row)
        return rows


# --- the city's answers to a submission: receipts and returns ------------------------------------

def reply_name(kind: str, office_name: str, year: int | None, sequence: int | None) -> str:
    """回执-连云区科协-2019-序号1.xlsx: the answered submission's unit, year and 序号."""
    return f"{'回执' if kind == 'receipt' else '退回'}-{office_name}-{year}-序号{sequence}.xlsx"


def export_receipt(ctx: AppContext, package_id: str, path: str, progress=None) -> packages.ExportResult:
    number = packages.reserve_sequence(ctx.db, "receipt")  # committed before the file is written
    with ctx.db.write() as s:
        return packages.export_receipt(s, package_id, Path(path), sequence=number)


def check_return(ctx: AppContext, package_id: str, requests: list) -> list[tuple]:
    """The items the return would carry, or the core's UserError: nothing is written."""
    with ctx.db.read() as s:
        return packages.check_return(s, package_id, requests)


def export_return(ctx: AppContext, package_id: str, requests: list, path: str,
                  progress=None) -> packages.ExportResult:
    number = packages.reserve_sequence(ctx.db, "return")
    with ctx.db.write() as s:
        return packages.export_return(s, package_id, requests, Path(path), sequence=number)


def indicator_choices(ctx: AppContext) -> list[tuple[str, str]]:
    with ctx.db.read() as s:
        return [(i.code, i.name) for i in plan.indicators(s)]


@dataclass(frozen=True)
class Applied:
    """A submission a batch import applied: what its receipt needs."""

    package_id: str
    office_name: str
    year: int | None
    sequence: int | None


def applied_submissions(batch) -> list[Applied]:
    """The submissions ``batch`` applied, the newest per unit × year (the city answers only that one)."""
    newest: dict[tuple, Applied] = {}
    for r in batch.results:
        m = r.preview.manifest
        if r.outcome != "applied" or m is None or m.kind != "submission":
            continue
        key = (m.office_code, m.year)
        if key not in newest or (newest[key].sequence or 0) < (m.sequence or 0):
            newest[key] = Applied(m.package_id, m.office_name, m.year, m.sequence)
    return list(newest.values())


@dataclass
class ReceiptBatch:
    written: list[Path]
    failed: list[str]  # one Chinese line per submission whose receipt could not be written
    changes: Changes

    @property
    def message(self) -> str:
        head = f"已生成 {len(self.written)} 个回执包"
        if self.written:
            head += f"，保存在 {self.written[0].parent}"
        return "。\n".join([head] + self.failed) + "。"


def export_receipts(ctx: AppContext, applied: list[Applied], folder: str, progress=None) -> ReceiptBatch:
    """One receipt per applied submission into ``folder``; a receipt that fails is named and the others go on."""
    from kexie_desktop.storage_errors import describe

    batch = ReceiptBatch([], [], Changes())
    for n, a in enumerate(applied):
        if progress:
            progress(n, len(applied), f"正在生成回执：{a.office_name}{a.year}年…")
        path = Path(folder) / reply_name("receipt", a.office_name, a.year, a.sequence)
        try:
            result = export_receipt(ctx, a.package_id, str(path))
        except Exception as exc:  # noqa: BLE001 - one failure never stops the other receipts
            mapped = describe(exc)
            if mapped is None:
                raise
            batch.failed.append(f"{a.office_name}{a.year}年（序号 {a.sequence}）：{mapped}".rstrip("。"))
            continue
        batch.written.append(path)
        batch.changes |= result.changes
    if progress:
        progress(len(applied), len(applied), "")
    return batch


# --- at the unit: what the city has (报送) --------------------------------------------------------

def delivery(ctx: AppContext, year: int, today: dt.date | None = None):
    """This office's 报送 of ``year`` (review.delivery.YearDelivery); None at the city."""
    from kexie_desktop.review.delivery import year_delivery

    with ctx.db.read() as s:
        mine = offices.this_office(s)
        if mine is None or mine.is_city:
            return None
        plan.show_year(s, year)
        return year_delivery(s, mine, year, today)


def backup(ctx: AppContext, path: str, progress=None) -> Path:
    return backup_database(ctx.db, Path(path))


def restore(ctx: AppContext, path: str, progress=None):
    """Replace the database by a backup: close it, restore (the current one is backed up), reopen."""
    from kexie_desktop.startup import open_app_database

    if ctx.db.on_server:
        from kexie_desktop.backup import SERVER_BACKUP
        from kexie_desktop.errors import UserError

        raise UserError(SERVER_BACKUP)
    db_path = ctx.db.path
    ctx.db.close()
    try:
        result = restore_database(db_path, Path(path))
    finally:
        ctx.db = open_app_database(db_path)
    return result


def new_plans(batch) -> list[tuple[str, str]]:
    """(code, name) of the plans that applied plan packages created (an init package switches by itself)."""
    found = []
    for r in batch.results:
        m = r.preview.manifest
        if r.outcome != "applied" or m is None or m.kind != "plan":
            continue
        found += [(ch.key, ch.label.removeprefix("新计划：")) for ch in r.preview.changes
                  if ch.sheet == "计划" and ch.action == "新增"]
    return found


def use_plan(ctx: AppContext, code: str) -> Changes:
    with ctx.db.write() as s:
        return plan_authoring.use_plan(s, plan.plan_by_code(s, code))


def everything_changed(ctx: AppContext) -> None:
    ctx.notify(Changes(everything=True))
