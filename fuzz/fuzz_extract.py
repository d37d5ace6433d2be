"""Coverage-guided fuzzing of the whole pipeline on article text: clean, extract, hash, sign.

Property: process() returns an InputError or a Processed whose incidents keep the codebook
contract (checks.py). Run through fuzz/run.sh, or alone:
`python fuzz/fuzz_extract.py -max_total_time=60 fuzz/corpus/extract`.
"""

from __future__ import annotations

import logging
import sys

import atheris

with atheris.instrument_imports(include=["incidex"]):
    from incidex.pipeline import process
    from incidex.records import Article

from checks import check_processed

PUBLISHED = "2021-06-09"  # a Wednesday: relative dates ("on Monday") resolve against it


def TestOneInput(data: bytes) -> None:  # noqa: N802 (the name atheris expects)
    """One input: the bytes as article text, with a publication date for odd lengths."""
    text = data.decode("utf-8", errors="replace")
    published = PUBLISHED if len(data) % 2 else None
    check_processed(process(Article(id="fuzz", text=text, published=published)))


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
