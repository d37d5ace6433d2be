"""Sentence splitting with character offsets, and dateline removal.

A rule splitter rather than a parser: it is fast, deterministic, and keeps every
sentence verbatim so it can serve as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "capt", "maj", "gen", "col", "lt", "sgt", "st", "gov", "rep",
    "sen", "brig", "cpl", "pvt", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "no", "vs", "u.s", "u.n", "a.m", "p.m", "e.g", "i.e",
    "mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun", "approx", "est",
}  # fmt: skip
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z'’.\-]+(?: [A-Z][A-Z'’.\-]+)*"  # BAGHDAD, SULAIMANI, NAIROBI
    r"(?:,\s*[A-Z][\w .]{1,24}?){0,2}"  # , Kurdistan Region / , Iraq, April 16
    r"\s*(?:\([^)]{1,60}\))?\s*(?:—|–|--|-|:|,)\s+"  # (AP) —
    r"|[A-Z][\w ]{2,30} News ?/ ?)"  # Shafaq News /
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article: its verbatim text and where it starts."""

    index: int
    text: str
    start: int
    paragraph: int


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences; paragraph breaks always end a sentence."""
    sentences: list[Sentence] = []
    offset = 0
    for paragraph, block in enumerate(text.split("\n")):
        for start, piece in _split_block(block):
            if piece.strip():
                sentences.append(Sentence(len(sentences), piece, offset + start, paragraph))
        offset += len(block) + 1
    return sentences


def _split_block(block: str) -> list[tuple[int, str]]:
    """Sentences of one paragraph with their offsets inside it."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        before = block[start : match.start()].rstrip('"”’)]')
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.split() else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        pieces.append((start, block[start : match.start()].strip()))
        start = match.end()
    pieces.append((start, block[start:].strip()))
    return pieces


def strip_dateline(text: str) -> str:
    """The sentence without a leading wire dateline ("BAGHDAD (AP) —", "KIRKUK,")."""
    match = _DATELINE.match(text)
    if match is None or len(match.group(0)) > 80:
        return text
    return text[match.end() :]
