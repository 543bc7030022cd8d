#!/usr/bin/env bash
# Build the collection tarball (ci/build.sh), check that it holds only the collection, and run galaxy-importer on it.
#   ci/build_and_import.sh IMPORTER_VENV OUTPUT_DIR
set -euo pipefail
IMPORTER_VENV=$(cd "$1" && pwd)
OUT=$(mkdir -p "$2" && cd "$2" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARBALL=$(bash "$ROOT/ci/build.sh" "$OUT" | tail -n 1)

# What a built collection may hold at its top level: the metadata ansible-galaxy writes, the documents a user
# reads, and the content directories. Anything else (tool configuration, CI and developer scripts, virtual
# environments, caches, build output) is a build_ignore entry missing from galaxy.yml.
ALLOWED='^(MANIFEST\.json|FILES\.json|README\.md|LICENSE|CHANGELOG\.rst|requirements\.txt|meta|plugins|roles|playbooks|docs|examples|changelogs|tests)$'
BAD=$(tar -tzf "$TARBALL" | sed 's|^\./||; s|/.*||' | sort -u | grep -Ev "$ALLOWED" || true)
if [ -n "$BAD" ]; then
    echo "the tarball holds top-level entries that are not part of the collection (add them to build_ignore in galaxy.yml):"
    echo "$BAD"
    exit 1
fi
# Below the top level: nothing generated may ride along inside a content directory either.
BAD=$(tar -tzf "$TARBALL" | grep -E '(^|/)(tests/output|\.ansible|\.venv[^/]*|__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.nox|\.git|\.hypothesis|collections)(/|$)' || true)
if [ -n "$BAD" ]; then
    echo "the tarball holds generated files:"; echo "$BAD"; exit 1
fi
echo "tarball: $(basename "$TARBALL"), $(tar -tzf "$TARBALL" | wc -l) entries, $(du -k "$TARBALL" | cut -f1) KiB"
cd "$OUT"
# galaxy-importer runs ansible-lint --profile production on the tarball with a fixed 180 s limit, which a loaded
# machine can reach; the same ansible-lint, same profile, on the same content, is a gate of its own (scripts/test.sh),
# so the importer's copy of it is left out: GALAXY_IMPORTER_RUN_ANSIBLE_LINT=false.
GALAXY_IMPORTER_RUN_ANSIBLE_LINT=false "$IMPORTER_VENV/bin/python" -m galaxy_importer.main "$TARBALL" > importer.log 2>&1 || { cat importer.log; exit 1; }
grep -E "ERROR" importer.log && { echo "galaxy-importer reported errors"; exit 1; }
tail -n 3 importer.log
