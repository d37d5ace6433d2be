"""Coding an incident draft into codebook fields: place, date, type, actors, figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from incidex.extract.actors import ActorMention, actor_role, find_target_objects
from incidex.extract.incidents import Draft, Facts, place_key
from incidex.extract.places import BROAD_KINDS, PlaceHit
from incidex.geocode import resolve
from incidex.records import Incident, Place

DOMINANT_PRIORITY = 85  # suicide bombings and prison breaks name the incident wherever they appear
CODED_PRECISIONS = ("day", "month", "year")  # date precisions of the codebook with a value


@dataclass(frozen=True)
class Context:
    """What the whole article says that an incident may inherit: date, country, province."""

    date: str | None
    precision: str
    country: str | None
    admin1: str | None


def code_incident(draft: Draft, context: Context) -> Incident:
    """The codebook record of one draft."""
    facts = draft.facts
    place = locate(draft, context)
    date, precision = _date(draft, context)
    attack_type, perpetrator, side = _type_and_actor(facts, draft.summary)
    killed, wounded, kidnapped, perp_killed = _figures(facts, side)
    target = "militants" if side == "state" else _target(facts)
    return Incident(
        date=date,
        date_precision=precision,
        country=place.country,
        admin1=place.admin1,
        location=place.location,
        lat=place.lat,
        lon=place.lon,
        geo_precision=place.geo_precision,
        attack_type=attack_type,
        perpetrator=perpetrator,
        attribution=_attribution(facts, perpetrator),
        target=target,
        killed=killed,
        wounded=wounded,
        kidnapped=kidnapped,
        perpetrators_killed=perp_killed,
        evidence=tuple(f.sentence.text for f in facts),
    )


def _date(draft: Draft, context: Context) -> tuple[str | None, str]:
    """The act's own date, else the article's ("a day after" left unresolved is no date)."""
    when = draft.date
    if when is not None and when.value and when.precision in CODED_PRECISIONS:
        return when.value, when.precision
    return context.date, context.precision


def locate(draft: Draft, context: Context) -> Place:
    """Where the act happened: the most specific place its sentences name.

    A landmark ("northeast of Baquba district") locates the act near it when the other
    places are only the province that contains it, or when nothing else is named.
    """
    hits = list(draft.places)
    landmarks = [p for f in draft.facts for p in f.places if p.role == "landmark" and p.entry]
    provinces = {(h.entry.country, h.entry.admin1) for h in hits if h.entry}
    if all(h.kind in BROAD_KINDS for h in hits):
        hits += [
            h for h in landmarks if not provinces or (h.entry.country, h.entry.admin1) in provinces
        ]
    first: dict[tuple[object, ...], PlaceHit] = {}
    for hit in hits:  # repeats of a place: the first is what resolve would choose anyway
        first.setdefault(place_key(hit), hit)
    mentions = [
        replace(h.mention, relation="near") if h.role == "landmark" else h.mention
        for h in first.values()
    ]
    if not mentions:
        return resolve([], admin1_hint=context.admin1, country_hint=context.country)
    return resolve(mentions, country_hint=context.country)


def _type_and_actor(
    facts: list[Facts], summary: Facts | None = None
) -> tuple[str, str | None, str | None]:
    """Attack type, perpetrator and the perpetrator's side (state forces run operations).

    A summary sentence ("militants killed six in two separate attacks") names the attackers
    of each attack it sums up, after the attack's own sentences.
    """
    attack_type = _attack_type(facts)
    agents, mentioned = _actors_by_role(facts + ([summary] if summary else []))
    candidates = agents + mentioned
    perpetrator = agents[0] if agents else next((a for a in mentioned if a.side != "state"), None)
    if perpetrator is not None and perpetrator.side == "state":
        militant_dead = any(g.militant and g.kind == "killed" for f in facts for g in f.figures)
        strike = any(
            t.attack_type == "security_operation" and not t.needs_result
            for f in facts
            for t in f.triggers
        )
        if militant_dead or strike or attack_type in {"security_operation", "clash"}:
            return "security_operation", perpetrator.name, "state"
        perpetrator = next((a for a in candidates if a.side != "state"), None)
    if attack_type == "security_operation":
        attack_type = "armed_assault"
    if perpetrator is not None and perpetrator.side == "unknown":
        perpetrator = next((a for a in candidates if a.side == "militant"), perpetrator)
    return (
        attack_type,
        perpetrator.name if perpetrator else None,
        "militant" if perpetrator else None,
    )


def _attack_type(facts: list[Facts]) -> str:
    """The main act: a suicide bombing or prison break anywhere, else the most specific act
    of the sentences that give the toll, else of all."""
    triggers = [t for f in facts for t in f.triggers]
    if not triggers:
        return "other"
    dominant = [t for t in triggers if t.priority >= DOMINANT_PRIORITY]
    if dominant:
        return max(dominant, key=lambda t: t.priority).attack_type
    with_toll = [t for f in facts if f.figures for t in f.triggers]
    return max(with_toll or triggers, key=lambda t: t.priority).attack_type


def _actors_by_role(facts: list[Facts]) -> tuple[list[ActorMention], list[ActorMention]]:
    """Actors that carry out an act, and actors only mentioned; victims left out."""
    agents: list[ActorMention] = []
    mentioned: list[ActorMention] = []
    for fact in facts:
        acts = [(t.start, t.end) for t in fact.triggers] + fact.acts
        for actor in fact.actors:
            if any(g.start <= actor.start < g.end for g in fact.figures):
                continue
            role = actor_role(fact.text, actor, acts)
            if role == "agent":
                agents.append(actor)
            elif role == "mention":
                mentioned.append(actor)
    return agents, mentioned


def _figures(facts: list[Facts], side: str | None) -> tuple[int | None, ...]:
    """killed, wounded, kidnapped and perpetrators killed, first report of each.

    A later "four other soldiers were wounded" adds to the count; "killed three and wounded
    12 others" does not: there "others" means other than the dead.
    """
    totals: dict[tuple[str, bool], int] = {}
    for fact in facts:
        per_sentence: Counter[tuple[str, bool]] = Counter()
        for n, figure in enumerate(fact.figures):
            victim_side = not figure.militant if side != "state" else figure.militant
            key = (figure.kind, victim_side)
            if key in totals and figure.additive and n == 0:
                totals[key] += figure.count
            elif key not in totals:
                per_sentence[key] += figure.count
        for key, count in per_sentence.items():
            totals.setdefault(key, count)
    return (
        totals.get(("killed", True)),
        totals.get(("wounded", True)),
        totals.get(("kidnapped", True)),
        totals.get(("killed", False)),
    )


def _target(facts: list[Facts]) -> str:
    """Who was hit: the victims counted, else the thing attacked."""
    for fact in facts:
        for figure in fact.figures:
            if not figure.militant and figure.target:
                return figure.target
    for fact in facts:
        for _, target in _objects(fact):
            if target != "militants":
                return target
    return "unknown"


def _objects(fact: Facts) -> list[tuple[int, str]]:
    """Target words after the first trigger of a sentence."""
    start = fact.triggers[0].start if fact.triggers else 0
    return find_target_objects(fact.text[start:])


def _attribution(facts: list[Facts], perpetrator: str | None) -> str:
    """claimed, attributed or unknown (codebook section 2)."""
    if perpetrator is None:
        return "unknown"
    claims = [f.claim for f in facts if f.claim]
    if "claimed" in claims:
        return "claimed"
    return "attributed"
