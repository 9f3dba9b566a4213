"""审核: validation rules of a plan, explanations of warnings, the review state of each month

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
import json

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "validation_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("check", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.CheckConstraint("severity IN ('error', 'warning')", name="ck_severity"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "code"),
    )
    op.create_table(
        "explanation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "rule", "subject"),
    )
    op.create_table(
        "review_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("by", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="ck_review_month"),
        sa.CheckConstraint(
            "state IN ('draft', 'pending', 'approved', 'sent', 'received', 'returned')", name="ck_state"
        ),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "year", "month"),
    )
    _builtin_rules_for_existing_plan()


def _builtin_rules_for_existing_plan() -> None:
    """A database made before this revision holds the built-in plan without its rules: add them.
    (A new database gets them when the plan catalogue is loaded after the migrations.)"""
    from kexie_desktop.services.plan import builtin_catalogue

    data = builtin_catalogue()
    conn = op.get_bind()
    plan_id = conn.execute(sa.text("SELECT id FROM plan WHERE code = :c"), {"c": data["plan"]["code"]}).scalar()
    if plan_id is None:
        return
    rows = [
        {"plan_id": plan_id, "code": r["code"], "check": r["check"], "severity": r["severity"],
         "indicators": json.dumps(r.get("indicators", []), ensure_ascii=False),
         "params": json.dumps(r.get("params", {}), ensure_ascii=False), "message": r["message"],
         "active": True, "sort_order": order}
        for order, r in enumerate(data.get("rules", []))
    ]
    if rows:
        conn.execute(
            sa.text(
                'INSERT INTO validation_rule (plan_id, code, "check", severity, indicators, params, message, '
                "active, sort_order) VALUES (:plan_id, :code, :check, :severity, :indicators, :params, "
                ":message, :active, :sort_order)"
            ),
            rows,
        )


def downgrade() -> None:
    op.drop_table("review_month")
    op.drop_table("explanation")
    op.drop_table("validation_rule")
