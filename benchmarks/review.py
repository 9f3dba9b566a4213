"""Benchmark: 审核 checks of every unit for one year vs the plain progress computation of the same data.

Builds the city database of benchmarks/progress.py on the built-in three-year plan: ten units and the
city office, all 61 indicators with a value for each of the 36 months, unit targets, and 100,000 activity
records. Then it times, interleaved over several rounds,

- ``check``: ``run_checks_many`` for the ten units for the year (every built-in rule), and
- progress: ``city_progress`` for the same year (city consolidated + every unit), which is what the
  dashboard computes.

Usage: ``python benchmarks/review.py [--activities N] [--runs N]``. Target: checks / progress ≤ 1.
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
            findings, rows = run_checks_all(db), run_progress(db)  # also warms the page cache
            checks, plain = [], []
            for _ in range(args.runs):  # interleaved, so both see the same machine state
                checks.append(timed(run_checks_all, db))
                plain.append(timed(run_progress, db))
        finally:
            db.close()
    c, p = statistics.median(checks), statistics.median(plain)
    ratios = statistics.median(a / b for a, b in zip(checks, plain))
    print(f"check    (10 units, year {YEAR}, {findings} findings): median {c * 1000:.1f} ms, min {min(checks) * 1000:.1f} ms")
    print(f"progress (city_progress {YEAR}, {rows} rows): median {p * 1000:.1f} ms, min {min(plain) * 1000:.1f} ms")
    print(f"ratio check / progress: {c / p:.2f} (median of per-round ratios {ratios:.2f}; target <= 1)")
    return 0 if c <= p else 1


if __name__ == "__main__":
    sys.exit(main())
