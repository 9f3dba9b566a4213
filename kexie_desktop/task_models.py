"""Tables of the 工作清单 (migrations 0009, 0010): the plan's qualitative tasks, and each carrying office's
milestones, progress notes and evidence files.

Kept apart from ``models.py`` like ``package_models``; the classes share ``models.Base`` so Alembic and
``Base.metadata`` see them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Optional

from sqlalchemy import (CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Office, Section

# Who carries a task: the city office, every unit (县区科协), or both ("all", for 市县 sentences);
# or a JSON list of unit codes when the sentence names them.
CARRIER_WORDS = ("city", "units", "all")
MEDIA_TYPES = ("image/png", "image/jpeg", "application/pdf")


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def new_uid() -> str:
    return uuid.uuid4().hex


class PlanTask(Base):
    """One qualitative task of the plan (no number of its own), with the sentence it comes from."""

    __tablename__ = "plan_task"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    code: Mapped[str] = mapped_column(String(20))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    name: Mapped[str] = mapped_column(String(200))
    sentence: Mapped[str] = mapped_column(Text)
    carriers: Mapped[str] = mapped_column(Text, default='"city"')  # JSON: a carrier word or a list of codes
    due: Mapped[dt.date] = mapped_column(Date)
    indicators: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of linked indicator codes
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    section: Mapped[Section] = relationship()

    @property
    def carrier_value(self) -> str | list[str]:
        return json.loads(self.carriers)

    @property
    def indicator_codes(self) -> list[str]:
        return json.loads(self.indicators or "[]")


class Milestone(Base):
    """A step the carrying office set itself for one task; done once ``done`` holds a date."""

    __tablename__ = "milestone"
    __table_args__ = (
        Index("ix_milestone_task_office", "task_id", "office_id"),
        Index("uq_milestone_office_uid", "office_id", "uid", unique=True),  # migration 0010
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identity across installations, so a re-sent submission never duplicates a milestone.
    uid: Mapped[str] = mapped_column(String(40), default=new_uid)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    title: Mapped[str] = mapped_column(String(200))
    due: Mapped[dt.date] = mapped_column(Date)
    done: Mapped[Optional[dt.date]] = mapped_column(Date)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    by: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[int] = mapped_column(server_default="1")  # migration 0013: a stale edit is refused

    task: Mapped[PlanTask] = relationship()
    office: Mapped[Office] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ProgressNote(Base):
    """What the carrying office did on a task on a day, with optional evidence files."""

    __tablename__ = "progress_note"
    __table_args__ = (
        Index("ix_progress_note_task_office", "task_id", "office_id"),
        Index("uq_progress_note_office_uid", "office_id", "uid", unique=True),  # migration 0010
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), default=new_uid)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    task: Mapped[PlanTask] = relationship()
    office: Mapped[Office] = relationship()
    evidence: Mapped[list["Evidence"]] = relationship(back_populates="note", order_by="Evidence.id")


class Evidence(Base):
    """A photo or PDF kept in the database (its type judged by content, never opened as a program)."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("media_type IN ('image/png', 'image/jpeg', 'application/pdf')", name="ck_evidence_media_type"),
        Index("ix_evidence_note", "note_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("progress_note.id"))
    file_name: Mapped[str] = mapped_column(String(260))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    note: Mapped[ProgressNote] = relationship(back_populates="evidence")
