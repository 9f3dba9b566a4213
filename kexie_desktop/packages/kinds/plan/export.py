"""The plan/targets package (下发包, city → units): the plan, its sections and indicators, offices,
activity types and their ledger rules, the plan's 审核 rules, and all targets (optionally only one
unit's plus the city's)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ....errors import UserError
from ....models import (AGGREGATIONS, ENTRIES, KINDS, MEASURES, OFFICE_KINDS, PERIODS, SEVERITIES, ActivityType,
                      ActivityTypeIndicator, Indicator, Office, Target, ValidationRule)
from ....services import offices, plan
from ....services.activities import activity_types
from ...format import codec as c
from ...format.codec import SheetSpec
from ...format.workbook import PackageSheet
from ...pipeline import keys
from ...pipeline.exporter import ExportResult, cover_rows, finish, new_manifest, require_this_office
from . import lineage_sheet, scheme_sheet, tasks_sheet

# A package carries any plan: the period is written plan-neutrally (its end year is on the 计划 sheet);
# packages of earlier versions wrote "到2020年", which still reads.
OLD_PLAN_PERIOD = "到2020年"
_read_period = c.choice(PERIODS)


def _period(value):
    return "plan" if str(value or "").strip() == OLD_PLAN_PERIOD else _read_period(value)


PLAN = SheetSpec("计划", (
    c.code("code", "计划代码", 22), c.text("name", "计划名称", 70), c.count("start_year", "起始年份", 10),
    c.count("end_year", "结束年份", 10), c.count("version", "版本号", 8),
))
SECTIONS = SheetSpec("章节", (c.code("code", "章节代码"), c.text("name", "章节名称", 60), c.text("parent", "上级章节代码")))
OFFICES = SheetSpec("单位", (
    c.code("code", "单位代码", 10), c.text("name", "单位名称", 30), c.text("short_name", "简称", 18),
    c.labelled("kind", "类别", OFFICE_KINDS, 10), c.text("parent", "上级单位代码"), c.count("sort_order", "排序", 8),
    c.yes_no("active", "启用"),
))
INDICATORS = SheetSpec("指标", (
    c.code("code", "指标代码", 10), c.text("name", "指标名称", 34), c.text("unit", "计量单位", 9),
    c.labelled("kind", "目标类型", KINDS), c.Column("period", "期限", _period, 10, write=lambda v: PERIODS.get(v, v)),
    c.labelled("aggregation", "汇总方式", AGGREGATIONS), c.labelled("entry", "填报方式", ENTRIES, 10),
    c.text("covers", "覆盖对象"), c.code("section", "章节代码", 10), c.yes_no("signed", "可为负数"),
    c.count("sort_order", "排序", 8), c.text("phrase", "目标原文", 40), c.text("source", "出处原文", 60),
    c.text("other_sources", "其他出处（每行一句）", 60),
))
TYPES = SheetSpec("活动类型", (c.code("code", "类型代码", 18), c.text("name", "类型名称", 24), c.count("sort_order", "排序", 8)))
LINKS = SheetSpec("台账统计", (
    c.code("type", "活动类型代码", 18), c.code("indicator", "指标代码", 10), c.labelled("measure", "统计方式", MEASURES),
))
TARGETS = SheetSpec("目标", (
    c.code("office", "单位代码", 10), c.text("office_name", "单位名称", 26), c.code("indicator", "指标代码", 10),
    c.text("indicator_name", "指标名称", 34), c.count("year", "年份（空＝期末）", 10, optional_year=True),
    c.number("value", "目标值"), c.number("min", "下限", optional=True), c.number("max", "上限", optional=True),
))
RULES = SheetSpec("审核规则", (
    c.code("code", "代码", 8), c.code("check", "检查", 26), c.labelled("severity", "级别", SEVERITIES, 8),
    c.text("indicators", "适用指标", 16), c.text("params", "参数", 24), c.text("message", "提示", 70, wrap=True),
    c.yes_no("active", "启用"),
))
SPECS = (PLAN, SECTIONS, OFFICES, INDICATORS, TYPES, LINKS, RULES, TARGETS)
SPECS += (tasks_sheet.TASKS, scheme_sheet.SCHEME, lineage_sheet.LINEAGE)

WHAT = "市科协的下发包：行动计划、指标、单位和分解到各县区的目标。"
HOW = ("县区科协在程序的“数据交换”页点“选择文件导入…”（命令行：import 文件名），预览后导入。导入只更新计划和目标，"
       "不会删除本单位已填报的数据。本机没有的计划作为新计划导入，原有计划及其数据不变；导入后可切换到新计划（命令行：plan use 计划代码）。")
NOTES = [
    "一、本文件由程序自动生成，请勿手工修改；目标有变化时，请市科协在程序中修改后重新导出。",
    "二、“计划”“章节”“指标”：行动计划的结构。“目标原文”“出处原文”是计划文本中的原句。",
    "三、“单位”：市科协和各县区、功能区。“台账统计”：哪类活动计入哪个指标（场次、受众人次或参与人数）。",
    "四、“目标”：每个单位每个指标的目标；“年份”为空表示到计划期末（“计划”表的结束年份）的目标。区间目标有下限和上限。"
    "指标的“期限”为“期末”的，目标是到计划期末的目标。",
    "五、“审核规则”：上报前检查数据的规则。“检查”是程序内置的检查方法；“级别”为错误的须改正，为警告的须改正或填写说明；"
    "“适用指标”是逗号分隔的指标代码，空表示全部指标；“参数”是检查用的阈值（JSON，如 {\"factor\": 5}）；"
    "“提示”是发现问题时显示的文字。导入后按本表替换县区的规则，本表没有的规则停用（不删除）。",
    "六、“校验信息”工作表（隐藏）保存包的类型、序号和数字签名，用于导入时核对。",
    "七、" + scheme_sheet.NOTE,
    "八、" + lineage_sheet.NOTE,
]


def plan_sheets(s: Session, office: Office | None) -> list[PackageSheet]:
    current = plan.current_plan(s)
    return [
        PackageSheet(PLAN, [(current.code, current.name, current.start_year, current.end_year, current.version)]),
        PackageSheet(SECTIONS, [(x.code, x.name, x.parent.code if x.parent else "") for x in current.sections]),
        PackageSheet(OFFICES, [(o.code, o.name, o.short_name, o.kind, o.parent.code if o.parent else "",
                                o.sort_order, o.active) for o in offices.all_offices(s)]),
        PackageSheet(INDICATORS, [_indicator_row(i) for i in plan.indicators(s, current)]),
        PackageSheet(TYPES, [(t.code, t.name, t.sort_order) for t in activity_types(s)]),
        PackageSheet(LINKS, _link_rows(s, current)),
        PackageSheet(RULES, rule_rows(s, current)),
        PackageSheet(TARGETS, _target_rows(s, current, office)),
        tasks_sheet.sheet(s, current),
        scheme_sheet.sheet(s),
        lineage_sheet.sheet(s, current),
    ]


def _indicator_row(i: Indicator) -> tuple:
    others = "\n".join(json.loads(i.other_sources or "[]"))
    return (i.code, i.name, i.unit, i.kind, i.period, i.aggregation, i.entry, i.covers or "", i.section.code,
            i.signed, i.sort_order, i.phrase, i.source, others)


def _link_rows(s: Session, current) -> list[tuple]:
    """The ledger rules of the plan's indicators (another plan's indicator of the same code is another row)."""
    q = (select(ActivityType.code, Indicator.code, ActivityTypeIndicator.measure)
         .join(ActivityType, ActivityTypeIndicator.activity_type_id == ActivityType.id)
         .join(Indicator, ActivityTypeIndicator.indicator_id == Indicator.id)
         .where(Indicator.plan_id == current.id)
         .order_by(ActivityType.sort_order, Indicator.sort_order, ActivityTypeIndicator.measure))
    return [tuple(row) for row in s.execute(q)]


def rule_rows(s: Session, current) -> list[tuple]:
    """The plan's 审核 rules, the inactive ones too (a unit then deactivates its copy)."""
    q = select(ValidationRule).where(ValidationRule.plan_id == current.id).order_by(ValidationRule.sort_order)
    return [(r.code, r.check, r.severity, ",".join(json.loads(r.indicators or "[]")),
             json.dumps(json.loads(r.params or "{}"), ensure_ascii=False), r.message, r.active)
            for r in s.scalars(q)]


def _target_rows(s: Session, current, office: Office | None) -> list[tuple]:
    q = (select(Target, Office, Indicator)
         .join(Office, Target.office_id == Office.id).join(Indicator, Target.indicator_id == Indicator.id)
         .where(Indicator.plan_id == current.id)
         .order_by(Office.sort_order, Indicator.sort_order, Target.year))
    if office is not None:
        q = q.where(or_(Office.kind == "city", Office.id == office.id))
    return [(o.code, o.name, i.code, i.name, t.year, t.value, t.min_value, t.max_value) for t, o, i in s.execute(q)]


def require_city(s: Session) -> Office:
    mine = require_this_office(s)
    if not mine.is_city:
        raise UserError(f"本机是{mine.name}，只有市科协才能导出下发包和初始化包。")
    return mine


def export_plan(s: Session, path: Path, office: Office | None = None, *,
                sequence: int | None = None) -> ExportResult:
    """Write the plan/targets package: for all units, or (``office``) for one unit plus the city."""
    city = require_city(s)
    if office is not None and office.is_city:
        office = None
    key = keys.ensure_key(s, city)
    manifest = new_manifest(s, "plan", office or city, key, numbering=city, sequence=sequence)
    cover = cover_rows(s, manifest, WHAT, HOW)
    if office is None:  # by label: a demo package has one more row at the top
        cover = [("单位", "全部县区（含市科协目标）") if label == "单位" else (label, value) for label, value in cover]
    return finish(s, path, manifest, plan_sheets(s, office), key=key, cover=cover, notes=NOTES)
