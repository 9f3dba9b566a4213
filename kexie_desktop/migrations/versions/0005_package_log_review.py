"""审核 in the package log: whether a received submission was approved, and its unapproved months

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("package_log") as batch:
        batch.add_column(sa.Column("review", sa.String(length=10), nullable=False, server_default=""))
        batch.add_column(sa.Column("unapproved_months", sa.String(length=40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("package_log") as batch:
        batch.drop_column("unapproved_months")
        batch.drop_column("review")
