"""Migration 0003 (package tables): upgrading a 0002 database keeps its rows; the hand-written
migration matches the ORM classes in package_models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

import kexie_desktop.package_models  # noqa: F401 - registers the tables on Base.metadata
from kexie_desktop import db as dbmod
from kexie_desktop.models import Base
from kexie_desktop.startup import open_app_database

PACKAGE_TABLES = {"office_key", "package_log", "package_sequence"}


def test_upgrading_a_0002_database_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    engine = dbmod._make_sqlite_engine(path)
    dbmod.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO office (id, code, name, short_name, kind, sort_order, active) "
                          "VALUES (1, '320700', '连云港市科协', '市科协', 'city', 0, 1)"))
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('office_code', '\"320700\"')"))
        conn.execute(text("INSERT INTO audit_log (at, user, source, entity, entity_key, office_id, old, new) "
                          "VALUES ('2019-01-01 00:00:00', 'u', 'manual', 'value', 'k', 1, NULL, '1')"))
    engine.dispose()
    db = open_app_database(path)
    try:
        with db.read() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == dbmod.head_revision()
            assert s.execute(text("SELECT name FROM office WHERE code='320700'")).scalar() == "连云港市科协"
            assert s.execute(text("SELECT value FROM setting WHERE key='office_code'")).scalar() == '"320700"'
            assert s.execute(text("SELECT count(*) FROM audit_log WHERE entity_key='k'")).scalar() == 1
            assert s.execute(text("SELECT count(*) FROM package_log")).scalar() == 0
        assert PACKAGE_TABLES <= set(inspect(db.engine).get_table_names())
        assert list((tmp_path / "backups").glob("old-before-upgrade-*.db"))
    finally:
        db.close()


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::sqlalchemy.exc.SAWarning")
def test_migration_matches_the_orm(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    dbmod.upgrade(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diffs if PACKAGE_TABLES & set(_tables(d))]
    assert ours == []


def _tables(diff) -> list[str]:
    items = diff if isinstance(diff, list) else [diff]
    names = []
    for item in items:
        for part in item:
            name = getattr(part, "name", None)
            table = getattr(part, "table", None)
            names += [n for n in (name, getattr(table, "name", None)) if isinstance(n, str)]
            if isinstance(part, str):
                names.append(part)
    return names


def test_downgrade_to_0002_removes_only_the_package_tables(tmp_path):
    from alembic import command

    engine = create_engine(f"sqlite:///{tmp_path / 'd.db'}")
    dbmod.upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(dbmod._alembic_config(conn), "0002")
    names = set(inspect(engine).get_table_names())
    assert not PACKAGE_TABLES & names and {"office", "setting", "audit_log"} <= names
