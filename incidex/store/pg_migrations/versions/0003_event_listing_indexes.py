"""Schema version 3: indexes for listing events in a database of a million of them."""

from incidex.store.pg_migrations import run_step

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_step(int(revision))
