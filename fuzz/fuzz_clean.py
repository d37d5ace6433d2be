"""Coverage-guided fuzzing of cleaning: any bytes, decoded, as plain text and as HTML.

Properties: decoding raises only InputFileError; clean_text is idempotent; clean_article
returns an Article for any text or markup. Run through fuzz/run.sh, or alone:
`python fuzz/fuzz_clean.py -max_total_time=60 fuzz/corpus/clean`.
"""

from __future__ import annotations

import logging
import sys

import atheris

# trafilatura and htmldate too: most of what cleaning a page does happens in them
with atheris.instrument_imports(include=["incidex", "trafilatura", "htmldate"]):
    from incidex.clean import clean_article, clean_text
    from incidex.ingest import InputFileError, decode_bytes
    from incidex.records import Article


def TestOneInput(data: bytes) -> None:  # noqa: N802 (the name atheris expects)
    """One input: decode it, clean it as text and as a page."""
    try:
        text = decode_bytes(data)
    except InputFileError:
        return
    once = clean_text(text)
    assert clean_text(once) == once, "clean_text is not idempotent"
    assert isinstance(clean_article(Article(id="fuzz", text=text)).text, str)
    assert isinstance(clean_article(Article(id="fuzz", html=text)).text, str)


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)  # trafilatura logs every page it cannot parse
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
