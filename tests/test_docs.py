"""Docs that tests keep honest: the CLI reference and the README name every command."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.main import get_command

from incidex.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _reference_module():
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts" / "cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current():
    expected = _reference_module().reference()
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: run `python scripts/cli_reference.py`"
    )


@pytest.mark.parametrize("command", sorted(get_command(app).commands))  # type: ignore[attr-defined]
def test_readme_documents_every_command(command):
    assert f"incidex {command}" in (ROOT / "README.md").read_text(encoding="utf-8")
