"""Hypothesis profiles for the hostile-input tests, and a warm-up so timings measure the stages.

Two profiles: `fuzz` (the default: a few dozen examples per property, the file runs in well
under a minute) and `fuzz-long` (many more examples, for the separate long run):

    HYPOTHESIS_PROFILE=fuzz-long pytest tests/fuzz/test_properties.py
    pytest tests/fuzz/test_properties.py --hypothesis-profile=fuzz-long

Each property declares its example budget for both profiles (`examples` in
test_properties.py); the profile supplies everything else.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

_COMMON = {
    # the properties time each call themselves (a generous bound per call); Hypothesis'
    # own deadline would flag the first call of a run, which loads the gazetteer
    "deadline": None,
    # generated inputs are large by design (texts up to 200 KB, huge attributes)
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    "print_blob": True,
}
settings.register_profile("fuzz", **_COMMON)
settings.register_profile("fuzz-long", **_COMMON)
if settings.get_current_profile_name() == "default":
    # --hypothesis-profile, when given, is loaded after this by the Hypothesis plugin
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fuzz"))


@pytest.fixture(scope="session", autouse=True)
def _warm_stages() -> None:
    """Load the gazetteer and compile the lexicons once, before any call is timed."""
    from incidex.pipeline import process
    from incidex.records import Article

    process(Article(id="warm-up", text="Gunmen killed two soldiers in Baqubah on Monday."))
