"""工作清单 commands: tasks (the plan's qualitative tasks, an office's status), task note, milestone add|done."""

from __future__ import annotations

import datetime as dt

from ..services import offices, settings
from ..services import tasks as task_service
from ..errors import UserError
from ..validation import parse_date
from .common import database, plan_option, reading, print_json


def register(sub, common) -> None:
    p = sub.add_parser("tasks", parents=[common], help="工作清单：计划的定性任务（来源原文、承担单位、完成期限），及某单位的进展状态")
    plan_option(p)
    p.add_argument("--office", help="单位：只列它承担的任务，并给出状态和节点（市科协列出全部任务）")
    p.add_argument("--as-of", dest="as_of", help="以哪一天判断是否滞后（年-月-日），默认今天")
    p.add_argument("--json", action="store_true", help="每个任务一个对象（code、section、name、sentence、carriers、due、indicators…）")
    p.set_defaults(handler=cmd_tasks)

    p = sub.add_parser("task", parents=[common], help="工作清单：为任务记录进展")
    task_sub = p.add_subparsers(dest="task_command", metavar="操作", required=True)
    n = task_sub.add_parser("note", parents=[common], help="记录一条进展（可附照片或 PDF 作为证据）")
    n.add_argument("--office", required=True)
    n.add_argument("--task", required=True, help="任务代码，如 T10")
    n.add_argument("--date", required=True, help="年-月-日")
    n.add_argument("--text", required=True, help="进展说明")
    n.add_argument("--evidence", help="证据文件：PNG、JPEG 图片或 PDF，不超过 5 MB")
    n.set_defaults(handler=cmd_note)

    p = sub.add_parser("milestone", parents=[common], help="工作清单：任务的节点（添加、完成）")
    m_sub = p.add_subparsers(dest="milestone_command", metavar="操作", required=True)
    a = m_sub.add_parser("add", parents=[common], help="为任务添加一个节点")
    a.add_argument("--office", required=True)
    a.add_argument("--task", required=True)
    a.add_argument("--title", required=True, help="节点名称")
    a.add_argument("--due", required=True, help="节点期限（年-月-日）")
    a.set_defaults(handler=cmd_milestone_add)
    d = m_sub.add_parser("done", parents=[common], help="把一个节点标为完成")
    d.add_argument("--office", required=True)
    d.add_argument("--task", required=True)
    d.add_argument("--milestone", required=True, help="节点编号（tasks --office 列出）")
    d.add_argument("--date", required=True, help="完成日期（年-月-日）")
    d.set_defaults(handler=cmd_milestone_done)


def _user(s) -> str:
    return settings.audit_user(s, "命令行")


def cmd_tasks(args, out) -> int:
    as_of = parse_date(args.as_of) if args.as_of else dt.date.today()
    with database(args) as db, reading(db, args) as s:
        office = offices.resolve(s, args.office) if args.office else None
        rows = task_service.views(s, office, as_of)
        data = [r.to_json() for r in rows]
    if args.json:
        print_json(data, out)
        return 0
    for r in data:
        carriers = r["carriers"] if isinstance(r["carriers"], str) else "、".join(r["carriers"])
        state = f"\t{r['status']}" if r.get("status") else ""
        out.write(f"{r['code']}\t{r['section']}\t{r['name']}\t{CARRIER_LABELS.get(carriers, carriers)}\t{r['due']}{state}\n")
        for m in r.get("milestones", []):
            done = f"完成于 {m['done']}" if m["done"] else "未完成"
            out.write(f"\t节点 {m['id']}\t{m['title']}\t期限 {m['due']}\t{done}\n")
    out.write(f"共 {len(data)} 项任务。\n")
    return 0


CARRIER_LABELS = {"city": "市科协", "units": "各县区科协", "all": "市科协及各县区科协"}


def cmd_note(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        date = parse_date(args.date)
        note, _changes = task_service.add_note(s, office, args.task, date, args.text, evidence=args.evidence,
                                               user=_user(s))
        files = "，附证据：" + "、".join(e.file_name for e in note.evidence) if note.evidence else ""
        message = f"已为{office.name}的任务 {note.task.code} 记录 {date.isoformat()} 的进展{files}。\n"
    out.write(message)  # only once the transaction has committed
    return 0


def cmd_milestone_add(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        row, _changes = task_service.add_milestone(s, office, args.task, args.title, parse_date(args.due),
                                                   user=_user(s))
        message = f"已为{office.name}的任务 {row.task.code} 添加节点 {row.id}“{row.title}”，期限 {row.due.isoformat()}。\n"
    out.write(message)
    return 0


def cmd_milestone_done(args, out) -> int:
    with database(args) as db, db.write() as s:
        office = offices.resolve(s, args.office)
        number = _number(args.milestone)
        date = parse_date(args.date)
        task_service.complete_milestone(s, office, args.task, number, date, user=_user(s))
        message = f"已把{office.name}任务 {args.task.strip().upper()} 的节点 {number} 标为 {date.isoformat()} 完成。\n"
    out.write(message)
    return 0


def _number(text: str) -> int:
    raw = (text or "").strip()
    if not raw.isdigit():
        raise UserError(f"节点编号“{raw}”不是正整数。用 tasks --office 查看节点编号。")
    return int(raw)
