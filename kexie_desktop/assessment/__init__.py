"""考核 (city): the assessment scheme per year as data, the city's task-score adjustments, and the result
(every unit's score part by part, ranks in its class and overall, 对比找差)."""

from .adjustments import Adjustment, adjust, history
from ..services.assessment_scheme import ALL, Item, Scheme, UnitClass, default_scheme, describe, put, reset, scheme_of, with_units
from ..services.assessment_scheme import REPORTING_LABELS, REPORTING_PARTS
from .score import GAPS, GROUP_LABELS, Assessment, Part, UnitScore, assess, competition_ranks, milestone_share, pts

__all__ = [
    "Adjustment", "adjust", "history",
    "ALL", "Item", "Scheme", "UnitClass", "default_scheme", "describe", "put", "reset", "scheme_of", "with_units",
    "REPORTING_LABELS", "REPORTING_PARTS", "GAPS", "GROUP_LABELS", "Assessment", "Part", "UnitScore", "assess", "competition_ranks", "milestone_share", "pts",
]
