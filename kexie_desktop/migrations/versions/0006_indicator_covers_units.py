"""Coverages of the units themselves marked in the plan (县（区）全覆盖, 市县两级…全覆盖)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy would drop the table that values and targets refer to.
    op.add_column("indicator", sa.Column("covers_units", sa.Boolean(), nullable=False, server_default="0"))
    _flag_builtin_plan()


def _flag_builtin_plan() -> None:
    """A database made before this revision holds the built-in plan without the flag: set it from the
    catalogue. (A new database gets it when the catalogue is loaded after the migrations.)"""
    from kexie_desktop.services.plan import builtin_catalogue

    data = builtin_catalogue()
    codes = [r["code"] for r in data["indicators"] if r.get("covers_units")]
    conn = op.get_bind()
    plan_id = conn.execute(sa.text("SELECT id FROM plan WHERE code = :c"), {"c": data["plan"]["code"]}).scalar()
    if plan_id is None or not codes:
        return
    # A bound True, not the integer 1: PostgreSQL has a real boolean type.
    conn.execute(sa.text("UPDATE indicator SET covers_units = :t WHERE plan_id = :p AND code = :c"),
                 [{"t": True, "p": plan_id, "c": code} for code in codes])


def downgrade() -> None:
    op.drop_column("indicator", "covers_units")
