"""Opening the program's database: migrate, then make sure the built-in offices and plan are there."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import Database, is_server_url, open_database, upgrade_server
from .models import Plan
from .paths import default_db_path
from .services import plan


def _target(path: Path | str | None) -> Path | str:
    if is_server_url(path):
        return path
    return Path(path) if path else default_db_path()


def open_app_database(path: Path | str | None = None) -> Database:
    """A SQLite file is created and migrated here; a server database must have been set up by
    ``upgrade_app_database`` (``db upgrade``) and is only opened."""
    db = open_database(_target(path))
    if db.on_server:
        return db
    with db.read() as s:
        ready = s.scalars(select(Plan.id)).first() is not None
    if not ready:
        with db.write() as s:
            plan.ensure_builtin(s)
    return db


def _load_builtin(conn) -> None:
    with Session(conn) as s:  # joins the connection's transaction (the upgrade's, under its lock)
        if s.scalars(select(Plan.id)).first() is None:
            plan.ensure_builtin(s)
            s.flush()


def upgrade_app_database(path: Path | str | None = None) -> bool:
    """``db upgrade``: create or upgrade the schema and load the built-in plan. On a server under a
    session advisory lock (two clients never migrate at once); True when the schema changed."""
    target = _target(path)
    if is_server_url(target):
        return upgrade_server(target, after=_load_builtin)
    from .db import current_revision, head_revision

    before = None
    if Path(target).exists():
        probe = open_database(target, migrate=False)
        before = current_revision(probe.engine)
        probe.close()
    open_app_database(target).close()
    return before != head_revision()
