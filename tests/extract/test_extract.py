"""Codebook rules end to end on short texts written for these tests."""

from __future__ import annotations

import pytest

from incidex.extract import extract_article
from incidex.records import Article


def extract(text: str, published: str | None = "2021-06-09"):
    """Incidents of one article published on a Wednesday."""
    return extract_article(Article(id="t", text=text, published=published))


def only(text: str, published: str | None = "2021-06-09"):
    (incident,) = extract(text, published).incidents
    return incident


def test_attack_with_relative_date_place_actor_and_toll():
    incident = only(
        "Islamic State militants attacked an army checkpoint near the town of Tuz Khurmatu "
        "on Monday, killing three soldiers and wounding two others, officials said."
    )
    assert (incident.date, incident.date_precision) == ("2021-06-07", "day")
    assert (incident.country, incident.admin1) == ("IQ", "Salah al-Din")
    assert incident.location is not None and "Tuz" in incident.location
    assert (incident.attack_type, incident.perpetrator, incident.attribution) == (
        "armed_assault",
        "Islamic State",
        "attributed",
    )
    assert (incident.target, incident.killed, incident.wounded) == ("military", 3, 2)


def test_evidence_is_the_reporting_sentences():
    text = "A roadside bomb killed two policemen in Hawija on Tuesday. The blast also wounded a driver."
    incident = only(text)
    assert incident.evidence == (
        "A roadside bomb killed two policemen in Hawija on Tuesday.",
        "The blast also wounded a driver.",
    )


@pytest.mark.parametrize(
    "text",
    [
        "The group vowed in a new video that it will launch attacks on police in Kirkuk.",
        "Officials warned that militants could attack villages around Hawija in the coming weeks.",
        "Security forces thwarted an attempt to bomb a market in Baquba on Monday.",
    ],
)
def test_threats_and_foiled_plots_are_not_incidents(text):
    assert extract(text).incidents == ()


def test_aggregate_is_a_statistic_not_an_incident():
    result = extract(
        "The group carried out 37 attacks in Diyala between May 1 and May 31, police said."
    )
    assert result.incidents == ()
    assert [s.count for s in result.statistics] == [37]


def test_two_separate_attacks_with_breakdown():
    text = (
        "Militants killed six members of the security forces in two separate attacks on Sunday. "
        "In the first attack, gunmen killed four policemen in the town of Baiji. "
        "In a separate attack, a mortar round killed two soldiers in the village of Kola Jawi."
    )
    incidents = extract(text).incidents
    assert [(i.killed, i.attack_type) for i in incidents] == [
        (4, "armed_assault"),
        (2, "indirect_fire"),
    ]
    assert {i.date for i in incidents} == {"2021-06-06"}


def test_one_sentence_three_places_is_three_incidents():
    text = (
        "On Tuesday the PMF said its units had come under attack in Tarmiyah, Jalawla and "
        "on the border in the Akashat area."
    )
    assert len(extract(text).incidents) == 3


def test_background_incident_keeps_coarse_date():
    text = (
        "Gunmen shot dead a shepherd in Daquq on Tuesday. In March 2019, a car bomb killed "
        "nine people at a market in Qayyarah."
    )
    dates = sorted((i.date, i.date_precision) for i in extract(text).incidents)
    assert dates == [("2019-03", "month"), ("2021-06-08", "day")]


def test_attackers_killed_are_counted_apart_from_victims():
    incident = only(
        "A suicide bomber blew himself up at a checkpoint in Tikrit on Monday, killing four "
        "policemen; two other attackers were shot dead by guards."
    )
    assert (incident.attack_type, incident.killed) == ("suicide_bombing", 4)


def test_security_operation_counts_militants_as_the_toll():
    incident = only(
        "Iraqi forces killed five Islamic State militants in an air strike in the Hamrin "
        "mountains on Sunday, the Security Media Cell said."
    )
    assert (incident.attack_type, incident.perpetrator, incident.target, incident.killed) == (
        "security_operation",
        "Iraqi Security Forces",
        "militants",
        5,
    )


def test_unknown_village_keeps_its_name_with_district_coordinates():
    incident = only(
        "Gunmen kidnapped three farmers from the village of Umm Zanabir in Khanaqin district, "
        "Diyala province, on Monday."
    )
    assert (incident.location, incident.admin1, incident.geo_precision) == (
        "Umm Zanabir",
        "Diyala",
        "admin2",
    )
    assert (incident.attack_type, incident.kidnapped) == ("kidnapping", 3)
    assert incident.lat is not None and 34 < incident.lat < 35


@pytest.mark.parametrize("spelling", ["Baquba", "Baqubah"])
def test_transliterations_resolve_to_one_place(spelling):
    incident = only(f"A bomb killed two civilians in {spelling} on Monday.")
    assert incident.admin1 == "Diyala" and incident.geo_precision == "place"


def test_claim_of_responsibility_is_claimed():
    text = (
        "A car bomb killed seven people in Mosul on Monday. Islamic State claimed responsibility."
    )
    assert only(text).attribution == "claimed"


def test_no_publication_date_leaves_relative_dates_unresolved():
    assert only("A roadside bomb wounded four policemen in Hawija on Saturday.", None).date is None
