#!/usr/bin/env bash
# Set up a virtual environment with incidex and its test tools, then lint and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/ruff check incidex tests
.venv/bin/python -m pytest -q "$@"
