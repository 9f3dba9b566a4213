"""The 计划任务 sheet of plan (and init) packages: the plan's qualitative tasks carried down to the units
(code, section, name, the plan's sentence, who carries it, due date, linked indicators). A unit
importing it adds new tasks and updates changed ones; like the rest of a plan package it deletes none
(a unit's milestones and notes hang on them)."""

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....models import Plan
from ....services import offices
from ....task_models import CARRIER_WORDS, PlanTask
from ...format import codec as c
from ...format.codec import SheetSpec
from ...format.workbook import PackageSheet
from ...pipeline.results import CHANGED, NEW, SAME, RowChange

TASKS = SheetSpec("计划任务", (
    c.code("code", "任务代码", 10), c.code("section", "章节代码", 10), c.text("name", "任务名称", 30),
    c.text("sentence", "出处原文", 60, wrap=True), c.code("carriers", "承担单位", 16), c.date("due", "完成期限"),
    c.text("indicators", "关联指标", 12), c.count("sort_order", "排序", 8),
))
# Carrier words as the sheet writes them; named units as their codes, comma-separated.
CARRIER_LABELS = {"city": "市科协", "units": "各县区", "all": "市县两级"}
assert set(CARRIER_LABELS) == set(CARRIER_WORDS)
LABELS = {"section": "章节", "name": "名称", "sentence": "原文", "carriers": "承担", "due": "期限",
          "indicators": "关联指标", "sort_order": "排序"}
CODE_LIMIT, NAME_LIMIT = PlanTask.code.type.length, PlanTask.name.type.length


class Fields(NamedTuple):
    section: str
    name: str
    sentence: str
    carriers: str  # as the sheet shows it
    due: str
    indicators: str  # comma-separated codes
    sort_order: int


def _carriers_text(value) -> str:
    return ",".join(value) if isinstance(value, list) else CARRIER_LABELS.get(value, value)


def _fields(t: PlanTask) -> Fields:
    return Fields(t.section.code, t.name, t.sentence, _carriers_text(t.carrier_value), t.due.isoformat(),
                  ",".join(t.indicator_codes), t.sort_order)


def _tasks(s: Session, current: Plan) -> list[PlanTask]:
    return list(s.scalars(select(PlanTask).where(PlanTask.plan_id == current.id).order_by(PlanTask.sort_order)))


def sheet(s: Session, current: Plan) -> PackageSheet:
    return PackageSheet(TASKS, [(t.code, *_fields(t)) for t in _tasks(s, current)])


def classify(s: Session, work, current: Plan, sections, indicators: dict, rows) -> None:
    """Add the sheet's changes and apply steps to ``work`` (plan/load.py's _Work); ``rows`` typed."""
    by_code, known_sections = sections
    existing = {t.code: t for t in _tasks(s, current)}
    units = {o.code for o in offices.all_offices(s) if not o.is_city}
    seen: dict[str, int] = {}
    for rownum, (code, section, name, sentence, carriers, due, linked, order) in rows:
        carrier_value = _carrier_value(carriers)
        codes = [x.strip() for x in linked.replace("，", ",").split(",") if x.strip()]
        if code in seen:
            work.refuse(TASKS, rownum, "code", f"任务代码“{code}”与第 {seen[code]} 行重复。")
            continue
        seen[code] = rownum
        if len(code) > CODE_LIMIT:
            work.refuse(TASKS, rownum, "code", f"任务代码“{code[:30]}”太长（最多 {CODE_LIMIT} 个字符）。")
        elif section not in known_sections:
            work.refuse(TASKS, rownum, "section", f"章节“{section}”不存在。")
        elif not name.strip() or len(name) > NAME_LIMIT:
            work.refuse(TASKS, rownum, "name", f"任务名称不能为空，最多 {NAME_LIMIT} 个字。")
        elif not sentence.strip():
            work.refuse(TASKS, rownum, "sentence", "出处原文不能为空。")
        elif carrier_value is None or (isinstance(carrier_value, list) and not set(carrier_value) <= units):
            work.refuse(TASKS, rownum, "carriers", f"承担单位“{carriers}”不对：应为 {'、'.join(CARRIER_LABELS.values())}，"
                                                   "或逗号分隔的县区单位代码。")
        elif unknown := [x for x in codes if x not in indicators]:
            work.refuse(TASKS, rownum, "indicators", f"未知的指标代码“{'、'.join(unknown)}”。")
        else:
            new = Fields(section, name, sentence, _carriers_text(carrier_value), due, ",".join(codes), order)
            _task(work, current, by_code, rownum, code, existing.get(code), new, carrier_value)


def _carrier_value(text: str):
    """The stored carrier value of a cell (a carrier word, or a list of unit codes), or None."""
    words = {label: word for word, label in CARRIER_LABELS.items()}
    text = text.strip()
    if text in words:
        return words[text]
    if text in CARRIER_WORDS:
        return text
    codes = [x.strip() for x in text.replace("，", ",").split(",") if x.strip()]
    return codes or None


def _task(work, current: Plan, sections: dict, rownum: int, code: str, old: PlanTask | None, new: Fields,
          carrier_value) -> None:
    label = f"{code} {new.name}"
    if old is None:
        work.changes.append(RowChange(TASKS.name, rownum, code, NEW, label,
                                      new=f"章节 {new.section}；承担 {new.carriers}；期限 {new.due}"))
    else:
        before = _fields(old)
        if before == new:
            work.changes.append(RowChange(TASKS.name, rownum, code, SAME, label))
            return
        diff = [(k, o, n) for k, o, n in zip(Fields._fields, before, new) if o != n]
        work.changes.append(RowChange(TASKS.name, rownum, code, CHANGED, label,
                                      "；".join(f"{LABELS[k]} {_short(o)}" for k, o, _ in diff),
                                      "；".join(f"{LABELS[k]} {_short(n)}" for k, _, n in diff)))
    stored = {"name": new.name, "sentence": new.sentence, "carriers": json.dumps(carrier_value, ensure_ascii=False),
              "due": dt.date.fromisoformat(new.due), "indicators": json.dumps(new.indicators.split(",") if new.indicators else []),
              "sort_order": new.sort_order}

    def step(session, source):
        task = old
        if task is None:
            task = PlanTask(plan_id=current.id, code=code)
            session.add(task)
        task.section = sections[new.section]
        for k, v in stored.items():
            setattr(task, k, v)
        session.flush()
        mine = offices.this_office(session)
        if mine is not None:
            work.result.tasks.add(mine.id)
    work.steps.append(step)
    work.result.plan = True


def _short(value) -> str:
    text = str(value) if value != "" else "（空）"
    return text if len(text) <= 40 else text[:40] + "…"
