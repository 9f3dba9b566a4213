"""Command-line interface: the same core services as the GUI, for batch work and scripts.

Every command accepts ``--db PATH`` (or a ``postgresql+psycopg://`` URL); bad input prints one Chinese line to stderr and exits 2,
having changed nothing (each command runs in one transaction).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from typing import Callable, Sequence

from ..logfile import log_exception
from ..paths import default_db_path
from ..storage_errors import describe
from . import assessment, basic, database, history, packages, plans, replies, reporting, review, tasks
from . import report as report_commands
from . import progress as progress_commands

EXIT_USAGE = 2
EXIT_INTERNAL = 3

# Command modules; each has register(subparsers, common) adding its sub-commands.
COMMAND_MODULES = [basic, progress_commands, packages, replies, reporting, review, history, report_commands, tasks,
                   plans, assessment, database]

_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)", r"参数 \1 的值“\2”无效，可选：\3"),
    (r"invalid choice: '?([^' ]*)'? \(choose from (.*)\)", r"无效的命令“\1”，可选：\2"),
    (r"argument (\S+): invalid (\w+) value: '(.*)'", r"参数 \1 的值“\3”格式不对"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面缺少取值"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"argument (\S+): not allowed with argument (\S+)", r"参数 \1 不能与 \2 同时使用"),
]


def _translate(message: str) -> str:
    for pattern, replacement in _ARGPARSE_MESSAGES:
        if re.search(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D401 - argparse API
        sys.stderr.write(f"命令参数有误：{_translate(message)}。用 {self.prog} --help 查看用法。\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted both before and after the sub-command.
    common = ChineseArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH|URL", default=argparse.SUPPRESS,
                        help="数据库文件（默认在用户数据文件夹），或服务器数据库 postgresql+psycopg://用户@服务器:5432/数据库")
    parser = ChineseArgumentParser(
        prog="kexie",
        description="连云港市科协三年行动计划 填报与数据交换程序。不带子命令时启动图形界面。",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    for module in COMMAND_MODULES:
        module.register(sub, common)
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def run(argv: Sequence[str], out=None) -> int:
    """Run one CLI command; returns the exit code (argument errors too, instead of exiting)."""
    try:
        args = parse(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return run_parsed(args, out)


def run_parsed(args: argparse.Namespace, out=None) -> int:
    out = out or sys.stdout
    handler: Callable | None = getattr(args, "handler", None)
    if handler is None:
        build_parser().print_help(out)
        return EXIT_USAGE
    buffered = io.StringIO()  # shown only when the command succeeded: a failed write never reports success
    try:
        code = handler(args, buffered) or 0
        out.write(buffered.getvalue())
        return code
    except Exception as exc:  # noqa: BLE001 - the user sees one Chinese line, the trace goes to the log
        mapped = describe(exc, getattr(args, "db", None) or default_db_path())
        if mapped is None or mapped is not exc or exc.__cause__ is not None:
            where = log_exception(f"command {args.command}", exc)
        if mapped is None:
            shown = f"日志：{where}" if where else "日志无法写入"
            sys.stderr.write(f"错误：程序内部出错，操作没有完成，已写入的数据保持原样。请把日志发给技术支持（{shown}）。\n")
            return EXIT_INTERNAL
        sys.stderr.write(f"错误：{mapped}\n")
        return EXIT_USAGE
