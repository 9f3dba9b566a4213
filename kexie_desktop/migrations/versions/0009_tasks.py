"""工作清单: the plan's qualitative tasks (plan_task), the carriers' milestones, progress notes and
evidence files; the sections of 保障措施 that hold some of the tasks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import json

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("carriers", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "code"),
    )
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("done", sa.Date(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["plan_task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_milestone_task_office", "milestone", ["task_id", "office_id"], unique=False)
    op.create_table(
        "progress_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["plan_task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_progress_note_task_office", "progress_note", ["task_id", "office_id"], unique=False)
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("media_type IN ('image/png', 'image/jpeg', 'application/pdf')",
                           name="ck_evidence_media_type"),
        sa.ForeignKeyConstraint(["note_id"], ["progress_note.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_note", "evidence", ["note_id"], unique=False)
    _backfill_builtin_plan()


def _backfill_builtin_plan() -> None:
    """A database made before this revision holds the built-in plan without its tasks (and without the
    保障措施 sections that hold some of them): add both from the catalogue. A new database gets them when
    the catalogue is loaded after the migrations."""
    from kexie_desktop.services.plan import builtin_catalogue

    data = builtin_catalogue()
    conn = op.get_bind()
    plan_id = conn.execute(sa.text("SELECT id FROM plan WHERE code = :c"), {"c": data["plan"]["code"]}).scalar()
    if plan_id is None:
        return
    sections = dict(conn.execute(sa.text("SELECT code, id FROM section WHERE plan_id = :p"), {"p": plan_id}).all())
    order = conn.execute(sa.text("SELECT count(*) FROM section WHERE plan_id = :p"), {"p": plan_id}).scalar()
    for row in data["sections"]:
        if row["code"] in sections:
            continue
        conn.execute(sa.text("INSERT INTO section (plan_id, code, name, parent_id, sort_order) "
                             "VALUES (:p, :c, :n, :parent, :o)"),
                     {"p": plan_id, "c": row["code"], "n": row["name"], "o": order,
                      "parent": sections.get(row["parent"]) if row["parent"] else None})
        order += 1
        sections[row["code"]] = conn.execute(
            sa.text("SELECT id FROM section WHERE plan_id = :p AND code = :c"), {"p": plan_id, "c": row["code"]}
        ).scalar()
    for n, row in enumerate(data.get("tasks", [])):
        conn.execute(
            sa.text("INSERT INTO plan_task (plan_id, code, section_id, name, sentence, carriers, due, indicators, "
                    "sort_order) VALUES (:p, :code, :sec, :name, :sentence, :carriers, :due, :ind, :o)"),
            {"p": plan_id, "code": row["code"], "sec": sections[row["section"]], "name": row["name"],
             "sentence": row["sentence"], "carriers": json.dumps(row["carriers"], ensure_ascii=False),
             "due": row["due"], "ind": json.dumps(row["indicators"]), "o": n},
        )


def downgrade() -> None:
    op.drop_index("ix_evidence_note", table_name="evidence")
    op.drop_table("evidence")
    op.drop_index("ix_progress_note_task_office", table_name="progress_note")
    op.drop_table("progress_note")
    op.drop_index("ix_milestone_task_office", table_name="milestone")
    op.drop_table("milestone")
    op.drop_table("plan_task")
