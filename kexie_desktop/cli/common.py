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
