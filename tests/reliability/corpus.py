"""A corpus written from templates, and `python -m incidex` run as a real subprocess.

40 short articles: distinct attacks (towns, dates and tolls vary; every fourth article
reports a second attack), other outlets' reports of some of them (they merge into events),
near-verbatim reposts (stored as copies, one more source) and word-for-word copies under
another id (never stored twice).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.reliability.checks import Expected, comparable

TOWNS = (
    ("Khanaqin", "Diyala"),
    ("Tuz Khurmatu", "Salah al-Din"),
    ("Baiji", "Salah al-Din"),
    ("Hawija", "Kirkuk"),
    ("Makhmour", "Erbil"),
    ("Jalawla", "Diyala"),
    ("Samarra", "Salah al-Din"),
    ("Tarmiyah", "Baghdad"),
    ("Balad", "Salah al-Din"),
    ("Baqubah", "Diyala"),
    ("Daquq", "Kirkuk"),
    ("Sinjar", "Nineveh"),
    ("Rutba", "Anbar"),
    ("Haditha", "Anbar"),
)
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
NUMBERS = (
    "no", "one", "two", "three", "four", "five", "six",
    "seven", "eight", "nine", "ten", "eleven", "twelve",
)  # fmt: skip
# (attack sentence, victims): one template per attack type and target
ATTACKS = (
    "A roadside bomb killed {killed} {victims} and wounded {wounded} others near {town}"
    " in {province} province on {date}, officials said.",
    "Gunmen killed {killed} {victims} and wounded {wounded} at a checkpoint near {town}"
    " in {province} province on {date}, a security source said.",
    "Islamic State militants killed {killed} {victims} and wounded {wounded} in an attack"
    " near {town} in {province} province on {date}, local officials said.",
)
VICTIMS = ("policemen", "soldiers", "shepherds")
SECOND_REPORT = (
    "{Killed} {victims} died on {date} when they were attacked outside {town}, a town"
    " in {province}, {outlet} learned. Another {wounded} were taken to hospital."
)
BACKGROUND = (
    "The area has seen repeated raids by remnants of the group since {year}.",
    "Residents said the roads around {town} are unsafe after dark.",
    "Provincial officials have asked Baghdad for more troops in {province}.",
    "Farmers in the district say they no longer graze their flocks in the hills.",
    "A curfew was imposed in parts of {province} after the attack.",
)
STATISTIC = (  # an aggregate figure (codebook section 5), stored with the article
    "There were {count} attacks in {province} in the first week of the month,"
    " according to the Security Media Cell."
)
ORIGINALS = 26  # distinct attacks, one article each (every fourth reports a second attack)
SECOND_REPORTS = 6  # other outlets' reports of some of them: same events, more sources
NEAR_COPIES = 4  # reposts with another headline and one more paragraph: stored as copies
EXACT_COPIES = 4  # the same text under another id: never stored twice
WAL_POLL = 0.0002  # seconds between looks at a WAL file's size
WATCH_DEADLINE = 60.0  # seconds a run is watched at most
# seconds without WAL growth that separate two commits: one commit writes its pages within
# a millisecond or two, and an ingest commits an article every ~20 ms at best
COMMIT_GAP = 0.005
ENV = {**os.environ, "COLUMNS": "200", "INCIDEX_DB": os.devnull}  # never the user's database


def _attack(n: int) -> dict[str, Any]:
    """The n-th distinct attack: town, date and tolls vary so no two are one event."""
    town, province = TOWNS[n % len(TOWNS)]
    year = 2015 + n // len(TOWNS) * 2 + n % 2  # a town comes back years later, never the same week
    month, day = (n * 5) % 12, 1 + (n * 7) % 27
    return {
        "town": town,
        "province": province,
        "year": year,
        "date": f"{MONTHS[month]} {day}, {year}",
        "published": f"{year}-{month + 1:02d}-{day + 1:02d}",
        "killed": 2 + n % 9,
        "wounded": 1 + (n * 3) % 7,
        "kind": n % len(ATTACKS),
    }


def _sentence(attack: dict[str, Any]) -> str:
    """The attack sentence of an original report."""
    return ATTACKS[attack["kind"]].format(
        victims=VICTIMS[attack["kind"]],
        **{**attack, "killed": NUMBERS[attack["killed"]], "wounded": NUMBERS[attack["wounded"]]},
    )


def _background(n: int, attack: dict[str, Any]) -> str:
    """Two background sentences, different from one article to the next."""
    first, second = BACKGROUND[n % 5], BACKGROUND[(n + 2) % 5]
    return f"{first} {second}".format(**attack)


def _original(n: int) -> str:
    """Text of the n-th original article; every fourth reports a second attack too."""
    attack = _attack(n)
    paragraphs = [f"Security report number {n} from {attack['province']}", _sentence(attack)]
    if n % 4 == 3:
        other = _attack(n + 40)
        paragraphs.append(
            "In a separate incident, " + _sentence(other)[0].lower() + _sentence(other)[1:]
        )
    paragraphs.append(_background(n, attack))
    if n % 5 == 4:
        paragraphs.append(STATISTIC.format(count=20 + n, **attack))
    paragraphs.append("No group immediately claimed responsibility for the attack.")
    return "\n\n".join(paragraphs) + "\n"


def _second_report(n: int, outlet: str) -> str:
    """Another outlet's own words for the n-th attack, with one more killed."""
    attack = _attack(n)
    killed = NUMBERS[attack["killed"] + 1]
    body = SECOND_REPORT.format(
        **{**attack, "wounded": NUMBERS[attack["wounded"]]},
        Killed=killed.capitalize(),
        victims=VICTIMS[attack["kind"]],
        outlet=outlet,
    )
    return (
        f"{outlet} exclusive\n\n{body}\n\nThe families of the victims buried them the next day.\n"
    )


def write_corpus(folder: Path) -> dict[str, str]:
    """Write the corpus and its index.jsonl; return each doc's canonical doc.

    An exact copy's canonical doc is its original (only one of the two is ever stored);
    every other doc is its own.
    """
    folder.mkdir(parents=True, exist_ok=True)
    index, canonical = [], {}

    def put(doc: str, text: str, published: str, source: str) -> None:
        (folder / f"{doc}.txt").write_text(text, encoding="utf-8")
        index.append({"id": doc, "file": f"{doc}.txt", "published": published, "source": source})
        canonical[doc] = doc

    for n in range(ORIGINALS):
        put(f"a{n:02d}", _original(n), _attack(n)["published"], f"Wire {n % 3}")
    for k in range(SECOND_REPORTS):
        n = 4 * k + 1
        put(f"b{k:02d}", _second_report(n, f"Outlet {k}"), _attack(n)["published"], f"Outlet {k}")
    for k in range(NEAR_COPIES):
        n = 4 * k + 2
        repost = f"Reposted: {_original(n)}\nThis story was first published by Wire {n % 3}.\n"
        put(f"c{k:02d}", repost, _attack(n)["published"], f"Aggregator {k}")
    for k in range(EXACT_COPIES):
        n = 6 * k
        put(f"d{k:02d}", _original(n), _attack(n)["published"], f"Mirror {k}")
        canonical[f"d{k:02d}"] = f"a{n:02d}"
    lines = "".join(json.dumps(entry) + "\n" for entry in index)
    (folder / "index.jsonl").write_text(lines, encoding="utf-8")
    return canonical


def incidex(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run `python -m incidex ARGS` to completion, capturing its output."""
    command = [sys.executable, "-m", "incidex", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=ENV, **kwargs)


def spawn(*args: str | Path) -> subprocess.Popen[str]:
    """Start `python -m incidex ARGS` without waiting, its output captured."""
    command = [sys.executable, "-m", "incidex", *map(str, args)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV
    )


def watch_wal(process: subprocess.Popen[str], db: Path, until: int | None = None) -> list[float]:
    """Times (s after the call) at which commits began writing the WAL of `db`.

    A commit appends its pages to the WAL: once for the schema of a new file, then once for
    each article stored. Growths less than COMMIT_GAP apart are one commit's pages. With
    `until`, return as soon as that many commits have begun: the last is being written.
    """
    wal = db.with_name(db.name + "-wal")
    started = time.monotonic()
    size, commits, last = _size(wal), [], -COMMIT_GAP
    while process.poll() is None and len(commits) != until:
        now = time.monotonic() - started
        if now > WATCH_DEADLINE:
            break
        grown = _size(wal)
        if grown > size:
            if now - last >= COMMIT_GAP:
                commits.append(now)
            last = now
        size = grown
        time.sleep(WAL_POLL)
    return commits


def _size(path: Path) -> int:
    """Size of a file, 0 when it does not exist (yet, or any more)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


@dataclass(frozen=True)
class Corpus:
    """A generated corpus and what a clean, single ingest of it gives."""

    folder: Path
    canonical: dict[str, str]  # doc -> the doc it stands for (an exact copy: its original)
    expected: Expected  # doc -> the incidents and statistics `incidex extract` finds
    clean: dict[str, Any]  # `summary` of a clean single ingest on a fresh database
    # timeline of that ingest, in seconds after its start: the first article committed,
    # the last one, the process gone (start-up before the first; closing after the last)
    first_write: float
    last_write: float
    seconds: float

    @property
    def total(self) -> int:
        """Articles a complete ingest stores (exact copies are not stored twice)."""
        return int(self.clean["counts"]["articles"])

    def files(self, docs: list[str]) -> list[Path]:
        """The article files of these docs."""
        return [self.folder / f"{doc}.txt" for doc in docs]


def extracted(corpus: Path, tmp: Path) -> Expected:
    """What `incidex extract` finds in each article of the corpus: incidents, statistics."""
    out = tmp / "extracted.jsonl"
    done = incidex("extract", corpus, "--out", out, check=True)
    assert not done.stderr.strip(), done.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {
        line["doc"]: {
            "incidents": [comparable(i) for i in line["incidents"]],
            "statistics": [comparable(s) for s in line["statistics"]],
        }
        for line in lines
    }
