"""Long work (import, export, demo data, reports) off the GUI thread, with progress and cancel.

The task function runs in a pool thread and receives a ``Progress`` it may call; it never touches
widgets. Results and errors come back to the GUI thread through Qt signals.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from kexie_desktop.errors import Cancelled  # noqa: F401  (raised by Progress; tasks and tests catch it from here)

from .errors import log, show_error


class Progress:
    def __init__(self, emit: Callable[[int, int, str], None]):
        self._emit = emit
        self._cancel = threading.Event()

    def __call__(self, done: int, total: int, text: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled()
        self._emit(done, total, text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any]):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.progress = Progress(self.signals.progress.emit)

    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


def run_task(
    parent: QWidget | None,
    label: str,
    fn: Callable[[Progress], Any],
    on_done: Callable[[Any], None] | None = None,
    *,
    error_title: str = "操作失败",
    on_error: Callable[[BaseException], None] | None = None,
) -> Task:
    """Start ``fn`` in the pool with a modal progress dialog (取消 stops it at its next progress call)."""
    dialog = QProgressDialog(label, "取消", 0, 0, parent)
    dialog.setWindowTitle("请稍候")
    dialog.setWindowModality(Qt.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    task = Task(fn)
    task.setAutoDelete(False)

    def progress(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if text:
            dialog.setLabelText(text)

    def finished(result) -> None:
        dialog.close()
        if on_done:
            on_done(result)

    def failed(exc: BaseException) -> None:
        dialog.close()
        if isinstance(exc, Cancelled):
            log.info("%s: cancelled", label)
            return
        (on_error or (lambda e: show_error(parent, error_title, e)))(exc)

    task.signals.progress.connect(progress)
    task.signals.finished.connect(finished)
    task.signals.failed.connect(failed)
    dialog.canceled.connect(task.progress.cancel)
    QThreadPool.globalInstance().start(task)
    _running.add(task)
    task.signals.finished.connect(lambda _r: _running.discard(task))
    task.signals.failed.connect(lambda _e: _running.discard(task))
    return task


# Keep Python references until a task ends (autoDelete is off so the signals outlive run()).
_running: set[Task] = set()
