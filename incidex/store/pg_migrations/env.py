"""Alembic environment: upgrades the connection incidex hands over, holding the write lock."""

from alembic import context

from incidex.store.backend import WRITE_LOCK

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
    context.run_migrations()
