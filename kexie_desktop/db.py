"""The one engine module: SQLite specifics (pragmas, BEGIN IMMEDIATE), PostgreSQL connections (issue 18),
migrations, backups.

Everything engine-specific lives here so the rest of the core stays portable SQL. SQLite is the default
(a file path); ``postgresql+psycopg://user@host:5432/kexie`` opens a city office's shared server database,
whose schema is only ever created or upgraded by the explicit ``db upgrade`` (``upgrade_server``).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .errors import UserError
from .instance_lock import pid_alive
from .paths import backup_dir

# A writer that finds the database locked gives up after this long and says who holds it (the lock
# is only ever held for one transaction, so a retry soon after succeeds).
BUSY_TIMEOUT_MS = 3_000
# PRAGMA application_id of the program's own databases ("KXIE"); any other SQLite file is refused.
APPLICATION_ID = 0x4B584945
# Tables every revision of the program's schema has (revision 0001 on).
OWN_TABLES = {"alembic_version", "office", "plan", "indicator", "target", "data_value", "activity"}

_SQLITE_KINDS = [
    ("database or disk is full", "full"),
    ("readonly database", "readonly"),
    ("database is locked", "locked"),
    ("database table is locked", "locked"),
    ("malformed", "damaged"),
    ("file is not a database", "not_database"),
    ("disk i/o error", "io"),
    ("unable to open database file", "cantopen"),
]


def sqlite_error_kind(exc: BaseException) -> str | None:
    """Which storage failure a driver error reports (full, readonly, locked, damaged, ...), if any."""
    if not isinstance(exc, sqlite3.Error):
        return None
    text = str(exc).lower()
    return next((kind for needle, kind in _SQLITE_KINDS if needle in text), None)


def _ro_uri(path: Path, immutable: bool) -> str:
    uri = f"file:{quote(path.resolve().as_posix())}?mode=ro"
    return uri + "&immutable=1" if immutable else uri


def _make_sqlite_engine(path: Path, *, read_only: bool = False, immutable: bool = False) -> Engine:
    timeout = BUSY_TIMEOUT_MS / 1000
    if read_only:
        uri = _ro_uri(path, immutable)
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=timeout,
                                                                           check_same_thread=False))
    else:
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the lock up front so two writers never deadlock half-way.
        mode = "DEFERRED" if read_only else conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """An opened, migrated database: ``write()`` and ``read()`` give transactional sessions.

    ``read_only`` (a Chinese reason) is set when the file, its folder or its disk cannot be written:
    reads work, ``write()`` refuses. A storage failure inside either is raised as a StorageError
    (UserError) with its Chinese sentence; once damage has been seen, writing stops.
    On a server database ``path`` is None and ``url`` is set; ``refusal`` is the whole Chinese sentence
    ``write()`` raises when this program may not write there (the schema is newer than the program).
    """

    def __init__(self, path: Path | None, engine: Engine, read_only: str | None = None, *,
                 url: str | None = None, refusal: str | None = None):
        self.path = Path(path) if path is not None else None
        self.url = url
        self.engine = engine
        self.read_only = read_only
        self.refusal = refusal
        self.damaged = False
        self._write = sessionmaker(engine, expire_on_commit=False)
        self._read = sessionmaker(
            engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False
        )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        from .storage_errors import DamagedDatabase, StorageError, damaged_message, readonly_message

        if self.refusal:
            raise StorageError(self.refusal, "revision")
        if self.damaged:
            raise DamagedDatabase(damaged_message(self.path))
        if self.read_only:
            raise StorageError(readonly_message(self.path, self.read_only), "readonly")
        with self._storage_errors():
            with self._write() as session, session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction; loaded objects stay usable after it ends (nothing is expired)."""
        with self._storage_errors():
            with self._read() as session, session.begin():
                yield session

    @property
    def on_server(self) -> bool:
        return self.url is not None

    @property
    def target(self) -> str:
        """What ``--db`` takes to open this database again: the file path or the full URL."""
        return self.url or str(self.path)

    @property
    def location(self) -> str:
        """Where the data live, for people: the file, or the server URL without a password."""
        return display_url(self.url) if self.url else str(self.path)

    @contextmanager
    def _storage_errors(self):
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.orm.exc import StaleDataError

        from .storage_errors import DamagedDatabase, StorageError, describe

        try:
            yield
        except StaleDataError as exc:  # a version counter moved under our UPDATE: another PC's edit won
            raise describe(exc) from exc
        except (DBAPIError, sqlite3.Error, OSError) as exc:
            if self.url:
                message = server_error_message(exc, self.url)
                if message:  # like a failing disk: a batch of imports stops instead of trying the next file
                    raise StorageError(message, "server") from exc
            err = describe(exc, self.path)
            if err is None:
                raise
            self.damaged = self.damaged or isinstance(err, DamagedDatabase)
            raise err from exc

    def close(self) -> None:
        self.engine.dispose()


def transaction_alive(session: Session) -> bool:
    """False when SQLite has already rolled the transaction back by itself (a full disk, an I/O
    error): then no savepoint exists any more and rolling one back would only hide the real error."""
    if session.get_bind().dialect.name != "sqlite":
        return True
    raw = session.connection().connection.dbapi_connection
    return bool(getattr(raw, "in_transaction", True))


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
    """A consistent copy of the database (sqlite3 online backup, so WAL content is included).

    Written under a temporary name and renamed when complete, so a copy cut short (a full disk,
    a killed process) never lies in ``backups/`` under a backup's name; a failed attempt is removed.
    """
    db_path = Path(db_path)
    if dest is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        folder = backup_dir(db_path)
        _remove_abandoned(folder, db_path.stem)
        dest = folder / f"{db_path.stem}-{reason}-{stamp}.db"
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    try:
        src = sqlite3.connect(str(db_path))
        try:
            out = sqlite3.connect(str(tmp))
            try:
                src.backup(out)
            finally:
                out.close()
        finally:
            src.close()
        os.replace(tmp, dest)
    except BaseException:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
        raise
    return dest


def _remove_abandoned(folder: Path, stem: str) -> None:
    """Partial copies left by a killed attempt; one whose process still runs is still being written."""
    for stale in folder.glob(f".{stem}-*.partial*"):
        pid = stale.name.rsplit(".partial", 1)[0].rsplit(".", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            stale.unlink(missing_ok=True)


@dataclass
class _FileState:
    application_id: int
    tables: set[str]
    revision: str | None
    check: str
    immutable: bool


def _inspect(path: Path) -> _FileState:
    """Read the file's identity and run the quick check, writing nothing (mode=ro).

    A WAL database in a folder where the -shm file cannot be created is read as immutable.
    """
    for immutable in (False, True):
        conn = sqlite3.connect(_ro_uri(path, immutable), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            check = conn.execute("PRAGMA quick_check(1)").fetchone()[0] if app_id == APPLICATION_ID or \
                OWN_TABLES <= tables else "ok"
            return _FileState(app_id, tables, revision, check, immutable)
        except sqlite3.OperationalError as exc:
            if immutable or sqlite_error_kind(exc) not in ("cantopen", "readonly", "io"):
                raise
        finally:
            conn.close()
    raise AssertionError("unreachable")


def _known_revisions() -> set[str]:
    return {p.name.split("_", 1)[0] for p in (migrations_dir() / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")}


def _check_ours(path: Path, state: _FileState) -> None:
    """Refuse another program's SQLite file and a damaged one, before anything is written to it."""
    from .storage_errors import DamagedDatabase, damaged_message, foreign_message

    if state.application_id not in (0, APPLICATION_ID):
        raise UserError(foreign_message(path, "它属于另一个程序"))
    ours = state.application_id == APPLICATION_ID or not state.tables or (
        OWN_TABLES <= state.tables and state.revision in _known_revisions())
    if not ours:
        if state.revision and OWN_TABLES <= state.tables:
            raise UserError(f"数据库 {path} 的版本 {state.revision} 比本程序新，程序没有改动它。请使用新版本的程序打开。")
        raise UserError(foreign_message(path, "其中没有本程序的数据表"))
    if state.check != "ok":
        raise DamagedDatabase(damaged_message(path))


def _read_only_reason(path: Path) -> str | None:
    """Why the database cannot be written here (Chinese), or None."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if hasattr(os, "statvfs") and os.statvfs(folder).f_flag & os.ST_RDONLY:
        return "所在的磁盘是只读的"
    if path.exists() and not os.access(path, os.W_OK):
        return "文件设为只读"
    if path.parent.exists() and not os.access(path.parent, os.W_OK):
        return "所在的文件夹不可写入，无法建立日志文件"
    return None


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    An existing file is first checked without writing to it: another program's SQLite file and a
    damaged one are refused untouched. One that cannot be written opens read-only. An existing file
    whose schema is older than the program is backed up first; the program's files get its
    application_id.
    """
    from .storage_errors import StorageError, describe, readonly_message

    if is_server_url(path):
        return open_server_database(path)
    path = Path(path)
    if path.exists() and path.is_dir():
        raise UserError(f"数据库路径 {path} 是一个文件夹，请指定一个文件。")
    try:
        existed = path.exists() and path.stat().st_size > 0
        state = None
        if existed:
            with open(path, "rb") as f:
                if f.read(16) != b"SQLite format 3\x00":
                    raise UserError(foreign_message_of(path))
            state = _inspect(path)
            _check_ours(path, state)
        read_only = _read_only_reason(path)
        if read_only:
            if state is None or not state.tables:
                raise StorageError(readonly_message(path, read_only), "readonly")
            if migrate and state.revision != head_revision():
                raise StorageError(readonly_message(path, read_only + "，而它需要先升级到本程序的版本"), "readonly")
            engine = _make_sqlite_engine(path, read_only=True, immutable=state.immutable)
            return Database(path, engine, read_only=read_only)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = _make_sqlite_engine(path)
        if migrate:
            current = current_revision(engine)
            if current != head_revision():
                if existed:
                    backup_file(path, reason="before-upgrade")
                upgrade(engine)
            if state is None or state.application_id != APPLICATION_ID:
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    except UserError:
        raise
    except Exception as exc:
        err = describe(exc, path)
        if err is None:
            raise
        raise err from exc
    return Database(path, engine)


def foreign_message_of(path: Path) -> str:
    from .storage_errors import foreign_message

    return foreign_message(path, "不是 SQLite 数据库文件")


# --- PostgreSQL (issue 18) -------------------------------------------------------------------------

SERVER_SCHEMES = ("postgresql", "postgresql+psycopg")
# The key of the session advisory lock that ``db upgrade`` holds ("KXIE" + "MIGR").
MIGRATION_LOCK = 0x4B5849454D494752
# The setting naming the program that last upgraded a server database (so an older one can say what to install).
PROGRAM_SETTING = "schema.program"


def is_server_url(target) -> bool:
    """True for a ``postgresql[+psycopg]://`` URL; anything else is a SQLite file path."""
    if not isinstance(target, str) or "://" not in target:
        return False
    return target.split("://", 1)[0].lower() in SERVER_SCHEMES


def _server_url(url: str):
    u = make_url(url)
    return u.set(drivername="postgresql+psycopg") if u.drivername == "postgresql" else u


def display_url(url: str) -> str:
    return _server_url(url).render_as_string(hide_password=True)


def make_server_engine(url: str, **kwargs) -> Engine:
    import platform

    connect_args = {"connect_timeout": 5, "application_name": f"kexie-desktop {platform.node()}"[:63]}
    return create_engine(_server_url(url), pool_pre_ping=True, connect_args=connect_args, **kwargs)


_SERVER_MESSAGES = [
    ("password authentication failed", "服务器数据库 {url} 拒绝登录：用户名或密码不对。请检查后重试。"),
    ('role "', "服务器数据库 {url} 拒绝登录：服务器上没有这个用户。请检查用户名后重试。"),
    ("no password supplied", "服务器数据库 {url} 需要密码，请输入密码后重试。"),
    ("does not exist", "服务器上没有数据库 {url}：请检查数据库名称，或请管理员先建立它（见 README“多人共用”）。"),
    ("connection refused", "无法连接数据库服务器 {url}：服务器没有运行，或端口不对。请检查后重试。"),
    ("invalid response to ssl negotiation",
     "无法连接数据库服务器 {url}：这个端口上运行的不是 PostgreSQL 服务器。请检查主机和端口后重试。"),
    ("timeout expired", "无法连接数据库服务器 {url}：连接超时（网络不通或服务器没有运行）。"),
    ("could not translate host name", "无法连接数据库服务器 {url}：找不到这台服务器（名称不对或网络不通）。"),
    ("server closed the connection", "与数据库服务器 {url} 的连接中断，本次操作没有保存。请检查网络后重试。"),
    ("connection is lost", "与数据库服务器 {url} 的连接中断，本次操作没有保存。请检查网络后重试。"),
    ("terminating connection", "与数据库服务器 {url} 的连接中断，本次操作没有保存。请检查网络后重试。"),
    ("permission denied", "服务器数据库 {url} 的用户没有所需的权限，本次操作没有保存。请管理员授予权限后重试。"),
]


def server_error_message(exc: BaseException, url: str) -> str | None:
    """One Chinese sentence for a connection or permission failure of the server, or None."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return None
    seen, e = set(), exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        orig = getattr(e, "orig", None)
        for candidate in (e, orig):
            if isinstance(candidate, (psycopg.OperationalError, psycopg.errors.InsufficientPrivilege)):
                text = str(candidate).lower()
                if isinstance(candidate, psycopg.errors.InsufficientPrivilege):
                    text = "permission denied"
                for needle, message in _SERVER_MESSAGES:
                    if needle in text:
                        return message.format(url=display_url(url))
                if isinstance(candidate, psycopg.OperationalError) and not isinstance(
                        candidate, psycopg.errors.QueryCanceled):
                    return f"无法使用数据库服务器 {display_url(url)}：{str(candidate).strip().splitlines()[0]}"
        e = e.__cause__ or e.__context__
    return None


@dataclass
class ServerState:
    tables: set[str]
    revision: str | None
    program: str | None  # who upgraded it last ("kexie-desktop 0.2.0"), when known


def server_state(engine: Engine) -> ServerState:
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = program = None
        if "alembic_version" in tables:
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        if "setting" in tables:
            import json

            raw = conn.exec_driver_sql("SELECT value FROM setting WHERE key = %(k)s", {"k": PROGRAM_SETTING}).scalar()
            program = json.loads(raw) if raw else None
    return ServerState(tables, revision, program)


def schema_kind(state: ServerState) -> str:
    """What a server database holds: "empty" (no tables), "foreign" (another program's tables), "newer" or
    "older" (this program's schema at another revision), or "current"."""
    if not state.tables:
        return "empty"
    if not OWN_TABLES <= state.tables:
        return "foreign"
    if state.revision not in _known_revisions():
        return "newer"
    return "older" if state.revision != head_revision() else "current"


def _program_name() -> str:
    from . import APP_NAME, __version__

    return f"{APP_NAME} {__version__}"


def open_server_database(url: str) -> Database:
    """Connect to a server database; it must already carry this program's schema (``db upgrade``).

    Another program's database is refused; one of an older schema revision asks for ``db upgrade``; one
    of a newer revision opens for reading only, naming the program version to install.
    """
    shown = display_url(url)
    engine = make_server_engine(url)
    try:
        state = server_state(engine)
    except Exception as exc:
        engine.dispose()
        message = server_error_message(exc, url)
        if message:
            raise UserError(message) from exc
        raise
    head = head_revision()
    problem = None
    refusal = None
    kind = schema_kind(state)
    if kind == "empty":
        problem = (f"服务器数据库 {shown} 还是空的：请先由一位管理员建立本程序的数据表"
                   f"（命令行：kexie db upgrade --db {shown}），再连接。")
    elif kind == "foreign":
        problem = f"服务器数据库 {shown} 属于另一个程序（其中没有本程序的数据表），程序没有改动它。请指定另一个数据库。"
    elif kind == "newer":
        who = state.program or f"能打开数据库版本 {state.revision} 的新版本程序"
        refusal = (f"服务器数据库 {shown} 的版本 {state.revision} 比本程序（{_program_name()}，数据库版本 {head}）新，"
                   f"本程序只能查看、不能修改。请安装 {who}（或更新的版本）。")
    elif kind == "older":
        problem = (f"服务器数据库 {shown} 的版本是 {state.revision}，本程序（{_program_name()}）需要版本 {head}："
                   f"请先备份，再由一位管理员升级（命令行：kexie db upgrade --db {shown}），其他人再连接。")
    if problem:
        engine.dispose()
        raise UserError(problem)
    return Database(None, engine, url=url, refusal=refusal)


def upgrade_server(url: str, after=None) -> bool:
    """``db upgrade`` on a server: migrate to the head under a session advisory lock, so that of two
    clients upgrading at once one migrates and the other waits, then finds nothing to do.

    ``after(connection)`` runs in the same transaction and under the same lock (loading the built-in
    plan). True when this call changed the schema.
    """
    engine = make_server_engine(url)
    try:
        state = server_state(engine)
        if state.tables and not OWN_TABLES <= state.tables and "alembic_version" not in state.tables:
            raise UserError(f"服务器数据库 {display_url(url)} 属于另一个程序（其中没有本程序的数据表），程序没有改动它。")
        if state.revision is not None and state.revision not in _known_revisions():
            raise UserError(f"服务器数据库 {display_url(url)} 的版本 {state.revision} 比本程序新，"
                            f"请使用 {state.program or '新版本的程序'}。")
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
            conn.commit()
            try:
                with conn.begin():
                    before = _revision_of(conn)
                    changed = before != head_revision()
                    if changed:
                        from alembic import command

                        command.upgrade(_alembic_config(conn), "head")
                    if after is not None:
                        after(conn)
                    if changed:
                        import json

                        conn.exec_driver_sql("DELETE FROM setting WHERE key = %(k)s", {"k": PROGRAM_SETTING})
                        conn.exec_driver_sql("INSERT INTO setting (key, value) VALUES (%(k)s, %(v)s)",
                                             {"k": PROGRAM_SETTING, "v": json.dumps(_program_name())})
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
                conn.commit()
        return changed
    except UserError:
        raise
    except Exception as exc:
        message = server_error_message(exc, url)
        if message:
            raise UserError(message) from exc
        raise
    finally:
        engine.dispose()


def _revision_of(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


# The class key of the per-unit import locks ("KXIM"); the unit's office code is the object key.
IMPORT_LOCK = 0x4B58494D


def lock_unit_import(session: Session, office_code: str, office_name: str = "") -> None:
    """On a server: imports of one unit's packages run one at a time (a transaction-scoped advisory
    lock, released at commit or rollback); a second clerk is told at once which PC is importing.
    On SQLite the write transaction (BEGIN IMMEDIATE) already admits one writer at a time."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    key = int(office_code) if office_code.isdigit() and int(office_code) < 2**31 else \
        int.from_bytes(office_code.encode()[:4].ljust(4, b"\0"), "big") & 0x7FFFFFFF
    got = session.execute(text_("SELECT pg_try_advisory_xact_lock(:c, :o)"), {"c": IMPORT_LOCK, "o": key}).scalar()
    if got:
        return
    holder = session.execute(text_(
        "SELECT a.application_name, host(a.client_addr) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.classid = :c AND l.objid = :o AND l.objsubid = 2 AND l.granted"),
        {"c": IMPORT_LOCK, "o": key}).first()
    who = "另一位同事"
    if holder is not None:
        pc = (holder[0] or "").removeprefix("kexie-desktop").strip()
        who = f"另一位同事（电脑 {pc or holder[1] or '未知'}）"
    raise UserError(f"{office_name or office_code}的数据包正由{who}导入，为免重复，这个文件没有导入。请等对方完成后再导入。")


def text_(sql: str):
    from sqlalchemy import text

    return text(sql)


@dataclass
class ServerSession:
    computer: str  # the PC's name the program gives the server (application_name)
    address: str  # the PC's address as the server sees it ("" over a local socket)
    since: dt.datetime
    state: str  # 空闲 / 正在工作


def server_sessions(db: Database) -> list[ServerSession]:
    """Who is connected to this server database with this program: one row per connection, oldest first
    (the per-file lock of a SQLite database has no such list: one program at a time)."""
    if not db.on_server:
        return []
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT application_name, coalesce(host(client_addr), ''), backend_start, state FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name LIKE 'kexie-desktop%%' "
            "AND pid <> pg_backend_pid() ORDER BY backend_start").all()
    return [ServerSession(name.removeprefix("kexie-desktop").strip(), addr,
                          since.astimezone().replace(tzinfo=None, microsecond=0) if since.tzinfo else since,
                          "正在工作" if state == "active" else "空闲")
            for name, addr, since, state in rows]
