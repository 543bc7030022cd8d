#!/usr/bin/env bash
# Start the bundled VictorOps API emulator from a clone of the collection:
#   bash scripts/emulator.sh --port 8080            (the demo organisation, real 60-second rate windows)
#   bash scripts/emulator.sh --port 8080 --window 1 --fault 'GET:*:502:2'
#   bash scripts/emulator.sh --port 8080 --variant reformat-contacts --variant rate-2ps   (variants: docs/emulator.md)
# Every option of `python -m ansible_collections.victorops.oncall.tests.emulator` is passed through (docs/emulator.md).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY="$ROOT/.venv/bin/python"
if [ ! -x "$PY" ]; then
    python3.11 -m venv "$ROOT/.venv"
    "$PY" -m pip install -q -r "$ROOT/requirements-dev.txt" 2>&1 | grep -v "is ignored" || true
fi
# Python reaches the collection only through an ansible_collections/ directory. A checkout staged at
# .../ansible_collections/victorops/oncall is used as it is; any other checkout gets the same link tree that
# pytest-ansible makes for the tests: ./collections/ansible_collections/victorops/oncall (ignored by git).
REAL=$(cd "$ROOT" && pwd -P)
case "$REAL" in
    */ansible_collections/victorops/oncall) COLLECTIONS_ROOT=${REAL%/ansible_collections/victorops/oncall} ;;
    *)
        COLLECTIONS_ROOT="$ROOT/collections"
        TREE="$COLLECTIONS_ROOT/ansible_collections/victorops/oncall"
        mkdir -p "$TREE"
        for entry in "$ROOT"/* "$ROOT"/.[!.]*; do
            name=$(basename "$entry")
            if [ "$name" != collections ] && [ -e "$entry" ] && [ ! -e "$TREE/$name" ] && [ ! -L "$TREE/$name" ]; then
                ln -s "$entry" "$TREE/$name"
            fi
        done
        ;;
esac
PYTHONPATH="$COLLECTIONS_ROOT" exec "$PY" -m ansible_collections.victorops.oncall.tests.emulator "$@"
