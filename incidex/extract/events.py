"""Event triggers, and whether a sentence reports an act, a threat, a trend or a statistic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from incidex.extract import lexicon

_WEAPONS = re.compile(r"\barmed with\b[^,.;]*", re.I)
WEAK_PRIORITY = 40  # triggers at or below this priority ("operation") need a casualty figure
_THREAT_WINDOW = 40  # characters before a trigger searched for a threat cue
_MODAL_AFTER = re.compile(
    r"\s+(?:\w+\s+)?(?:could|would|will|may|might|can|attempted|tried|failed|"
    r"(?:was|were) (?:thwarted|foiled|prevented|averted))\b",
    re.I,
)
_SEPARATE = re.compile(
    r"\b(?:in )?(?:a|another) separate (?:attack|incident|assault|bombing)|"
    r"\bin another (?:attack|incident)|"
    r"\b(?:the|in the) (?:first|second|third|latest) (?:attack|incident|assault)|\bmeanwhile\b|"
    r"\belsewhere\b|\bin a (?:further|second|third) (?:attack|incident)|"
    r"^(?:in )?the (?:second|third|other|latter)(?: one)?,",
    re.I,
)
_SUMMARY = re.compile(
    r"\b(?:two|three|four|2|3|4|twin|several|multiple|a series of) (?:separate )?(?:[A-Z]\w* )?"
    r"(?:attacks|assaults|bombings|incidents)\b",
    re.I,
)


@dataclass(frozen=True)
class Trigger:
    """A word that names an act of violence, and the attack type it signals."""

    start: int
    end: int
    attack_type: str
    priority: int

    @property
    def needs_result(self) -> bool:
        """A raid, arrest or operation is an incident only with a reported result."""
        return self.attack_type == "security_operation" and self.priority <= WEAK_PRIORITY


def find_triggers(text: str) -> list[Trigger]:
    """Event triggers of a sentence that report acts, not threats or plans."""
    masked = _WEAPONS.sub(lambda m: " " * len(m.group(0)), text)
    if not lexicon.any_trigger().search(masked):
        return []  # most sentences: one search instead of one per trigger
    found: list[Trigger] = []
    taken: list[tuple[int, int]] = []
    for entry in lexicon.triggers():
        for match in entry.pattern.finditer(masked):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            if not is_irrealis(masked, match.start(), match.end()):
                found.append(Trigger(match.start(), match.end(), entry.label, int(entry.extra)))
    return sorted(found, key=lambda t: t.start)


def is_irrealis(text: str, start: int, end: int) -> bool:
    """True when the words around a trigger make it a threat, plan or failed attempt."""
    before = text[max(0, start - _THREAT_WINDOW) : start]
    if lexicon.cue_pattern("en/threat_cues.txt").search(before) is not None:
        return True
    return _MODAL_AFTER.match(text[end:]) is not None


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
