"""The progress engine (对标进度): actual vs target per indicator × office, knowing each target's kind
and the calendar; city consolidation; rankings; the trend behind a figure.

Semantics in brief (details in ``calendar``, ``arithmetic``, ``ranking``):

- The as-of date defaults to today clamped to the plan period (and, for a given year, to that year's
  end). An explicit as-of date is kept: before a target's period nothing is expected (0) and nothing
  counts; after the plan end everything is expected (1) and everything in the plan counts.
- Monthly values count when their month is on or before the as-of month; ledger records when their
  date is on or before the as-of date. Nothing outside the plan period ever counts.
- The city row is the city office's own entries plus its active units' figures: "sum" adds figures
  (for levels: each office's latest value), "share" recomputes covered ÷ base over the offices that
  reported (a coverage of the units themselves counts each unit that did not report as uncovered:
  1 of 4 reporting out of 10 is 1/10), "city_only" takes the city office alone. Its progress uses the
  city office's target. It says how many units it rests on (``units_reported`` of ``units_total``)
  and is never 已完成 while one of them has not reported.
"""

from .arithmetic import BEHIND, DONE, NO_TARGET, ON_TRACK, SERIOUS, STATUSES, UNREPORTED
from .calendar import Period, default_as_of, plan_period, target_period, year_period
from .engine import CityProgress, ProgressRow, city_progress, make_scope, progress_for
from .ledger import LedgerRecord, ledger_records
from .ranking import (
    Completeness,
    IndicatorRank,
    OverallRank,
    completeness,
    rank_indicator,
    rank_overall,
    ranking_weights,
)
from .trend import Trend, TrendPoint, trend

__all__ = [
    "BEHIND", "DONE", "NO_TARGET", "ON_TRACK", "SERIOUS", "STATUSES", "UNREPORTED",
    "Period", "default_as_of", "plan_period", "target_period", "year_period",
    "CityProgress", "ProgressRow", "city_progress", "make_scope", "progress_for",
    "LedgerRecord", "ledger_records",
    "Completeness", "IndicatorRank", "OverallRank", "completeness", "rank_indicator", "rank_overall",
    "ranking_weights",
    "Trend", "TrendPoint", "trend",
]
