"""新一轮计划: the plans of the database, a new plan copied from an earlier one, publishing, the current plan.

A copy is a draft (unpublished, version 0) that holds no data; publishing validates it (``plan_checks``)
and gives it the next version; only a published plan can become the current one (``plan use``). The plan
it was copied from is never changed: the copy has its own sections, indicators, targets, rules and tasks.

Versions of a published plan (the rule): the city may go on editing its current published plan — names
and texts, targets (the city's and the units'), added indicators, tasks, rules, the assessment schemes —
and these edits form a pending revision. ``plan publish CODE`` publishes the revision as version N+1; it
refuses when nothing changed since version N (each publish records a fingerprint of the plan's content,
``published_record``). What a revision may not do, because units hold data on version N and a plan package
never deletes or redefines at a unit (``revision_problems``): change the plan's years, remove an indicator
that was published or has data, change a published indicator's kind, period, aggregation, entry or
coverage base, remove a published task or section. A plan package always carries the plan as it is with
its version; a unit refuses a version older than its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..assessment_models import AssessmentScheme
from ..models import (ActivityType, ActivityTypeIndicator, DataValue, Indicator, Office, Plan,
                      Section, Target, ValidationRule)
from ..task_models import PlanTask
from . import settings
from .plan import CURRENT_PLAN_KEY, active_plan, plan_by_code, plan_text_of, plan_years
from .plan_checks import normalised, plan_problems

MAX_YEARS = 10


@dataclass(frozen=True)
class PlanSummary:
    code: str
    name: str
    start_year: int
    end_year: int
    version: int
    published: bool
    current: bool
    based_on: str | None
    indicators: int
    tasks: int

    def as_json(self) -> dict:
        return dict(self.__dict__)


def list_plans(s: Session) -> list[PlanSummary]:
    current = active_plan(s)
    counts = dict(s.execute(select(Indicator.plan_id, func.count()).group_by(Indicator.plan_id)).all())
    tasks = dict(s.execute(select(PlanTask.plan_id, func.count()).group_by(PlanTask.plan_id)).all())
    plans = list(s.scalars(select(Plan).order_by(Plan.start_year, Plan.id)))
    codes = {p.id: p.code for p in plans}
    return [PlanSummary(p.code, p.name, p.start_year, p.end_year, p.version, p.published, p.id == current.id,
                        codes.get(p.based_on_id), counts.get(p.id, 0), tasks.get(p.id, 0)) for p in plans]


def check_new_plan(s: Session, code: str, name: str, start: int, end: int, *, plan: Plan | None = None) -> None:
    """A plan's code is unique, its years are 1—10 in order, and they overlap no other plan's years (a
    month belongs to one plan: its data, its review state, its packages)."""
    if not code.strip() or len(code) > 40:
        raise UserError("计划代码不能为空，最多 40 个字符。")
    if not name.strip():
        raise UserError("计划名称不能为空。")
    if not 2000 <= start <= end <= 2100 or end - start + 1 > MAX_YEARS:
        raise UserError(f"计划年份 {start}—{end} 无效：起止年份须在 2000—2100 之间、起年不晚于止年，最长 {MAX_YEARS} 年。")
    others = [p for p in s.scalars(select(Plan)) if plan is None or p.id != plan.id]
    for other in others:
        if other.code == code:
            raise UserError(f"已有代码为“{code}”的计划（{other.name}）。")
        if start <= other.end_year and other.start_year <= end:
            raise UserError(f"计划年份 {start}—{end} 与计划“{other.name}”（{other.code}，{plan_years(other)}）重叠："
                            "每个年份只能属于一个计划。")


def copy_plan(s: Session, source: Plan, code: str, name: str, start: int, end: int) -> Plan:
    """A draft copy of ``source`` for the years ``start .. end`` (see ``rebase_targets`` for the targets)."""
    code, name = code.strip(), name.strip()
    check_new_plan(s, code, name, start, end)
    plan = Plan(code=code, name=name, start_year=start, end_year=end, version=0, published=False,
                text=plan_text_of(source), based_on_id=source.id)
    s.add(plan)
    s.flush()
    sections = _copy_sections(s, source, plan)
    indicators = _copy_indicators(s, source, plan, sections)
    _copy_targets(s, source, plan, indicators)
    _copy_rules(s, source, plan)
    _copy_tasks(s, source, plan, sections)
    s.flush()
    return plan


def _copy_sections(s: Session, source: Plan, plan: Plan) -> dict[int, Section]:
    new: dict[int, Section] = {}
    for old in s.scalars(select(Section).where(Section.plan_id == source.id).order_by(Section.sort_order, Section.id)):
        new[old.id] = Section(plan=plan, code=old.code, name=old.name, sort_order=old.sort_order,
                              parent=new.get(old.parent_id))
        s.add(new[old.id])
    return new


_INDICATOR_FIELDS = ("code", "name", "unit", "kind", "period", "aggregation", "entry", "covers", "covers_units",
                     "phrase", "source", "other_sources", "signed", "sort_order")


def _copy_indicators(s: Session, source: Plan, plan: Plan, sections: dict[int, Section]) -> dict[int, Indicator]:
    """Each copy keeps a link to its predecessor; a level carries its last value over by default."""
    new: dict[int, Indicator] = {}
    for old in s.scalars(select(Indicator).where(Indicator.plan_id == source.id).order_by(Indicator.sort_order)):
        fields = {f: getattr(old, f) for f in _INDICATOR_FIELDS}
        new[old.id] = Indicator(plan=plan, section=sections[old.section_id], predecessor_id=old.id,
                                carry_over=old.kind == "level", **fields)
        s.add(new[old.id])
    s.flush()
    links = s.scalars(select(ActivityTypeIndicator).where(ActivityTypeIndicator.indicator_id.in_(list(new))))
    for link in list(links):
        s.add(ActivityTypeIndicator(activity_type_id=link.activity_type_id, indicator_id=new[link.indicator_id].id,
                                    measure=link.measure))
    return new


def rebase_targets(old_targets: list[Target], old_end: int, years: range, annual: bool) -> list[dict]:
    """The copy's targets of one indicator and office: an annual target gets, for every new year, the value
    of the old plan's last year that has one (so 每年10场 stays 每年10场); a plan-end target keeps its value
    and bounds (the city edits them for the new plan's end)."""
    if annual:
        dated = sorted((t for t in old_targets if t.year is not None and t.year <= old_end), key=lambda t: t.year)
        if not dated:
            return []
        last = dated[-1]
        return [dict(year=y, value=last.value, min_value=last.min_value, max_value=last.max_value) for y in years]
    return [dict(year=None, value=t.value, min_value=t.min_value, max_value=t.max_value)
            for t in old_targets if t.year is None]


def _copy_targets(s: Session, source: Plan, plan: Plan, indicators: dict[int, Indicator]) -> None:
    by: dict[tuple[int, int], list[Target]] = {}
    for t in s.scalars(select(Target).where(Target.indicator_id.in_(list(indicators)))):
        by.setdefault((t.indicator_id, t.office_id), []).append(t)
    for (old_id, office_id), old_targets in by.items():
        indicator = indicators[old_id]
        for fields in rebase_targets(old_targets, source.end_year, plan.years, indicator.is_annual):
            s.add(Target(indicator=indicator, office_id=office_id, updated_by="计划复制", **fields))


def _copy_rules(s: Session, source: Plan, plan: Plan) -> None:
    for old in s.scalars(select(ValidationRule).where(ValidationRule.plan_id == source.id)):
        s.add(ValidationRule(plan_id=plan.id, code=old.code, check=old.check, severity=old.severity,
                             indicators=old.indicators, params=old.params, message=old.message, active=old.active,
                             sort_order=old.sort_order))


def rebase_due(due: dt.date, source: Plan, plan: Plan) -> dt.date:
    """A task due at the old plan's end is due at the new plan's end; any other due date moves by as many
    years as the plan's start (2019-06-30 in 2018—2020 → 2022-06-30 in 2021—2025), within the new plan."""
    if due >= dt.date(source.end_year, 12, 31):
        return dt.date(plan.end_year, 12, 31)
    year = due.year + plan.start_year - source.start_year
    day = min(due.day, 28) if due.month == 2 else due.day
    return min(dt.date(year, due.month, day), dt.date(plan.end_year, 12, 31))


def _copy_tasks(s: Session, source: Plan, plan: Plan, sections: dict[int, Section]) -> None:
    for old in s.scalars(select(PlanTask).where(PlanTask.plan_id == source.id)):
        s.add(PlanTask(plan_id=plan.id, code=old.code, section=sections[old.section_id], name=old.name,
                       sentence=old.sentence, carriers=old.carriers, due=rebase_due(old.due, source, plan),
                       indicators=old.indicators, sort_order=old.sort_order))


def publish_plan(s: Session, plan: Plan) -> int:
    """Validate and publish: a draft becomes version 1, a published plan's pending revision version N+1.
    Returns the version; refused with every problem, or when a published plan has not changed."""
    record = published_record(s, plan)
    content = content_fingerprint(s, plan)
    if plan.published and record is not None and record.get("content") == content:
        raise UserError(f"计划“{plan.name}”（{plan.code}）第 {plan.version} 版发布后没有修改，不需要再发布。")
    problems = plan_problems(s, plan)
    if problems:
        listed = "；".join(f"{n}. {p}" for n, p in enumerate(problems, 1))
        raise UserError(f"计划“{plan.name}”有 {len(problems)} 个问题，不能发布：{listed}")
    if settings.get(s, CURRENT_PLAN_KEY) is None:  # publishing never switches the current plan by itself
        settings.put(s, CURRENT_PLAN_KEY, active_plan(s).code)
    plan.published = True
    plan.version += 1
    s.flush()
    _record(s, plan, content)
    return plan.version


# --------------------------------------------------------------------------- versions of a published plan

def _record_key(plan: Plan) -> str:
    return f"published_plan:{plan.code}"


def published_record(s: Session, plan: Plan) -> dict | None:
    """What was published last: {"version", "content" (fingerprint), "years", "indicators" (code → the
    fields a revision keeps), "tasks", "sections"}; None for a plan published before records were kept
    (the built-in plan): its next publish always makes a new version."""
    return settings.get(s, _record_key(plan))


def _fixed(indicator: Indicator) -> list:
    return [indicator.kind, indicator.period, indicator.aggregation, indicator.entry, bool(indicator.covers_units)]


def _record(s: Session, plan: Plan, content: str | None) -> dict:
    record = {"version": plan.version, "content": content, "years": [plan.start_year, plan.end_year],
              "indicators": {i.code: _fixed(i) for i in _plan_indicators(s, plan)},
              "tasks": sorted(s.scalars(select(PlanTask.code).where(PlanTask.plan_id == plan.id))),
              "sections": sorted(s.scalars(select(Section.code).where(Section.plan_id == plan.id)))}
    settings.put(s, _record_key(plan), record)
    return record


def _plan_indicators(s: Session, plan: Plan) -> list[Indicator]:
    return list(s.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.sort_order)))


def content_fingerprint(s: Session, plan: Plan) -> str:
    """A hash of everything a plan package carries of ``plan``: its name, sections, indicators and their
    ledger rules, 审核 rules, every target, tasks and assessment schemes."""
    indicators = _plan_indicators(s, plan)
    ids = {i.id: i.code for i in indicators}
    sections = {x.id: x.code for x in s.scalars(select(Section).where(Section.plan_id == plan.id))}
    parts = {
        "plan": [plan.name, plan.start_year, plan.end_year],
        "sections": sorted([x.code, x.name, x.sort_order, sections.get(x.parent_id)]
                           for x in s.scalars(select(Section).where(Section.plan_id == plan.id))),
        "indicators": [[*(getattr(i, f) for f in _INDICATOR_FIELDS), sections.get(i.section_id), i.predecessor_id,
                        i.carry_over] for i in indicators],
        "links": sorted([ids[link.indicator_id], t, link.measure] for link, t in s.execute(
            select(ActivityTypeIndicator, ActivityType.code).join(ActivityType)
            .where(ActivityTypeIndicator.indicator_id.in_(list(ids))))),
        "rules": sorted([r.code, r.check, r.severity, r.indicators, r.params, r.message, r.active, r.sort_order]
                        for r in s.scalars(select(ValidationRule).where(ValidationRule.plan_id == plan.id))),
        "targets": sorted([o, ids[t.indicator_id], t.year or 0, t.value, t.min_value, t.max_value]
                          for t, o in s.execute(select(Target, Office.code).join(Office, Target.office_id == Office.id)
                                                .where(Target.indicator_id.in_(list(ids))))),
        "tasks": sorted([t.code, sections.get(t.section_id), t.name, t.sentence, t.carriers, t.due.isoformat(),
                         t.indicators, t.sort_order]
                        for t in s.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id))),
        "schemes": sorted([a.year, a.body] for a in s.scalars(
            select(AssessmentScheme).where(AssessmentScheme.plan_id == plan.id))),
    }
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def has_unpublished_changes(s: Session, plan: Plan) -> bool:
    """A published plan edited since its last publish (unknown for a plan without a record: False)."""
    record = published_record(s, plan)
    return bool(plan.published and record and record.get("content") != content_fingerprint(s, plan))


def check_revisable(s: Session, plan: Plan) -> None:
    """A published plan is revised only at the city (or a fresh installation) and only while it is the
    current plan: an ended plan's data and packages stay as they were."""
    from .offices import this_office

    mine = this_office(s)
    if mine is not None and not mine.is_city:
        raise UserError(f"本机是{mine.name}：已发布的计划由市科协修改，县区通过下发包得到新的版本。")
    current = active_plan(s)
    if plan.id != current.id:
        raise UserError(f"计划“{plan.name}”（{plan.code}）已经发布，且不是当前计划（当前计划是 {current.code}），不能再修改。"
                        "如需新的计划，请用 plan copy 复制一份再修改。")
    if published_record(s, plan) is None:  # published before records were kept: today's state is the base
        _record(s, plan, None)


def revision_problems(s: Session, plan: Plan, *, years: tuple[int, int], indicators: dict[str, list],
                      tasks: set[str], sections: set[str]) -> list[str]:
    """What a revision of the published ``plan`` may not do, given the plan as it would be (``indicators``:
    code → [kind, period, aggregation, entry, covers_units]); one Chinese sentence each."""
    record = published_record(s, plan) or _record(s, plan, None)
    version = record["version"]
    problems = []
    if list(years) != record["years"]:
        problems.append(f"计划已经发布（第 {version} 版），起止年份 {record['years'][0]}—{record['years'][1]} 不能再改。")
    with_data = set(s.scalars(select(Indicator.code).join(DataValue, DataValue.indicator_id == Indicator.id)
                              .where(Indicator.plan_id == plan.id).distinct()))
    labels = ("类型", "周期", "汇总方式", "填报方式", "覆盖各县区")
    for code in [i.code for i in _plan_indicators(s, plan)]:
        if code in indicators:
            continue
        if code in record["indicators"]:
            problems.append(f"指标 {code} 已在第 {version} 版发布，各县区可能已在其上填报，不能删除（不再使用可以保留不填）。")
        elif code in with_data:
            problems.append(f"指标 {code} 已有填报数据，不能删除。")
    for code, fields in indicators.items():
        old = record["indicators"].get(code)
        if old is None:
            continue
        changed = [label for label, a, b in zip(labels, old, fields) if a != b]
        if changed:
            shown = "、".join(changed)
            problems.append(f"指标 {code} 已在第 {version} 版发布，其{shown}不能再改（各县区按原口径填报）。"
                            "如需不同口径，请新增一个指标。")
    problems += [f"任务 {code} 已在第 {version} 版发布，不能删除（各县区的进展记录挂在它上面）。"
                 for code in record["tasks"] if code not in tasks]
    problems += [f"章节 {code} 已在第 {version} 版发布，不能删除。" for code in record["sections"] if code not in sections]
    return problems


def use_plan(s: Session, plan: Plan) -> Changes:
    """Make a published plan the current one; every page and command then works on it."""
    if not plan.published:
        raise UserError(f"计划“{plan.name}”（{plan.code}）还没有发布，不能设为当前计划。请先用 plan publish 发布。")
    settings.put(s, CURRENT_PLAN_KEY, plan.code)
    return Changes(plan=True)


def draft_plan(s: Session, code: str) -> Plan:
    """A plan that may still be edited: a draft. A published plan is what units enter data on: it stays
    as published, and a changed plan is a new copy."""
    plan = plan_by_code(s, code)
    if not plan.published:
        return plan
    raise UserError(f"计划“{plan.name}”（{plan.code}）已经发布（第 {plan.version} 版），不能再修改。"
                    "如需新的计划，请用 plan copy 复制一份再修改。")


def set_plan_text(s: Session, plan: Plan, text: str) -> None:
    """The new plan's own text (pasted or read from a file), which its source sentences must occur in."""
    if plan.published:
        raise UserError(f"计划“{plan.name}”已经发布，不能再修改其原文。")
    if not normalised(text):
        raise UserError("计划原文是空的。")
    plan.text = text


def set_carry_over(s: Session, indicator: Indicator, carry: bool) -> None:
    """Whether a level of the new plan starts from its predecessor's last value (the user's choice)."""
    if carry and (indicator.kind != "level" or indicator.predecessor_id is None):
        raise UserError(f"指标 {indicator.code}“{indicator.name}”不是承接上一计划的存量指标，不能承接最后数值。")
    indicator.carry_over = carry


def edit_indicator(s: Session, indicator: Indicator, *, name: str, kind: str, target: float,
                   target_max: float | None = None) -> Changes:
    """The editor's change of a draft's indicator: its name, kind and city target (every year of an annual
    one). Bounds are checked by the plan validation when publishing; a kind or name is checked here."""
    from ..models import KINDS
    from .plan_editing import put_city_target

    if indicator.plan.published:
        raise UserError(f"计划“{indicator.plan.name}”已经发布，不能再修改。")
    if kind not in KINDS:
        raise UserError(f"指标类型“{kind}”无效，可选：{'、'.join(KINDS.values())}。")
    if not name.strip():
        raise UserError("指标名称不能为空。")
    indicator.name, indicator.kind = name.strip(), kind
    if kind != "level":
        indicator.carry_over = False
    put_city_target(s, indicator, target, target_max, by="计划编辑")
    return Changes(plan=True)
