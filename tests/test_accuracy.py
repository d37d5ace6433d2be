"""The accuracy gate: extraction scored against gold files, as codebook section 7 says.

Floors live in eval_baseline.json; the shared development set (../shared, beside the
repository as in CI) and the bundled samples are both gated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incidex.cli import app
from incidex.evaluate import EvalReport, load_docs, score
from tests.conftest import EXPECTED, SAMPLES, SHARED

BASELINE = json.loads((Path(__file__).parent / "eval_baseline.json").read_text())


def _extract_and_score(inputs: list[Path], gold_files: list[Path], out: Path) -> EvalReport:
    result = CliRunner().invoke(app, ["extract", *map(str, inputs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    gold: dict = {}
    for path in gold_files:
        gold.update(load_docs(path))
    return score(gold, load_docs(out))


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, EvalReport]:
    out = tmp_path_factory.mktemp("eval")
    found = {"samples": _extract_and_score([SAMPLES], [EXPECTED], out / "samples.jsonl")}
    if (SHARED / "gold").is_dir():
        corpus = [SHARED / "corpus" / name for name in ("seeds", "dev")]
        gold = [SHARED / "gold" / f"{name}.jsonl" for name in ("seeds", "dev")]
        found["dev"] = _extract_and_score(corpus, gold, out / "dev.jsonl")
    return found


def _report(reports: dict[str, EvalReport], name: str) -> EvalReport:
    if name not in reports:
        pytest.skip(f"shared development corpus not found at {SHARED}")
    return reports[name]


@pytest.mark.parametrize("name", ["dev", "samples"])
def test_accuracy_incident_f1_meets_floor(reports, name):
    assert _report(reports, name).f1 >= BASELINE[name]["f1"]


@pytest.mark.parametrize(
    ("name", "field"),
    [(name, field) for name in ("dev", "samples") for field in sorted(BASELINE[name]["fields"])],
)
def test_accuracy_field_agreement_meets_floor(reports, name, field):
    agree, total = _report(reports, name).fields[field]
    assert total and agree / total >= BASELINE[name]["fields"][field]


def test_accuracy_merge_meets_floor(reports):
    report = _report(reports, "dev")
    assert report.merge is not None
    precision, recall = report.merge
    floor = BASELINE["dev"]["merge"]
    assert precision >= floor["precision"] and recall >= floor["recall"]
