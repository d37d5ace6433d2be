"""Near-duplicate detection: copies and trimmed reposts match, other reports of the event do not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from incidex.dedupe import (
    BANDS,
    DUPLICATE_THRESHOLD,
    NUM_PERM,
    band_keys,
    deserialize,
    is_near_duplicate,
    serialize,
    shingles,
    signature,
    similarity,
)

HEADLINE = "Roadside bomb kills four soldiers near Tel Haddad"
PARAGRAPHS = [
    "A roadside bomb struck an army patrol on the road between Tel Haddad and the village of "
    "Umm Sarab on Sunday morning, killing four soldiers and wounding three others, a security "
    "official in the provincial capital said.",
    "The explosive device had been buried under the asphalt and was set off as the second "
    "vehicle of the convoy passed, the official told reporters, speaking on condition of "
    "anonymity because he was not authorised to brief the media.",
    "The wounded were taken to the military hospital in Qasr al-Nour, where one of them was in "
    "a critical condition on Sunday evening. Troops sealed off the area and began searching "
    "nearby farms for the men who planted the bomb.",
    "No group has claimed responsibility for the attack so far. Local commanders blamed cells "
    "of the Islamic State group that have been hiding in the orchards along the river since "
    "the end of the last offensive against them in the area.",
    "Attacks on security forces have become more frequent in the district since the spring, "
    "when the army moved several units to the border. Residents say the remaining checkpoints "
    "are too far apart to stop fighters crossing at night.",
    "The provincial governor condemned the bombing in a statement and called on the central "
    "government to send reinforcements. He said the families of the dead soldiers would "
    "receive compensation and that the road would stay closed until it was cleared.",
]
ARTICLE = "\n\n".join([HEADLINE, *PARAGRAPHS])

REPOST = "\n\n".join(
    [
        "Share on Facebook | Share on Twitter | Email",
        "Four soldiers killed by roadside bomb in Tel Haddad district",
        "By our correspondent | Updated 14:32",
        *PARAGRAPHS,
        "The attack was the deadliest on the army in the province this year, according to a "
        "tally kept by the news agency.",
        "Subscribe to our newsletter for the latest headlines.",
        "© 2023 Valley Herald. All rights reserved.",
    ]
)

TRIMMED = "\n\n".join([HEADLINE, *PARAGRAPHS[:-1]])

OTHER_OUTLET = "\n\n".join(
    [
        "Four troops dead in IED blast on Tel Haddad road",
        "Four members of the army were killed and three injured on Sunday when an improvised "
        "explosive device went off beside their convoy near Umm Sarab, south of Tel Haddad, "
        "according to a military source.",
        "The source said the bomb hit the second vehicle in the column. Three injured soldiers "
        "were rushed to hospital in Qasr al-Nour, and one remains in a serious condition.",
        "Nobody has yet said it carried out the bombing, but army officers pointed the finger at "
        "Islamic State militants who are believed to shelter in the riverside orchards.",
        "Governor statement: the governor denounced the attack, promised payments to the "
        "bereaved families and asked Baghdad for more troops. The road remains shut while "
        "engineers check it for further devices.",
    ]
)

UNRELATED = "\n\n".join(
    [
        "Wheat harvest expected to beat last year's in the northern plains",
        "Farmers in the northern plains expect to bring in more wheat than last year after "
        "heavy winter rain filled the reservoirs, the agriculture ministry said on Monday.",
        "The ministry said it would buy the crop at a guaranteed price and had opened twelve "
        "new collection centres so that growers would not have to travel far to sell it.",
        "Traders warned that the cost of fuel for harvesters had doubled and that some small "
        "farms might leave part of their fields uncut if prices did not fall.",
    ]
)


PINNED = (10198132, 235396272, 1128097647, 1220757993)  # first values of the pinned signature


def _same(text_a, text_b):
    """True when the two texts are near duplicates by their signatures."""
    return is_near_duplicate(signature(text_a), signature(text_b))


def test_dedupe_repost_with_new_furniture_headline_and_paragraph_is_duplicate():
    assert _same(ARTICLE, REPOST)


def test_dedupe_copy_without_last_paragraph_is_duplicate():
    assert _same(ARTICLE, TRIMMED)


def test_dedupe_reformatted_copy_is_identical():
    reformatted = ARTICLE.upper().replace("\n\n", "\n").replace("'", "’").replace(",", " ,")
    assert similarity(signature(ARTICLE), signature(reformatted)) == 1.0


def test_dedupe_other_outlet_report_of_same_attack_is_not_duplicate():
    assert not _same(ARTICLE, OTHER_OUTLET)


def test_dedupe_unrelated_article_is_not_duplicate():
    assert similarity(signature(ARTICLE), signature(UNRELATED)) < 0.05


def test_dedupe_band_keys_of_duplicates_overlap():
    article_keys = set(band_keys(signature(ARTICLE)))
    assert article_keys & set(band_keys(signature(REPOST)))
    assert article_keys & set(band_keys(signature(TRIMMED)))


def test_dedupe_band_keys_are_short_distinct_strings():
    keys = band_keys(signature(ARTICLE))
    assert len(keys) == len(set(keys)) == BANDS
    assert all(isinstance(key, str) and len(key) <= 24 for key in keys)


def test_dedupe_serialize_round_trip():
    sig = signature(ARTICLE)
    data = serialize(sig)
    assert len(data) == 4 * NUM_PERM
    assert deserialize(data) == sig


def test_dedupe_deserialize_rejects_torn_bytes():
    with pytest.raises(ValueError, match="4-byte"):
        deserialize(serialize(signature(ARTICLE))[:-1])


def test_dedupe_signature_same_in_another_process():
    code = "import sys; from incidex.dedupe import serialize, signature; sys.stdout.write(serialize(signature(sys.stdin.read())).hex())"
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            input=ARTICLE,
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent.parent,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] == serialize(signature(ARTICLE)).hex()


def test_dedupe_signature_pinned():
    # fixed values: a change means every stored signature is stale (bump SIGNATURE_VERSION)
    assert signature("Gunmen attacked a checkpoint near the town on Tuesday")[:4] == PINNED


@pytest.mark.parametrize("text", ["", "   \n\n ", "—", "..."])
def test_dedupe_text_without_words_matches_nothing(text):
    sig = signature(text)
    assert len(sig) == NUM_PERM
    assert band_keys(sig) == []
    assert not is_near_duplicate(sig, sig)
    assert not is_near_duplicate(sig, signature(ARTICLE))


def test_dedupe_short_texts_compared_exactly():
    assert _same("Bomb kills 3 in Tel Haddad", "Bomb kills 3 in Tel Haddad!")
    assert not _same("Bomb kills 3 in Tel Haddad", "Bomb kills 5 in Tel Haddad")
    assert not _same("Police said.", "Officials said.")


def test_dedupe_shingles_keep_numbers_and_drop_formatting():
    assert shingles("Killed: 1,200 people!", size=2) == {"killed 1200", "1200 people"}
    assert shingles("Two words", size=5) == {"two words"}
    assert shingles("") == set()


def test_dedupe_similarity_rejects_signatures_of_different_length():
    with pytest.raises(ValueError, match="length"):
        similarity((1, 2), (1, 2, 3))


@pytest.mark.parametrize("offset", [0, 20, 60, 120, 200])
def test_dedupe_similarity_estimates_jaccard(offset):
    text_a = " ".join(f"w{i}" for i in range(300))
    text_b = " ".join(f"w{i}" for i in range(offset, offset + 300))
    set_a, set_b = shingles(text_a), shingles(text_b)
    jaccard = len(set_a & set_b) / len(set_a | set_b)
    # 0.18 is four standard deviations of a 128-value estimate at the worst case J = 0.5
    assert abs(similarity(signature(text_a), signature(text_b)) - jaccard) < 0.18


def test_dedupe_threshold_separates_copies_from_rewrites():
    assert similarity(signature(ARTICLE), signature(OTHER_OUTLET)) < 0.2 < DUPLICATE_THRESHOLD
