"""A deterministic demonstration data set (演示数据) so that a newcomer sees something real.

Every row it writes is marked: values and activities carry source "demo", activities the title prefix
"演示数据", target changes an audit entry with source "demo", 工作清单 milestones and notes ``by`` "演示数据" (demo_tasks); the setting ``demo_data`` marks the whole
installation as a demo one (window title, status bar, and every package it exports). Rows a demo
installation takes from a demo package carry source "demo:package:…" (``package_source``), so that
``clear_demo`` finds them too.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..changes import Changes
from ..models import (
    Activity, ActivityType, ActivityTypeIndicator, AuditEntry, DataValue, Explanation, Indicator, Office, ReviewMonth,
    Setting, Target,
)
from . import activities, demo_tasks, offices, plan, settings, targets, values

DEMO = "demo"
DEMO_NOTE = "演示数据"
SEED = 20180101

# Relative size of each unit (roughly population and workload), by office code.
WEIGHTS = {
    "320703": 0.8, "320706": 1.6, "320707": 1.3, "320722": 1.4, "320723": 1.1, "320724": 0.9,
    "3207Z1": 0.5, "3207Z2": 0.5, "3207Z3": 0.3, "3207Z4": 0.3,
}
# How each unit performs against its targets in the demo, so the dashboard shows every status.
PACE = {
    "320703": 0.93, "320706": 1.08, "320707": 1.0, "320722": 1.12, "320723": 0.72, "320724": 0.85,
    "3207Z1": 1.05, "3207Z2": 0.97, "3207Z3": 0.55, "3207Z4": 0.9,
}
PLACES = ["科技馆", "社区活动中心", "镇文化站", "中学报告厅", "农技推广中心", "科协会议室"]
# Months a few units have not reported yet at the end of the plan (shows 未填报 distinct from 0).
MISSING_TAIL = {"3207Z3": 3, "320723": 1}


def is_demo(s: Session) -> bool:
    """Whether this installation holds demo data (its packages are demo packages)."""
    return bool(settings.get(s, "demo_data"))


def require_demo(s: Session) -> None:
    if not is_demo(s):
        raise UserError("本机没有演示数据，无需清除。")


def package_source(package_id: str, demo: bool) -> str:
    """The source of rows written by a package import; a demo package's rows stay recognisable as demo."""
    return f"{DEMO}:package:{package_id}" if demo else f"package:{package_id}"


def is_package_source(source: str) -> bool:
    """Whether ``source`` (of a value or record) was written by a package import (``package_source``)."""
    return source.startswith(("package:", f"{DEMO}:package:"))


def _is_demo_source(column):
    return or_(column == DEMO, column.like(f"{DEMO}:%"))


def clear_demo(s: Session) -> tuple[dict[str, int], Changes]:
    """Remove every demo row (values, activities, targets whose last change was demo, their audit
    entries) and the demo mark, in the caller's transaction. Rows entered for real stay as they are.

    The review states and explanations of an office whose demo data goes were made while demo data
    was there (they judged it): they go too, and the office starts again from 草稿."""
    require_demo(s)
    counts = {"values": 0, "activities": 0, "targets": 0, "review_months": 0, "explanations": 0}
    demo_offices = set(s.scalars(select(DataValue.office_id).where(_is_demo_source(DataValue.source)).distinct()))
    demo_offices |= set(s.scalars(select(Activity.office_id).where(_is_demo_source(Activity.source)).distinct()))
    counts["review_months"] = s.execute(delete(ReviewMonth).where(ReviewMonth.office_id.in_(demo_offices))).rowcount
    counts["explanations"] = s.execute(delete(Explanation).where(Explanation.office_id.in_(demo_offices))).rowcount
    counts["values"] = s.execute(delete(DataValue).where(_is_demo_source(DataValue.source))).rowcount
    counts["activities"] = s.execute(delete(Activity).where(_is_demo_source(Activity.source))).rowcount
    last = (select(AuditEntry.entity_key, func.max(AuditEntry.id).label("last"))
            .where(AuditEntry.entity == "target").group_by(AuditEntry.entity_key).subquery())
    demo_keys = set(s.scalars(select(AuditEntry.entity_key).join(last, AuditEntry.id == last.c.last)
                              .where(_is_demo_source(AuditEntry.source))))
    codes = dict(s.execute(select(Indicator.id, Indicator.code)).all())
    offices_by_id = dict(s.execute(select(Office.id, Office.code)).all())
    for target in s.scalars(select(Target)).all():
        key = f"{codes[target.indicator_id]}/{offices_by_id[target.office_id]}/{target.year or 'plan'}"
        if key in demo_keys:
            s.delete(target)
            counts["targets"] += 1
    s.execute(delete(AuditEntry).where(_is_demo_source(AuditEntry.source)))
    counts.update(demo_tasks.clear_tasks(s))
    s.execute(delete(Setting).where(Setting.key == "demo_data"))
    s.flush()
    return counts, Changes(everything=True)


def has_data(s: Session) -> bool:
    """Whether any value or activity is stored, demo ones included: only an empty database is offered the demo."""
    return (s.scalar(select(DataValue.id).limit(1)) is not None
            or s.scalar(select(Activity.id).limit(1)) is not None)  # no count: the city may hold millions


def fill_demo(s: Session, progress=None) -> dict[str, int]:
    """Fill the demo set in the caller's transaction. ``progress(done, total, text)`` may raise to cancel."""
    report = progress or (lambda done, total, text="": None)
    if settings.get(s, "demo_data"):
        raise UserError("演示数据已经填入过，无需重复填入。")
    real = s.scalar(select(func.count()).select_from(DataValue).where(DataValue.source != DEMO))
    real += s.scalar(select(func.count()).select_from(Activity).where(Activity.source != DEMO))
    if real:
        raise UserError("数据库中已有实际填报的数据，为免混淆，不能再填入演示数据。请在新的数据库中试用演示数据。")
    rng = random.Random(SEED)
    current = plan.current_plan(s)
    units = offices.units(s)
    city = offices.city(s)
    counts = {"units": len(units), "targets": 0, "values": 0, "activities": 0}
    weights = [WEIGHTS.get(u.code, 1.0) for u in units]
    report(0, 3, "正在分解演示目标…")
    unit_targets: dict[tuple[int, int, int | None], float] = {}
    for indicator in plan.indicators(s, current):
        if indicator.aggregation == "city_only":
            continue
        for year in plan.target_years(current, indicator):
            city_target = targets.find_target(s, indicator, city, year)
            if city_target is None:
                continue
            for unit, share, upper in _decompose(indicator, city_target, units, weights):
                bounds = {"max_value": upper} if indicator.kind == "range" else {}
                targets.put_target(s, indicator, unit, year, share, user=DEMO_NOTE, source=DEMO, **bounds)
                unit_targets[(indicator.id, unit.id, year)] = share
                counts["targets"] += 1
    report(1, 3, "正在生成月度数据…")
    edits: list[values.ValueEdit] = []
    for indicator in plan.indicators(s, current):
        if indicator.is_ledger:
            continue
        reporters = [city] if indicator.aggregation == "city_only" else units
        for office in reporters:
            edits += _value_edits(s, rng, current, indicator, office, unit_targets)
    values.set_values(s, edits, user=DEMO_NOTE, source=DEMO)
    counts["values"] = len(edits)
    report(2, 3, "正在生成活动台账…")
    with s.no_autoflush:
        counts["activities"] = _fill_ledger(s, rng, current, units, unit_targets)
    counts.update(demo_tasks.fill_tasks(s, city, units))  # 工作清单: milestones and notes, labelled
    settings.put(s, "demo_data", True)
    report(3, 3, "正在保存…")
    return counts


def _decompose(indicator: Indicator, city_target, units: list[Office], weights: list[float]):
    if indicator.kind == "coverage":
        return [(u, 100.0, None) for u in units]
    if not indicator.integer_valued:
        return [(u, city_target.value, None) for u in units]
    lower = targets.split_integer(int(city_target.value), weights)
    upper = (
        targets.split_integer(int(city_target.max_value), weights)
        if indicator.kind == "range"
        else [None] * len(units)
    )
    return [(u, float(lo), None if hi is None else float(hi)) for u, lo, hi in zip(units, lower, upper)]


def _months(current, office: Office):
    months = [(y, m) for y in current.years for m in range(1, 13)]
    tail = MISSING_TAIL.get(office.code, 0)
    return months[: len(months) - tail] if tail else months


def _value_edits(s, rng, current, indicator: Indicator, office: Office, unit_targets) -> list:
    pace = PACE.get(office.code, 1.0)
    months = _months(current, office)
    n_months = len(current.years) * 12
    edits: list[values.ValueEdit] = []
    covered_base = {"县（区）": 1}.get(indicator.covers or "", rng.randint(8, 40))
    accumulated = 0.0  # flows: whole units accumulate from a fractional monthly pace
    for step, (year, month) in enumerate(months, start=1):
        key = (indicator.id, office.id, year if indicator.is_annual else None)
        target = unit_targets.get(key)
        if target is None:
            target = _city_target_value(s, indicator, year)
        base = None
        if indicator.kind == "coverage":
            share = min(1.0, pace * (0.35 + 0.65 * step / n_months))
            value, base = float(round(covered_base * share)), float(covered_base)
        elif indicator.kind == "level":
            level = target * pace * (0.55 + 0.45 * step / n_months)
            value = round(level, 1) if not indicator.integer_valued else float(round(level))
        else:
            if indicator.is_annual and month == 1:
                accumulated = 0.0
            per_month = target / 12 if indicator.is_annual else target / n_months
            before = accumulated
            accumulated += per_month * pace * rng.uniform(0.6, 1.4)
            value = float(int(accumulated) - int(before))
        edits.append(values.ValueEdit(indicator, office, year, month, value, base, ""))
    return edits


def _city_target_value(s, indicator: Indicator, year: int) -> float:
    city_target = targets.find_target(s, indicator, offices.city(s), year if indicator.is_annual else None)
    return city_target.value if city_target else 0.0


def _fill_ledger(s, rng, current, units: list[Office], unit_targets) -> int:
    links = list(s.scalars(select(ActivityTypeIndicator)))
    events = _counted_events(rng, current, units, unit_targets, links)
    _add_measured_events(events, current, units, links)
    people = _people_per_event(current, units, unit_targets, links, events)
    return _write_events(s, rng, current, events, people)


def _per_year(unit_targets, indicator, unit: Office, year: int, n_years: int) -> float:
    target = unit_targets.get((indicator.id, unit.id, year if indicator.is_annual else None), 0)
    return target if indicator.is_annual else target / n_years


def _counted_events(rng, current, units: list[Office], unit_targets, links) -> dict[tuple[int, int, int], int]:
    """1. Count measures decide how many events of a type each unit holds per year: (unit, type, year) -> n.
    Indicators counting one type go first; one counting several (学术交流 includes 报告会) gets the rest."""
    events: dict[tuple[int, int, int], int] = defaultdict(int)
    by_indicator: dict[int, list[ActivityTypeIndicator]] = defaultdict(list)
    for link in links:
        if link.measure == "count":
            by_indicator[link.indicator_id].append(link)
    for counted in sorted(by_indicator.values(), key=len):
        indicator = counted[0].indicator
        for unit in units:
            for year in current.years:
                per_year = _per_year(unit_targets, indicator, unit, year, len(current.years))
                wanted = round(per_year * PACE.get(unit.code, 1.0) * rng.uniform(0.85, 1.15))
                keys = [(unit.id, link.activity_type_id, year) for link in counted]
                free = [k for k in keys if k not in events]
                remaining = max(0, wanted - sum(events.get(k, 0) for k in keys))
                for i, key in enumerate(free):
                    events[key] = remaining // len(free) + (1 if i < remaining % len(free) else 0)
    return events


def _add_measured_events(events: dict, current, units: list[Office], links) -> None:
    """2. Types counted only by a measure (trainings, health checks) get monthly events."""
    measured_types = {k.activity_type_id for k in links if k.measure != "count"}
    for type_id in measured_types:
        for unit in units:
            for year in current.years:
                events.setdefault((unit.id, type_id, year), 12)


def _people_per_event(current, units: list[Office], unit_targets, links, events) -> dict[tuple[int, int, str], float]:
    """3. People per event so that the measure indicators land near the unit's pace."""
    people: dict[tuple[int, int, str], float] = {}
    for link in links:
        if link.measure == "count":
            continue
        indicator = link.indicator
        same = [k.activity_type_id for k in links if k.indicator_id == indicator.id and k.measure == link.measure]
        for unit in units:
            for year in current.years:
                per_year = _per_year(unit_targets, indicator, unit, year, len(current.years))
                n = sum(events.get((unit.id, t, year), 0) for t in same) or 1
                people[(unit.id, link.activity_type_id, link.measure)] = per_year * PACE.get(unit.code, 1.0) / n
    return people


def _write_events(s, rng, current, events: dict, people: dict) -> int:
    """4. The ledger records themselves, labelled as demo data."""
    types = {t.id: t for t in s.scalars(select(ActivityType))}
    written = 0
    for (unit_id, type_id, year), n in sorted(events.items()):
        unit = s.get(Office, unit_id)
        kind = types[type_id]
        last_month = 12 - (MISSING_TAIL.get(unit.code, 0) if year == current.end_year else 0)
        for k in range(n):
            date = _random_date(rng, year, last_month)
            audience = people.get((unit_id, type_id, "audience"), rng.uniform(30, 120))
            participants = people.get((unit_id, type_id, "participants"), rng.uniform(5, 30))
            activities.add_activity(
                s, unit, kind, date, f"【{DEMO_NOTE}】{unit.short_name}{kind.name}（{year}年第{k + 1}场）",
                place=f"{unit.short_name}{rng.choice(PLACES)}",
                participants=max(1, round(participants * rng.uniform(0.8, 1.2))),
                audience=max(0, round(audience * rng.uniform(0.8, 1.2))),
                note=DEMO_NOTE, uid=f"demo-{unit.code}-{kind.code}-{year}-{k + 1}",
                user=DEMO_NOTE, source=DEMO,
            )
            written += 1
    return written


def _random_date(rng, year: int, last_month: int) -> dt.date:
    month = rng.randint(1, last_month)
    return dt.date(year, month, rng.randint(1, 28))
