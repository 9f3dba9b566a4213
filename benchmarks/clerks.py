"""Benchmark: five clerks on one city database at once (issue 18) — transactions per second, refused stale
edits, and a check that no committed write was lost.

Each clerk is a thread with its own connection (``open_app_database``: one PC each) and goes through the core
services the GUI uses (``values.set_values`` with ``seen_version``, ``targets.put_target`` with
``seen_version``, ``packages.apply``), never raw SQL:

- 录入员甲 enters values: its own counter cell (read, add 1, save against the version read) and, in turn, the
  cells it shares with 录入员丙;
- 录入员乙 enters values in its own counter cells only;
- 录入员丙 edits the very cells 录入员甲 shares, on purpose, so that stale edits happen;
- 目标员 edits unit targets (read, add 1, save against the version read);
- 导入员: the unit 连云区 changes a figure in its own SQLite file, exports a submission package, and the city
  imports it (the unit's export is not counted; the city's import is one transaction).

A clerk refused with ``StaleEdit`` reads the row again and retries (the GUI reloads the view the same way). A
busy database (SQLite's single writer past its timeout) is counted and retried too.

At the end every committed write is checked against what the database holds: a counter cell or target holds
its first figure plus one per committed increment and has one audit entry per commit; a shared cell's
committed writes carry the versions 2, 3, … with none twice, its figure is that of the highest version, and
the audit log's last entry for it says the same; the city holds the unit's figure of the last applied package.
Every mismatch is a lost update.

Usage: ``python benchmarks/clerks.py [--db URL] [--seconds 60]``; ``--db`` an empty PostgreSQL database
(``postgresql+psycopg://…``) or a SQLite file path (default: a SQLite file in a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from kexie_desktop import packages  # noqa: E402
from kexie_desktop.db import is_server_url  # noqa: E402
from kexie_desktop.errors import StaleEdit  # noqa: E402
from kexie_desktop.models import AuditEntry  # noqa: E402
from kexie_desktop.services import offices, plan, settings, targets, values  # noqa: E402
from kexie_desktop.startup import open_app_database, upgrade_app_database  # noqa: E402
from kexie_desktop.storage_errors import StorageError, kind_of  # noqa: E402

CODE, YEAR = "I09", 2019  # a count indicator every unit enters by hand
UNIT = "320703"  # 连云区: the unit whose packages the city imports
OWN = {"录入员甲": ("320706", 1), "录入员乙": ("320707", 1), "录入员丙": ("320722", 1)}  # counter cells
SHARED = [("320723", m) for m in (1, 2, 3)]  # the cells 录入员甲 and 录入员丙 both edit
TARGET_OFFICES = ["3207Z1", "3207Z2"]
START_FIGURE = 100.0


@dataclass
class Tally:
    """One clerk's count: committed transactions, refusals, and what it committed (for the check)."""

    name: str
    commits: int = 0
    stale: int = 0
    busy: int = 0
    errors: list[str] = field(default_factory=list)
    increments: dict[str, int] = field(default_factory=dict)  # audit key -> committed +1s
    shared: list[tuple[str, float, int]] = field(default_factory=list)  # (key, value, version after)
    last_import: float | None = None


@dataclass
class Result:
    seconds: float
    tallies: list[Tally]
    lost: list[str]

    @property
    def transactions(self) -> int:
        return sum(t.commits for t in self.tallies)

    @property
    def stale(self) -> int:
        return sum(t.stale for t in self.tallies)


def _value_key(office: str, month: int) -> str:
    return f"{CODE}/{office}/{YEAR}-{month:02d}"


def _target_key(office: str) -> str:
    return f"{CODE}/{office}/plan"


# --- setting up ----------------------------------------------------------------------------------------

def prepare(target: Path | str, tmp: Path) -> tuple[Path, int]:
    """The city database at ``target`` with every cell and target the clerks edit at a known figure, and the
    unit's own database (returned) initialised from the city; also the last audit id before the run."""
    if is_server_url(target):
        upgrade_app_database(target)  # an empty server database gets its schema by the explicit upgrade
    city = open_app_database(target)
    unit = open_app_database(tmp / "unit.db")
    try:
        with city.write() as s:
            offices.set_this_office(s, offices.city(s))
            settings.put(s, "user_filler", "市科协")
            init = packages.export_init(s, offices.resolve(s, UNIT), tmp / "init.xlsx")
            indicator = plan.indicator(s, CODE)
            cells = [*OWN.values(), *SHARED]
            values.set_values(s, [values.ValueEdit(indicator, offices.resolve(s, o), YEAR, m, START_FIGURE)
                                  for o, m in cells], user="准备", source="benchmark")
            for code in TARGET_OFFICES:
                targets.put_target(s, indicator, offices.resolve(s, code), None, START_FIGURE, user="准备")
        assert packages.apply(unit, tmp / "init.xlsx", code=init.activation_code).outcome == "applied"
        with city.read() as s:
            first_audit = s.scalar(select(func.max(AuditEntry.id))) or 0
    finally:
        city.close()
        unit.close()
    return tmp / "unit.db", first_audit


# --- the clerks ------------------------------------------------------------------------------------------

def _read_cell(db, office: str, month: int) -> tuple[float, int]:
    with db.read() as s:
        row = values.find_value(s, plan.indicator(s, CODE), offices.resolve(s, office), YEAR, month)
        return row.value, row.version


def _write_cell(db, office: str, month: int, value: float, seen: int, user: str) -> None:
    with db.write() as s:
        edit = values.ValueEdit(plan.indicator(s, CODE), offices.resolve(s, office), YEAR, month, value,
                                seen_version=seen)
        values.set_values(s, [edit], user=user)


def _attempt(tally: Tally, fn) -> bool:
    """Run one write transaction; a stale or busy refusal is counted and reported as not done."""
    try:
        fn()
    except StaleEdit:
        tally.stale += 1
        return False
    except StorageError as exc:  # SQLite: the other writers held the file past the busy timeout
        found = kind_of(exc.__cause__ or exc)
        if found is None or found[0] != "locked":
            raise
        tally.busy += 1
        return False
    tally.commits += 1
    return True


def _pause(rng: random.Random) -> None:
    """The moment between reading a figure and saving it (a clerk types): races need it."""
    time.sleep(rng.uniform(0, 0.004))


def increment_cell(db, tally: Tally, office: str, month: int, rng: random.Random) -> None:
    """Add one to a counter cell, saved against the version read; refused: read again and retry."""
    while True:
        value, version = _read_cell(db, office, month)
        _pause(rng)
        if _attempt(tally, lambda: _write_cell(db, office, month, value + 1, version, tally.name)):
            key = _value_key(office, month)
            tally.increments[key] = tally.increments.get(key, 0) + 1
            return


def overwrite_shared(db, tally: Tally, office: str, month: int, figure: float, rng: random.Random) -> None:
    """Save ``figure`` (unique to this clerk and write) in a shared cell; refused: read again and retry."""
    while True:
        _value, version = _read_cell(db, office, month)
        _pause(rng)
        if _attempt(tally, lambda: _write_cell(db, office, month, figure, version, tally.name)):
            tally.shared.append((_value_key(office, month), figure, version + 1))
            return


def increment_target(db, tally: Tally, office: str, rng: random.Random) -> None:
    def read():
        with db.read() as s:
            t = targets.find_target(s, plan.indicator(s, CODE), offices.resolve(s, office), None)
            return t.value, t.version

    def write(value, version):
        with db.write() as s:
            targets.put_target(s, plan.indicator(s, CODE), offices.resolve(s, office), None, value,
                               user=tally.name, seen_version=version)

    while True:
        value, version = read()
        _pause(rng)
        if _attempt(tally, lambda: write(value + 1, version)):
            key = _target_key(office)
            tally.increments[key] = tally.increments.get(key, 0) + 1
            return


def import_round(city, unit, tally: Tally, tmp: Path, n: int) -> None:
    """The unit sets its January figure to ``n`` and exports; the city imports the package."""
    with unit.write() as s:
        values.set_value(s, plan.indicator(s, CODE), offices.resolve(s, UNIT), YEAR, 1, float(n), user="连云区")
    path = tmp / f"submission-{n}.xlsx"
    with unit.write() as s:
        packages.export_submission(s, offices.resolve(s, UNIT), YEAR, path)
    result = packages.apply(city, path)
    if result.outcome != "applied":
        raise AssertionError(f"import {n}: {result.outcome} {result.message}")
    tally.commits += 1
    tally.last_import = float(n)
    path.unlink()


def _clerk(name: str, target, stop: threading.Event, tally: Tally, seed: int, work) -> None:
    db = open_app_database(target)
    rng = random.Random(seed)
    try:
        n = 0
        while not stop.is_set():
            n += 1
            work(db, tally, rng, n)
    except Exception as exc:  # noqa: BLE001 - reported in the summary, the other clerks go on
        tally.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        db.close()


def _work_a(db, tally, rng, n):
    if n % 2:
        increment_cell(db, tally, *OWN[tally.name], rng)
    else:
        office, month = SHARED[n // 2 % len(SHARED)]
        overwrite_shared(db, tally, office, month, 1_000_000 + n, rng)


def _work_b(db, tally, rng, n):
    increment_cell(db, tally, *OWN[tally.name], rng)


def _work_c(db, tally, rng, n):
    if n % 4 == 0:
        increment_cell(db, tally, *OWN[tally.name], rng)
    else:
        office, month = SHARED[n % len(SHARED)]
        overwrite_shared(db, tally, office, month, 2_000_000 + n, rng)


def _work_targets(db, tally, rng, n):
    increment_target(db, tally, TARGET_OFFICES[n % len(TARGET_OFFICES)], rng)


def run_clerks(target: Path | str, seconds: float, tmp: Path) -> Result:
    """The five clerks for ``seconds`` on the city database at ``target`` (its unit's file in ``tmp``)."""
    unit_path, first_audit = prepare(target, tmp)
    stop = threading.Event()
    plans = [("录入员甲", _work_a), ("录入员乙", _work_b), ("录入员丙", _work_c), ("目标员", _work_targets)]
    tallies = [Tally(name) for name, _w in plans] + [Tally("导入员")]
    threads = [threading.Thread(target=_clerk, args=(name, target, stop, tally, k, work), name=name)
               for k, ((name, work), tally) in enumerate(zip(plans, tallies))]
    unit = open_app_database(unit_path)

    def importer(db, tally, _rng, n):
        import_round(db, unit, tally, tmp, n)

    threads.append(threading.Thread(target=_clerk, args=("导入员", target, stop, tallies[-1], 9, importer)))
    start = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    unit.close()
    return Result(elapsed, tallies, check(target, tallies, first_audit))


# --- the check -----------------------------------------------------------------------------------------

def check(target, tallies: list[Tally], first_audit: int) -> list[str]:
    """Every committed write against what the database holds; one line per lost update."""
    lost: list[str] = []
    db = open_app_database(target)
    try:
        with db.read() as s:
            indicator = plan.indicator(s, CODE)
            trail: dict[str, list[AuditEntry]] = {}
            for e in s.scalars(select(AuditEntry).where(AuditEntry.id > first_audit).order_by(AuditEntry.id)):
                trail.setdefault(e.entity_key, []).append(e)

            def stored(key: str):
                code, office, when = key.split("/")
                if when == "plan":
                    row = targets.find_target(s, indicator, offices.resolve(s, office), None)
                else:
                    row = values.find_value(s, indicator, offices.resolve(s, office), int(when[:4]), int(when[5:]))
                return row.value, row.version

            counted: dict[str, int] = {}
            for t in tallies:
                for key, n in t.increments.items():
                    counted[key] = counted.get(key, 0) + n
            for key, n in sorted(counted.items()):
                value, version = stored(key)
                if (value, version, len(trail.get(key, []))) != (START_FIGURE + n, 1 + n, n):
                    lost.append(f"{key}: {n} 次提交，数据库中为 {value:g}（版本 {version}），审计 {len(trail.get(key, []))} 条")
            writes: dict[str, list[tuple[float, int]]] = {}
            for t in tallies:
                for key, value, version in t.shared:
                    writes.setdefault(key, []).append((value, version))
            for key in sorted(writes):
                done = sorted(writes[key], key=lambda w: w[1])
                value, version = stored(key)
                entries = trail.get(key, [])
                last_audit = json.loads(entries[-1].new)["value"] if entries else None
                if ([v for _f, v in done] != list(range(2, len(done) + 2)) or (value, version) != done[-1]
                        or len(entries) != len(done) or last_audit != value):
                    lost.append(f"{key}: {len(done)} 次提交（版本 {[v for _f, v in done][:8]}…），数据库中为 "
                                f"{value:g}（版本 {version}），审计 {len(entries)} 条")
            importer = next(t for t in tallies if t.name == "导入员")
            if importer.last_import is not None:
                value, _version = stored(_value_key(UNIT, 1))
                if value != importer.last_import:
                    lost.append(f"{_value_key(UNIT, 1)}: 最后导入的是 {importer.last_import:g}，数据库中为 {value:g}")
    finally:
        db.close()
    return lost


# --- the report ------------------------------------------------------------------------------------------

def report(result: Result, where: str) -> None:
    print(f"{where}: 5 clerks for {result.seconds:.1f} s")
    for t in result.tallies:
        extra = f", busy {t.busy}" if t.busy else ""
        print(f"  {t.name}: {t.commits} transactions ({t.commits / result.seconds:.1f}/s), "
              f"stale edits refused {t.stale}{extra}" + (f", errors: {t.errors}" if t.errors else ""))
    print(f"transactions per second: {result.transactions / result.seconds:.1f} ({result.transactions} in all)")
    print(f"refused stale edits: {result.stale}")
    for line in result.lost:
        print("  LOST " + line)
    print(f"lost updates: {len(result.lost)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", metavar="URL", help="an empty PostgreSQL database, or a SQLite file (default: a new one)")
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kexie-bench-clerks-") as name:
        tmp = Path(name)
        target = args.db or tmp / "city.db"
        result = run_clerks(target, args.seconds, tmp)
        report(result, "PostgreSQL" if is_server_url(target) else "SQLite")
    errors = [e for t in result.tallies for e in t.errors]
    return 0 if not result.lost and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
