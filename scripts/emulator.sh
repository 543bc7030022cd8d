#!/usr/bin/env bash
# Start the bundled VictorOps API emulator from a clone of the collection:
#   bash scripts/emulator.sh --port 8080            (the demo organisation, real 60-second rate windows)
#   bash scripts/emulator.sh --port 8080 --window 1 --fault 'GET:*:502:2'
#   bash scripts/emulator.sh --port 8080 --variant reformat-contacts --variant rate-2ps   (variants: docs/emulator.md)
# Every option of `python -m ansible_collections.victorops.oncall.tests.emulator` is passed through (docs/emulator.md).
#
# The emulator needs Python 3.11 or newer and PyYAML (tests/emulator/requirements.txt), nothing else. On first use
# this script makes a small virtual environment for it, .venv-emulator (or $VICTOROPS_EMULATOR_VENV), with
# $VICTOROPS_PYTHON or else the first of python3.13, python3.12, python3.11 and python3 that is 3.11 or newer.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VICTOROPS_EMULATOR_VENV:-$ROOT/.venv-emulator}
REQUIREMENTS="$ROOT/tests/emulator/requirements.txt"

say() { echo "emulator.sh: $*" >&2; }

# Prints the major.minor version of the Python command $1; fails when it does not run or is older than 3.11.
python_version() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2]); sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

# Prints the Python command to build the environment with, or explains why there is none and fails.
find_python() {
    local candidate version
    if [ -n "${VICTOROPS_PYTHON:-}" ]; then
        if version=$(python_version "$VICTOROPS_PYTHON"); then
            echo "$VICTOROPS_PYTHON"
            return 0
        fi
        say "VICTOROPS_PYTHON=$VICTOROPS_PYTHON is ${version:+Python $version, }not a Python 3.11 or newer that runs; point it at one"
        return 1
    fi
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && python_version "$candidate" >/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    say "found no Python 3.11 or newer (tried python3.13, python3.12, python3.11, python3); set VICTOROPS_PYTHON to one"
    return 1
}

if ! "$VENV/bin/python" -c 'import yaml' >/dev/null 2>&1; then
    if [ ! -x "$VENV/bin/python" ]; then
        PYTHON=$(find_python)
        say "first use: creating $VENV with $PYTHON (Python $(python_version "$PYTHON"))"
        "$PYTHON" -m venv "$VENV"
    fi
    say "installing the emulator's one dependency into $VENV: $(grep -v '^#' "$REQUIREMENTS" | tr '\n' ' ')"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
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
say "starting the emulator with $VENV/bin/python"
PYTHONPATH="$COLLECTIONS_ROOT" exec "$VENV/bin/python" -m ansible_collections.victorops.oncall.tests.emulator "$@"
