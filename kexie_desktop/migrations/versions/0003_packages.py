"""Excel package exchange: office signing keys, package log, sequence numbers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "key"),
    )
    op.create_index("ix_office_key_office", "office_key", ["office_id"], unique=False)
    op.create_table(
        "package_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("office_code", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("result", sa.String(length=12), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('submission', 'plan', 'init', 'unknown')", name="ck_package_log_kind"),
        sa.CheckConstraint("direction IN ('sent', 'received')", name="ck_package_log_direction"),
        sa.CheckConstraint(
            "result IN ('exported', 'applied', 'unchanged', 'refused', 'previewed')",
            name="ck_package_log_result",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_package_log_scope", "package_log", ["office_code", "kind", "year"], unique=False)
    op.create_index("ix_package_log_package", "package_log", ["package_id"], unique=False)
    op.create_table(
        "package_sequence",
        sa.Column("office_code", sa.String(length=20), nullable=False),
        sa.Column("stream", sa.String(length=10), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.CheckConstraint("stream IN ('up', 'down')", name="ck_package_sequence_stream"),
        sa.PrimaryKeyConstraint("office_code", "stream"),
    )


def downgrade() -> None:
    op.drop_table("package_sequence")
    op.drop_index("ix_package_log_package", table_name="package_log")
    op.drop_index("ix_package_log_scope", table_name="package_log")
    op.drop_table("package_log")
    op.drop_index("ix_office_key_office", table_name="office_key")
    op.drop_table("office_key")
