"""The one engine module: SQLite specifics (pragmas, BEGIN IMMEDIATE), migrations, backups.

Everything SQLite-only lives here so the rest of the core stays portable SQL.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from .errors import UserError
from .paths import backup_dir

BUSY_TIMEOUT_MS = 30_000


def _make_sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the lock up front so two writers never deadlock half-way.
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """An opened, migrated database: ``write()`` and ``read()`` give transactional sessions."""

    def __init__(self, path: Path, engine: Engine):
        self.path = Path(path)
        self.engine = engine
        self._write = sessionmaker(engine, expire_on_commit=False)
        self._read = sessionmaker(
            engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False
        )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction; loaded objects stay usable after it ends (nothing is expired)."""
        with self._read() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "migrations"


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision, read from the file names (NNNN_*.py, one linear chain).

    Importing alembic costs about a quarter of a second, so start-up only does it when an upgrade
    is due; tests/test_db.py checks this agrees with alembic's own idea of the head.
    """
    names = [p.name.split("_", 1)[0] for p in (migrations_dir() / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    return max(names)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


def backup_file(db_path: Path, reason: str = "backup", dest: Path | None = None) -> Path:
    """A consistent copy of the database (sqlite3 online backup, so WAL content is included)."""
    db_path = Path(db_path)
    if dest is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        dest = backup_dir(db_path) / f"{db_path.stem}-{reason}-{stamp}.db"
    src = sqlite3.connect(str(db_path))
    try:
        out = sqlite3.connect(str(dest))
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    return dest


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    An existing file whose schema is older than the program is backed up first.
    """
    path = Path(path)
    if path.exists() and path.is_dir():
        raise UserError(f"数据库路径 {path} 是一个文件夹，请指定一个文件。")
    existed = path.exists() and path.stat().st_size > 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = _make_sqlite_engine(path)
        if migrate:
            current = current_revision(engine)
            if current != head_revision():
                if existed:
                    backup_file(path, reason="before-upgrade")
                upgrade(engine)
    except sqlite3.DatabaseError as exc:  # pragma: no cover - re-raised below with context
        raise UserError(f"无法打开数据库 {path}：{exc}。请确认它是本程序的数据库文件。") from exc
    except Exception as exc:
        if exc.__class__.__name__ == "DatabaseError" or "file is not a database" in str(exc):
            raise UserError(
                f"无法打开数据库 {path}：文件已损坏或不是本程序的数据库。"
                "请从 backups 文件夹中恢复最近的备份。"
            ) from exc
        raise
    return Database(path, engine)
