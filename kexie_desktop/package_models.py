"""Tables of the Excel package exchange (migrations 0003, 0008): signing keys, the package log, sequences,
the city's returns and the receipts a unit got back.

Kept apart from ``models.py`` so that the exchange can evolve without touching the domain model;
the classes share ``models.Base`` so Alembic and ``Base.metadata`` see them.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Office
from .package_kinds import PACKAGE_KINDS
# A refused file may be unreadable, so its kind is unknown.
LOG_KINDS = {**PACKAGE_KINDS, "unknown": "无法识别的文件"}
DIRECTIONS = {"sent": "发出", "received": "收到"}
RESULTS = {
    "exported": "已导出",
    "applied": "已导入",
    "unchanged": "未变（重复导入）",
    "refused": "已拒绝",
    "previewed": "仅预览",
}
# Sequence streams: a unit numbers its submissions; the city numbers plan and init packages together,
# so that an old plan package can never roll back targets delivered by a newer init package; receipts and
# returns (its replies to submissions) have their own numbering, so a reply never makes a plan package "old".
STREAMS = {"up": "上报", "down": "下发", "reply": "回执退回"}


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def month_list(text: str) -> list[int]:
    """The months of a month-list column ("1,2,3", as ``months``, ``approved_months`` and
    ``unapproved_months`` hold them)."""
    return [int(m) for m in (text or "").split(",") if m.strip()]


def _in(column: str, values, name: str) -> CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


class OfficeKey(Base):
    """An HMAC key. A unit's key signs its submissions; the city office's key signs downward packages."""

    __tablename__ = "office_key"
    __table_args__ = (UniqueConstraint("office_id", "key"), Index("ix_office_key_office", "office_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    key: Mapped[str] = mapped_column(String(64))  # hex of 32 random bytes
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    active: Mapped[bool] = mapped_column(default=True)

    office: Mapped[Office] = relationship()


class PackageLog(Base):
    """Every package sent or received, with its outcome."""

    __tablename__ = "package_log"
    __table_args__ = (
        _in("kind", LOG_KINDS, "ck_package_log_kind"),
        _in("direction", DIRECTIONS, "ck_package_log_direction"),
        _in("result", RESULTS, "ck_package_log_result"),
        Index("ix_package_log_scope", "office_code", "kind", "year"),
        Index("ix_package_log_package", "package_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))
    # Plain code, not a foreign key: a refused file may name an office this database does not know.
    office_code: Mapped[str] = mapped_column(String(20), default="")
    year: Mapped[Optional[int]]
    sequence: Mapped[Optional[int]]
    checksum: Mapped[str] = mapped_column(String(64), default="")
    file_name: Mapped[str] = mapped_column(String(260), default="")
    result: Mapped[str] = mapped_column(String(12))
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    # Submissions (migration 0005): "approved" or "draft" (imported, marked 未审核), and the months
    # not approved ("7,8,9"); empty for other kinds and for log rows made before review existed.
    review: Mapped[str] = mapped_column(String(10), default="", server_default="")
    unapproved_months: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # Migration 0008 (报送情况): when the sender made the package (the manifest's 创建时间: on time means
    # created by the deadline; ``at`` is when it arrived here); for a submission the months with data
    # and the approved months ("1,2,3"); for a receipt or a return the submission it answers.
    created: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    months: Mapped[str] = mapped_column(String(40), default="", server_default="")
    approved_months: Mapped[str] = mapped_column(String(40), default="", server_default="")
    reply_to: Mapped[str] = mapped_column(String(40), default="", server_default="")


class PackageSequence(Base):
    """The last sequence number an office gave to a package of one stream."""

    __tablename__ = "package_sequence"
    __table_args__ = (_in("stream", STREAMS, "ck_package_sequence_stream"),)

    office_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    stream: Mapped[str] = mapped_column(String(10), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class ReturnItem(Base):
    """One item of a return (退回包): a month of a unit's year, or one indicator of it, sent back with a
    reason. The city keeps the items it returned, the unit the items it got; an item stays open until a
    later submission answers it (at the city: one that brings the month's approved figures again; at the
    unit: the next package it exports with the month approved)."""

    __tablename__ = "return_item"
    __table_args__ = (
        UniqueConstraint("return_package", "month", "indicator"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_return_item_month"),
        Index("ix_return_item_office_year", "office_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_package: Mapped[str] = mapped_column(String(40))  # the return package's id
    submission: Mapped[str] = mapped_column(String(40))  # the package id of the returned submission
    submission_sequence: Mapped[int] = mapped_column(Integer)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    year: Mapped[int]
    month: Mapped[int]
    indicator: Mapped[str] = mapped_column(String(20), default="")  # empty: the whole month
    reason: Mapped[str] = mapped_column(Text)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    answered_by: Mapped[str] = mapped_column(String(40), default="")  # package id of the answering submission
    answered_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)

    @property
    def open(self) -> bool:
        return not self.answered_by


class ReceiptMonth(Base):
    """At a unit: what the city holds of one month, as the last receipt (回执包) said."""

    __tablename__ = "receipt_month"
    __table_args__ = (
        UniqueConstraint("office_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_receipt_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    year: Mapped[int]
    month: Mapped[int]
    values: Mapped[int] = mapped_column(Integer, default=0)  # monthly values the city holds
    records: Mapped[int] = mapped_column(Integer, default=0)  # ledger records dated in the month
    approved: Mapped[bool] = mapped_column(default=False)  # the city holds them as 已审核 (else 未审核)
    receipt: Mapped[str] = mapped_column(String(40))  # the receipt's package id
    submission: Mapped[str] = mapped_column(String(40))  # the submission the receipt confirms
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)  # when the receipt was imported
