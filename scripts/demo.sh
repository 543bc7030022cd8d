#!/usr/bin/env bash
# The collection's main job, end to end, against the bundled VictorOps emulator:
# onboard the sample people in examples/people.yml, run the same job again, and show that nothing changed;
# then export the whole organisation as onboarding input and show that applying it changes nothing either.
#
# Needs only Python 3.11 or newer and PyPI: it creates .demo/venv with requirements-demo.txt (ansible-core and
# requests) when missing, builds and installs the collection into .demo/collections, starts the emulator from that
# installed copy and runs the collection's playbook victorops.oncall.onboard twice. Pacing is on, with the API's
# real 60-second rate window unless VICTOROPS_RATE_WINDOW is set. Pass --wait to keep the emulator running at the
# end until Enter is pressed. VICTOROPS_PYTHON picks the interpreter (default: the newest python3.X >= 3.11 on PATH).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DEMO="$ROOT/.demo"
VENV="$DEMO/venv"
WAIT=false
[ "${1:-}" = "--wait" ] && WAIT=true

step() { echo; echo "=== $*"; }

usable_python() {  # usable_python CANDIDATE: true when it runs and is Python 3.11 or newer (a pyenv shim may not run)
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    if [ -n "${VICTOROPS_PYTHON:-}" ]; then
        usable_python "$VICTOROPS_PYTHON" && { echo "$VICTOROPS_PYTHON"; return; }
        echo "VICTOROPS_PYTHON=$VICTOROPS_PYTHON is not a working Python 3.11 or newer" >&2
        return 1
    fi
    for candidate in python3.14 python3.13 python3.12 python3.11 python3; do
        command -v "$candidate" >/dev/null 2>&1 && usable_python "$candidate" && { command -v "$candidate"; return; }
    done
    echo "Python 3.11 or newer is required: put python3.11 (or newer) on PATH or set VICTOROPS_PYTHON" >&2
    return 1
}

# --- 1. Python environment ---------------------------------------------------------------------------
# Reuse .demo/venv unless it is broken, or VICTOROPS_PYTHON names another interpreter than the one it was made with.
WANTED=""
[ -z "${VICTOROPS_PYTHON:-}" ] || WANTED=$("$(find_python)" -c 'import sys; print(sys.version)')
HAVE=""
! usable_python "$VENV/bin/python" || HAVE=$("$VENV/bin/python" -c 'import sys; print(sys.version)')
if [ -z "$HAVE" ] || { [ -n "$WANTED" ] && [ "$WANTED" != "$HAVE" ]; }; then
    PYTHON=$(find_python)
    step "Creating .demo/venv with $("$PYTHON" --version) and requirements-demo.txt (ansible-core, requests)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-demo.txt 2>&1 | grep -v "is ignored" || true
"$VENV/bin/python" -c 'import ansible, requests' || { echo "installing requirements-demo.txt into $VENV failed" >&2; exit 1; }
PY="$VENV/bin/python"
BIN="$VENV/bin"

# --- 2. Build and install the collection -------------------------------------------------------------
step "Building the collection and installing it into .demo/collections"
find "$DEMO" -mindepth 1 -maxdepth 1 ! -name venv -exec rm -rf {} +
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
: > "$DEMO/emulator.out"  # exists before the emulator starts, so polling it never races the redirection
PYTHONPATH="$DEMO/collections" "$PY" -m ansible_collections.victorops.oncall.tests.emulator \
    --seed "$INSTALLED/tests/emulator/seeds/default.yml" --port 0 --window "$WINDOW" >> "$DEMO/emulator.out" 2>&1 &
EMULATOR_PID=$!
trap 'kill "$EMULATOR_PID" 2>/dev/null || true; wait "$EMULATOR_PID" 2>/dev/null || true' EXIT
# Ready means: the emulator printed its URL and answers on it. Up to 30 seconds; stop at once if it exits.
URL=""
READY=false
for _ in $(seq 1 300); do
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
        echo "the emulator exited before it was ready:" >&2; cat "$DEMO/emulator.out" >&2; exit 1
    fi
    [ -n "$URL" ] || URL=$(sed -n 's/^VictorOps emulator listening on //p' "$DEMO/emulator.out" || true)
    if [ -n "$URL" ] && "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/_emulator/state", timeout=2).read()' "$URL" 2>/dev/null; then
        READY=true
        break
    fi
    sleep 0.1
done
$READY || { echo "the emulator was not ready within 30 seconds:" >&2; cat "$DEMO/emulator.out" >&2; exit 1; }
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

step "Export: the whole organisation as onboarding input (victorops.oncall.export)"
emulator DELETE /_emulator/log
"$BIN/ansible-playbook" -i "$DEMO/inventory.ini" victorops.oncall.export -e "export_file=$DEMO/organisation.yml" > "$DEMO/export.log" 2>&1 \
    || { tail -n 30 "$DEMO/export.log" >&2; exit 1; }
echo "wrote $DEMO/organisation.yml: $(grep -c '^- username: ' "$DEMO/organisation.yml") people"

step "Apply the export: onboarding the whole organisation from it (nothing may change)"
"$BIN/ansible-playbook" -i "$DEMO/inventory.ini" victorops.oncall.onboard -e "@$DEMO/organisation.yml" > "$DEMO/roundtrip.log" 2>&1 \
    || { tail -n 30 "$DEMO/roundtrip.log" >&2; exit 1; }
grep -A1 '^PLAY RECAP' "$DEMO/roundtrip.log" || true
emulator GET /_emulator/log "$DEMO/emulator-log-roundtrip.json"
ROUNDTRIP=$(count_requests "$DEMO/emulator-log-roundtrip.json")
echo "export and re-apply sent $ROUNDTRIP"
ROUNDTRIP_CHANGED=$(grep -A1 '^PLAY RECAP' "$DEMO/roundtrip.log" | grep -o 'changed=[0-9]*' | cut -d= -f2)

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
if [ "$ROUNDTRIP_CHANGED" != "0" ] || [ "${ROUNDTRIP#*requests, }" != "0 writes" ]; then
    echo "FAIL: re-applying the export must change nothing; it reported changed=$ROUNDTRIP_CHANGED and sent $ROUNDTRIP." >&2
    exit 1
fi
echo "OK: the exported organisation, applied again, changed nothing (changed=0, no write sent)."
if $WAIT; then
    read -r -p "The emulator is still running at $URL; press Enter to stop it. " _
fi
