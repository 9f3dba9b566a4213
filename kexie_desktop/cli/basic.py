"""Foundation commands: init, offices, indicators, target set, value set, activity add, demo."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import UserError
from ..models import KINDS, PERIODS, Target
from ..services import activities, demo, offices, plan, settings, targets, values
from ..validation import parse_count, parse_date, parse_month, parse_number
from ..display import NO_TARGET, number, target
from .common import database, plan_option, reading, print_json


def register(sub, common) -> None:
    p = sub.add_parser("init", parents=[common], help="设定本机所属单位（市科协或某一县区）")
    p.add_argument("--office", required=True, help="单位代码或名称")
    p.add_argument("--filler", help="填报人")
    p.add_argument("--reviewer", help="审核人")
    p.add_argument("--phone", help="联系电话")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("offices", parents=[common], help="列出单位")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_offices)

    p = sub.add_parser("indicators", parents=[common], help="列出计划指标及其目标")
    plan_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_indicators)

    p = sub.add_parser("target", parents=[common], help="目标")
    tsub = p.add_subparsers(dest="action", metavar="操作", required=True)
    p.actions = tsub  # other command modules add their target actions here (target split)
    t = tsub.add_parser("set", parents=[common], help="设定一个目标")
    t.add_argument("--office", required=True)
    t.add_argument("--indicator", required=True)
    t.add_argument("--year", help="年份（每年目标）；期末目标不写")
    t.add_argument("--value", required=True)
    t.add_argument("--min")
    t.add_argument("--max")
    t.set_defaults(handler=cmd_target_set)

    p = sub.add_parser("value", parents=[common], help="月度数据")
    vsub = p.add_subparsers(dest="action", metavar="操作", required=True)
    v = vsub.add_parser("set", parents=[common], help="填报一个月度数值")
    v.add_argument("--office", required=True)
    v.add_argument("--indicator", required=True)
    v.add_argument("--month", required=True, help="年-月，如 2019-03")
    v.add_argument("--value", required=True)
    v.add_argument("--base", help="覆盖率指标：应覆盖的总数")
    v.add_argument("--note")
    v.set_defaults(handler=cmd_value_set)

    p = sub.add_parser("activity", parents=[common], help="活动台账")
    asub = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = asub.add_parser("add", parents=[common], help="登记一项活动")
    a.add_argument("--office", required=True)
    a.add_argument("--type", required=True, help="活动类型（名称或代码）")
    a.add_argument("--date", required=True, help="年-月-日")
    a.add_argument("--title", required=True)
    a.add_argument("--place", default="")
    a.add_argument("--participants")
    a.add_argument("--audience")
    a.add_argument("--note", default="")
    a.set_defaults(handler=cmd_activity_add)

    p = sub.add_parser("demo", parents=[common], help="填入演示数据（2018—2020年，所有县区）")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("thresholds", parents=[common], help="状态阈值（低于时序进度多少个百分点算滞后；市科协设定）")
    p.add_argument("--behind", help="略有滞后的阈值（百分点）")
    p.add_argument("--serious", help="严重滞后的阈值（百分点）")
    p.set_defaults(handler=cmd_thresholds)


def _user(s) -> str:
    return settings.audit_user(s, "命令行")


def cmd_init(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        offices.set_this_office(s, office)
        for key, value in (("user_filler", args.filler), ("user_reviewer", args.reviewer), ("phone", args.phone)):
            if value is not None:
                settings.put(s, key, value.strip())
        role = "市级（汇总、排名、任务分解）" if office.is_city else "县区（填报、上报）"
        text = f"本机单位已设为：{office.name}（{office.code}），角色：{role}。\n"
    out.write(text)  # only once the transaction has committed
    return 0


def cmd_offices(args, out) -> int:
    with database(args) as db, db.read() as s:
        rows = offices.all_offices(s)
        mine = offices.this_office(s)
        if args.json:
            print_json(
                [
                    {"code": o.code, "name": o.name, "short_name": o.short_name, "kind": o.kind,
                     "parent": o.parent.code if o.parent else None, "this_office": o is mine}
                    for o in rows
                ],
                out,
            )
            return 0
        for o in rows:
            mark = "  ← 本机" if o is mine else ""
            out.write(f"{o.code}\t{o.name}\t{o.short_name}{mark}\n")
    return 0


def _target_json(t: Target) -> dict:
    return {"office": t.office.code, "year": t.year, "value": t.value, "min": t.min_value, "max": t.max_value}


def cmd_indicators(args, out) -> int:
    with database(args) as db, reading(db, args) as s:
        current = plan.current_plan(s)
        rows = plan.indicators(s, current)
        by_indicator: dict[int, list[Target]] = {}
        for t in s.scalars(select(Target).order_by(Target.office_id, Target.year)):
            by_indicator.setdefault(t.indicator_id, []).append(t)
        if args.json:
            print_json(
                [
                    {
                        "code": i.code, "name": i.name, "unit": i.unit, "kind": i.kind,
                        "period": i.period, "aggregation": i.aggregation, "entry": i.entry,
                        "covers": i.covers, "section": i.section.name, "section_code": i.section.code,
                        "source": i.source, "sources": plan.sources_of(i),
                        "targets": [_target_json(t) for t in by_indicator.get(i.id, [])],
                    }
                    for i in rows
                ],
                out,
            )
            return 0
        out.write(f"{current.name}：{len(rows)} 项指标\n")
        for i in rows:
            city_targets = [t for t in by_indicator.get(i.id, []) if t.office.is_city]
            found = city_targets[0] if city_targets else None
            shown = target(i.kind, i.unit, found.value, found.min_value, found.max_value) if found else NO_TARGET
            period = PERIODS[i.period] if i.is_annual else f"到{current.end_year}年"
            out.write(f"{i.code}\t{i.name}\t{KINDS[i.kind]}/{period}\t{shown}\n")
    return 0


def _optional_number(text, what):
    return None if text is None else parse_number(text, what)


def cmd_target_set(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        indicator = plan.indicator(s, args.indicator)
        year = None if args.year is None else int(parse_number(args.year, "年份"))
        changes = targets.put_target(
            s, indicator, office, year, parse_number(args.value, "目标值"),
            min_value=_optional_number(args.min, "下限"), max_value=_optional_number(args.max, "上限"),
            user=_user(s),
        )
        scope = f"{year}年" if year else f"到{indicator.plan.end_year}年"
        state = "已设定" if changes else "未变化"
        text = f"{office.name} “{indicator.name}” {scope}目标 {args.value}{indicator.unit}：{state}。\n"
    out.write(text)  # only once the transaction has committed
    return 0


def cmd_value_set(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        indicator = plan.indicator(s, args.indicator)
        year, month = parse_month(args.month, indicator.plan)
        changes = values.set_value(
            s, indicator, office, year, month, parse_number(args.value),
            base=_optional_number(args.base, "应覆盖总数"), note=args.note, user=_user(s),
        )
        state = "已保存" if changes else "未变化"
        row = values.find_value(s, indicator, office, year, month)
        shown = f"已覆盖 {number(row.value)}/{number(row.base)}" if row.base is not None else f"{number(row.value)}{indicator.unit}"
        text = f"{office.name} “{indicator.name}” {year}年{month}月 = {shown}：{state}。\n"
    out.write(text)  # only once the transaction has committed: 已保存 is never a lie
    return 0


def cmd_activity_add(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        activity_type = activities.resolve_type(s, args.type)
        current = plan.current_plan(s)
        activity, _ = activities.add_activity(
            s, office, activity_type, parse_date(args.date, current), args.title,
            place=args.place, participants=parse_count(args.participants, "参与人数"),
            audience=parse_count(args.audience, "受众人次"), note=args.note, user=_user(s), plan=current,
        )
        text = f"已登记：{office.name} {activity.date.isoformat()} {activity_type.name}“{activity.title}”。\n"
    out.write(text)  # only once the transaction has committed
    return 0


def cmd_demo(args, out) -> int:
    with database(args) as db, db.write() as s:
        summary = demo.fill_demo(s)
    out.write(
        "已填入演示数据：{units} 个县区，{targets} 个分解目标，{values} 个月度数值，{activities} 条活动记录。"
        "演示数据均标注“演示数据”。\n".format(**summary)
    )
    return 0


def cmd_thresholds(args, out) -> int:
    """Without options: show the thresholds; with both: set them (the rules are the settings service's)."""
    if (args.behind is None) != (args.serious is None):
        raise UserError("请同时给出 --behind 和 --serious，例如 --behind 10 --serious 25。")
    with database(args) as db, db.write() as s:
        if args.behind is not None:
            behind, serious = parse_number(args.behind, "略有滞后阈值"), parse_number(args.serious, "严重滞后阈值")
            settings.put_thresholds(s, behind, serious)
        behind, serious = (float(settings.get(s, key)) for key in ("threshold_behind", "threshold_serious"))
        out.write(f"状态阈值：低于时序进度超过 {number(behind)} 个百分点为略有滞后，"
                  f"超过 {number(serious)} 个百分点为严重滞后。\n")
    return 0
