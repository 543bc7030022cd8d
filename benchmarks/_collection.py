"""Makes this checkout importable as ``ansible_collections.victorops.oncall`` for the benchmark scripts."""

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _collections_root():
    """A directory holding ``ansible_collections/victorops/oncall``: a link to this checkout, made for the run."""
    root = Path(tempfile.mkdtemp(prefix="victorops-benchmark-collections-"))
    (root / "ansible_collections" / "victorops").mkdir(parents=True)
    (root / "ansible_collections" / "victorops" / "oncall").symlink_to(ROOT, target_is_directory=True)
    atexit.register(shutil.rmtree, str(root), True)
    return str(root)


COLLECTIONS_ROOT = _collections_root()
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)
