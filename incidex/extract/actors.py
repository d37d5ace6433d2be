"""Actors, targets and attribution: who did it, to whom, and who says so."""

from __future__ import annotations

import re
from dataclasses import dataclass

from incidex.extract import lexicon

_CLAIMED = re.compile(
    r"\bclaim(?:ed|s)? (?:responsibility|credit)\b|\bclaimed (?:the|both|two|an?|its) \w*\s*"
    r"(?:attacks?|bombings?|blasts?|assaults?|operations?|killings?)\b|\bclaimed (?:by|it)\b",
    re.I,
)
_NO_CLAIM = re.compile(
    r"\bno (?:immediate )?(?:group|one|claim)\b|\bnot (?:immediately )?(?:been )?claimed\b|"
    r"\bhas yet (?:to )?claim|\bno group has\b|\bwithout (?:a )?claim\b",
    re.I,
)
_BLAME = re.compile(
    r"\b(?:blamed|blames|blaming|attributed|suspected|believed to be|accused|suspect)\b", re.I
)


@dataclass(frozen=True)
class ActorMention:
    """An actor named in a sentence, with its canonical name and side."""

    start: int
    end: int
    name: str
    side: str  # militant | state | unknown


def find_actors(text: str) -> list[ActorMention]:
    """Actors named in a sentence, in order, overlapping aliases resolved to the longest."""
    if not lexicon.any_actor().search(text):
        return []  # most sentences: one search instead of one per alias
    found: list[ActorMention] = []
    for entry in lexicon.actors():
        for match in entry.pattern.finditer(text):
            found.append(ActorMention(match.start(), match.end(), entry.label, entry.extra))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[ActorMention] = []
    for mention in found:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


_AGENT_AFTER = 45  # characters after an actor searched for the act it carries out
_PASSIVE_AGENT = re.compile(r"\b(?:by|from)\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+){0,2}$", re.I)
_OBJECT_BEFORE = re.compile(
    r"\b(?:on|against|targeting|targeted|attacked|ambushed|hit|struck|killing|killed|wounding|"
    r"of|with)\s+(?:the\s+|a\s+|an\s+|its\s+)?(?:\w+\s+){0,2}$",
    re.I,
)


def actor_role(text: str, actor: ActorMention, act_spans: list[tuple[int, int]]) -> str:
    """'agent' when the sentence has the actor carry out an act, 'object' when it is hit."""
    before = text[max(0, actor.start - 40) : actor.start]
    if _PASSIVE_AGENT.search(before):
        return "agent"
    if _OBJECT_BEFORE.search(before):
        return "object"
    if any(0 <= start - actor.end <= _AGENT_AFTER for start, _ in act_spans):
        return "agent"
    return "mention"


def find_target_objects(text: str) -> list[tuple[int, str]]:
    """Targets named as the thing attacked ("a police checkpoint"): offset and target."""
    hits: list[tuple[int, str]] = []
    for entry in lexicon.targets():
        hits.extend((m.start(), entry.label) for m in entry.pattern.finditer(text))
    return sorted(hits)


def claim_status(text: str) -> str | None:
    """'claimed', 'unclaimed' or 'blamed' when the sentence says so, else None."""
    if _NO_CLAIM.search(text):
        return "unclaimed"
    if _CLAIMED.search(text):
        return "claimed"
    if _BLAME.search(text):
        return "blamed"
    return None
