"""A clerk's connection to the city office's server database (issue 18): the profile this PC keeps
(host, port, database, user; never the password), the 测试连接 check with one Chinese line per outcome,
and the password in the system keyring when this PC has a usable one.

The profile is stored by the GUI in the PC's settings; this module only turns it into a URL and back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.engine import URL

from .errors import UserError

DEFAULT_PORT = 5432
# The keyring service name; the entry's user name is the profile's ``key``.
KEYRING_SERVICE = "kexie-desktop"


@dataclass(frozen=True)
class ServerProfile:
    host: str
    port: int = DEFAULT_PORT
    database: str = "kexie"
    user: str = ""
    # Whether the server asked for a password when the connection was tested (a server that trusts
    # this PC needs none, so nothing is asked at each start).
    needs_password: bool = True

    def checked(self) -> "ServerProfile":
        """The profile with its texts trimmed; a missing field is refused in one Chinese line."""
        trimmed = ServerProfile(self.host.strip(), int(self.port), self.database.strip(), self.user.strip(),
                                self.needs_password)
        for value, name in ((trimmed.host, "主机"), (trimmed.database, "数据库"), (trimmed.user, "用户")):
            if not value:
                raise UserError(f"请填写{name}。")
        if not 1 <= trimmed.port <= 65535:
            raise UserError("端口应在 1—65535 之间。")
        return trimmed

    def url(self, password: str | None = None) -> str:
        """The ``--db`` URL (with the password only when given: it is never written anywhere)."""
        url = URL.create("postgresql+psycopg", username=self.user, password=password or None, host=self.host,
                         port=self.port, database=self.database)
        return url.render_as_string(hide_password=False)

    @property
    def key(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ServerProfile":
        return cls(str(data["host"]), int(data.get("port", DEFAULT_PORT)), str(data["database"]), str(data["user"]),
                   bool(data.get("needs_password", True)))


@dataclass(frozen=True)
class ConnectionCheck:
    kind: str  # ok, error, empty, foreign, older, newer
    message: str  # one Chinese line
    server_version: str = ""
    needs_password: bool = True

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def check_connection(profile: ServerProfile, password: str) -> ConnectionCheck:
    """测试连接: connect, look at what the database holds, and say it in one line."""
    from . import db as dbmod

    url = profile.url(password)
    shown = dbmod.display_url(url)
    engine = dbmod.make_server_engine(url)
    try:
        state = dbmod.server_state(engine)
        with engine.connect() as conn:
            version = str(conn.exec_driver_sql("SHOW server_version").scalar()).split()[0]
        needs_password = bool(password)  # it connected without one: the server trusts this PC
    except Exception as exc:
        message = dbmod.server_error_message(exc, url)
        if message is None:
            raise
        return ConnectionCheck("error", message)
    finally:
        engine.dispose()
    kind = dbmod.schema_kind(state)
    if kind == "empty":
        return ConnectionCheck("empty", f"已连接 PostgreSQL {version}，但数据库 {shown} 还是空的：可以在这里建立本程序的数据表"
                                        f"（即「数据库升级」）。", version, needs_password)
    if kind == "foreign":
        return ConnectionCheck("foreign", f"数据库 {shown} 属于另一个程序（其中没有本程序的数据表），程序没有改动它。"
                                          f"请指定另一个数据库。", version, needs_password)
    if kind == "older":
        return ConnectionCheck("older", f"数据库 {shown} 的版本 {state.revision} 比本程序需要的 {dbmod.head_revision()} 旧："
                                        f"请先在一台电脑上运行「数据库升级」（命令行：kexie db upgrade --db {shown}），"
                                        f"再连接。", version, needs_password)
    if kind == "newer":
        who = state.program or f"能打开数据库版本 {state.revision} 的新版本程序"
        return ConnectionCheck("newer", f"数据库 {shown} 的版本 {state.revision} 比本程序（{dbmod._program_name()}）新："
                                        f"请安装 {who}（或更新的版本）后再连接。", version, needs_password)
    return ConnectionCheck("ok", f"连接成功：PostgreSQL {version}，{_contents(url)}。", version, needs_password)


def _contents(url: str) -> str:
    """The unit and the plan a current database holds, in words."""
    from .db import open_server_database
    from .services import offices, plan

    database = open_server_database(url)
    try:
        with database.read() as s:
            office = offices.this_office(s)
            current = plan.active_plan(s)
            return f"单位：{office.name if office else '尚未设定'}，计划：{current.name}"
    finally:
        database.close()


def create_schema(profile: ServerProfile, password: str) -> None:
    """建立数据表 on an empty server database: the same as ``db upgrade`` (under its advisory lock)."""
    from .startup import upgrade_app_database

    upgrade_app_database(profile.url(password))


# --- the password in the system keyring ------------------------------------------------------------

def keyring_usable() -> bool:
    """True when ``keyring`` is installed and has a real backend (Windows Credential Manager, macOS
    Keychain, Secret Service); its fail or null backend (a Linux PC without a keyring daemon) is not."""
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken backend configuration is no keyring
        return False
    return not isinstance(backend, (fail.Keyring, null.Keyring))


def store_password(profile: ServerProfile, password: str) -> bool:
    """Keep the password in the keyring; False (nothing stored anywhere) without a usable one."""
    if not keyring_usable():
        return False
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, profile.key, password)
    except Exception:  # noqa: BLE001 - a locked or refusing keyring: the password is asked at start instead
        return False
    return True


def stored_password(profile: ServerProfile) -> str | None:
    if not keyring_usable():
        return None
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, profile.key)
    except Exception:  # noqa: BLE001 - unreadable keyring: ask
        return None


def forget_password(profile: ServerProfile) -> None:
    if not keyring_usable():
        return
    import keyring

    try:
        keyring.delete_password(KEYRING_SERVICE, profile.key)
    except Exception:  # noqa: BLE001 - nothing stored
        pass
