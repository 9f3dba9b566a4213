"""The main window's size and place: always on the screen's available area, never tiny.

A geometry saved on a larger or a second monitor (or a broken one: 694×240 off-screen) is clamped
to the screen the window opens on."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize

DEFAULT = QSize(1280, 760)
MINIMUM = QSize(1000, 600)
# Room for the title bar the window manager adds around the window's own geometry (before the
# window is shown its frame is not known).
FRAME = QMargins(0, 32, 0, 0)


def fit(rect: QRect, available: QRect) -> QRect:
    """``rect`` made at least MINIMUM (or the whole area when that is smaller), at most the
    available area, and moved fully onto it."""
    width = min(max(rect.width(), MINIMUM.width()), available.width())
    height = min(max(rect.height(), MINIMUM.height()), available.height())
    left = min(max(rect.left(), available.left()), available.right() + 1 - width)
    top = min(max(rect.top(), available.top()), available.bottom() + 1 - height)
    return QRect(left, top, width, height)


def default(available: QRect) -> QRect:
    """DEFAULT size (smaller on a small screen), centred on the available area."""
    rect = fit(QRect(0, 0, DEFAULT.width(), DEFAULT.height()), available)
    rect.moveCenter(available.center())
    return fit(rect, available)


def minimum(available: QRect) -> QSize:
    return MINIMUM.boundedTo(available.size())


def available_area(widget) -> QRect:
    """Where the window's own geometry may go: the available area (without task bar) of its screen
    (or the primary one), less room for the title bar."""
    from PySide6.QtGui import QGuiApplication

    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().marginsRemoved(FRAME)
