"""Coverage-guided fuzzing of WARC archives: any bytes as a .warc file, articles processed.

Properties: warc_documents raises only WarcError; read_warc never raises, and a corrupt or
truncated archive ends with one InputError after the records before it; each Article goes
through process() (checks.py). Run through fuzz/run.sh, or alone:
`python fuzz/fuzz_warc.py -max_total_time=60 fuzz/corpus/warc`.
"""

from __future__ import annotations

import io
import logging
import sys
import tempfile
from contextlib import redirect_stderr
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["incidex"]):
    from incidex.ingest import InputError, read_warc
    from incidex.pipeline import process
    from incidex.records import Article
    from incidex.warc import WarcError, warc_documents

from checks import check_processed

PATH = Path(tempfile.mkdtemp(prefix="incidex-fuzz-")) / "input.warc"
MAX_RECORD_BYTES = 64 * 1024  # small, so that the oversized-record path is reached too


def TestOneInput(data: bytes) -> None:  # noqa: N802 (the name atheris expects)
    """One input: the bytes as a WARC file (gzip when they start like one)."""
    PATH.write_bytes(data)
    with redirect_stderr(io.StringIO()):  # warcio prints a warning for every broken record
        try:
            for document in warc_documents(PATH, MAX_RECORD_BYTES):
                assert document.number >= 1
        except WarcError as error:
            assert error.number >= 1 and str(error)
        items = list(read_warc(PATH))
    corrupt = [n for n, item in enumerate(items) if "corrupt or truncated" in str(item)]
    assert corrupt in ([], [len(items) - 1]), items
    for item in items:
        if isinstance(item, Article):
            check_processed(process(item))
        else:
            assert isinstance(item, InputError), item


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
