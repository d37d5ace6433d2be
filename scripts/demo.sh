#!/usr/bin/env bash
# Set up a virtual environment with incidex, ingest the bundled sample articles into the
# default SQLite database and list the events found (reports of one act merged).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/incidex ingest --samples
.venv/bin/incidex events
