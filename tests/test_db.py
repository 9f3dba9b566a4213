"""The engine module: pragmas, migrations at start-up, backups, damaged files."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, func, select, text

from kexie_desktop import db as dbmod
from kexie_desktop.errors import UserError
from kexie_desktop.models import DataValue, Indicator, Office
from kexie_desktop.services import offices, plan, settings, values
from kexie_desktop.startup import open_app_database


def test_fresh_database_is_migrated_and_loaded(db):
    assert dbmod.current_revision(db.engine) == dbmod.head_revision()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Office)) == 11
        assert s.scalar(select(func.count()).select_from(Indicator)) == 61
        assert offices.city(s).code == "320700"


def test_head_revision_from_file_names_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(dbmod.migrations_dir()))
    assert dbmod.head_revision() == script.get_current_head()
    assert len(script.get_heads()) == 1  # one linear chain


@pytest.mark.sqlite_only(reason="the pragmas of the SQLite connection")
def test_sqlite_pragmas(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == dbmod.BUSY_TIMEOUT_MS


@pytest.mark.sqlite_only(reason="SQLite's BEGIN IMMEDIATE file lock")
def test_writes_take_the_lock_up_front(db, db_path):
    """A write session holds the RESERVED lock from its first statement (BEGIN IMMEDIATE)."""
    with db.write() as s:
        s.execute(text("SELECT 1"))
        other = sqlite3.connect(str(db_path), timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_failed_write_rolls_back_everything(db):
    with pytest.raises(UserError):
        with db.write() as s:
            office = offices.resolve(s, "海州区")
            values.set_value(s, plan.indicator(s, "I09"), office, 2019, 1, 5)
            values.set_value(s, plan.indicator(s, "I09"), office, 2019, 2, -5)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(DataValue)) == 0


@pytest.mark.sqlite_only(reason="the SQLite file is deleted and recreated")
def test_deleted_database_is_recreated(db_path):
    first = open_app_database(db_path)
    first.close()
    for suffix in ("", "-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    again = open_app_database(db_path)
    with again.read() as s:
        assert s.scalar(select(func.count()).select_from(Indicator)) == 61
    again.close()


@pytest.mark.sqlite_only(reason="the automatic file backup before an upgrade (tests/test_server_db.py steps through every migration on PostgreSQL)")
def test_upgrade_from_first_migration_keeps_rows_and_backs_up(db_path):
    """A database made by migration 0001 (before the audit log) upgrades without losing rows."""
    engine = dbmod._make_sqlite_engine(db_path)
    dbmod.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO office (id, code, name, short_name, kind, sort_order, active) "
            "VALUES (1, '320700', '连云港市科协', '市科协', 'city', 0, 1)"
        )
        conn.exec_driver_sql(
            "INSERT INTO plan (id, code, name, start_year, end_year, version) "
            "VALUES (1, 'OLD', '旧计划', 2018, 2020, 1)"
        )
        conn.exec_driver_sql("INSERT INTO section (id, plan_id, code, name, sort_order) VALUES (1, 1, 'G', '主要目标', 0)")
        conn.exec_driver_sql(
            "INSERT INTO indicator (id, plan_id, section_id, code, name, unit, kind, period, aggregation, entry, "
            "phrase, source, other_sources, signed, sort_order) VALUES "
            "(1, 1, 1, 'X1', '旧指标', '个', 'cumulative_flow', 'plan', 'sum', 'entered', 'p', 's', '[]', 0, 0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO data_value (indicator_id, office_id, year, month, value, note, entered_by, entered_at, source)"
            " VALUES (1, 1, 2019, 5, 42, '旧数据', '张三', '2019-05-31 10:00:00', 'manual')"
        )
    engine.dispose()
    assert dbmod.current_revision(dbmod._make_sqlite_engine(db_path)) == "0001"

    upgraded = open_app_database(db_path)
    assert dbmod.current_revision(upgraded.engine) == dbmod.head_revision() != "0001"
    with upgraded.read() as s:
        row = s.scalars(select(DataValue)).one()
        assert (row.year, row.month, row.value, row.note, row.entered_by) == (2019, 5, 42.0, "旧数据", "张三")
        assert settings.get(s, "threshold_behind") == 10.0  # the new table works
    upgraded.close()
    backups = list((db_path.parent / "backups").glob("kexie-before-upgrade-*.db"))
    assert len(backups) == 1
    copy = sqlite3.connect(str(backups[0]))
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert copy.execute("SELECT value FROM data_value").fetchall() == [(42.0,)]
    copy.close()


@pytest.mark.sqlite_only(reason="file backups beside the SQLite file")
def test_current_database_is_not_backed_up_again(db_path):
    open_app_database(db_path).close()
    open_app_database(db_path).close()
    assert not list((db_path.parent / "backups").glob("*.db"))


def test_damaged_file_gives_a_chinese_message(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(UserError, match="不是本程序的数据库（不是 SQLite 数据库文件），程序没有改动它"):
        open_app_database(bad)
    assert bad.read_bytes() == b"this is not a database at all" * 100


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(UserError, match="是一个文件夹"):
        open_app_database(tmp_path)


@pytest.mark.sqlite_only(reason="upgrades a SQLite file in place (tests/test_server_db.py runs 0006 on PostgreSQL)")
def test_upgrade_to_0006_flags_the_builtin_coverages_of_the_units(db_path):
    """A database of revision 0005 holds the built-in plan without ``covers_units``; the upgrade sets it."""
    from alembic import command

    open_app_database(db_path).close()
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        command.downgrade(dbmod._alembic_config(conn), "0005")  # 0008, 0007 and 0006 undone
    engine.dispose()
    old = sqlite3.connect(str(db_path))
    assert "covers_units" not in {row[1] for row in old.execute("PRAGMA table_info(indicator)")}
    old.close()
    upgraded = open_app_database(db_path)
    with upgraded.read() as s:
        flagged = s.scalars(select(Indicator.code).where(Indicator.covers_units).order_by(Indicator.code)).all()
    assert flagged == ["I01", "I30", "I53"]
    upgraded.close()
