"""Starting the GUI: QApplication, CJK font, logging, the single-instance lock, first start, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLockFile
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from kexie_desktop.errors import UserError
from kexie_desktop.paths import default_db_path
from kexie_desktop.startup import open_app_database

from . import operations
from .context import AppContext
from .errors import install_excepthook, setup_logging
from .fonts import apply_app_font
from .main_window import MainWindow
from .wizard import FirstStartWizard

SECOND_INSTANCE = (
    "这个数据库已经由另一个正在运行的本程序打开：\n{path}\n\n"
    "同一份数据只能在一个窗口中填报，以免互相覆盖。请切换到已打开的窗口（查看任务栏）。"
)


def acquire_lock(db_path: Path) -> QLockFile | None:
    """A lock file beside the database; None when another running instance holds it."""
    lock = QLockFile(str(db_path) + ".lock")
    lock.setStaleLockTime(0)  # never time out a live instance; a dead one's lock is detected by PID
    return lock if lock.tryLock(200) else None


def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("kexie-desktop")
    app.setOrganizationName("kexie-desktop")
    app.setApplicationDisplayName("科协三年行动计划填报系统")
    apply_app_font(app)
    return app


def run_gui(db_path: str | None = None) -> int:
    app = make_app()
    setup_logging()
    install_excepthook()
    path = Path(db_path) if db_path else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = acquire_lock(path)
    if lock is None:
        QMessageBox.warning(None, "程序已在运行", SECOND_INSTANCE.format(path=path))
        return 1
    try:
        db = open_app_database(path)
    except UserError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 1
    ctx = AppContext(db)
    try:
        return _run(app, ctx)
    finally:
        db.close()
        lock.unlock()


def _run(app: QApplication, ctx: AppContext) -> int:
    want_demo = False
    if operations.load_installation(ctx).office is None:
        wizard = FirstStartWizard(ctx)
        if wizard.exec() != QDialog.Accepted:
            return 0
        want_demo = wizard.wants_demo()
    window = MainWindow(ctx)
    window.show()
    if want_demo:
        window.load_demo()
    return app.exec()
