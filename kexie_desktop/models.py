"""Typed ORM models of the domain (PRODUCT.md, "Domain semantics").

Enumerations are stored as short strings with CHECK constraints so the SQL stays portable.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Target kinds (PRODUCT.md table); Chinese labels are what users see.
KINDS = {
    "annual_flow": "年度累计",
    "cumulative_flow": "期间累计",
    "level": "存量/水平",
    "coverage": "覆盖率",
    "range": "区间目标",
    "at_least": "不低于",
}
PERIODS = {"annual": "每年", "plan": "期末"}  # "期末": to the end of the plan (pages say 到<end year>年)
AGGREGATIONS = {"sum": "求和", "share": "重算比例", "city_only": "市级单列"}
ENTRIES = {"entered": "填报", "ledger": "台账统计"}
MEASURES = {"count": "活动场次", "audience": "受众人次", "participants": "参与人数"}
OFFICE_KINDS = {"city": "市科协", "district": "区", "county": "县", "zone": "功能区"}


def _check(column: str, values) -> CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=f"ck_{column}")


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class Office(Base):
    __tablename__ = "office"
    __table_args__ = (_check("kind", OFFICE_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("office.id"))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Optional["Office"]] = relationship(remote_side="Office.id")

    @property
    def is_city(self) -> bool:
        return self.kind == "city"


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int]
    end_year: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    # A plan copied from another is a draft until it is published (migration 0011); only a published plan
    # can become the current one. ``text`` is the plan's own text (None: the built-in plan's resource text).
    published: Mapped[bool] = mapped_column(default=True)
    text: Mapped[Optional[str]] = mapped_column(Text)
    based_on_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plan.id"))

    sections: Mapped[list["Section"]] = relationship(
        back_populates="plan", order_by="Section.sort_order"
    )
    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="plan", order_by="Indicator.sort_order"
    )

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Section(Base):
    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"))
    sort_order: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(back_populates="sections")
    parent: Mapped[Optional["Section"]] = relationship(remote_side="Section.id")


class Indicator(Base):
    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        _check("kind", KINDS),
        _check("period", PERIODS),
        _check("aggregation", AGGREGATIONS),
        _check("entry", ENTRIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(10))
    aggregation: Mapped[str] = mapped_column(String(10))
    entry: Mapped[str] = mapped_column(String(10))
    covers: Mapped[Optional[str]] = mapped_column(String(100))
    # A coverage whose objects are the units themselves (县（区）全覆盖): every unit belongs to the base.
    covers_units: Mapped[bool] = mapped_column(default=False)
    phrase: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    # Further sentences of the plan that state the same target, JSON list.
    other_sources: Mapped[str] = mapped_column(Text, default="[]")
    signed: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    # The same indicator in the plan this one was copied from; a level with ``carry_over`` starts from
    # the predecessor's last value (migration 0011).
    predecessor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("indicator.id"))
    carry_over: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[Plan] = relationship(back_populates="indicators")
    section: Mapped[Section] = relationship()

    @property
    def is_ledger(self) -> bool:
        return self.entry == "ledger"

    @property
    def is_annual(self) -> bool:
        return self.period == "annual"

    @property
    def integer_valued(self) -> bool:
        """Counts are whole numbers; percentages may have decimals."""
        return self.unit != "%" or self.kind == "coverage"


class Target(Base):
    """A target of one indicator for one office; ``year`` is None for the plan end."""

    __tablename__ = "target"
    __table_args__ = (
        Index(
            "ux_target_scope",
            "indicator_id",
            "office_id",
            func.coalesce("year", 0),
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    year: Mapped[Optional[int]]
    value: Mapped[float] = mapped_column(Float)
    min_value: Mapped[Optional[float]] = mapped_column(Float)
    max_value: Mapped[Optional[float]] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    version: Mapped[int] = mapped_column(server_default="1")  # migration 0013: a stale edit is refused

    indicator: Mapped[Indicator] = relationship()
    office: Mapped[Office] = relationship()

    __mapper_args__ = {"version_id_col": version}


class DataValue(Base):
    """One monthly figure of an entered indicator. ``base`` is the denominator of coverage kinds."""

    __tablename__ = "data_value"
    __table_args__ = (
        UniqueConstraint("indicator_id", "office_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_month"),
        Index("ix_value_office_year", "office_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    year: Mapped[int]
    month: Mapped[int]
    value: Mapped[float] = mapped_column(Float)
    base: Mapped[Optional[float]] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(40), default="")
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    source: Mapped[str] = mapped_column(String(80), default="manual")
    version: Mapped[int] = mapped_column(server_default="1")  # migration 0013: a stale edit is refused

    indicator: Mapped[Indicator] = relationship()
    office: Mapped[Office] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ActivityType(Base):
    __tablename__ = "activity_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class ActivityTypeIndicator(Base):
    """An activity of this type counts toward the indicator by the given measure."""

    __tablename__ = "activity_type_indicator"
    __table_args__ = (
        UniqueConstraint("activity_type_id", "indicator_id", "measure"),
        _check("measure", MEASURES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_type_id: Mapped[int] = mapped_column(ForeignKey("activity_type.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    measure: Mapped[str] = mapped_column(String(20))

    activity_type: Mapped[ActivityType] = relationship()
    indicator: Mapped[Indicator] = relationship()


class Activity(Base):
    """One record of the activity ledger (活动台账)."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_office_date", "office_id", "date"),
        # Covering for the grouped ledger sums and the duplicate check (migration 0007).
        Index("ix_activity_ledger", "office_id", "type_id", "date", "title", "audience", "participants"),
        CheckConstraint("participants >= 0 AND audience >= 0", name="ck_activity_counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identity across packages, so a re-sent ledger never duplicates a record.
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    type_id: Mapped[int] = mapped_column(ForeignKey("activity_type.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200), default="")
    participants: Mapped[int] = mapped_column(default=0)
    audience: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    source: Mapped[str] = mapped_column(String(80), default="manual")
    version: Mapped[int] = mapped_column(server_default="1")  # migration 0013: a stale edit is refused

    office: Mapped[Office] = relationship()
    type: Mapped[ActivityType] = relationship()

    __mapper_args__ = {"version_id_col": version}


class AuditEntry(Base):
    """Every change to values, targets and records: old and new as JSON text."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    user: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(String(80), default="manual")
    entity: Mapped[str] = mapped_column(String(20))
    entity_key: Mapped[str] = mapped_column(String(120))
    office_id: Mapped[Optional[int]] = mapped_column(ForeignKey("office.id"))
    old: Mapped[Optional[str]] = mapped_column(Text)
    new: Mapped[Optional[str]] = mapped_column(Text)


class Setting(Base):
    """Installation settings (this office, user names, thresholds), JSON values."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(server_default="1")  # migration 0014: a stale edit is refused

    __mapper_args__ = {"version_id_col": version}


SEVERITIES = {"error": "错误", "warning": "警告"}


class ValidationRule(Base):
    """A data check (审核规则) of a plan: which check runs, on which indicators, with which numbers.

    ``check`` names one evaluator of kexie_desktop.review.checks; thresholds live in ``params`` (JSON)
    so a later plan or the city can change them without code. ``indicators`` (JSON list of codes)
    narrows the rule; empty means every indicator the check applies to.
    """

    __tablename__ = "validation_rule"
    __table_args__ = (UniqueConstraint("plan_id", "code"), _check("severity", SEVERITIES))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    code: Mapped[str] = mapped_column(String(20))
    check: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    indicators: Mapped[str] = mapped_column(Text, default="[]")
    params: Mapped[str] = mapped_column(Text, default="{}")
    message: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class Explanation(Base):
    """A written explanation (说明) clearing one warning: bound to the rule, the cell or record, and the
    value it explains, so a changed value no longer matches it (the explanation is void)."""

    __tablename__ = "explanation"
    __table_args__ = (UniqueConstraint("office_id", "rule", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    rule: Mapped[str] = mapped_column(String(20))
    # "I05/2019-03" (a cell), "I05/2019" (a year's total), "activity/<uid>" (a ledger record)
    subject: Mapped[str] = mapped_column(String(120))
    value: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


REVIEW_STATES = {
    "draft": "草稿", "pending": "待审核", "approved": "已审核", "sent": "已报送", "received": "市已接收",
    "returned": "已退回",
}


class ReviewMonth(Base):
    """The review state of one office's month (PRODUCT.md, "The reporting cycle"); no row means 草稿."""

    __tablename__ = "review_month"
    __table_args__ = (
        UniqueConstraint("office_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_review_month"),
        _check("state", REVIEW_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    year: Mapped[int]
    month: Mapped[int]
    state: Mapped[str] = mapped_column(String(10), default="draft")
    by: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(server_default="1")  # migration 0014: a stale edit is refused

    __mapper_args__ = {"version_id_col": version}
