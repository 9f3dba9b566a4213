"""The receipt (回执包, city → unit): the city confirms a submission it applied — its id, checksum and
序号 — and says what it now holds of the unit's year, month by month, and which warnings it accepted."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....display import or_missing
from ....models import Explanation, Office
from ...format import codec as c
from ...format.codec import SheetSpec
from ...format.workbook import PackageSheet
from ...pipeline import keys
from ...pipeline.exporter import ExportResult, cover_rows, finish, new_manifest
from ..answers import find_applied, held_months, require_city, require_latest

HELD = {"approved": "已审核", "draft": "未审核"}
RECEIPT = SheetSpec("回执", (
    c.code("package", "上报包编号", 34), c.code("checksum", "校验和", 66), c.count("sequence", "序号", 8),
    c.count("year", "年份", 8, number_format="0"), c.text("arrived", "市科协导入时间", 20), c.labelled("review", "审核状态", HELD, 10),
))
MONTHS = SheetSpec("各月数据", (
    c.month("month", "月份"), c.count("values", "月度数据（项）", 14), c.count("records", "活动台账（条）", 14),
    c.labelled("state", "审核状态", HELD, 10),
))
ACCEPTED = SheetSpec("已接受的说明", (
    c.text("rule", "规则", 7), c.text("subject", "对象", 30, wrap=True), c.text("value", "数值", 12, wrap=True),
    c.text("explanation", "说明", 50, wrap=True),
))
SPECS = (RECEIPT, MONTHS, ACCEPTED)

WHAT = "市科协的回执：确认已收到并导入本单位的上报包，列出市科协现在保存的本单位该年度各月数据和已接受的说明。"
HOW = "县区科协在程序的“数据交换”页点“选择文件导入…”（或把文件拖到窗口上；命令行：import 文件名）。导入后，市科协已收到的月份显示为“市已接收”。"
NOTES = [
    "一、本文件由程序自动生成，请勿手工修改。",
    "二、“回执”：所确认的上报包的编号、校验和、序号、年份，市科协导入它的时间，以及该包是已审核还是未审核。",
    "三、“各月数据”：市科协现在保存的本单位该年度每月的月度数据项数和活动台账条数，以及各月的审核状态。",
    "四、“已接受的说明”：本单位为警告写的说明中，市科协已接受的各条。",
    "五、“校验信息”工作表（隐藏）保存包的类型、序号和数字签名：回执用市科协的密钥签名，县区导入时核对。",
]


def _accepted_rows(s: Session, office: Office, year: int) -> list[tuple]:
    """The explanations the city holds for the unit's year (cells and totals of the year, and records)."""
    rows = s.scalars(select(Explanation).where(Explanation.office_id == office.id)
                     .order_by(Explanation.rule, Explanation.subject))
    prefix = (f"/{year}-", f"/{year}")
    return [(e.rule, e.subject, e.value, e.text) for e in rows
            if e.subject.startswith("activity/") or any(p in e.subject for p in prefix)]


def export_receipt(s: Session, package_id: str, path: Path, *, sequence: int | None = None) -> ExportResult:
    """Write the receipt for the applied submission ``package_id`` (its id or first 8 characters)."""
    city = require_city(s)
    entry = find_applied(s, package_id)
    office = require_latest(s, entry)
    held = held_months(s, office, entry.year)
    key = keys.ensure_key(s, city)
    manifest = new_manifest(s, "receipt", office, key, numbering=city, year=entry.year, sequence=sequence)
    manifest.reply_to = entry.package_id
    review = "approved" if entry.review == "approved" else "draft"
    sheets = [
        PackageSheet(RECEIPT, [(entry.package_id, entry.checksum, entry.sequence, entry.year,
                                entry.at.isoformat(sep=" "), review)]),
        PackageSheet(MONTHS, [(f"{entry.year}-{h.month:02d}", h.values, h.records, "approved" if h.approved else "draft")
                              for h in held]),
        PackageSheet(ACCEPTED, _accepted_rows(s, office, entry.year)),
    ]
    cover = cover_rows(s, manifest, WHAT, HOW)
    at = next(i for i, (label, _v) in enumerate(cover) if label == "期间") + 1
    cover[at:at] = [("所确认的上报包", f"序号 {entry.sequence}，包编号 {entry.package_id}，{or_missing(entry.file_name)}"),
                    ("市科协导入时间", entry.at.isoformat(sep=" "))]
    return finish(s, path, manifest, sheets, key=key, cover=cover, notes=NOTES)
