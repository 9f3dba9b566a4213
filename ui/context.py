"""One AppContext handed to every widget: database, settings, undo stack and the change signal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QUndoStack

if TYPE_CHECKING:
    from kexie_desktop.changes import Changes
    from kexie_desktop.db import Database


class SignalBus(QObject):
    # Emitted once per mutation with its Changes record; views refresh only what it names.
    changed = Signal(object)


class AppContext:
    def __init__(self, db: "Database", settings: QSettings | None = None):
        self.db = db
        self.settings = settings or QSettings("kexie-desktop", "kexie-desktop")
        self.undo_stack = QUndoStack()
        self.bus = SignalBus()
        # Asked before work that reads or replaces the whole database (export, import, restore):
        # each returns False to cancel, e.g. the entry grid offering to save pending edits.
        self.guards: list = []

    def confirm_pending(self) -> bool:
        return all(guard() for guard in self.guards)

    def notify(self, changes: "Changes") -> None:
        if changes:
            self.bus.changed.emit(changes)
