"""Tables of the Excel package exchange (migration 0003): signing keys, the package log, sequences.

Kept apart from ``models.py`` so that the exchange can evolve without touching the domain model;
the classes share ``models.Base`` so Alembic and ``Base.metadata`` see them.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
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
# so that an old plan package can never roll back targets delivered by a newer init package.
STREAMS = {"up": "上报", "down": "下发"}


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


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


class PackageSequence(Base):
    """The last sequence number an office gave to a package of one stream."""

    __tablename__ = "package_sequence"
    __table_args__ = (_in("stream", STREAMS, "ck_package_sequence_stream"),)

    office_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    stream: Mapped[str] = mapped_column(String(10), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
