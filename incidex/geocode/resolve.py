"""Find place mentions in text and resolve them to one codebook location.

`find_place_mentions` scans capitalised word sequences and keeps those the gazetteer
knows, plus unknown names that the wording marks as places ("the village of X",
"X district"). `resolve` picks the most specific mention of an incident and turns it
into a `Place` with the codebook's geo_precision.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from incidex.geocode.gazetteer import (
    PROJECT,
    GazEntry,
    Gazetteer,
    distance_km,
    fold_cached,
    load_gazetteer,
)
from incidex.records import Place

#: Longest name, in words, the scanner tries (plus one trailing kind word).
MAX_NAME_TOKENS = 4
#: With a country hint, GeoNames places abroad smaller than this are taken as false hits.
FOREIGN_MIN_POPULATION = 100_000
#: A one-word GeoNames name needs "in", "near"... before it unless its place is this big.
BIG_PLACE_POPULATION = 50_000
#: Two places named together this close are taken as one inside the other.
CONTAINED_KM = 30.0

_TOKEN = re.compile(r"\w(?:[\w'’\-]*\w)?(?:['’]s\b)?")
_ARTICLE_PREFIX = re.compile(r"^(?:al|el|ad|an|ar|as|ash|at|az)-(?=[A-Z])")
_PREFIX_INITIALS = frozenset("ae")  # first letters of _ARTICLE_PREFIX: others skip the regex
# fmt: off
#: Lower-case words that may sit inside a name: "Jurf al Sakhar", "Salah ad Din".
_CONNECTORS = frozenset({
    "al", "el", "ad", "an", "ar", "as", "ash", "at", "az", "bin", "ibn", "of", "de", "la",
})
#: Words after a name that say what kind of place it is ("Diyala province").
_KIND_WORDS = {
    "province": "admin1", "provinces": "admin1", "governorate": "admin1",
    "governorates": "admin1", "state": "admin1", "oblast": "admin1",
    "district": "admin2", "districts": "admin2", "subdistrict": "admin2",
    "sub-district": "admin2", "county": "admin2", "area": "admin2", "areas": "admin2",
    "region": "admin2", "checkpoint": "place",
    "village": "place", "villages": "place", "town": "place", "city": "place",
    "hamlet": "place", "neighbourhood": "place", "neighborhood": "place",
    "quarter": "place", "township": "place",
}
#: Words after a name that are part of a site's name when the gazetteer knows it.
_SITE_WORDS = frozenset({
    "mountains", "mountain", "valley", "desert", "lake", "dam", "river", "refinery",
    "prison", "crossing", "field", "oilfield", "bridge", "island", "plains", "market",
    "airport", "base", "airbase", "camp", "square", "shrine", "mosque",
})
# fmt: on
_NAME_STOPS = frozenset(_KIND_WORDS) | _SITE_WORDS
#: Armed groups and institutions whose names contain place names ("Islamic State in Iraq").
_ACTORS = re.compile(
    r"\b(?:Islamic State(?:\s+(?:in|of)\s+(?:Iraq and (?:the Levant|Syria|al-Sham)|Iraq|the"
    r" Levant|Syria)|\s+(?:West Africa|Khorasan|Sahel|Somalia|Central Africa)(?:\s+Province)?)?"
    r"|IS(?:IS|IL|WAP)?(?:-K)?|Daesh|Da'esh|Hashd(?: al-Shaabi)?|Peshmerga|Asayesh|Taliban"
    r"|(?i:Boko Haram)|(?:[Aa]l[- ])?Shabaa?b|[Aa]l[- ]Qa'?eda(?: in (?:Iraq|the Islamic Maghreb"
    r"|the Arabian Peninsula))?|Hezbollah|Kata'?ib Hezbollah|Saraya al-Salam"
    r"|Asa'?ib Ahl al-Haq|Badr Organi[sz]ation|Syrian Democratic Forces|Kurdistan Workers'?"
    r" Party|Kurdistan Region(?:al)? (?:Government|Security Council)|Ansar al-\w+|Jabhat"
    r" al-Nusra|Hay'?at Tahrir al-Sham|PKK|YPG|SDF|HTS|JNIM|CJTF-OIR)\b"
)
#: Words after a place name that make it part of an institution ("Diyala Operations Command").
_INSTITUTION = re.compile(
    r"^\s+(?:Operations?|Command|Police|Provincial|Governorate Council|Council|Directorate"
    r"|University|Governor|governor|police|Health)\b"
)
_NEAR = re.compile(
    r"\b(?:near|nearby|outside|around|close to|outskirts of|edges? of|vicinity of"
    r"|environs of|periphery of)\s+(?:the\s+)?(?:(?:town|city|village|district|area) of\s+)?$",
    re.IGNORECASE,
)
_REFERENCE = re.compile(
    r"(?:\b(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)\s+of"
    r"\s+(?:of\s+)?|\b(?:km|kilometers|kilometres|miles)\s+(?:away\s+)?from\s+)(?:the\s+)?"
    r"(?:\w+['’]s\s+)?(?:(?:provincial|regional|district)\s+)?(?:capital(?:\s+city)?(?:,|\s+of)?\s+|(?:town|city"
    r"|village|district|province|governorate|centre|center)\s+of\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)
_KIND_OF = re.compile(r"\b(\w[\w-]*?)s?\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_LOCATIVE = re.compile(
    r"(?:\b(?:in|at|near|of|from|to|into|outside|around|across|toward|towards|inside|within"
    r"|between|and)|,)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_DATELINE = re.compile(r"^(?:,[^\n.—–]{0,40}?)?\s*(?:\([^)\n]{1,30}\)\s*)?(?:[—–]|-\s)")
_LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+)$")
_LEVELS = {"place": 0, "admin2": 1, "area": 1, "admin1": 2, "country": 3}
_RELATIONS = ("in", "near", "reference")
#: Preferred kinds per hint, best first.
_KIND_PREFERENCE = {
    None: ("country", "place", "admin2", "area", "admin1"),
    "place": ("place", "area", "admin2", "admin1", "country"),
    "admin2": ("admin2", "area", "place", "admin1", "country"),
    "admin1": ("admin1", "admin2", "area", "place", "country"),
}


@dataclass(frozen=True)
class PlaceMention:
    """A span of text naming a place; `entries` are the gazetteer's candidates, best first.

    `entries` is empty for a name the gazetteer does not know but the wording marks as a
    place ("the village of X"); `kind_hint` then says which: place, admin2 or admin1.
    `relation` is "near" for "near X"/"outskirts of X" and "reference" for "north of X"
    or a name inside an institution ("Diyala Operations Command").
    """

    start: int
    end: int
    text: str
    entries: tuple[GazEntry, ...]
    kind_hint: str | None = None
    relation: str = "in"


class _Token(NamedTuple):
    """A word of the text (a tuple: a text has thousands, built fast)."""

    start: int
    end: int  # without a possessive 's
    text: str
    possessive: bool


@dataclass(frozen=True)
class _Scan:
    """Everything the scanner needs about one text."""

    text: str
    tokens: list[_Token]
    masked: frozenset[int]
    gazetteer: Gazetteer
    countries: frozenset[str] | None


# --------------------------------------------------------------------------- scanning


def _tokens(text: str) -> list[_Token]:
    """Word tokens; a trailing possessive 's is split off and remembered."""
    out = []
    for match in _TOKEN.finditer(text):
        word, end = match.group(), match.end()
        possessive = word[-2:] in ("'s", "’s") and len(word) > 2
        if possessive:
            word, end = word[:-2], end - 2
        out.append(_Token(match.start(), end, word, possessive))
    return out


def _masked(text: str, tokens: list[_Token]) -> frozenset[int]:
    """Indices of tokens inside actor names, which are never places.

    The names' spans are sorted and disjoint, so each token is looked up by bisection:
    linear in the text, where testing every span for every token was quadratic.
    """
    spans = [match.span() for match in _ACTORS.finditer(text)]
    starts = [start for start, _ in spans]
    masked = set()
    for i, tok in enumerate(tokens):
        k = bisect_right(starts, tok.start) - 1
        if k >= 0 and tok.start < spans[k][1]:
            masked.add(i)
    return frozenset(masked)


def _is_cap(word: str) -> bool:
    """Capitalised, or an article-prefixed capitalised word ("al-Azim")."""
    first = word[:1]
    return first.isupper() or (first in _PREFIX_INITIALS and bool(_ARTICLE_PREFIX.match(word)))


def _joined(scan: _Scan, i: int) -> bool:
    """Whether token i follows token i-1 with only spaces between (same name)."""
    gap = scan.text[scan.tokens[i - 1].end : scan.tokens[i].start]
    return not scan.tokens[i - 1].possessive and gap != "" and gap.strip(" \t") == ""


def _span_end(scan: _Scan, i: int) -> int:
    """Index after the last token that can belong to a name starting at token i."""
    j = i + 1
    limit = min(len(scan.tokens), i + MAX_NAME_TOKENS + 1)
    while j < limit and j not in scan.masked and _joined(scan, j):
        word = scan.tokens[j].text
        if not (_is_cap(word) or word.lower() in _CONNECTORS or word.lower() in _SITE_WORDS):
            break
        j += 1
    return j


def _sentence_initial(scan: _Scan, i: int) -> bool:
    """Whether token i starts a sentence (capitalised for grammar, not as a name)."""
    k = scan.tokens[i].start
    while k > 0 and scan.text[k - 1] in " \t\"'“‘(":  # walk back, never copy the text before
        k -= 1
    return k == 0 or scan.text[k - 1] in ".!?\n:;"


def _acceptable(scan: _Scan, i: int, j: int, key: str, entries: list[GazEntry]) -> bool:
    """Reject common words, demonyms and people's names that happen to be place names."""
    if j - i > 1:
        return True
    if scan.gazetteer.is_demonym(scan.tokens[i].text):
        return False
    located = _located(scan, i)
    if key in scan.gazetteer.stopnames or len(key) < 3:
        return located and not _sentence_initial(scan, i)
    if any(e.source == PROJECT for e in entries):
        return True
    if _in_longer_name(scan, i):
        return False
    return located or any(e.population >= BIG_PLACE_POPULATION for e in entries)


def _located(scan: _Scan, i: int) -> bool:
    """Whether a locative word ("in", "near", "of") or a list comma precedes token i."""
    start = scan.tokens[i].start
    return _LOCATIVE.search(scan.text[max(0, start - 30) : start]) is not None


def _name_part(scan: _Scan, k: int) -> bool:
    """Whether token k could belong to a person's or organisation's name."""
    word = scan.tokens[k].text
    return (
        _is_cap(word) and not scan.gazetteer.is_stopname(word) and word.lower() not in _NAME_STOPS
    )


def _in_longer_name(scan: _Scan, i: int) -> bool:
    """Whether token i is one word of a longer name ("Khalid Al-Mahna", "Aman Sartip")."""
    before = i > 0 and _joined(scan, i) and _name_part(scan, i - 1)
    after = i + 1 < len(scan.tokens) and _joined(scan, i + 1) and _name_part(scan, i + 1)
    return before or after


def _filter_countries(scan: _Scan, entries: list[GazEntry]) -> list[GazEntry]:
    """Keep entries in the wanted countries (country names always count)."""
    if scan.countries is None:
        return entries
    return [e for e in entries if e.kind == "country" or e.country in scan.countries]


def _lookup_span(scan: _Scan, i: int, j: int) -> list[GazEntry]:
    """Gazetteer entries for tokens i..j-1, if they form an acceptable name."""
    last = scan.tokens[j - 1].text.lower()
    if last in _CONNECTORS or not _is_cap(scan.tokens[i].text):
        return []
    key = fold_cached(scan.text[scan.tokens[i].start : scan.tokens[j - 1].end])
    entries = _filter_countries(scan, scan.gazetteer.lookup_key(key))
    return entries if entries and _acceptable(scan, i, j, key, entries) else []


def _introduced_kind(scan: _Scan, i: int) -> str | None:
    """The kind named just before token i: "the village of", "the districts of"."""
    match = _KIND_OF.search(scan.text[max(0, scan.tokens[i].start - 40) : scan.tokens[i].start])
    return _KIND_WORDS.get(match.group(1).lower()) if match else None


def _kind_hint(scan: _Scan, i: int, j: int, entries: Sequence[GazEntry]) -> str | None:
    """What the surrounding words say the name is: "X district", "village of X", "X's"."""
    last = scan.tokens[j - 1].text.lower()
    if last in _KIND_WORDS:
        return _KIND_WORDS[last]
    if j < len(scan.tokens) and _joined(scan, j):
        word = scan.tokens[j].text.lower()
        if word in _KIND_WORDS:
            return _KIND_WORDS[word]
    introduced = _introduced_kind(scan, i)
    if introduced is not None:
        return introduced
    if scan.tokens[j - 1].possessive and any(e.kind == "admin1" for e in entries):
        return "admin1"
    return None


def _dateline(scan: _Scan, start: int, end: int) -> bool:
    """Whether the name opens a line as a dateline ("BAGHDAD (AP) —", "ERBIL, Kurdistan")."""
    k = start
    while k > 0 and scan.text[k - 1] != "\n" and scan.text[k - 1].isspace():
        k -= 1  # walk back over white space only: searching for the line start was quadratic
    if k > 0 and scan.text[k - 1] != "\n":
        return False
    return scan.text[start:end].isupper() or _DATELINE.match(scan.text[end:]) is not None


def _relation(scan: _Scan, start: int, end: int) -> str:
    """How the incident relates to the named place: in it, near it, or referenced."""
    before = scan.text[max(0, start - 60) : start]
    if _INSTITUTION.match(scan.text[end:]) or _REFERENCE.search(before):
        return "reference"
    if _dateline(scan, start, end):
        return "reference"
    return "near" if _NEAR.search(before) else "in"


def _mention(scan: _Scan, i: int, j: int, entries: Sequence[GazEntry]) -> PlaceMention:
    """Build the mention of tokens i..j-1."""
    start, end = scan.tokens[i].start, scan.tokens[j - 1].end
    return PlaceMention(
        start,
        end,
        scan.text[start:end],
        tuple(entries),
        _kind_hint(scan, i, j, entries),
        _relation(scan, start, end),
    )


def _name_run(scan: _Scan, i: int, limit: int) -> int:
    """End of the capitalised run from token i that an unknown name may span."""
    end = i
    while end < limit and scan.tokens[end].text.lower() not in _NAME_STOPS:
        end += 1
    while end > i and scan.tokens[end - 1].text.lower() in _CONNECTORS:
        end -= 1
    return end


def _unknown_at(scan: _Scan, i: int, end: int, listed: str | None) -> PlaceMention | None:
    """An unknown name marked as a place by its wording: "X village", "village of X".

    `listed` is the kind of the unknown name just before, when this one continues the
    list ("the villages of X and Y").
    """
    if end == i or scan.gazetteer.is_stopname(scan.tokens[i].text):
        return None
    hint = _kind_hint(scan, i, end, ()) or listed
    if hint is None:
        return None  # no mention: skip working out its relation, most capitalised words end here
    mention = _mention(scan, i, end, ())
    return replace(mention, kind_hint=hint) if mention.kind_hint is None else mention


def _match_at(scan: _Scan, i: int, listed: str | None) -> tuple[PlaceMention, int] | None:
    """The longest name starting at token i, and the index after it.

    A known name shorter than the words that "the village of" introduces ("the village
    of Tal Ali" where only "Tal" is known) yields the unknown whole name instead.
    """
    if i in scan.masked or not _is_cap(scan.tokens[i].text):
        return None
    limit = _span_end(scan, i)
    run = _name_run(scan, i, limit)
    introduced = listed is not None or _introduced_kind(scan, i) is not None
    for j in range(limit, i, -1):
        entries = _lookup_span(scan, i, j)
        if entries and not (introduced and j < run):
            return _mention(scan, i, j, entries), j
    unknown = _unknown_at(scan, i, run, listed)
    return (unknown, run) if unknown is not None else None


def _listed_kind(scan: _Scan, i: int, mentions: list[PlaceMention]) -> str | None:
    """The kind of an unknown name listed just before token i ("villages of X and Y")."""
    if not mentions or mentions[-1].entries or mentions[-1].kind_hint is None:
        return None
    gap = scan.text[mentions[-1].end : scan.tokens[i].start]
    return mentions[-1].kind_hint if _LIST_GAP.match(gap) else None


def find_place_mentions(
    text: str,
    *,
    countries: Collection[str] | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[PlaceMention]:
    """Place names in `text`, in order; `countries` limits candidates to those ISO2 codes."""
    tokens = _tokens(text)
    scan = _Scan(
        text,
        tokens,
        _masked(text, tokens),
        gazetteer or load_gazetteer(),
        frozenset(countries) if countries is not None else None,
    )
    mentions: list[PlaceMention] = []
    i = 0
    while i < len(tokens):
        if not _is_cap(tokens[i].text):
            i += 1  # no name starts with a lower-case word: skip _match_at's work
            continue
        found = _match_at(scan, i, _listed_kind(scan, i, mentions))
        if found is None:
            i += 1
            continue
        mentions.append(found[0])
        i = max(found[1], i + 1)
    return mentions


# --------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class _Choice:
    """A mention with the entry chosen for it (None: a name the gazetteer lacks)."""

    mention: PlaceMention
    entry: GazEntry | None
    order: int

    @property
    def level(self) -> int:
        """0 place, 1 district or area, 2 province, 3 country."""
        if self.entry is not None:
            return _LEVELS[self.entry.kind]
        return {"admin2": 1, "admin1": 2}.get(self.mention.kind_hint or "place", 0)

    def rank(self) -> tuple[float, int]:
        """Most specific first: a village the text names but no gazetteer knows ("the Tlida
        village") before a known town, "near X" at district level, "north of X" last."""
        level = float(self.level)
        if self.entry is None and self.level == 0:
            level -= 0.5
        if self.mention.relation == "near":
            level = max(level, 1.0)
        elif self.mention.relation == "reference":
            level += 2.5
        return (level, _RELATIONS.index(self.mention.relation))


def _contains_another(choice: _Choice, choices: list[_Choice]) -> bool:
    """Whether a smaller place nearby ties with this one ("in Baghdad, in Sadr City")."""
    entry = choice.entry
    if entry is None or entry.kind != "place":
        return False
    return any(
        other.entry is not None
        and other is not choice
        and other.entry.kind == "place"
        and other.rank() == choice.rank()
        and other.entry.population < entry.population
        and distance_km(entry.lat, entry.lon, other.entry.lat, other.entry.lon) < CONTAINED_KM
        for other in choices
    )


def _best(choices: list[_Choice]) -> _Choice:
    """The most specific choice; ties go to the smaller of nested places, then text order."""
    return min(choices, key=lambda c: (*c.rank(), _contains_another(c, choices), c.order))


def _strip_name(name: str) -> tuple[str, str | None]:
    """A caller's name without its kind words: "village of X" -> ("X", "place")."""
    words = name.strip().split()
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    if len(words) > 2 and words[1].lower() == "of" and words[0].lower() in _KIND_WORDS:
        return " ".join(words[2:]), _KIND_WORDS[words[0].lower()]
    if len(words) > 1 and words[-1].lower() in _KIND_WORDS:
        return " ".join(words[:-1]), _KIND_WORDS[words[-1].lower()]
    return " ".join(words), None


def _mention_from_name(name: str, gazetteer: Gazetteer) -> PlaceMention:
    """Treat a caller's string as a mention: look it up whole, then without kind words."""
    core, hint = _strip_name(name)
    entries = gazetteer.lookup(name) or gazetteer.lookup(core)
    return PlaceMention(0, len(name), core, tuple(entries), hint)


def _as_mentions(
    items: Sequence[PlaceMention | str] | PlaceMention | str, gazetteer: Gazetteer
) -> list[PlaceMention]:
    """Mentions from mentions or plain names."""
    if isinstance(items, (str, PlaceMention)):
        items = [items]
    return [
        item if isinstance(item, PlaceMention) else _mention_from_name(item, gazetteer)
        for item in items
    ]


def _country_context(
    mentions: list[PlaceMention],
    country_hint: str | None,
    admin1_hint: str | None,
    gazetteer: Gazetteer,
) -> str | None:
    """The incident's country: the hint, else the province hint's, else a named country."""
    if country_hint:
        return gazetteer.country(country_hint) or country_hint
    if admin1_hint and (entry := gazetteer.admin1(admin1_hint)) is not None:
        return entry.country
    for kind in ("country", "admin1"):
        for mention in mentions:
            if mention.entries and all(e.kind == kind for e in mention.entries):
                return mention.entries[0].country
    return None


def _admin1_context(
    mentions: list[PlaceMention],
    admin1_hint: str | None,
    country: str | None,
    gazetteer: Gazetteer,
) -> str | None:
    """The incident's province: the hint, else a mention that can only be a province."""
    if admin1_hint:
        entry = gazetteer.admin1(admin1_hint, country)
        return entry.name if entry is not None else admin1_hint
    for mention in mentions:
        entries = [e for e in mention.entries if country is None or e.country == country]
        provinces = [e for e in entries if e.kind == "admin1"]
        if provinces and (mention.kind_hint == "admin1" or len(provinces) == len(entries)):
            return provinces[0].name
    return None


def _candidate_order(
    hint: str | None, country: str | None
) -> Callable[[GazEntry], tuple[int, int, int]]:
    """Sort key for one mention's entries: hinted kind, then curated, then population."""
    preference = _KIND_PREFERENCE.get(hint, _KIND_PREFERENCE[None])

    def key(entry: GazEntry) -> tuple[int, int, int]:
        curated = entry.source != PROJECT
        if country is None:
            return (preference.index(entry.kind), -entry.population, curated)
        return (preference.index(entry.kind), curated, -entry.population)

    return key


def _candidates(mention: PlaceMention, country: str | None, admin1: str | None) -> list[GazEntry]:
    """The mention's entries inside the country and province context when possible."""
    entries = list(mention.entries)
    if country is not None:
        inside = [e for e in entries if e.country == country]
        entries = inside or [
            e for e in entries if e.source == PROJECT or e.population >= FOREIGN_MIN_POPULATION
        ]
    if admin1 is not None:
        inside = [e for e in entries if e.admin1 == admin1]
        entries = inside or entries
    return sorted(entries, key=_candidate_order(mention.kind_hint, country))


def _choices(
    mentions: list[PlaceMention], country: str | None, admin1: str | None
) -> list[_Choice]:
    """One choice per usable mention; false hits abroad become unknown names or vanish."""
    out = []
    for order, mention in enumerate(mentions):
        entries = _candidates(mention, country, admin1)
        if entries:
            out.append(_Choice(mention, entries[0], order))
        elif mention.kind_hint is not None:
            out.append(_Choice(mention, None, order))
    return out


def _province_place(
    country: str | None, admin1: str | None, location: str | None, gazetteer: Gazetteer
) -> Place:
    """A place known only to its province (or country): centre coordinates."""
    entry = gazetteer.admin1_entry(country, admin1) if country and admin1 else None
    if entry is None and admin1:
        entry = gazetteer.admin1(admin1)
    if entry is not None:
        return Place(entry.country, entry.name, location, entry.lat, entry.lon, "admin1")
    centre = gazetteer.country_entry(country) if country else None
    if centre is not None:
        return Place(country, None, location, centre.lat, centre.lon, "country")
    return Place(country, None, location, None, None, "country")


def _known_place(choice: _Choice, admin1: str | None, near: bool) -> Place:
    """The Place of a gazetteer entry, with precision from its kind and the wording."""
    entry = choice.entry
    assert entry is not None
    if entry.kind == "country":
        return Place(entry.country, None, None, entry.lat, entry.lon, "country")
    if entry.kind == "admin1":
        return Place(entry.country, entry.name, None, entry.lat, entry.lon, "admin1")
    coarse = near or choice.mention.relation != "in" or choice.mention.kind_hint == "admin2"
    precision = "place" if entry.kind == "place" and not coarse else "admin2"
    return Place(entry.country, entry.admin1 or admin1, entry.name, entry.lat, entry.lon, precision)


def _unknown_place(
    best: _Choice,
    choices: list[_Choice],
    country: str | None,
    admin1: str | None,
    gazetteer: Gazetteer,
) -> Place:
    """A name the gazetteer lacks: located by a known district or town, else the province."""
    name = re.sub(r"^(?:the|The)\s+", "", best.mention.text)
    known = [
        c
        for c in choices
        if c.entry is not None
        and c.level <= 1
        and c is not best
        and not (admin1 and c.mention.relation == "reference")
    ]
    known.sort(key=lambda c: (c.level != 1, c.order))
    if known and known[0].entry is not None:
        entry = known[0].entry
        return Place(entry.country, entry.admin1 or admin1, name, entry.lat, entry.lon, "admin2")
    province = best.mention.kind_hint == "admin1"
    if province:
        return _province_place(country, admin1 or name, None, gazetteer)
    return _province_place(country, admin1, name, gazetteer)


def resolve(
    mentions_or_names: Sequence[PlaceMention | str] | PlaceMention | str,
    admin1_hint: str | None = None,
    country_hint: str | None = None,
    *,
    near: bool = False,
    gazetteer: Gazetteer | None = None,
) -> Place:
    """The codebook location of one incident from the place mentions of its sentences.

    The most specific mention wins (a village over its district, province or country);
    candidates inside `admin1_hint`/`country_hint` are preferred; without a country hint
    a name found in several countries goes to its most populous bearer. `near=True`
    (text said "near X" or "outskirts of X") lowers a town's precision to admin2.
    """
    gaz = gazetteer or load_gazetteer()
    mentions = _as_mentions(mentions_or_names, gaz)
    country = _country_context(mentions, country_hint, admin1_hint, gaz)
    admin1 = _admin1_context(mentions, admin1_hint, country, gaz)
    choices = _choices(mentions, country, admin1)
    if not choices:
        return _province_place(country, admin1, None, gaz)
    best = _best(choices)
    if best.entry is None:
        return _unknown_place(best, choices, country, admin1, gaz)
    if best.entry.kind == "country" and admin1 is not None:
        return _province_place(best.entry.country, admin1, None, gaz)
    return _known_place(best, admin1, near)
