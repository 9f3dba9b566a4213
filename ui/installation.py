"""This installation, as the shell and several pages see it: its office and people, the working year,
the changes not yet sent, and filling in demo data. Feature pages have their own ``operations`` modules;
like them, each function here opens one transaction through the AppContext and returns plain rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from kexie_desktop.services import offices, plan

from .context import AppContext


@dataclass(frozen=True)
class OfficeChoice:
    """An office as the pages offer it (wizard, targets, status bar)."""

    code: str
    name: str
    short_name: str
    is_city: bool

    @classmethod
    def of(cls, office) -> OfficeChoice:
        return cls(office.code, office.name, office.short_name, office.is_city)


@dataclass(frozen=True)
class Installation:
    office: OfficeChoice | None
    filler: str
    reviewer: str
    phone: str
    demo_data: bool
    has_data: bool


def load_installation(ctx: AppContext) -> Installation:
    from kexie_desktop.services import demo, settings

    with ctx.db.read() as s:
        mine = offices.this_office(s)
        people = settings.people(s)
        return Installation(
            office=OfficeChoice.of(mine) if mine else None,
            filler=people.filler,
            reviewer=people.reviewer,
            phone=people.phone,
            demo_data=bool(settings.get(s, "demo_data")),
            has_data=demo.has_data(s),
        )


def clear_demo(ctx: AppContext) -> dict:
    """工具 → 清除演示数据: a backup first; every demo row goes, the real ones stay (one transaction)."""
    from kexie_desktop.db import backup_file
    from kexie_desktop.services import demo

    with ctx.db.read() as s:
        demo.require_demo(s)
    if not ctx.db.on_server:  # a server database is backed up by its administrator
        backup_file(ctx.db.path, reason="before-clear-demo")
    with ctx.db.write() as s:
        counts, changes = demo.clear_demo(s)
    ctx.notify(changes)
    return counts


def fill_demo(ctx: AppContext, progress) -> dict:
    """Runs in a worker thread (no widgets here)."""
    from kexie_desktop.services import demo

    with ctx.db.write() as s:
        return demo.fill_demo(s, progress)


def unsent_changes(ctx: AppContext) -> int:
    from kexie_desktop.packages.pipeline.log import unsent_changes as count

    with ctx.db.read() as s:
        office = offices.this_office(s)
        return count(s, office) if office else 0


def working_year(ctx: AppContext) -> int:
    """This year, clamped to the plan period (after 2020 the last plan year)."""
    import datetime as dt

    with ctx.db.read() as s:
        current = plan.current_plan(s)
        return min(max(dt.date.today().year, current.start_year), current.end_year)


def delivery_line(ctx: AppContext, year: int) -> tuple[str, list[str]] | None:
    """The status bar's 报送 of ``year`` ("2020年报送：1—6月市已接收，7月已退回") and the packages waiting a
    week or more for the city's answer; None at the city or before an office is chosen."""
    from kexie_desktop.review import delivery

    with ctx.db.read() as s:
        office = offices.this_office(s)
        if office is None or office.is_city:
            return None
        d = delivery.year_delivery(s, office, year)
        return delivery.summary_text(d), [w.text for w in d.waiting]
