"""Importing a plan/targets package at a unit: upsert the plan, offices, indicators, activity types,
审核 rules and targets. Nothing is ever deleted (a rule the package no longer has is deactivated), and
a unit's entered data is never touched."""

from __future__ import annotations

import json
import math
import string
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....changes import Changes
from ....errors import UserError
from ....models import (AGGREGATIONS, ENTRIES, KINDS, PERIODS, SEVERITIES, ActivityType, ActivityTypeIndicator, Indicator, Office, Plan, Section, Target,
                        ValidationRule)
from ....review.checks import EVALUATORS
from ....services import offices, plan, plan_authoring, settings, targets
from ....validation import check_value
from ...format.codec import SheetSpec, canon_number
from ...format.errors import PackageError, where
from ...format.workbook import typed_rows
from ...pipeline import keys
from ...pipeline.results import CHANGED, NEW, REFUSED, SAME, Classified, RowChange
from . import lineage_sheet, scheme_sheet, tasks_sheet
from .export import INDICATORS, LINKS, OFFICES, PLAN, RULES, SECTIONS, SPECS, TARGETS, TYPES

# Fields of an existing indicator that a plan package may update (its kind and rules stay).
INDICATOR_UPDATES = ("name", "unit", "covers", "phrase", "source", "other_sources")


@dataclass
class _Work:
    changes: list[RowChange] = field(default_factory=list)
    steps: list[Callable[[Session, str], None]] = field(default_factory=list)
    result: Changes = field(default_factory=Changes)
    new_plan: Plan | None = None  # set when the package brings a plan the unit does not have
    plan: Plan | None = None  # the plan the package carries (new or the unit's own)

    def refuse(self, spec: SheetSpec, row: int, key: str | None, reason: str) -> None:
        col = spec.index(key) + 1 if key else None
        header = spec.columns[col - 1].header if col else ""
        self.changes.append(RowChange(spec.name, row, "", REFUSED, where(spec.name, row, col, header), reason=reason))

    def refuser(self, spec: SheetSpec):
        return lambda row, col, reason: self.refuse(spec, row, spec.columns[col - 1].key, reason)

    def upsert(self, spec, row, key, label, obj, fields: dict) -> str:
        """Record NEW / CHANGED / SAME for an object (None: new) and the fields it would get."""
        if obj is None:
            self.changes.append(RowChange(spec.name, row, key, NEW, label, new=_fields_text(fields)))
            return NEW
        diff = {k: (getattr(obj, k), v) for k, v in fields.items() if getattr(obj, k) != v}
        if not diff:
            self.changes.append(RowChange(spec.name, row, key, SAME, label))
            return SAME
        old = _diff_text((k, o) for k, (o, _) in diff.items())
        new = _diff_text((k, n) for k, (_, n) in diff.items())
        self.changes.append(RowChange(spec.name, row, key, CHANGED, label, old, new))
        return CHANGED


FIELD_LABELS = {
    "code": "代码", "name": "名称", "version": "版本号", "short_name": "简称", "kind": "类别", "sort_order": "排序",
    "active": "启用", "unit": "计量单位", "period": "期限", "aggregation": "汇总方式", "entry": "填报方式",
    "covers": "覆盖对象", "signed": "可为负数", "phrase": "目标原文", "source": "出处原文", "other_sources": "其他出处",
    "value": "目标值", "min_value": "下限", "max_value": "上限",
    "check": "检查", "severity": "级别", "indicators": "适用指标", "params": "参数", "message": "提示",
}
LONG_TEXTS = ("phrase", "source", "other_sources", "message")
RULE_CODE_LENGTH = ValidationRule.code.type.length
PLAN_NAME_LENGTH = Plan.name.type.length


def _short(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "（空）"
    text = canon_number(value) if isinstance(value, float) else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _diff_text(pairs) -> str:
    return "；".join(f"{FIELD_LABELS.get(k, k)} {_short(v)}" for k, v in pairs)


# Coded fields are previewed in the words of the sheet (类别 年度累计, not annual_flow).
CODED = {"kind": KINDS, "period": PERIODS, "aggregation": AGGREGATIONS, "entry": ENTRIES}


def _fields_text(fields: dict) -> str:
    return _diff_text((k, CODED[k].get(v, v) if k in CODED else v) for k, v in fields.items() if k not in LONG_TEXTS)


def check_role(s: Session, m) -> None:
    mine = offices.this_office(s)
    if mine is None:
        raise PackageError("本机还没有设定所属单位。请先导入市科协发来的初始化包。")
    if mine.is_city:
        raise PackageError("本机是市科协，下发包是发给县区的，不能在市科协导入。")
    if m.office_code not in (mine.code, offices.city(s).code):
        raise PackageError(f"此下发包是发给{m.office_name}的，本机是{mine.name}，不能导入。")


def candidate_keys(s: Session, loaded, code: str | None) -> list[bytes]:
    found = keys.active_keys(s, offices.city(s))
    if not found:
        raise PackageError("本机没有市科协的签名密钥，无法核对此包。请先导入市科协发来的初始化包。")
    return found


def classify(s: Session, loaded) -> Classified:
    work = classify_content(s, loaded)
    return Classified(work.changes, _runner(work))


def _runner(work: _Work):
    def apply(session: Session, source: str) -> Changes:
        for step in work.steps:
            step(session, source)
        return work.result
    return apply


def classify_content(s: Session, loaded) -> _Work:
    """The plan part of a plan or init package: row changes and the steps that apply them."""
    work = _Work()
    rows = {spec.name: typed_rows(spec, loaded.rows[spec.name], work.refuser(spec)) for spec in SPECS}
    current = work.plan = _plan(s, work, rows[PLAN.name])
    sections = _sections(s, work, current, rows[SECTIONS.name])
    _offices(s, work, rows[OFFICES.name])
    indicators = _indicators(s, work, current, sections, rows[INDICATORS.name])
    _types(s, work, current, rows[TYPES.name], rows[LINKS.name], indicators)
    _rules(s, work, current, indicators, rows[RULES.name])
    _targets(s, work, current, indicators, rows[TARGETS.name])
    tasks_sheet.classify(s, work, current, sections, indicators, rows[tasks_sheet.TASKS.name])
    scheme_sheet.classify(s, work, rows[scheme_sheet.SCHEME.name], current)
    lineage_sheet.classify(s, work, indicators, rows[lineage_sheet.LINEAGE.name])
    if work.new_plan is not None:
        _summarize_new_plan(work)
    return work


SUMMARY = ((SECTIONS, "章节", "个"), (INDICATORS, "指标", "个"), (TARGETS, "目标", "条"), (RULES, "审核规则", "条"),
           (tasks_sheet.TASKS, "任务", "项"))


def new_plan_summary(changes) -> str:
    """What a new plan brings, for the preview: '章节 8 个，指标 66 个，…' (only what is new)."""
    counts = [(what, unit, sum(1 for ch in changes if ch.sheet == spec.name and ch.action == NEW))
              for spec, what, unit in SUMMARY]
    return "，".join(f"{what} {n} {unit}" for what, unit, n in counts if n)


def _summarize_new_plan(work: _Work) -> None:
    at = next(n for n, ch in enumerate(work.changes) if ch.sheet == PLAN.name and ch.action == NEW)
    found = work.changes[at]
    work.changes[at] = RowChange(found.sheet, found.row, found.key, NEW, found.label,
                                 new=f"{found.new}；{new_plan_summary(work.changes)}（本机原有计划及其数据不变）")


def _plan(s: Session, work: _Work, rows) -> Plan:
    """The plan the package carries: the unit's plan of that code (updated), or a new plan created on
    applying. The unit's other plans and their data are never touched."""
    if len(rows) != 1:
        raise PackageError("“计划”工作表应恰好有一行。", sheet=PLAN.name)
    rownum, (code, name, start, end, version) = rows[0]
    mine = s.scalars(select(Plan).where(Plan.code == code)).first()
    if mine is None:
        return _new_plan(s, work, rownum, (code, name, start, end, version))
    if (start, end) != (mine.start_year, mine.end_year):
        raise PackageError(f"此包的计划“{code}”是{start}—{end}年，本机的同一计划是{mine.start_year}—{mine.end_year}年，"
                           "不能导入。", sheet=PLAN.name, row=rownum)
    if version < mine.version:
        # An older package would undo the city's later changes: refuse it rather than show it unchanged.
        raise PackageError(f"此包是计划“{code}”的第 {version} 版，本机已有第 {mine.version} 版（更新），"
                           "不能用旧版覆盖。请向市科协索取最新的下发包。", sheet=PLAN.name, row=rownum)
    if work.upsert(PLAN, rownum, code, name, mine, {"name": name, "version": version}) != SAME:
        def step(session, source, name=name, version=version):
            mine.name, mine.version = name, version
        work.steps.append(step)
        work.result.plan = True
    return mine


def _new_plan(s: Session, work: _Work, rownum: int, row: tuple) -> Plan:
    code, name, start, end, version = row
    try:
        plan_authoring.check_new_plan(s, code, name, start, end)
        if len(name) > PLAN_NAME_LENGTH:
            raise UserError(f"计划名称最多 {PLAN_NAME_LENGTH} 个字。")
    except UserError as exc:
        raise PackageError(f"此包的新计划“{code[:40]}”不能导入：{exc}", sheet=PLAN.name, row=rownum) from None
    created = Plan(code=code, name=name, start_year=start, end_year=end, version=version, published=True)
    label = f"新计划：{name}（{start}—{end}年）"
    work.changes.append(RowChange(PLAN.name, rownum, code, NEW, label, new=f"版本号 {version}"))
    before = plan.active_plan(s).code if s.scalars(select(Plan)).first() is not None else None

    def step(session, source):
        if before is not None and settings.get(session, plan.CURRENT_PLAN_KEY) is None:
            settings.put(session, plan.CURRENT_PLAN_KEY, before)  # the new plan must not silently become current
        session.add(created)
        session.flush()
    work.steps.append(step)
    work.result.plan = True
    work.new_plan = created
    return created


def _sections(s: Session, work: _Work, current: Plan, rows) -> tuple[dict[str, Section], set[str]]:
    """(sections by code, filled in when applied; every code known after applying)."""
    existing = {x.code: x for x in current.sections}
    known = set(existing) | {r[1][0] for r in rows}
    for rownum, (code, name, parent) in rows:
        if parent and parent not in known:
            work.refuse(SECTIONS, rownum, "parent", f"上级章节“{parent}”不存在。")
            continue
        if work.upsert(SECTIONS, rownum, code, name, existing.get(code), {"name": name}) == SAME:
            continue

        def step(session, source, code=code, name=name, parent=parent):
            section = existing.get(code)
            if section is None:
                section = existing[code] = Section(plan=current, code=code, name=name, sort_order=len(existing))
                session.add(section)
            section.name = name
            section.parent = existing.get(parent) if parent else None
        work.steps.append(step)
        work.result.plan = True
    return existing, known


def _offices(s: Session, work: _Work, rows) -> None:
    existing = {o.code: o for o in offices.all_offices(s)}
    known = set(existing) | {r[1][0] for r in rows}
    has_city = any(o.is_city for o in existing.values())
    for rownum, (code, name, short, kind, parent, order, active) in rows:
        old = existing.get(code)
        if parent and parent not in known:
            work.refuse(OFFICES, rownum, "parent", f"上级单位“{parent}”不存在。")
            continue
        if (old is not None and old.is_city != (kind == "city")) or (old is None and kind == "city" and has_city):
            work.refuse(OFFICES, rownum, "kind", f"单位“{name}”的类别与本机不符（不能增加或改变市科协）。")
            continue
        fields = {"name": name, "short_name": short, "kind": kind, "sort_order": order, "active": active}
        if work.upsert(OFFICES, rownum, code, name, old, fields) == SAME:
            continue

        def step(session, source, code=code, fields=fields, parent=parent):
            office = existing.get(code)
            if office is None:
                office = existing[code] = Office(code=code, **fields)
                session.add(office)
            for k, v in fields.items():
                setattr(office, k, v)
            office.parent = existing.get(parent) if parent else None
            session.flush()
        work.steps.append(step)
        work.result.offices = True


def _indicator_fields(row) -> dict:
    (code, name, unit, kind, period, aggregation, entry, covers, _section, signed, order, phrase,
     source, others) = row
    other_list = [x for x in others.split("\n") if x]
    return {"code": code, "name": name, "unit": unit, "kind": kind, "period": period, "aggregation": aggregation,
            "entry": entry, "covers": covers or None, "signed": signed, "sort_order": order, "phrase": phrase,
            "source": source, "other_sources": json.dumps(other_list, ensure_ascii=False)}


def _indicators(s: Session, work: _Work, current: Plan, sections, rows) -> dict[str, Indicator]:
    """Indicators by code after applying (new ones transient, for checking targets)."""
    by_code, known_sections = sections
    existing = {i.code: i for i in plan.indicators(s, current)}
    found = dict(existing)
    for rownum, row in rows:
        fields, section = _indicator_fields(row), row[8]
        old = existing.get(fields["code"])
        if old is None and section not in known_sections:
            work.refuse(INDICATORS, rownum, "section", f"章节“{section}”不存在。")
            continue
        shown = fields if old is None else {k: fields[k] for k in INDICATOR_UPDATES}
        if old is None:
            found[fields["code"]] = Indicator(**fields)  # transient until applied
        if work.upsert(INDICATORS, rownum, fields["code"], fields["name"], old, shown) == SAME:
            continue
        work.steps.append(_indicator_step(current, by_code, found, fields, shown, section))
        work.result.plan = True
    return found


def _indicator_step(current, sections, found, fields, shown, section_code):
    def step(session, source):
        indicator = found[fields["code"]]
        if indicator.id is None:
            indicator.plan = current
            indicator.section = sections[section_code]
            session.add(indicator)
        for k, v in shown.items():
            setattr(indicator, k, v)
        session.flush()
    return step


def _types(s: Session, work: _Work, current: Plan, type_rows, link_rows, indicators: dict[str, Indicator]) -> None:
    existing = {t.code: t for t in s.scalars(select(ActivityType))}
    known = set(existing) | {r[1][0] for r in type_rows}
    for rownum, (code, name, order) in type_rows:
        if work.upsert(TYPES, rownum, code, name, existing.get(code), {"name": name, "sort_order": order}) == SAME:
            continue

        def step(session, source, code=code, name=name, order=order):
            kind = existing.get(code)
            if kind is None:
                kind = existing[code] = ActivityType(code=code, name=name, sort_order=order)
                session.add(kind)
            kind.name, kind.sort_order = name, order
            session.flush()
        work.steps.append(step)
        work.result.plan = True
    links = {(a, i, m) for a, i, m in s.execute(
        select(ActivityType.code, Indicator.code, ActivityTypeIndicator.measure)
        .join(ActivityType, ActivityTypeIndicator.activity_type_id == ActivityType.id)
        .join(Indicator, ActivityTypeIndicator.indicator_id == Indicator.id)
        .where(Indicator.plan_id == current.id))} if current.id is not None else set()  # the carried plan's links
    for rownum, (type_code, code, measure) in link_rows:
        _link(work, rownum, (type_code, code, measure), links, known, existing, indicators)


def _link(work, rownum, link, links, known_types, types, indicators) -> None:
    type_code, code, measure = link
    if type_code not in known_types:
        return work.refuse(LINKS, rownum, "type", f"未知的活动类型代码“{type_code}”。")
    if code not in indicators:
        return work.refuse(LINKS, rownum, "indicator", f"未知的指标代码“{code}”。")
    if link in links:
        work.changes.append(RowChange(LINKS.name, rownum, "/".join(link), SAME, f"{type_code} → {code}"))
        return
    links.add(link)
    work.changes.append(RowChange(LINKS.name, rownum, "/".join(link), NEW, f"{type_code} → {code}", new=measure))

    def step(session, source):
        session.add(ActivityTypeIndicator(activity_type=types[type_code], indicator=indicators[code], measure=measure))
        session.flush()
    work.steps.append(step)
    work.result.plan = True


def rule_params(text: str) -> dict | None:
    """A rule's 参数 cell as a JSON object of finite numbers (empty: none), or None if it is not one."""
    if not text.strip():
        return {}
    try:
        found = json.loads(text, parse_constant=lambda name: math.nan)
    except (ValueError, RecursionError):  # a forged cell may nest thousands deep
        return None
    if not isinstance(found, dict):
        return None
    out = {}
    for key, value in found.items():
        if type(value) not in (int, float) or abs(value) >= 1e15 or not math.isfinite(value):
            return None  # bool is no number here; NaN, Infinity and 1e400 are no threshold
        out[key] = int(value) if float(value).is_integer() else value
    return out


def message_problem(message: str) -> str | None:
    """Why a rule's 提示 could not be shown with the finding's fields (checks fill it by name), or None."""
    if not message.strip():
        return "提示不能为空。"
    try:
        fields = list(string.Formatter().parse(message))
    except ValueError:
        return "提示中的花括号不成对（字段写成 {indicator} 这样）。"
    for _text, name, spec, conversion in fields:
        if name is not None and (not name.isidentifier() or spec or conversion):
            return f"提示中的字段“{{{name}}}”不对：只能写成 {{字段名}}，不能带格式或序号。"
    return None


def _rules(s: Session, work: _Work, current: Plan, indicators: dict[str, Indicator], rows) -> None:
    """Replace the unit's rules by the package's: new and changed rows, and those it no longer has
    deactivated (an explanation still names its rule)."""
    existing = {r.code: r for r in s.scalars(select(ValidationRule).where(ValidationRule.plan_id == current.id))}
    seen: dict[str, int] = {}
    for order, (rownum, (code, check, severity, codes, params_text, message, active)) in enumerate(rows):
        wanted = [x.strip() for x in codes.replace("，", ",").split(",") if x.strip()]
        unknown = [x for x in wanted if x not in indicators]
        params = rule_params(params_text)
        if code in seen:
            work.refuse(RULES, rownum, "code", f"规则代码“{code}”与第 {seen[code]} 行重复。")
            continue
        seen[code] = rownum
        if len(code) > RULE_CODE_LENGTH:
            work.refuse(RULES, rownum, "code", f"规则代码“{code[:30]}”太长（最多 {RULE_CODE_LENGTH} 个字符）。")
        elif check not in EVALUATORS:
            work.refuse(RULES, rownum, "check", f"本程序没有名为“{check}”的检查，请使用相同版本的程序。")
        elif unknown:
            work.refuse(RULES, rownum, "indicators", f"未知的指标代码“{'、'.join(unknown)}”。")
        elif params is None:
            work.refuse(RULES, rownum, "params",
                        f"参数“{params_text[:40]}”不是由数字组成的 JSON 对象（例如 {{\"factor\": 5}}）。")
        elif (problem := message_problem(message)) is not None:
            work.refuse(RULES, rownum, "message", problem)
        else:
            fields = {"check": check, "severity": severity, "indicators": ",".join(dict.fromkeys(wanted)),
                      "params": json.dumps(params, ensure_ascii=False), "message": message, "active": active,
                      "sort_order": order}
            _rule(work, current, rownum, code, existing.get(code), fields)
    if any(ch.sheet == RULES.name and ch.action == REFUSED for ch in work.changes):
        return  # a refused row's code is unknown: no row is shown as deactivated for it
    for code, old in existing.items():
        if code not in seen and old.active:
            work.changes.append(RowChange(RULES.name, None, code, CHANGED, f"{code} 本包没有此规则，停用",
                                          "启用 是", "启用 否"))
            work.steps.append(_deactivate(work, old))
            work.result.plan = True


def _deactivate(work: _Work, rule: ValidationRule):
    def step(session, source):
        rule.active = False
        _rules_changed(session, work)
    return step


def _rule_view(rule: ValidationRule) -> SimpleNamespace:
    """A stored rule in the form of a package row, so that equal rules compare equal."""
    params = rule_params(rule.params or "{}")
    return SimpleNamespace(
        check=rule.check, severity=SEVERITIES.get(rule.severity, rule.severity),
        indicators=",".join(json.loads(rule.indicators or "[]")), message=rule.message, active=rule.active,
        params=rule.params if params is None else json.dumps(params, ensure_ascii=False), sort_order=rule.sort_order)


def _rule(work: _Work, current: Plan, rownum: int, code: str, old: ValidationRule | None, fields: dict) -> None:
    shown = dict(fields, severity=SEVERITIES[fields["severity"]])  # compared and previewed as in the sheet
    old_view = None if old is None else _rule_view(old)
    if work.upsert(RULES, rownum, code, f"{code} {shown['severity']}", old_view, shown) == SAME:
        return
    codes = fields["indicators"].split(",") if fields["indicators"] else []
    stored = dict(fields, indicators=json.dumps(codes, ensure_ascii=False))

    def step(session, source):
        rule = old
        if rule is None:
            rule = ValidationRule(plan_id=current.id, code=code)
            session.add(rule)
        for k, v in stored.items():
            setattr(rule, k, v)
        _rules_changed(session, work)
    work.steps.append(step)
    work.result.plan = True


def _rules_changed(session: Session, work: _Work) -> None:
    mine = offices.this_office(session)  # None while an init package installs: nothing checked yet
    if mine is not None:
        work.result.review.add(mine.id)


def target_problem(indicator: Indicator, current: Plan, year, value, low, high) -> str | None:
    """Why a target row could not be stored (the rules of services.targets.put_target), or None."""
    if indicator.is_annual and year is None:
        return f"“{indicator.name}”是每年的目标，应填写年份。"
    if not indicator.is_annual and year is not None:
        return f"“{indicator.name}”是到{current.end_year}年的期末目标，年份应为空。"
    if year is not None and not current.start_year <= year <= current.end_year:
        return f"年份 {year} 超出计划期（{current.start_year}—{current.end_year}年）。"
    try:
        for number, what in ((value, "目标值"), (low, "下限"), (high, "上限")):
            if number is not None:
                targets.check_cap(indicator, check_value(indicator, number, what), what)
    except UserError as exc:
        return str(exc)
    if indicator.kind == "range":
        if high is None or (low if low is not None else value) > high:
            return f"“{indicator.name}”是区间目标，应有不小于下限的上限。"
    elif low is not None or high is not None:
        return f"“{indicator.name}”不是区间目标，不应有上下限。"
    return None


def _targets(s: Session, work: _Work, current: Plan, indicators: dict[str, Indicator], rows) -> None:
    office_codes = {o.code for o in offices.all_offices(s)}
    office_codes |= {ch.key for ch in work.changes if ch.sheet == OFFICES.name and ch.action == NEW}
    existing = {(t.indicator_id, t.office_id, t.year): t for t in s.scalars(select(Target))}
    office_ids = {o.code: o.id for o in offices.all_offices(s)}
    seen: dict[tuple, int] = {}
    for rownum, (office_code, office_name, code, name, year, value, low, high) in rows:
        indicator = indicators.get(code)
        if office_code not in office_codes:
            work.refuse(TARGETS, rownum, "office", f"未知的单位代码“{office_code}”。")
        elif indicator is None:
            work.refuse(TARGETS, rownum, "indicator", f"未知的指标代码“{code}”。")
        elif (problem := target_problem(indicator, current, year, value, low, high)) is not None:
            work.refuse(TARGETS, rownum, "value", problem)
        elif (office_code, code, year) in seen:
            work.refuse(TARGETS, rownum, None, f"与第 {seen[(office_code, code, year)]} 行重复（同一单位、指标和年份）。")
        else:
            seen[(office_code, code, year)] = rownum
            old = existing.get((indicator.id, office_ids.get(office_code), year)) if indicator.id else None
            _target(work, rownum, (office_code, office_name, indicator, year, value, low, high), old)


def _target(work: _Work, rownum: int, row: tuple, old: Target | None) -> None:
    office_code, office_name, indicator, year, value, low, high = row
    if indicator.kind == "range":
        low = value if low is None else low
        value = low
    label = f"{office_name} {indicator.name} {year or '期末'}"
    fields = {"value": value, "min_value": low, "max_value": high}
    if work.upsert(TARGETS, rownum, f"{office_code}/{indicator.code}/{year or 'plan'}", label, old, fields) == SAME:
        return

    def step(session, source):
        office = session.scalars(select(Office).where(Office.code == office_code)).one()
        bounds = {"min_value": low, "max_value": high} if indicator.kind == "range" else {}
        work.result = work.result | targets.put_target(
            session, indicator, office, year, value, user="导入", source=source, any_plan=True, **bounds)
    work.steps.append(step)
