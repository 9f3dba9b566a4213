"""Another PC on the same database, for the issue-18 tests: 张三 changes something there at 10:31."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import update

from kexie_desktop.models import AuditEntry
from kexie_desktop.startup import open_app_database

REFUSED = "这条数据已被 张三 于 2026-12-02 10:31 在另一台电脑上修改，已重新读取，请核对后再改。"


def stamp(s, key: str) -> None:
    """The audit time of the other clerk's edit of ``key``, fixed at 10:31 so that the refusal is exact."""
    s.execute(update(AuditEntry).where(AuditEntry.entity_key == key).values(at=dt.datetime(2026, 12, 2, 10, 31)))


def on_other_pc(ctx, action, key: str) -> None:
    """张三 on another PC runs ``action(session)`` and its audit entry for ``key`` is stamped 10:31."""
    other = open_app_database(ctx.db.target)
    try:
        with other.write() as s:
            action(s)
            stamp(s, key)
    finally:
        other.close()


def collect_warnings(monkeypatch) -> list:
    """The (title, text) of every QMessageBox.warning from now on."""
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append((title, text)))
    return shown


def audit_count(ctx) -> int:
    from sqlalchemy import func, select

    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))
