"""The count of changes not yet sent (status bar): per year at a unit, per unit at the city."""

from __future__ import annotations

import datetime as dt
import io
import re

from sqlalchemy import select

from kexie_desktop import cli
from kexie_desktop.models import AuditEntry
from kexie_desktop.package_models import PackageLog
from kexie_desktop.packages.pipeline import log
from kexie_desktop.services import offices
from kexie_desktop.startup import open_app_database

UNITS = ["320703", "320706", "320707", "320722", "320723", "320724", "3207Z1", "3207Z2", "3207Z3", "3207Z4"]


def run(path, *argv) -> str:
    out = io.StringIO()
    code = cli.run(["--db", str(path), *map(str, argv)], out)
    assert code == 0, out.getvalue()
    return out.getvalue()


def unsent(path) -> tuple[dict, int]:
    database = open_app_database(path)
    try:
        with database.read() as s:
            mine = offices.this_office(s)
            return log.unsent_by_scope(s, mine), log.unsent_changes(s, mine)
    finally:
        database.close()


def a_moment_ago(path) -> None:
    """Timestamps are whole seconds: move what happened so far back, so that later edits are surely later."""
    database = open_app_database(path)
    try:
        with database.write() as s:
            for entry in [*s.scalars(select(PackageLog)), *s.scalars(select(AuditEntry))]:
                entry.at -= dt.timedelta(seconds=5)
    finally:
        database.close()


def test_a_unit_export_clears_its_year_only(tmp_path):
    city, unit = tmp_path / "city.db", tmp_path / "unit.db"
    run(city, "init", "--office", "320700")
    text = run(city, "export-init", "--office", "赣榆区", "--out", tmp_path / "init.xlsx")
    run(unit, "import", tmp_path / "init.xlsx", "--code", re.search(r"激活码：(\S+)", text).group(1))
    for month, value in (("2019-03", 4), ("2020-01", 2), ("2020-02", 3)):
        run(unit, "value", "set", "--office", "赣榆区", "--indicator", "I09", "--month", month, "--value", value)
    run(unit, "activity", "add", "--office", "赣榆区", "--type", "科普讲座", "--date", "2020-05-20", "--title", "讲座")
    assert unsent(unit) == ({2019: 1, 2020: 3}, 4)
    run(unit, "export", "--office", "赣榆区", "--year", "2020", "--out", tmp_path / "s2020.xlsx")
    assert unsent(unit) == ({2019: 1}, 1)  # 2019 was not in the 2020 package
    a_moment_ago(unit)
    run(unit, "value", "set", "--office", "赣榆区", "--indicator", "I09", "--month", "2020-03", "--value", 1)
    assert unsent(unit) == ({2019: 1, 2020: 1}, 2)
    run(unit, "export", "--office", "赣榆区", "--year", "2019", "--out", tmp_path / "s2019.xlsx")
    assert unsent(unit) == ({2020: 1}, 1)  # exporting 2019 leaves 2020's new change counted


def test_city_packages_clear_the_units_they_carried_only(tmp_path):
    city = tmp_path / "city.db"
    run(city, "init", "--office", "320700")
    for code in UNITS:
        run(city, "target", "set", "--office", code, "--indicator", "I09", "--value", 60)
    assert unsent(city) == ({code: 1 for code in UNITS}, 10)
    for code in UNITS[:4]:
        run(city, "export-init", "--office", code, "--out", tmp_path / f"init-{code}.xlsx")
    assert unsent(city) == ({code: 1 for code in UNITS[4:]}, 6)
    a_moment_ago(city)
    run(city, "target", "set", "--office", "320700", "--indicator", "I08", "--year", 2020, "--value", 40)
    run(city, "export-plan", "--office", UNITS[4], "--out", tmp_path / "plan-one.xlsx")
    # The city's own target went to one more unit; it stays unsent until every unit got it.
    assert unsent(city) == ({"320700": 1} | {code: 1 for code in UNITS[5:]}, 6)
    run(city, "export-plan", "--out", tmp_path / "plan-all.xlsx")
    assert unsent(city) == ({}, 0)


def test_rows_from_a_demo_package_are_not_unsent_changes(tmp_path):
    """A demo package's rows carry source "demo:package:<id>": demo data, never a change to send."""
    from kexie_desktop.services import plan, targets, values

    unit, city = tmp_path / "unit.db", tmp_path / "city.db"
    run(city, "init", "--office", "320700")
    text = run(city, "export-init", "--office", "320703", "--out", tmp_path / "init.xlsx")
    run(unit, "import", tmp_path / "init.xlsx", "--code", re.search(r"激活码：(\S+)", text).group(1))
    for path, code in ((unit, "320703"), (city, "320706")):
        database = open_app_database(path)
        with database.write() as s:
            office, indicator = offices.resolve(s, code), plan.indicator(s, "I09")
            if path == unit:
                values.set_value(s, indicator, office, 2019, 3, 4, source="demo:package:abc")
                values.set_value(s, indicator, office, 2019, 4, 5)  # entered by hand: counts
            else:
                targets.put_target(s, indicator, office, None, 60, source="demo:package:abc")
                targets.put_target(s, plan.indicator(s, "I08"), office, 2020, 40)
        database.close()
    assert unsent(unit) == ({2019: 1}, 1)
    assert unsent(city) == ({"320706": 1}, 1)
