"""Pausing Python's cyclic garbage collector around work that makes many short-lived objects."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """A large import or a city-wide check makes hundreds of thousands of short-lived objects (rows,
    tuples, findings) and no reference cycles worth collecting; the collector would rescan them over and
    over (a tenth of an import's time, a third of a check's). Collection resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
