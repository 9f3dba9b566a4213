"""Tracing a ledger figure back to the activity records behind it (活动台账溯源)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Activity, ActivityTypeIndicator, Indicator, Office
from ..services import offices as office_service
from .engine import make_scope


@dataclass(frozen=True)
class LedgerRecord:
    activity: Activity
    amount: float  # what the record adds to the figure (1 for a count, else its audience/participants)


def contribution(measure: str, activity: Activity) -> float:
    if measure == "count":
        return 1.0
    return float(activity.audience if measure == "audience" else activity.participants)


def ledger_records(
    s: Session,
    indicator: Indicator,
    office: Office,
    year: int | None = None,
    as_of: dt.date | None = None,
    *,
    consolidated: bool = True,
) -> list[LedgerRecord]:
    """The activities counted in ``office``'s figure of a ledger indicator, oldest first.

    Same window and defaults as the progress row: the target's period (``year`` for an annual
    indicator), within the plan, up to ``as_of``. For the city office the figure is consolidated, so
    its units' records are included unless ``consolidated`` is False. Summing ``amount`` gives the
    figure.
    """
    scope = make_scope(s, year, as_of)
    period, whole = scope.period(indicator), scope.plan_period
    cutoff = period.cutoff(scope.as_of)
    links = list(s.scalars(select(ActivityTypeIndicator).where(ActivityTypeIndicator.indicator_id == indicator.id)))
    if cutoff is None or not links:
        return []
    start, cutoff = max(period.start, whole.start), min(cutoff, whole.end)
    measures = {link.activity_type_id: link.measure for link in links}
    query = (
        select(Activity)
        .where(
            Activity.type_id.in_(list(measures)),
            Activity.office_id.in_(_office_ids(s, indicator, office, consolidated)),
            Activity.date.between(start, cutoff),
        )
        .order_by(Activity.date, Activity.id)
    )
    return [LedgerRecord(a, contribution(measures[a.type_id], a)) for a in s.scalars(query)]


def _office_ids(s: Session, indicator: Indicator, office: Office, consolidated: bool) -> list[int]:
    if office.is_city and consolidated and indicator.aggregation != "city_only":
        return [office.id] + [u.id for u in office_service.units(s)]
    return [office.id]
