"""Status colours and hatches (colour-blind safe, Okabe–Ito), shared by charts and tables.

Kept apart from the chart modules so that a table can colour its cells without importing matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

from .display import BEHIND, DONE, NO_TARGET, ON_TRACK, SERIOUS, UNREPORTED


@dataclass(frozen=True)
class StatusStyle:
    color: str
    hatch: str  # a second cue besides colour; every bar also carries its status in words


STATUS_STYLES = {
    DONE: StatusStyle("#009E73", ""),
    ON_TRACK: StatusStyle("#0072B2", ""),
    BEHIND: StatusStyle("#E69F00", "///"),
    SERIOUS: StatusStyle("#D55E00", "xxx"),
    UNREPORTED: StatusStyle("#FFFFFF", "..."),
    NO_TARGET: StatusStyle("#DDDDDD", ""),
}
