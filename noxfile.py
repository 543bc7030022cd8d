"""nox sessions for working on one part of the suite: ``nox -s lint``, ``nox -s unit``, ``nox -s e2e``, ``nox -s sanity``.

scripts/test.sh stays the one command that runs every gate (CI and the README run it); these sessions run a part of
it the same way, with the tools installed beside nox, that is in the .venv scripts/test.sh creates:

    bash scripts/test.sh            # once, to create .venv (or: python3.11 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt)
    .venv/bin/nox -l                # list the sessions
    .venv/bin/nox -s unit           # pytest -q -n 2 tests/unit
    .venv/bin/nox -s unit -- -x tests/unit/plugins/module_utils/test_pacing.py   # after --: replaces pytest's arguments
    .venv/bin/nox -s sanity -- --local --python 3.11 --test pylint               # after --: replaces ansible-test's arguments

No session creates a virtual environment. Sessions that need the collection at a path ending in
ansible_collections/victorops/oncall (mypy, ansible-lint, ansible-test) copy it into a private temporary directory
first, as scripts/test.sh does, and remove the copy afterwards.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
COLLECTION_PACKAGE = "ansible_collections.victorops.oncall"

nox.options.sessions = ["lint", "unit"]
nox.options.default_venv_backend = "none"


def tool(name):
    """A tool installed beside nox (the .venv), by full path, so that PATH does not matter."""
    path = BIN / name
    if not path.exists():
        raise SystemExit("%s is not installed in %s: install requirements-dev.txt there (bash scripts/test.sh does)" % (name, BIN))
    return str(path)


class Staged:
    """The collection copied to <private tmp>/collections/ansible_collections/victorops/oncall (a context manager)."""

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="victorops-oncall-nox.")  # mode 0700: no other user can plant files in it
        self.collections = os.path.join(self.tmp, "collections")
        self.path = os.path.join(self.collections, "ansible_collections", "victorops", "oncall")
        subprocess.run([sys.executable, str(ROOT / "ci" / "stage.py"), str(ROOT), self.path], check=True)
        return self

    def __exit__(self, *exc_info):
        shutil.rmtree(self.tmp, ignore_errors=True)


def env_with_bin(**extra):
    """PATH with the .venv first; the API spec beside the repository for the emulator's conformance tests, when present."""
    env = {"PATH": "%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", ""))}
    spec = ROOT.parent / "shared" / "victorops-api" / "victorops-api-v1.yaml"
    if spec.exists() and "VICTOROPS_API_SPEC" not in os.environ:
        env["VICTOROPS_API_SPEC"] = str(spec)
    env.update(extra)
    return env


@nox.session(python=False)
def lint(session):
    """ruff, ruff format --check, yamllint, the version check, mypy on plugins/module_utils and ansible-lint."""
    session.run(tool("ruff"), "check", ".")
    session.run(tool("ruff"), "format", "--check", ".")
    session.run(tool("yamllint"), "-s", ".")
    session.run(tool("python"), "ci/version.py", "--check")
    with Staged() as staged:
        session.chdir(staged.path)
        session.run(
            tool("mypy"),
            "--cache-dir",
            os.path.join(staged.tmp, "mypy-cache"),
            "-p",
            COLLECTION_PACKAGE + ".plugins.module_utils",
            env=env_with_bin(MYPYPATH=staged.collections),
        )
        session.run(
            tool("ansible-lint"),
            "--offline",
            "--profile",
            "production",
            env=env_with_bin(ANSIBLE_COLLECTIONS_PATH=staged.collections),
        )
        session.chdir(str(ROOT))


@nox.session(python=False)
def unit(session):
    """The unit tests (modules in-process, module_utils, the emulator) with pytest from the checkout."""
    session.run(tool("pytest"), *(session.posargs or ["-q", "-n", "2", "tests/unit"]), env=env_with_bin())


@nox.session(python=False)
def e2e(session):
    """The end-to-end tests: real ansible-playbook runs (and in-process module runs) against the emulator."""
    session.run(tool("pytest"), *(session.posargs or ["-q", "-n", "2", "tests/e2e"]), env=env_with_bin())


@nox.session(python=False)
def sanity(session):
    """ansible-test sanity on a staged copy, with the ansible-core in .venv (arguments after -- replace the defaults)."""
    ansible_test = Path(tool("ansible-test"))
    at_dir = subprocess.run(
        [tool("python"), "-c", "import ansible_test, os; print(os.path.dirname(ansible_test.__file__))"], check=True, capture_output=True, text=True
    ).stdout.strip()
    # ansible-test downloads a get-pip script from a host that may be unreachable; install the offline stand-in.
    requirements = Path(at_dir, "_internal", "python_requirements.py").read_text(encoding="utf-8")
    pip_version = requirements.split("pip='", 1)[1].split("'", 1)[0]
    cache = Path.home() / ".ansible" / "test" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "ci" / "get_pip_shim.py", cache / ("get_pip_%s.py" % pip_version.replace(".", "_")))
    python = "%d.%d" % sys.version_info[:2]
    with Staged() as staged:
        session.chdir(staged.path)
        args = session.posargs or ["--local", "--python", python, "--color", "no"]
        session.run(str(ansible_test), "sanity", *args, env=env_with_bin(ANSIBLE_COLLECTIONS_PATH=staged.collections))
        session.chdir(str(ROOT))
