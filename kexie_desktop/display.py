"""How numbers, targets, percentages and statuses are written, the same in the GUI, the CLI, the charts
and the package covers (as git-cola's ``cola/display.py``). Qt-free and import-free: every layer may use it.

One function per kind of text:

- ``number``: a value as typed (7, 2.5, 0.125): grids, targets, the CLI.
- ``figure``: a figure in a progress table or chart, grouped in thousands (1,234 / 1,234.5).
- ``percent``: a ratio as a percentage (0.123 -> 12.3%).
- ``points``: an assessment score (考核得分) to 0.01 point (7.5 -> 7.50).
- ``target``: a target as the plan writes it (4—6所, 全覆盖（100%）, 50人以上, 600个); ``NO_TARGET`` when none.
- ``or_missing``: a text that may be empty (填报人 on a cover), ``MISSING`` ("—") when it is.
- the status names (``DONE`` … ``NO_TARGET``), which the progress engine uses as its status values.
"""

from __future__ import annotations

MISSING = "—"  # a value that is not there: an unknown percentage, an empty name on a cover
NO_TARGET = "未设目标"  # a target that is not set; also the status of such an indicator
COVERAGE_TARGET = "全覆盖（100%）"

DONE = "已完成"
ON_TRACK = "进度正常"
BEHIND = "略有滞后"
SERIOUS = "严重滞后"
UNREPORTED = "未填报"
STATUSES = (DONE, ON_TRACK, BEHIND, SERIOUS, UNREPORTED, NO_TARGET)


def number(value: float | None, missing: str = "") -> str:
    """7 rather than 7.0; otherwise the shortest form (2.5, 0.125)."""
    if value is None:
        return missing
    return f"{int(value)}" if value == int(value) else f"{value:g}"


def figure(value: float | None, missing: str = "") -> str:
    """A figure to compare at a glance: thousands grouped, at most one decimal."""
    if value is None:
        return missing
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


def percent(ratio: float | None, digits: int = 1, missing: str = "") -> str:
    return missing if ratio is None else f"{ratio * 100:.{digits}f}%"


def points(value: float | None, missing: str = "") -> str:
    return missing if value is None else f"{value:.2f}"


def target(kind: str, unit: str, value: float | None, min_value: float | None = None,
           max_value: float | None = None) -> str:
    """A target as the plan writes it. ``value`` is the target (for a range its lower bound unless
    ``min_value`` is given); a coverage target of 100 is 全覆盖（100%）."""
    if value is None:
        return NO_TARGET
    if kind == "range" and max_value is not None:
        lower = value if min_value is None else min_value
        return f"{number(lower)}—{number(max_value)}{unit}"
    if kind == "coverage":
        return COVERAGE_TARGET if value == 100 else f"覆盖{number(value)}%"
    return f"{number(value)}{unit}{'以上' if kind == 'at_least' else ''}"


def or_missing(text: str | None) -> str:
    return text or MISSING
