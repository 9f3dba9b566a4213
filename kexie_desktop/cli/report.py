"""The year-end summary command: report --office X --year Y [--as-of D] --out F.xlsx|F.pdf."""

from __future__ import annotations

from pathlib import Path

from ..report import build_report, write_report
from ..report.output import check_output
from .common import database, reading
from .progress import _as_of, _office, _scope_args, _year


def register(sub, common) -> None:
    p = sub.add_parser("report", parents=[common], help="年度汇总表（Excel 或 PDF，可直接打印）")
    _scope_args(p, office=True)
    p.add_argument("--out", required=True, help="输出文件 .xlsx 或 .pdf")
    p.set_defaults(handler=cmd_report)


def cmd_report(args, out) -> int:
    path = Path(args.out)
    form = check_output(path)
    with database(args) as db, reading(db, args) as s:
        report = build_report(s, _office(s, args), _year(args), _as_of(args))
    written = write_report(report, path, form)
    out.write(f"{report.cover.title}（{report.cover.office_name}，截至 {report.cover.as_of.isoformat()}）已保存：{written}\n")
    return 0
