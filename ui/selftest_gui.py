"""The self-test's window step: open the main window on the self-test's database, show every page,
and close it again. Without a display (a Linux server, CI) Qt's offscreen platform is used."""

from __future__ import annotations

import os
import sys
import time

from kexie_desktop.selftest import State, check

FIRST_PAINT_TIMEOUT_S = 10.0


def choose_platform() -> str:
    """``offscreen`` when there is no display to open a window on (set before the QApplication)."""
    if not os.environ.get("QT_QPA_PLATFORM") and sys.platform.startswith("linux"):
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return os.environ.get("QT_QPA_PLATFORM", "")


class _Errors:
    """Exceptions raised in slots and event handlers (Qt prints them and goes on) are collected."""

    def __init__(self) -> None:
        self.caught: list[BaseException] = []
        self._previous = sys.excepthook

    def __enter__(self) -> "_Errors":
        sys.excepthook = lambda kind, value, tb: self.caught.append(value)
        return self

    def __exit__(self, *exc) -> None:
        sys.excepthook = self._previous

    def check(self) -> None:
        if self.caught:
            raise self.caught[0]


def _wait(app, condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def open_main_window(state: State) -> str:
    choose_platform()
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QFontDatabase

    from .app import make_app
    from .context import AppContext
    from .main_window import MainWindow

    app = make_app()
    family = app.font().families()[0] if app.font().families() else app.font().family()
    check(QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family),
          f"界面字体“{family}”不含简体中文，界面文字会显示为方框")
    settings = QSettings(str(state.folder / "settings.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(state.unit, settings)
    with _Errors() as errors:
        window = MainWindow(ctx)
        painted: list[bool] = []
        window.first_painted.connect(lambda: painted.append(True))
        try:
            window.show()
            check(_wait(app, lambda: bool(painted), FIRST_PAINT_TIMEOUT_S), "主窗口没有显示出来")
            pages = _visit_pages(app, window, errors)
            window.grab().save(str(state.folder / "window.png"))
        finally:
            window.close()
            app.processEvents()
            closed = not window.isVisible()
            window.deleteLater()
    errors.check()
    check(closed, "主窗口没有关闭")
    return f"平台 {app.platformName()}，{pages} 个页面，界面字体 {family}"


def _visit_pages(app, window, errors: _Errors) -> int:
    """Show each page in turn (each is built on first show: charts, grids, the plan text)."""
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        app.processEvents()
        errors.check()
        check(window.current_page() is not None, f"页面“{window.nav.item(row).text()}”没有建立")
    return window.nav.count()
