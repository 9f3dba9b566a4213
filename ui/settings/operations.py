"""设置 in the operations layer: the people on the package covers, the status thresholds, and which database
this PC opens at start (a saved server profile or the local file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kexie_desktop.changes import Changes

from ..context import AppContext

if TYPE_CHECKING:
    from kexie_desktop.server_profile import ServerProfile


@dataclass(frozen=True)
class Thresholds:
    behind: float
    serious: float


def load_thresholds(ctx: AppContext) -> Thresholds:
    from kexie_desktop.services import settings

    with ctx.db.read() as s:
        return Thresholds(float(settings.get(s, "threshold_behind")), float(settings.get(s, "threshold_serious")))


def load_versions(ctx: AppContext) -> dict[str, int]:
    """The versions of the settings the page shows (people and thresholds), for ``save_settings(seen=...)``."""
    from kexie_desktop.services import settings

    with ctx.db.read() as s:
        return settings.versions(s, settings.PEOPLE_KEYS + settings.THRESHOLD_KEYS)


def save_settings(ctx: AppContext, filler: str, reviewer: str, phone: str, thresholds: Thresholds | None,
                  seen: dict[str, int] | None = None) -> None:
    """People on the cover of packages; thresholds only at the city office. ``seen`` (``load_versions``):
    a setting changed on another PC since refuses the save (StaleEdit); every change is audited."""
    from kexie_desktop.services import settings

    with ctx.db.write() as s:
        user = settings.audit_user(s, "设置")
        settings.put_people(s, settings.People(filler, reviewer, phone), seen=seen, user=user)
        if thresholds is not None:
            settings.put_thresholds(s, thresholds.behind, thresholds.serious, seen=seen, user=user)
    ctx.notify(Changes(settings=True))


def has_review_password(ctx: AppContext) -> bool:
    from kexie_desktop.review import states

    with ctx.db.read() as s:
        return states.has_password(s)


def set_review_password(ctx: AppContext, new: str, old: str | None) -> None:
    """Set, change or (``new`` empty) remove the 审核密码; the old one is checked by the core."""
    from kexie_desktop.review import states

    with ctx.db.write() as s:
        changes = states.set_password(s, new, old=old)
    ctx.notify(changes)


def connected_computers(ctx: AppContext) -> list[str]:
    """On a server database: the other connections of this program, one line each (PC, address, since)."""
    from kexie_desktop.db import server_sessions

    return [f"{r.computer or '未知电脑'}（{r.address or '本机'}，自 {r.since:%m-%d %H:%M}，{r.state}）"
            for r in server_sessions(ctx.db)]


# --- 连接服务器数据库 (issue 18): the profile lives in this PC's QSettings, never the password -------------

SERVER_PROFILE_KEY = "database/server_profile"


def saved_server(settings) -> "ServerProfile | None":
    """The server database this PC opens at start instead of the local SQLite file, if one was saved."""
    import json

    from kexie_desktop.server_profile import ServerProfile

    raw = settings.value(SERVER_PROFILE_KEY, "")
    if not raw:
        return None
    try:
        return ServerProfile.from_dict(json.loads(raw))
    except (ValueError, KeyError, TypeError):  # a damaged entry: back to the local database
        return None


def save_server(settings, profile: "ServerProfile", password: str) -> bool:
    """Remember the profile for the next start; the password goes to the keyring when there is a usable
    one (True), else nowhere (it is asked at each start)."""
    import json

    from kexie_desktop import server_profile

    in_keyring = bool(password) and server_profile.store_password(profile, password)
    settings.setValue(SERVER_PROFILE_KEY, json.dumps(profile.to_dict(), ensure_ascii=False))
    settings.sync()
    return in_keyring


def forget_server(settings) -> None:
    """改回本机数据库: the next start opens the local SQLite file again."""
    from kexie_desktop import server_profile

    profile = saved_server(settings)
    if profile is not None:
        server_profile.forget_password(profile)
    settings.remove(SERVER_PROFILE_KEY)
    settings.sync()


def check_server(profile: "ServerProfile", password: str):
    """测试连接 (in a worker thread): a ConnectionCheck with its one Chinese line."""
    from kexie_desktop.server_profile import check_connection

    return check_connection(profile.checked(), password)


def create_server_schema(profile: "ServerProfile", password: str) -> None:
    """建立数据表 on an empty server database (= db upgrade, in a worker thread)."""
    from kexie_desktop.server_profile import create_schema

    create_schema(profile.checked(), password)


def start_target(db_arg: str | None, settings, ask_password) -> str | None:
    """What the GUI opens at start: ``--db`` when given, else the saved server profile (its password from
    the keyring or ``ask_password(profile)``; None there means the user gave up: returns ""), else None
    (the local SQLite default)."""
    if db_arg:
        return db_arg
    profile = saved_server(settings)
    if profile is None:
        return None
    from kexie_desktop import server_profile

    password = ""
    if profile.needs_password:
        password = server_profile.stored_password(profile)
        if password is None:
            password = ask_password(profile)
            if password is None:
                return ""
    return profile.url(password)
