#!/usr/bin/env bash
# Build the collection tarball, check what it holds, and run galaxy-importer on it.
set -euo pipefail
IMPORTER_VENV=$1
OUT=$2
mkdir -p "$OUT"
ansible-galaxy collection build --output-path "$OUT" --force
TARBALL="$OUT/victorops-oncall-0.1.0.tar.gz"
BAD=$(tar -tzf "$TARBALL" | grep -E '(^|/)(tests/output|\.ansible|\.venv[^/]*|__pycache__|\.pytest_cache|\.git)(/|$)' || true)
if [ -n "$BAD" ]; then
    echo "the tarball holds files it must not:"; echo "$BAD"; exit 1
fi
echo "tarball: $(tar -tzf "$TARBALL" | wc -l) entries, $(du -k "$TARBALL" | cut -f1) KiB"
cd "$OUT"
"$IMPORTER_VENV/bin/python" -m galaxy_importer.main "$TARBALL" > importer.log 2>&1 || { cat importer.log; exit 1; }
grep -E "ERROR" importer.log && { echo "galaxy-importer reported errors"; exit 1; }
tail -n 3 importer.log
