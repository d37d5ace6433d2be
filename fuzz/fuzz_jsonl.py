"""Coverage-guided fuzzing of JSON-lines input: any bytes as a .jsonl file, articles processed.

Properties: read_jsonl never raises and yields one Article or InputError (named `file:line`)
per non-blank line; each Article goes through process() (checks.py). Run through
fuzz/run.sh, or alone: `python fuzz/fuzz_jsonl.py -max_total_time=60 fuzz/corpus/jsonl`.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["incidex"]):
    from incidex.ingest import InputError, read_jsonl
    from incidex.pipeline import process
    from incidex.records import Article

from checks import check_processed

PATH = Path(tempfile.mkdtemp(prefix="incidex-fuzz-")) / "input.jsonl"


def TestOneInput(data: bytes) -> None:  # noqa: N802 (the name atheris expects)
    """One input: the bytes as a JSON-lines file."""
    PATH.write_bytes(data)
    items = list(read_jsonl(PATH))
    assert len(items) == sum(1 for line in data.split(b"\n") if line.strip()), items
    for item in items:
        if isinstance(item, Article):
            check_processed(process(item))
        else:
            assert isinstance(item, InputError) and item.source.startswith(f"{PATH}:"), item


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
