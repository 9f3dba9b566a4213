"""Errors in the GUI: a Chinese message box saying what to do, the full trace in a log file."""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from kexie_desktop.errors import UserError
from kexie_desktop.paths import data_dir

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


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """A user error shows its own sentence; anything else a generic sentence plus where the log is."""
    if isinstance(exc, UserError):
        QMessageBox.warning(parent, title, str(exc))
        return
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    setup_logging()
    log.error("%s\n%s", title, trace)
    QMessageBox.critical(
        parent,
        title,
        f"操作没有完成：程序内部出错（{type(exc).__name__}）。已录入的数据没有丢失。\n\n"
        f"请把日志文件发给技术支持：\n{log_path()}",
    )


def install_excepthook() -> None:
    """Uncaught exceptions in slots go to the log and a message box instead of killing the program."""

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        exc.__traceback__ = tb
        show_error(QApplication.activeWindow(), "出错了", exc)

    sys.excepthook = hook
