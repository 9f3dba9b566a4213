"""Operations behind 总览: progress rows, the city overview, trend and ranking of one indicator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kexie_desktop import progress as engine
from kexie_desktop.services import offices, plan

from ..context import AppContext


@dataclass(frozen=True)
class OfficeOption:
    code: str
    label: str


@dataclass
class DashboardSetup:
    is_city: bool
    own_code: str
    offices: list[OfficeOption]  # the city: 全市汇总 + units; a unit: itself
    years: list[int]
    start: dt.date
    end: dt.date
    default_year: int
    default_as_of: dt.date


@dataclass
class DashboardData:
    office_code: str
    office_name: str
    consolidated: bool
    year: int
    as_of: dt.date
    rows: list[engine.ProgressRow]
    completeness: engine.Completeness
    # At the city installation: the whole city (every unit's rows), whichever office is shown, so
    # the ranking and heatmap always rest on the current figures.
    overview: engine.CityProgress | None


def load_setup(ctx: AppContext, today: dt.date | None = None) -> DashboardSetup:
    with ctx.db.read() as s:
        current = plan.current_plan(s)
        mine = offices.this_office(s) or offices.city(s)
        if mine.is_city:
            options = [OfficeOption(mine.code, "全市汇总（市科协＋各县区）")]
            options += [OfficeOption(u.code, u.name) for u in offices.units(s)]
        else:
            options = [OfficeOption(mine.code, mine.name)]
        as_of = engine.default_as_of(current, today=today)
        return DashboardSetup(
            mine.is_city, mine.code, options, list(current.years), dt.date(current.start_year, 1, 1),
            dt.date(current.end_year, 12, 31), as_of.year, as_of,
        )


def office_labels(ctx: AppContext, setup: DashboardSetup, year: int) -> list[str]:
    """The chooser's labels; at the city a unit whose last package of ``year`` was not approved is
    marked 未审核 (PRODUCT.md, "The reporting cycle")."""
    if not setup.is_city:
        return [o.label for o in setup.offices]
    with ctx.db.read() as s:
        from kexie_desktop.packages.pipeline.log import review_states  # here: the packages load openpyxl

        marks = review_states(s, year)
    return [f"{o.label}（未审核）" if marks.get(o.code) == "未审核" else o.label for o in setup.offices]


def load_dashboard(ctx: AppContext, office_code: str, year: int, as_of: dt.date,
                   with_city: bool = False) -> DashboardData:
    """Rows of one office; ``with_city`` (the city installation) also loads the whole city."""
    with ctx.db.read() as s:
        plan.show_year(s, year)  # an earlier plan's year: that plan's indicators and targets
        office = offices.resolve(s, office_code)
        overview = None
        if office.is_city or with_city:
            overview = engine.city_progress(s, year, as_of)
            rows = overview.city if office.is_city else overview.units[office.code]
        else:
            rows = engine.progress_for(s, office, year, as_of)
        return DashboardData(office.code, office.name, office.is_city, year, as_of, rows,
                             engine.completeness(rows), overview)


def load_trend(ctx: AppContext, indicator_code: str, office_code: str, year: int, as_of: dt.date) -> engine.Trend:
    with ctx.db.read() as s:
        plan.show_year(s, year)
        return engine.trend(s, plan.indicator(s, indicator_code), offices.resolve(s, office_code), year, as_of)


def overall_ranking(ctx: AppContext, overview: engine.CityProgress) -> list[engine.OverallRank]:
    with ctx.db.read() as s:
        weights = engine.ranking_weights(s)
    return engine.rank_overall(overview, weights)
