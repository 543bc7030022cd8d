"""The execution environment definition produces a build context holding the collection and its Python requirement.

No container runtime is needed: only ``ansible-builder create`` (the build context) and ``ansible-builder introspect``
(the step of the image build that gathers the collections' Python requirements) run here. The build context left in
the checkout is neither tracked nor packed, and the demo's environment runs ansible without a warning.
"""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(args, cwd, env=None):
    proc = subprocess.run([str(a) for a in args], cwd=str(cwd), env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, "%s\nSTDOUT:\n%s\nSTDERR:\n%s" % (args, proc.stdout, proc.stderr)
    return proc


# Built once for the tests of this file: neither of them changes dist/, and the build is the slow part.
@pytest.fixture(scope="module")
def ee_dir(tmp_path_factory):
    """A copy of execution-environment.yml next to dist/, holding what ci/build.sh builds from this checkout."""
    directory = tmp_path_factory.mktemp("ee")
    (directory / "dist").mkdir(parents=True)
    shutil.copy(ROOT / "execution-environment.yml", directory / "execution-environment.yml")
    env = dict(os.environ, PATH="%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")), PYTHON=sys.executable)
    run(["bash", ROOT / "ci" / "build.sh", directory / "dist"], cwd=ROOT, env=env)
    return directory


def test_build_context_installs_the_collection_tarball(ee_dir):
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    tarball = "victorops-oncall-%s.tar.gz" % version
    assert sorted(p.name for p in (ee_dir / "dist").iterdir()) == ["requirements.yml", tarball]

    run([BIN / "ansible-builder", "create", "-f", "execution-environment.yml", "-c", "context", "--output-filename", "Containerfile"], cwd=ee_dir)

    context = ee_dir / "context"
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core==2.19.14 ansible-runner==2.4.3"' in containerfile
    assert (
        "RUN ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS "
        '-r requirements.yml --collections-path "/usr/share/ansible/collections"'
    ) in containerfile
    # The builder stage gathers the collections' Python requirements and installs them.
    assert "RUN $PYCMD /output/scripts/introspect.py introspect --write-bindep=/tmp/src/bindep.txt --write-pip=/tmp/src/requirements.txt" in containerfile
    assert yaml.safe_load((context / "_build" / "requirements.yml").read_text()) == {
        "collections": [{"name": "/build/collections/%s" % tarball, "type": "file"}],
    }
    # The galaxy stage copies _build to /build, where the requirement above points.
    assert "COPY _build /build" in containerfile
    assert (context / "_build" / "collections" / tarball).read_bytes() == (ee_dir / "dist" / tarball).read_bytes()


def test_builder_gathers_requests_from_the_collection(ee_dir, tmp_path):
    collections = tmp_path / "collections"
    (tarball,) = (ee_dir / "dist").glob("*.tar.gz")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections))
    run([BIN / "ansible-galaxy", "collection", "install", "-p", collections, tarball], cwd=tmp_path, env=env)
    pip_file = tmp_path / "requirements.txt"

    proc = run([BIN / "ansible-builder", "introspect", "--write-pip", pip_file, collections], cwd=tmp_path)

    gathered = yaml.safe_load(proc.stdout.split("\n", 1)[1])
    wanted = [
        "requests>=2.25  # from collection victorops.oncall",
        "urllib3>=2.6  # from collection victorops.oncall",
        "tzdata>=2024.1  # from collection victorops.oncall",
    ]
    assert gathered == {"python": wanted, "system": []}
    assert pip_file.read_text().splitlines() == wanted
    # What the builder read: the collection's own metadata, pointing at its requirements.txt.
    installed = collections / "ansible_collections" / "victorops" / "oncall"
    assert yaml.safe_load((installed / "meta" / "execution-environment.yml").read_text()) == {"version": 1, "dependencies": {"python": "requirements.txt"}}


def test_a_build_context_in_the_checkout_is_neither_tracked_nor_packed(tmp_path):
    # A copy of the checkout as ci/stage.py makes it, with what `ansible-builder create` leaves behind.
    staged = tmp_path / "ansible_collections" / "victorops" / "oncall"
    run([sys.executable, ROOT / "ci" / "stage.py", ROOT, staged], cwd=tmp_path)
    (staged / "context" / "_build").mkdir(parents=True)
    (staged / "context" / "Dockerfile").write_text("FROM scratch\n")
    (staged / "context" / "_build" / "requirements.yml").write_text("collections: []\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path))
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path / "out"], cwd=staged, env=env)
    (tarball,) = (tmp_path / "out").glob("*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "galaxy.yml" not in names and "MANIFEST.json" in names  # the collection itself is there
    assert [name for name in names if name.split("/")[0] == "context"] == []
    if shutil.which("git") and (ROOT / ".git").exists():
        ignored = subprocess.run(
            ["git", "-C", str(ROOT), "check-ignore", "--no-index", "context/Dockerfile", "context/_build/requirements.yml"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert ignored.stdout.split() == ["context/Dockerfile", "context/_build/requirements.yml"], ignored


def test_the_demo_environment_runs_ansible_without_a_cryptography_warning():
    # ansible-core imports DSA for its ssh-agent support; cryptography 51 deprecates DSA with a warning at import.
    demo = dict(line.split("==") for line in (ROOT / "requirements-demo.txt").read_text().splitlines() if line.startswith("cryptography"))
    dev = dict(line.split("==") for line in (ROOT / "requirements-dev.txt").read_text().splitlines() if line.startswith("cryptography"))
    assert demo == dev == {"cryptography": demo.get("cryptography")} and demo["cryptography"].split(".")[0] == "50"
    import cryptography

    assert cryptography.__version__ == demo["cryptography"]  # the version this check runs with is the demo's
    proc = run([sys.executable, "-W", "error", "-c", "import ansible._internal._ssh._ssh_agent"], cwd=ROOT)
    assert proc.stderr == ""
