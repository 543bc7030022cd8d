# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The command line, ``python -m ansible_collections.victorops.oncall.tests.emulator``: its options and what it serves.

The helpers here (``collections_root``, ``free_port``, ``wait_for``, ``get``) serve the other tests that start it.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

HEADERS = {"X-VO-Api-Id": "demo-api-id", "X-VO-Api-Key": "demo-api-key"}


def collections_root():
    """The directory holding ansible_collections/ (set by the root conftest; derived from the package otherwise)."""
    from ansible_collections.victorops.oncall.tests import emulator

    derived = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(emulator.__file__))))))
    return os.environ.get("VICTOROPS_TEST_COLLECTIONS_ROOT", derived)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, process, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("emulator exited: %s" % process.stderr.read())
        try:
            with urllib.request.urlopen(url + "/_emulator/state", timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError("emulator did not start")


def get(url, path):
    request = urllib.request.Request(url + path, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_cli_serves_the_seed_with_faults_and_limits(tmp_path):
    port = free_port()
    root = collections_root()
    env = dict(os.environ, PYTHONPATH=root)
    seed = os.path.join(root, "ansible_collections", "victorops", "oncall", "tests", "emulator", "seeds", "default.yml")
    command = [
        sys.executable, "-m", "ansible_collections.victorops.oncall.tests.emulator",
        "--seed", seed, "--port", str(port), "--window", "30", "--limits", "seed", "--retry-after",
        "--fault", "GET:/api-public/v1/user:503:2",
        "--fault", "GET:/api-public/v1/team:delay:1:seconds=0.01",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = "http://127.0.0.1:%d" % port
        assert process.stdout.readline().strip() == "VictorOps emulator listening on " + url
        wait_for(url, process)
        status, body = get(url, "/api-public/v1/profile/jdoe/policies")
        assert status == 200
        assert [step["timeout"] for step in body["steps"]] == [5, 10]
        assert [get(url, "/api-public/v1/user")[0] for dummy in range(3)] == [503, 503, 200]
        assert get(url, "/api-public/v1/team")[0] == 200
        assert get(url, "/api-public/v1/policies")[0] == 200
        refused = urllib.request.Request(url + "/api-public/v1/policies", headers=HEADERS)
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(refused, timeout=5)
        assert (caught.value.code, caught.value.headers["Retry-After"]) == (429, "30")
        with urllib.request.urlopen(url + "/_emulator/log", timeout=5) as response:
            log = json.loads(response.read())
        assert [(e["path"], e["status"], e["fault"]) for e in log][1:6] == [
            ("/api-public/v1/user", 503, "503"),
            ("/api-public/v1/user", 503, "503"),
            ("/api-public/v1/user", 200, None),
            ("/api-public/v1/team", 200, "delay"),
            ("/api-public/v1/policies", 200, None),
        ]
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_cli_rejects_a_malformed_fault():
    env = dict(os.environ, PYTHONPATH=collections_root())
    result = subprocess.run(
        [sys.executable, "-m", "ansible_collections.victorops.oncall.tests.emulator", "--fault", "GET:/x:boom"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown fault kind 'boom'" in result.stderr
