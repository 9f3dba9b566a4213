"""Errors in the GUI: a Chinese message box saying what to do, the full trace in a log file."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from kexie_desktop.logfile import log, log_exception, log_path, setup_logging  # noqa: F401 (re-exported)
from kexie_desktop.storage_errors import describe


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """A user error shows its own sentence; anything else a generic sentence plus where the log is."""
    mapped = describe(exc)
    if mapped is not None:
        if mapped is not exc or exc.__cause__ is not None:
            log_exception(title, exc)
        QMessageBox.warning(parent, title, str(mapped))
        return
    log_exception(title, exc)
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
