"""Several plans in one database: a plan's publication state and text, the copy it was made from,
and each indicator's predecessor in the plan before (carry-over)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch copy would drop the tables that values and targets refer to.
    # Every plan made before this revision is the built-in one, published.
    op.add_column("plan", sa.Column("published", sa.Boolean(), nullable=False, server_default="1"))
    op.add_column("plan", sa.Column("text", sa.Text(), nullable=True))
    # ADD COLUMN ... REFERENCES as plain SQL (SQLite and PostgreSQL both accept it; Alembic's SQLite
    # dialect cannot add the constraint separately).
    op.execute("ALTER TABLE plan ADD COLUMN based_on_id INTEGER REFERENCES plan (id)")
    op.execute("ALTER TABLE indicator ADD COLUMN predecessor_id INTEGER REFERENCES indicator (id)")
    op.add_column("indicator", sa.Column("carry_over", sa.Boolean(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("indicator", "carry_over")
    op.drop_column("indicator", "predecessor_id")
    op.drop_column("plan", "based_on_id")
    op.drop_column("plan", "text")
    op.drop_column("plan", "published")
