"""Schema version 2: `articles.language` and an index on `events.updated_at`."""

from incidex.store.pg_migrations import run_step

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_step(int(revision))
