"""Compiled word lists for the extractors: each lexicon file becomes regexes once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from incidex.lexicons import read_lines, read_table


def _compile(pattern: str) -> re.Pattern[str]:
    """A whole-word regex; case-insensitive unless the pattern has capitals."""
    flags = 0 if any(c.isupper() for c in pattern) and not pattern.islower() else re.I
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", flags)


def _compile_nocase(pattern: str) -> re.Pattern[str]:
    """A whole-word, case-insensitive regex."""
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.I)


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def union(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str]:
    """One regex that finds a match wherever any of `patterns` would, each with its own case
    rule: one search tells that a sentence has none, instead of running every pattern."""
    return re.compile(
        "|".join(
            f"(?{'i' if p.flags & re.I else '-i'}:{_NAMED_GROUP.sub('(?:', p.pattern)})"
            for p in patterns
        )
    )


@dataclass(frozen=True)
class Entry:
    """One lexicon row: its regex and the label it gives, with a rank where one applies."""

    pattern: re.Pattern[str]
    label: str
    extra: str = ""


@lru_cache(maxsize=1)
def triggers() -> tuple[Entry, ...]:
    """Attack-type triggers, highest priority first."""
    rows = sorted(read_table("en/triggers.tsv"), key=lambda r: -int(r[2]))
    return tuple(Entry(_compile_nocase(p), label, prio) for p, label, prio in rows)


@lru_cache(maxsize=1)
def any_trigger() -> re.Pattern[str]:
    """Matches where some trigger does."""
    return union(entry.pattern for entry in triggers())


@lru_cache(maxsize=1)
def casualty_words() -> tuple[Entry, ...]:
    """Words that report killed, wounded or kidnapped."""
    return tuple(
        Entry(_compile_nocase(p), label) for p, label in read_table("en/casualty_words.tsv")
    )


@lru_cache(maxsize=1)
def any_casualty_word() -> re.Pattern[str]:
    """Matches where some casualty word does."""
    return union(entry.pattern for entry in casualty_words())


@lru_cache(maxsize=1)
def actors() -> tuple[Entry, ...]:
    """Actor aliases: label is the canonical name, extra the side."""
    rows = read_table("en/actors.tsv")
    return tuple(Entry(_compile(p), canonical, side) for p, canonical, side in rows)


@lru_cache(maxsize=1)
def any_actor() -> re.Pattern[str]:
    """Matches where some actor alias does."""
    return union(entry.pattern for entry in actors())


@lru_cache(maxsize=1)
def targets() -> tuple[Entry, ...]:
    """Target words: label is the codebook target, extra is person or object."""
    return tuple(Entry(_compile(p), t, kind) for p, t, kind in read_table("en/targets.tsv"))


@cache
def cue_pattern(name: str) -> re.Pattern[str]:
    """All regexes of a one-per-line cue file as one case-insensitive pattern."""
    return re.compile("|".join(f"(?:{line})" for line in read_lines(name)), re.I)
