"""The accuracy gate: extraction over the shared development set, scored as the codebook says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incidex.cli import app
from incidex.evaluate import load_docs, score

BASELINE = json.loads((Path(__file__).parent / "eval_baseline.json").read_text())


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    shared = Path(__file__).resolve().parents[2] / "shared"
    if not (shared / "gold").is_dir():
        pytest.skip("shared development corpus not found")
    out = tmp_path_factory.mktemp("eval") / "pred.jsonl"
    corpus = [str(shared / "corpus" / name) for name in ("seeds", "dev")]
    result = CliRunner().invoke(app, ["extract", *corpus, "--out", str(out)])
    assert result.exit_code == 0, result.output
    gold = {
        **load_docs(shared / "gold" / "seeds.jsonl"),
        **load_docs(shared / "gold" / "dev.jsonl"),
    }
    return score(gold, load_docs(out))


def test_accuracy_incident_f1_meets_floor(report):
    assert report.f1 >= BASELINE["f1"]


@pytest.mark.parametrize("field", sorted(BASELINE["fields"]))
def test_accuracy_field_agreement_meets_floor(report, field):
    agree, total = report.fields[field]
    assert total and agree / total >= BASELINE["fields"][field]
