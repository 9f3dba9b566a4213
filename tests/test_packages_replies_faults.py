"""回执包 and 退回包 under faults: an import that fails half-way through its writes leaves the database
exactly as it was (and the log says so); a full disk during the import and an unwritable folder for the
export give one Chinese line and change nothing (the program run as the user runs it, in a subprocess)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from hostile.helpers import dump, init_unit, log_results, make_city
from kexie_desktop import packages
from kexie_desktop.errors import UserError
from kexie_desktop.packages import ReturnRequest
from kexie_desktop.review import states
from kexie_desktop.services import audit, offices, plan, values
from kexie_desktop.startup import open_app_database
from tests.dbdump import db_content
from tests.faultkit import cli as run_cli, fill, immutable, integrity, one_chinese_line, tmpfs

UNIT = "320703"


@pytest.fixture
def pair(tmp_path):
    """连云区 I09 2, 3, 4 in 2019-01..03, approved and sent; the city applied the package and made its
    receipt (rc.xlsx) and a return of months 2 and 3 (rt.xlsx); neither is at the unit yet."""
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with unit.write() as s:
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        for month in (1, 2, 3):
            values.set_value(s, indicator, office, 2019, month, float(month + 1))
    with unit.write() as s:
        office = offices.resolve(s, UNIT)
        states.submit(s, office, 2019, 3)
        states.approve(s, office, 2019, 3, by="李审")
    with unit.write() as s:
        sub = packages.export_submission(s, offices.resolve(s, UNIT), 2019, tmp_path / "sub.xlsx")
    assert packages.apply(city, tmp_path / "sub.xlsx").outcome == "applied"
    with city.write() as s:
        packages.export_receipt(s, sub.manifest.package_id, tmp_path / "rc.xlsx")
        packages.export_return(s, sub.manifest.package_id, [ReturnRequest("二月数据与台账不符，请核对", 2),
                                                            ReturnRequest("三月数据请补充说明", 3)], tmp_path / "rt.xlsx")
    yield city, unit, tmp_path, sub.manifest.package_id
    unit.close()
    city.close()


def failing_audit(monkeypatch, exc: Exception, after: int = 0):
    """audit.record flushes what the import wrote so far (the rows reach SQLite), then raises ``exc``
    on its call number ``after`` + 1."""
    real, calls = audit.record, []

    def record(s, *args, **kwargs):
        calls.append(1)
        if len(calls) > after:
            s.flush()
            raise exc
        return real(s, *args, **kwargs)

    monkeypatch.setattr(audit, "record", record)
    return calls


@pytest.mark.parametrize("name, after", [("rc.xlsx", 0), ("rc.xlsx", 2), ("rt.xlsx", 0), ("rt.xlsx", 1)])
def test_an_import_refused_half_way_through_writes_nothing_and_logs_the_refusal(pair, monkeypatch, name, after):
    city, unit, tmp, _sub = pair
    before, log_before = dump(unit), log_results(unit)
    calls = failing_audit(monkeypatch, UserError("模拟故障：审核记录写不进去"), after)
    result = packages.apply(unit, tmp / name)
    monkeypatch.undo()
    assert len(calls) == after + 1  # it did fail half-way
    assert result.outcome == "refused"
    assert result.message == f"文件“{name}”：导入时出错，没有写入任何数据：模拟故障：审核记录写不进去"
    assert dump(unit) == before and log_results(unit) == log_before + ["refused"]
    assert result.backup is not None and result.backup.exists()  # taken before the apply began
    assert packages.apply(unit, tmp / name).outcome == "applied"  # the file itself is fine


@pytest.mark.parametrize("name", ["rc.xlsx", "rt.xlsx"])
def test_a_bug_half_way_through_an_import_rolls_everything_back(pair, monkeypatch, name):
    city, unit, tmp, _sub = pair
    before = dump(unit, with_log=True)
    failing_audit(monkeypatch, RuntimeError("a bug"), 1)
    with pytest.raises(RuntimeError):
        packages.apply(unit, tmp / name)
    monkeypatch.undo()
    assert dump(unit, with_log=True) == before


def checkpoint(tmp) -> None:
    """Fold the closed databases' WAL into their files, so that a copy of the file is complete."""
    for name in ("unit.db", "city.db"):
        conn = sqlite3.connect(str(tmp / name))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()


def test_a_receipt_import_on_a_full_disk_says_so_and_changes_nothing(pair, tmp_path):
    city, unit, tmp, _sub = pair
    unit.close()
    city.close()
    checkpoint(tmp)
    with tmpfs(tmp_path / "fs", "16m") as fs:
        db = fs / "unit.db"
        shutil.copyfile(tmp / "unit.db", db)
        before = db_content(db)
        filler = fill(fs, db.stat().st_size + 8192)  # room for the backup, not for the import
        code, out, err = run_cli(db, "import", tmp / "rc.xlsx")
        assert code == 2, out + err
        line = one_chinese_line(err)
        assert line.startswith("错误：磁盘空间已满，本次操作没有保存任何数据（数据库保持原样）。"), line
        assert sorted(p.name for p in (fs / "backups").iterdir()) == []
        filler.unlink()
        assert integrity(db) == "ok" and db_content(db) == before
        code, out, err = run_cli(db, "import", tmp / "rc.xlsx")
        assert code == 0 and "[已导入]" in out, out + err
        conn = sqlite3.connect(str(db))
        assert [r[0] for r in conn.execute("SELECT state FROM review_month ORDER BY month")] == ["received"] * 3
        conn.close()


@pytest.mark.parametrize("command", [("receipt",), ("return", "--month", "2019-02", "--reason", "二月数据请核对")])
def test_an_export_to_an_unwritable_folder_says_so_and_logs_nothing(pair, tmp_path, command):
    city, unit, tmp, sub = pair
    unit.close()
    city.close()
    checkpoint(tmp)
    db = tmp / "city.db"
    folder = tmp_path / "out"
    folder.mkdir()
    exported = "SELECT kind, sequence FROM package_log WHERE direction='sent' AND result='exported' ORDER BY id"
    conn = sqlite3.connect(str(db))
    log_before = conn.execute(exported).fetchall()
    items_before = conn.execute("SELECT * FROM return_item").fetchall()
    conn.close()
    with immutable(folder):
        code, out, err = run_cli(db, command[0], "--package", sub[:8], *command[1:], "--out", folder / "answer.xlsx")
        assert (code, out) == (2, "")
        line = one_chinese_line(err)
        assert line.startswith(f"错误：没有权限写入 {folder}/"), line
        assert line.endswith("，本次操作没有保存任何数据（数据库保持原样）。请检查文件和文件夹的权限后重试。"), line
    assert sorted(folder.iterdir()) == []
    conn = sqlite3.connect(str(db))
    assert conn.execute(exported).fetchall() == log_before  # no "exported" entry
    assert conn.execute("SELECT * FROM return_item").fetchall() == items_before  # a return keeps no items
    conn.close()
    assert integrity(db) == "ok"
    code, out, err = run_cli(db, command[0], "--package", sub[:8], *command[1:], "--out", folder / "answer.xlsx")
    assert code == 0, err
    # The reserved number of the failed export is a gap (receipt 1, return 2 in the fixture, 3 lost, 4 now).
    assert "序号 4，" in out and (folder / "answer.xlsx").exists()
