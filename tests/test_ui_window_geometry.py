"""1366×768: the main window's default and restored geometry stay on the screen's available area."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QMainWindow

from ui import window_geometry
from ui.main_window import MainWindow

# A 1366×768 screen with a 40 px task bar, less the title bar's room: the area the window may use.
AREA = QRect(0, 0, 1366, 728 - 32).translated(0, 32)


@pytest.fixture
def small_screen(monkeypatch):
    monkeypatch.setattr(window_geometry, "available_area", lambda _widget: QRect(AREA))


def _settings(tmp_path, geometry=None) -> QSettings:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    if geometry is not None:
        settings.setValue("main_window/geometry", geometry)
    return settings


def _saved(rect: QRect):
    """The bytes a window at ``rect`` would have saved (e.g. on a larger or a second monitor)."""
    window = QMainWindow()
    window.setGeometry(rect)
    return window.saveGeometry()


def test_the_default_window_fits_the_available_area(qtbot, tmp_path, small_screen):
    window = MainWindow(settings=_settings(tmp_path))
    qtbot.addWidget(window)
    assert window.geometry() == QRect(43, 32, 1280, 696)  # 1280 wide, centred; the height clamped


@pytest.mark.parametrize("saved", [QRect(3000, 2000, 694, 240), QRect(-900, 500, 1900, 1100)])
def test_a_restored_geometry_off_screen_or_too_small_or_too_big_is_clamped(qtbot, tmp_path, small_screen, saved):
    window = MainWindow(settings=_settings(tmp_path, _saved(saved)))
    qtbot.addWidget(window)
    got = window.geometry()
    assert AREA.contains(got), got
    assert got.width() >= 1000 and got.height() >= 600
    assert (window.minimumWidth(), window.minimumHeight()) == (1000, 600)


def test_fit_is_exact():
    area = QRect(0, 32, 1366, 696)
    assert window_geometry.fit(QRect(3000, 2000, 694, 240), area) == QRect(366, 128, 1000, 600)
    assert window_geometry.fit(QRect(-900, 500, 1900, 1100), area) == QRect(0, 32, 1366, 696)
    assert window_geometry.fit(QRect(100, 100, 1100, 650), area) == QRect(100, 78, 1100, 650)
    tiny = QRect(0, 0, 800, 500)  # a screen smaller than the minimum: the whole of it
    assert window_geometry.fit(QRect(50, 50, 300, 200), tiny) == QRect(0, 0, 800, 500)
    assert window_geometry.minimum(tiny).toTuple() == (800, 500)
