"""Benchmark: 审核 checks of every unit for one year vs the plain progress computation of the same data.

Builds the city database of benchmarks/progress.py on the built-in three-year plan: ten units and the
city office, all 61 indicators with a value for each of the 36 months, unit targets, and 100,000 activity
records. Then it times, interleaved over several rounds,

- all at once (the issue's figure): ``run_checks_many`` for the ten units against ``city_progress`` for the
  same year (city consolidated + every unit), the city database's dashboard; and, for reference,
- per unit, as a unit's program runs them (its 审核 page and the grid's marks beside its 总览): ``run_checks``
  of each of the ten units against ``progress_for`` of the same unit, summed over the ten (each a handful of
  small queries, so fixed costs weigh more).

Usage: ``python benchmarks/review.py [--activities N] [--runs N]``. Target: all at once, checks / progress ≤ 1
(the exit code says whether it held).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import progress as progress_bench  # noqa: E402  (benchmarks/progress.py: the same database)

from kexie_desktop import progress  # noqa: E402
from kexie_desktop.review.checks import run_checks_many  # noqa: E402
from kexie_desktop.services import offices  # noqa: E402

YEAR = 2020
AS_OF = dt.date(2020, 12, 31)
TODAY = dt.date(2021, 1, 15)  # every month of the year has passed


def run_checks_each(db) -> int:
    with db.read() as s:
        return sum(len(run_checks_many(s, [unit], YEAR, today=TODAY)[unit.id]) for unit in offices.units(s))


def run_progress_each(db) -> int:
    with db.read() as s:
        return sum(len(progress.progress_for(s, unit, YEAR, AS_OF)) for unit in offices.units(s))


def run_checks_all(db) -> int:
    with db.read() as s:
        return sum(map(len, run_checks_many(s, offices.units(s), YEAR, today=TODAY).values()))


def run_progress(db) -> int:
    with db.read() as s:
        overview = progress.city_progress(s, YEAR, AS_OF)
        return len(overview.city) + sum(len(rows) for rows in overview.units.values())


def timed(fn, db) -> float:
    t0 = time.perf_counter()
    fn(db)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kexie-bench-review-") as tmp:
        t0 = time.perf_counter()
        db = progress_bench.build(Path(tmp) / "bench.db", args.activities, years=3)
        print(f"database built in {time.perf_counter() - t0:.1f} s")
        progress_bench._describe(db)
        try:
            pairs = {"all at once": (run_checks_all, run_progress), "per unit": (run_checks_each, run_progress_each)}
            sizes = {name: (check(db), plain(db)) for name, (check, plain) in pairs.items()}  # warms the cache
            times = {name: ([], []) for name in pairs}
            for _ in range(args.runs):  # interleaved, so both see the same machine state
                for name, (check, plain) in pairs.items():
                    times[name][0].append(timed(check, db))
                    times[name][1].append(timed(plain, db))
        finally:
            db.close()
    held = True
    for name, (checks, plain) in times.items():
        c, p = statistics.median(checks), statistics.median(plain)
        ratios = statistics.median(a / b for a, b in zip(checks, plain))
        findings, rows = sizes[name]
        print(f"{name}: check ({findings} findings) median {c * 1000:.1f} ms, min {min(checks) * 1000:.1f} ms; "
              f"progress ({rows} rows) median {p * 1000:.1f} ms, min {min(plain) * 1000:.1f} ms")
        target = "target <= 1" if name == "all at once" else "for reference"
        print(f"{name}: ratio check / progress {c / p:.2f} (median of per-round ratios {ratios:.2f}; {target})")
        held = held and (c <= p or name != "all at once")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
