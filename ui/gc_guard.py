"""Python's cyclic garbage collector runs only in the GUI thread.

Left automatic, a collection starts in whichever thread happens to allocate: a report or import in a
pool thread could then finalize a widget or another Qt object of the GUI thread, and Qt crashes
(seen as a segmentation fault "Garbage-collecting" inside matplotlib in a worker). So the automatic
collector is switched off and a timer in the GUI thread collects with the same thresholds. The
pattern is calibre's and pyqtgraph's.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start(INTERVAL_MS)

    def collect_due(self) -> int:
        """Collect the generations whose counts passed their thresholds, as the automatic collector
        would have; returns the number of unreachable objects found."""
        count0, count1, count2 = gc.get_count()
        found = 0
        if count0 > self.threshold[0]:
            found = gc.collect(0)
            if count1 > self.threshold[1]:
                found += gc.collect(1)
                if count2 > self.threshold[2]:
                    found += gc.collect(2)
        return found


def install(app: QCoreApplication) -> GuiThreadCollector:
    """Once per application; later calls return the collector already installed."""
    existing = app.findChild(GuiThreadCollector)
    if existing is not None:
        return existing
    return GuiThreadCollector(app)
