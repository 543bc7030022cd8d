#!/usr/bin/env bash
# The collection's main job, end to end, against the bundled VictorOps emulator:
# onboard the sample people in examples/people.yml, run the same job again, and show that nothing changed.
#
# Needs only Python 3.11 and PyPI: it creates .venv when missing, builds and installs the collection into
# .demo/collections, starts the emulator from that installed copy and runs the collection's playbook
# victorops.oncall.onboard twice. Pacing is on, with the API's real 60-second rate window unless
# VICTOROPS_RATE_WINDOW is set. Pass --wait to keep the emulator running at the end until Enter is pressed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DEMO="$ROOT/.demo"
PY311=${VICTOROPS_PY311:-$(command -v python3.11 || true)}
WAIT=false
[ "${1:-}" = "--wait" ] && WAIT=true

step() { echo; echo "=== $*"; }

# --- 1. Python environment ---------------------------------------------------------------------------
if [ ! -x "$ROOT/.venv/bin/ansible-playbook" ]; then
    [ -n "$PY311" ] || { echo "Python 3.11 is required (python3.11 on PATH or VICTOROPS_PY311)" >&2; exit 1; }
    step "Creating .venv (Python 3.11) with requirements-dev.txt"
    [ -x "$ROOT/.venv/bin/python" ] || "$PY311" -m venv "$ROOT/.venv"
    "$ROOT/.venv/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt 2>&1 | grep -v "is ignored" || true
fi
PY="$ROOT/.venv/bin/python"
BIN="$ROOT/.venv/bin"

# --- 2. Build and install the collection -------------------------------------------------------------
step "Building the collection and installing it into .demo/collections"
rm -rf "$DEMO"
mkdir -p "$DEMO/dist" "$DEMO/collections" "$DEMO/pacing"
"$BIN/ansible-galaxy" collection build --output-path "$DEMO/dist" --force >/dev/null
TARBALL=$(ls "$DEMO"/dist/victorops-oncall-*.tar.gz)
ANSIBLE_COLLECTIONS_PATH="$DEMO/collections" "$BIN/ansible-galaxy" collection install -p "$DEMO/collections" "$TARBALL" --force >/dev/null
INSTALLED="$DEMO/collections/ansible_collections/victorops/oncall"
echo "installed $(basename "$TARBALL") at $INSTALLED"

# --- 3. Start the emulator from the installed copy ---------------------------------------------------
WINDOW=${VICTOROPS_RATE_WINDOW:-60}
export VICTOROPS_RATE_WINDOW=$WINDOW
step "Starting the VictorOps emulator (default seed, rate window ${WINDOW}s)"
PYTHONPATH="$DEMO/collections" "$PY" -m ansible_collections.victorops.oncall.tests.emulator \
    --seed "$INSTALLED/tests/emulator/seeds/default.yml" --port 0 --window "$WINDOW" > "$DEMO/emulator.out" 2>&1 &
EMULATOR_PID=$!
trap 'kill "$EMULATOR_PID" 2>/dev/null || true; wait "$EMULATOR_PID" 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 1 100); do
    URL=$(sed -n 's/^VictorOps emulator listening on //p' "$DEMO/emulator.out")
    [ -n "$URL" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$DEMO/emulator.out" >&2; exit 1; }
    sleep 0.1
done
[ -n "$URL" ] || { echo "the emulator did not start:" >&2; cat "$DEMO/emulator.out" >&2; exit 1; }
echo "listening on $URL"

# --- 4. Onboard, twice -------------------------------------------------------------------------------
# The modules run on the controller with the venv's Python: interpreter discovery can pick a broken shim.
printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "$PY" > "$DEMO/inventory.ini"
export ANSIBLE_COLLECTIONS_PATH="$DEMO/collections"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_RETRY_FILES_ENABLED=false ANSIBLE_NOCOLOR=1
export VICTOROPS_API_URL="$URL" VICTOROPS_API_ID=demo-api-id VICTOROPS_API_KEY=demo-api-key
export VICTOROPS_PACING_STATE_DIR="$DEMO/pacing"

onboard() {  # onboard N: run the playbook, keep its output and report, print its report and recap
    local n=$1 start=$SECONDS rc=0
    "$BIN/ansible-playbook" -i "$DEMO/inventory.ini" victorops.oncall.onboard -e @examples/people.yml \
        -e "user_onboarding_report_file=$DEMO/report-run$n.json" > "$DEMO/run$n.log" 2>&1 || rc=$?
    sed -n '/Show the onboarding report/,/^}/p' "$DEMO/run$n.log" | sed -n 's/^ *"\(.*\)",\{0,1\}$/  \1/p'
    grep -A1 '^PLAY RECAP' "$DEMO/run$n.log" || true
    echo "run $n: exit code $rc, $((SECONDS - start))s (full output: $DEMO/run$n.log)"
    if [ "$rc" -ne 0 ]; then tail -n 30 "$DEMO/run$n.log" >&2; exit "$rc"; fi
}

emulator() {  # emulator METHOD PATH [FILE]: call the emulator's control API, saving the answer to FILE
    "$PY" - "$URL" "$1" "$2" "${3:-/dev/null}" <<'PYEOF'
import sys, urllib.request
url, method, path, out = sys.argv[1:]
with urllib.request.urlopen(urllib.request.Request(url + path, method=method)) as answer, open(out, "wb") as handle:
    handle.write(answer.read())
PYEOF
}

count_requests() {  # count_requests FILE: "<requests> requests, <writes> writes" of a saved request log
    "$PY" -c 'import json, sys; log = json.load(open(sys.argv[1]))
print("%d requests, %d writes" % (len(log), sum(1 for e in log if e["method"] != "GET")))' "$1"
}

step "Run 1: onboarding the people in examples/people.yml"
onboard 1
emulator GET /_emulator/log "$DEMO/emulator-log-run1.json"
echo "run 1 sent $(count_requests "$DEMO/emulator-log-run1.json")"
emulator DELETE /_emulator/log

step "Run 2: the same people again (nothing may change)"
onboard 2
emulator GET /_emulator/log "$DEMO/emulator-log-run2.json"
RUN2=$(count_requests "$DEMO/emulator-log-run2.json")
echo "run 2 sent $RUN2"
CHANGED=$(grep -A1 '^PLAY RECAP' "$DEMO/run2.log" | grep -o 'changed=[0-9]*' | cut -d= -f2)

# --- 5. Where to look --------------------------------------------------------------------------------
emulator GET /_emulator/state "$DEMO/emulator-state.json"
step "Where to look"
$WAIT || echo "(the emulator stops when this script ends; run it with --wait to keep it up and browse these URLs)"
echo "emulator state:    $URL/_emulator/state   (saved: $DEMO/emulator-state.json)"
echo "request log:       $URL/_emulator/log     (saved per run: $DEMO/emulator-log-run1.json, $DEMO/emulator-log-run2.json)"
echo "per-person report: $DEMO/report-run1.json (run 2: $DEMO/report-run2.json)"
echo "a paging policy:   curl -s -H 'X-VO-Api-Id: demo-api-id' -H 'X-VO-Api-Key: demo-api-key' $URL/api-public/v1/profile/kokafor/policies"
if [ "$WINDOW" != "60" ]; then
    echo "NOTE: the rate window was compressed to ${WINDOW}s (VICTOROPS_RATE_WINDOW) for both the emulator and the modules."
fi

echo
if [ "$CHANGED" != "0" ] || [ "${RUN2#*requests, }" != "0 writes" ]; then
    echo "FAIL: the second run must change nothing; it reported changed=$CHANGED and sent $RUN2." >&2
    exit 1
fi
echo "OK: the second run changed nothing (changed=0, no write sent)."
if $WAIT; then
    read -r -p "The emulator is still running at $URL; press Enter to stop it. " _
fi
