"""Version counters on the rows people edit (target, data_value, activity, milestone): stale edits refused

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = ("target", "data_value", "activity", "milestone")


def upgrade() -> None:
    for table in TABLES:  # a plain ADD COLUMN on both engines (SQLite allows NOT NULL with a default)
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
