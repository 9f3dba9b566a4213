"""回执、退回与报送情况: receipt and return packages, their sequence stream, returned items, what a unit's
receipts say the city holds, and the creation time and months of each logged package

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_KINDS = ("submission", "plan", "init", "unknown")
NEW_KINDS = ("submission", "plan", "init", "receipt", "return", "unknown")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("package_log") as batch:
        batch.add_column(sa.Column("created", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("months", sa.String(length=40), nullable=False, server_default=""))
        batch.add_column(sa.Column("approved_months", sa.String(length=40), nullable=False, server_default=""))
        batch.add_column(sa.Column("reply_to", sa.String(length=40), nullable=False, server_default=""))
        batch.drop_constraint("ck_package_log_kind", type_="check")
        batch.create_check_constraint("ck_package_log_kind", _in("kind", NEW_KINDS))
    with op.batch_alter_table("package_sequence") as batch:
        batch.drop_constraint("ck_package_sequence_stream", type_="check")
        batch.create_check_constraint("ck_package_sequence_stream", _in("stream", ("up", "down", "reply")))
    op.create_table(
        "return_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_package", sa.String(length=40), nullable=False),
        sa.Column("submission", sa.String(length=40), nullable=False),
        sa.Column("submission_sequence", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("answered_by", sa.String(length=40), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="ck_return_item_month"),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("return_package", "month", "indicator"),
    )
    op.create_index("ix_return_item_office_year", "return_item", ["office_id", "year"], unique=False)
    op.create_table(
        "receipt_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("values", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("receipt", sa.String(length=40), nullable=False),
        sa.Column("submission", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="ck_receipt_month"),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "year", "month"),
    )


def downgrade() -> None:
    op.drop_table("receipt_month")
    op.drop_index("ix_return_item_office_year", table_name="return_item")
    op.drop_table("return_item")
    op.execute("DELETE FROM package_sequence WHERE stream = 'reply'")
    with op.batch_alter_table("package_sequence") as batch:
        batch.drop_constraint("ck_package_sequence_stream", type_="check")
        batch.create_check_constraint("ck_package_sequence_stream", _in("stream", ("up", "down")))
    op.execute("DELETE FROM package_log WHERE kind IN ('receipt', 'return')")
    with op.batch_alter_table("package_log") as batch:
        batch.drop_constraint("ck_package_log_kind", type_="check")
        batch.create_check_constraint("ck_package_log_kind", _in("kind", OLD_KINDS))
        batch.drop_column("reply_to")
        batch.drop_column("approved_months")
        batch.drop_column("months")
        batch.drop_column("created")
