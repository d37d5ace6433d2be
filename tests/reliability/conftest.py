"""Fixtures for reliability tests: the generated corpus, its extraction and a clean ingest."""

from __future__ import annotations

import time

import pytest

from tests.reliability.checks import consistency_problems, summary
from tests.reliability.corpus import (
    Corpus,
    extracted,
    spawn,
    watch_wal,
    write_corpus,
)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The corpus written once per session, extracted, and ingested once into a fresh file."""
    tmp = tmp_path_factory.mktemp("reliability")
    folder = tmp / "articles"
    canonical = write_corpus(folder)
    expected = extracted(folder, tmp)
    clean = tmp / "clean.db"
    started = time.monotonic()
    process = spawn("ingest", folder, "--db", clean)
    commits = watch_wal(process, clean)  # the first: the schema; then one per article
    _, stderr = process.communicate()
    seconds = time.monotonic() - started
    assert process.returncode == 0, stderr
    assert consistency_problems(clean, expected) == []
    clean_summary = summary(clean, canonical)
    return Corpus(folder, canonical, expected, clean_summary, commits[1], commits[-1], seconds)
