"""The plan catalogue: loading the built-in 2018—2020 plan and looking indicators up."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import ActivityType, ActivityTypeIndicator, Indicator, Plan, Section, ValidationRule
from ..paths import resource_path
from ..task_models import PlanTask

BUILTIN_PLAN_FILE = ("plan", "plan_2018_2020.json")
PLAN_TEXT_FILE = ("plan", "plan_text.txt")


@lru_cache(maxsize=1)
def builtin_catalogue() -> dict:
    return json.loads(resource_path(*BUILTIN_PLAN_FILE).read_text(encoding="utf-8"))


def plan_text() -> str:
    return resource_path(*PLAN_TEXT_FILE).read_text(encoding="utf-8")


def plan_text_of(plan: Plan) -> str:
    """A plan's own text; the built-in plan's lives in the resources."""
    return plan.text if plan.text is not None else plan_text()


def load_catalogue(s: Session, data: dict) -> Changes:
    """Insert a plan catalogue (plan, sections, activity types, indicators, city targets, 审核 rules)."""
    from . import offices  # local: offices depends on settings only

    meta = data["plan"]
    if s.scalars(select(Plan).where(Plan.code == meta["code"])).first() is not None:
        return Changes()
    plan = Plan(code=meta["code"], name=meta["name"], start_year=meta["start_year"], end_year=meta["end_year"],
                version=meta.get("version", 1))
    s.add(plan)
    sections = _add_sections(s, plan, data["sections"])
    types = _add_activity_types(s, data.get("activity_types", []))
    city = offices.city(s)
    for order, row in enumerate(data["indicators"]):
        indicator = _add_indicator(s, plan, sections[row["section"]], types, order, row)
        _add_city_targets(s, plan, indicator, city, row)
    load_rules(s, plan, data.get("rules", []))
    load_tasks(s, plan, sections, data.get("tasks", []))
    s.flush()
    return Changes(plan=True)


def _add_sections(s: Session, plan: Plan, rows: list[dict]) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    for order, row in enumerate(rows):
        section = Section(plan=plan, code=row["code"], name=row["name"], sort_order=order,
                          parent=sections.get(row["parent"]) if row.get("parent") else None)
        s.add(section)
        sections[row["code"]] = section
    return sections


def _add_activity_types(s: Session, rows: list[dict]) -> dict[str, ActivityType]:
    """The catalogue's activity types that this database does not have yet; all of them by code."""
    types = {t.code: t for t in s.scalars(select(ActivityType))}
    for order, row in enumerate(rows):
        if row["code"] not in types:
            types[row["code"]] = ActivityType(code=row["code"], name=row["name"], sort_order=order)
            s.add(types[row["code"]])
    return types


def _add_indicator(s: Session, plan: Plan, section: Section, types: dict, order: int, row: dict) -> Indicator:
    """One indicator with its ledger links (which activity types count towards it, and how)."""
    sources = row["sources"]
    indicator = Indicator(
        plan=plan, section=section, code=row["code"], name=row["name"], unit=row["unit"], kind=row["kind"],
        period=row["period"], aggregation=row["aggregation"], entry=row["entry"], covers=row.get("covers"),
        covers_units=bool(row.get("covers_units", False)), phrase=row["phrase"], source=sources[0], other_sources=json.dumps(sources[1:], ensure_ascii=False),
        signed=bool(row.get("signed", False)), sort_order=order,
    )
    s.add(indicator)
    for link in row.get("ledger") or []:
        s.add(ActivityTypeIndicator(activity_type=types[link["type"]], indicator=indicator, measure=link["measure"]))
    s.flush()
    return indicator


def _add_city_targets(s: Session, plan: Plan, indicator: Indicator, city, row: dict) -> None:
    from .targets import put_target  # local to keep module import order simple

    lower, upper = row["target"], row.get("target_max")
    bounds = dict(min_value=lower, max_value=upper) if row["kind"] == "range" else {}
    for year in target_years(plan, indicator):
        put_target(s, indicator, city, year, lower, user="内置计划", source="builtin", **bounds)


def load_rules(s: Session, plan: Plan, rows: list[dict]) -> None:
    """The plan's validation rules (审核规则), kept as data beside its indicators."""
    for order, row in enumerate(rows):
        s.add(
            ValidationRule(
                plan_id=plan.id, code=row["code"], check=row["check"], severity=row["severity"],
                indicators=json.dumps(row.get("indicators", []), ensure_ascii=False),
                params=json.dumps(row.get("params", {}), ensure_ascii=False),
                message=row["message"], active=row.get("active", True), sort_order=order,
            )
        )


def load_tasks(s: Session, plan: Plan, sections: dict[str, Section], rows: list[dict]) -> None:
    """The plan's qualitative tasks (工作清单), kept as data beside its indicators."""
    for order, row in enumerate(rows):
        s.add(
            PlanTask(
                plan_id=plan.id, code=row["code"], section=sections[row["section"]], name=row["name"],
                sentence=row["sentence"], carriers=json.dumps(row["carriers"], ensure_ascii=False),
                due=dt.date.fromisoformat(row["due"]), indicators=json.dumps(row["indicators"]), sort_order=order,
            )
        )


def ensure_builtin(s: Session) -> Changes:
    """Offices and the built-in plan, loaded once into an empty database."""
    from . import offices

    changes = offices.load_builtin_offices(s)
    return changes | load_catalogue(s, builtin_catalogue())


def target_years(plan: Plan, indicator: Indicator) -> list[int | None]:
    """Annual indicators have a target per plan year; all others one for the plan end (None)."""
    return list(plan.years) if indicator.is_annual else [None]


CURRENT_PLAN_KEY = "current_plan"  # setting: the code of the current plan
_SHOWN = "kexie.shown_plan"  # Session.info key: the plan a reading session shows instead


def current_plan(s: Session) -> Plan:
    """The plan every page and command works on: the current plan (``plan use``), or in a session opened
    to read an earlier plan (``show_plan``) that plan, read-only."""
    shown = s.info.get(_SHOWN)
    if shown is not None:
        return s.get(Plan, shown)
    return active_plan(s)


def active_plan(s: Session) -> Plan:
    """The current plan: the one ``plan use`` chose, else the newest published plan."""
    from . import settings  # local: settings is a leaf of services

    code = settings.get(s, CURRENT_PLAN_KEY)
    chosen = s.scalars(select(Plan).where(Plan.code == code)).first() if code else None
    if chosen is not None:
        return chosen
    plan = s.scalars(select(Plan).order_by(Plan.published.desc(), Plan.id.desc())).first()
    if plan is None:
        raise UserError("数据库中还没有计划。请重新启动程序以载入内置计划。")
    return plan


def plan_by_code(s: Session, code: str) -> Plan:
    key = (code or "").strip()
    found = s.scalars(select(Plan).where(Plan.code == key)).first()
    if found is None:
        known = "、".join(s.scalars(select(Plan.code).order_by(Plan.start_year, Plan.id)))
        raise UserError(f"没有代码为“{key}”的计划（现有：{known}）。用 plan list 查看全部计划。")
    return found


def show_plan(s: Session, code: str | None) -> Plan:
    """Let this session read the plan ``code`` (None: the current plan) instead of the current one. Every
    write to a plan other than the current one is refused (``check_plan_writable``)."""
    if code is None:
        return current_plan(s)
    plan = plan_by_code(s, code)
    s.info[_SHOWN] = plan.id
    return plan


@contextmanager
def within_plan(s: Session, plan: Plan):
    """Let the services that work on the current plan work on ``plan`` for a moment (a plan package
    stores a plan's assessment schemes while the unit's current plan is another one)."""
    before = s.info.get(_SHOWN)
    s.info[_SHOWN] = plan.id
    try:
        yield plan
    finally:
        if before is None:
            s.info.pop(_SHOWN, None)
        else:
            s.info[_SHOWN] = before


def refuse_other_plans_year(s: Session, plan: Plan, year: int) -> None:
    """A year outside ``plan`` that another plan holds: say which, and how to read it."""
    other = s.scalars(select(Plan).where(Plan.start_year <= year, Plan.end_year >= year)).first()
    if other is not None and other.id != plan.id:
        raise UserError(f"年份 {year} 超出计划期（{plan_years(plan)}），属于计划“{other.name}”（{other.code}）："
                        f"加上 --plan {other.code} 查看该计划。")


def plan_years(plan: Plan) -> str:
    return f"{plan.start_year}—{plan.end_year}年"


def check_plan_writable(s: Session, plan: Plan, *, drafts: bool = False) -> None:
    """Data of an ended (or any not current) plan never changes: refused with a Chinese line. ``drafts``:
    an unpublished plan being authored (its targets) may change too."""
    current = active_plan(s)
    if plan.id == current.id or (drafts and not plan.published):
        return
    raise UserError(f"计划“{plan.name}”（{plan.code}，{plan_years(plan)}）不是当前计划，其数据只能查看，不能修改。"
                    f"当前计划是“{current.name}”（{current.code}）。")


def check_months_writable(s: Session, months) -> None:
    """A month that lies in another plan's years belongs to that plan's data: refused."""
    current = active_plan(s)
    outside = sorted((y, m) for y, m in months if not current.start_year <= y <= current.end_year)
    if not outside:
        return
    year, month = outside[0]
    other = s.scalars(select(Plan).where(Plan.start_year <= year, Plan.end_year >= year)).first()
    if other is not None:
        raise UserError(f"{year}年{month}月属于计划“{other.name}”（{other.code}，{plan_years(other)}），"
                        f"不是当前计划，其数据只能查看，不能修改。")


def plan_of_year(s: Session, year: int) -> Plan | None:
    """The published plan whose years hold ``year`` (plans' years never overlap), else None."""
    return s.scalars(select(Plan).where(Plan.published.is_(True), Plan.start_year <= year,
                                        Plan.end_year >= year)).first()


def show_current(s: Session) -> Plan:
    """Undo ``show_plan`` / ``show_year``: this session works on the current plan again."""
    s.info.pop(_SHOWN, None)
    return active_plan(s)


def show_year(s: Session, year: int) -> Plan:
    """Let this session read the plan that holds ``year``: an earlier plan's year shows that plan, read-only
    (``show_plan``); a year of the current plan, or of none, leaves the current plan."""
    current = active_plan(s)
    other = None if current.start_year <= year <= current.end_year else plan_of_year(s, year)
    if other is None:
        s.info.pop(_SHOWN, None)
        return current
    s.info[_SHOWN] = other.id
    return other


def read_only_line(s: Session, plan: Plan) -> str | None:
    """Why ``plan``'s data can only be viewed (None: it is the current plan), as the pages show it."""
    current = active_plan(s)
    if plan.id == current.id:
        return None
    if plan.end_year < current.start_year:
        return f"{plan_years(plan)}计划已结束，只能查看"
    return f"{plan_years(plan)}计划不是当前计划，只能查看"


def check_year_writable(s: Session, year: int) -> None:
    """A year of another plan than the current one (its review states, explanations, assessment): refused."""
    current = active_plan(s)
    other = None if current.start_year <= year <= current.end_year else plan_of_year(s, year)
    if other is not None:
        raise UserError(f"{year}年属于计划“{other.name}”（{other.code}，{plan_years(other)}），"
                        "不是当前计划，其数据只能查看，不能修改。")


def indicators(s: Session, plan: Plan | None = None) -> list[Indicator]:
    plan = plan or current_plan(s)
    return list(
        s.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.sort_order))
    )


def indicator(s: Session, code: str, plan: Plan | None = None) -> Indicator:
    plan = plan or current_plan(s)
    key = (code or "").strip()
    found = s.scalars(
        select(Indicator).where(Indicator.plan_id == plan.id, Indicator.code == key.upper())
    ).first()
    if found is None:
        found = s.scalars(
            select(Indicator).where(Indicator.plan_id == plan.id, Indicator.name == key)
        ).first()
    if found is None:
        raise UserError(f"没有代码为“{key}”的指标。用 indicators 命令查看全部指标代码。")
    return found


def sources_of(indicator: Indicator) -> list[str]:
    return [indicator.source, *json.loads(indicator.other_sources or "[]")]
