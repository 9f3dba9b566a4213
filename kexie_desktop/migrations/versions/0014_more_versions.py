"""Version counters on settings and review states too (issue 18): a stale edit of either is refused

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("setting", "review_month")


def upgrade() -> None:
    for table in TABLES:  # a plain ADD COLUMN on both engines (SQLite allows NOT NULL with a default)
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
