# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/emulator.sh: which Python it builds the emulator's environment with, and that the emulator needs only PyYAML.

The script runs for real, with a PATH holding only the shell tools it uses and fake Python commands that answer the
version probe and record any other call (and then fail, so that no environment is built).
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .test_emulator_cli import collections_root

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "emulator.sh"
TOOLS = ("bash", "dirname", "basename", "mkdir", "ln", "grep", "tr", "cat")
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="scripts/emulator.sh is not in this copy of the collection")


@pytest.fixture
def fake_path(tmp_path):
    """fake_path(python3_13=..., ...) -> (PATH, log file): a PATH with the shell tools and the given fake Pythons.

    A value is a version ("3.12"), or None for a command that exists but does not run (a pyenv shim of a version
    that is not installed, say).
    """
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in TOOLS:
        (tools / tool).symlink_to(shutil.which(tool))
    log = tmp_path / "calls.log"

    def make(**pythons):
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        for name, version in pythons.items():
            write_fake_python(bin_dir / name.replace("_", "."), version, log)
        return "%s:%s" % (bin_dir, tools), log

    return make


def write_fake_python(path, version, log):
    if version is None:
        body = 'echo "pyenv: $(basename "$0"): command not found" >&2\nexit 127\n'
    else:
        major, minor = version.split(".")
        too_old = "1" if (int(major), int(minor)) < (3, 11) else "0"
        # The version probe is the only "-c" call the script makes of a Python it has not built.
        body = 'if [ "$1" = -c ]; then echo %s; exit %s; fi\necho "$0 $*" >> %s\nexit 3\n' % (version, too_old, log)
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


def run_script(path, tmp_path, **env):
    environment = {"PATH": path, "HOME": str(tmp_path), "VICTOROPS_EMULATOR_VENV": str(tmp_path / "venv")}
    environment.update(env)
    return subprocess.run(
        [shutil.which("bash"), str(SCRIPT), "--port", "0"], env=environment, capture_output=True, text=True, timeout=60, check=False, cwd=str(tmp_path)
    )


def calls(log):
    return log.read_text().splitlines() if log.exists() else []


def test_the_first_python_that_is_recent_enough_builds_the_environment(fake_path, tmp_path):
    # python3.13 is a shim of a version that is not installed; python3.12 is the first that runs.
    path, log = fake_path(python3_13=None, python3_12="3.12", python3_11="3.11", python3="3.11")
    result = run_script(path, tmp_path)
    assert result.returncode == 3, result  # the fake's "python -m venv" fails: nothing further is attempted
    assert "emulator.sh: first use: creating %s with python3.12 (Python 3.12)" % (tmp_path / "venv") in result.stderr
    assert calls(log) == ["%s -m venv %s" % (tmp_path / "bin" / "python3.12", tmp_path / "venv")]


def test_an_older_python_is_passed_over(fake_path, tmp_path):
    path, log = fake_path(python3_11="3.10", python3="3.13")
    result = run_script(path, tmp_path)
    assert "creating %s with python3 (Python 3.13)" % (tmp_path / "venv") in result.stderr, result
    assert calls(log) == ["%s -m venv %s" % (tmp_path / "bin" / "python3", tmp_path / "venv")]


def test_victorops_python_wins_over_the_search(fake_path, tmp_path):
    path, log = fake_path(python3_13="3.13", python3_11="3.11")
    chosen = tmp_path / "bin" / "python3.11"
    result = run_script(path, tmp_path, VICTOROPS_PYTHON=str(chosen))
    assert "creating %s with %s (Python 3.11)" % (tmp_path / "venv", chosen) in result.stderr, result
    assert calls(log) == ["%s -m venv %s" % (chosen, tmp_path / "venv")]


def test_a_victorops_python_too_old_is_refused_with_its_version(fake_path, tmp_path):
    path, log = fake_path(python3_10="3.10", python3_12="3.12")
    old = tmp_path / "bin" / "python3.10"
    result = run_script(path, tmp_path, VICTOROPS_PYTHON=str(old))
    assert result.returncode == 1
    assert result.stderr.strip() == "emulator.sh: VICTOROPS_PYTHON=%s is Python 3.10, not a Python 3.11 or newer that runs; point it at one" % old
    assert calls(log) == [] and not (tmp_path / "venv").exists()


def test_no_python_recent_enough_is_a_clear_failure_before_anything_is_made(fake_path, tmp_path):
    path, log = fake_path(python3_13=None, python3="3.10")
    result = run_script(path, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "emulator.sh: found no Python 3.11 or newer (tried python3.13, python3.12, python3.11, python3); set VICTOROPS_PYTHON to one"
    )
    assert calls(log) == [] and not (tmp_path / "venv").exists()


def test_an_environment_made_before_is_used_as_it_is(fake_path, tmp_path):
    # A made environment answers "import yaml": no Python is searched for, nothing is installed, the options pass through.
    path, log = fake_path()
    venv_python = tmp_path / "venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text('#!/bin/bash\nif [ "$1" = -c ]; then exit 0; fi\necho "$0 $* PYTHONPATH=$PYTHONPATH" >> %s\n' % log)
    venv_python.chmod(0o755)
    result = run_script(path, tmp_path)
    assert result.returncode == 0, result
    assert "first use" not in result.stderr and "installing" not in result.stderr
    [call] = calls(log)
    assert call.startswith("%s -m ansible_collections.victorops.oncall.tests.emulator --port 0 PYTHONPATH=" % venv_python)
    assert (Path(call.partition("PYTHONPATH=")[2]) / "ansible_collections" / "victorops" / "oncall" / "tests" / "emulator").is_dir()


def test_the_requirements_are_pyyaml_alone():
    requirements = SCRIPT.parents[1] / "tests" / "emulator" / "requirements.txt"
    lines = [line for line in requirements.read_text().splitlines() if line and not line.startswith("#")]
    assert lines == ["PyYAML>=6.0"]


def test_the_emulator_serves_with_only_the_standard_library_and_pyyaml(tmp_path):
    # -I -S: no site-packages, no user site, no PYTHONPATH; then only the collection tree and a directory holding PyYAML.
    import yaml

    only_yaml = tmp_path / "only-yaml"
    only_yaml.mkdir()
    (only_yaml / "yaml").symlink_to(os.path.dirname(yaml.__file__))
    program = textwrap.dedent(
        """
        import sys
        sys.path += [sys.argv[1], sys.argv[2]]
        import json, urllib.request
        from ansible_collections.victorops.oncall.tests.emulator import Emulator
        with Emulator(window=60) as emulator:
            request = urllib.request.Request(emulator.url + "/api-public/v1/user/jdoe", headers={"X-VO-Api-Id": "demo-api-id", "X-VO-Api-Key": "demo-api-key"})
            print(json.load(urllib.request.urlopen(request, timeout=10))["username"])
        print(sorted(name.split(".")[0] for name in sys.modules if name.split(".")[0] in ("requests", "ansible", "cryptography", "urllib3")))
        """
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", program, collections_root(), str(only_yaml)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result
    assert result.stdout.splitlines() == ["jdoe", "[]"]
