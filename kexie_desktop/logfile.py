"""The log file (logs/kexie.log in the data folder): full traces go here, never to the user."""

from __future__ import annotations

import logging
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from .paths import data_dir

log = logging.getLogger("kexie")


def log_path() -> Path:
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "kexie.log"


def setup_logging() -> Path:
    """Log to the data folder's logs/kexie.log (re-pointed if the data folder changed)."""
    path = log_path()
    for handler in [h for h in log.handlers if isinstance(h, RotatingFileHandler)]:
        if Path(handler.baseFilename) == path:
            return path
        log.removeHandler(handler)
        handler.close()
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def log_exception(title: str, exc: BaseException) -> Path | None:
    """Write the full trace of ``exc`` to the log; returns the log file (None if it cannot be written,
    e.g. on a full or read-only disk: the user's message must not depend on it)."""
    try:
        path = setup_logging()
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error("%s\n%s", title, trace)
        for handler in log.handlers:
            handler.flush()
        return path
    except Exception:  # noqa: BLE001 - logging must never replace the user's message
        return None
