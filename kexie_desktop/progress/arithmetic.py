"""Progress arithmetic per target kind (PRODUCT.md, "Domain semantics"). Pure functions, no SQL.

- annual_flow / cumulative_flow, and range / at_least (which count as their flow kind per period):
  the sum of the period's entries up to the as-of date.
- level: the latest value entered up to the as-of date (for an annual level: the latest within that
  year). A level that went down counts at its latest value, not its highest.
- coverage: latest covered ÷ latest base, as a percentage (a base of 0 means nothing had to be
  covered: 100 %).

Status: 已完成 when actual ≥ target (range: ≥ the lower bound); otherwise compare progress with
expected progress: more than ``serious`` points under → 严重滞后, more than ``behind`` points under →
略有滞后, else 进度正常. 未填报 when nothing at all was entered for the period (distinct from a
reported 0); 未设目标 when the office has no target. A zero target is done (progress 1.0) whether or
not anything was reported: nothing was asked for.

Expected progress for stocks (level, coverage) is the elapsed share as for flows: a stock is expected
to build up linearly over its period.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..display import BEHIND, DONE, NO_TARGET, ON_TRACK, SERIOUS, STATUSES, UNREPORTED  # noqa: F401  (status values)
from .facts import STOCK_KINDS, Cell


@dataclass(frozen=True)
class Figure:
    """An office's (or the consolidated) actual figure; ``actual`` is None when nothing was reported."""

    actual: float | None
    reported: bool
    covered: float | None = None
    base: float | None = None


NOTHING = Figure(None, False)


def is_stock(kind: str) -> bool:
    return kind in STOCK_KINDS


def office_figure(kind: str, annual: bool, cells: dict[int, Cell] | None, year: int) -> Figure:
    """The figure of one office from its yearly cells (already limited to the window)."""
    cells = cells or {}
    if annual:
        cells = {year: cells[year]} if year in cells else {}
    if not cells:
        return NOTHING
    if not is_stock(kind):
        return Figure(sum(c.total for c in cells.values()), True)
    latest = cells[max(cells)]
    if kind == "coverage":
        return share(latest.last_value or 0.0, latest.last_base or 0.0)
    return Figure(latest.last_value, True)


def share(covered: float, base: float) -> Figure:
    actual = 100.0 * covered / base if base > 0 else 100.0
    return Figure(actual, True, covered, base)


def consolidate(kind: str, aggregation: str, figures: list[Figure], *, unreported_units: int = 0) -> Figure:
    """The city figure from the city office's own figure and its units' (for "sum" and "share").

    Offices that reported nothing add nothing, neither to a sum nor to a share's base; except that
    ``unreported_units`` (for a coverage of the units themselves, such as 县（区）全覆盖) each add one
    uncovered unit to the base: a unit that has not reported is not known to be covered.
    """
    reported = [f for f in figures if f.reported]
    if not reported:
        return NOTHING
    if kind == "coverage":
        base = sum(f.base or 0.0 for f in reported) + unreported_units
        return share(sum(f.covered or 0.0 for f in reported), base)
    total = sum(f.actual for f in reported)
    if aggregation == "share":
        # A ratio without a base (none in the built-in plan): the mean of the offices' ratios.
        return Figure(total / len(reported), True)
    return Figure(total, True)


@dataclass(frozen=True)
class Verdict:
    progress: float | None
    status: str
    projection: float | None


def judge(
    kind: str, target: float | None, figure: Figure, expected: float, behind: float, serious: float,
    complete: bool = True,
) -> Verdict:
    """Progress, status and projection of one figure against one target.

    ``complete`` False (a city figure while units that count toward it have not reported): the
    status is computed as usual but never 已完成, since the missing units may still change it; a
    met target then reads 进度正常.
    """
    projection = project(kind, figure, expected)
    if target is None:
        return Verdict(None, NO_TARGET, projection)
    if target == 0:
        return Verdict(1.0, DONE if complete else ON_TRACK, projection)
    if not figure.reported:
        return Verdict(None, UNREPORTED, None)
    actual = figure.actual
    if target > 0:
        progress = actual / target
    else:  # a negative target (a signed rate may allow a decline): met or not
        progress = 1.0 if actual >= target else 0.0
    done = complete and actual >= target
    return Verdict(progress, status_of(done, progress, expected, behind, serious), projection)


def status_of(done: bool, progress: float, expected: float, behind: float, serious: float) -> str:
    if done:
        return DONE
    # Rounded so that exactly 25 points under is "略有滞后", not float noise above it.
    gap = round((expected - progress) * 100, 9)
    if gap > serious:
        return SERIOUS
    if gap > behind:
        return BEHIND
    return ON_TRACK


def project(kind: str, figure: Figure, expected: float) -> float | None:
    """Period-end figure at the current run rate: flows scale by the elapsed share, stocks stay."""
    if not figure.reported:
        return None
    if is_stock(kind):
        return figure.actual
    if expected <= 0:
        return None
    return figure.actual / expected
