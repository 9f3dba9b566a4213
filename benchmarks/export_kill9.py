"""Issue 11: kill -9 the real `export` at random moments, N times; no package number may be used twice.

Prints, per run, when it was killed and what it left; then the figures. Exit 1 if a number repeats, a
package file at its final name is incomplete, or the database fails integrity_check.

    python benchmarks/export_kill9.py [runs=30] [seed=11]
"""

from __future__ import annotations

import io
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kexie_desktop import cli  # noqa: E402
from kexie_desktop.packages.pipeline.importer import load  # noqa: E402


def run(*argv) -> str:
    out = io.StringIO()
    assert cli.run([str(a) for a in argv], out) == 0, argv
    return out.getvalue()


def main(runs: int = 30, seed: int = 11) -> int:
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="kexie-kill9-"))
    city, unit, out = tmp / "city.db", tmp / "unit.db", tmp / "out"
    out.mkdir()
    run("--db", city, "init", "--office", "320700")
    code = re.search(r"激活码：(\S+)", run("--db", city, "export-init", "--office", "赣榆区", "--out", tmp / "i.xlsx"))
    run("--db", unit, "import", tmp / "i.xlsx", "--code", code.group(1))
    run("--db", unit, "demo")
    started = time.monotonic()
    cmd = [sys.executable, str(ROOT / "main.py"), "--db", str(unit), "export", "--office", "赣榆区", "--year", "2019"]
    subprocess.run(cmd + ["--out", str(tmp / "timing.xlsx")], check=True, capture_output=True)
    full = time.monotonic() - started
    (tmp / "timing.xlsx").unlink()
    print(f"one export takes {full:.2f} s; killing at a random moment in 0 … {full * 1.1:.2f} s")
    killed = finished = 0
    for n in range(runs):
        proc = subprocess.Popen(cmd + ["--out", str(out / f"e{n:02d}.xlsx")], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        delay = rng.uniform(0, full * 1.1)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        else:
            finished += 1
        proc.wait()
        check = sqlite3.connect(str(unit)).execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            print(f"run {n}: integrity_check {check}")
            return 1
    subprocess.run(cmd + ["--out", str(out / "retry.xlsx")], check=True, capture_output=True)
    numbers = [load(p).manifest.sequence for p in sorted(out.glob("*.xlsx"))]
    temporaries = list(out.glob(".kexie-*"))
    repeated = {k: v for k, v in Counter(numbers).items() if v > 1}
    conn = sqlite3.connect(str(unit))
    last = conn.execute("SELECT last FROM package_sequence WHERE stream='up'").fetchone()[0]
    logged = conn.execute("SELECT count(*) FROM package_log WHERE direction='sent'").fetchone()[0]
    print(f"runs {runs}: killed {killed}, finished before the kill {finished}; plus one retry")
    print(f"package files at their final names: {len(numbers)}, numbers {sorted(numbers)}")
    print(f"numbers used twice: {repeated or 'none'}; temporary files left by killed writers: {len(temporaries)}")
    print(f"reserved numbers (package_sequence.last): {last}; exports logged as sent: {logged}")
    return 1 if repeated else 0


if __name__ == "__main__":
    sys.exit(main(*map(int, sys.argv[1:])))
