"""The cyclic garbage collector runs in the GUI thread only (ui.gc_guard)."""

from __future__ import annotations

import gc
import threading

from ui import gc_guard
from ui.worker import run_task


class _Cycle:
    finalized_in: list[str] = []

    def __init__(self):
        self.me = self

    def __del__(self):
        _Cycle.finalized_in.append(threading.current_thread().name)


def test_the_application_has_the_collector_and_automatic_collection_is_off(qapp):
    collector = gc_guard.install(qapp)
    assert gc_guard.install(qapp) is collector
    assert qapp.findChildren(gc_guard.GuiThreadCollector) == [collector]
    assert gc.isenabled() is False
    assert collector.timer.isActive() and collector.timer.interval() == gc_guard.INTERVAL_MS


def test_a_cycle_dropped_by_the_gui_thread_is_finalized_there_even_when_a_worker_allocates(qtbot):
    gc.collect()
    _Cycle.finalized_in.clear()
    _Cycle()  # unreachable at once, but only the cyclic collector can free it
    done = []

    def allocate(_progress):
        # Far past every threshold: an automatic collector would run here, in the pool thread.
        # Kept alive (returned) so the counts stay past the thresholds until the GUI thread looks.
        return [[i] for i in range(200_000)]

    run_task(None, "测试", allocate, done.append)
    qtbot.waitUntil(lambda: len(done) == 1, timeout=10_000)
    assert len(done[0]) == 200_000
    # The GUI thread's timer may collect while the worker still runs; it must never be the worker.
    qtbot.waitUntil(lambda: _Cycle.finalized_in != [], timeout=5_000)
    assert _Cycle.finalized_in == [threading.main_thread().name]


def test_collect_due_follows_the_thresholds(qapp):
    collector = gc_guard.install(qapp)
    gc.collect()
    assert collector.collect_due() == 0  # counts are below the first threshold
    _Cycle.finalized_in.clear()
    for _ in range(collector.threshold[0] + 10):
        _Cycle()
    assert collector.collect_due() >= collector.threshold[0] + 10
    assert len(_Cycle.finalized_in) == collector.threshold[0] + 10
