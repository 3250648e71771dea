#!/usr/bin/env bash
# Command 2: set up and run every test: unit tests, register tests on SQLite and on
# a real PostgreSQL server, and end-to-end tests on the real engine built from engine/.
# Extra arguments go to pytest (for example: scripts/test.sh -k signal).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

RIEC_TEST_POSTGRES_URL="$(bash scripts/postgres.sh)"
export RIEC_TEST_POSTGRES_URL
trap 'bash scripts/postgres.sh stop' EXIT

# Style and types first: a quick failure before the long run (rules in pyproject.toml).
.venv/bin/python -m ruff check workers tests
.venv/bin/python -m mypy

.venv/bin/python -m pytest "$@"
