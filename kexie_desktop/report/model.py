"""The year-end summary (年度汇总表) as plain data: one model that the Excel and the PDF forms both write,
so the two can never disagree.

Every figure comes from the progress engine (``progress_for``, ``city_progress``, the rankings, ``trend``)
and every text from ``display``; nothing here does arithmetic on the figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import display
from .. import progress as engine
from ..models import KINDS, Explanation, Office
from .. import reporting
from ..review import delivery
from ..review.checks import run_checks_many
from ..review.summary import months_text
from ..services import offices as office_service
from ..services import plan as plan_service
from ..services import settings
from .assessment_summary import AssessmentSummary, assessment_summary

TREND_COUNT = 3  # headline indicators whose monthly trend is charted


@dataclass(frozen=True)
class Cover:
    title: str
    office_name: str
    year: int
    as_of: dt.date
    compiled_by: str  # 编制单位
    compiled_on: dt.date  # 编制日期
    reviewer: str  # 审核人

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("单位", self.office_name), ("年度", f"{self.year}年"), ("数据截至", self.as_of.isoformat()),
            ("编制单位", self.compiled_by), ("编制日期", self.compiled_on.isoformat()),
            ("审核人", display.or_missing(self.reviewer)),
        ]


@dataclass(frozen=True)
class TargetLine:
    """One target of the 总表: the engine's figures, and their text as ``display`` writes it."""

    code: str
    name: str
    kind: str  # 年度累计, 覆盖率 …
    unit: str
    target: float | None
    target_max: float | None
    target_text: str
    actual: float | None
    actual_text: str
    progress: float | None
    progress_text: str
    expected: float
    expected_text: str
    status: str
    units_text: str  # the city: "10/10" units reported, "市级单列"; a unit: ""
    sentence: str  # the plan's words for the target
    source: str  # the plan sentence it comes from


@dataclass(frozen=True)
class SectionBlock:
    title: str
    lines: list[TargetLine]


@dataclass(frozen=True)
class MatrixCell:
    progress: float | None
    text: str
    status: str


@dataclass(frozen=True)
class UnitMatrix:
    """分县区: indicators (rows) × units (columns); ``None`` cells: the unit has no such target."""

    units: list[tuple[str, str]]  # (office code, short name)
    indicators: list[tuple[str, str]]  # (code, name)
    cells: dict[tuple[str, str], MatrixCell]  # (indicator code, office code)
    reported: dict[str, str]  # indicator code -> "6/10" units reported


@dataclass(frozen=True)
class RankLine:
    rank: int
    name: str
    value: float | None  # progress or overall score
    value_text: str
    status: str
    note: str


@dataclass(frozen=True)
class IndicatorRanking:
    code: str
    name: str
    lines: list[RankLine]


@dataclass(frozen=True)
class Ranking:
    overall: list[RankLine]
    weighting: str
    indicators: list[IndicatorRanking]


@dataclass(frozen=True)
class ExplainedWarning:
    office_name: str
    rule: str
    where: str  # indicator and month, or the ledger record
    value: str
    message: str
    explanation: str


@dataclass(frozen=True)
class TrendSeries:
    code: str
    name: str
    unit: str
    office_name: str
    months: list[str]
    actual: list[float | None]
    pace: list[float | None]
    actual_label: str


@dataclass(frozen=True)
class Charts:
    completion: list[TargetLine]  # the lines that have a target, plan order
    overall: list[RankLine]  # empty for a unit
    trends: list[TrendSeries]


@dataclass(frozen=True)
class ReportingSummary:
    """报送情况: completeness and timeliness of the year's submissions (filled by ``reporting_summary``)."""

    lines: list[tuple[str, str]]


@dataclass(frozen=True)
class Sources:
    """The engine's own objects behind the figures, which the charts module draws (the PDF's charts)."""

    rows: list[engine.ProgressRow]
    overall: list[engine.OverallRank]
    trends: list[engine.Trend]


@dataclass
class Report:
    cover: Cover
    is_city: bool
    counts: list[tuple[str, int]]  # status -> number of targets, in STATUSES order
    sections: list[SectionBlock]
    matrix: UnitMatrix | None
    ranking: Ranking | None
    explained: list[ExplainedWarning]
    charts: Charts
    reporting: ReportingSummary | None = None
    assessment: "AssessmentSummary | None" = None  # 考核 (the city's report)
    sources: Sources = field(default_factory=lambda: Sources([], [], []), repr=False)

    @property
    def lines(self) -> list[TargetLine]:
        return [line for block in self.sections for line in block.lines]


def report_title(year: int) -> str:
    return f"连云港市科协三年行动计划 {year}年度汇总表"


def build_report(s: Session, office: Office, year: int | None, as_of: dt.date | None = None,
                 today: dt.date | None = None, progress: Callable[[int], None] | None = None) -> Report:
    """The summary of ``office`` (the city: consolidated) for ``year`` as of ``as_of`` (the engine's
    defaults when None). ``progress`` is told 0..100 as the parts are read."""
    tell = progress or (lambda _n: None)
    today = today or dt.date.today()
    scope = engine.make_scope(s, year, as_of)
    overview = engine.city_progress(s, scope.year, scope.as_of) if office.is_city else None
    rows = overview.city if overview else engine.progress_for(s, office, scope.year, scope.as_of)
    tell(40)
    indicators = {i.code: i for i in plan_service.indicators(s, scope.plan)}
    sections = _sections(rows, indicators)
    overall = engine.rank_overall(overview, engine.ranking_weights(s)) if overview else []
    # Every table and chart lists the targets in the 总表's order (by section).
    by_code = {r.code: r for r in rows}
    ordered = [by_code[x.code] for b in sections for x in b.lines]
    ranking = _ranking(s, overview, overall, ordered) if overview else None
    tell(60)
    report = Report(
        cover=_cover(s, office, scope.year, scope.as_of, today),
        is_city=office.is_city,
        counts=_counts(rows),
        sections=sections,
        matrix=_matrix(overview, ordered) if overview else None,
        ranking=ranking,
        explained=_explained(s, office, scope.year, today),
        charts=Charts([], [], []),
    )
    tell(80)
    trends = _trends(s, office, rows, indicators, scope)  # headline: the first of the plan
    report.charts = Charts([line for line in report.lines if line.target is not None],
                           ranking.overall if ranking else [], [_series(t) for t in trends])
    report.sources = Sources(ordered, overall, trends)
    # The city's 报送情况 matrix is read once: its part of the report and the 考核's reporting points.
    matrix = reporting.reporting(s, scope.year, today=scope.as_of) if office.is_city else None
    report.reporting = reporting_summary(s, office, scope.year, scope.as_of, matrix)
    report.assessment = assessment_summary(s, office, scope.year, scope.as_of, overview, matrix)
    tell(100)
    return report


def reporting_summary(s: Session, office: Office, year: int, as_of: dt.date, matrix=None) -> ReportingSummary:
    """报送情况 of the year as of ``as_of``: the city's report, and a unit's made at the city, give the
    completeness and timeliness the city measured (kexie_desktop.reporting, months due by ``as_of``); a unit's
    own report says what became of its months (review.delivery)."""
    mine = office_service.this_office(s)
    if office.is_city or mine is None or mine.is_city:
        return _city_reporting(s, year, as_of, None if office.is_city else office.code, matrix)
    d = delivery.year_delivery(s, office, year, as_of)
    lines = [("各月报送", delivery.summary_text(d).split("：", 1)[1])]
    if d.last_receipt is not None:
        lines.append(("最近的回执", f"{d.last_receipt.at:%Y-%m-%d}，确认序号 {d.last_receipt.submission_sequence} 的上报包"))
    lines += [(f"{r.month}月退回", (f"{r.indicator}：" if r.indicator else "") + r.reason) for r in d.returned]
    lines += [("尚无回执", w.text) for w in d.waiting]
    return ReportingSummary(lines)


def _city_reporting(s: Session, year: int, as_of: dt.date, only: str | None, matrix=None) -> ReportingSummary:
    """All units and the city's rates, or (``only``: a unit code) that unit's line; ``matrix``: the year's
    ``reporting`` as of ``as_of`` when the caller read it already."""
    result = matrix if matrix is not None else reporting.reporting(s, year, today=as_of)
    city = result.city
    lines = [("报送截止", reporting.rule_text(result.deadline_day))]
    if only is None:
        lines += [
            ("全市完整率", f"{display.percent(city.completeness, missing='—')}（已报 {city.received} / 应报 {city.due} 个单位·月）"),
            ("全市及时率", f"{display.percent(city.timeliness, missing='—')}（按时 {city.on_time} / 应报 {city.due}）"),
        ]
    for unit in result.units:
        if only is not None and unit.code != only:
            continue
        r = unit.rate
        parts = [f"完整率 {display.percent(r.completeness, missing='—')}，及时率 {display.percent(r.timeliness, missing='—')}"]
        for state, label in ((reporting.MISSING, "未报"), (reporting.RETURNED, "退回待重报"), (reporting.DRAFT, "未审核"),
                             (reporting.LATE, "迟报")):
            months = unit.months(state)
            if months:
                parts.append(f"{label}：{months_text(months)}")
        lines.append((unit.name, "；".join(parts)))
    return ReportingSummary(lines)


def _cover(s: Session, office: Office, year: int, as_of: dt.date, today: dt.date) -> Cover:
    return Cover(report_title(year), office.name, year, as_of, office.name, today, settings.people(s).reviewer)


def _counts(rows: list[engine.ProgressRow]) -> list[tuple[str, int]]:
    return [(status, sum(1 for r in rows if r.status == status)) for status in display.STATUSES]


def _sections(rows: list[engine.ProgressRow], indicators: dict) -> list[SectionBlock]:
    """A block per section of the plan, in the plan's section order ("T1 实施品牌打造计划 · T1.1 打造海智工作
    品牌"); within a block the targets keep the plan's order."""
    grouped: dict[int, tuple] = {}
    for row in rows:
        indicator = indicators[row.code]
        section = indicator.section
        entry = grouped.setdefault(section.id, (section, []))
        entry[1].append(target_line(row, indicator.phrase, indicator.source))
    ordered = sorted(grouped.values(), key=lambda e: (_section_key(e[0]), e[0].id))
    return [SectionBlock(_section_title(section), lines) for section, lines in ordered]


def _section_key(section) -> tuple[int, int]:
    parent = section.parent
    return (parent.sort_order, section.sort_order) if parent else (section.sort_order, -1)


def _section_title(section) -> str:
    parent = section.parent
    return f"{parent.code} {parent.name} · {section.code} {section.name}" if parent else f"{section.code} {section.name}"


def target_line(row: engine.ProgressRow, sentence: str = "", source: str = "") -> TargetLine:
    return TargetLine(
        code=row.code, name=row.name, kind=KINDS.get(row.kind, row.kind), unit=row.unit,
        target=row.target, target_max=row.target_max,
        target_text=display.target(row.kind, row.unit, row.target, None, row.target_max),
        actual=row.actual, actual_text=actual_text(row),
        progress=row.progress, progress_text=display.percent(row.progress, missing=display.MISSING),
        expected=row.expected, expected_text=display.percent(row.expected, missing=display.MISSING),
        status=row.status, units_text=units_text(row), sentence=sentence, source=source,
    )


def actual_text(row: engine.ProgressRow) -> str:
    """The figure with its unit; a coverage as covered/base (9/10)."""
    if not row.reported or row.actual is None:
        return display.MISSING
    if row.kind == "coverage" and row.covered is not None and row.base is not None:
        return f"{display.figure(row.covered)}/{display.figure(row.base)}"
    return f"{display.figure(row.actual)}{row.unit}"


def units_text(row: engine.ProgressRow) -> str:
    if not row.consolidated:
        return ""
    if not row.units_total:
        return "市级单列"
    return f"{row.units_reported}/{row.units_total}"


def _matrix(overview: engine.CityProgress, ordered: list[engine.ProgressRow]) -> UnitMatrix:
    cells: dict[tuple[str, str], MatrixCell] = {}
    for code, rows in overview.units.items():
        for row in rows:
            if row.target is None:
                continue
            status = row.status if row.reported else display.UNREPORTED
            text = display.percent(row.progress, missing=display.MISSING) if row.reported else display.UNREPORTED
            cells[(row.code, code)] = MatrixCell(row.progress if row.reported else None, text, status)
    shown = [r for r in ordered if any((r.code, u) in cells for u in overview.units)]
    return UnitMatrix(
        units=[(code, overview.unit_names[code]) for code in overview.units],
        indicators=[(r.code, r.name) for r in shown],
        cells=cells,
        reported={r.code: units_text(r) for r in shown},
    )


def _ranking(s: Session, overview: engine.CityProgress, ranks: list[engine.OverallRank],
             ordered: list[engine.ProgressRow]) -> Ranking:
    weights = engine.ranking_weights(s)
    overall = [
        RankLine(k.rank, k.office_name, k.score, k.status or display.percent(k.score, missing=display.MISSING),
                 k.status or "", f"已填报 {k.reported}/{k.indicators} 项")
        for k in ranks
    ]
    per_indicator = []
    for row in ordered:
        ranks = engine.rank_indicator(overview, row.code)
        if ranks:
            per_indicator.append(IndicatorRanking(row.code, row.name,
                                                  [_rank_line(k, overview.unit_names) for k in ranks]))
    return Ranking(overall, "自定义权重" if weights else "各指标等权", per_indicator)


def _rank_line(k: engine.IndicatorRank, names: dict[str, str]) -> RankLine:
    row = k.row
    shown = display.percent(row.progress, missing=display.MISSING) if row.reported else display.UNREPORTED
    goal = display.target(row.kind, row.unit, row.target, None, row.target_max)
    return RankLine(k.rank, names[row.office_code], row.progress if row.reported else None, shown, k.status,
                    f"{actual_text(row)} / {goal}")


def _explained(s: Session, office: Office, year: int, today: dt.date) -> list[ExplainedWarning]:
    """The warnings of the year that carry a valid explanation (说明), with the rule's message."""
    chosen = [office] + (office_service.units(s) if office.is_city else [])
    # Only an office with an explanation can have an explained warning: the checks of the others are skipped.
    with_notes = set(s.scalars(select(Explanation.office_id).where(
        Explanation.office_id.in_([o.id for o in chosen])).distinct()))
    chosen = [o for o in chosen if o.id in with_notes]
    found = run_checks_many(s, chosen, year, today=today) if chosen else {}
    names = {o.id: o.name for o in chosen}
    out = []
    for office_id, findings in found.items():
        for f in findings:
            if f.explanation:
                where = " ".join(x for x in ("活动台账" if f.record else f.indicator, f.month) if x) or f.subject
                out.append(ExplainedWarning(names[office_id], f.rule, where, f.value, f.message, f.explanation))
    return out


def _trends(s: Session, office: Office, rows, indicators: dict, scope) -> list[engine.Trend]:
    """The monthly trend of the first ``TREND_COUNT`` indicators that have a target and a figure, annual
    ones first (twelve months read better than thirty-six)."""
    candidates = [r for r in rows if r.target is not None and r.reported]
    chosen = sorted(candidates, key=lambda r: r.year is None)[:TREND_COUNT]
    return [engine.trend(s, indicators[row.code], office, scope.year, scope.as_of) for row in chosen]


def _series(t: engine.Trend) -> TrendSeries:
    label = "累计完成" if t.cumulative else ("覆盖率" if t.kind == "coverage" else "最新值")
    months = [f"{p.month}月" if len(t.points) <= 12 else f"{p.year}-{p.month:02d}" for p in t.points]
    return TrendSeries(t.code, t.name, t.unit, t.office_name, months, [p.actual for p in t.points],
                       [p.pace for p in t.points], label)
