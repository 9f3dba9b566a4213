"""新一轮计划 commands: plan list | copy | use | publish | check | text | carry | template | load."""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ..services import plan, plan_authoring, plan_checks
from ..validation import parse_number
from .common import database, plan_option, print_json, reading


def register(sub, common) -> None:
    p = sub.add_parser("plan", parents=[common], help="计划：列出、复制为新一轮计划、发布、设为当前计划、Excel 模板")
    psub = p.add_subparsers(dest="plan_command", metavar="操作", required=True)

    c = psub.add_parser("list", parents=[common], help="列出数据库中的全部计划")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_list)

    c = psub.add_parser("copy", parents=[common], help="从已有计划复制一份新计划（草稿）")
    c.add_argument("--from", dest="source", required=True, metavar="CODE", help="被复制的计划代码")
    c.add_argument("--code", required=True, help="新计划代码")
    c.add_argument("--name", required=True, help="新计划名称")
    c.add_argument("--start", required=True, help="起始年份")
    c.add_argument("--end", required=True, help="结束年份")
    c.set_defaults(handler=cmd_copy)

    c = psub.add_parser("use", parents=[common], help="设为当前计划（须已发布）")
    c.add_argument("code", metavar="CODE")
    c.set_defaults(handler=cmd_use)

    c = psub.add_parser("publish", parents=[common], help="校验并发布计划（版本号加一）")
    c.add_argument("code", metavar="CODE")
    c.set_defaults(handler=cmd_publish)

    c = psub.add_parser("check", parents=[common], help="校验计划，列出发布前须解决的问题")
    c.add_argument("code", metavar="CODE")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_check)

    c = psub.add_parser("text", parents=[common], help="导入新计划的原文（.txt 或 .docx）")
    c.add_argument("code", metavar="CODE")
    c.add_argument("--file", required=True, help="原文文件 .txt（UTF-8）或 .docx")
    c.set_defaults(handler=cmd_text)

    c = psub.add_parser("carry", parents=[common], help="存量指标是否承接上一计划的最后数值")
    c.add_argument("code", metavar="CODE")
    c.add_argument("--indicator", required=True, help="指标代码")
    group = c.add_mutually_exclusive_group(required=True)
    group.add_argument("--on", dest="carry", action="store_true", help="承接")
    group.add_argument("--off", dest="carry", action="store_false", help="不承接")
    c.set_defaults(handler=cmd_carry)

    c = psub.add_parser("trend", parents=[common], help="单项指标跨计划的逐月趋势（承接上期的存量接续上一计划）")
    c.add_argument("--indicator", required=True, help="指标代码（在 --plan 或当前计划中）")
    c.add_argument("--office", help="单位代码或名称（默认本机单位，未设定时为市科协）")
    c.add_argument("--as-of", dest="as_of", help="截至日期 年-月-日（默认今天）")
    plan_option(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_trend)

    c = psub.add_parser("template", parents=[common], help="把计划写成可在 Excel/WPS 中编辑的模板")
    c.add_argument("--plan", required=True, metavar="CODE")
    c.add_argument("--out", required=True, help="输出文件 .xlsx")
    c.set_defaults(handler=cmd_template)

    c = psub.add_parser("load", parents=[common], help="读回编辑过的计划模板（先预览）")
    c.add_argument("file", metavar="文件")
    c.add_argument("--dry-run", action="store_true", help="只预览，不修改")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_load)


def _year(text: str, what: str) -> int:
    value = parse_number(text, what)
    if value != int(value):
        raise UserError(f"{what}“{text}”必须是整数，例如 2021。")
    return int(value)


def cmd_list(args, out) -> int:
    with database(args) as db, db.read() as s:
        plans = plan_authoring.list_plans(s)
    if args.json:
        print_json([p.as_json() for p in plans], out)
        return 0
    for p in plans:
        state = f"第 {p.version} 版" if p.published else "草稿（未发布）"
        mark = "  ← 当前计划" if p.current else ""
        based = f"，复制自 {p.based_on}" if p.based_on else ""
        out.write(f"{p.code}  {p.name}  {p.start_year}—{p.end_year}年  {state}  "
                  f"{p.indicators} 项指标、{p.tasks} 项任务{based}{mark}\n")
    return 0


def cmd_copy(args, out) -> int:
    start, end = _year(args.start, "起始年份"), _year(args.end, "结束年份")
    with database(args) as db, db.write() as s:
        source = plan.plan_by_code(s, args.source)
        new = plan_authoring.copy_plan(s, source, args.code, args.name, start, end)
        summary = f"已复制计划 {source.code} 为 {new.code}（{new.start_year}—{new.end_year}年，草稿）"
    out.write(summary + "。修改后用 plan publish 发布，再用 plan use 设为当前计划。\n")
    return 0


def cmd_use(args, out) -> int:
    with database(args) as db, db.write() as s:
        chosen = plan.plan_by_code(s, args.code)
        plan_authoring.use_plan(s, chosen)
        line = f"当前计划：{chosen.code}（{chosen.name}）"
    out.write(line + "\n")
    return 0


def cmd_publish(args, out) -> int:
    with database(args) as db, db.write() as s:
        chosen = plan.plan_by_code(s, args.code)
        version = plan_authoring.publish_plan(s, chosen)
        line = f"已发布计划 {chosen.code}（第 {version} 版）"
    out.write(line + "\n")
    return 0


def cmd_check(args, out) -> int:
    with database(args) as db, db.read() as s:
        chosen = plan.plan_by_code(s, args.code)
        problems = plan_checks.plan_problems(s, chosen)
    if args.json:
        print_json(problems, out)
    elif problems:
        out.write(f"计划 {args.code} 有 {len(problems)} 个问题：\n")
        out.writelines(f"{n}. {p}\n" for n, p in enumerate(problems, 1))
    else:
        out.write(f"计划 {args.code} 校验通过，可以发布。\n")
    return 1 if problems else 0


def cmd_text(args, out) -> int:
    from ..plan_sheet.text import read_plan_text

    text = read_plan_text(Path(args.file))
    with database(args) as db, db.write() as s:
        chosen = plan_authoring.draft_plan(s, args.code)
        plan_authoring.set_plan_text(s, chosen, text)
    out.write(f"已导入计划 {args.code} 的原文（{len(text)} 字）。\n")
    return 0


def cmd_carry(args, out) -> int:
    with database(args) as db, db.write() as s:
        chosen = plan_authoring.draft_plan(s, args.code)
        indicator = plan.indicator(s, args.indicator, chosen)
        plan_authoring.set_carry_over(s, indicator, args.carry)
        line = f"{indicator.code}“{indicator.name}”：{'承接' if args.carry else '不承接'}上一计划的最后数值"
    out.write(line + "\n")
    return 0


def cmd_template(args, out) -> int:
    from ..plan_sheet.template import write_template

    with database(args) as db, db.read() as s:
        chosen = plan.plan_by_code(s, args.plan)
        path = write_template(s, chosen, Path(args.out))
    out.write(f"已写出计划模板：{path}\n")
    return 0


def cmd_load(args, out) -> int:
    from ..plan_sheet.reader import apply_plan_sheet, read_plan_sheet

    sheet = read_plan_sheet(Path(args.file))
    with database(args) as db, (db.read() if args.dry_run else db.write()) as s:
        preview = apply_plan_sheet(s, sheet, dry_run=args.dry_run)
    if args.json:
        print_json(preview.as_json(), out)
    else:
        out.writelines(line + "\n" for line in preview.lines())
        out.write("（预览，未修改）\n" if args.dry_run else "已载入。\n")
    return 0


def cmd_trend(args, out) -> int:
    from ..display import MISSING, number
    from ..progress.trend import span_trend
    from ..validation import parse_date
    from .progress import _office

    as_of = parse_date(args.as_of) if args.as_of else None
    with database(args) as db, reading(db, args) as s:
        office = _office(s, args)
        indicator = plan.indicator(s, args.indicator)
        points = span_trend(s, indicator, office, as_of)
    if args.json:
        print_json([{"plan": p.plan, "month": f"{p.year}-{p.month:02d}", "actual": p.actual} for p in points], out)
        return 0
    out.write(f"{office.name}“{indicator.name}”逐月（{indicator.unit}）\n")
    out.writelines(f"{p.plan}  {p.year}-{p.month:02d}  {number(p.actual, missing=MISSING)}\n" for p in points)
    return 0
