"""Shared fixtures: the bundled samples, the shared development corpus, a temp database."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidex.cli import sample_articles

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = Path(sample_articles())
EXPECTED = SAMPLES.parent / "expected.jsonl"
INPUTS = Path(__file__).parent / "inputs"


@pytest.fixture
def shared() -> Path:
    """The shared development corpus and gold (beside the repository, as in CI)."""
    if not (SHARED / "gold").is_dir():
        pytest.skip(f"shared development corpus not found at {SHARED}")
    return SHARED


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file that does not exist yet."""
    return tmp_path / "incidents.db"
