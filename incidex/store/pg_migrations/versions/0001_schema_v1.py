"""Schema version 1 (release 0.1): the frozen SQLite script in PostgreSQL's spelling."""

from alembic import op

from incidex.store.backend import schema_for
from incidex.store.migrations import baseline_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    for statement in schema_for(baseline_sql(), "postgresql"):
        connection.exec_driver_sql(statement)
