"""Package commands: export, export-plan, export-init, import, packages (the log), backup, restore."""

from __future__ import annotations

from pathlib import Path

from ..backup import SERVER_BACKUP, backup_database, restore_database
from ..db import is_server_url
from ..errors import UserError
from ..packages import (describe_log_entry, export_init, export_plan, export_submission, import_batch, package_log,
                        reserve_sequence)
from ..packages.pipeline.results import NEW, SAME
from ..paths import default_db_path
from ..services import offices, plan, plan_authoring
from ..startup import open_app_database
from ..validation import parse_number
from .common import database, plan_option, print_json

EXIT_REFUSED = 1
SHOWN_CHANGES = 20  # per file in a dry run; --json lists them all


def register(sub, common) -> None:
    p = sub.add_parser("export", parents=[common], help="导出上报包（县区 → 市科协）")
    plan_option(p)
    p.add_argument("--office", required=True, help="本单位代码或名称")
    p.add_argument("--year", required=True, help="年份，如 2019")
    p.add_argument("--out", required=True, help="输出文件（.xlsx）")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("export-plan", parents=[common], help="导出下发包（计划和目标，市科协 → 县区）")
    p.add_argument("--out", required=True, help="输出文件（.xlsx）")
    p.add_argument("--office", help="只含这一个县区的目标（不写则含全部县区）")
    p.set_defaults(handler=cmd_export_plan)

    p = sub.add_parser("export-init", parents=[common], help="导出初始化包（市科协 → 一个县区的新安装），并显示激活码")
    p.add_argument("--office", required=True, help="县区代码或名称")
    p.add_argument("--out", required=True, help="输出文件（.xlsx）")
    p.set_defaults(handler=cmd_export_init)

    p = sub.add_parser("import", parents=[common], help="导入一个或多个数据包（先预览，再全部或全不导入）")
    p.add_argument("files", nargs="+", metavar="文件", help="数据包文件（.xlsx）")
    p.add_argument("--dry-run", action="store_true", help="只预览将发生的变化，不导入")
    p.add_argument("--json", action="store_true", help="以 JSON 输出每个文件的结果和变化")
    p.add_argument("--code", help="初始化包的激活码")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("packages", parents=[common], help="数据包收发记录")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=None, help="只显示最近的若干条")
    p.set_defaults(handler=cmd_packages)

    p = sub.add_parser("backup", parents=[common], help="把数据库备份到指定文件")
    p.add_argument("--out", required=True, help="备份文件")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", parents=[common], help="从备份文件恢复数据库（先自动备份当前数据库）")
    p.add_argument("file", metavar="文件", help="备份文件")
    p.set_defaults(handler=cmd_restore)


def cmd_export(args, out) -> int:
    with database(args) as db:
        number = reserve_sequence(db, "submission")  # committed before the file is written
        with db.write() as s:
            plan.show_plan(s, args.plan)  # an earlier plan's package: its months are only marked 已报送
            office = offices.resolve(s, args.office)
            result = export_submission(s, office, int(parse_number(args.year, "年份")), Path(args.out), sequence=number)
    out.write(result.message + "\n")
    return 0


def cmd_export_plan(args, out) -> int:
    with database(args) as db:
        number = reserve_sequence(db, "plan")
        with db.write() as s:
            office = offices.resolve(s, args.office) if args.office else None
            result = export_plan(s, Path(args.out), office, sequence=number)
            carried = plan.current_plan(s)
            pending = plan_authoring.has_unpublished_changes(s, carried)
    out.write(result.message + "\n")
    if pending:
        out.write(f"提示：计划 {carried.code} 第 {carried.version} 版发布后有修改，本包仍标为第 {carried.version} 版；"
                  f"用 plan publish {carried.code} 发布为第 {carried.version + 1} 版后再导出。\n")
    return 0


def cmd_export_init(args, out) -> int:
    with database(args) as db:
        number = reserve_sequence(db, "init")
        with db.write() as s:
            result = export_init(s, offices.resolve(s, args.office), Path(args.out), sequence=number)
    out.write(result.message + "\n")
    out.write(f"激活码：{result.activation_code}\n请通过电话把激活码告诉{result.manifest.office_name}，"
              "不要与文件一起发送。对方导入时需要输入它。\n")
    return 0


def cmd_import(args, out) -> int:
    with database(args) as db:
        batch = import_batch(db, [Path(f) for f in args.files], code=args.code, dry_run=args.dry_run)
    if args.json:
        print_json({"ok": batch.ok, "summary": batch.summary(), "files": [r.to_dict() for r in batch.results]}, out)
    else:
        for result in batch.results:
            out.write(f"[{result.to_dict()['outcome_label']}] {result.message}\n")
            if args.code is None and "需要激活码" in result.message:
                out.write("    命令行：请加上 --code 激活码 再导入。\n")
            if result.preview.review_line:
                out.write(f"    审核：{result.preview.review_line}\n")
            m = result.preview.manifest
            is_plan = m is not None and m.kind == "plan"  # a plan package's changes are shown on import too
            if (args.dry_run or is_plan) and result.preview.status == "ready":
                _write_changes(result.preview, out)
            if result.preview.status == "ready" and is_plan:
                for ch in result.preview.changes:
                    if ch.sheet == "计划" and ch.action == NEW:
                        out.write(f"    {ch.label}；原有计划及其数据不变。用 plan use {ch.key} 切换为当前计划。\n")
            for warning in result.preview.warnings:
                out.write(f"    提示：{warning}\n")
        out.write(batch.summary() + "\n")
    return 0 if batch.ok else EXIT_REFUSED


def _write_changes(preview, out) -> None:
    changed = preview.changes.without(SAME)
    for change in changed[:SHOWN_CHANGES]:
        out.write(f"    {change.text()}\n")
    if len(changed) > SHOWN_CHANGES:
        out.write(f"    ……另有 {len(changed) - SHOWN_CHANGES} 行变化（用 --json 查看全部）\n")


def cmd_packages(args, out) -> int:
    with database(args) as db, db.read() as s:
        rows = [describe_log_entry(e) for e in package_log(s, args.limit)]
    if args.json:
        print_json(rows, out)
        return 0
    if not rows:
        out.write("还没有收发过数据包。\n")
    for r in rows:
        scope = f"{r['year']}年 " if r["year"] else ""
        seq = f"序号 {r['sequence']} " if r["sequence"] is not None else ""
        out.write(f"{r['at']}\t{'发出' if r['direction'] == 'sent' else '收到'}\t{r['kind_label']}\t"
                  f"{r['office']}\t{scope}{seq}\t{r['result_label']}\t{r['file']}"
                  + (f"\t{r['review_label']}" if r["review_label"] else "") + "\n")
    return 0


def cmd_backup(args, out) -> int:
    with database(args) as db:
        dest = backup_database(db, Path(args.out))
    out.write(f"已把数据库备份到 {dest}。\n")
    return 0


def cmd_restore(args, out) -> int:
    if is_server_url(getattr(args, "db", None)):
        raise UserError(SERVER_BACKUP)
    target = Path(getattr(args, "db", None) or default_db_path())
    result = restore_database(target, Path(args.file))
    open_app_database(target).close()  # migrates a backup made by an older version
    out.write(result.message + "\n")
    return 0
