"""The city's answers to a submission: receipt (回执包) and return (退回包)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import UserError
from ..packages import ReturnRequest, export_receipt, export_return, reserve_sequence
from .common import database


def register(sub, common) -> None:
    p = sub.add_parser("receipt", parents=[common], help="为已导入的上报包生成回执包（市科协 → 县区）")
    p.add_argument("--package", required=True, help="上报包编号（至少前 8 位）")
    p.add_argument("--out", required=True, help="输出文件（.xlsx）")
    p.set_defaults(handler=cmd_receipt)

    p = sub.add_parser("return", parents=[common], help="退回已导入的上报包（整包、某月或某月某指标），须写明原因")
    p.add_argument("--package", required=True, help="上报包编号（至少前 8 位）")
    p.add_argument("--month", help="只退回这个月，如 2020-03（不写则退回包中的全部月份）")
    p.add_argument("--indicator", help="只退回这个指标（指标代码，如 I05）")
    p.add_argument("--reason", required=True, help="退回原因（至少 5 个字）")
    p.add_argument("--out", required=True, help="输出文件（.xlsx）")
    p.set_defaults(handler=cmd_return)


def _month(text: str | None) -> tuple[int | None, int | None]:
    """(year, month) of "2020-03"; (None, None) when not given."""
    if text is None:
        return None, None
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UserError(f"月份“{text}”格式不对，应写成 年-月，如 2020-03。")
    return int(m.group(1)), int(m.group(2))


def cmd_receipt(args, out) -> int:
    with database(args) as db:
        number = reserve_sequence(db, "receipt")
        with db.write() as s:
            result = export_receipt(s, args.package, Path(args.out), sequence=number)
    out.write(result.message + "\n")
    return 0


def cmd_return(args, out) -> int:
    year, month = _month(args.month)
    request = ReturnRequest(args.reason, month, args.indicator, year)
    with database(args) as db:
        number = reserve_sequence(db, "return")
        with db.write() as s:
            result = export_return(s, args.package, [request], Path(args.out), sequence=number)
    out.write(result.message + "\n")
    return 0
