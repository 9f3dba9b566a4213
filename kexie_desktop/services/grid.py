"""What the monthly entry grid shows for one office and year: rows, entered cells, ledger counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from ..models import Activity, ActivityTypeIndicator, DataValue, Indicator, Office

from . import plan
from .activities import measure_expression


@dataclass(frozen=True)
class CellValue:
    value: float
    base: float | None = None
    note: str = ""


def grid_indicators(s: Session, office: Office) -> list[Indicator]:
    """Indicators the office reports: city-only ones appear only for the city office."""
    return [i for i in plan.indicators(s) if office.is_city or i.aggregation != "city_only"]


def entered_cells(s: Session, office: Office, year: int) -> dict[tuple[int, int], CellValue]:
    """(indicator_id, month) -> the saved value of that month."""
    rows = s.execute(
        select(DataValue.indicator_id, DataValue.month, DataValue.value, DataValue.base, DataValue.note).where(
            DataValue.office_id == office.id, DataValue.year == year
        )
    )
    return {(i, m): CellValue(v, b, n or "") for i, m, v, b, n in rows}


def cell_versions(s: Session, office: Office, year: int) -> dict[tuple[int, int], int]:
    """(indicator_id, month) -> the version of the saved value (an edit made on it checks it; issue 18)."""
    rows = s.execute(
        select(DataValue.indicator_id, DataValue.month, DataValue.version).where(
            DataValue.office_id == office.id, DataValue.year == year
        )
    )
    return {(i, m): v for i, m, v in rows}


def ledger_cells(s: Session, office: Office, year: int) -> dict[tuple[int, int], float]:
    """(indicator_id, month) -> the ledger figure (count, audience or participants) of that month."""
    month = extract("month", Activity.date)
    query = (
        select(ActivityTypeIndicator.indicator_id, month, func.sum(measure_expression()))
        .join(ActivityTypeIndicator, ActivityTypeIndicator.activity_type_id == Activity.type_id)
        .where(Activity.office_id == office.id, extract("year", Activity.date) == year)
        .group_by(ActivityTypeIndicator.indicator_id, month)
    )
    return {(i, int(m)): float(total or 0) for i, m, total in s.execute(query)}


def bases_before(s: Session, office: Office, year: int) -> dict[int, float]:
    """indicator_id -> the latest coverage base entered before ``year`` (carried over into it)."""
    rows = s.execute(
        select(DataValue.indicator_id, DataValue.year, DataValue.month, DataValue.base)
        .where(DataValue.office_id == office.id, DataValue.year < year, DataValue.base.is_not(None))
        .order_by(DataValue.year, DataValue.month)
    )
    return {indicator_id: base for indicator_id, _y, _m, base in rows}
