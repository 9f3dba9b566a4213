"""Issue 11: the program under real faults, run as the user runs it (the CLI in a subprocess).

Each case: the CLI exits non-zero with one Chinese line (no traceback, no driver words), the database
passes integrity_check and holds exactly the before- or after-state, and a retry on a healthy disk works.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kexie_desktop import cli
from tests.dbdump import db_content
from tests.faultkit import ROOT, cli as run_cli, fill, immutable, integrity, one_chinese_line, read_only_mount, tmpfs

VALUE = ("value", "set", "--office", "赣榆区", "--indicator", "I09", "--month", "2019-03", "--value")


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run([str(a) for a in argv], out)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def _installed(tmp_path_factory):
    """A city and 赣榆区 (with its signing key), built once; tests get copies."""
    tmp = tmp_path_factory.mktemp("installed")
    city, unit = tmp / "city.db", tmp / "unit.db"
    assert run("--db", city, "init", "--office", "320700")[0] == 0
    code, text = run("--db", city, "export-init", "--office", "赣榆区", "--out", tmp / "init.xlsx")
    activation = re.search(r"激活码：(\S+)", text).group(1)
    assert run("--db", unit, "import", tmp / "init.xlsx", "--code", activation)[0] == 0
    assert run("--db", unit, *VALUE, "12")[0] == 0
    assert run("--db", unit, "export", "--office", "赣榆区", "--year", "2019", "--out", tmp / "s1.xlsx")[0] == 0
    for db in (city, unit):
        sqlite3.connect(str(db)).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    return tmp


def copy_db(src: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, folder / name)
    return folder / name


@pytest.fixture
def unit_db(_installed, tmp_path) -> Path:
    return copy_db(_installed / "unit.db", tmp_path / "data", "unit.db")


@pytest.fixture
def city_db(_installed, tmp_path) -> Path:
    return copy_db(_installed / "city.db", tmp_path / "data", "city.db")


def sequences_sent(db: Path) -> list[int]:
    conn = sqlite3.connect(str(db))
    try:
        return [r[0] for r in conn.execute("SELECT sequence FROM package_log WHERE direction='sent' ORDER BY id")]
    finally:
        conn.close()


def file_sequence(path: Path) -> int:
    from kexie_desktop.packages.pipeline.importer import load

    return load(path).manifest.sequence


# 1 ── kill -9 during export ───────────────────────────────────────────────────────────────────────

def test_export_dying_after_the_file_is_written_never_reuses_its_number(unit_db, tmp_path, monkeypatch):
    """The moment of issue 11 case 1: the file is in place, the log entry is not committed."""
    from kexie_desktop.packages.pipeline import log

    def die(*_a, **_k):
        raise SystemExit(137)  # as if killed: the write transaction never commits

    monkeypatch.setattr(log, "record", die)
    with pytest.raises(SystemExit):
        run("--db", unit_db, "export", "--office", "赣榆区", "--year", "2019", "--out", tmp_path / "a.xlsx")
    monkeypatch.undo()
    assert (tmp_path / "a.xlsx").exists()  # the first file reached the user (and maybe the city)
    code, _ = run("--db", unit_db, "export", "--office", "赣榆区", "--year", "2019", "--out", tmp_path / "b.xlsx")
    assert code == 0
    assert (file_sequence(tmp_path / "a.xlsx"), file_sequence(tmp_path / "b.xlsx")) == (2, 3)


def test_export_killed_at_random_moments_never_uses_a_number_twice(unit_db, tmp_path):
    rng = random.Random(11)
    out = tmp_path / "out"
    out.mkdir()
    for n in range(5):
        proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", str(unit_db), "export", "--office",
                                 "赣榆区", "--year", "2019", "--out", str(out / f"e{n}.xlsx")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert integrity(unit_db) == "ok"
    code, _, err = run_cli(unit_db, "export", "--office", "赣榆区", "--year", "2019", "--out", out / "last.xlsx")
    assert code == 0, err
    numbers = [file_sequence(p) for p in sorted(out.glob("*.xlsx"))]
    assert len(numbers) == len(set(numbers)), numbers


# 2 ── a full disk during import and during value set ───────────────────────────────────────────────

def test_value_set_on_a_full_disk_says_so_and_saves_nothing(unit_db, tmp_path):
    with tmpfs(tmp_path / "fs", "8m") as fs:
        db = copy_db(unit_db, fs, "unit.db")
        before = db_content(db)
        filler = fill(fs, 0)
        code, out, err = run_cli(db, *VALUE, "99")
        assert code == 2 and out == ""
        line = one_chinese_line(err)
        assert line.startswith("错误：磁盘空间已满，本次操作没有保存任何数据（数据库保持原样）。请清理磁盘")
        filler.unlink()
        assert integrity(db) == "ok" and db_content(db) == before
        code, out, _ = run_cli(db, *VALUE, "99")
        assert code == 0 and out == "赣榆区科协 “科教兴农项目” 2019年3月 = 99个：已保存。\n"


@pytest.mark.parametrize("room", ["none for the backup", "the backup but not the import"])
def test_import_on_a_full_disk_says_so_and_leaves_no_backup_behind(city_db, _installed, tmp_path, room):
    with tmpfs(tmp_path / "fs", "16m") as fs:
        db = copy_db(city_db, fs, "city.db")
        before = db_content(db)
        size = db.stat().st_size
        filler = fill(fs, size // 2 if room.startswith("none") else size + 8192)
        code, out, err = run_cli(db, "import", _installed / "s1.xlsx")
        assert code == 2, out + err
        line = one_chinese_line(err)
        assert line.startswith("错误：磁盘空间已满，本次操作没有保存任何数据（数据库保持原样）。"), line
        assert sorted(p.name for p in (fs / "backups").iterdir()) == []
        filler.unlink()
        assert integrity(db) == "ok" and db_content(db) == before
        code, out, _ = run_cli(db, "import", _installed / "s1.xlsx")
        assert code == 0 and "[已导入]" in out
        assert len(list((fs / "backups").glob("city-before-import-*.db"))) == 1


# 3 ── read-only file, folder, file system ─────────────────────────────────────────────────────────

@pytest.mark.parametrize("what", ["file", "folder", "file system"])
def test_read_only_database_reads_and_refuses_writes_with_the_reason(unit_db, what):
    before = unit_db.read_bytes()
    reason = {"file": "文件设为只读", "folder": "所在的文件夹不可写入，无法建立日志文件",
              "file system": "所在的磁盘是只读的"}[what]
    guard = {"file": lambda: immutable(unit_db), "folder": lambda: immutable(unit_db.parent),
             "file system": lambda: read_only_mount(unit_db.parent)}[what]
    with guard():
        code, out, err = run_cli(unit_db, "progress", "--office", "赣榆区", "--year", "2019")
        assert code == 0, err
        assert "赣榆区科协 2019年目标完成进度" in out
        code, out, err = run_cli(unit_db, *VALUE, "99")
        assert code == 2 and out == ""
        assert one_chinese_line(err) == (
            f"错误：无法保存：数据库 {unit_db} 不能写入（{reason}）。可以查看数据，但不能修改。"
            "请取消只读属性或把数据库复制到可写的文件夹后重试。")
    assert unit_db.read_bytes() == before and integrity(unit_db) == "ok"
    assert run_cli(unit_db, *VALUE, "99")[0] == 0


# 4 ── a damaged database ──────────────────────────────────────────────────────────────────────────

def damage_a_page(db: Path, table: str) -> None:
    conn = sqlite3.connect(str(db))
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * 64)


def test_a_damaged_database_is_noticed_and_not_written(unit_db):
    backups = unit_db.parent / "backups"
    backups.mkdir()
    latest = backups / "unit-before-import-20261130-120000-000000.db"
    shutil.copyfile(unit_db, latest)
    damage_a_page(unit_db, "data_value")
    before = unit_db.read_bytes()
    expected = (f"错误：数据库文件 {unit_db} 已损坏，为免损坏扩大，程序已停止写入。请在“数据交换”页用“恢复”"
                f"（命令行：restore 备份文件）恢复数据库；最近的自动备份是 {latest}。")
    for args in (("progress", "--office", "赣榆区", "--year", "2019"), VALUE + ("99",)):
        code, out, err = run_cli(unit_db, *args)
        assert (code, out) == (2, "")
        assert one_chinese_line(err) == expected
    assert unit_db.read_bytes() == before
    code, out, err = run_cli(unit_db, "restore", latest)
    assert code == 0, err
    assert integrity(unit_db) == "ok"
    assert run_cli(unit_db, *VALUE, "99")[0] == 0


# 5 ── another program's SQLite file ───────────────────────────────────────────────────────────────

@pytest.mark.parametrize("app_id", [0, 0x12345678])
def test_another_programs_database_is_refused_untouched(tmp_path, app_id):
    other = tmp_path / "notes.db"
    conn = sqlite3.connect(str(other))
    conn.execute(f"PRAGMA application_id={app_id}")
    conn.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes(text) VALUES ('mine')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    why = "其中没有本程序的数据表" if app_id == 0 else "它属于另一个程序"
    for args in (("progress", "--office", "赣榆区", "--year", "2019"), VALUE + ("99",)):
        code, out, err = run_cli(other, *args)
        assert (code, out) == (2, "")
        assert one_chinese_line(err) == (f"错误：文件 {other} 不是本程序的数据库（{why}），程序没有改动它。"
                                         "请用 --db 指定本程序的数据库文件，或指定一个新的文件名。")
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "notes.db"]


def test_the_programs_databases_carry_its_application_id(tmp_path, unit_db):
    from kexie_desktop.db import APPLICATION_ID

    conn = sqlite3.connect(str(unit_db))  # a database of an older version: no mark yet
    conn.execute("PRAGMA application_id=0")
    conn.commit()
    conn.close()
    new = tmp_path / "new.db"
    for db in (new, unit_db):
        assert run_cli(db, "offices")[0] == 0
        conn = sqlite3.connect(str(db))
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        conn.close()


# 6 ── another process holds the write lock ────────────────────────────────────────────────────────

HOLDER = """
import sqlite3, sys, time
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1] + ".lock"); lock.setStaleLockTime(0); assert lock.tryLock(200)
if sys.argv[2] == "write":  # a write transaction under way, not yet committed
    conn = sqlite3.connect(sys.argv[1], isolation_level=None); conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE data_value SET value = value + 1000")
print("held", flush=True)
sys.stdin.readline()
"""


def hold(db: Path, what: str):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), what], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "held\n"
    return proc


def release(proc) -> None:
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait(timeout=10)


def test_a_write_while_another_process_holds_the_lock_names_it_and_can_be_retried(unit_db):
    before = db_content(unit_db)
    holder = hold(unit_db, "write")
    try:
        started = time.monotonic()
        code, out, err = run_cli(unit_db, *VALUE, "99")
        waited = time.monotonic() - started
        assert (code, out) == (2, "")
        assert one_chinese_line(err) == (
            f"错误：数据库正由本程序的窗口（计算机 {socket.gethostname()}，进程号 {holder.pid}）写入，"
            "本次操作没有保存任何数据（数据库保持原样）。请等它完成（或关闭它）后重试。")
        assert waited < 25  # not the old 30-second wait (a loose bound, not a timing test)
    finally:
        release(holder)  # rolls back: its half-done write never lands either
    assert integrity(unit_db) == "ok" and db_content(unit_db) == before
    assert run_cli(unit_db, *VALUE, "99")[0] == 0


# 7 ── restore while the GUI has the database open ─────────────────────────────────────────────────

def test_restore_is_refused_while_the_program_has_the_database_open(unit_db, tmp_path):
    backup = tmp_path / "copy.db"
    assert run_cli(unit_db, "backup", "--out", backup)[0] == 0
    assert run_cli(unit_db, *VALUE, "99")[0] == 0
    before = db_content(unit_db)
    holder = hold(unit_db, "nothing")
    release_now = False
    try:
        code, out, err = run_cli(unit_db, "restore", backup)
        assert (code, out) == (2, "")
        assert one_chinese_line(err) == (
            f"错误：数据库正由本程序的窗口（计算机 {socket.gethostname()}，进程号 {holder.pid}）打开，"
            "不能在它运行时恢复。请先关闭那个窗口，再恢复。")
        release_now = True
    finally:
        release(holder)
    assert release_now and db_content(unit_db) == before
    code, out, err = run_cli(unit_db, "restore", backup)
    assert code == 0, err


# 8 ── a backup cut short ──────────────────────────────────────────────────────────────────────────

def test_a_backup_cut_short_never_lies_under_a_backups_name(unit_db, tmp_path, monkeypatch):

    with tmpfs(tmp_path / "fs", "8m") as fs:
        filler = fill(fs, unit_db.stat().st_size // 3)
        code, out, err = run_cli(unit_db, "backup", "--out", fs / "copy.db")
        assert (code, out) == (2, "")
        assert one_chinese_line(err).startswith("错误：磁盘空间已满，本次操作没有保存任何数据（数据库保持原样）。")
        assert sorted(p.name for p in fs.iterdir()) == ["filler.bin"]
        filler.unlink()
        assert run_cli(unit_db, "backup", "--out", fs / "copy.db")[0] == 0
        assert integrity(fs / "copy.db") == "ok"


def test_the_next_backup_removes_a_killed_copys_partial_file_but_not_a_running_ones(unit_db):
    """The temporary name carries the writer's pid: another program still copying keeps its file."""
    from kexie_desktop import db as dbmod

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout)
    folder = unit_db.parent / "backups"
    folder.mkdir(exist_ok=True)
    killed = folder / f".unit-before-import-20261130-120000-000000.db.{dead}.partial"
    killed.write_bytes(b"half")
    (folder / (killed.name + "-journal")).write_bytes(b"half")
    running = folder / f".unit-before-import-20261130-120000-000001.db.{os.getppid()}.partial"
    running.write_bytes(b"still copying")
    made = dbmod.backup_file(unit_db, reason="before-import")
    assert sorted(p.name for p in folder.iterdir()) == sorted([made.name, running.name])
    assert integrity(made) == "ok"
