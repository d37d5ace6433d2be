"""Sentence splitting with character offsets, and dateline removal.

A rule splitter rather than a parser: it is fast, deterministic, and keeps every
sentence verbatim so it can serve as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters of the longest sentence analysed whole (the longest in the development corpus
# has 1,281). A longer run of text without a full stop (a list, a transcript, a page without
# punctuation) is cut at spaces into pieces of at most this length, so that the per-sentence
# analyses, some quadratic in the length of what they read, stay bounded.
MAX_SENTENCE_CHARS = 2_000
LAST_WORD_CHARS = 100  # characters before a possible boundary searched for its last word
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
        for start, sentence in _split_block(block):
            for piece_start, piece in _bounded(start, sentence):
                if piece.strip():
                    sentences.append(
                        Sentence(len(sentences), piece, offset + piece_start, paragraph)
                    )
        offset += len(block) + 1
    return sentences


def _bounded(start: int, sentence: str) -> list[tuple[int, str]]:
    """A sentence as pieces of at most MAX_SENTENCE_CHARS, cut at the last space that fits."""
    pieces: list[tuple[int, str]] = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", MAX_SENTENCE_CHARS // 2, MAX_SENTENCE_CHARS + 1)
        cut = cut if cut > 0 else MAX_SENTENCE_CHARS
        pieces.append((start, sentence[:cut].strip()))
        rest = sentence[cut:]
        start += cut + len(rest) - len(rest.lstrip())
        sentence = rest.lstrip()
    pieces.append((start, sentence))
    return pieces


def _split_block(block: str) -> list[tuple[int, str]]:
    """Sentences of one paragraph with their offsets inside it."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        # the last word is all the test needs: reading only the end of the text before the
        # boundary keeps a paragraph of many skipped boundaries ("a. b. c. ...") linear
        before = block[max(start, match.start() - LAST_WORD_CHARS) : match.start()].rstrip('"”’)]')
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
