"""修改记录 on the command line: ``history --office X --indicator C [--month YYYY-MM] [--json]``."""

from __future__ import annotations

from ..services import history, offices, plan
from ..validation import parse_month
from .common import database, print_json


def register(sub, common) -> None:
    p = sub.add_parser("history", parents=[common], help="一个单位一项指标的修改记录（谁、何时、旧值→新值、来源）")
    p.add_argument("--office", required=True, help="单位代码或名称")
    p.add_argument("--indicator", required=True, help="指标代码")
    p.add_argument("--month", help="年-月，如 2019-03：只看这个月的数值（及当年目标）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_history)


def cmd_history(args, out) -> int:
    with database(args) as db, db.read() as s:
        office = offices.resolve(s, args.office)
        indicator = plan.indicator(s, args.indicator)
        year, month = parse_month(args.month, indicator.plan) if args.month else (None, None)
        entries = history.history(s, office, indicator, year, month)
        if args.json:
            print_json([e.to_dict() for e in entries], out)
            return 0
        scope = f"{year}年{month}月" if month else "全部"
        out.write(f"{office.name} {indicator.code} {indicator.name}（{scope}）的修改记录：{len(entries)} 条\n")
        for e in entries:
            out.write(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.user}  {e.what} {e.period}：{e.old} → {e.new}  来源：{e.source}\n")
    return 0
