"""The city's assessment scheme (考核方案) of one year, as data: classes of units (分类指导), and per class the
points of indicators, sections and tasks, the reporting points, and the cap on 完成率.

The document (JSON, what ``scheme --json`` prints and ``scheme load`` reads)::

    {"year": 2020, "cap": 1.2,
     "classes": [{"name": "区", "units": ["320703", ...],
                  "indicators": [{"indicator": "I09", "points": 10}, {"section": "T1", "points": 12},
                                 {"section": "*", "points": 20}],
                  "tasks": [{"task": "T26", "points": 5}, {"section": "T2.3", "points": 6},
                            {"section": "*", "points": 25}],
                  "reporting": {"completeness": 5, "timeliness": 5, "explained": 5}}]}

Which item weighs an indicator (or a task): the item naming it, else the item of its nearest enclosing
section, else the "*" item; none: it is not assessed. A section's (or "*"'s) points are shared equally by
the indicators it weighs that have a target for the unit (the tasks it weighs that the unit carries).
Every active unit is in exactly one class. A year without a stored scheme gets ``default_scheme``.
In the services layer (not in ``assessment``) so that a plan package can carry it down and validate it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..assessment_models import AssessmentScheme
from ..errors import UserError
from ..models import Office, Plan
from . import offices, plan as plan_service
from . import tasks as task_service
from ..validation import check_year

ALL = "*"
DEFAULT_CAP = 1.2
MAX_CAP = 3.0
MAX_POINTS = 1000.0
# Office.kind → the default class (分类指导: 区, 县, 功能区).
DEFAULT_CLASSES = (("district", "区"), ("county", "县"), ("zone", "功能区"))
DEFAULT_SECTION_POINTS = 12.0  # each top-level section that holds indicators
DEFAULT_TASK_POINTS = 25.0  # all the unit's tasks together
DEFAULT_REPORTING = {"completeness": 5.0, "timeliness": 5.0, "explained": 5.0}
REPORTING_PARTS = ("completeness", "timeliness", "explained")
REPORTING_LABELS = {"completeness": "报送完整率", "timeliness": "报送及时率", "explained": "预警说明率"}


@dataclass(frozen=True)
class Item:
    """One weighted entry: ``kind`` "indicator", "task" or "section" (``code`` "*": all)."""

    kind: str
    code: str
    points: float

    def to_json(self) -> dict:
        return {self.kind: self.code, "points": self.points}

    @property
    def label(self) -> str:
        if self.kind == "section":
            return "全部" if self.code == ALL else f"{self.code} 部分"
        return self.code


@dataclass(frozen=True)
class UnitClass:
    name: str
    units: tuple[str, ...]  # office codes
    indicators: tuple[Item, ...] = ()
    tasks: tuple[Item, ...] = ()
    reporting: dict[str, float] = field(default_factory=lambda: dict.fromkeys(REPORTING_PARTS, 0.0))

    def to_json(self) -> dict:
        return {"name": self.name, "units": list(self.units), "indicators": [i.to_json() for i in self.indicators],
                "tasks": [i.to_json() for i in self.tasks], "reporting": dict(self.reporting)}


@dataclass(frozen=True)
class Scheme:
    year: int
    cap: float
    classes: tuple[UnitClass, ...]
    stored: bool = False  # False: the default, nothing saved yet
    updated_by: str = ""
    updated_at: dt.datetime | None = None

    def to_json(self) -> dict:
        return {"year": self.year, "cap": self.cap, "classes": [c.to_json() for c in self.classes],
                "stored": self.stored, "updated_by": self.updated_by or None,
                "updated_at": self.updated_at.isoformat(sep=" ") if self.updated_at else None}

    def class_of(self, office_code: str) -> UnitClass | None:
        return next((c for c in self.classes if office_code in c.units), None)

    def klass(self, name: str) -> UnitClass:
        found = next((c for c in self.classes if c.name == name), None)
        if found is None:
            raise UserError(f"考核方案中没有“{name}”这一类。现有的类：{'、'.join(c.name for c in self.classes)}。")
        return found


# --------------------------------------------------------------------------- the default

def default_scheme(s: Session, year: int) -> Scheme:
    """区 / 县 / 功能区 from each unit's kind; 12 points per top-level section holding indicators, 25 for
    all tasks, 5 each for 完整率, 及时率 and explained warnings; 完成率 capped at 120%."""
    plan = plan_service.current_plan(s)
    check_year(year, plan, what=f"年份 {year}")
    units = offices.units(s)
    tops = _top_sections(s, plan)
    indicator_items = tuple(Item("section", code, DEFAULT_SECTION_POINTS) for code in tops)
    classes = []
    for kind, name in DEFAULT_CLASSES:
        members = tuple(u.code for u in units if u.kind == kind)
        if members:
            classes.append(UnitClass(name, members, indicator_items, (Item("section", ALL, DEFAULT_TASK_POINTS),),
                                     dict(DEFAULT_REPORTING)))
    others = tuple(u.code for u in units if u.kind not in dict(DEFAULT_CLASSES))
    if others:
        classes.append(UnitClass("其他", others, indicator_items, (Item("section", ALL, DEFAULT_TASK_POINTS),),
                                 dict(DEFAULT_REPORTING)))
    return Scheme(year, DEFAULT_CAP, tuple(classes))


def _top_sections(s: Session, plan: Plan) -> list[str]:
    parents = section_parents(plan)
    order = {sec.code: n for n, sec in enumerate(plan.sections)}
    tops = {_root(parents, i.section.code) for i in plan_service.indicators(s, plan)}
    return sorted(tops, key=lambda c: order.get(c, 0))


def section_parents(plan: Plan) -> dict[str, str | None]:
    return {sec.code: sec.parent.code if sec.parent else None for sec in plan.sections}


def _root(parents: dict[str, str | None], code: str) -> str:
    while parents.get(code):
        code = parents[code]
    return code


def enclosing(parents: dict[str, str | None], code: str) -> list[str]:
    """The section and its ancestors, nearest first."""
    chain = []
    while code:
        chain.append(code)
        code = parents.get(code)
    return chain


# --------------------------------------------------------------------------- which item weighs what

def weighing(items: tuple[Item, ...], kind: str, code: str, section: str, parents) -> Item | None:
    """The item that weighs an indicator or task: its own, else the nearest section's, else "*"."""
    by_key = {(i.kind, i.code): i for i in items}
    if (kind, code) in by_key:
        return by_key[(kind, code)]
    for sec in enclosing(parents, section):
        if ("section", sec) in by_key:
            return by_key[("section", sec)]
    return by_key.get(("section", ALL))


def shares(items, kind: str, subjects: list[tuple[str, str]], parents) -> dict[str, tuple[Item, float]]:
    """code → (its item, its weight) for (code, section) subjects: a section item's points are shared
    equally by the subjects it weighs."""
    groups: dict[Item, list[str]] = defaultdict(list)
    for code, section in subjects:
        item = weighing(items, kind, code, section, parents)
        if item is not None:
            groups[item].append(code)
    return {code: (item, item.points / len(codes)) for item, codes in groups.items() for code in codes}


def task_weight(s: Session, sch: Scheme, office: Office, task_code: str) -> float | None:
    """The points ``office``'s task weighs in ``sch`` (None: not assessed there)."""
    klass = sch.class_of(office.code)
    if klass is None:
        return None
    carried = [t for t in task_service.all_tasks(s) if task_service.carries(t, office)]
    parents = section_parents(plan_service.current_plan(s))
    found = shares(klass.tasks, "task", [(t.code, t.section.code) for t in carried], parents).get(task_code)
    return None if found is None else found[1]


# --------------------------------------------------------------------------- reading and storing

def scheme_of(s: Session, year: int) -> Scheme:
    """The stored scheme of ``year``, else the default."""
    plan = plan_service.current_plan(s)
    row = _row(s, plan, year)
    if row is None:
        return default_scheme(s, year)
    parsed = parse(s, json.loads(row.body), year)
    return replace(parsed, stored=True, updated_by=row.updated_by, updated_at=row.updated_at)


def _row(s: Session, plan: Plan, year: int) -> AssessmentScheme | None:
    return s.scalars(select(AssessmentScheme).where(AssessmentScheme.plan_id == plan.id,
                                                    AssessmentScheme.year == year)).first()


def require_city(s: Session, what: str = "修改考核方案") -> Office:
    """Scheme edits and adjustments are the city's: only at the city installation."""
    mine = offices.this_office(s)
    if mine is None or not mine.is_city:
        where = f"本机是{mine.name}" if mine else "本机还没有设定所属单位"
        raise UserError(f"{where}：只有市科协才能{what}；县区可以查看本单位所在类的考核方案。")
    return mine


def put(s: Session, year: int, data: dict, *, user: str = "") -> Scheme:
    """Validate ``data`` (the JSON document; its "year", when given, must be ``year``) and store it:
    only at the city."""
    require_city(s)
    plan_service.check_year_writable(s, year)  # an ended plan's scheme stays as it was
    return store(s, year, data, user=user)


def store(s: Session, year: int, data: dict, *, user: str = "") -> Scheme:
    """``put`` without the role check: for a plan package that brings the city's scheme down to a unit."""
    parsed = parse(s, data, year)
    plan = plan_service.current_plan(s)
    row = _row(s, plan, year)
    if row is None:
        row = AssessmentScheme(plan_id=plan.id, year=year)
        s.add(row)
    body = {k: v for k, v in parsed.to_json().items() if k in ("year", "cap", "classes")}
    row.body = json.dumps(body, ensure_ascii=False)
    row.updated_by = user
    row.updated_at = dt.datetime.now().replace(microsecond=0)
    s.flush()
    return replace(parsed, stored=True, updated_by=user, updated_at=row.updated_at)


def reset(s: Session, year: int) -> Scheme:
    """Drop the stored scheme: the default applies again."""
    require_city(s)
    plan_service.check_year_writable(s, year)
    row = _row(s, plan_service.current_plan(s), year)
    if row is not None:
        s.delete(row)
        s.flush()
    return default_scheme(s, year)


# --------------------------------------------------------------------------- validation

def parse(s: Session, data: dict, year: int) -> Scheme:
    """A Scheme from its JSON document, or a UserError naming what is wrong (class, item)."""
    plan = plan_service.current_plan(s)
    check_year(year, plan, what=f"年份 {year}")
    if not isinstance(data, dict):
        raise UserError("考核方案应是一个 JSON 对象（含 cap 和 classes）。")
    if data.get("year") not in (None, year):
        raise UserError(f"文件中的考核方案是 {data.get('year')} 年的，不是 {year} 年的。")
    cap = _number(data.get("cap", DEFAULT_CAP), "完成率封顶（cap）")
    if not 1.0 <= cap <= MAX_CAP:
        raise UserError(f"完成率封顶（cap）应在 1（100%）到 {MAX_CAP:g}（{MAX_CAP:.0%}）之间，现为 {cap:g}。")
    rows = data.get("classes")
    if not isinstance(rows, list) or not rows:
        raise UserError("考核方案至少要有一类单位（classes）。")
    known = _Known.of(s, plan)
    classes = tuple(_class(row, known) for row in rows)
    _check_membership(s, classes)
    return Scheme(year, cap, classes)


@dataclass(frozen=True)
class _Known:
    indicators: frozenset[str]
    sections: frozenset[str]
    tasks: frozenset[str]

    @classmethod
    def of(cls, s: Session, plan: Plan) -> "_Known":
        return cls(frozenset(i.code for i in plan_service.indicators(s, plan)),
                   frozenset(sec.code for sec in plan.sections),
                   frozenset(t.code for t in task_service.all_tasks(s)))


def _class(row, known: _Known) -> UnitClass:
    if not isinstance(row, dict):
        raise UserError("考核方案的每一类应是一个 JSON 对象（name、units、indicators、tasks、reporting）。")
    name = str(row.get("name") or "").strip()
    if not name or len(name) > 20:
        raise UserError("每一类都要有名称（name），不超过 20 个字。")
    units = row.get("units") or []
    if not isinstance(units, list):
        raise UserError(f"“{name}”类的单位（units）应是单位代码的列表。")
    indicators = _items(row.get("indicators") or [], "indicator", known.indicators, known.sections, name, "指标")
    tasks = _items(row.get("tasks") or [], "task", known.tasks, known.sections, name, "任务")
    raw = row.get("reporting") or {}
    if not isinstance(raw, dict) or set(raw) - set(REPORTING_PARTS):
        raise UserError(f"“{name}”类的报送分（reporting）只能有 completeness、timeliness、explained 三项。")
    reporting = {part: _points(raw.get(part, 0), f"“{name}”类的{REPORTING_LABELS[part]}分值") for part in REPORTING_PARTS}
    return UnitClass(name, tuple(str(u).strip() for u in units), indicators, tasks, reporting)


def _items(rows, kind: str, codes: frozenset[str], sections: frozenset[str], cls: str, what: str) -> tuple[Item, ...]:
    if not isinstance(rows, list):
        raise UserError(f"“{cls}”类的{what}权重应是一个列表。")
    out, seen = [], set()
    for row in rows:
        if not isinstance(row, dict) or len(set(row) & {kind, "section"}) != 1:
            raise UserError(f"“{cls}”类的{what}权重每项应写 {kind} 或 section 之一，再加 points。")
        item_kind = kind if kind in row else "section"
        code = str(row[item_kind]).strip().upper() if row[item_kind] != ALL else ALL
        if item_kind == kind and code not in codes:
            raise UserError(f"“{cls}”类的{what}权重中有“{code}”，计划中没有这个{what}代码。")
        if item_kind == "section" and code != ALL and code not in sections:
            raise UserError(f"“{cls}”类的{what}权重中有部分“{code}”，计划中没有这个部分代码。")
        if (item_kind, code) in seen:
            raise UserError(f"“{cls}”类的{what}权重中“{code}”出现了两次。")
        seen.add((item_kind, code))
        out.append(Item(item_kind, code, _points(row.get("points"), f"“{cls}”类“{code}”的分值")))
    return tuple(out)


def _check_membership(s: Session, classes: tuple[UnitClass, ...]) -> None:
    every = {o.code: o for o in offices.all_offices(s) if not o.is_city}
    names = [c.name for c in classes]
    if len(set(names)) != len(names):
        raise UserError("考核方案中有两类同名，请改名。")
    where: dict[str, str] = {}
    for c in classes:
        for code in c.units:
            if code not in every:
                raise UserError(f"“{c.name}”类中的“{code}”不是本市的县区单位代码。")
            if code in where:
                raise UserError(f"{every[code].name}同时在“{where[code]}”和“{c.name}”两类中，每个单位只能属于一类。")
            where[code] = c.name
    missing = [o.name for o in every.values() if o.active and o.code not in where]
    if missing:
        raise UserError(f"{'、'.join(missing)}不在任何一类中：每个单位都要归入一类才能考核。")


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserError(f"{what}应是数字，现为“{value}”。")
    return float(value)


def _points(value, what: str) -> float:
    number = _number(value, what)
    if not 0 <= number <= MAX_POINTS:
        raise UserError(f"{what}应在 0 到 {MAX_POINTS:g} 分之间，现为 {number:g}。")
    return number


# --------------------------------------------------------------------------- as text (CLI and page)

def describe(sch: Scheme, names: dict[str, str], only: str | None = None) -> list[str]:
    """The scheme in lines a person reads: the cap, then per class its units and points (``only``: one class)."""
    state = (f"{sch.updated_by or '未署名'}于 {sch.updated_at:%Y-%m-%d %H:%M} 保存" if sch.stored and sch.updated_at
             else "默认方案，尚未修改")
    lines = [f"{sch.year}年考核方案（{state}）；完成率封顶 {sch.cap:.0%}"]
    for c in sch.classes:
        if only not in (None, c.name):
            continue
        lines.append(f"【{c.name}】{'、'.join(names.get(u, u) for u in c.units)}")
        lines.append("  定量指标：" + ("；".join(f"{i.label} {i.points:g} 分" for i in c.indicators) or "无"))
        lines.append("  定性任务：" + ("；".join(f"{i.label} {i.points:g} 分" for i in c.tasks) or "无"))
        lines.append("  报送：" + "；".join(f"{REPORTING_LABELS[k]} {v:g} 分" for k, v in c.reporting.items()))
    lines.append("计分：指标得分＝分值×min(完成率, 封顶)；部分（或“全部”）的分值由其中有目标的指标、本单位承担的任务平分；"
                 "任务得分＝分值×本年到期节点中按期完成的占比，市科协可写明理由调整；报送得分＝分值×完整率、及时率、预警说明率。")
    return lines


# --------------------------------------------------------------------------- edits as data (GUI and CLI)

def with_units(current: Scheme, class_name: str, codes: list[str]) -> dict:
    """The document with ``codes`` moved into ``class_name`` (a new class is made, without items)."""
    data = current.to_json()
    for row in data["classes"]:
        row["units"] = [u for u in row["units"] if u not in codes]
    target = next((row for row in data["classes"] if row["name"] == class_name), None)
    if target is None:
        target = UnitClass(class_name, ()).to_json()
        data["classes"].append(target)
    target["units"].extend(codes)
    data["classes"] = [row for row in data["classes"] if row["units"]]
    return data
