"""审核 commands: check (the findings of the plan's rules) and explain (说明 for a warning)."""

from __future__ import annotations

from ..review import explanations, states
from ..review.checks import run_checks
from ..services import offices, plan, settings
from ..validation import parse_date, parse_month, parse_number
from .common import database, plan_option, reading, print_json

EXIT_FINDINGS = 1
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}


def register(sub, common) -> None:
    p = sub.add_parser("check", parents=[common], help="审核：按计划的审核规则检查一个单位一年的数据")
    plan_option(p)
    p.add_argument("--office", required=True)
    p.add_argument("--year", required=True)
    p.add_argument("--as-of", dest="as_of", help="以哪一天为“今天”检查（年-月-日），默认今天")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("explain", parents=[common], help="为一条警告填写说明")
    p.add_argument("--office", required=True)
    p.add_argument("--rule", required=True, help="规则代码，如 W01")
    p.add_argument("--text", required=True, help="说明（至少 5 个字）")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--month", help="年-月：某个月的数值")
    where.add_argument("--year", help="年份：某年的合计（W03、W04）")
    where.add_argument("--activity", help="活动记录编号（台账类提示）")
    p.add_argument("--indicator", help="指标代码（--month、--year 时必填）")
    p.set_defaults(handler=cmd_explain)

    p = sub.add_parser("submit", parents=[common], help="填报人提交审核：某年 1 月到指定月份")
    p.add_argument("--office", required=True)
    p.add_argument("--through", required=True, help="年-月，如 2019-06")
    p.set_defaults(handler=cmd_submit)

    p = sub.add_parser("approve", parents=[common], help="审核人审核通过（月份随即锁定）")
    p.add_argument("--office", required=True)
    p.add_argument("--through", required=True, help="年-月")
    p.add_argument("--by", required=True, help="审核人姓名")
    p.add_argument("--password", help="审核密码（设了密码时必填）")
    p.set_defaults(handler=cmd_approve)

    p = sub.add_parser("unapprove", parents=[common], help="撤销审核：从某月起退回草稿（须写原因）")
    p.add_argument("--office", required=True)
    p.add_argument("--from", dest="from_month", required=True, help="年-月")
    p.add_argument("--reason", required=True)
    p.add_argument("--by", help="审核人姓名，默认本机设定的审核人")
    p.add_argument("--password", help="审核密码（设了密码时必填）")
    p.set_defaults(handler=cmd_unapprove)

    p = sub.add_parser("review-password", parents=[common], help="设定、修改或取消审核密码")
    p.add_argument("--new", required=True, help="新密码；空字符串表示取消密码")
    p.add_argument("--old", help="原密码（已设密码时必填）")
    p.set_defaults(handler=cmd_review_password)


def cmd_check(args, out) -> int:
    with database(args) as db, reading(db, args) as s:
        office = offices.resolve(s, args.office)
        year = int(parse_number(args.year, "年份"))
        today = parse_date(args.as_of) if args.as_of else None
        findings = run_checks(s, office, year, today=today)
    if args.json:
        print_json([f.to_json() for f in findings], out)
    else:
        for f in findings:
            state = "（已说明）" if f.explanation else ""
            out.write(f"[{f.rule} {SEVERITY_LABELS[f.severity]}{state}] {f.message}\n")
            if f.explanation:
                out.write(f"    说明：{f.explanation}\n")
        errors = sum(f.severity == "error" for f in findings)
        open_warnings = sum(f.severity == "warning" and not f.explanation for f in findings)
        out.write(f"{office.name} {year}年：{errors} 个错误，{open_warnings} 个未说明的警告，"
                  f"共 {len(findings)} 条提示。\n")
    return EXIT_FINDINGS if any(f.severity == "error" for f in findings) else 0


def _subject(s, args) -> tuple[int, str]:
    if args.activity:
        from ..services.activities import find_activity

        record = find_activity(s, args.activity.strip())
        return record.date.year, f"activity/{record.uid}"
    if not args.indicator:
        raise explanations.UserError("请用 --indicator 指明指标代码。")
    indicator = plan.indicator(s, args.indicator)
    if args.month:
        year, month = parse_month(args.month, indicator.plan)
        return year, f"{indicator.code}/{year}-{month:02d}"
    year = int(parse_number(args.year, "年份"))
    return year, f"{indicator.code}/{year}"


def cmd_explain(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        year, subject = _subject(s, args)
        user = settings.get(s, "user_filler") or "命令行"
        explanations.explain(s, office, year, args.rule, subject, args.text, user=user)
    out.write(f"已保存说明：{office.name} {args.rule.upper()} {subject}。\n")
    return 0


def _month(s, office, text) -> tuple[int, int]:
    return parse_month(text, plan.current_plan(s))


def _states_line(s, office, year) -> str:
    return "；".join(f"{m.month}月{m.label}" for m in states.month_states(s, office, year))


def cmd_submit(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        year, month = _month(s, office, args.through)
        states.submit(s, office, year, month, user=settings.get(s, "user_filler") or "命令行")
        line = _states_line(s, office, year)
    out.write(f"已提交审核：{office.name} {year}年。{line}\n")
    return 0


def cmd_approve(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        year, month = _month(s, office, args.through)
        states.approve(s, office, year, month, by=args.by, password=args.password)
        line = _states_line(s, office, year)
    out.write(f"已审核通过并锁定：{office.name} {year}年。{line}\n")
    return 0


def cmd_unapprove(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        year, month = _month(s, office, args.from_month)
        by = args.by if args.by is not None else settings.get(s, "user_reviewer") or ""
        states.unapprove(s, office, year, month, reason=args.reason, by=by, password=args.password)
        line = _states_line(s, office, year)
    out.write(f"已撤销审核：{office.name} {year}年。{line}\n")
    return 0


def cmd_review_password(args, out) -> int:
    with database(args) as db, db.write() as s:
        states.set_password(s, args.new, old=args.old)
    out.write("审核密码已取消。\n" if not args.new else "审核密码已设定。\n")
    return 0
