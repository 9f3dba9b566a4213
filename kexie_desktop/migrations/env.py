"""Alembic environment: the connection is always handed in by kexie_desktop.db."""

from alembic import context

from kexie_desktop.models import Base
import kexie_desktop.package_models  # noqa: F401  (registers the package tables on Base.metadata)
import kexie_desktop.task_models  # noqa: F401  (registers the 工作清单 tables on Base.metadata)
import kexie_desktop.assessment_models  # noqa: F401  (registers the 考核 tables on Base.metadata)

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only for running alembic by hand
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///kexie.db"
    connection = create_engine(url).connect()

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
)
with context.begin_transaction():
    context.run_migrations()
