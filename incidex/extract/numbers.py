"""Numbers written as digits or words ("11", "1,470", "eleven", "fifty nine", "a dozen")."""

from __future__ import annotations

import re
from functools import lru_cache

from incidex.lexicons import read_table

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
# Digits of the longest number read as a count (999,999,999): longer runs of digits are
# phone or serial numbers, and a count must fit SQLite's 64-bit INTEGER and Python's int()
# limit of 4300 digits.
MAX_COUNT_DIGITS = 9


@lru_cache(maxsize=1)
def number_words() -> dict[str, int]:
    """Number words of the lexicon, lower case."""
    return {word: int(value) for word, value in read_table("en/number_words.tsv")}


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    """Every word a number word or phrase can start with, before any hyphen, and every entry."""
    table = number_words()
    return frozenset({key.split(" ")[0].split("-")[0] for key in table} | set(table))


def may_start_number(word: str) -> bool:
    """False when no number can start with `word`: most words of a sentence, told apart
    with one set lookup before `parse_number` reads the words that follow."""
    return word[:1].isdigit() or word.lower().split("-")[0] in _first_words()


def parse_number(words: list[str]) -> tuple[int, int] | None:
    """The number at the start of a word list and how many words it spans, if any."""
    if not words:
        return None
    first = words[0].lower().strip(",")
    if _DIGITS.match(first):
        digits = first.replace(",", "")
        return (int(digits), 1) if len(digits) <= MAX_COUNT_DIGITS else None
    if words[0].lower().split("-")[0] not in _first_words():
        return None
    table = number_words()
    for span in (3, 2):
        if len(words) < span:
            continue
        phrase = " ".join(w.lower() for w in words[:span])
        if phrase in table:
            return table[phrase], span
    total, used = 0, 0
    for word in words[:3]:
        parts = word.lower().split("-")
        if not all(part in table for part in parts) or not _compound_ok(parts, total, used):
            break
        total += sum(table[part] for part in parts)
        used += 1
    return (total, used) if used else None


def _compound_ok(parts: list[str], total: int, used: int) -> bool:
    """Only tens followed by units compound ("twenty-five", "fifty nine")."""
    if used == 0:
        return True
    return total >= 20 and total % 10 == 0 and len(parts) == 1 and number_words()[parts[0]] < 10
