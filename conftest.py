"""Make the collection importable as ``ansible_collections.victorops.oncall`` wherever it is checked out.

Python can only import the collection's code through the ``ansible_collections`` namespace.
When the checkout already sits at ``.../ansible_collections/victorops/oncall`` (CI stages it
there for ansible-test) nothing is done. Otherwise a symlink farm outside the tree points at it,
so that tools walking the tree never see a loop.
"""

import hashlib
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.abspath(__file__))


def _collections_root():
    parts = ROOT.split(os.sep)
    if parts[-3:] == ["ansible_collections", "victorops", "oncall"]:
        return os.sep.join(parts[:-3])
    digest = hashlib.sha256(ROOT.encode()).hexdigest()[:12]
    base = os.path.join(tempfile.gettempdir(), "victorops-oncall-%s" % digest)
    link = os.path.join(base, "ansible_collections", "victorops", "oncall")
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        try:
            os.symlink(ROOT, link)
        except FileExistsError:
            pass
    return base


COLLECTIONS_ROOT = _collections_root()
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)
os.environ.setdefault("VICTOROPS_TEST_COLLECTIONS_ROOT", COLLECTIONS_ROOT)
