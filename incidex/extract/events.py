"""Event triggers, and whether a sentence reports an act, a threat, a trend or a statistic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from incidex.extract import lexicon

_WEAPONS = re.compile(r"\barmed with\b[^,.;]*|\bwith (?:snipers?|rifles?|machine guns?)\b", re.I)
_THREAT_WINDOW = 40  # characters before a trigger searched for a threat cue
_SEPARATE = re.compile(
    r"\b(?:in )?(?:a|another) separate (?:attack|incident|assault|bombing)|\bin another (?:attack|incident)|"
    r"\b(?:the|in the) (?:first|second|third|latest) (?:attack|incident|assault)|\bmeanwhile\b|"
    r"\belsewhere\b|\bin a (?:further|second|third) (?:attack|incident)",
    re.I,
)
_SUMMARY = re.compile(
    r"\b(?:two|three|four|2|3|4|twin|several|multiple|a series of) (?:separate )?(?:attacks|assaults|bombings|incidents)\b",
    re.I,
)


@dataclass(frozen=True)
class Trigger:
    """A word that names an act of violence, and the attack type it signals."""

    start: int
    end: int
    attack_type: str
    priority: int


def find_triggers(text: str) -> list[Trigger]:
    """Event triggers of a sentence that report acts, not threats or plans."""
    masked = _WEAPONS.sub(lambda m: " " * len(m.group(0)), text)
    found: list[Trigger] = []
    taken: list[tuple[int, int]] = []
    for entry in lexicon.triggers():
        for match in entry.pattern.finditer(masked):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            if not is_irrealis(masked, match.start()):
                found.append(Trigger(match.start(), match.end(), entry.label, int(entry.extra)))
    return sorted(found, key=lambda t: t.start)


def is_irrealis(text: str, position: int) -> bool:
    """True when the words before a trigger make it a threat, plan or failed attempt."""
    before = text[max(0, position - _THREAT_WINDOW) : position]
    return lexicon.cue_pattern("en/threat_cues.txt").search(before) is not None


def is_generic(text: str) -> bool:
    """True for a sentence about a pattern or trend rather than one act."""
    return lexicon.cue_pattern("en/generic_cues.txt").search(text) is not None


def is_statistic(text: str) -> bool:
    """True for a sentence that gives an aggregate figure (codebook section 5)."""
    return lexicon.cue_pattern("en/statistic_cues.txt").search(text) is not None


def is_separate(text: str) -> bool:
    """True when a sentence introduces another, separate incident."""
    return _SEPARATE.search(text) is not None


def is_summary(text: str) -> bool:
    """True for a sentence that sums up several attacks ("two separate attacks")."""
    return _SUMMARY.search(text) is not None
