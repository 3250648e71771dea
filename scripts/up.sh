#!/usr/bin/env bash
# Command 1: set up and start the whole system (engine on H2, diagrams and forms,
# workers, demo users for every role). Prints where to log in. Stop: .venv/bin/riec down
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/riec up
