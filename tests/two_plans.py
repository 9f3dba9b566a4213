"""Two plans in one database for the pages' tests: the demo data's 2018—2020 plan and its copy 2021—2025,
published and made current (issue 17: every page shows an earlier plan's year read-only)."""

from __future__ import annotations

from kexie_desktop.services import offices, plan, plan_authoring

OLD = "LYG-KX-2018-2020"
NEW = "LYG-KX-2021-2025"
ENDED = "2018—2020年计划已结束，只能查看"


def as_office(ctx, office: str) -> None:
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, office))


def add_new_plan(ctx) -> None:
    """Copy the built-in plan to 2021—2025, publish it and make it current (as ``plan copy/publish/use``)."""
    with ctx.db.write() as s:
        new = plan_authoring.copy_plan(s, plan.plan_by_code(s, OLD), NEW, "新一轮计划（2021—2025年）", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        changes = plan_authoring.use_plan(s, new)
    ctx.notify(changes)  # after the commit, as the program's operations do


def choose_year(qtbot, combo, year: int) -> None:
    """Pick ``year`` as a user does: the popup's item, which emits ``activated``."""
    index = combo.findData(year)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
