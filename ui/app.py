"""Starting the GUI: QApplication, CJK font, the database, the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from kexie_desktop.errors import UserError
from kexie_desktop.startup import open_app_database

from .context import AppContext
from .fonts import apply_app_font
from .main_window import MainWindow


def run_gui(db_path: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("kexie-desktop")
    app.setOrganizationName("kexie-desktop")
    app.setApplicationDisplayName("科协三年行动计划填报系统")
    apply_app_font(app)
    try:
        db = open_app_database(db_path)
    except UserError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 1
    ctx = AppContext(db)
    window = MainWindow(ctx)
    window.show()
    try:
        return app.exec()
    finally:
        db.close()
