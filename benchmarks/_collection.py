"""Makes this checkout importable as ``ansible_collections.victorops.oncall`` for the benchmark scripts."""

import atexit
import functools
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def importable_collection():
    """A directory holding ``ansible_collections/victorops/oncall`` (a link to this checkout, removed at exit),
    put first on ``sys.path``; the same directory on every call."""
    root = Path(tempfile.mkdtemp(prefix="victorops-benchmark-collections-"))
    (root / "ansible_collections" / "victorops").mkdir(parents=True)
    (root / "ansible_collections" / "victorops" / "oncall").symlink_to(ROOT, target_is_directory=True)
    atexit.register(shutil.rmtree, str(root), True)
    sys.path.insert(0, str(root))
    return str(root)
