"""Is a plan ready to publish? One function, one Chinese sentence per problem.

The editor, ``plan publish`` and ``plan load`` all ask ``plan_problems``; the rules (PRODUCT.md, "Plans
after this one", issue 17): every indicator has a city target that fits its kind, a range has min ≤ max,
a coverage names its base, a ledger indicator counts existing activity types, codes are unique, and
every sentence an indicator or task comes from occurs in the plan's text.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import KINDS, ActivityTypeIndicator, Indicator, Plan, Section, Target, ValidationRule
from ..task_models import PlanTask
from . import offices
from .plan import plan_text_of, target_years

_SPACE = re.compile(r"\s+")


def normalised(text: str) -> str:
    """Sentences are compared without white space (a pasted text breaks lines anywhere)."""
    return _SPACE.sub("", text or "")


def plan_problems(s: Session, plan: Plan) -> list[str]:
    """Every problem of ``plan`` that blocks publishing, in the plan's order; empty when it is ready."""
    indicators = list(s.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.sort_order)))
    tasks = list(s.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id).order_by(PlanTask.sort_order)))
    problems = _duplicate_codes(s, plan, indicators, tasks)
    if not indicators:
        problems.append("计划还没有任何指标。")
    city = offices.city(s)
    targets = _targets(s, indicators)
    links = _ledger_links(s, indicators)
    for indicator in indicators:
        problems += _indicator_problems(plan, indicator, city.id, targets, links)
    problems += _source_problems(plan, indicators, tasks)
    return problems


def _duplicate_codes(s: Session, plan: Plan, indicators, tasks) -> list[str]:
    sections = s.scalars(select(Section.code).where(Section.plan_id == plan.id))
    rules = s.scalars(select(ValidationRule.code).where(ValidationRule.plan_id == plan.id))
    found = []
    for what, codes in (("指标", [i.code for i in indicators]), ("任务", [t.code for t in tasks]),
                        ("章节", list(sections)), ("审核规则", list(rules))):
        for code, n in Counter(c.strip().upper() for c in codes).items():
            if n > 1:
                found.append(f"{what}代码“{code}”重复了 {n} 次：代码必须唯一。")
    return found


def _targets(s: Session, indicators) -> dict[int, list[Target]]:
    by: dict[int, list[Target]] = {}
    ids = [i.id for i in indicators]
    for t in s.scalars(select(Target).where(Target.indicator_id.in_(ids))) if ids else []:
        by.setdefault(t.indicator_id, []).append(t)
    return by


def _ledger_links(s: Session, indicators) -> dict[int, int]:
    ids = [i.id for i in indicators]
    links = s.scalars(select(ActivityTypeIndicator).where(ActivityTypeIndicator.indicator_id.in_(ids))) if ids else []
    return Counter(link.indicator_id for link in links)


def _indicator_problems(plan: Plan, indicator: Indicator, city_id: int, targets, links) -> list[str]:
    name = f"指标 {indicator.code}“{indicator.name}”"
    found = []
    if indicator.kind not in KINDS:
        found.append(f"{name}的类型“{indicator.kind}”无效，可选：{'、'.join(KINDS)}。")
    mine = targets.get(indicator.id, [])
    by_year = {t.year: t for t in mine if t.office_id == city_id}
    missing = [y for y in target_years(plan, indicator) if y not in by_year]
    if missing:
        years = "、".join("期末" if y is None else f"{y}年" for y in missing)
        found.append(f"{name}缺少市科协目标（{years}）。")
    for t in mine:
        found += _target_problems(name, indicator, t)
    if indicator.kind == "coverage" and not (indicator.covers or "").strip() and not indicator.covers_units:
        found.append(f"{name}是覆盖率指标，但没有写明覆盖对象（应覆盖的总数从哪里来）。")
    if indicator.is_ledger and not links.get(indicator.id):
        found.append(f"{name}由活动台账统计，但没有对应任何活动类型。")
    return found


def _target_problems(name: str, indicator: Indicator, t: Target) -> list[str]:
    year = "期末" if t.year is None else f"{t.year}年"
    if indicator.kind == "range":
        if t.min_value is None or t.max_value is None:
            return [f"{name}是区间目标，{year}目标缺少下限或上限。"]
        if t.min_value > t.max_value:
            return [f"{name}的{year}区间目标下限 {t.min_value:g} 大于上限 {t.max_value:g}。"]
        return []
    if t.min_value is not None or t.max_value is not None:
        return [f"{name}不是区间目标，{year}目标却有上下限。"]
    if t.value < 0 and not indicator.signed:
        return [f"{name}的{year}目标 {t.value:g} 小于 0。"]
    if indicator.kind == "coverage" and t.value > 100:
        return [f"{name}是覆盖率指标，{year}目标 {t.value:g}% 超过 100%。"]
    return []


def _source_problems(plan: Plan, indicators, tasks) -> list[str]:
    text = normalised(plan_text_of(plan))
    found = []
    for indicator in indicators:
        sentences = [indicator.source, *json.loads(indicator.other_sources or "[]")]
        for sentence in sentences:
            if not normalised(sentence):
                found.append(f"指标 {indicator.code}“{indicator.name}”没有来源原文。")
            elif normalised(sentence) not in text:
                found.append(f"指标 {indicator.code}“{indicator.name}”的来源原文在计划文本中找不到：“{_short(sentence)}”。")
    for task in tasks:
        if not normalised(task.sentence):  # "" is in every text: say it is missing
            found.append(f"任务 {task.code}“{task.name}”没有来源原文。")
        elif normalised(task.sentence) not in text:
            found.append(f"任务 {task.code}“{task.name}”的来源原文在计划文本中找不到：“{_short(task.sentence)}”。")
    return found


def _short(sentence: str, limit: int = 30) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit] + "…"
