"""设置 in the operations layer: the people on the package covers and the status thresholds."""

from __future__ import annotations

from dataclasses import dataclass

from kexie_desktop.changes import Changes

from ..context import AppContext


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
