"""工作清单 across installations: a stable uid for milestones and progress notes (unique per office), so
that a submission re-sent to the city never duplicates them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import uuid

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("milestone", "progress_note")


def upgrade() -> None:
    conn = op.get_bind()
    for table in TABLES:
        # A plain ADD COLUMN: a batch copy would drop progress_note, which evidence refers to.
        op.add_column(table, sa.Column("uid", sa.String(length=40), nullable=False, server_default=""))
        ids = conn.execute(sa.text(f"SELECT id FROM {table}")).scalars().all()
        if ids:  # rows made before this revision: each its own uid
            conn.execute(sa.text(f"UPDATE {table} SET uid = :uid WHERE id = :id"),
                         [{"uid": uuid.uuid4().hex, "id": i} for i in ids])
        op.create_index(f"uq_{table}_office_uid", table, ["office_id", "uid"], unique=True)


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"uq_{table}_office_uid", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("uid")
