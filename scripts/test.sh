#!/usr/bin/env bash
# The whole test suite of victorops.oncall, from a fresh clone, with nothing installed by hand.
#
# It creates the virtual environments it needs (.venv on Python 3.11 with ansible-core 2.19,
# .venv312 on Python 3.12 with ansible-core 2.21, .venv-importer for galaxy-importer), stages a
# copy of the collection at a private path ending in collections/ansible_collections/victorops/oncall
# (ansible-test requires the last three parts; pytest-ansible then uses the tree as it is), and runs
# every gate there. Any failing gate fails the run. TESTING.md tells how to run one gate or one test.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY311=${VICTOROPS_PY311:-$(command -v python3.11 || true)}
PY312=${VICTOROPS_PY312:-$HOME/.pyenv/versions/3.12.1/bin/python3.12}
TIMINGS=()
T0=$(date +%s)

FAILED=()
measured() {  # measured CPUFILE COMMAND...: run COMMAND in a subshell, writing the CPU seconds its processes used
    local cpufile=$1; shift
    (
        rc=0
        "$@" || rc=$?
        # The second line of `times` is what this subshell's children used: "0m1.250s 0m0.310s" (user, system).
        times >"$cpufile.times"  # a builtin: no pipe, which would run it in a subshell of its own that has no children
        awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } printf "%d\n", s + 0.5 }' "$cpufile.times" >"$cpufile"
        exit $rc
    )
}
gate() {  # gate NAME COMMAND...: run a gate, record its time, CPU seconds and outcome; later gates still run
    local name=$1; shift
    local start=$SECONDS status=ok
    echo
    echo "=== $name"
    if ! measured "$STAGE/gate.cpu" "$@"; then
        status=FAILED
        FAILED+=("$name")
    fi
    TIMINGS+=("$(printf '%-48s %5ss %5s CPU-s  %s' "$name" $((SECONDS - start)) "$(cat "$STAGE/gate.cpu" 2>/dev/null)" "$status")")
}

# Gates that leave a core idle (ansible-test sanity runs on one; the demo mostly waits for ansible-playbook) run in
# lanes side by side. Each lane runs its gates in order, each gate's output kept in a file and printed when all lanes
# are done, so the log reads as if they had run one after another.
lane_gate() {  # lane_gate ID NAME COMMAND...: run one gate of a lane (in that lane's subshell), output to a file
    local id=$1 name=$2; shift 2
    local start=$SECONDS status=ok
    measured "$LANES/$id.cpu" "$@" >"$LANES/$id.log" 2>&1 || status=FAILED
    printf '%s\t%s\t%s\t%s\n' "$name" $((SECONDS - start)) "$(cat "$LANES/$id.cpu" 2>/dev/null)" "$status" >"$LANES/$id.status"
}
lanes_done() {  # lanes_done ID...: wait for every lane, then print and record the gates IDs in order
    wait
    local id name secs cpu status
    for id in "$@"; do
        IFS=$'\t' read -r name secs cpu status <"$LANES/$id.status" || { name="lane gate $id"; secs=0; cpu=; status=FAILED; }
        echo
        echo "=== $name (in a lane beside others)"
        cat "$LANES/$id.log"
        [ "$status" = ok ] || FAILED+=("$name")
        TIMINGS+=("$(printf '%-48s %5ss %5s CPU-s  %s' "$name" "$secs" "$cpu" "$status (lane)")")
    done
}

venv() {  # venv DIR PYTHON REQUIREMENTS
    local dir=$1 python=$2 reqs=$3
    [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -U "pip==26.3" 2>&1 | grep -v "is ignored" || true
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$reqs" 2>&1 | grep -v "is ignored" || true
    "$dir/bin/python" -m pip check >/dev/null
}

install_get_pip_shim() {  # ansible-test downloads a get-pip script from a host that may be unreachable
    local venv_dir=$1 at pipv
    at=$("$venv_dir/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
    pipv=$(grep -oP "pip='\K[0-9.]+" "$at/_internal/python_requirements.py")
    mkdir -p "$HOME/.ansible/test/cache"
    cp "$ROOT/ci/get_pip_shim.py" "$HOME/.ansible/test/cache/get_pip_${pipv//./_}.py"
}

[ -n "$PY311" ] || { echo "Python 3.11 is required (python3.11 on PATH or VICTOROPS_PY311)"; exit 1; }
# Everything the run writes goes below one directory only this user can write (mktemp -d creates it with mode 0700).
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/victorops-oncall-ci.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
LANES="$STAGE/lanes"
mkdir -p "$LANES"
# The three virtual environments are made side by side (pip spends much of its time waiting for files and indexes).
HAVE_312=false
[ -x "$PY312" ] && HAVE_312=true
(lane_gate venv311 "setup: .venv (Python 3.11, ansible-core 2.19)" venv "$ROOT/.venv" "$PY311" requirements-dev.txt) &
$HAVE_312 && (lane_gate venv312 "setup: .venv312 (Python 3.12, ansible-core 2.21)" venv "$ROOT/.venv312" "$PY312" requirements-py312.txt) &
(lane_gate importer "setup: .venv-importer (galaxy-importer)" venv "$ROOT/.venv-importer" "$PY311" ci/requirements-importer.txt) &
if $HAVE_312; then lanes_done venv311 venv312 importer; else lanes_done venv311 importer; fi
$HAVE_312 || echo "NOTE: $PY312 not found: the ansible-core 2.21 gates are skipped (set VICTOROPS_PY312)." >&2
[ ${#FAILED[@]} -eq 0 ] || { echo "setup failed"; exit 1; }
install_get_pip_shim "$ROOT/.venv"
$HAVE_312 && install_get_pip_shim "$ROOT/.venv312"

# Stage the collection at a real path ending in collections/ansible_collections/victorops/oncall.
COLLECTIONS="$STAGE/collections"
COLL="$COLLECTIONS/ansible_collections/victorops/oncall"
"$ROOT/.venv/bin/python" "$ROOT/ci/stage.py" "$ROOT" "$COLL"
# The emulator's conformance test validates against the official spec kept beside the repository.
SPEC="$ROOT/../shared/victorops-api/victorops-api-v1.yaml"
if [ -f "$SPEC" ]; then
    export VICTOROPS_API_SPEC="$SPEC"
else
    echo "NOTE: $SPEC not found: the emulator's conformance tests will skip, saying so." >&2
fi
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export ANSIBLE_PYTHON_INTERPRETER="$ROOT/.venv/bin/python"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
cd "$COLL"

PATH311="$ROOT/.venv/bin:$PATH"
PATH312="$ROOT/.venv312/bin:$PATH"

gate "ruff" env PATH="$PATH311" ruff check --no-cache .
gate "ruff format --check" env PATH="$PATH311" ruff format --check --no-cache .
gate "mypy (plugins/module_utils)" env PATH="$PATH311" MYPYPATH="$COLLECTIONS" mypy --cache-dir "$STAGE/mypy-cache" -p ansible_collections.victorops.oncall.plugins.module_utils
gate "version only in galaxy.yml" env PATH="$PATH311" python ci/version.py --check
gate "yamllint" env PATH="$PATH311" yamllint -s .
gate "antsibull-changelog lint" env PATH="$PATH311" antsibull-changelog lint
gate "ansible-doc (every module and role)" env PATH="$PATH311" bash "$ROOT/ci/ansible_doc_all.sh"
# Every slower gate runs in a lane beside the end-to-end gate, so that both cores stay busy to the end: ansible-test
# on each ansible-core version (sanity on one core, then units on two), each on its own staged copy (they never
# share tests/output, and no file the end-to-end tests leave behind is seen by sanity); the demo (it mostly waits,
# for ansible-playbook and for the rate window); and the linters of the content and the build.
stage_copy() {  # stage_copy NAME: a second staged copy of the collection, printed as its path
    local copy="$STAGE/$1/collections/ansible_collections/victorops/oncall"
    "$ROOT/.venv/bin/python" "$ROOT/ci/stage.py" "$ROOT" "$copy" >/dev/null
    echo "$copy"
}
COLL219=$(stage_copy py311)
(
    cd "$COLL219"
    export ANSIBLE_COLLECTIONS_PATH="$STAGE/py311/collections"
    lane_gate s219 "ansible-test sanity (2.19, Python 3.11)" env PATH="$PATH311" ansible-test sanity --local --python 3.11 --color no
    lane_gate u219 "ansible-test units (2.19, Python 3.11)" env PATH="$PATH311" ansible-test units --venv --requirements --python 3.11 --color no
) &
UNIT_LANES=(s219 u219)
if $HAVE_312; then
    COLL312=$(stage_copy py312)
    (
        cd "$COLL312"
        export ANSIBLE_COLLECTIONS_PATH="$STAGE/py312/collections"
        lane_gate s221 "ansible-test sanity (2.21, Python 3.12)" env PATH="$PATH312" ansible-test sanity --local --python 3.12 --color no
        lane_gate u221 "ansible-test units (2.21, Python 3.12)" env PATH="$PATH312" ansible-test units --venv --requirements --python 3.12 --color no
    ) &
    UNIT_LANES+=(s221 u221)
fi
(
    lane_gate demo "scripts/demo.sh (2-second rate window)" env VICTOROPS_RATE_WINDOW=2 VICTOROPS_PYTHON="$PY311" bash "$ROOT/scripts/demo.sh"
) &
(
    lane_gate lint "ansible-lint (production profile)" env PATH="$PATH311" ansible-lint --offline --profile production
    lane_gate docs "antsibull-docs lint-collection-docs" env PATH="$PATH311" antsibull-docs lint-collection-docs --plugin-docs .
    lane_gate ref "docs/reference matches the code" env PATH="$PATH311" bash ci/docs_reference.sh
    lane_gate build "build + tarball contents + galaxy-importer" env PATH="$PATH311" bash ci/build_and_import.sh "$ROOT/.venv-importer" "$STAGE/dist"
) &
# The unit tests run in the lanes under both ansible-core versions; this gate runs the end-to-end tests, and the
# emulator's conformance to the spec (it needs VICTOROPS_API_SPEC, which ansible-test does not pass on). Work
# stealing keeps both workers busy to the end (a few tests take half a minute or more).
gate "pytest (end-to-end, emulator conformance)" env PATH="$PATH311" pytest -q -n 2 --dist worksteal -p no:cacheprovider --durations=20 tests/e2e tests/unit/emulator/test_emulator_conformance.py
lanes_done "${UNIT_LANES[@]}" demo lint docs ref build

echo
printf '%s\n' "${TIMINGS[@]}"
times >"$STAGE/all.times"
awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } printf "CPU seconds of every gate together: %d\n", s + 0.5 }' "$STAGE/all.times"
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "=== FAILED gates: ${FAILED[*]} ($(( $(date +%s) - T0 ))s)"
    exit 1
fi
echo "=== all gates passed in $(( $(date +%s) - T0 ))s"
