"""Database and file-system failures turned into one Chinese sentence: what went wrong, what to do.

The CLI's top-level handler, the GUI's error box and ``Database.write()`` all go through
``describe``; the full trace goes to the log, never to the user.
"""

from __future__ import annotations

import errno
from pathlib import Path

from .errors import StaleEdit, UserError


class StorageError(UserError):
    """The disk or the database file refused an operation; nothing of it was saved."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class DamagedDatabase(StorageError):
    def __init__(self, message: str):
        super().__init__(message, "damaged")


FULL_BELOW = 1 << 20  # bytes free under which a disk I/O error is taken as a full disk
NOT_SAVED = "本次操作没有保存任何数据（数据库保持原样）"
STALE = "这条数据刚被另一台电脑上的用户修改，本次修改没有保存，已重新读取，请核对后再改。"

_OS_KINDS = {errno.ENOSPC: "full", errno.EROFS: "readonly_fs", errno.EACCES: "denied", errno.EPERM: "denied",
             errno.EIO: "io"}
if hasattr(errno, "EDQUOT"):
    _OS_KINDS[errno.EDQUOT] = "full"


def _unique_race(exc: BaseException) -> bool:
    from sqlalchemy.exc import IntegrityError

    if not isinstance(exc, IntegrityError) or not (exc.statement or "").lstrip().upper().startswith("INSERT"):
        return False  # an UPDATE breaking a unique index is a bug, not two clerks creating one row
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == "23505":  # psycopg: unique_violation
        return True
    return "UNIQUE constraint failed" in str(orig)  # sqlite3


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
        exc = exc.__cause__ or exc.__context__


def kind_of(exc: BaseException) -> tuple[str, BaseException] | None:
    """The storage failure behind ``exc`` (following causes), and the error that says so."""
    from .db import sqlite_error_kind

    for e in _chain(exc):
        if isinstance(e, UserError):
            return None
        kind = sqlite_error_kind(e)
        if kind is None and isinstance(e, OSError):
            kind = _OS_KINDS.get(e.errno)
        if kind is not None:
            return kind, e
    return None


def _nearly_full(db_path: Path) -> bool:
    import shutil

    try:
        return shutil.disk_usage(db_path.resolve().parent).free < FULL_BELOW
    except OSError:
        return False


def latest_backup(db_path: Path | str) -> Path | None:
    """The newest automatic backup beside the database (backups/*.db), if any."""
    folder = Path(db_path).resolve().parent / "backups"
    try:
        files = [p for p in folder.glob("*.db") if p.is_file()]
    except OSError:
        return None
    return max(files, key=lambda p: p.stat().st_mtime, default=None)


def damaged_message(db_path: Path | str) -> str:
    backup = latest_backup(db_path)
    where = (f"最近的自动备份是 {backup}" if backup else "备份文件夹里没有自动备份，请用您自己保存的备份")
    return (f"数据库文件 {db_path} 已损坏，为免损坏扩大，程序已停止写入。请在“数据交换”页用“恢复”"
            f"（命令行：restore 备份文件）恢复数据库；{where}。")


def foreign_message(db_path: Path | str, detail: str = "") -> str:
    why = f"（{detail}）" if detail else ""
    return (f"文件 {db_path} 不是本程序的数据库{why}，程序没有改动它。"
            "请用 --db 指定本程序的数据库文件，或指定一个新的文件名。")


def locked_message(db_path: Path | str | None) -> str:
    from .instance_lock import owner

    holder = owner(db_path) if db_path else None
    who = holder.describe() if holder else "另一个程序"
    return f"数据库正由{who}写入，{NOT_SAVED}。请等它完成（或关闭它）后重试。"


def readonly_message(db_path: Path | str | None, reason: str = "") -> str:
    why = reason or "文件或所在的磁盘是只读的"
    return (f"无法保存：数据库 {db_path or ''} 不能写入（{why}）。可以查看数据，但不能修改。"
            "请取消只读属性或把数据库复制到可写的文件夹后重试。")


def describe(exc: BaseException, db_path: Path | str | None = None) -> UserError | None:
    """One Chinese sentence for a storage failure behind ``exc``; None when it is something else."""
    if isinstance(exc, UserError):
        return exc
    from sqlalchemy.orm.exc import StaleDataError

    if any(isinstance(e, StaleDataError) for e in _chain(exc)):
        # The version counter moved between our read and our write (issue 18): the row is someone else's now.
        return StaleEdit(STALE)
    if _unique_race(exc):
        # The services check uniqueness before they insert, so a unique violation of an INSERT is another
        # clerk creating the same row (e.g. the same empty cell) at the same moment: as stale as a moved counter.
        return StaleEdit(STALE)
    found = kind_of(exc)
    if found is None:
        return None
    kind, source = found
    if kind == "io" and db_path and _nearly_full(Path(db_path)):
        kind = "full"  # SQLite reports a full disk while growing its -shm/-wal files as an I/O error
    filename = getattr(source, "filename", None) if isinstance(source, OSError) else None
    target = filename or db_path or ""
    if kind == "full":
        text = f"磁盘空间已满，{NOT_SAVED}。请清理磁盘（{Path(target).parent if target else '数据所在的磁盘'}）后重试。"
    elif kind in ("readonly", "readonly_fs"):
        reason = "所在的磁盘是只读的" if kind == "readonly_fs" else ""
        text = readonly_message(db_path or filename, reason)
    elif kind == "denied":
        text = f"没有权限写入 {target}，{NOT_SAVED}。请检查文件和文件夹的权限后重试。"
    elif kind == "locked":
        text = locked_message(db_path)
    elif kind == "damaged":
        return DamagedDatabase(damaged_message(db_path or target))
    elif kind == "not_database":
        text = foreign_message(db_path or target, "不是 SQLite 数据库文件，或已严重损坏")
    elif kind == "cantopen":
        text = f"无法打开数据库文件 {target}（文件或文件夹不存在、不可访问）。请检查路径和权限后重试。"
    else:  # io
        text = f"读写 {target} 时出现磁盘错误，本次操作没有完成。请检查磁盘（或U盘是否已拔出）后重试。"
    return StorageError(text, kind)
