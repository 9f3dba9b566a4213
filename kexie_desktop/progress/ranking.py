"""Ranking of the units (排名) and how complete each office's reporting is.

Per indicator: units with a target that reported, by progress (highest first), ties by office code;
then the units that reported nothing (even against a zero target), marked 未填报. Overall: a weighted
completion score, the weighted mean of min(progress, 1) over the indicators that have a target for the unit (an unreported indicator counts
0; a negative progress counts 0). Weights are the setting ``ranking_weights`` {indicator code:
weight}; unset means equal weights, and codes missing from it weigh 1. Units that reported nothing at
all come after every unit that reported something, marked 未填报.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..services import settings
from .arithmetic import UNREPORTED
from .engine import CityProgress, ProgressRow


@dataclass(frozen=True)
class IndicatorRank:
    rank: int
    row: ProgressRow

    @property
    def status(self) -> str:
        """The row's status, but 未填报 for a unit that reported nothing (a zero target reads 已完成)."""
        return self.row.status if self.row.reported else UNREPORTED


@dataclass(frozen=True)
class OverallRank:
    rank: int
    office_code: str
    office_name: str
    score: float | None  # fraction 0..1; None when the unit has no target at all
    indicators: int  # indicators with a target for the unit
    reported: int  # ... of which something was reported

    @property
    def status(self) -> str | None:
        """未填报 for a unit that reported nothing on any indicator with a target."""
        return UNREPORTED if self.reported == 0 else None


@dataclass(frozen=True)
class Completeness:
    """Reported indicators among those that have a target for the office."""

    required: int
    reported: int
    missing: list[str]  # codes of required indicators with nothing reported

    @property
    def share(self) -> float | None:
        return self.reported / self.required if self.required else None


def completeness(rows: list[ProgressRow]) -> Completeness:
    required = [r for r in rows if r.target is not None]
    missing = [r.code for r in required if not r.reported]
    return Completeness(len(required), len(required) - len(missing), missing)


def rank_indicator(overview: CityProgress, indicator_code: str) -> list[IndicatorRank]:
    rows = [r for r in overview.unit_rows(indicator_code) if r.target is not None]
    rows.sort(key=lambda r: (not r.reported, r.progress is None, -(r.progress or 0.0), r.office_code))
    return [IndicatorRank(n, row) for n, row in enumerate(rows, start=1)]


def ranking_weights(s: Session) -> dict[str, float] | None:
    weights = settings.get(s, "ranking_weights")
    return weights or None


def unit_score(rows: list[ProgressRow], weights: dict[str, float] | None) -> float | None:
    total = weight_sum = 0.0
    for row in rows:
        if row.target is None:
            continue
        weight = float((weights or {}).get(row.code, 1.0))
        total += weight * min(max(row.progress or 0.0, 0.0), 1.0)
        weight_sum += weight
    return total / weight_sum if weight_sum > 0 else None


def rank_overall(overview: CityProgress, weights: dict[str, float] | None = None) -> list[OverallRank]:
    entries = []
    for code, rows in overview.units.items():
        done = completeness(rows)
        score = unit_score(rows, weights)
        entries.append((code, overview.unit_names[code], score, done.required, done.reported))
    entries.sort(key=lambda e: (e[4] == 0, e[2] is None, -(e[2] or 0.0), e[0]))
    return [OverallRank(n, *entry) for n, entry in enumerate(entries, start=1)]
