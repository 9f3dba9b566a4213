"""Starting the GUI: QApplication, CJK font, logging, the single-instance lock, then the main window.

The window is shown first and the database opened right after its first paint, so nothing heavy
(SQLAlchemy, migrations, matplotlib, openpyxl) delays the first sight of the program.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLockFile, QSettings
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from kexie_desktop.paths import default_db_path

from . import gc_guard
from .errors import install_excepthook, setup_logging
from .main_window import MainWindow
from .widgets.fonts import apply_app_font

SECOND_INSTANCE = (
    "这个数据库已经由另一个正在运行的本程序打开：\n{path}\n\n"
    "同一份数据只能在一个窗口中填报，以免互相覆盖。请切换到已打开的窗口（查看任务栏）。"
)

SERVER_FALLBACK = (
    "无法打开设置中保存的服务器数据库：\n{reason}\n\n本次改为打开本机的数据库文件吗？\n"
    "（服务器连接仍保存在设置中，下次启动时再试；不再使用它，请在 设置 → 数据库 中选择「改回本机数据库」。）"
)


def acquire_lock(db_path: Path) -> QLockFile | None:
    """A lock file beside the database; None when another running instance holds it."""
    lock = QLockFile(str(db_path) + ".lock")
    lock.setStaleLockTime(0)  # never time out a live instance; a dead one's lock is detected by PID
    return lock if lock.tryLock(200) else None


def install_qt_translations(app: QApplication) -> list:
    """Qt's own texts (OK/Cancel, file dialogs) in Chinese, from the PySide6 wheel or the bundle;
    once per application. Returns the translators installed now."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    if app.property("kexie_qt_translations"):
        return []
    folder = QLibraryInfo.path(QLibraryInfo.TranslationsPath)
    installed = []
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
    app.setProperty("kexie_qt_translations", bool(installed))
    return installed


def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    gc_guard.install(app)
    install_qt_translations(app)
    app.setApplicationName("kexie-desktop")
    app.setOrganizationName("kexie-desktop")
    app.setApplicationDisplayName("科协三年行动计划填报系统")
    apply_app_font(app)
    return app


def run_gui(db_path: str | None = None) -> int:
    app = make_app()
    setup_logging()
    install_excepthook()
    from kexie_desktop.db import is_server_url

    from .settings.operations import start_target
    from .settings.server_dialog import ask_start_password

    settings = QSettings("kexie-desktop", "kexie-desktop")
    target = start_target(db_path, settings, ask_start_password)  # a saved server profile (设置 → 数据库)
    if target == "":  # the password was not given: nothing opened
        return 0
    locks: list[QLockFile] = []
    path = _claim(target, locks)
    if path is None:
        return 1
    # A saved server that cannot be opened (down, password changed) must not lock the clerk out of the
    # program, whose 设置 is where the profile is undone: offer the local file for this start.
    fallback = (lambda: _claim(None, locks)) if not db_path and is_server_url(target) else None
    window = MainWindow(settings=settings)
    opened = []
    window.first_painted.connect(lambda: opened.append(open_in(window, path, fallback)))
    window.show()
    try:
        return app.exec()
    finally:
        for ctx in opened:
            if ctx is not None:
                ctx.db.close()
        for lock in locks:
            lock.unlock()


def _claim(target: str | None, locks: list) -> Path | str | None:
    """The database to open: a server URL as it is; a SQLite file (default: the user's) with its lock
    file taken, or None when another running copy holds it (said in a message box)."""
    from kexie_desktop.db import is_server_url

    if is_server_url(target):
        # Several clerks share a server database: the per-file lock is for a SQLite file only.
        return target
    path = Path(target) if target else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = acquire_lock(path)
    if lock is None:
        QMessageBox.warning(None, "程序已在运行", SECOND_INSTANCE.format(path=path))
        return None
    locks.append(lock)
    return path


def open_in(window: MainWindow, path: Path | str, fallback=None):
    """Open the database, run the first-start wizard if needed, and build the window's pages.

    ``fallback()`` (a saved server profile's start) gives the local database to open instead, when the
    server database cannot be opened and the user agrees."""
    from kexie_desktop.errors import UserError
    from kexie_desktop.startup import open_app_database

    from . import installation
    from .context import AppContext
    from .wizard.wizard import FirstStartWizard

    try:
        db = open_app_database(path)
    except UserError as exc:
        if fallback is None:
            QMessageBox.critical(window, "无法打开数据库", str(exc))
        elif QMessageBox.question(window, "无法打开服务器数据库", SERVER_FALLBACK.format(reason=exc)) == QMessageBox.Yes:
            local = fallback()
            if local is not None:
                return open_in(window, local)
        window.close()
        return None
    ctx = AppContext(db, window.settings)
    want_demo = False
    if installation.load_installation(ctx).office is None:
        wizard = FirstStartWizard(ctx, window)
        if wizard.exec() != QDialog.Accepted:
            window.close()
            return ctx
        want_demo = wizard.wants_demo()
    window.attach(ctx)
    if want_demo:
        window.load_demo()
    return ctx
