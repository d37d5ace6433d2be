"""What every harness asserts about a result: the codebook's contract (codebook sections 2, 4, 6).

A failed assertion is a finding, like an unexpected exception: atheris stops and saves the
input that caused it.
"""

from __future__ import annotations

import json
import re

from incidex.dedupe import NUM_PERM
from incidex.ingest import InputError
from incidex.pipeline import Processed
from incidex.records import Extraction

ATTACK_TYPES = {
    "armed_assault", "bombing", "suicide_bombing", "indirect_fire", "sniper", "kidnapping",
    "execution", "arson", "prison_break", "security_operation", "clash", "other",
}  # fmt: skip
TARGETS = {
    "military", "police", "militia", "kurdish_forces", "government", "civilians",
    "infrastructure", "prison", "militants", "unknown",
}  # fmt: skip
GEO_PRECISIONS = {"place", "admin2", "admin1", "country"}
ATTRIBUTIONS = {"claimed", "attributed", "unknown"}
DATE_FORMS = {
    "day": re.compile(r"\d{4}-\d\d-\d\d"),
    "month": re.compile(r"\d{4}-\d\d"),
    "year": re.compile(r"\d{4}"),
}


COUNTRY = re.compile(r"[A-Z]{2}")


def check_extraction(extraction: Extraction, text: str) -> None:
    """Codebook values only, dates of the form their precision says, evidence verbatim."""
    assert isinstance(extraction, Extraction)
    json.dumps(extraction.to_dict())  # the output line must serialise
    for incident in extraction.incidents:
        assert incident.attack_type in ATTACK_TYPES, incident
        assert incident.target in TARGETS, incident
        assert incident.geo_precision in GEO_PRECISIONS, incident
        assert incident.attribution in ATTRIBUTIONS, incident
        if incident.date is None:
            assert incident.date_precision == "unknown", incident
        else:
            assert incident.date_precision in DATE_FORMS, incident
            assert DATE_FORMS[incident.date_precision].fullmatch(incident.date), incident
        assert incident.country is None or COUNTRY.fullmatch(incident.country), incident
        for count in (incident.killed, incident.wounded, incident.kidnapped):
            assert count is None or (isinstance(count, int) and count >= 0), incident
        assert incident.perpetrators_killed is None or incident.perpetrators_killed >= 0
        assert (incident.lat is None) == (incident.lon is None), incident
        if incident.lat is not None:
            assert -90 <= incident.lat <= 90 and -180 <= incident.lon <= 180, incident
        assert incident.evidence, incident
        assert all(sentence and sentence in text for sentence in incident.evidence), incident
    for statistic in extraction.statistics:
        assert statistic.count >= 2 and statistic.claim in text, statistic


def check_processed(result: Processed | InputError) -> None:
    """The pipeline's result: an input error with a message, or a valid extraction."""
    if isinstance(result, InputError):
        assert result.message, result
        return
    assert isinstance(result, Processed), result
    assert len(result.content_hash) == 64 and len(result.signature) == NUM_PERM, result
    check_extraction(result.extraction, result.article.text)
