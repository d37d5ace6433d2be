import pytest

from incidex.extract.sentences import split_sentences, strip_dateline


def test_split_sentences_keeps_abbreviations_inside():
    text = "Capt. Ali said two died. The U.S. envoy left at 3 p.m. on Monday. Police came."
    assert [s.text for s in split_sentences(text)] == [
        "Capt. Ali said two died.",
        "The U.S. envoy left at 3 p.m. on Monday.",
        "Police came.",
    ]


def test_split_sentences_paragraphs_end_sentences():
    sentences = split_sentences("A headline without a stop\nThe first sentence. The second.")
    assert [s.paragraph for s in sentences] == [0, 1, 1]


def test_split_sentences_offsets_point_into_text():
    text = "One bomb.\n\nTwo bombs exploded. Three more."
    assert all(text[s.start : s.start + len(s.text)] == s.text for s in split_sentences(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MOSUL (Reuters) — A bomb exploded.", "A bomb exploded."),
        ("TIKRIT, Iraq, May 3 (Xinhua) -- Two died.", "Two died."),
        ("ERBIL, Kurdistan Region — Gunmen attacked.", "Gunmen attacked."),
        ("Shafaq News/ A source said.", "A source said."),
        ("Iraqi forces said two died.", "Iraqi forces said two died."),
    ],
)
def test_strip_dateline(text, expected):
    assert strip_dateline(text) == expected
