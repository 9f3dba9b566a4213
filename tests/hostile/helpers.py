"""Two installations (city and unit) wired together with a real init package; dumps and re-signing."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, select, text

from kexie_desktop import packages
from kexie_desktop.db import Database
from kexie_desktop.models import Activity, ActivityType, DataValue, Indicator, Office
from kexie_desktop.package_models import PackageLog
from kexie_desktop.packages.format import signing
from kexie_desktop.packages.format.codec import SheetSpec
from kexie_desktop.packages.format.manifest import Manifest
from kexie_desktop.packages.format.workbook import PackageSheet, write_package
from kexie_desktop.packages.pipeline import importer
from kexie_desktop.packages.pipeline import keys
from kexie_desktop.services import offices
from kexie_desktop.startup import open_app_database


def make_city(path: Path) -> Database:
    db = open_app_database(path)
    with db.write() as s:
        offices.set_this_office(s, offices.city(s))
    return db


def init_unit(city: Database, unit: Database, office_code: str, tmp: Path) -> str:
    """Export the unit's init package at the city and import it at the unit; returns the code."""
    path = tmp / f"init-{office_code}.xlsx"
    with city.write() as s:
        result = packages.export_init(s, offices.resolve(s, office_code), path)
    outcome = packages.apply(unit, path, code=result.activation_code)
    assert outcome.outcome == "applied", outcome.message
    return result.activation_code


def export_sub(unit: Database, office_code: str, year: int, path: Path):
    with unit.write() as s:
        return packages.export_submission(s, offices.resolve(s, office_code), year, path)


def dump(db: Database, *, with_log: bool = False) -> dict[str, list[tuple]]:
    """Every row of every table (the package log only on request: refusals are logged)."""
    out = {}
    with db.read() as s:
        names = sorted(inspect(s.connection()).get_table_names())  # either engine
        for name in names:
            if name == "package_log" and not with_log:
                continue
            out[name] = sorted(map(tuple, s.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
    return out


def log_results(db: Database) -> list[str]:
    with db.read() as s:
        return [e.result for e in s.scalars(select(PackageLog).order_by(PackageLog.id))]


def office_year(db: Database, office_code: str, year: int) -> tuple[list[tuple], list[tuple]]:
    """(values, activities) of one office and year, as plain sorted tuples."""
    with db.read() as s:
        office = s.scalars(select(Office).where(Office.code == office_code)).one()
        values = s.execute(
            select(Indicator.code, DataValue.month, DataValue.value, DataValue.base, DataValue.note)
            .join(Indicator, DataValue.indicator_id == Indicator.id)
            .where(DataValue.office_id == office.id, DataValue.year == year)
        ).all()
        acts = [
            (a.uid, t, a.date.isoformat(), a.title, a.place, a.participants, a.audience, a.note)
            for a, t in s.execute(select(Activity, ActivityType.code)
                                  .join(ActivityType, Activity.type_id == ActivityType.id)
                                  .where(Activity.office_id == office.id))
            if a.date.year == year
        ]
    return sorted(map(tuple, values)), sorted(acts)


def unit_key(db: Database, office_code: str) -> bytes:
    with db.read() as s:
        return keys.signing_key(s, offices.resolve(s, office_code))


def resign(src: Path, dst: Path, key: bytes, *, rows=None, manifest=None) -> None:
    """Rewrite a package with changed rows and/or manifest, correctly signed with ``key``: a file a
    malicious or buggy holder of the key could make. ``rows(sheets)`` mutates {sheet: [[cells]]} in
    place; ``manifest(m)`` mutates the Manifest."""
    loaded = importer.load(src)
    sheets = {name: [list(r) for _, r in found] for name, found in loaded.rows.items()}
    if rows:
        rows(sheets)
    m: Manifest = loaded.manifest
    m.key_id = signing.key_id(key)  # as the exporter of whoever holds ``key`` would write it
    if manifest:
        manifest(m)
    specs = importer.HANDLERS[m.kind].SPECS
    raw_specs = [SheetSpec(sp.name, tuple(dataclasses.replace(c, write=None, number_format=None) for c in sp.columns))
                 for sp in specs]
    out = [PackageSheet(sp, [[None if v == "" else v for v in r] for r in sheets[sp.name]]) for sp in raw_specs]
    write_package(dst, m, out, title="test", cover=[], notes=[], key=key)


@dataclass
class Pair:
    city: Database
    unit: Database
    office: str
    tmp: Path

    def export(self, year: int = 2019, name: str = "sub.xlsx"):
        return export_sub(self.unit, self.office, year, self.tmp / name)
