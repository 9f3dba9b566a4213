"""Tables of the 考核 (migration 0012): the city's assessment scheme per plan × year, and its adjustments
of a unit's task score (each kept with who, when and why).

The scheme itself is a JSON document (classes, their units, items and points: see
``assessment.scheme``) so that it can be loaded from a file, shown and sent down as data; the service
validates it before it is stored. Kept apart from ``models.py`` like ``task_models``.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Office


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class AssessmentScheme(Base):
    """The city's scheme for one year of a plan (absent: the default scheme applies)."""

    __tablename__ = "assessment_scheme"
    __table_args__ = (UniqueConstraint("plan_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    year: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # JSON, validated by assessment.scheme
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class TaskAdjustment(Base):
    """The city's score for one unit's task in one year, replacing the derived one; ``points`` None
    withdraws an earlier adjustment. Rows are never changed: the newest one per unit × task counts."""

    __tablename__ = "assessment_adjustment"
    __table_args__ = (Index("ix_assessment_adjustment_year_office", "plan_id", "year", "office_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    year: Mapped[int] = mapped_column(Integer)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    task_code: Mapped[str] = mapped_column(String(20))
    points: Mapped[Optional[float]] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    office: Mapped[Office] = relationship()
