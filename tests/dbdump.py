"""Compare database content: every table's rows, sorted, as plain tuples (a SQLite file or a server URL)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def db_content(path: Path | str) -> dict[str, list[tuple]]:
    from kexie_desktop.db import is_server_url

    if is_server_url(path):
        return _server_content(str(path))
    conn = sqlite3.connect(str(path))
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def _server_content(url: str) -> dict[str, list[tuple]]:
    from sqlalchemy import inspect

    from kexie_desktop.db import make_server_engine

    engine = make_server_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {t: sorted((tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}"')), key=repr)
                    for t in tables}
    finally:
        engine.dispose()
