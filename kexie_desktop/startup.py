"""Opening the program's database: migrate, then make sure the built-in offices and plan are there."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from .db import Database, open_database
from .models import Plan
from .paths import default_db_path
from .services import plan


def open_app_database(path: Path | str | None = None) -> Database:
    db = open_database(Path(path) if path else default_db_path())
    with db.read() as s:
        ready = s.scalars(select(Plan.id)).first() is not None
    if not ready:
        with db.write() as s:
            plan.ensure_builtin(s)
    return db
