"""The collection's version lives in galaxy.yml only; this prints it and keeps the one derived copy in step.

    python ci/version.py            # print the version from galaxy.yml
    python ci/version.py --write    # regenerate plugins/module_utils/_version.py from galaxy.yml
    python ci/version.py --check    # fail if the generated file disagrees with galaxy.yml (a gate in scripts/test.sh)

Why a generated file: a module runs on the managed host from an AnsiballZ payload that carries the module and
its module_utils, not galaxy.yml or MANIFEST.json, so the user agent's version has to be Python code inside
module_utils. It is written from galaxy.yml, never by hand, and checked by a gate and a unit test.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATED = os.path.join("plugins", "module_utils", "_version.py")
TEMPLATE = '''# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's version. Generated from galaxy.yml by ci/version.py --write; do not edit."""

from __future__ import annotations

COLLECTION_VERSION = "%s"
'''
VERSION_LINE = re.compile(r'^COLLECTION_VERSION = "([^"]*)"$', re.MULTILINE)


def galaxy_version(root=ROOT):
    """The version in galaxy.yml (read without PyYAML: ``version: X.Y.Z`` at the top level)."""
    with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"""^version:\s*['"]?([0-9A-Za-z.+-]+)['"]?\s*(#.*)?$""", line.rstrip("\n"))
            if match:
                return match.group(1)
    raise SystemExit("galaxy.yml has no top-level version: line")


def generated_version(root=ROOT):
    path = os.path.join(root, GENERATED)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        match = VERSION_LINE.search(handle.read())
    return match.group(1) if match else None


def main(argv):
    version = galaxy_version()
    if argv == []:
        print(version)
        return 0
    if argv == ["--write"]:
        with open(os.path.join(ROOT, GENERATED), "w", encoding="utf-8") as handle:
            handle.write(TEMPLATE % version)
        print("%s: COLLECTION_VERSION = %r" % (GENERATED, version))
        return 0
    if argv == ["--check"]:
        found = generated_version()
        if found != version:
            print("%s says %r but galaxy.yml says %r: run python ci/version.py --write" % (GENERATED, found, version), file=sys.stderr)
            return 1
        print("version %s: galaxy.yml and %s agree" % (version, GENERATED))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
