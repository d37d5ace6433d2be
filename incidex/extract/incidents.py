"""From sentence facts to incidents: group the sentences that report one act, then code it.

One incident per place and day (codebook section 1): a sentence joins the incident it is
compatible with, or starts a new one when it names another place or day, or says
"in a separate attack".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from incidex.extract.actors import ActorMention, claim_status, find_actors
from incidex.extract.casualties import Figure, casualty_spans, find_figures
from incidex.extract.dates import DateMention, find_dates, shift
from incidex.extract.events import (
    Trigger,
    find_triggers,
    is_generic,
    is_separate,
    is_statistic,
    is_summary,
)
from incidex.extract.places import BROAD_KINDS, PlaceHit, find_places, places_compatible
from incidex.extract.sentences import Sentence, strip_dateline

_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s*$")
MAX_LIST_GAP_WORDS = 9  # words between two places of one list ("), and on the border in the")
_LIST_SEPARATOR = re.compile(r",|\band\b|\bor\b")
_PRECISION_RANK = {"day": 0, "same": 1, "relative": 1, "month": 2, "year": 3, "unknown": 4}


@dataclass
class Facts:
    """What one sentence says: the raw material of incidents."""

    sentence: Sentence
    text: str
    triggers: list[Trigger]
    figures: list[Figure]
    dates: list[DateMention]
    places: list[PlaceHit]
    actors: list[ActorMention]
    claim: str | None
    separate: bool
    summary: bool
    generic: bool
    statistic: bool
    acts: list[tuple[int, int]] = field(default_factory=list)

    @property
    def is_event(self) -> bool:
        """True when the sentence reports an act (a trigger or a casualty figure)."""
        if self.statistic or (self.generic and not self.figures):
            return False
        if self.claim == "claimed" and self.actors:
            return True
        return bool(self.figures or any(not t.needs_result for t in self.triggers))

    @property
    def headline(self) -> bool:
        """True for a title or subtitle line: it ends without a full stop."""
        return not _SENTENCE_END.search(self.sentence.text)

    @property
    def event_date(self) -> DateMention | None:
        """The act's date: the most precise the sentence gives, else the report's date."""
        own = [d for d in self.dates if not d.reporting] or [d for d in self.dates if d.value]
        return min(own, key=lambda d: _PRECISION_RANK[d.precision]) if own else None

    @property
    def strong_places(self) -> list[PlaceHit]:
        """Places named as where it happened (not landmarks), most specific first."""
        return [p for p in self.places if p.role != "landmark"]

    @property
    def anchored(self) -> bool:
        """True when the sentence can start an incident: a toll, or a place below country level."""
        return bool(self.figures or any(p.kind != "country" for p in self.strong_places))


def sentence_facts(
    sentence: Sentence,
    published: date | None,
    countries: frozenset[str] | None = None,
    main: str | None = None,
) -> Facts:
    """Analyse one sentence; `countries` are those the article is about, `main` the chief one.

    Most sentences report no act. What tells (statistic, figures, generic, claim, triggers)
    is read first, cheapest first, and a sentence found to report no act gets only what the
    article-wide context reads (places and the statistic flag): its dates, actors,
    "separate"/"summary" markers and casualty spans are left empty, never read.
    """
    text = strip_dateline(sentence.text)
    places = find_places(text, countries, main)
    statistic = is_statistic(text)
    figures = [] if statistic else find_figures(text)
    generic = not statistic and is_generic(text)
    quiet = statistic or (generic and not figures)  # is_event is False whatever else it says
    claim = None if quiet else claim_status(text)
    facts = Facts(
        sentence=sentence,
        text=text,
        triggers=[] if quiet else find_triggers(text),
        figures=figures,
        dates=[],
        places=places,
        actors=find_actors(text) if claim == "claimed" else [],
        claim=claim,
        separate=False,
        summary=False,
        generic=generic,
        statistic=statistic,
    )
    if not facts.is_event:
        return facts
    facts.dates = find_dates(text, published)
    if claim != "claimed":
        facts.actors = find_actors(text)
    facts.separate = is_separate(text)
    facts.summary = is_summary(text)
    facts.acts = casualty_spans(text)
    return facts


@dataclass
class Draft:
    """Sentences gathered for one incident."""

    facts: list[Facts] = field(default_factory=list)
    date: DateMention | None = None
    places: list[PlaceHit] = field(default_factory=list)
    summary: Facts | None = None  # "two separate attacks" sentence: names the attackers
    _place_keys: set[tuple[object, ...]] = field(default_factory=set, repr=False)

    def add(self, facts: Facts, places: list[PlaceHit] | None = None) -> None:
        """Take a sentence, its date and its places.

        A place named again the same way is kept once: repeats change neither which
        sentences fit nor where the act is, and would make both quadratic in the article.
        """
        self.facts.append(facts)
        if self.date is None and facts.event_date is not None:
            self.date = facts.event_date
        for hit in facts.strong_places if places is None else places:
            key = place_key(hit)
            if key not in self._place_keys:
                self._place_keys.add(key)
                self.places.append(hit)


def place_key(hit: PlaceHit) -> tuple[object, ...]:
    """What identifies a place hit apart from where in the text it is."""
    mention = hit.mention
    return (hit.role, mention.text, mention.entries, mention.kind_hint, mention.relation)


def group_sentences(facts: list[Facts]) -> list[Draft]:
    """Group event sentences into incident drafts.

    Sentences with a toll, a date or a "separate attack" marker found incidents, in reading
    order; the other event sentences then join the incident they fit, nearest first.
    """
    events = [f for f in facts if f.is_event]
    drafts: list[Draft] = []
    summary: Facts | None = None
    for item in events:
        if item.summary and not item.separate:
            summary = item
        elif _founds(item):
            count = len(drafts)
            _assign_founding(drafts, item)
            for index in range(count, len(drafts)):
                drafts[index].summary = summary
                _inherit_date(drafts, index, summary.event_date if summary else None)
    for item in events:
        if not (_founds(item) or item.summary):
            _attach(drafts, item)
    if not drafts:
        first = next((f for f in events if any(p.kind != "country" for p in f.strong_places)), None)
        if first is not None:
            _new_draft(drafts, first, first.strong_places)
    for draft in drafts:
        draft.facts.sort(key=lambda f: f.sentence.index)
    return drafts


def _founds(item: Facts) -> bool:
    """True for a sentence that can found an incident (not a headline or an aside)."""
    when = item.event_date
    dated = when is not None and when.precision != "year"
    return not item.headline and bool(item.figures or dated or item.separate)


def _assign_founding(drafts: list[Draft], item: Facts) -> None:
    """A founding sentence: one incident per listed place, each joined or started."""
    place_groups = _place_groups(item)
    if len(place_groups) > 1 and not item.figures:
        for group in place_groups:
            _assign(drafts, item, group)
    else:
        _assign(drafts, item, item.strong_places)


def _attach(drafts: list[Draft], item: Facts) -> None:
    """An aside joins the compatible incident told nearest before it, else the nearest after."""

    def distance(draft: Draft) -> tuple[bool, int]:
        first = min(f.sentence.index for f in draft.facts)
        return first > item.sentence.index, abs(item.sentence.index - first)

    for draft in sorted(drafts, key=distance):
        if _compatible(draft, item, item.strong_places):
            draft.add(item)
            return


def _inherit_date(drafts: list[Draft], index: int, summary_date: DateMention | None) -> None:
    """A new incident dated "the same day", or undated after a summary, takes that date."""
    draft = drafts[index]
    previous = drafts[index - 1].date if index > 0 else None
    if draft.date is not None and draft.date.precision == "same" and index > 0:
        draft.date = previous
    elif draft.date is not None and draft.date.precision == "relative":
        draft.date = shift(previous, int(draft.date.value or 0))
    elif draft.date is None and summary_date is not None:
        draft.date = summary_date


def _assign(drafts: list[Draft], item: Facts, places: list[PlaceHit]) -> None:
    """Put a sentence into the incident it belongs to, or start a new one."""
    if not drafts or (item.separate and (item.anchored or item.triggers)):
        if item.anchored or item.triggers:
            _new_draft(drafts, item, places)
        return
    for draft in reversed(drafts):
        if _compatible(draft, item, places):
            draft.add(item, places)
            return
        if not item.anchored:
            return
    _new_draft(drafts, item, places)


def _new_draft(drafts: list[Draft], item: Facts, places: list[PlaceHit]) -> None:
    """Start an incident from a sentence."""
    draft = Draft()
    draft.add(item, places)
    drafts.append(draft)


def _compatible(draft: Draft, item: Facts, places: list[PlaceHit]) -> bool:
    """True when a sentence can report the same act as a draft: same day and place."""
    when = item.event_date
    if when is not None and draft.date is not None and not _same_date(draft.date, when):
        return False
    if when is None and _background(draft) and not _continues(draft, item):
        return False
    if when is not None and draft.date is None and when.precision in {"month", "year"}:
        return False
    mine, theirs = _most_specific(places), _most_specific(draft.places)
    if not mine or not theirs:
        return True
    return any(places_compatible(a, b) for a in mine for b in theirs)


def _most_specific(places: list[PlaceHit]) -> list[PlaceHit]:
    """The places that decide identity: "Baqubah, Diyala" is about Baqubah, and a village the
    gazetteer lacks is judged by the known district named with it."""
    specific = [p for p in places if p.kind not in BROAD_KINDS]
    known = [p for p in specific if p.entry is not None]
    return known or specific or places


def _background(draft: Draft) -> bool:
    """True for an incident dated only to a month or year: told as background."""
    return draft.date is not None and draft.date.precision in {"month", "year"}


def _continues(draft: Draft, item: Facts) -> bool:
    """True when a sentence directly follows the draft's last sentence in its paragraph."""
    last = max(draft.facts, key=lambda f: f.sentence.index).sentence
    return item.sentence.index == last.index + 1 and item.sentence.paragraph == last.paragraph


def _same_date(a: DateMention, b: DateMention) -> bool:
    """Dates of one act: equal, or one says 'the same day'."""
    if "same" in (a.precision, b.precision):
        return True
    if "relative" in (a.precision, b.precision):
        return False
    return a.precision == b.precision and a.value == b.value


def _place_groups(item: Facts) -> list[list[PlaceHit]]:
    """Places a sentence lists as separate scenes ("in Khanaqin, Jurf al-Nasr and Akashat")."""
    places = item.strong_places
    known = [p for p in places if p.entry is not None and p.kind not in BROAD_KINDS]
    groups: list[list[PlaceHit]] = []
    for hit in known:
        joined = next((g for g in groups if any(places_compatible(hit, o) for o in g)), None)
        if joined is None and groups and not _listed(item.text, groups[-1][-1], hit):
            joined = groups[-1]
        if joined is None:
            groups.append([hit])
        else:
            joined.append(hit)
    others = [p for p in places if p not in known]
    return [group + others for group in groups] or [others]


def _listed(text: str, left: PlaceHit, right: PlaceHit) -> bool:
    """True when two places are items of one list: only commas, 'and' and a few words between."""
    between = text[left.mention.end : right.mention.start]
    return len(between.split()) <= MAX_LIST_GAP_WORDS and bool(_LIST_SEPARATOR.search(between))
