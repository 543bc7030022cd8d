"""The version the modules send in their user agent is the one in galaxy.yml (MANIFEST.json in a built collection)."""

import json
from pathlib import Path

import yaml

from ansible_collections.victorops.oncall.plugins.module_utils import _version

COLLECTION = Path(__file__).resolve().parents[4]


def declared_version():
    galaxy = COLLECTION / "galaxy.yml"
    if galaxy.exists():
        return yaml.safe_load(galaxy.read_text(encoding="utf-8"))["version"]
    return json.loads((COLLECTION / "MANIFEST.json").read_text(encoding="utf-8"))["collection_info"]["version"]


def test_generated_version_matches_the_collection_metadata():
    # When this fails after a version change in galaxy.yml: python ci/version.py --write
    assert _version.COLLECTION_VERSION == declared_version()
