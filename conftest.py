"""Make the collection importable as ``ansible_collections.victorops.oncall`` for pytest.

pytest-ansible does the work (its collection unit-test support, enabled in pytest.ini). Started from the
collection root it uses the tree the collection already sits in when that path ends in
``collections/ansible_collections/victorops/oncall`` (the layout scripts/test.sh stages); otherwise it links
the checkout's top-level entries into ``./collections/ansible_collections/victorops/oncall`` inside the
checkout (ignored by git, the build and the linters). Nothing is created or trusted outside the checkout.

This file only covers what pytest-ansible leaves open: pytest started from a directory below the root
(pytest-ansible looks for galaxy.yml in the directory pytest was started from), and telling the end-to-end
tests' ``ansible-playbook`` processes where the collection tree is.
Under ``ansible-test units`` (no pytest-ansible; ansible-test installs its own collection loader) it does nothing.
"""

import importlib
import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
COLLECTION = "ansible_collections.victorops.oncall"


def _collection_path():
    """The directory the collection is imported from (``.../ansible_collections/victorops/oncall``), or None."""
    try:
        spec = importlib.util.find_spec(COLLECTION)
    except ImportError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _complete_link_tree(tree):
    """pytest-ansible links the checkout's top-level entries once; link those added since (and none outside the checkout)."""
    for entry in ROOT.iterdir():
        link = tree / entry.name
        if entry.name != "collections" and not link.exists() and not link.is_symlink():
            try:
                link.symlink_to(entry)
            except FileExistsError:
                pass  # another pytest process linked it first


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if config.pluginmanager.getplugin("ansible") is None:
        return  # pytest-ansible is not loaded (for example under ansible-test units)
    if _collection_path() is None and not config.getoption("ansible_unit_inject_only"):
        # pytest-ansible injects only when started from the collection root; do the same for a start below it.
        importlib.import_module("pytest_ansible.units").inject(ROOT)
    found = _collection_path()
    if found is None:
        raise pytest.UsageError(
            "the collection is not importable as %s: run pytest from %s, or stage it at a path ending in "
            "collections/ansible_collections/victorops/oncall and set ANSIBLE_COLLECTIONS_PATH" % (COLLECTION, ROOT)
        )
    if found == ROOT / "collections" / "ansible_collections" / "victorops" / "oncall":
        _complete_link_tree(found)
    if (found / "galaxy.yml").resolve() != ROOT / "galaxy.yml":
        raise pytest.UsageError(
            "%s is imported from %s, which is not this checkout (%s); if it is a link tree left by a moved checkout, "
            "delete %s" % (COLLECTION, found, ROOT, ROOT / "collections")
        )
    # ansible-playbook processes started by the end-to-end tests load the collection from the same tree.
    os.environ["VICTOROPS_TEST_COLLECTIONS_ROOT"] = str(found.parents[2])
