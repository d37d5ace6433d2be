import pytest

from incidex.extract.casualties import find_figures


def figures(text):
    return [(f.count, f.kind, f.militant) for f in find_figures(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Gunmen killed three soldiers and two policemen near the town.",
            [(3, "killed", False), (2, "killed", False)],
        ),
        (
            "Two policemen were killed and two others wounded on Monday.",
            [(2, "killed", False), (2, "wounded", False)],
        ),
        (
            "At least 14 people were killed and 30 injured in the blast.",
            [(14, "killed", False), (30, "wounded", False)],
        ),
        (
            "The bomb killed a shepherd and wounded another.",
            [(1, "killed", False), (1, "wounded", False)],
        ),
        ("Sixty-one bodies were found in the village.", [(61, "killed", False)]),
        ("An army officer was killed in the ambush.", [(1, "killed", False)]),
        (
            "The clash left four guards and six insurgents dead.",
            [(4, "killed", False), (6, "killed", True)],
        ),
        (
            "Seven militants, including a local leader, were killed in the raid.",
            [(7, "killed", True)],
        ),
        ("Gunmen abducted five farmers from their fields.", [(5, "kidnapped", False)]),
    ],
)
def test_figures_tie_numbers_to_casualty_words(text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Six soldiers were killed and wounded in the attack.",
        "The base lies 40 km north of the city.",
        "Between 3,000 and 5,000 fighters remain active.",
        "In 2014 the group seized the town.",
        "Ten gunmen attacked the checkpoint, the source said.",
    ],
)
def test_figures_ignore_numbers_that_are_not_casualties(text):
    assert figures(text) == []


def test_figures_other_marks_an_addition():
    assert find_figures("wounding at least four other soldiers")[0].additive
