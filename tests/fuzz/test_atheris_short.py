"""Each coverage-guided harness of fuzz/ runs for a few seconds and exits cleanly.

The long runs are `fuzz/run.sh SECONDS` (docs/RELIABILITY.md); this keeps the harnesses
working. Each runs in a subprocess on a corpus seeded into a temporary directory, so that
fuzz/corpus/ is left alone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip(
    "atheris",
    reason="atheris is not installed: it ships wheels for Linux x86-64 and Python 3.11+ only "
    "(pip install -e '.[test]' installs it there)",
)

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
HARNESSES = ("clean", "extract", "feeds", "jsonl", "warc")
SECONDS = 5  # fuzzing time per harness, after its seed corpus has been run
RUNS = 2_000  # or this many inputs, whichever comes first
INPUT_TIMEOUT = 20  # seconds one input may take before libFuzzer reports a hang


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed corpora of every harness, from the samples and tests/inputs."""
    directory = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(FUZZ / "seed.py"), str(directory)], check=True)
    return directory


@pytest.mark.parametrize("name", HARNESSES)
def test_harness_runs_clean(name: str, corpus: Path, tmp_path: Path) -> None:
    """The harness finds nothing within a few seconds and exits with status 0."""
    result = subprocess.run(
        [
            sys.executable,
            str(FUZZ / f"fuzz_{name}.py"),
            str(corpus / name),
            f"-dict={FUZZ / 'dicts' / f'{name}.dict'}",
            f"-max_total_time={SECONDS}",
            f"-runs={RUNS}",
            f"-timeout={INPUT_TIMEOUT}",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert "Done" in result.stderr
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*"))
