"""Moving a database between engines (issue 18): ``copy-db --to URL``, SQLite → PostgreSQL and back.

Every table of the schema is copied row by row in foreign-key order with its ids kept; on PostgreSQL
each id sequence is then set past the largest copied id, so the next insert does not collide. The copy
is checked: row counts and a content hash over every table (rows in primary-key order, values in
one engine-independent text form) must agree between the source and the copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, MetaData, Table, func, select, text

from .db import (PROGRAM_SETTING, Database, display_url, head_revision, is_server_url, make_server_engine,
                 open_database, server_state, upgrade_server)
from .errors import UserError

CHUNK = 2000  # rows per INSERT batch


def schema_metadata() -> MetaData:
    """Every table of the program: the model modules register theirs on one MetaData when imported."""
    from . import package_models, task_models  # noqa: F401
    from .models import Base

    return Base.metadata


@dataclass
class CopyResult:
    tables: int
    rows: int
    digest: str
    target: str

    @property
    def message(self) -> str:
        return (f"已把数据库复制到 {self.target}：{self.tables} 张表，共 {self.rows} 行；"
                f"两边的行数与内容校验值（{self.digest[:16]}）一致。")


def _tables(conn: Connection) -> list[Table]:
    """The schema's tables in foreign-key order; refused when the database holds tables the program does not know."""
    from sqlalchemy import inspect

    meta = schema_metadata()
    present = set(inspect(conn).get_table_names()) - {"alembic_version"}
    unknown = present - set(meta.tables)
    if unknown:
        raise UserError(f"数据库中有本程序不认识的表（{'、'.join(sorted(unknown))}），没有复制。请使用新版本的程序。")
    return [t for t in meta.sorted_tables if t.name in present]


def _order(table: Table):
    return list(table.primary_key.columns) or list(table.columns)


def _rows(conn: Connection, table: Table):
    query = select(table).order_by(*_order(table))
    if table.name == "setting":  # which program set up a server database is not part of the data
        query = query.where(table.c.key != PROGRAM_SETTING)
    return conn.execute(query)


def _canonical(value):
    if isinstance(value, bool):
        return int(value)
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def content_digest(conn: Connection) -> tuple[str, dict[str, int]]:
    """One SHA-256 over every table's rows (engine-independent), and the row count of each table."""
    digest = hashlib.sha256()
    counts = {}
    for table in _tables(conn):
        digest.update(f"\x00{table.name}\x00".encode())
        n = 0
        for row in _rows(conn, table):
            n += 1
            line = json.dumps([_canonical(v) for v in row], ensure_ascii=False, separators=(",", ":"))
            digest.update(line.encode() + b"\n")
        counts[table.name] = n
    return digest.hexdigest(), counts


def database_digest(target: Database | Path | str) -> tuple[str, dict[str, int]]:
    db = target if isinstance(target, Database) else open_database(target, migrate=False)
    try:
        with db.engine.connect() as conn:
            return content_digest(conn)
    finally:
        if db is not target:
            db.close()


def _prepare_target(target: str | Path) -> Database:
    """An empty database of the program's schema at ``target``; refused when it already holds anything."""
    if is_server_url(target):
        state = server_state(make_server_engine(target))
        if state.tables:
            raise UserError(f"目标数据库 {display_url(target)} 不是空的（已有数据表），没有复制。"
                            "请指定一个新建的空数据库。")
        upgrade_server(target)
        return open_database(target)
    path = Path(target)
    if path.exists() and path.stat().st_size > 0:
        raise UserError(f"目标文件 {path} 已存在，为免覆盖没有复制。请指定一个新的文件名。")
    return open_database(path)


def _set_sequences(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: move every serial id past the largest id copied explicitly."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}).scalar()
        if seq is None:
            continue
        top = conn.execute(select(func.max(pk[0]))).scalar()
        if top is None:
            conn.execute(text("SELECT setval(:s, 1, false)"), {"s": seq})
        else:
            conn.execute(text("SELECT setval(:s, :v, true)"), {"s": seq, "v": top})


def copy_database(source: Database, target: str | Path, progress=None) -> CopyResult:
    """Copy every row of ``source`` into a new, empty database at ``target`` (a URL or a file) and check it."""
    from sqlalchemy import inspect

    with source.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if inspect(
            conn).has_table("alembic_version") else None
    if revision != head_revision():
        raise UserError(f"源数据库的版本是 {revision}，本程序是 {head_revision()}：请先用本程序打开（升级）它再复制。")
    dest = _prepare_target(target)
    shown = dest.location
    try:
        with source.engine.connect() as src, dest.engine.begin() as out:
            tables = _tables(src)
            for n, table in enumerate(tables):
                if progress is not None:
                    progress(n, len(tables), table.name)
                result = _rows(src, table)
                while batch := result.fetchmany(CHUNK):
                    out.execute(table.insert(), [dict(r._mapping) for r in batch])
            if dest.engine.dialect.name == "postgresql":
                _set_sequences(out, tables)
        with source.engine.connect() as src:
            want, want_counts = content_digest(src)
        with dest.engine.connect() as conn:
            got, got_counts = content_digest(conn)
        if want_counts != got_counts or want != got:
            differ = [t for t in want_counts if want_counts[t] != got_counts.get(t)]
            raise UserError(f"复制到 {shown} 后校验不一致（{'、'.join(differ) or '内容不同'}），请不要使用这份复制。")
        return CopyResult(len(tables), sum(want_counts.values()), want, shown)
    finally:
        dest.close()


