"""报送情况 (city): the unit × month matrix of a year, the reporting rates and the 催报 text."""

from __future__ import annotations

from ..display import MISSING, percent
from ..reporting import reporting, rule_text
from ..reporting.status import SHORT, STATES
from ..validation import parse_date
from .common import database, plan_option, reading, print_json
from .progress import _year


def register(sub, common) -> None:
    p = sub.add_parser("reporting", parents=[common], help="报送情况（市科协）：各县区各月按时、迟报、未报…，完整率与及时率")
    plan_option(p)
    p.add_argument("--year", required=True, help="年份，如 2020")
    p.add_argument("--today", help="按这一天判断哪些月份已到截止日期（年-月-日，默认今天）")
    p.add_argument("--json", action="store_true", help="每个单位 × 月份一个对象（office、month、state、created、arrived）")
    p.set_defaults(handler=cmd_reporting)


def cmd_reporting(args, out) -> int:
    today = parse_date(args.today) if args.today else None
    with database(args) as db, reading(db, args) as s:
        result = reporting(s, _year(args), today=today)
    if args.json:
        print_json(result.to_json(), out)
        return 0
    _print_matrix(out, result)
    return 0


def _pct(value: float | None) -> str:
    return percent(value, missing=MISSING)


def _print_matrix(out, r) -> None:
    out.write(f"{r.year}年报送情况，截至 {r.today.isoformat()}（截止日期：{rule_text(r.deadline_day)}）\n")
    months = "\t".join(f"{m}月" for m in range(1, 13))
    out.write(f"单位\t{months}\t应报\t已报\t按时\t完整率\t及时率\n")
    for u in r.units:
        cells = "\t".join(SHORT[c.state] for c in u.cells)
        out.write(f"{u.short_name}\t{cells}\t{u.rate.due}\t{u.rate.received}\t{u.rate.on_time}\t"
                  f"{_pct(u.rate.completeness)}\t{_pct(u.rate.timeliness)}\n")
    blanks = "\t" * 12
    out.write(f"全市\t{blanks}{r.city.due}\t{r.city.received}\t{r.city.on_time}\t{_pct(r.city.completeness)}\t"
              f"{_pct(r.city.timeliness)}\n")
    out.write("图例：" + "，".join(f"{SHORT[s]}＝{s}" for s in STATES if SHORT[s] != s) + "\n")
    out.write(("催报：\n" + r.reminder if r.reminder else "没有逾期未报的单位。") + "\n")
