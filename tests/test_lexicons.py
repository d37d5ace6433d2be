"""Lexicon files: every one loads, is well formed and uses only codebook labels."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from incidex.lexicons import read_lines, read_table

LEXICON_DIR = resources.files("incidex.data") / "lexicons"
LEXICONS = sorted(
    str(path.relative_to(LEXICON_DIR)) for path in LEXICON_DIR.rglob("*") if path.is_file()
)
TABLES = [name for name in LEXICONS if name.endswith(".tsv")]

#: Codebook section 4; the codebook itself is not shipped, so the values are written out here.
ATTACK_TYPES = {
    "armed_assault",
    "bombing",
    "suicide_bombing",
    "indirect_fire",
    "sniper",
    "kidnapping",
    "execution",
    "arson",
    "prison_break",
    "security_operation",
    "clash",
    "other",
}
TARGETS = {
    "military",
    "police",
    "militia",
    "kurdish_forces",
    "government",
    "civilians",
    "infrastructure",
    "prison",
    "militants",
    "unknown",
}


def test_lexicons_found():
    assert {"boilerplate.txt", "en/triggers.tsv", "en/targets.tsv"} <= set(LEXICONS)


@pytest.mark.parametrize("name", LEXICONS)
def test_lexicon_loads_with_entries(name):
    assert read_lines(name)


@pytest.mark.parametrize("name", LEXICONS)
def test_lexicon_has_no_comment_or_blank_entry(name):
    assert all(line and not line.startswith("#") for line in read_lines(name))


@pytest.mark.parametrize("name", TABLES)
def test_lexicon_table_rows_match_header(name):
    header = read_lines(name)[0].split("\t")
    assert [len(row) for row in read_table(name)] == [len(header)] * len(read_table(name))


@pytest.mark.parametrize("name", TABLES)
def test_lexicon_table_has_no_empty_cell(name):
    assert all(all(row) for row in read_table(name))


@pytest.mark.parametrize("name", LEXICONS)
def test_lexicon_patterns_compile(name):
    entries = [row[0] for row in read_table(name)] if name in TABLES else read_lines(name)
    for entry in entries:
        re.compile(entry)


@pytest.mark.parametrize("name", LEXICONS)
def test_lexicon_has_no_duplicate_entries(name):
    entries = [row[0] for row in read_table(name)] if name in TABLES else read_lines(name)
    assert sorted({e for e in entries if entries.count(e) > 1}) == []


@pytest.mark.parametrize(
    ("name", "column", "allowed"),
    [
        ("en/triggers.tsv", 1, ATTACK_TYPES),
        ("en/targets.tsv", 1, TARGETS),
        ("en/targets.tsv", 2, {"person", "object"}),
        ("en/actors.tsv", 2, {"militant", "state", "unknown"}),
        ("en/casualty_words.tsv", 1, {"killed", "wounded", "kidnapped"}),
    ],
)
def test_lexicon_labels_are_known(name, column, allowed):
    assert {row[column] for row in read_table(name)} - allowed == set()


@pytest.mark.parametrize(("name", "column"), [("en/triggers.tsv", 2), ("en/number_words.tsv", 1)])
def test_lexicon_numbers_are_integers(name, column):
    assert all(row[column].isdigit() for row in read_table(name))
