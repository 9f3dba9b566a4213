"""What a read plan template means for the database: a preview of every edit, then the edits.

The template's code names the plan: an existing draft is changed, an unknown code creates a draft (its
text and predecessors from the plan named in 复制自). The current published plan may be revised within
``plan_authoring.revision_problems`` (the edits become its next version on ``plan publish``); an ended
plan is never changed. Edits are applied, then the plan validation
(``plan_checks.plan_problems``) runs on the result; any problem refuses the whole load. A dry run
applies in a savepoint and rolls it back, so its preview and its refusals are exactly the real ones.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import (AGGREGATIONS, ENTRIES, KINDS, SEVERITIES, ActivityType, ActivityTypeIndicator, Indicator,
                      Plan, Section, Target, ValidationRule)
from ..services import offices, plan_authoring, plan as plan_service
from ..services.plan_authoring import check_new_plan
from ..services.plan_checks import plan_problems
from ..task_models import PlanTask
from .layout import (DATA_SHEETS, INDICATORS, MEASURE_BY_LABEL, META_FIELDS, PERIOD_LABELS, RULES, SECTIONS,
                     TASKS, TYPES, YES, Sheet, label_to_code)
from .rows import PlanRows, plan_rows


@dataclass
class Preview:
    plan: str
    creates: bool
    changes: list[str] = field(default_factory=list)
    published: int | None = None  # the version of a published plan being revised

    def lines(self) -> list[str]:
        head = f"新建计划 {self.plan}（草稿）" if self.creates else f"修改计划 {self.plan}"
        if self.published is not None:
            head += f"（已发布的第 {self.published} 版；用 plan publish 发布为第 {self.published + 1} 版）"
        if not self.changes:
            return [f"{head}：没有改动。"]
        return [f"{head}：{len(self.changes)} 处改动", *(f"  {c}" for c in self.changes)]

    def as_json(self) -> dict:
        return {"plan": self.plan, "creates": self.creates, "changes": self.changes}


def apply_plan_sheet(s: Session, rows: PlanRows, *, dry_run: bool = False) -> Preview:
    code = rows.meta["code"]
    existing = s.scalars(select(Plan).where(Plan.code == code)).first()
    based = _based_on(s, rows.meta["based_on"])
    before = plan_rows(s, existing) if existing is not None else PlanRows({}, {sheet.name: [] for sheet in DATA_SHEETS})
    preview = Preview(code, existing is None, describe(before, rows))
    nested = s.begin_nested()
    try:
        if existing is not None and existing.published:
            preview.published = existing.version
            _check_revision(s, existing, rows)
        plan = existing or _new_plan(s, rows, based)
        _apply(s, plan, rows, based)
        s.flush()
        problems = plan_problems(s, plan)
        if problems:
            listed = "；".join(f"{n}. {p}" for n, p in enumerate(problems, 1))
            raise UserError(f"载入后计划有 {len(problems)} 个问题，没有载入：{listed}")
    except BaseException:
        nested.rollback()
        raise
    if dry_run:
        nested.rollback()
    else:
        nested.commit()
    return preview


def _check_revision(s: Session, plan: Plan, rows: PlanRows) -> None:
    """A published plan's revision keeps what units hold data on (the rule: plan_authoring)."""
    plan_authoring.check_revisable(s, plan)
    kinds, aggregations, entries = label_to_code(KINDS), label_to_code(AGGREGATIONS), label_to_code(ENTRIES)
    periods = label_to_code(PERIOD_LABELS)
    indicators = {r["code"]: [kinds.get(r["kind"]), periods.get(r["period"]), aggregations.get(r["aggregation"]),
                              entries.get(r["entry"]), r["covers_units"] == YES] for r in rows.sheets[INDICATORS.name]}
    meta = rows.meta
    problems = plan_authoring.revision_problems(
        s, plan, years=(int(meta["start_year"]), int(meta["end_year"])), indicators=indicators,
        tasks={r["code"] for r in rows.sheets[TASKS.name]}, sections={r["code"] for r in rows.sheets[SECTIONS.name]})
    if problems:
        listed = "；".join(f"{n}. {p}" for n, p in enumerate(problems, 1))
        raise UserError(f"计划“{plan.name}”已经发布（第 {plan.version} 版），这些修改不能载入：{listed}")


def _based_on(s: Session, code: str) -> Plan | None:
    return plan_service.plan_by_code(s, code) if code else None


def _new_plan(s: Session, rows: PlanRows, based: Plan | None) -> Plan:
    meta = rows.meta
    check_new_plan(s, meta["code"], meta["name"], int(meta["start_year"]), int(meta["end_year"]))
    plan = Plan(code=meta["code"], name=meta["name"], start_year=int(meta["start_year"]),
                end_year=int(meta["end_year"]), version=0, published=False,
                text=plan_service.plan_text_of(based) if based else None, based_on_id=based.id if based else None)
    s.add(plan)
    s.flush()
    return plan


# --- the preview ---------------------------------------------------------------------------------
def describe(before: PlanRows, after: PlanRows) -> list[str]:
    """Every edit, in the template's words: 计划名称, then each sheet's added, removed and changed rows."""
    lines = []
    for key, label in META_FIELDS.items():
        old, new = before.meta.get(key, ""), after.meta.get(key, "")
        if before.meta and old != new:
            lines.append(f"{label}：{old or '（空）'} → {new or '（空）'}")
    for sheet in DATA_SHEETS:
        lines += _sheet_changes(sheet, before.sheets.get(sheet.name, []), after.sheets[sheet.name])
    return lines


def _title(sheet: Sheet, row: dict) -> str:
    name = row.get("name", "")
    return f"{sheet.what} {row['code']}" + (f"“{name}”" if name else "")


def _sheet_changes(sheet: Sheet, old_rows: list[dict], new_rows: list[dict]) -> list[str]:
    old = {r["code"]: r for r in old_rows}
    new = {r["code"]: r for r in new_rows}
    lines = []
    for code, row in new.items():
        if code not in old:
            lines.append(f"新增{_title(sheet, row)}")
            continue
        for column in sheet.columns:
            a, b = old[code].get(column.key, ""), row.get(column.key, "")
            if a != b:
                lines.append(f"{_title(sheet, old[code])}：{column.header} {_shown(a)} → {_shown(b)}")
    lines += [f"删除{_title(sheet, row)}" for code, row in old.items() if code not in new]
    kept_old = [c for c in old if c in new]
    kept_new = [c for c in new if c in old]
    if kept_old != kept_new:
        lines.append(f"{sheet.name}的顺序改变")
    return lines


def _shown(text: str, limit: int = 40) -> str:
    if not text:
        return "（空）"
    text = text.replace("\n", " ")
    return f"“{text}”" if len(text) <= limit else f"“{text[:limit]}…”"


# --- the edits -----------------------------------------------------------------------------------
def _apply(s: Session, plan: Plan, rows: PlanRows, based: Plan | None) -> None:
    meta = rows.meta
    check_new_plan(s, meta["code"], meta["name"], int(meta["start_year"]), int(meta["end_year"]), plan=plan)
    plan.name, plan.start_year, plan.end_year = meta["name"], int(meta["start_year"]), int(meta["end_year"])
    plan.based_on_id = based.id if based else None
    types = _apply_types(s, rows)
    sections = _apply_sections(s, plan, rows.sheets[SECTIONS.name])
    _apply_indicators(s, plan, rows, sections, types, based)
    _apply_rules(s, plan, rows.sheets[RULES.name])
    _apply_tasks(s, plan, rows.sheets[TASKS.name], sections)
    for section in [sec for code, sec in sections.items() if code not in {r["code"] for r in rows.sheets[SECTIONS.name]}]:
        s.delete(section)


def _refuse(rows: PlanRows, sheet: Sheet, index: int, key: str, message: str):
    from ..packages.format.errors import PackageError

    col = sheet.column(key)
    raise PackageError(message, sheet=sheet.name, row=rows.numbers[sheet.name][index], col=col + 1,
                       header=sheet.columns[col].header)


def _apply_types(s: Session, rows: PlanRows) -> dict[str, ActivityType]:
    """Activity types are shared by every plan (the ledger is one): new ones are added; an existing one is
    never renamed or removed, since an earlier plan's ledger shows it."""
    types = {t.code: t for t in s.scalars(select(ActivityType))}
    listed = rows.sheets[TYPES.name]
    for i, row in enumerate(listed):
        known = types.get(row["code"])
        if known is None:
            types[row["code"]] = ActivityType(code=row["code"], name=row["name"], sort_order=len(types))
            s.add(types[row["code"]])
        elif known.name != row["name"]:
            _refuse(rows, TYPES, i, "name", f"活动类型“{known.name}”为各计划共用（以前计划的台账也用它），不能改名。")
    missing = sorted(set(types) - {r["code"] for r in listed})
    if missing:
        raise UserError(f"工作表“{TYPES.name}”中少了活动类型 {'、'.join(missing)}：活动类型为各计划共用，不能删除。")
    return types


def _apply_sections(s: Session, plan: Plan, rows: list[dict]) -> dict[str, Section]:
    sections = {sec.code: sec for sec in s.scalars(select(Section).where(Section.plan_id == plan.id))}
    for order, row in enumerate(rows):
        sec = sections.get(row["code"])
        if sec is None:
            sec = sections[row["code"]] = Section(plan=plan, code=row["code"])
            s.add(sec)
        sec.name, sec.sort_order = row["name"], order
    for row in rows:
        sections[row["code"]].parent = sections.get(row["parent"]) if row["parent"] else None
    s.flush()
    return sections


def _apply_indicators(s: Session, plan: Plan, rows: PlanRows, sections, types, based: Plan | None) -> None:
    from .reader import parse_target

    existing = {i.code: i for i in s.scalars(select(Indicator).where(Indicator.plan_id == plan.id))}
    listed = rows.sheets[INDICATORS.name]
    for gone in set(existing) - {r["code"] for r in listed}:
        _remove_indicator(s, existing.pop(gone))
    kinds, aggregations, entries = label_to_code(KINDS), label_to_code(AGGREGATIONS), label_to_code(ENTRIES)
    periods = label_to_code(PERIOD_LABELS)
    city = offices.city(s)
    for order, row in enumerate(listed):
        indicator = existing.get(row["code"])
        if indicator is None:
            indicator = Indicator(plan=plan, code=row["code"], signed=False)
            s.add(indicator)
        old_period = indicator.period
        indicator.name, indicator.unit, indicator.section = row["name"], row["unit"], sections[row["section"]]
        indicator.kind, indicator.period = kinds[row["kind"]], periods[row["period"]]
        indicator.aggregation, indicator.entry = aggregations[row["aggregation"]], entries[row["entry"]]
        indicator.covers, indicator.covers_units = row["covers"] or None, row["covers_units"] == YES
        indicator.phrase, indicator.source = row["phrase"], row["source"]
        others = [line.strip() for line in row["other_sources"].split("\n") if line.strip()]
        indicator.other_sources = json.dumps(others, ensure_ascii=False)
        indicator.sort_order = order
        indicator.predecessor_id = _predecessor(s, rows, order, row, based)
        if row["carry_over"] == YES and (indicator.kind != "level" or indicator.predecessor_id is None):
            _refuse(rows, INDICATORS, order, "carry_over", "只有有上期指标的存量/水平指标才能承接上期的最后数值。")
        indicator.carry_over = row["carry_over"] == YES
        s.flush()
        if old_period is not None and old_period != indicator.period:  # the unit targets no longer fit
            s.execute(delete(Target).where(Target.indicator_id == indicator.id))
        _put_ledger(s, rows, order, indicator, row["ledger"], types)
        wanted = parse_target(row["target"], plan.years, indicator.is_annual)
        top = float(row["target_max"]) if row["target_max"] else None
        _put_city_targets(s, indicator, city, wanted, top)


def _remove_indicator(s: Session, indicator: Indicator) -> None:
    """A draft's indicator holds no data (only the current plan takes values): its targets and links go."""
    s.execute(delete(Target).where(Target.indicator_id == indicator.id))
    s.execute(delete(ActivityTypeIndicator).where(ActivityTypeIndicator.indicator_id == indicator.id))
    s.delete(indicator)
    s.flush()


def _predecessor(s: Session, rows: PlanRows, index: int, row: dict, based: Plan | None) -> int | None:
    code = row["predecessor"]
    if not code:
        return None
    if based is None:
        _refuse(rows, INDICATORS, index, "predecessor", "“计划”工作表没有写“复制自”，无法找到上期指标。")
    found = s.scalars(select(Indicator).where(Indicator.plan_id == based.id, Indicator.code == code)).first()
    if found is None:
        _refuse(rows, INDICATORS, index, "predecessor", f"计划 {based.code} 中没有指标“{code}”。")
    return found.id


def _put_ledger(s: Session, rows: PlanRows, index: int, indicator: Indicator, text: str, types) -> None:
    s.execute(delete(ActivityTypeIndicator).where(ActivityTypeIndicator.indicator_id == indicator.id))
    seen = set()
    for part in filter(None, text.replace("；", ";").split(";")):
        code, _, label = part.replace("：", ":").partition(":")
        code = code.strip()
        if code not in types:
            _refuse(rows, INDICATORS, index, "ledger", f"活动类型“{code}”不存在（见“活动类型”工作表）。")
        key = (code, MEASURE_BY_LABEL[label.strip()])
        if key not in seen:
            seen.add(key)
            s.add(ActivityTypeIndicator(activity_type=types[code], indicator=indicator, measure=key[1]))


def _put_city_targets(s: Session, indicator: Indicator, city, wanted: dict, top: float | None) -> None:
    current = {t.year: t for t in s.scalars(select(Target).where(Target.indicator_id == indicator.id,
                                                                 Target.office_id == city.id))}
    is_range = indicator.kind == "range"
    for year, value in wanted.items():
        target = current.pop(year, None)
        bounds = (value, top) if is_range else (None, None)
        if target is None:
            s.add(Target(indicator=indicator, office_id=city.id, year=year, value=value, min_value=bounds[0],
                         max_value=bounds[1], updated_by="计划模板"))
        elif (target.value, target.min_value, target.max_value) != (value, *bounds):
            target.value, (target.min_value, target.max_value) = value, bounds
            target.updated_by, target.updated_at = "计划模板", dt.datetime.now().replace(microsecond=0)
    for stale in current.values():
        s.delete(stale)


def _apply_rules(s: Session, plan: Plan, rows: list[dict]) -> None:
    existing = {r.code: r for r in s.scalars(select(ValidationRule).where(ValidationRule.plan_id == plan.id))}
    severities = label_to_code(SEVERITIES)
    for order, row in enumerate(rows):
        rule = existing.pop(row["code"], None)
        if rule is None:
            rule = ValidationRule(plan_id=plan.id, code=row["code"])
            s.add(rule)
        rule.check, rule.severity, rule.message = row["check"], severities[row["severity"]], row["message"]
        codes = [c.strip() for c in row["indicators"].replace("，", ",").split(",") if c.strip()]
        rule.indicators = json.dumps(codes, ensure_ascii=False)
        rule.params = json.dumps(json.loads(row["params"]) if row["params"] else {}, ensure_ascii=False)
        rule.active, rule.sort_order = row["active"] == YES, order
    for gone in existing.values():
        s.delete(gone)


def _apply_tasks(s: Session, plan: Plan, rows: list[dict], sections) -> None:
    existing = {t.code: t for t in s.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id))}
    for order, row in enumerate(rows):
        task = existing.pop(row["code"], None)
        if task is None:
            task = PlanTask(plan_id=plan.id, code=row["code"])
            s.add(task)
        task.section, task.name, task.sentence = sections[row["section"]], row["name"], row["sentence"]
        carriers = row["carriers"]
        value = carriers if carriers in ("city", "units", "all") else [c.strip() for c in carriers.split(",")]
        task.carriers = json.dumps(value, ensure_ascii=False)
        task.due = dt.date.fromisoformat(row["due"])
        task.indicators = json.dumps([c.strip() for c in row["indicators"].split(",") if c.strip()])
        task.sort_order = order
    for gone in existing.values():
        s.delete(gone)
