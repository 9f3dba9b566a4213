"""报送情况 (city): who reported which months of a year, on time or late; completeness and timeliness."""

from .deadline import DEFAULT_DAY, deadline, deadline_day, put_deadline_day, rule_text
from .status import (
    DRAFT, LATE, MISSING, NOT_DUE, ON_TIME, RETURNED, STATES, Cell, Overdue, Rate, Reporting, UnitRow, reporting,
)

__all__ = [
    "DEFAULT_DAY", "deadline", "deadline_day", "put_deadline_day", "rule_text",
    "DRAFT", "LATE", "MISSING", "NOT_DUE", "ON_TIME", "RETURNED", "STATES",
    "Cell", "Overdue", "Rate", "Reporting", "UnitRow", "reporting",
]
