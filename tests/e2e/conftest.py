"""Fixtures for end-to-end tests: real ansible-playbook processes against the emulator."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
API_ID = "demo-api-id"
API_KEY = "demo-api-key"
# The emulator and the modules' pacer read the same window: a 60-second API minute lasts one second here.
RATE_WINDOW = "1.0"


class PlaybookRun:
    """The outcome of one ansible-playbook process."""

    def __init__(self, proc, results):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.records = results

    def result(self, task):
        """The result of the task named ``task`` (the last one if it ran more than once)."""
        matches = [r["result"] for r in self.records if r["task"] == task]
        assert matches, "task %r did not run; stdout:\n%s\nstderr:\n%s" % (task, self.stdout, self.stderr)
        return matches[-1]

    def status(self, task):
        return [r["status"] for r in self.records if r["task"] == task][-1]

    def __repr__(self):
        return "PlaybookRun(rc=%s)\nSTDOUT:\n%s\nSTDERR:\n%s" % (self.rc, self.stdout, self.stderr)


@pytest.fixture
def emulator():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    emu = Emulator(window=float(RATE_WINDOW))
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def ansible_env(tmp_path, emulator):
    """Environment of an ansible-playbook process aimed at the emulator."""
    collections_root = os.environ.get("VICTOROPS_TEST_COLLECTIONS_ROOT") or str(HERE.parents[4])
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=collections_root,
        ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="result_capture",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
        VICTOROPS_API_URL=emulator.url,
        VICTOROPS_API_ID=API_ID,
        VICTOROPS_API_KEY=API_KEY,
        VICTOROPS_RATE_WINDOW=RATE_WINDOW,
        VICTOROPS_PACING_STATE_DIR=str(tmp_path / "pacing"),
    )
    return env


@pytest.fixture
def run_playbook(tmp_path, ansible_env):
    """run_playbook(tasks_yaml, check=False, diff=False, extra_args=(), env=None, play=None) -> PlaybookRun.

    ``tasks_yaml`` is the body of a play's ``tasks:`` list; ``play`` replaces the whole playbook.
    """
    counter = {"n": 0}

    def run(tasks=None, check=False, diff=False, extra_args=(), env=None, play=None, timeout=600):
        counter["n"] += 1
        n = counter["n"]
        inventory = tmp_path / "inventory.ini"
        inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
        if play is None:
            play = "- name: e2e\n  hosts: localhost\n  gather_facts: false\n  tasks:\n" + textwrap.indent(textwrap.dedent(tasks), "    ")
        playbook = tmp_path / ("play%d.yml" % n)
        playbook.write_text(play)
        results = tmp_path / ("results%d.jsonl" % n)
        run_env = dict(ansible_env, VICTOROPS_TEST_RESULTS=str(results))
        run_env.update(env or {})
        args = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)]
        if check:
            args.append("--check")
        if diff:
            args.append("--diff")
        args.extend(extra_args)
        proc = subprocess.run(args, cwd=tmp_path, env=run_env, capture_output=True, text=True, timeout=timeout, check=False)
        records = []
        if results.exists():
            records = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
        return PlaybookRun(proc, records)

    return run
