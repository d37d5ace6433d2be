"""Tests of the scorer: pairing, incident and field scores, merge links, reporting."""

from __future__ import annotations

import pytest

from incidex.evaluate import EvalError, format_report, load_docs, report_to_dict, score


def inc(**fields):
    """An incident with plain defaults; keyword arguments override fields."""
    base = {
        "date": "2021-09-15",
        "country": "IQ",
        "admin1": "Diyala",
        "location": "Khanaqin",
        "lat": None,
        "lon": None,
        "geo_precision": "place",
        "attack_type": "armed_assault",
        "perpetrator": "Islamic State",
        "target": "military",
        "killed": 2,
        "wounded": None,
    }
    return {**base, **fields}


def docs(*incidents, doc="a1"):
    """A one-article document set."""
    return {doc: {"doc": doc, "incidents": list(incidents)}}


def counts(gold, pred):
    """True positives, false positives and false negatives of a scoring."""
    report = score(gold, pred)
    return report.tp, report.fp, report.fn


def test_score_perfect_prediction_has_f1_one():
    gold = docs(inc(), inc(location="Baquba", killed=5))
    report = score(gold, gold)
    assert (report.precision, report.recall, report.f1) == (1.0, 1.0, 1.0)


def test_score_missed_incident_lowers_recall():
    report = score(docs(inc(), inc(location="Kifri")), docs(inc()))
    assert (report.tp, report.fn, report.recall, report.precision) == (1, 1, 0.5, 1.0)


def test_score_false_alarm_lowers_precision():
    report = score(docs(inc()), docs(inc(), inc(location="Kifri")))
    assert (report.tp, report.fp, report.precision, report.recall) == (1, 1, 0.5, 1.0)


@pytest.mark.parametrize(
    ("gold_date", "pred_date", "paired"),
    [
        ("2021-09-15", "2021-09-14", True),
        ("2021-09-15", "2021-09-16", True),
        ("2021-09-15", "2021-09-17", False),
        ("2021-09-30", "2021-10-01", True),
        ("2021-09", "2021-09-28", True),
        ("2021-09-28", "2021-10", False),
        ("2021", "2021-03-02", True),
        ("2021-09-15", None, False),
        ([None, "2021"], None, True),
        (None, None, True),
    ],
)
def test_score_pairs_by_date(gold_date, pred_date, paired):
    tp, _, _ = counts(docs(inc(date=gold_date)), docs(inc(date=pred_date)))
    assert tp == int(paired)


@pytest.mark.parametrize(
    ("gold", "pred", "paired"),
    [
        (inc(location="Baquba"), inc(location="Baqubah"), True),
        (inc(location="al-Azim"), inc(location="Al Azim"), True),
        (inc(location="Baquba"), inc(location="Khalis"), False),
        (inc(location="A", lat=33.30, lon=44.40), inc(location="B", lat=33.48, lon=44.40), True),
        (inc(location="A", lat=33.30, lon=44.40), inc(location="B", lat=33.66, lon=44.40), False),
        (inc(location=None, geo_precision="admin1"), inc(location="Khalis"), True),
        (inc(location="Khalis"), inc(location="Kifri", geo_precision="admin1"), True),
        (inc(location=None, admin1="Kirkuk"), inc(location="Khalis"), False),
        (inc(location=None, admin1=None), inc(location="Mosul", admin1="Nineveh"), True),
        (inc(location=None, admin1=None, country="SY"), inc(location="Mosul"), False),
    ],
)
def test_score_pairs_by_place(gold, pred, paired):
    tp, _, _ = counts(docs(gold), docs(pred))
    assert tp == int(paired)


@pytest.mark.parametrize("predicted", [[inc(optional=True)], []])
def test_score_optional_gold_neither_rewarded_nor_punished(predicted):
    gold = docs(inc(location="Kifri"), inc(optional=True))
    assert counts(gold, docs(inc(location="Kifri"), *predicted)) == (1, 0, 0)


def test_score_prefers_non_optional_gold():
    gold = docs(inc(optional=True), inc(killed=9))
    assert counts(gold, docs(inc())) == (1, 0, 0)


@pytest.mark.parametrize("killed", [3, 4, None])
def test_score_list_valued_gold_accepts_any_member(killed):
    report = score(docs(inc(killed=[3, 4, None])), docs(inc(killed=killed)))
    assert report.fields["killed"] == (1, 1)


def test_score_prediction_lists_stand_for_their_first_member():
    gold = docs(inc(location=["Khalis", "Kifri"], date=["2021-09-15", None]))
    report = score(gold, gold)
    assert report.f1 == 1.0
    assert all(agree == total == 1 for agree, total in report.fields.values())


def test_score_field_agreement_counts():
    gold = docs(inc(), inc(location="Kifri", killed=3))
    pred = docs(inc(perpetrator="islamic state"), inc(location="Kifri", killed=4))
    report = score(gold, pred)
    assert report.fields["perpetrator"] == (2, 2)
    assert report.fields["killed"] == (1, 2)
    assert [(d.field, d.gold, d.pred) for d in report.docs[0].disagreements] == [("killed", 3, 4)]


def test_score_missing_and_extra_documents_are_counted():
    gold = {**docs(inc(), doc="a1"), **docs(inc(), doc="a2")}
    report = score(gold, {**docs(inc(), doc="a1"), **docs(inc(), doc="zz")})
    assert (report.missing_docs, report.extra_docs, report.fn, report.fp) == (["a2"], ["zz"], 1, 0)


def linked(events):
    """Three one-incident articles carrying the given event ids (None: no event)."""
    result = {}
    for number, event in enumerate(events):
        extra = {} if event is None else {"event": event}
        result.update(docs(inc(**extra), doc=f"a{number}"))
    return result


@pytest.mark.parametrize(
    ("gold_events", "pred_events", "merge", "links"),
    [
        (["E1", "E1", "E2"], ["P", "P", "Q"], (1.0, 1.0), (1, 1, 1)),
        (["E1", "E1", "E2"], ["P", "P", "P"], (1 / 3, 1.0), (1, 3, 1)),
        (["E1", "E1", "E1"], ["P", "P", "Q"], (1.0, 1 / 3), (1, 1, 3)),
        (["E1", "E1", None], ["P", "Q", "P"], (1.0, 0.0), (0, 0, 1)),
    ],
)
def test_score_merge_pairwise_precision_recall(gold_events, pred_events, merge, links):
    report = score(linked(gold_events), linked(pred_events))
    assert (report.merge, report.links) == (pytest.approx(merge), links)


def test_score_merge_skips_uncertain_gold_links():
    gold = linked(["E1", "E1", "E1"])
    gold["a2"]["incidents"][0]["event_maybe"] = "E1"
    assert score(gold, linked(["P", "P", "P"])).links == (1, 1, 1)


def test_score_merge_unavailable_without_predicted_events():
    report = score(linked(["E1", "E1"]), linked([None, None]))
    assert report.merge is None
    assert "not available" in format_report(report)


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]", '{"incidents": []}'])
def test_load_docs_error_names_file_and_line(tmp_path, bad):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"doc": "a1", "incidents": []}\n' + bad + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match=r"gold\.jsonl:2:"):
        load_docs(path)


def test_load_docs_keys_articles_by_doc(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"doc": "a1", "incidents": []}\n\n{"doc": "a2"}\n', encoding="utf-8")
    assert list(load_docs(path)) == ["a1", "a2"]


def test_format_report_lists_article_of_a_miss():
    text = format_report(score(docs(inc(), doc="art-042"), {}))
    assert "art-042" in text
    assert "missed" in text


def test_format_report_without_details_is_summary_only():
    text = format_report(score(docs(inc(), doc="art-042"), {}), details=False)
    assert "art-042" not in text
    assert "F1 0.000" in text


def test_report_to_dict_holds_counts_and_problems():
    data = report_to_dict(score(docs(inc(), doc="art-042"), {}))
    assert (data["fn"], data["fields"]["date"], data["docs"][0]["doc"]) == (
        1,
        {"agree": 0, "total": 0},
        "art-042",
    )
