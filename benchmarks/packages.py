"""Benchmark: a submission package with 100,000 ledger rows — export, import, and their baselines.

Builds a unit and a city installation in a temporary folder (the unit initialised from the city's
init package), puts N activity records (default 100,000) and a year of monthly values into the unit,
then times the best of several rounds, each round running a step and its baselines back to back
(this machine's speed drifts by up to 2x from minute to minute; interleaving lets a slow spell hit
both sides alike). Each target is judged on the ratio of the best times; the median of the per-round
ratios is printed beside it as a check:

- export: ``export_submission`` (query, the review checks (审核说明), canonical form, HMAC, cover, notes, manifest,
  styled XlsxWriter workbook) vs the baseline: a bare openpyxl write-only workbook of the same cells,
  and vs the peer a user might script instead: pandas ``DataFrame.to_excel(engine="xlsxwriter")`` of
  the same cells (headers included); a bare XlsxWriter constant-memory write is printed for reference;
- import: ``apply`` at the city (file safety checks, verification, every cell checked, preview
  classification, database backup, bulk insert of records and audit entries, log)
  vs the baseline: the same file read by python-calamine plus a plain sqlite3 executemany of the rows;
- the import peer a user might script instead: pandas ``read_excel`` + ``to_sql``.

Targets: export ≤ 1.5 × its baseline and no slower than the pandas peer; import ≤ 2 × its baseline;
import faster than pandas. pandas is not a dependency of the program: install it for the peers with
``pip install -r requirements-bench.txt`` (without it they are skipped, and the script says so).
Usage: ``python benchmarks/packages.py [--rows N] [--runs N] [--import-runs N] [--db URL]``.

With ``--db postgresql+psycopg://…/empty_database`` (issue 18) every import round also imports the same package
into the city database on that server (the city template copied there with ``copy-db`` before each round, the
copy not timed) and the PostgreSQL import is printed beside SQLite's with their ratio (target ≤ 2). The database
must be empty at the start; between rounds its ``public`` schema is dropped and made again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
import python_calamine  # noqa: E402
import xlsxwriter  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from kexie_desktop import packages  # noqa: E402
from kexie_desktop.models import Activity, ActivityType  # noqa: E402
from kexie_desktop.packages.kinds.submission import export as submission  # noqa: E402
from kexie_desktop.packages.pipeline import importer  # noqa: E402
from kexie_desktop.services import offices, plan, values  # noqa: E402
from kexie_desktop.startup import open_app_database  # noqa: E402

UNIT, YEAR = "320703", 2019
PLACES = ["科技馆", "社区活动中心", "镇文化站", "中学报告厅", "农技推广中心", "科协会议室"]


def build(tmp: Path, n_rows: int, seed: int = 11):
    """(unit db, path of the city template db)."""
    city = open_app_database(tmp / "city-template.db")
    unit = open_app_database(tmp / "unit.db")
    with city.write() as s:
        offices.set_this_office(s, offices.city(s))
        init = packages.export_init(s, offices.resolve(s, UNIT), tmp / "init.xlsx")
    assert packages.apply(unit, tmp / "init.xlsx", code=init.activation_code).outcome == "applied"
    rng = random.Random(seed)
    with unit.write() as s:
        office = offices.resolve(s, UNIT)
        types = list(s.scalars(select(ActivityType)))
        s.execute(insert(Activity), [_activity(rng, i, office.id, types) for i in range(n_rows)])
        edits = [values.ValueEdit(i, office, YEAR, m, float(rng.randint(0, 9)), None, "")
                 for i in plan.indicators(s) if not i.is_ledger and i.aggregation != "city_only"
                 and i.kind != "coverage" for m in range(1, 13)]
        values.set_values(s, edits, source="benchmark")
    city.close()
    return unit, tmp / "city-template.db"


def _activity(rng, i: int, office_id: int, types) -> dict:
    kind = types[i % len(types)]
    date = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
    return {"uid": f"bench-{i:07d}-{rng.getrandbits(32):08x}", "office_id": office_id, "type_id": kind.id,
            "date": date, "title": f"{kind.name}（第{i + 1}场）", "place": rng.choice(PLACES),
            "participants": rng.randint(1, 40), "audience": rng.randint(0, 500),
            "note": "" if i % 3 else f"备注{i}", "created_by": "benchmark", "source": "benchmark"}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def export_ours(unit, out: Path) -> None:
    with unit.write() as s:
        packages.export_submission(s, offices.resolve(s, UNIT), YEAR, out)


def export_bare(sheets: dict[str, list[list]], out: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(out)


def export_bare_xlsxwriter(sheets: dict[str, list[list]], out: Path) -> None:
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if type(value) is str:
                    if value:
                        ws.write_string(r, c, value)
                elif value is not None:
                    ws.write_number(r, c, value)
    wb.close()


def export_pandas(sheets: dict[str, list[list]], headers: dict[str, list[str]], out: Path) -> None:
    import pandas as pd

    with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows, columns=headers[name]).to_excel(writer, sheet_name=name, index=False)


def _has_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        print("pandas 未安装，跳过与 pandas 的对比（它不是本程序的依赖）。安装：pip install -r requirements-bench.txt")
        return False
    return True


def import_ours(template: Path, tmp: Path, package: Path) -> float:
    shutil.copyfile(template, tmp / "city.db")
    for old in (tmp / "backups").glob("*.db"):
        old.unlink()
    city = open_app_database(tmp / "city.db")
    start = time.perf_counter()
    result = packages.apply(city, package)
    elapsed = time.perf_counter() - start
    city.close()
    assert result.outcome == "applied", result.message
    return elapsed


def _calamine_rows(package: Path) -> dict[str, list[list]]:
    book = python_calamine.CalamineWorkbook.from_path(str(package))
    sheets = {}
    for spec in submission.SPECS:
        rows = book.get_sheet_by_name(spec.name).to_python(skip_empty_area=False)[1:]
        sheets[spec.name] = [r[:len(spec.columns)] for r in rows]
    return sheets


def _wipe_server(url: str, check_empty: bool = False) -> None:
    """Drop everything in the server database's public schema (after checking it was empty at the start)."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if check_empty and inspect(conn).get_table_names():
                raise SystemExit(f"--db：数据库 {engine.url.database} 不是空的（已有数据表），为免清除数据没有运行。")
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def import_server(template: Path, url: str, package: Path) -> float:
    """``apply`` at a city on PostgreSQL: the template copied in first (not timed), as ``import_ours``."""
    from kexie_desktop.copydb import copy_database

    _wipe_server(url)
    source = open_app_database(template)
    try:
        copy_database(source, url)
    finally:
        source.close()
    city = open_app_database(url)
    start = time.perf_counter()
    result = packages.apply(city, package)
    elapsed = time.perf_counter() - start
    city.close()
    assert result.outcome == "applied", result.message
    return elapsed


def import_baseline(package: Path, tmp: Path) -> float:
    """A: python-calamine, then sqlite3 executemany into plain tables (no index, no constraint)."""
    target = tmp / "plain.db"
    target.unlink(missing_ok=True)
    start = time.perf_counter()
    sheets = _calamine_rows(package)
    conn = sqlite3.connect(target)
    for i, (name, rows) in enumerate(sheets.items()):
        width = len(rows[0]) if rows else 1
        conn.execute(f"CREATE TABLE t{i} ({', '.join(f'c{j}' for j in range(width))})")
        conn.executemany(f"INSERT INTO t{i} VALUES ({', '.join('?' * width)})", rows)
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def import_baseline_schema(package: Path, template: Path, tmp: Path) -> float:
    """B: python-calamine, then sqlite3 executemany of the same rows into this program's own tables
    (a copy of the city database: its indexes, foreign keys and checks), as a hand-written script
    would: codes looked up in dicts, no validation, no audit, no log."""
    shutil.copyfile(template, tmp / "schema.db")
    start = time.perf_counter()
    sheets = _calamine_rows(package)
    conn = sqlite3.connect(tmp / "schema.db")
    office = conn.execute("SELECT id FROM office WHERE code = ?", (UNIT,)).fetchone()[0]
    types = dict(conn.execute("SELECT code, id FROM activity_type"))
    indicators = dict(conn.execute("SELECT code, id FROM indicator"))
    now = dt.datetime.now().isoformat(sep=" ")
    conn.executemany(
        "INSERT INTO activity (uid, office_id, type_id, date, title, place, participants, audience, note, "
        "created_by, updated_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'script', ?, 'script')",
        [(r[0], office, types[r[2]], r[4], r[5], r[6], r[7], r[8], r[9], now) for r in sheets["活动台账"]])
    conn.executemany(
        "INSERT INTO data_value (indicator_id, office_id, year, month, value, base, note, entered_by, "
        "entered_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, 'script', ?, 'script')",
        [(indicators[r[1]], office, int(r[4][:4]), int(r[4][5:]), r[5], r[6] or None, r[7], now)
         for r in sheets["月度数据"]])
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def import_pandas(package: Path, tmp: Path, engine: str | None) -> float:
    import pandas as pd

    target = tmp / "pandas.db"
    target.unlink(missing_ok=True)
    start = time.perf_counter()
    frames = pd.read_excel(package, sheet_name=[s.name for s in submission.SPECS], engine=engine)
    conn = sqlite3.connect(target)
    for i, frame in enumerate(frames.values()):
        frame.to_sql(f"sheet{i}", conn, index=False)
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="export rounds (each ~25 s)")
    parser.add_argument("--import-runs", type=int, default=7, help="import rounds (each ~10 s)")
    parser.add_argument("--db", metavar="URL", help="an empty PostgreSQL database: the import there beside SQLite's")
    args = parser.parse_args(argv)
    if args.db:
        _wipe_server(args.db, check_empty=True)
    with tempfile.TemporaryDirectory(prefix="kexie-bench-packages-") as name:
        return run(Path(name), args.rows, args.runs, args.import_runs, args.db)


def run(tmp: Path, n_rows: int, runs: int, import_runs: int, server: str | None = None) -> int:
    print(f"构建测试数据：{n_rows:,} 条活动台账……", flush=True)
    unit, template = build(tmp, n_rows)
    package = tmp / "sub.xlsx"
    export_ours(unit, package)
    loaded = importer.load(package)
    sheets = {name: [list(r) for _, r in rows] for name, rows in loaded.rows.items()}
    cells = sum(len(r) for rows in sheets.values() for r in rows)
    headers = {spec.name: spec.headers for spec in submission.SPECS}
    with_pandas = _has_pandas()
    exports = []
    for _ in range(runs):
        exports.append((timed(lambda: export_ours(unit, package)), timed(lambda: export_bare(sheets, tmp / "bare.xlsx")),
                        timed(lambda: export_pandas(sheets, headers, tmp / "pandas.xlsx")) if with_pandas else None,
                        timed(lambda: export_bare_xlsxwriter(sheets, tmp / "bare-xw.xlsx"))))
    imports = [(import_ours(template, tmp, package), import_baseline(package, tmp),
                import_baseline_schema(package, template, tmp),
                import_server(template, server, package) if server else None) for _ in range(import_runs)]
    print(f"文件：{package.stat().st_size / 1e6:.1f} MB，{sum(map(len, sheets.values())):,} 行，{cells:,} 个单元格；"
          f"导出 {runs} 轮，导入 {import_runs} 轮")
    ok = _report("导出 export", exports, 0, 1, "openpyxl write-only 裸写同样的单元格", 1.5)
    if with_pandas:
        ok = _report("导出 export", exports, 0, 2, 'pandas DataFrame.to_excel(engine="xlsxwriter") 写同样的单元格',
                     1.0) and ok
    _report("（参考）导出 export", exports, 0, 3, "XlsxWriter constant_memory 裸写同样的单元格", None)
    ok = _report("导入 import", imports, 0, 1, "A：calamine 读取 + sqlite3 executemany 到无索引的普通表", 2.0) and ok
    _report("导入 import", imports, 0, 2, "B：calamine 读取 + sqlite3 executemany 到本程序的表（含索引、外键）", 2.0)
    if server:  # the same rounds, PostgreSQL against SQLite: ours on the server over ours on the file
        ok = _report("导入 import（PostgreSQL）", imports, 3, 0, "同一轮中本程序导入到 SQLite 文件", 2.0) and ok
    t_import = min(r[0] for r in imports)
    unit.close()
    if not with_pandas:
        return 0 if ok else 1
    t_pandas = min(import_pandas(package, tmp, "openpyxl") for _ in range(max(1, runs - 1)))
    verdict = "达标" if t_import < t_pandas else "未达标"
    print(f"对比 pandas read_excel（engine='openpyxl'，pandas 2 和 3 读 xlsx 的默认）+ to_sql：{t_pandas:.2f} s；"
          f"本程序导入快 {t_pandas / t_import:.1f} 倍  目标：比 pandas 快  {verdict}")
    t_pandas_cal = min(import_pandas(package, tmp, "calamine") for _ in range(max(1, runs - 1)))
    print(f"（参考）pandas read_excel(engine='calamine') + to_sql：{t_pandas_cal:.2f} s（不做任何校验、不写审计）")
    return 0 if ok and t_import < t_pandas else 1


def _report(label: str, rounds: list[tuple], ours: int, base: int, base_label: str, target: float | None) -> bool:
    best_ours, best_base = min(r[ours] for r in rounds), min(r[base] for r in rounds)
    ratio = best_ours / best_base
    paired = statistics.median(r[ours] / r[base] for r in rounds)
    verdict = "" if target is None else f"  目标 ≤ {target}  {'达标' if ratio <= target else '未达标'}"
    print(f"{label}：{best_ours:.2f} s；基线（{base_label}）：{best_base:.2f} s；倍数 {ratio:.2f}"
          f"（逐轮倍数的中位数 {paired:.2f}）{verdict}")
    return target is None or ratio <= target


if __name__ == "__main__":
    sys.exit(main())
