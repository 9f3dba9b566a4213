"""Compare database content: every table's rows, sorted, as plain tuples."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def db_content(path: Path | str) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(str(path))
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()
