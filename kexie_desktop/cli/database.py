"""Database commands (issue 18): db upgrade (the explicit schema upgrade of a server database) and copy-db."""

from __future__ import annotations

from ..copydb import copy_database
from ..db import display_url, head_revision, is_server_url, server_sessions
from ..paths import default_db_path
from ..startup import upgrade_app_database
from .common import database, print_json


def register(sub, common) -> None:
    p = sub.add_parser("db", parents=[common], help="数据库（服务器数据库的建立与升级）")
    dsub = p.add_subparsers(dest="action", metavar="操作", required=True)
    u = dsub.add_parser("upgrade", parents=[common],
                        help="建立或升级数据库的数据表（服务器数据库：一次只有一台电脑在升级，其他的等待）")
    u.set_defaults(handler=cmd_db_upgrade)
    w = dsub.add_parser("sessions", parents=[common], help="服务器数据库：列出正在连接的电脑")
    w.add_argument("--json", action="store_true")
    w.set_defaults(handler=cmd_db_sessions)

    p = sub.add_parser("copy-db", parents=[common], help="把数据库复制到一个新的空数据库（SQLite 文件或服务器）")
    p.add_argument("--to", required=True, metavar="URL|PATH",
                   help="目标：postgresql+psycopg://用户@服务器:5432/数据库，或一个新的 SQLite 文件")
    p.set_defaults(handler=cmd_copy_db)


def _shown(target) -> str:
    return display_url(target) if is_server_url(target) else str(target)


def cmd_db_upgrade(args, out) -> int:
    target = getattr(args, "db", None) or default_db_path()
    changed = upgrade_app_database(target)
    state = "已升级到" if changed else "已经是"
    out.write(f"数据库 {_shown(target)} {state}版本 {head_revision()}。\n")
    return 0


def cmd_copy_db(args, out) -> int:
    with database(args) as db:
        result = copy_database(db, args.to)
    out.write(result.message + "\n")
    return 0


def cmd_db_sessions(args, out) -> int:
    with database(args) as db:
        if not db.on_server:
            out.write("这是本机的 SQLite 数据库文件，同一时间只有一个程序打开它。\n")
            return 0
        rows = server_sessions(db)
    if args.json:
        print_json([{"computer": r.computer, "address": r.address, "since": r.since.isoformat(sep=" "),
                     "state": r.state} for r in rows], out)
        return 0
    if not rows:
        out.write("现在没有其他电脑连接这个数据库。\n")
    for r in rows:
        out.write(f"{r.computer or '（未知电脑）'}\t{r.address or '本机'}\t自 {r.since:%Y-%m-%d %H:%M:%S}\t{r.state}\n")
    return 0
