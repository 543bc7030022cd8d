#!/usr/bin/env bash
# Start the bundled VictorOps API emulator from a clone of the collection:
#   bash scripts/emulator.sh --port 8080            (the demo organisation, real 60-second rate windows)
#   bash scripts/emulator.sh --port 8080 --window 1 --fault 'GET:*:502:2'
# Every option of `python -m ansible_collections.victorops.oncall.tests.emulator` is passed through (docs/emulator.md).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY="$ROOT/.venv/bin/python"
if [ ! -x "$PY" ]; then
    python3.11 -m venv "$ROOT/.venv"
    "$PY" -m pip install -q -r "$ROOT/requirements-dev.txt" 2>&1 | grep -v "is ignored" || true
fi
# Python reaches the collection only through an ansible_collections/ directory; conftest.py knows where that is.
COLLECTIONS_ROOT=$(cd "$ROOT" && "$PY" -c 'import conftest; print(conftest.COLLECTIONS_ROOT)')
PYTHONPATH="$COLLECTIONS_ROOT" exec "$PY" -m ansible_collections.victorops.oncall.tests.emulator "$@"
