#!/usr/bin/env bash
# Every module and role of the collection must render with ansible-doc.
set -euo pipefail
for f in plugins/modules/*.py; do
    m=$(basename "$f" .py)
    ansible-doc "victorops.oncall.$m" >/dev/null
    echo "ok module victorops.oncall.$m"
done
for r in roles/*/; do
    [ -d "$r" ] || continue
    r=$(basename "$r")
    ansible-doc -t role "victorops.oncall.$r" >/dev/null
    echo "ok role victorops.oncall.$r"
done
