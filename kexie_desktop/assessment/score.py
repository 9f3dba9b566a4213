"""The year's assessment (考核结果): every unit's score, part by part, its ranks and where it lost most.

Parts (each a row of the breakdown, each rounded to 0.01 point, half up; a total is the sum of its parts):
- an **indicator** with a target for the unit: weight W (the points of its item, or its equal share of a
  section's points); 完成率 r from the progress engine (the same figure as ``progress --json``; nothing
  reported counts 0, a negative one 0); earned = W × min(r, cap); its maximum W × cap.
- a **task** the unit carries: weight W likewise; derived share f = milestones done on time ÷ milestones
  that count, where a milestone due in the year counts once its due day has passed by the as-of date
  (the due day itself is still on time) or once it is done by then; on time = done by its due date. No milestone that counts:
  f = 0 (nothing to show yet). Derived points W × f; the city's adjustment, when there is one, replaces
  them (kept with its reason, who and when).
- **reporting**: 完整率 and 及时率 of the year from 报送情况 (as of the as-of date) times their points; with
  no month due yet the part is not assessed (maximum 0). Explained warnings: explained ÷ warnings that
  the checks find in the unit's data; no warning at all earns the full points.
Ranks: in a class by total points, overall by 得分率 (total ÷ maximum, to 0.01%), because the classes'
schemes differ. Equal values share a rank and the next rank skips (1, 1, 3); tied units are listed in
office order. 对比找差: the parts with the largest maximum − earned (lost points), ties in breakdown order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Office, Plan
from ..progress import city_progress, default_as_of
from ..progress.engine import ProgressRow
from ..reporting import reporting
from ..review.checks import run_checks_many
from ..services import offices, plan as plan_service
from ..services import tasks as task_service
from ..task_models import PlanTask
from ..validation import check_year
from . import adjustments
from ..services.assessment_scheme import REPORTING_LABELS, REPORTING_PARTS, Scheme, UnitClass, scheme_of, section_parents, shares

GAPS = 5
QUANT, TASKS, REPORT = "indicator", "task", "reporting"
GROUP_LABELS = {QUANT: "定量指标", TASKS: "定性任务", REPORT: "报送"}


def pts(value: float) -> float:
    """Points to 0.01, half up (as a person rounds a score)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Part:
    group: str  # QUANT, TASKS or REPORT
    code: str  # indicator or task code; the reporting part's key
    name: str
    item: str  # what gives the weight: "I09", "T1 部分", "全部", or the reporting part
    weight: float  # points at 100%
    max: float
    earned: float
    rate: float | None  # 完成率 / derived share / reporting rate
    capped: float | None = None  # indicator: min(完成率, cap)
    detail: str = ""
    derived: float | None = None  # task: points from milestones
    adjustment: adjustments.Adjustment | None = None  # task: the city's, when it replaced them

    @property
    def lost(self) -> float:
        return pts(self.max - self.earned)

    def to_json(self) -> dict:
        row = {"group": self.group, "code": self.code, "name": self.name, "item": self.item, "weight": self.weight,
               "max": self.max, "earned": self.earned, "lost": self.lost, "rate": _r(self.rate), "detail": self.detail}
        if self.group == QUANT:
            row["capped"] = _r(self.capped)
        if self.group == TASKS:
            row["derived"] = self.derived
            row["adjustment"] = self.adjustment.to_json() if self.adjustment else None
        return row


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@dataclass(frozen=True)
class UnitScore:
    code: str
    name: str
    short_name: str
    class_name: str
    parts: tuple[Part, ...]
    rank_class: int = 0
    rank_overall: int = 0

    def subtotal(self, group: str) -> float:
        return pts(sum(p.earned for p in self.parts if p.group == group))

    def subtotal_max(self, group: str) -> float:
        return pts(sum(p.max for p in self.parts if p.group == group))

    @property
    def total(self) -> float:
        return pts(sum(p.earned for p in self.parts))

    @property
    def max(self) -> float:
        return pts(sum(p.max for p in self.parts))

    @property
    def score_rate(self) -> float | None:
        return round(self.total / self.max, 4) if self.max else None

    def gaps(self, n: int = GAPS) -> list[Part]:
        lossy = [p for p in self.parts if p.lost > 0]
        return sorted(lossy, key=lambda p: -p.lost)[:n]  # sorted() is stable: ties keep breakdown order

    def to_json(self, n: int = GAPS) -> dict:
        return {"office": self.code, "name": self.name, "class": self.class_name,
                **{group: self.subtotal(group) for group in (QUANT, TASKS, REPORT)},
                "total": self.total, "max": self.max, "score_rate": self.score_rate,
                "rank_class": self.rank_class, "rank_overall": self.rank_overall,
                "parts": [p.to_json() for p in self.parts],
                "gaps": [{"group": p.group, "code": p.code, "name": p.name, "lost": p.lost} for p in self.gaps(n)]}


@dataclass(frozen=True)
class Assessment:
    year: int
    as_of: dt.date
    scheme: Scheme
    units: tuple[UnitScore, ...]  # in office order

    def unit(self, code: str) -> UnitScore:
        return next(u for u in self.units if u.code == code)

    def ranked(self, class_name: str | None = None) -> list[UnitScore]:
        rows = [u for u in self.units if class_name in (None, u.class_name)]
        key = (lambda u: u.rank_class) if class_name else (lambda u: u.rank_overall)
        return sorted(rows, key=key)  # stable: ties stay in office order

    def to_json(self, n: int = GAPS) -> dict:
        return {"year": self.year, "as_of": self.as_of.isoformat(), "cap": self.scheme.cap,
                "scheme_stored": self.scheme.stored, "classes": [c.name for c in self.scheme.classes],
                "units": [u.to_json(n) for u in self.units]}


# --------------------------------------------------------------------------- computation

def assess(s: Session, year: int, as_of: dt.date | None = None, *, overview=None, matrix=None) -> Assessment:
    """The assessment of every active unit that belongs to a class (the city only: 报送情况 is the city's).
    ``overview`` and ``matrix``: the ``city_progress`` and ``reporting`` of the same year and as-of date when
    the caller has them already (the year-end report), so neither is computed twice."""
    mine = offices.this_office(s)
    if mine is not None and not mine.is_city:
        raise UserError(f"本机是{mine.name}：考核结果由市科协计算（报送情况只在市科协）；本单位所在类的考核方案可以在这里查看。")
    plan = plan_service.current_plan(s)
    check_year(year, plan, what=f"年份 {year}")
    as_of = as_of or default_as_of(plan, year)
    sch = scheme_of(s, year)
    units = [u for u in offices.units(s) if sch.class_of(u.code) is not None]
    report = matrix if matrix is not None else reporting(s, year, today=as_of)
    rates = {r.code: r.rate for r in report.units}
    progress = overview if overview is not None else city_progress(s, year, as_of)
    findings = run_checks_many(s, units, year, today=as_of, plan=plan) if units else {}
    tasks = task_service.all_tasks(s)
    adjusted = adjustments.current(s, year)
    parents = section_parents(plan)
    scores = []
    for u in units:
        klass = sch.class_of(u.code)
        parts = (_indicator_parts(klass, sch.cap, progress.units.get(u.code, []), parents, plan)
                 + _task_parts(s, klass, u, tasks, parents, year, as_of, adjusted)
                 + _reporting_parts(klass, rates.get(u.code), findings.get(u.id, [])))
        scores.append(UnitScore(u.code, u.name, u.short_name, klass.name, tuple(parts)))
    return Assessment(year, as_of, sch, tuple(_ranked(scores)))


def _indicator_parts(klass: UnitClass, cap: float, rows: list[ProgressRow], parents, plan: Plan) -> list[Part]:
    sections = {i.code: i.section.code for i in plan.indicators}
    targeted = [r for r in rows if r.target is not None]
    weights = shares(klass.indicators, "indicator", [(r.code, sections[r.code]) for r in targeted], parents)
    parts = []
    for r in targeted:
        if r.code not in weights:
            continue
        item, weight = weights[r.code]
        rate = max(r.progress or 0.0, 0.0) if r.reported else 0.0
        capped = min(rate, cap)
        detail = "未填报，按 0 计" if not r.reported else (
            f"完成率 {rate:.1%}，封顶 {cap:.0%}" if rate > cap else f"完成率 {rate:.1%}")
        parts.append(Part(QUANT, r.code, r.name, item.label, pts(weight), pts(weight * cap), pts(weight * capped),
                          rate, capped, detail))
    return parts


def milestone_share(marks: list[tuple[dt.date, dt.date | None]], year: int, as_of: dt.date) -> tuple[int, int]:
    """(on time, counted) of one task's milestones for the year's assessment (see the module's docstring)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counted = on_time = 0
    for due, done in marks:
        past_due = start <= due < as_of  # the due day itself is still on time (as tasks.derive_status)
        done_now = done is not None and done <= as_of and start <= due <= end
        if past_due or done_now:
            counted += 1
            on_time += done is not None and done <= due and done <= as_of
    return on_time, counted


def _task_parts(s: Session, klass: UnitClass, unit: Office, tasks: list[PlanTask], parents, year: int,
                as_of: dt.date, adjusted) -> list[Part]:
    carried = [t for t in tasks if task_service.carries(t, unit)]
    weights = shares(klass.tasks, "task", [(t.code, t.section.code) for t in carried], parents)
    parts = []
    for t in carried:
        if t.code not in weights:
            continue
        item, weight = weights[t.code]
        marks = [(m.due, m.done) for m in task_service.milestones(s, unit, t)]
        on_time, counted = milestone_share(marks, year, as_of)
        share = on_time / counted if counted else 0.0
        derived = pts(weight * share)
        detail = (f"节点按期完成 {on_time}/{counted}" if counted
                  else "本年没有到期的节点" if marks else "没有节点")
        adj = adjusted.get((unit.code, t.code))
        earned = derived if adj is None else pts(min(adj.points, weight))
        if adj is not None:
            detail += f"；市科协调整为 {earned:g} 分（{adj.by or '未署名'}）：{adj.reason}"
        parts.append(Part(TASKS, t.code, t.name, item.label, pts(weight), pts(weight), earned, share,
                          detail=detail, derived=derived, adjustment=adj))
    return parts


def _reporting_parts(klass: UnitClass, rate, findings) -> list[Part]:
    warnings = [f for f in findings if f.severity == "warning"]
    explained = sum(1 for f in warnings if f.explanation)
    parts = []
    for key in REPORTING_PARTS:
        weight = klass.reporting.get(key, 0.0)
        if not weight:
            continue
        if key == "explained":
            value = explained / len(warnings) if warnings else 1.0
            detail = f"已说明 {explained}/{len(warnings)} 条预警" if warnings else "没有预警"
        else:
            value = None if rate is None else (rate.completeness if key == "completeness" else rate.timeliness)
            count = 0 if rate is None else (rate.received if key == "completeness" else rate.on_time)
            word = "已报" if key == "completeness" else "按时"
            detail = "还没有到期的月份" if value is None else f"{word} {count}/{rate.due} 个月"
        top = 0.0 if value is None else pts(weight)
        parts.append(Part(REPORT, key, REPORTING_LABELS[key], REPORTING_LABELS[key], pts(weight), top,
                          pts(weight * (value or 0.0)), value, detail=detail))
    return parts


def competition_ranks(values: list[float]) -> list[int]:
    """1, 1, 3 for [9, 9, 7] (higher is better; equal values share a rank)."""
    return [1 + sum(other > v for other in values) for v in values]


def _ranked(scores: list[UnitScore]) -> list[UnitScore]:
    overall = competition_ranks([u.score_rate or 0.0 for u in scores])
    by_class: dict[str, list[int]] = defaultdict(list)
    for n, u in enumerate(scores):
        by_class[u.class_name].append(n)
    in_class = [0] * len(scores)
    for members in by_class.values():
        for n, rank in zip(members, competition_ranks([scores[m].total for m in members])):
            in_class[n] = rank
    return [replace(u, rank_class=in_class[n], rank_overall=overall[n]) for n, u in enumerate(scores)]
