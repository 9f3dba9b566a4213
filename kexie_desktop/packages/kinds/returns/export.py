"""The return (退回包, city → unit): the city sends a submission back — all of it, some months, or some
indicators of a month — with a reason for each item. It never deletes what the city holds; the items
stay open at both ends until a later submission answers them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ....changes import Changes
from ....errors import UserError
from ....package_models import ReturnItem
from ....review.states import MIN_REASON
from ....services import plan
from ...format import codec as c
from ...format.codec import SheetSpec, clean_text
from ...format.workbook import PackageSheet
from ...pipeline import keys
from ...pipeline.exporter import ExportResult, cover_rows, finish, new_manifest
from ..answers import find_applied, months_of, require_city, require_latest

RETURNED = SheetSpec("退回", (
    c.code("package", "上报包编号", 34), c.code("checksum", "校验和", 66), c.count("sequence", "序号", 8),
    c.count("year", "年份", 8, number_format="0"),
))
ITEMS = SheetSpec("退回事项", (
    c.month("month", "月份"), c.text("indicator", "指标代码（空＝整月）", 12), c.text("indicator_name", "指标名称", 30),
    c.text("reason", "退回原因", 60, wrap=True),
))
SPECS = (RETURNED, ITEMS)
REASON_LIMIT = 500

WHAT = "市科协的退回通知：本单位的上报包中有需要改正或补充的月份（或指标），每项写明了原因。"
HOW = ("县区科协在程序的“数据交换”页点“选择文件导入…”（或把文件拖到窗口上；命令行：import 文件名）。导入后退回的月份解除锁定，"
       "原因显示在“审核”页和“数据填报”中；改正后重新提交审核、导出上报包即可。市科协已保存的数据不会因退回而删除。")
NOTES = [
    "一、本文件由程序自动生成，请勿手工修改。",
    "二、“退回”：被退回的上报包的编号、校验和、序号和年份。",
    "三、“退回事项”：每项一行：月份、指标（空表示整个月份）和退回原因。",
    "四、“校验信息”工作表（隐藏）保存包的类型、序号和数字签名：退回包用市科协的密钥签名，县区导入时核对。",
]


@dataclass(frozen=True)
class ReturnRequest:
    """One item the city returns: a month (None: every month of the package), optionally one indicator."""

    reason: str
    month: int | None = None
    indicator: str | None = None
    year: int | None = None  # when given (the CLI's --month 2020-03), it must be the package's year


def _items(s: Session, entry, requests: list[ReturnRequest]) -> list[tuple[int, str, str, str]]:
    """(month, indicator code, indicator name, reason) of each item; a UserError for a bad request."""
    if not requests:
        raise UserError("请至少写明一项要退回的内容和原因。")
    carried = months_of(entry)
    indicators = {i.code: i for i in plan.indicators(s)}
    out: dict[tuple[int, str], tuple] = {}
    for r in requests:
        reason = clean_text(r.reason or "").strip()
        if len(reason) < MIN_REASON:
            raise UserError(f"退回必须写明原因（每项至少 {MIN_REASON} 个字），县区据此改正。")
        if len(reason) > REASON_LIMIT:
            raise UserError(f"退回原因太长（{len(reason)} 字），请不超过 {REASON_LIMIT} 字。")
        code = (r.indicator or "").strip().upper()
        if code and code not in indicators:
            raise UserError(f"计划中没有指标代码“{code}”。")
        if r.year is not None and r.year != entry.year:
            raise UserError(f"此上报包是{entry.year}年的，不能退回{r.year}年的月份。")
        months = carried if r.month is None else [r.month]
        if not months:
            raise UserError("此上报包没有任何月份的数据，无可退回。")
        for month in months:
            if month not in carried:
                shown = "、".join(f"{m}月" for m in carried)
                raise UserError(f"此上报包没有{entry.year}年{month}月的数据（包中有：{shown}），不能退回该月。")
            name = indicators[code].name if code else ""
            out[(month, code)] = (month, code, name, reason)
    return [out[k] for k in sorted(out)]


def check_return(s: Session, package_id: str, requests: list[ReturnRequest]) -> list[tuple[int, str, str, str]]:
    """The items (month, indicator code, indicator name, reason) a return of ``package_id`` would carry, or
    the UserError ``export_return`` would raise: a dialog asks before it writes anything."""
    entry = find_applied(s, package_id)
    require_latest(s, entry)
    return _items(s, entry, requests)


def export_return(s: Session, package_id: str, requests: list[ReturnRequest], path: Path, *,
                  sequence: int | None = None) -> ExportResult:
    """Write the return of the applied submission ``package_id`` and keep its items (open) here."""
    city = require_city(s)
    entry = find_applied(s, package_id)
    office = require_latest(s, entry)
    items = _items(s, entry, requests)
    key = keys.ensure_key(s, city)
    manifest = new_manifest(s, "return", office, key, numbering=city, year=entry.year, sequence=sequence)
    manifest.reply_to = entry.package_id
    sheets = [
        PackageSheet(RETURNED, [(entry.package_id, entry.checksum, entry.sequence, entry.year)]),
        PackageSheet(ITEMS, [(f"{entry.year}-{m:02d}", code, name, reason) for m, code, name, reason in items]),
    ]
    cover = cover_rows(s, manifest, WHAT, HOW)
    at = next(i for i, (label, _v) in enumerate(cover) if label == "期间") + 1
    cover[at:at] = [("退回的上报包", f"序号 {entry.sequence}，包编号 {entry.package_id}"),
                    ("退回事项", f"{len(items)} 项，详见工作表“{ITEMS.name}”")]
    result = finish(s, path, manifest, sheets, key=key, cover=cover, notes=NOTES)
    created = dt.datetime.fromisoformat(manifest.created)
    for month, code, _name, reason in items:
        s.add(ReturnItem(return_package=manifest.package_id, submission=entry.package_id,
                         submission_sequence=entry.sequence or 0, office_id=office.id, year=entry.year,
                         month=month, indicator=code, reason=reason, created=created))
    s.flush()
    result.changes |= Changes(review={office.id})
    return result
