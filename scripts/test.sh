#!/usr/bin/env bash
# Set up a virtual environment with incidex and its test tools, then lint and run every test.
# The PostgreSQL tests use $INCIDEX_TEST_PG; unset, Debian's PostgreSQL server is started
# for them when it is installed and we are root (scripts/postgres.sh), else they are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${INCIDEX_TEST_PG:-}" ]] && command -v pg_lsclusters >/dev/null 2>&1 \
    && [[ $EUID -eq 0 ]]; then
    bash scripts/postgres.sh
    export INCIDEX_TEST_PG="postgresql://incidex:incidex@localhost/incidex_test"
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/ruff check incidex tests
.venv/bin/python -m pytest -q "$@"
