"""Storage of articles and extracted incidents in a SQL database."""

from incidex.store.db import (
    DB_ENV_VAR,
    SCHEMA_VERSION,
    AddResult,
    Store,
    StoreError,
    default_db_path,
)
from incidex.store.filters import IncidentFilter

__all__ = [
    "DB_ENV_VAR",
    "SCHEMA_VERSION",
    "AddResult",
    "IncidentFilter",
    "Store",
    "StoreError",
    "default_db_path",
]
