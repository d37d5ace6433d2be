"""${message}"""

from incidex.store.pg_migrations import run_step

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_step(int(revision))
