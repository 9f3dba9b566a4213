"""Backing up the database to a file of the user's choice, and restoring one after checking it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .db import Database, backup_file, migrations_dir
from . import instance_lock
from .errors import UserError

SQLITE_HEADER = b"SQLite format 3\x00"
SERVER_BACKUP = ("服务器数据库由管理员在服务器上备份和恢复（pg_dump / pg_restore），本程序不备份它；"
                 "也可以用 copy-db --to 新文件.db 把它复制成一个 SQLite 文件。")
REQUIRED_TABLES = {"alembic_version", "office", "plan", "indicator", "target", "data_value", "activity", "setting"}


def backup_database(db: Database, dest: Path | str) -> Path:
    if db.on_server:
        raise UserError(SERVER_BACKUP)
    dest = Path(dest)
    if dest.exists():
        raise UserError(f"文件 {dest} 已存在。为免覆盖，请换一个文件名。")
    dest.parent.mkdir(parents=True, exist_ok=True)
    return backup_file(db.path, dest=dest)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory(str(migrations_dir())).walk_revisions()}


def check_database_file(path: Path) -> str:
    """The schema revision of a kexie database file; UserError (Chinese) for anything else."""
    name = Path(path).name
    if not Path(path).is_file():
        raise UserError(f"文件 {path} 不存在。")
    with open(path, "rb") as f:
        if f.read(16) != SQLITE_HEADER:
            raise UserError(f"文件“{name}”不是本程序的数据库（不是 SQLite 数据库文件），未恢复。")
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve().as_posix()}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise UserError(f"数据库文件“{name}”已损坏（完整性检查未通过），未恢复。")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            missing = REQUIRED_TABLES - tables
            if missing:
                raise UserError(f"文件“{name}”不是本程序的数据库（缺少表 {'、'.join(sorted(missing))}），未恢复。")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"文件“{name}”无法作为数据库读取（{exc}），未恢复。") from None
    if revision is None or revision[0] not in _known_revisions():
        shown = revision[0] if revision else "（空）"
        raise UserError(f"数据库“{name}”的版本 {shown} 不是本程序认识的版本（可能来自更新版本的程序），未恢复。")
    return revision[0]


@dataclass
class RestoreResult:
    restored_from: Path
    previous_backup: Path | None
    revision: str

    @property
    def message(self) -> str:
        saved = f"原数据库已备份到 {self.previous_backup}。" if self.previous_backup else ""
        return f"已从 {self.restored_from} 恢复数据库。{saved}"


def restore_database(db_path: Path | str, source: Path | str) -> RestoreResult:
    """Replace the database at ``db_path`` by ``source``. Close every connection to it first.

    The source is checked, and the current database backed up, before anything is replaced.
    """
    db_path, source = Path(db_path), Path(source)
    holder = instance_lock.owner(db_path)
    if holder is not None:  # the same lock as the GUI's second-instance check
        raise UserError(f"数据库正由{holder.describe()}打开，不能在它运行时恢复。请先关闭那个窗口，再恢复。")
    if db_path.exists() and source.resolve() == db_path.resolve():
        raise UserError("要恢复的文件就是当前数据库本身。")
    revision = check_database_file(source)
    previous = None
    if db_path.exists() and db_path.stat().st_size > 0:
        previous = backup_file(db_path, reason="before-restore")
    src = sqlite3.connect(f"file:{source.resolve().as_posix()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(db_path))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return RestoreResult(source, previous, revision)
