"""首次使用 in the operations layer: the offices to choose from and recording the choice."""

from __future__ import annotations

from kexie_desktop.services import offices

from ..context import AppContext
from ..installation import OfficeChoice


def list_offices(ctx: AppContext) -> list[OfficeChoice]:
    with ctx.db.read() as s:
        return [OfficeChoice.of(o) for o in offices.all_offices(s)]


def initialise(ctx: AppContext, office_code: str, filler: str, reviewer: str, phone: str) -> None:
    """First start: this installation's office and the people who fill in and review."""
    from kexie_desktop.services import settings

    with ctx.db.write() as s:
        changes = offices.set_this_office(s, offices.resolve(s, office_code))
        settings.put_people(s, settings.People(filler, reviewer, phone))
    ctx.notify(changes)
