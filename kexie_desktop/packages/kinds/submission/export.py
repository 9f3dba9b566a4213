"""The submission package (上报包): a full snapshot of one unit's data for one year — monthly values,
the activity ledger, and the unit's explanations of soft warnings."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....errors import UserError
from ....models import Activity, ActivityType, DataValue, Indicator, Office
from ....services import plan
from ....validation import check_year
from ...format import codec as c
from ...format.codec import SheetSpec
from ...format.workbook import PackageSheet
from ...pipeline import keys
from ...pipeline.exporter import ExportResult, cover_rows, finish, new_manifest, require_this_office

VALUES = SheetSpec("月度数据", (
    c.code("office", "单位代码", 10), c.code("indicator", "指标代码", 10), c.text("indicator_name", "指标名称", 34),
    c.text("unit", "计量单位", 9), c.month("month", "月份"), c.number("value", "数值"),
    c.number("base", "应覆盖数", optional=True), c.text("note", "备注（情况说明）", 40),
))
LEDGER = SheetSpec("活动台账", (
    c.code("uid", "记录编号", 34), c.code("office", "单位代码", 10), c.code("type", "活动类型代码", 16),
    c.text("type_name", "活动类型", 18), c.date("date", "日期"), c.text("title", "活动名称", 40),
    # General format: a styled cell per count would cost a third of the export time of 100,000 rows,
    # and General shows whole numbers just the same.
    c.text("place", "地点", 24), c.count("participants", "参与人数", number_format=None),
    c.count("audience", "受众人次", number_format=None),
    c.text("note", "备注", 30),
))
WARNINGS = SheetSpec("情况说明", (
    c.code("indicator", "指标代码", 10), c.text("indicator_name", "指标名称", 34), c.month("month", "月份"),
    c.text("warning", "提示", 44), c.text("explanation", "说明（即该月数值的备注）", 50),
))
SPECS = (VALUES, LEDGER, WARNINGS)
FLOW_KINDS = ("annual_flow", "cumulative_flow", "range", "at_least")
SPIKE_FACTOR = 5

WHAT = "县区科协的上报包：本单位一年的全部月度数据、活动台账和情况说明（完整快照）。"
HOW = ("市科协在程序的“数据交换”页点“选择文件导入…”（命令行：import 文件名），先预览将新增、修改、删除的数据，确认后导入。"
       "同一个包重复导入不会重复计数；较新的包会取代较旧的包。")
NOTES = [
    "一、本文件由程序自动生成，是本单位该年度数据的完整快照，请勿手工修改。",
    "二、“月度数据”：每个填报指标每月一行。月份写作 年-月（如 2019-03）；覆盖率指标的“应覆盖数”是应覆盖的单位总数。",
    "三、“活动台账”：每项活动一行。“记录编号”是该活动的唯一编号，市科协据此识别同一活动，重复上报不会重复计数。",
    "四、“情况说明”：程序自动找出需要说明的数值（某月数值超过全年非零月份中位数的 5 倍；存量或覆盖率指标低于上月），"
    "说明即该月数值的备注。请在程序中填写备注后重新导出。",
    "五、“校验信息”工作表（隐藏）保存包的类型、单位、年份、序号和数字签名，用于导入时核对。",
    "六、市科协导入时会核对签名：被修改过、用错密钥或序号早于已导入的包，都会被拒绝，数据库保持不变。",
]


def _value_rows(s: Session, office: Office, year: int) -> list[tuple]:
    q = (
        select(Indicator.code, Indicator.name, Indicator.unit, DataValue.month, DataValue.value,
               DataValue.base, DataValue.note)
        .join(Indicator, DataValue.indicator_id == Indicator.id)
        .where(DataValue.office_id == office.id, DataValue.year == year)
        .order_by(Indicator.sort_order, DataValue.month)
    )
    return [(office.code, code, name, unit, f"{year}-{month:02d}", value, base, note or "")
            for code, name, unit, month, value, base, note in s.execute(q)]


def _ledger_rows(s: Session, office: Office, year: int) -> list[tuple]:
    q = (
        select(Activity.uid, ActivityType.code, ActivityType.name, Activity.date, Activity.title,
               Activity.place, Activity.participants, Activity.audience, Activity.note)
        .join(ActivityType, Activity.type_id == ActivityType.id)
        .where(Activity.office_id == office.id, Activity.date >= dt.date(year, 1, 1),
               Activity.date <= dt.date(year, 12, 31))
        .order_by(Activity.date, Activity.uid)
    )
    code = office.code
    return [(uid, code, tcode, tname, date.isoformat(), title, place or "", participants, audience, note or "")
            for uid, tcode, tname, date, title, place, participants, audience, note in s.execute(q)]


def soft_warnings(s: Session, value_rows: list[tuple]) -> list[tuple]:
    """(indicator code, name, month, warning, explanation) for values that deserve an explanation."""
    kinds = dict(s.execute(select(Indicator.code, Indicator.kind)).all())
    by_indicator: dict[str, list[tuple]] = defaultdict(list)
    for row in value_rows:
        by_indicator[row[1]].append(row)
    out = []
    for code, rows in by_indicator.items():
        kind = kinds.get(code)
        for row, warning in _spikes(rows) if kind in FLOW_KINDS else _drops(rows, kind == "coverage"):
            out.append((code, row[2], row[4], warning, row[7]))
    return out


def _spikes(rows: list[tuple]):
    nonzero = [r[5] for r in rows if r[5]]
    if not nonzero:
        return
    median = statistics.median(nonzero)
    for row in rows:
        if median > 0 and row[5] > SPIKE_FACTOR * median:
            yield row, f"本月数值 {c.canon_number(row[5])} 超过全年非零月份中位数 {c.canon_number(median)} 的 {SPIKE_FACTOR} 倍"


def _drops(rows: list[tuple], coverage: bool):
    previous = None
    for row in sorted(rows, key=lambda r: r[4]):
        level = row[5] / row[6] if coverage and row[6] else row[5]
        if previous is not None and previous[2] == _month_before(row[4]) and level < previous[1]:
            what = "覆盖比例" if coverage else "数值"
            yield row, f"本月{what}低于上月（{c.canon_number(previous[0])} → {c.canon_number(row[5])}）"
        previous = (row[5], level, row[4])


def _month_before(month: str) -> str:
    year, m = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if m == 1 else f"{year}-{m - 1:02d}"


def export_submission(s: Session, office: Office, year: int, path: Path, *,
                      sequence: int | None = None) -> ExportResult:
    """Write the submission package of ``office`` for ``year`` (this installation's own office)."""
    mine = require_this_office(s)
    if mine.is_city:
        raise UserError("本机是市科协，不需要导出上报包；请用“导出下发包”把目标发给县区。")
    if office.id != mine.id:
        raise UserError(f"本机是{mine.name}，只能导出本单位的上报包，不能导出{office.name}的。")
    check_year(year, plan.current_plan(s))
    key = keys.signing_key(s, office)
    if key is None:
        raise UserError("本机还没有上报签名密钥（首次使用设置时没有载入初始化包），还不能导出上报包。请向市科协索取本单位的"
                        "初始化包和激活码，在“数据交换”页点“选择文件导入…”导入后再导出。")
    value_rows = _value_rows(s, office, year)
    sheets = [
        PackageSheet(VALUES, value_rows),
        PackageSheet(LEDGER, _ledger_rows(s, office, year)),
        PackageSheet(WARNINGS, soft_warnings(s, value_rows)),
    ]
    manifest = new_manifest(s, "submission", office, key, numbering=office, year=year, sequence=sequence)
    cover = cover_rows(s, manifest, WHAT, HOW)
    return finish(s, path, manifest, sheets, key=key, cover=cover, notes=NOTES)
