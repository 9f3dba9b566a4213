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
from kexie_desktop.services import offices, plan

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
        return packages.export_submission(s, offices.this_office(s), year, Path(path), sequence=number)


def review_summary(ctx: AppContext, year: int) -> ReviewSummary:
    """What the submission of ``year`` would say of its review (草稿 or 已审核), before exporting."""
    with ctx.db.read() as s:
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
    with ctx.db.read() as s:
        return [packages.describe_log_entry(e) for e in packages.package_log(s, limit)]


def backup(ctx: AppContext, path: str, progress=None) -> Path:
    return backup_database(ctx.db, Path(path))


def restore(ctx: AppContext, path: str, progress=None):
    """Replace the database by a backup: close it, restore (the current one is backed up), reopen."""
    from kexie_desktop.startup import open_app_database

    db_path = ctx.db.path
    ctx.db.close()
    try:
        result = restore_database(db_path, Path(path))
    finally:
        ctx.db = open_app_database(db_path)
    return result


def everything_changed(ctx: AppContext) -> None:
    ctx.notify(Changes(everything=True))
