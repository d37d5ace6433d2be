"""Fixtures of the geocode tests: the real gazetteer (built once, then cached)."""

from __future__ import annotations

import pytest
from shared_geo import SHARED_GEO

from incidex.geocode import Gazetteer, load_gazetteer


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    """The installed gazetteer; the first run of a machine builds its cache (~15 s)."""
    return load_gazetteer()


@pytest.fixture
def shared_geo() -> None:
    """Skip when ../shared/geo (reference data, read-only) is not beside the repository."""
    if not SHARED_GEO.is_dir():
        pytest.skip(f"reference data not found at {SHARED_GEO}")
