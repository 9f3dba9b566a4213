"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import json
from contextlib import contextmanager

from ..startup import open_app_database


@contextmanager
def database(args):
    db = open_app_database(getattr(args, "db", None))
    try:
        yield db
    finally:
        db.close()


def print_json(data, out) -> None:
    out.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def plan_option(parser) -> None:
    parser.add_argument("--plan", metavar="CODE", help="计划代码：查看以前的计划（只读）；默认当前计划（plan list 列出全部）")


@contextmanager
def reading(db, args):
    """A read transaction on the plan ``--plan`` names (default: the current plan)."""
    from ..services import plan

    with db.read() as s:
        plan.show_plan(s, getattr(args, "plan", None))
        yield s
