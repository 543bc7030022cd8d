"""Copy the collection to DEST (a path ending in ansible_collections/victorops/oncall).

ansible-test needs the collection at such a real path (a symlink is not enough). With git, the
copy holds the tracked files plus untracked files that are not ignored, exactly what ansible-test
would consider; without git, everything except virtual environments, caches and build output.
"""

import os
import shutil
import subprocess
import sys

SKIP_DIRS = {
    ".git",
    ".venv",
    ".venv312",
    ".venv-importer",
    ".ansible",
    ".cache",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    ".nox",
    ".hypothesis",
    "__pycache__",
    "dist",
    "build",
    "collections",
    ".demo",
}


def git_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return sorted({f for f in out.decode().split("\0") if f})


def walk_files(root):
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        rel = os.path.relpath(base, root)
        if rel.split(os.sep)[:2] == ["tests", "output"]:
            dirs[:] = []
            continue
        for name in files:
            yield os.path.normpath(os.path.join(rel, name))


def main():
    root, dest = sys.argv[1], sys.argv[2]
    if not dest.rstrip("/").endswith(os.path.join("ansible_collections", "victorops", "oncall")):
        sys.exit("destination must end in ansible_collections/victorops/oncall")
    files = git_files(root)
    if files is None:
        files = list(walk_files(root))
    copied = 0
    for rel in files:
        src = os.path.join(root, rel)
        if not os.path.isfile(src) or os.path.islink(src):
            continue  # deleted in the work tree, or a symlink
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(src, target)
        copied += 1
    print("staged %d files at %s" % (copied, dest))


if __name__ == "__main__":
    main()
