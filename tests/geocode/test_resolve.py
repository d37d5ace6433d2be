"""Finding place mentions in text and resolving an incident's location."""

from __future__ import annotations

import pytest

from incidex.geocode import Gazetteer, find_place_mentions, resolve
from incidex.records import Place


def _texts(text: str, gaz: Gazetteer) -> list[str]:
    return [m.text for m in find_place_mentions(text, gazetteer=gaz)]


def test_mentions_keep_known_names_longest_first(gaz: Gazetteer) -> None:
    text = "IS attacked Saraya al-Salam in Samarra and a checkpoint in Jurf al-Nasr."
    mentions = find_place_mentions(text, gazetteer=gaz)
    assert [m.text for m in mentions] == ["Samarra", "Jurf al-Nasr"]
    assert text[mentions[1].start : mentions[1].end] == "Jurf al-Nasr"
    assert mentions[1].entries[0].name == "Jurf al-Sakhar"


def test_site_words_join_known_names(gaz: Gazetteer) -> None:
    text = "Clashes in the Hamrin mountains and a bomb in Tayaran Square."
    assert _texts(text, gaz) == ["Hamrin mountains", "Tayaran Square"]


def test_actor_names_and_demonyms_are_not_places(gaz: Gazetteer) -> None:
    text = (
        "Islamic State in Iraq and Syria fighters and Iraqi soldiers clashed; "
        "Daesh and ISIS claimed it, the Kurdistan Region Security Council said."
    )
    assert _texts(text, gaz) == []


def test_sentence_initial_common_word_is_not_a_place(gaz: Gazetteer) -> None:
    assert _texts("Hit by a bomb, the convoy stopped in Hit.", gaz) == ["Hit"]
    assert find_place_mentions("Hit by a bomb, the convoy stopped.", gazetteer=gaz) == []


def test_unknown_names_marked_by_wording(gaz: Gazetteer) -> None:
    text = "Gunmen raided the villages of Albu Bali and Tal Ali and the Zarga village."
    mentions = find_place_mentions(text, gazetteer=gaz)
    assert [(m.text, m.entries, m.kind_hint) for m in mentions] == [
        ("Albu Bali", (), "place"),
        ("Tal Ali", (), "place"),
        ("Zarga", (), "place"),
    ]


def test_kind_hints_and_relations(gaz: Gazetteer) -> None:
    text = (
        "An IED hit a patrol near Tarmiyah, 30 km north of Baghdad, in Diyala's Khalis "
        "district; the Kirkuk Operations Command said."
    )
    found = {m.text: (m.kind_hint, m.relation) for m in find_place_mentions(text, gazetteer=gaz)}
    assert found == {
        "Tarmiyah": (None, "near"),
        "Baghdad": (None, "reference"),
        "Diyala": ("admin1", "in"),
        "Khalis": ("admin2", "in"),
        "Kirkuk": (None, "reference"),
    }


def test_countries_limit_candidates(gaz: Gazetteer) -> None:
    mentions = find_place_mentions("Fighting in Sinjar and Raqqa.", countries={"IQ"}, gazetteer=gaz)
    assert [m.text for m in mentions] == ["Sinjar"]
    assert {e.country for e in mentions[0].entries} == {"IQ"}


def test_spelling_variants_resolve_to_one_place(gaz: Gazetteer) -> None:
    places = {resolve([name], country_hint="IQ", gazetteer=gaz) for name in ("Baquba", "Baqubah")}
    assert places == {Place("IQ", "Diyala", "Baqubah", 33.75, 44.63, "place")}
    assert resolve("Makhmur", gazetteer=gaz) == resolve("Makhmour", gazetteer=gaz)


def test_province_only(gaz: Gazetteer) -> None:
    for name in ("Salahuddin province", "Saladin"):
        place = resolve([name], gazetteer=gaz)
        assert (place.admin1, place.location, place.geo_precision) == (
            "Salah al-Din",
            None,
            "admin1",
        )
        assert place.lat is not None


def test_country_only(gaz: Gazetteer) -> None:
    place = resolve(["Iraq"], gazetteer=gaz)
    assert (place.country, place.admin1, place.geo_precision) == ("IQ", None, "country")
    assert resolve([], country_hint="IQ", gazetteer=gaz).geo_precision == "country"
    assert resolve(["Iraq"], admin1_hint="Diyala", gazetteer=gaz).geo_precision == "admin1"


@pytest.mark.parametrize(
    ("hint", "country", "admin1"),
    [("IQ", "IQ", "Nineveh"), ("SY", "SY", "Idlib"), (None, "IQ", "Nineveh")],
)
def test_country_hint_disambiguates(
    gaz: Gazetteer, hint: str | None, country: str, admin1: str
) -> None:
    place = resolve(["Sinjar"], country_hint=hint, gazetteer=gaz)
    assert (place.country, place.admin1) == (country, admin1)


def test_largest_population_wins_without_hint(gaz: Gazetteer) -> None:
    assert resolve(["Riyadh"], gazetteer=gaz).country == "SA"
    assert resolve(["Samarra"], gazetteer=gaz).country == "RU"  # Samara folds alike
    assert resolve(["Samarra"], country_hint="IQ", gazetteer=gaz).admin1 == "Salah al-Din"
    assert resolve(["Riyadh"], country_hint="IQ", gazetteer=gaz).admin1 == "Kirkuk"


def test_tiny_foreign_namesake_is_dropped_with_a_country_hint(gaz: Gazetteer) -> None:
    place = resolve(["the village of Tuzi"], "Salah al-Din", "IQ", gazetteer=gaz)
    assert (place.country, place.location, place.geo_precision) == ("IQ", "Tuzi", "admin1")


def test_unknown_village_in_known_district(gaz: Gazetteer) -> None:
    text = "ISIS attacked the village of Albu Bali in Khanaqin district, Diyala province."
    place = resolve(find_place_mentions(text, gazetteer=gaz), country_hint="IQ", gazetteer=gaz)
    khanaqin = gaz.lookup("Khanaqin district")[0]
    assert place == Place("IQ", "Diyala", "Albu Bali", khanaqin.lat, khanaqin.lon, "admin2")


def test_unknown_village_in_province_only(gaz: Gazetteer) -> None:
    place = resolve(["village of Albu Bali", "Diyala province"], gazetteer=gaz)
    diyala = gaz.admin1_entry("IQ", "Diyala")
    assert place == Place("IQ", "Diyala", "Albu Bali", diyala.lat, diyala.lon, "admin1")


def test_most_specific_mention_wins(gaz: Gazetteer) -> None:
    text = "A bomb exploded in Baghdad, in Sadr City; police in Baghdad province said."
    place = resolve(find_place_mentions(text, gazetteer=gaz), gazetteer=gaz)
    assert (place.location, place.geo_precision) == ("Sadr City", "place")


def test_near_lowers_precision(gaz: Gazetteer) -> None:
    assert resolve(["Khanaqin"], near=True, gazetteer=gaz).geo_precision == "admin2"
    text = "An IED exploded on the outskirts of Samarra."
    place = resolve(find_place_mentions(text, gazetteer=gaz), country_hint="IQ", gazetteer=gaz)
    assert (place.location, place.geo_precision) == ("Samarra", "admin2")


def test_landmark_gives_way_to_the_named_place(gaz: Gazetteer) -> None:
    text = "Gunmen attacked a checkpoint in Tarmiyah, 50 km north of Baghdad."
    place = resolve(find_place_mentions(text, gazetteer=gaz), gazetteer=gaz)
    assert (place.location, place.admin1, place.geo_precision) == ("Tarmiyah", "Baghdad", "place")


def test_areas_and_districts_are_admin2(gaz: Gazetteer) -> None:
    for name in ("Wadi al-Shay", "Tuz Khurmatu district"):
        assert resolve([name], gazetteer=gaz).geo_precision == "admin2"
    assert resolve(["Hamrin mountains"], gazetteer=gaz).location == "Hamrin mountains"


def test_other_countries(gaz: Gazetteer) -> None:
    text = "Boko Haram fighters raided Gwoza in Borno State, Nigeria."
    place = resolve(find_place_mentions(text, gazetteer=gaz), gazetteer=gaz)
    assert (place.country, place.admin1, place.location) == ("NG", "Borno", "Gwoza")
    place = resolve(["Lower Shabelle region"], gazetteer=gaz)
    assert (place.country, place.admin1, place.geo_precision) == ("SO", "Lower Shabeelle", "admin1")
