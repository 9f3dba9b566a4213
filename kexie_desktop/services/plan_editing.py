"""The plan editor's changes of a draft plan, part by part: sections, indicators, activity types, 审核 rules,
tasks, and the links of an indicator or a task to a sentence of the plan's text.

Beside ``plan_authoring`` (copy, publish, use) because the two together would pass 400 lines. Each change
checks only what makes a row unstorable (an empty name, a kind or section that does not exist, a duplicate
code); what makes a plan unpublishable (a target that does not fit its kind, min > max, a missing base, a
ledger indicator without types, a sentence not in the text) is ``plan_checks``', listed by 检查 and
refused by ``publish_plan``: a draft may hold it while the city is still editing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import (AGGREGATIONS, ENTRIES, KINDS, MEASURES, PERIODS, SEVERITIES, ActivityType,
                      ActivityTypeIndicator, Indicator, Office, Plan, Section, Target, ValidationRule)
from ..task_models import PlanTask
from . import offices
from .plan_checks import normalised

CARRIER_WORDS = {"city": "市科协", "units": "各县区", "all": "市县两级"}
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")


def require_draft(plan: Plan) -> None:
    if plan.published:
        raise UserError(f"计划“{plan.name}”（{plan.code}）已经发布（第 {plan.version} 版），只能查看，不能再修改。"
                        "如需修改，请复制为新计划。")


def _text(value: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise UserError(f"{what}不能为空。")
    if len(value) > limit:
        raise UserError(f"{what}太长（最多 {limit} 个字）。")
    return value


def _choice(value: str, choices: dict[str, str], what: str) -> str:
    if value not in choices:
        raise UserError(f"{what}“{value}”无效，可选：{'、'.join(choices.values())}。")
    return value


def _renumber(rows: list) -> None:
    for order, row in enumerate(rows):
        row.sort_order = order


def _moved(rows: list, index: int, step: int) -> bool:
    """Swap row ``index`` with its neighbour ``step`` (-1 up, +1 down) and renumber; False at an end."""
    other = index + step
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    _renumber(rows)
    return True


# --- the plan itself ------------------------------------------------------------------------------
def edit_plan(s: Session, plan: Plan, code: str, name: str, start: int, end: int) -> Changes:
    """A draft's code, name and years (the checks of a new plan: ``plan_authoring.check_new_plan``). An
    annual target of a year the plan no longer has goes; a new year gets the value of the last year before
    it (or the first one), as a copy rebases targets."""
    from .plan_authoring import check_new_plan  # plan_authoring uses this module: imported when needed

    require_draft(plan)
    code, name = code.strip(), name.strip()
    check_new_plan(s, code, name, start, end, plan=plan)
    plan.code, plan.name, plan.start_year, plan.end_year = code, name, start, end
    years = range(start, end + 1)
    ids = [i.id for i in plan_indicators(s, plan) if i.is_annual]
    by: dict[tuple[int, int], dict[int, Target]] = {}
    for t in s.scalars(select(Target).where(Target.indicator_id.in_(ids))) if ids else []:
        by.setdefault((t.indicator_id, t.office_id), {})[t.year] = t
    for (indicator_id, office_id), rows in by.items():
        known = sorted(rows)
        for year in years:
            if year not in rows:
                near = max((y for y in known if y < year), default=known[0])
                old = rows[near]
                s.add(Target(indicator_id=indicator_id, office_id=office_id, year=year, value=old.value,
                             min_value=old.min_value, max_value=old.max_value, updated_by="计划编辑"))
        for year, row in rows.items():
            if year not in years:
                s.delete(row)
    s.flush()
    return Changes(plan=True)


# --- sections ------------------------------------------------------------------------------------
def sections(s: Session, plan: Plan) -> list[Section]:
    return list(s.scalars(select(Section).where(Section.plan_id == plan.id).order_by(Section.sort_order, Section.id)))


def section(s: Session, plan: Plan, code: str) -> Section:
    found = next((sec for sec in sections(s, plan) if sec.code == code), None)
    if found is None:
        raise UserError(f"计划 {plan.code} 中没有章节“{code}”。")
    return found


def add_section(s: Session, plan: Plan, code: str, name: str, parent: str | None = None) -> Section:
    """A new section at the end (a sub-section when ``parent`` names one)."""
    require_draft(plan)
    code, name = _text(code, "章节代码", 20), _text(name, "章节名称", 200)
    if any(sec.code.upper() == code.upper() for sec in sections(s, plan)):
        raise UserError(f"章节代码“{code}”已经存在：代码必须唯一。")
    above = section(s, plan, parent) if parent else None
    new = Section(plan=plan, code=code, name=name, parent=above, sort_order=len(sections(s, plan)))
    s.add(new)
    s.flush()
    return new


def rename_section(s: Session, plan: Plan, code: str, name: str) -> Changes:
    require_draft(plan)
    section(s, plan, code).name = _text(name, "章节名称", 200)
    return Changes(plan=True)


def move_section(s: Session, plan: Plan, code: str, step: int) -> bool:
    require_draft(plan)
    rows = sections(s, plan)
    return _moved(rows, next(n for n, sec in enumerate(rows) if sec.code == code), step)


# --- indicators ----------------------------------------------------------------------------------
@dataclass
class IndicatorFields:
    """What the editor edits of an indicator; ``ledger`` is (activity type code, measure) pairs; a range's
    ``target`` is its lower bound and ``target_max`` its upper; an annual indicator's target is every year's."""

    code: str
    name: str
    unit: str
    kind: str
    period: str
    aggregation: str
    entry: str
    section: str
    target: float | None = None
    target_max: float | None = None
    covers: str = ""
    covers_units: bool = False
    ledger: list[tuple[str, str]] = field(default_factory=list)


def plan_indicators(s: Session, plan: Plan) -> list[Indicator]:
    return list(s.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.sort_order,
                                                                                          Indicator.id)))


def plan_indicator(s: Session, plan: Plan, code: str) -> Indicator:
    found = s.scalars(select(Indicator).where(Indicator.plan_id == plan.id, Indicator.code == code)).first()
    if found is None:
        raise UserError(f"计划 {plan.code} 中没有指标“{code}”。")
    return found


def put_indicator(s: Session, plan: Plan, f: IndicatorFields, *, new: bool = False) -> Indicator:
    """Add (``new``) or change one indicator of a draft, its ledger mapping and its city target."""
    require_draft(plan)
    code = _text(f.code, "指标代码", 20)
    values = dict(name=_text(f.name, "指标名称", 100), unit=_text(f.unit, "计量单位", 20),
                  kind=_choice(f.kind, KINDS, "指标类型"), period=_choice(f.period, PERIODS, "周期"),
                  aggregation=_choice(f.aggregation, AGGREGATIONS, "汇总方式"),
                  entry=_choice(f.entry, ENTRIES, "填报方式"), section=section(s, plan, f.section),
                  covers=(f.covers or "").strip() or None, covers_units=bool(f.covers_units))
    existing = plan_indicators(s, plan)
    if new:
        if any(i.code.upper() == code.upper() for i in existing):
            raise UserError(f"指标代码“{code}”已经存在：代码必须唯一。")
        indicator = Indicator(plan=plan, code=code, signed=False, phrase="", source="", other_sources="[]",
                              sort_order=len(existing), **values)
        s.add(indicator)
        old_period = None
    else:
        indicator = plan_indicator(s, plan, code)
        old_period = indicator.period
        for key, value in values.items():
            setattr(indicator, key, value)
    if indicator.kind != "level":
        indicator.carry_over = False
    s.flush()
    if old_period is not None and old_period != indicator.period:  # the unit targets no longer fit the years
        s.execute(delete(Target).where(Target.indicator_id == indicator.id))
    _put_ledger(s, indicator, f.ledger)
    if f.target is not None:
        put_city_target(s, indicator, f.target, f.target_max, by="计划编辑")
    s.flush()
    return indicator


def _put_ledger(s: Session, indicator: Indicator, pairs: list[tuple[str, str]]) -> None:
    types = {t.code: t for t in s.scalars(select(ActivityType))}
    s.execute(delete(ActivityTypeIndicator).where(ActivityTypeIndicator.indicator_id == indicator.id))
    for code, measure in dict.fromkeys(pairs):
        if code not in types:
            raise UserError(f"活动类型“{code}”不存在，请先在“活动类型”中添加。")
        _choice(measure, MEASURES, "计量")
        s.add(ActivityTypeIndicator(activity_type=types[code], indicator=indicator, measure=measure))


def put_city_target(s: Session, indicator: Indicator, target: float, target_max: float | None, *, by: str) -> None:
    """The city's target of every plan year (annual) or of the plan end; a range keeps ``target`` as its
    lower and ``target_max`` as its upper bound, unchecked here (``plan_checks`` names min > max)."""
    city = offices.city(s)
    current = {t.year: t for t in s.scalars(select(Target).where(Target.indicator_id == indicator.id,
                                                                 Target.office_id == city.id))}
    bounds = (target, target_max) if indicator.kind == "range" else (None, None)
    for year in (list(indicator.plan.years) if indicator.is_annual else [None]):
        row = current.pop(year, None)
        if row is None:
            row = Target(indicator=indicator, office_id=city.id, year=year, value=target)
            s.add(row)
        row.value, row.min_value, row.max_value, row.updated_by = target, *bounds, by
    for stale in current.values():
        s.delete(stale)
    s.flush()


def remove_indicator(s: Session, plan: Plan, code: str) -> None:
    """Only a draft's: it holds no data. Its targets and ledger links go, and tasks and rules forget it."""
    require_draft(plan)
    indicator = plan_indicator(s, plan, code)
    s.execute(delete(Target).where(Target.indicator_id == indicator.id))
    s.execute(delete(ActivityTypeIndicator).where(ActivityTypeIndicator.indicator_id == indicator.id))
    for row in [*plan_tasks(s, plan), *plan_rules(s, plan)]:
        codes = json.loads(row.indicators or "[]")
        if code in codes:
            row.indicators = json.dumps([c for c in codes if c != code], ensure_ascii=False)
    s.delete(indicator)
    s.flush()
    _renumber(plan_indicators(s, plan))


def move_indicator(s: Session, plan: Plan, code: str, step: int) -> bool:
    require_draft(plan)
    rows = plan_indicators(s, plan)
    return _moved(rows, next(n for n, i in enumerate(rows) if i.code == code), step)


# --- activity types (shared by every plan: the ledger is one) ------------------------------------
def add_activity_type(s: Session, plan: Plan, code: str, name: str) -> ActivityType:
    """A new type for the draft's ledger indicators; existing ones are never renamed or removed, since an
    earlier plan's ledger shows them."""
    require_draft(plan)
    code, name = _text(code, "活动类型代码", 40), _text(name, "活动类型名称", 100)
    for known in s.scalars(select(ActivityType)):
        if known.code.upper() == code.upper():
            raise UserError(f"活动类型代码“{code}”已经存在（{known.name}）。")
        if known.name == name:
            raise UserError(f"活动类型“{name}”已经存在（代码 {known.code}）。")
    order = s.scalar(select(func.count()).select_from(ActivityType)) or 0
    new = ActivityType(code=code, name=name, sort_order=order)
    s.add(new)
    s.flush()
    return new


# --- 审核 rules ----------------------------------------------------------------------------------
@dataclass
class RuleFields:
    code: str
    check: str
    severity: str
    message: str
    indicators: list[str] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    active: bool = True


def plan_rules(s: Session, plan: Plan) -> list[ValidationRule]:
    return list(s.scalars(select(ValidationRule).where(ValidationRule.plan_id == plan.id)
                          .order_by(ValidationRule.sort_order, ValidationRule.id)))


def put_rule(s: Session, plan: Plan, f: RuleFields, *, new: bool = False) -> ValidationRule:
    require_draft(plan)
    code = _text(f.code, "审核规则代码", 20)
    rules = plan_rules(s, plan)
    found = next((r for r in rules if r.code.upper() == code.upper()), None)
    if new and found is not None:
        raise UserError(f"审核规则代码“{code}”已经存在：代码必须唯一。")
    if not new and found is None:
        raise UserError(f"计划 {plan.code} 中没有审核规则“{code}”。")
    known = {i.code for i in plan_indicators(s, plan)}
    unknown = [c for c in f.indicators if c not in known]
    if unknown:
        raise UserError(f"审核规则 {code} 的指标 {'、'.join(unknown)} 不在计划 {plan.code} 中。")
    if not isinstance(f.params, dict):
        raise UserError("审核规则的参数应为 JSON 对象，例如 {\"factor\": 5}。")
    check, severity = _text(f.check, "检查", 40), _choice(f.severity, SEVERITIES, "级别")
    message = _text(f.message, "提示", 500)
    rule = found or ValidationRule(plan_id=plan.id, code=code, sort_order=len(rules))
    s.add(rule)
    rule.check, rule.severity, rule.message = check, severity, message
    rule.indicators = json.dumps(list(f.indicators), ensure_ascii=False)
    rule.params = json.dumps(f.params, ensure_ascii=False)
    rule.active = bool(f.active)
    s.flush()
    return rule


def remove_rule(s: Session, plan: Plan, code: str) -> None:
    require_draft(plan)
    rule = next((r for r in plan_rules(s, plan) if r.code == code), None)
    if rule is None:
        raise UserError(f"计划 {plan.code} 中没有审核规则“{code}”。")
    s.delete(rule)
    s.flush()
    _renumber(plan_rules(s, plan))


# --- tasks ---------------------------------------------------------------------------------------
@dataclass
class TaskFields:
    code: str
    section: str
    name: str
    carriers: str | list[str]  # "city", "units", "all", or unit codes
    due: dt.date
    sentence: str = ""
    indicators: list[str] = field(default_factory=list)


def plan_tasks(s: Session, plan: Plan) -> list[PlanTask]:
    return list(s.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id).order_by(PlanTask.sort_order,
                                                                                        PlanTask.id)))


def plan_task(s: Session, plan: Plan, code: str) -> PlanTask:
    found = next((t for t in plan_tasks(s, plan) if t.code == code), None)
    if found is None:
        raise UserError(f"计划 {plan.code} 中没有任务“{code}”。")
    return found


def _carriers(s: Session, value: str | list[str]) -> str:
    if isinstance(value, str):
        if value not in CARRIER_WORDS:
            raise UserError(f"承担单位“{value}”无效，可选：{'、'.join(CARRIER_WORDS.values())}，或县区代码。")
        return json.dumps(value)
    units = {u.code for u in s.scalars(select(Office)) if not u.is_city}
    unknown = [c for c in value if c not in units]
    if not value or unknown:
        raise UserError(f"承担单位中的县区代码 {'、'.join(unknown) or '（空）'} 不存在。")
    return json.dumps(list(value))


def put_task(s: Session, plan: Plan, f: TaskFields, *, new: bool = False) -> PlanTask:
    require_draft(plan)
    code = _text(f.code, "任务代码", 20)
    tasks = plan_tasks(s, plan)
    name, where, carriers = _text(f.name, "任务名称", 200), section(s, plan, f.section), _carriers(s, f.carriers)
    if not dt.date(plan.start_year, 1, 1) <= f.due <= dt.date(plan.end_year, 12, 31):
        raise UserError(f"任务 {code} 的完成期限 {f.due.isoformat()} 不在计划期（{plan.start_year}—{plan.end_year}年）内。")
    known = {i.code for i in plan_indicators(s, plan)}
    unknown = [c for c in f.indicators if c not in known]
    if unknown:
        raise UserError(f"任务 {code} 的关联指标 {'、'.join(unknown)} 不在计划 {plan.code} 中。")
    if new:
        if any(t.code.upper() == code.upper() for t in tasks):
            raise UserError(f"任务代码“{code}”已经存在：代码必须唯一。")
        task = PlanTask(plan_id=plan.id, code=code, sentence="", sort_order=len(tasks))
        s.add(task)
    else:
        task = plan_task(s, plan, code)
    task.name, task.section, task.carriers, task.due = name, where, carriers, f.due
    task.indicators = json.dumps(list(f.indicators))
    if f.sentence:
        task.sentence = f.sentence.strip()
    s.flush()
    return task


def remove_task(s: Session, plan: Plan, code: str) -> None:
    require_draft(plan)
    s.delete(plan_task(s, plan, code))
    s.flush()
    _renumber(plan_tasks(s, plan))


# --- the plan's text and its sentences -----------------------------------------------------------
def sentences(text: str) -> list[str]:
    """The text cut after 。！？； and at line ends, white space trimmed, empty pieces dropped."""
    return [piece.strip() for piece in _SENTENCE_END.split(text or "") if piece and piece.strip()]


def link_sentence(s: Session, plan: Plan, what: str, code: str, sentence: str) -> None:
    """``what`` "indicator" or "task": the sentence of the plan's text it comes from."""
    require_draft(plan)
    sentence = (sentence or "").strip()
    if not normalised(sentence) or normalised(sentence) not in normalised(plan.text or ""):
        raise UserError("所选语句不在计划原文中，请先导入或粘贴计划原文，再选择其中的一句。")
    if what == "indicator":
        plan_indicator(s, plan, code).source = sentence
    elif what == "task":
        plan_task(s, plan, code).sentence = sentence
    else:
        raise UserError("只能把语句关联到指标或任务。")
    s.flush()
