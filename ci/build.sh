#!/usr/bin/env bash
# Build the collection tarball: ci/build.sh [OUTPUT_DIR]   (default: dist/ in the checkout)
#
# Writes OUTPUT_DIR/victorops-oncall-<version>.tar.gz, the version taken from galaxy.yml (its only home),
# and OUTPUT_DIR/requirements.yml, the Galaxy requirement that execution-environment.yml reads to install
# that tarball. Needs ansible-galaxy on PATH (for example .venv/bin).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/dist}" && cd "${1:-$ROOT/dist}" && pwd)
PYTHON=${PYTHON:-$(command -v python3)}
cd "$ROOT"
VERSION=$("$PYTHON" ci/version.py)
"$PYTHON" ci/version.py --check
ansible-galaxy collection build --output-path "$OUT" --force
TARBALL="$OUT/victorops-oncall-$VERSION.tar.gz"
[ -f "$TARBALL" ] || { echo "ansible-galaxy did not write $TARBALL" >&2; exit 1; }
cat > "$OUT/requirements.yml" <<YAML
---
# Written by ci/build.sh for execution-environment.yml: the tarball built from this checkout.
collections:
  - name: /build/collections/victorops-oncall-$VERSION.tar.gz
    type: file
YAML
echo "$TARBALL"
