"""The submission package (上报包): a full snapshot of one unit's data for one year — monthly values,
the activity ledger, the findings of the checks with their explanations, and the months' review states."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....changes import Changes
from ....errors import UserError
from ....models import Activity, ActivityType, DataValue, Indicator, Office
from ....review import states
from ....review.checks import run_checks
from ....review.states import month_states
from ....review.summary import office_summary
from ....services import plan, settings
from ....validation import check_year
from ...format import codec as c
from ...format.codec import SheetSpec
from ...format.workbook import PackageSheet
from ...pipeline import keys
from ...pipeline.exporter import ExportResult, cover_rows, finish, new_manifest, require_this_office
from .. import answers
from . import review, tasks
from .review import FINDINGS, STATES

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
SPECS = (VALUES, LEDGER, FINDINGS, STATES) + tasks.SPECS

WHAT = "县区科协的上报包：本单位一年的全部月度数据、活动台账、审核说明、各月审核状态和工作清单的节点与进展（完整快照）。"
HOW = ("市科协在程序的“数据交换”页点“选择文件导入…”（命令行：import 文件名），先预览将新增、修改、删除的数据，确认后导入。"
       "同一个包重复导入不会重复计数；较新的包会取代较旧的包。")
NOTES = [
    "一、本文件由程序自动生成，是本单位该年度数据的完整快照，请勿手工修改。",
    "二、“月度数据”：每个填报指标每月一行。月份写作 年-月（如 2019-03）；覆盖率指标的“应覆盖数”是应覆盖的单位总数。",
    "三、“活动台账”：每项活动一行。“记录编号”是该活动的唯一编号，市科协据此识别同一活动，重复上报不会重复计数。",
    "四、“审核说明”：导出时程序按审核规则检查本年数据找到的全部问题，每条一行：规则、级别（错误 / 警告）、"
    "指标或台账记录、月份、数值和提示。“错误”须在程序中改正；“警告”须改正或由填报人写明说明，说明写在“说明”列。",
    "五、“审核状态”：1—12 月每月一行：状态（草稿、待审核、已审核、已报送、市已接收、已退回）、经办人（提交、审核或"
    "撤销审核的人）、时间和说明（如撤销审核的原因）。封面的“审核状态”写明本包是已审核还是草稿；"
    "有数据的月份尚未全部审核通过、或仍有错误时，本包是草稿，市科协导入后标为“未审核”。",
    "六、" + tasks.NOTES[0],
    "七、" + tasks.NOTES[1],
    "八、“校验信息”工作表（隐藏）保存包的类型、单位、年份、序号、审核状态和数字签名，用于导入时核对。",
    "九、市科协导入时会核对签名：被修改过、用错密钥或序号早于已导入的包，都会被拒绝，数据库保持不变。",
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
    task_sheets = tasks.sheets(s, office, year)  # refuses too much evidence before anything is written
    findings = run_checks(s, office, year)
    summary = office_summary(s, office, year, findings)
    names = {i.code: i.name for i in plan.indicators(s)}
    sheets = [
        PackageSheet(VALUES, _value_rows(s, office, year)),
        PackageSheet(LEDGER, _ledger_rows(s, office, year)),
        PackageSheet(FINDINGS, review.finding_rows(findings, names)),
        PackageSheet(STATES, review.state_rows(month_states(s, office, year), year)),
        *task_sheets,
    ]
    manifest = new_manifest(s, "submission", office, key, numbering=office, year=year, sequence=sequence)
    manifest.review, manifest.approved_months = summary.state, ",".join(map(str, summary.approved_months))
    cover = cover_rows(s, manifest, WHAT, HOW)
    at = next(i for i, (label, _v) in enumerate(cover) if label == "审核人") + 1
    cover.insert(at, ("审核状态", summary.cover_text()))
    result = finish(s, path, manifest, sheets, key=key, cover=cover, notes=NOTES, review=summary.to_json())
    # The file is in place and its log entry is in this transaction: the approved months it carries
    # are 已报送 when (and only when) that commits.
    result.changes |= states.mark_sent(s, office, year, list(summary.approved_months),
                                       package=manifest.package_id, user=settings.audit_user(s, "导出"))
    # The city's returned items of months this package carries as approved are answered by it.
    answered = answers.answerable(s, office, year, summary.approved_months)
    if answered:
        answers.answer(answered, manifest.package_id)
        result.changes |= Changes(review={office.id})
    result.review = summary
    return result
