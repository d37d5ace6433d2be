import pytest

from incidex.extract.numbers import parse_number


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["11", "soldiers"], (11, 1)),
        (["1,470", "attacks"], (1470, 1)),
        (["Eleven", "soldiers"], (11, 1)),
        (["fifty", "nine", "bodies"], (59, 2)),
        (["twenty-five", "people"], (25, 1)),
        (["a", "dozen", "people"], (12, 2)),
        (["another", "one"], (1, 1)),
        (["soldiers"], None),
    ],
)
def test_parse_number_digits_and_words(words, expected):
    assert parse_number(words) == expected
