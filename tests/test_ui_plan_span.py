"""Issue 17, scope 1: every page's year choice spans the plans; an earlier plan's year shows that plan's
indicators, targets, data and reports read-only, every edit disabled with "2018—2020年计划已结束，只能查看"."""

from __future__ import annotations

import datetime as dt

import pytest

from kexie_desktop import progress as engine
from kexie_desktop.services import offices, plan
from tests.two_plans import ENDED, NEW, OLD, add_new_plan, as_office, choose_year


def old_progress(ctx, office: str, year: int) -> dict:
    """(actual, target) per indicator on the old plan, computed before the new plan exists."""
    with ctx.db.read() as s:
        rows = engine.progress_for(s, offices.resolve(s, office), year, dt.date(year, 12, 31))
        return {r.code: (r.actual, r.target) for r in rows}


# --- 总览 --------------------------------------------------------------------------------------------
def test_dashboard_lists_both_plans_and_shows_2020_of_the_old_one(qtbot, demo_ctx):
    from ui.dashboard.page import DashboardPage

    as_office(demo_ctx, "海州区")
    before = old_progress(demo_ctx, "海州区", 2020)
    add_new_plan(demo_ctx)
    page = DashboardPage(demo_ctx)
    qtbot.addWidget(page)
    labels = [page.year.itemText(i) for i in range(page.year.count()) if page.year.itemData(i) is not None]
    assert labels == ["2021年", "2022年", "2023年", "2024年", "2025年",
                      "2018年（2018—2020年计划）", "2019年（2018—2020年计划）", "2020年（2018—2020年计划）"]
    assert page.year.currentData() == 2025 and page.plan_note.isHidden()
    choose_year(qtbot, page.year, 2020)
    assert page.as_of.date().toString("yyyy-MM-dd") == "2020-12-31"
    assert {r.code: (r.actual, r.target) for r in page.data.rows} == before
    assert page.plan_note.text() == ENDED and not page.plan_note.isHidden()
    assert page.summary.text().startswith("海州区科协 2020年，截至 2020-12-31：已填报 47/47 项有目标的指标。")
    choose_year(qtbot, page.year, 2021)
    assert page.plan_note.isHidden()
    assert page.summary.text().startswith("海州区科协 2021年，截至 2021-12-31：已填报 1/47 项有目标的指标。已完成 1 项")  # a carried-over level
