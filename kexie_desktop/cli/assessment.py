"""考核 commands: assessment (the year's scores), assessment scheme [load|reset], assessment adjust."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .. import assessment
from ..display import MISSING, percent, points
from ..errors import UserError
from ..services import offices, settings
from ..validation import parse_date, parse_number
from .common import database, print_json
from .progress import _year


def register(sub, common) -> None:
    p = sub.add_parser("assessment", parents=[common],
                       help="考核（市科协）：各县区的得分（定量指标、定性任务、报送）、类内和全市排名、对比找差")
    _year_option(p)
    p.add_argument("--as-of", dest="as_of", help="截至哪一天（年-月-日），默认今天（不晚于该年年底）")
    p.add_argument("--class", dest="klass", help="只列这一类（如 区、县、功能区）")
    p.add_argument("--office", help="列出这个单位每一项得分和对比找差")
    p.add_argument("--gaps", type=int, default=assessment.GAPS, help="对比找差列出失分最多的几项（默认 5）")
    p.add_argument("--json", action="store_true", help="每个单位一个对象：各部分得分、总分、排名、parts、gaps")
    p.set_defaults(handler=cmd_assessment)
    a_sub = p.add_subparsers(dest="assessment_command", metavar="操作")

    sch = a_sub.add_parser("scheme", parents=[common], help="查看某年的考核方案（分类、权重、封顶、报送分）")
    _year_option(sch)
    sch.add_argument("--json", action="store_true", help="方案的 JSON 文档（可修改后用 scheme load 载入）")
    sch.set_defaults(handler=cmd_scheme)
    s_sub = sch.add_subparsers(dest="scheme_command", metavar="操作")
    load = s_sub.add_parser("load", parents=[common], help="从 JSON 文件载入某年的考核方案（仅市科协）")
    _year_option(load)
    load.add_argument("file", metavar="FILE.json")
    load.set_defaults(handler=cmd_scheme_load)
    reset = s_sub.add_parser("reset", parents=[common], help="删除某年保存的方案，恢复默认方案（仅市科协）")
    _year_option(reset)
    reset.set_defaults(handler=cmd_scheme_reset)

    adj = a_sub.add_parser("adjust", parents=[common], help="调整某单位某项任务的得分（仅市科协，须写理由）")
    _year_option(adj)
    adj.add_argument("--office", required=True)
    adj.add_argument("--task", required=True, help="任务代码，如 T26")
    what = adj.add_mutually_exclusive_group(required=True)
    what.add_argument("--score", help="调整后的得分（不超过该任务的分值）")
    what.add_argument("--withdraw", action="store_true", help="撤销调整，恢复按节点计算的得分")
    adj.add_argument("--reason", required=True, help="理由（与调整人、时间一起保留）")
    adj.set_defaults(handler=cmd_adjust)


def _year_option(p) -> None:
    # SUPPRESS: the sub-commands repeat --year, and a parent's default must not overwrite theirs.
    p.add_argument("--year", default=argparse.SUPPRESS, help="年份，如 2020")


def _required_year(args) -> int:
    year = _year(args)
    if year is None:
        raise UserError("请用 --year 指定考核的年份，如 --year 2020。")
    return year


def cmd_assessment(args, out) -> int:
    year = _required_year(args)
    as_of = parse_date(args.as_of) if args.as_of else None
    with database(args) as db, db.read() as s:
        result = assessment.assess(s, year, as_of)
        if args.klass:
            result.scheme.klass(args.klass)  # an unknown class is refused
        unit = offices.resolve(s, args.office) if args.office else None
    if unit is not None and unit.code not in {u.code for u in result.units}:
        raise UserError(f"{unit.name}不在 {year} 年的考核对象中（不在任何一类，或已停用）。")
    rows = [u for u in result.units if args.klass in (None, u.class_name) and (unit is None or u.code == unit.code)]
    if args.json:
        data = result.to_json(args.gaps)
        data["units"] = [d for d, u in zip(data["units"], result.units) if u in rows]
        print_json(data, out)
        return 0
    _print_table(out, result, rows)
    if unit is not None:
        _print_breakdown(out, result.unit(unit.code), args.gaps)
    return 0


def _print_table(out, result, rows) -> None:
    stored = "" if result.scheme.stored else "（默认方案）"
    out.write(f"{result.year}年考核结果，截至 {result.as_of.isoformat()}{stored}；完成率封顶 {result.scheme.cap:.0%}\n")
    out.write("单位\t类别\t定量指标\t定性任务\t报送\t总分\t满分\t得分率\t类内排名\t全市排名\n")
    for u in sorted(rows, key=lambda u: u.rank_overall):
        out.write(f"{u.short_name}\t{u.class_name}\t{points(u.subtotal('indicator'))}\t{points(u.subtotal('task'))}\t"
                  f"{points(u.subtotal('reporting'))}\t{points(u.total)}\t{points(u.max)}\t"
                  f"{percent(u.score_rate, 2, MISSING)}\t{u.rank_class}\t{u.rank_overall}\n")
    out.write("类内按总分排名，全市按得分率（总分 ÷ 满分）排名；并列者同名次，下一名次顺延。\n")


def _print_breakdown(out, u, gaps: int) -> None:
    out.write(f"\n{u.name}（{u.class_name}）各项得分：\n")
    out.write("部分\t代码\t名称\t计分项\t分值\t满分\t得分\t说明\n")
    for p in u.parts:
        out.write(f"{assessment.GROUP_LABELS[p.group]}\t{p.code if p.group != 'reporting' else ''}\t{p.name}\t"
                  f"{p.item}\t{points(p.weight)}\t{points(p.max)}\t{points(p.earned)}\t{p.detail}\n")
    out.write(f"总分 {points(u.total)} / {points(u.max)}\n对比找差（失分最多的 {gaps} 项）：\n")
    for p in u.gaps(gaps):
        out.write(f"\t{p.name}（{p.code}）失 {points(p.lost)} 分\n" if p.group != "reporting"
                  else f"\t{p.name}失 {points(p.lost)} 分\n")


def cmd_scheme(args, out) -> int:
    year = _required_year(args)
    with database(args) as db, db.read() as s:
        sch = assessment.scheme_of(s, year)
    if args.json:
        print_json(sch.to_json(), out)
        return 0
    with database(args) as db, db.read() as s:
        names = {o.code: o.short_name for o in offices.all_offices(s)}
    out.write("\n".join(assessment.describe(sch, names)) + "\n")
    return 0


def cmd_scheme_load(args, out) -> int:
    year = _required_year(args)
    path = Path(args.file)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"找不到文件“{path}”。") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"文件“{path}”不是有效的 JSON：{exc}。") from None
    with database(args) as db, db.write() as s:
        sch = assessment.put(s, year, data, user=settings.audit_user(s, "命令行"))
        message = f"已载入 {year} 年考核方案：{len(sch.classes)} 类（{'、'.join(c.name for c in sch.classes)}）。\n"
    out.write(message)
    return 0


def cmd_scheme_reset(args, out) -> int:
    year = _required_year(args)
    with database(args) as db, db.write() as s:
        assessment.reset(s, year)
    out.write(f"已删除 {year} 年保存的考核方案，恢复默认方案。\n")
    return 0


def cmd_adjust(args, out) -> int:
    year = _required_year(args)
    score = None if args.withdraw else parse_number(args.score, "得分")
    with database(args) as db, db.write() as s:
        unit = offices.resolve(s, args.office)
        assessment.adjust(s, year, unit, args.task, score, args.reason, user=settings.audit_user(s, "命令行"))
        code = args.task.strip().upper()
        message = (f"已撤销{unit.name}任务 {code} 的得分调整。\n" if score is None
                   else f"已把{unit.name}任务 {code} 的 {year} 年得分调整为 {points(score)} 分。\n")
    out.write(message)
    return 0
