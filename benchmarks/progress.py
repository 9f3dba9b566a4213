"""Benchmark: full city progress + ranking for one year vs a plain SQL GROUP BY over the same rows.

Builds a city-scale database in a temporary folder: the built-in plan stretched to ten years
(2011—2020), every unit and the city office, all 61 indicators, monthly values for every month of
the ten years, unit targets decomposed from the city's, and 100,000 activity records. Then it times

- the engine: ``city_progress`` (city consolidated + every unit) and every ranking (overall and per
  indicator) for one year, and
- the baseline: the same data_value and activity rows grouped by indicator, office and year in
  plain SQL, the least any progress computation has to do.

Usage: ``python benchmarks/progress.py [--activities N] [--runs N] [--keep PATH] [--db URL]``. Target ratio ≤ 2.
With ``--db postgresql+psycopg://…/empty_database`` the same data are built there too (issue 18) and the
engine's time on PostgreSQL is printed beside SQLite's (target: PostgreSQL ≤ 2× SQLite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from kexie_desktop import progress  # noqa: E402
from kexie_desktop.models import Activity, ActivityType, DataValue  # noqa: E402
from kexie_desktop.services import offices, plan, targets  # noqa: E402
from kexie_desktop.db import is_server_url  # noqa: E402
from kexie_desktop.startup import open_app_database, upgrade_app_database  # noqa: E402

YEARS = 10
YEAR = 2020
AS_OF = dt.date(2020, 9, 30)


def build(path: Path | str, n_activities: int, seed: int = 7, years: int = YEARS):
    if is_server_url(path):  # an empty server database: its schema by the explicit db upgrade
        upgrade_app_database(path)
    db = open_app_database(path)
    rng = random.Random(seed)
    with db.write() as s:
        current = plan.current_plan(s)
        current.start_year = current.end_year - years + 1  # by default a ten-year plan, 2011—2020
        s.flush()
        _decompose(s, current)
        city, units = offices.city(s), offices.units(s)
        s.execute(insert(DataValue), _values(s, current, city, units, rng))
        s.execute(insert(Activity), _activities(s, current, units, n_activities, rng))
    # Planner statistics, on both engines alike: an office server's autovacuum gathers them within a
    # minute of a bulk load; timed before that, PostgreSQL plans for 266 rows instead of 50,000.
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    return db


def _decompose(s, current) -> None:
    for indicator in plan.indicators(s, current):
        if indicator.aggregation != "city_only":
            targets.decompose_target(s, indicator, YEAR if indicator.is_annual else None, user="benchmark")


def _values(s, current, city, units, rng) -> list[dict]:
    rows = []
    for indicator in plan.indicators(s, current):
        if indicator.is_ledger:
            continue
        reporters = [city] if indicator.aggregation == "city_only" else [city, *units]
        for office in reporters:
            for year in current.years:
                for month in range(1, 13):
                    value, base = _figure(indicator, rng)
                    rows.append(dict(indicator_id=indicator.id, office_id=office.id, year=year, month=month,
                                     value=value, base=base, note="", source="benchmark"))
    return rows


def _figure(indicator, rng) -> tuple[float, float | None]:
    if indicator.kind == "coverage":
        base = float(rng.randint(5, 40))
        return float(rng.randint(0, int(base))), base
    if indicator.unit == "%":
        return round(rng.uniform(1, 12), 1), None
    return float(rng.randint(0, 30)), None


def _activities(s, current, units, n: int, rng) -> list[dict]:
    type_ids = list(s.scalars(select(ActivityType.id)))
    start = dt.date(current.start_year, 1, 1).toordinal()
    end = dt.date(current.end_year, 12, 31).toordinal()
    return [
        dict(uid=f"bench-{k}", office_id=rng.choice(units).id, type_id=rng.choice(type_ids),
             date=dt.date.fromordinal(rng.randint(start, end)), title=f"基准测试活动 {k}", place="",
             participants=rng.randint(1, 60), audience=rng.randint(0, 500), note="", source="benchmark")
        for k in range(n)
    ]


def run_engine(db) -> int:
    with db.read() as s:
        overview = progress.city_progress(s, YEAR, AS_OF)
        progress.rank_overall(overview, progress.ranking_weights(s))
        for row in overview.city:
            progress.rank_indicator(overview, row.code)
        return len(overview.city) + sum(len(rows) for rows in overview.units.values())


BASELINE_VALUES = text(
    "SELECT indicator_id, office_id, year, SUM(value), COUNT(*) FROM data_value "
    "WHERE year * 100 + month BETWEEN :lo AND :hi GROUP BY indicator_id, office_id, year"
)
# The year of a date in each engine's own SQL (the baseline is hand-written SQL, not the program's).
_YEAR_OF = {"sqlite": "strftime('%Y', a.date)", "postgresql": "extract(year from a.date)"}


def _baseline_ledger(dialect: str):
    year = _YEAR_OF[dialect]
    return text(
        f"SELECT l.indicator_id, a.office_id, {year}, COUNT(*), SUM(a.audience) "
        "FROM activity a JOIN activity_type_indicator l ON l.activity_type_id = a.type_id "
        f"WHERE a.date BETWEEN :start AND :end GROUP BY l.indicator_id, a.office_id, {year}"
    )


def run_baseline(db) -> int:
    start = dt.date(YEAR - YEARS + 1, 1, 1)
    with db.read() as s:
        a = s.execute(BASELINE_VALUES, {"lo": start.year * 100 + 1, "hi": AS_OF.year * 100 + AS_OF.month}).all()
        b = s.execute(_baseline_ledger(db.engine.dialect.name), {"start": start, "end": AS_OF}).all()
        return len(a) + len(b)


def timed(fn, db, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(db)
        times.append(time.perf_counter() - t0)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the database here and keep it")
    parser.add_argument("--db", metavar="URL", help="also an empty PostgreSQL database: its times beside SQLite's")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kexie-bench-") as tmp:
        path = args.keep or Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        db = build(path, args.activities)
        print(f"database built in {time.perf_counter() - t0:.1f} s: {path}")
        _describe(db)
        try:
            run_engine(db), run_baseline(db)  # warm the page cache for both
            engine, baseline = [], []
            for _ in range(args.runs):  # interleaved, so both see the same machine state
                engine += timed(run_engine, db, 1)
                baseline += timed(run_baseline, db, 1)
            _report(db, engine, baseline)
            if args.db:
                _beside_server(args, statistics.median(engine))
        finally:
            db.close()
    return 0


def _beside_server(args, sqlite_engine: float) -> None:
    t0 = time.perf_counter()
    server = build(args.db, args.activities)
    print(f"PostgreSQL database built in {time.perf_counter() - t0:.1f} s: {server.location}")
    try:
        run_engine(server), run_baseline(server)
        engine, baseline = [], []
        for _ in range(args.runs):
            engine += timed(run_engine, server, 1)
            baseline += timed(run_baseline, server, 1)
        print("PostgreSQL:")
        _report(server, engine, baseline)
        ratio = statistics.median(engine) / sqlite_engine
        print(f"city progress PostgreSQL / SQLite: {ratio:.2f} (target <= 2)")
    finally:
        server.close()


def _describe(db) -> None:
    with db.read() as s:
        n_values = s.scalar(select(func.count()).select_from(DataValue))
        n_activities = s.scalar(select(func.count()).select_from(Activity))
        n_offices = len(offices.all_offices(s))
        n_indicators = len(plan.indicators(s))
    print(f"{n_offices} offices, {n_indicators} indicators, {n_values:,} monthly values, "
          f"{n_activities:,} activities, {YEARS} years; year {YEAR}, as of {AS_OF}")


def _report(db, engine: list[float], baseline: list[float]) -> None:
    e, b = statistics.median(engine), statistics.median(baseline)
    print(f"engine   (city progress + all rankings, {run_engine(db)} rows): "
          f"median {e * 1000:.1f} ms, min {min(engine) * 1000:.1f} ms")
    print(f"baseline (plain SQL GROUP BY, {run_baseline(db)} groups): "
          f"median {b * 1000:.1f} ms, min {min(baseline) * 1000:.1f} ms")
    print(f"ratio engine / baseline: {e / b:.2f} (target <= 2)")


if __name__ == "__main__":
    sys.exit(main())
