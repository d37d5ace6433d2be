"""Casualty figures: who was killed, wounded or kidnapped, how many, and on which side.

"killing 11 soldiers", "two policemen were killed and two others wounded", "leaving two
guards and five insurgents dead": each number is tied to its noun and casualty word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from incidex.extract import lexicon
from incidex.extract.numbers import may_start_number, number_words, parse_number
from incidex.lexicons import read_lines

_TOKEN = re.compile(r"\d[\d,]*|[A-Za-z][\w'’]*(?:-[A-Za-z]\w*)*")
_QUALIFIERS = frozenset(read_lines("en/count_qualifiers.txt"))
_AUXILIARIES = frozenset(read_lines("en/casualty_auxiliaries.txt"))
_NOT_COUNTS = frozenset(read_lines("en/not_counted_units.txt"))
_AMBIGUOUS = re.compile(r"^\W*(?:killed|dead|died)\s+(?:and|or)\s+(?:wounded|injured)", re.I)
_PARENTHESES = re.compile(r"\([^)]*\)")
_APPOSITION = re.compile(r"^\s*,\s*(?:including|among them|among whom|most of them)\b[^,]*,")
_NOUN_WINDOW = 60  # characters after a number searched for the noun it counts
_ARTICLES = {"a", "an"}
_PUNCTUATION = re.compile(r"[,;:.!?()\[\]—–]")
_MAX_ADJECTIVES = 3  # "an Iraqi army soldier": words allowed between "a" and its noun


@dataclass(frozen=True)
class Figure:
    """One casualty figure of a sentence."""

    count: int
    kind: str  # killed | wounded | kidnapped
    militant: bool
    target: str | None
    additive: bool
    start: int
    end: int


@dataclass
class _Number:
    value: int
    start: int
    end: int  # end of the noun phrase, or of the number without a noun
    token: int
    last_token: int
    target: str | None
    militant: bool
    additive: bool
    kind: str | None = None
    backward: bool = False


def find_figures(text: str) -> list[Figure]:
    """Every casualty figure in a sentence, in order."""
    tokens = list(_TOKEN.finditer(text))
    numbers = [
        n
        for i, token in enumerate(tokens)
        if may_start_number(token.group(0)) and (n := _number_at(text, tokens, i))
    ]
    numbers = _drop_overlaps(numbers)
    for number in numbers:
        _assign_kind(text, tokens, number)
    _share_kinds(numbers, tokens)
    return [
        Figure(n.value, n.kind, n.militant, n.target, n.additive, n.start, n.end)
        for n in numbers
        if n.kind
    ]


def _drop_overlaps(numbers: list[_Number]) -> list[_Number]:
    """Keep the first of numbers whose spans overlap ("another one")."""
    kept: list[_Number] = []
    for number in numbers:
        if not kept or number.token > kept[-1].last_token:
            kept.append(number)
    return kept


def _number_at(text: str, tokens: list[re.Match[str]], i: int) -> _Number | None:
    """A countable number starting at token i, with the noun it counts."""
    words = [t.group(0) for t in tokens[i : i + 3]]
    parsed = parse_number(words)
    if parsed is None:
        return None
    value, span = parsed
    word = words[0].lower()
    following = tokens[i + span].group(0).lower() if i + span < len(tokens) else ""
    if following in _NOT_COUNTS or (1900 <= value <= 2100 and word.isdigit()):
        return None
    if i > 0 and tokens[i - 1].group(0).lower() in {"of", "at", "no", "number"} and word.isdigit():
        return None
    end = tokens[i + span - 1].end()
    target, militant, noun_end, additive = _noun_after(text, end)
    lone = word in _ARTICLES | {"single", "one", "another"} and target is None
    if lone and not (_after_verb(tokens, i) or _before_verb(tokens, i + span)):
        return None
    if word in _ARTICLES and (target is None or not _adjacent(text[end:noun_end])):
        return None
    additive = additive or word == "another"
    last = _last_token(tokens, noun_end) if target else i + span - 1
    return _Number(
        value, tokens[i].start(), noun_end if target else end, i, last, target, militant, additive
    )


def _adjacent(between: str) -> bool:
    """True when a noun follows an article closely, with no other number in between."""
    words = between.split()
    return len(words) <= _MAX_ADJECTIVES + 1 and not any(parse_number([w]) for w in words[:-1])


def _before_verb(tokens: list[re.Match[str]], i: int) -> bool:
    """True when a casualty word directly follows token i ("and another wounded")."""
    return i < len(tokens) and _casualty_kind(tokens[i].group(0)) is not None


def _after_verb(tokens: list[re.Match[str]], i: int) -> bool:
    """True when a casualty word directly precedes token i ("wounding another")."""
    return i > 0 and _casualty_kind(tokens[i - 1].group(0)) is not None


def _last_token(tokens: list[re.Match[str]], end: int) -> int:
    """Index of the last token ending at or before a character offset."""
    last = 0
    for index, token in enumerate(tokens):
        if token.end() <= end:
            last = index
    return last


def _noun_after(text: str, end: int) -> tuple[str | None, bool, int, bool]:
    """The person noun a number counts: target, militant flag, end offset, 'other' flag."""
    window = _PARENTHESES.sub(lambda m: " " * len(m.group(0)), text[end : end + _NOUN_WINDOW])
    cut = re.search(
        r"[,;:]| (?:were|was|have|has|had|who|which|that|when|after|in|on|at|and|by|from)\b", window
    )
    window = window[: cut.start()] if cut else window
    additive = re.search(r"\b(?:other|others|more)\b", window, re.I) is not None
    for pattern in _militant_patterns():
        match = pattern.search(window)
        if match:
            return "militants", True, end + match.end(), additive
    matches = [
        (match.start(), match.end(), entry.label)
        for entry in lexicon.targets()
        if entry.extra == "person"
        for match in entry.pattern.finditer(window)
    ]
    if not matches:
        return None, False, end, additive
    first = min(matches)
    last_end = max(m[1] for m in matches if m[0] - first[1] <= 1)
    return first[2], False, end + max(first[1], last_end), additive


@lru_cache(maxsize=1)
def _militant_patterns() -> tuple[re.Pattern[str], ...]:
    """Nouns for armed-group members, as regexes."""
    return tuple(
        re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.I)
        for p in read_lines("en/militant_nouns.txt")
    )


def _casualty_kind(word: str) -> str | None:
    """killed, wounded or kidnapped for a casualty word, else None."""
    for entry in lexicon.casualty_words():
        if entry.pattern.fullmatch(word):
            return entry.label
    return None


def _assign_kind(text: str, tokens: list[re.Match[str]], number: _Number) -> None:
    """Find the casualty word of a number: just before it, or after its noun."""
    j = number.token - 1
    while j >= 0 and tokens[j].group(0).lower() in _QUALIFIERS:
        j -= 1
    joined = j >= 0 and not _PUNCTUATION.search(text[tokens[j].end() : number.start])
    if joined and (kind := _casualty_kind(tokens[j].group(0))):
        number.kind, number.backward = kind, True
        return
    rest = text[number.end :]
    rest = rest[m.end() :] if (m := _APPOSITION.match(rest)) else rest
    if _AMBIGUOUS.match(rest):
        return
    for token in _TOKEN.finditer(rest):
        word = token.group(0)
        kind = _casualty_kind(word)
        if kind and not _AMBIGUOUS.match(rest[token.start() :]):
            number.kind = kind
            return
        if word.lower() not in _AUXILIARIES and not word.lower().endswith("ly"):
            return


def _share_kinds(numbers: list[_Number], tokens: list[re.Match[str]]) -> None:
    """Numbers joined by 'and' share a casualty word ("killed three soldiers and two police")."""
    for left, right in pairwise(numbers):
        between = [t.group(0).lower() for t in tokens[left.last_token + 1 : right.token]]
        if between not in (["and"], ["and", "at", "least"], ["as", "well", "as"]):
            continue
        if left.kind and left.backward and not right.kind:
            right.kind = left.kind
        elif right.kind and not right.backward and not left.kind:
            left.kind = right.kind


def is_number_word(word: str) -> bool:
    """True for a word the number lexicon knows."""
    return word.lower() in number_words()


def casualty_spans(text: str) -> list[tuple[int, int]]:
    """Where a sentence uses a casualty word ("killed", "wounding"): acts an actor can do."""
    if not lexicon.any_casualty_word().search(text):
        return []
    return [
        (m.start(), m.end())
        for entry in lexicon.casualty_words()
        for m in entry.pattern.finditer(text)
    ]
