"""Several ansible-playbook processes and forks on one API key, at the documented (2018) limits.

The emulator enforces the seed limits with a 1-second window (the suite's), so the limits bite: listing
the escalation policies is allowed once per window, and every person's play lists them. The pacer,
shared through its state file, must keep every process under the limits: no 429 is ever answered,
so none can reach a task result.
"""

import itertools
import json
import os
import signal
import subprocess
import sys
import time

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
# The window only sets how long the limit that bites makes the runs wait: the pacer moves each slot to the
# request's completion, so a shorter window costs no margin against a 429.
WINDOW = 1.0
LIST_POLICIES = "GET /api-public/v1/policies"

PERSON_PLAY = """
- name: converge one person per host
  hosts: all
  gather_facts: false
  tasks:
    - name: user
      victorops.oncall.victorops_user:
        username: "{{ person }}"
        first_name: Con
        last_name: "{{ person | title }}"
        email: "{{ person }}@example.com"
    - name: phone
      victorops.oncall.victorops_contact_method:
        username: "{{ person }}"
        kind: phone
        value: "{{ phone }}"
        label: Mobile
        rank: 1
    - name: team
      victorops.oncall.victorops_team_member:
        team: Operations
        username: "{{ person }}"
    - name: first step
      victorops.oncall.victorops_paging_step:
        username: "{{ person }}"
        step: 0
        timeout: 5
        rules: [{type: push}, {type: sms, contact: "{{ phone }}"}]
    - name: second step
      victorops.oncall.victorops_paging_step:
        username: "{{ person }}"
        step: 1
        timeout: 10
        rules: [{type: phone, contact: "{{ phone }}"}, {type: email, contact: Default}]
    - name: escalation policies
      victorops.oncall.victorops_policy_info:
        escalation_policies: true
"""
TASKS = ("user", "phone", "team", "first step", "second step", "escalation policies")


def person(number):
    return "con%d" % number, "+1-555-03%02d" % number


def write_inventory(path, numbers):
    lines = [
        "%s ansible_connection=local ansible_python_interpreter=%s person=%s phone=%s" % ("host%d" % n, sys.executable, person(n)[0], person(n)[1])
        for n in numbers
    ]
    path.write_text("\n".join(lines) + "\n")


def start(tmp_path, env, name, numbers, forks=None, play=PERSON_PLAY):
    inventory = tmp_path / ("%s.ini" % name)
    write_inventory(inventory, numbers)
    playbook = tmp_path / ("%s.yml" % name)
    playbook.write_text(play)
    results = tmp_path / ("%s.jsonl" % name)
    args = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    if forks:
        args += ["--forks", str(forks)]
    proc = subprocess.Popen(
        args,
        cwd=tmp_path,
        env=dict(env, VICTOROPS_TEST_RESULTS=str(results)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    return proc, results


def records(results):
    if not results.exists():
        return []
    return [json.loads(line) for line in results.read_text().splitlines() if line.strip()]


@pytest.fixture
def paced_world(tmp_path, ansible_env):
    """An emulator at the seed limits with a WINDOW-second window, and the environment of processes aimed at it."""
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    emu = Emulator(window=WINDOW, limits="seed")
    emu.start()
    # The table the server enforces, pinned: this is the steady state, where the budget is shared and no
    # answer is throttled. Learning the table (rate_limit_profile auto) is tested in test_pacing_adaptive.py.
    env = dict(ansible_env, VICTOROPS_API_URL=emu.url, VICTOROPS_RATE_WINDOW=str(WINDOW), VICTOROPS_RATE_LIMIT_PROFILE="2018")
    try:
        yield emu, env
    finally:
        emu.stop()


def expected_policy(emu, username, phone):
    methods = emu.state["users"][username]["contact_methods"]
    (phone_id,) = [c["id"] for c in methods["phones"] if c["value"] == phone]
    (email_id,) = [c["id"] for c in methods["emails"] if c["label"] == "Default"]
    return [
        {"timeout": 5, "rules": [{"type": "push", "contact_id": None}, {"type": "sms", "contact_id": phone_id}]},
        {"timeout": 10, "rules": [{"type": "phone", "contact_id": phone_id}, {"type": "email", "contact_id": email_id}]},
    ]


@pytest.mark.long
def test_three_playbooks_and_five_forks_at_once_all_converge_without_a_429(tmp_path, paced_world):
    emu, env = paced_world
    runs = [start(tmp_path, env, "single%d" % n, [n]) for n in (1, 2, 3)]
    runs.append(start(tmp_path, env, "forks", [4, 5, 6, 7, 8], forks=5))
    for proc, _results in runs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, "STDOUT:\n%s\nSTDERR:\n%s" % (stdout, stderr)
        assert "Traceback" not in stdout + stderr

    seen = [record for _proc, results in runs for record in records(results)]
    assert len(seen) == 8 * len(TASKS)  # every task of every person ran once
    for record in seen:
        result = record["result"]
        assert record["status"] == "ok", record
        # Zero 429s reach a task result: nothing was retried, no warning speaks of throttling.
        assert result["api"]["retries"] == 0, record
        assert not [w for w in result.get("warnings", []) if "rate limited" in w or "429" in w], record
        if record["task"] != "escalation policies":
            assert result["changed"] is True, record

    # The emulator answered no 429 at all: the pacer kept every process under every limit.
    assert [e for e in emu.log if e["status"] in (429, 403)] == []
    # The limit that bites: 8 lists of escalation policies, one per window, so the later ones waited.
    lists = sorted(e["time"] for e in emu.calls(operation=LIST_POLICIES))
    assert len(lists) == 8
    gaps = [b - a for a, b in itertools.pairwise(lists)]
    assert min(gaps) >= WINDOW - 0.1, gaps  # tolerance: the log stamps arrival, the limiter counts a moment later
    # (How long each process waited is not asserted: on a loaded machine the processes reach the list at moments
    # far enough apart that the pacer has less or nothing to wait; the gaps above hold under any load.)

    for n in range(1, 9):
        username, phone = person(n)
        user = emu.state["users"][username]
        assert [c["value"] for c in user["contact_methods"]["phones"]] == [phone]
        assert user["paging_policy"] == expected_policy(emu, username, phone)
    members = emu.state["teams"]["team-Q2opsDemoTeam001"]["members"]
    assert sorted(m for m in members if m.startswith("con")) == ["con%d" % n for n in range(1, 9)]
    assert len(members) == len(set(members))


LIST_PLAY = """
- name: list escalation policies, paced
  hosts: all
  gather_facts: false
  tasks:
""" + "".join(
    """    - name: list %d
      victorops.oncall.victorops_policy_info:
        escalation_policies: true
"""
    % n
    for n in range(1, 7)
)


def test_a_playbook_killed_mid_run_leaves_no_lock_and_no_lost_budget(tmp_path, paced_world):
    emu, env = paced_world
    proc, results = start(tmp_path, env, "killed", [1], play=LIST_PLAY)
    # Six lists at one per window take over five windows: one second after the first has run, the rest is mid-run.
    deadline = time.monotonic() + 60
    while not records(results) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGKILL)  # the playbook and its module processes: the whole group started above
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert 1 <= len(records(results)) < 6  # killed mid-run

    state_files = [p for p in (tmp_path / "pacing").iterdir() if p.suffix == ".json"]
    assert len(state_files) == 1

    # A new run takes the lock at once and waits at most for the reservations of the dead process.
    began = time.monotonic()
    proc, results = start(tmp_path, env, "after", [1], play=LIST_PLAY)
    stdout, stderr = proc.communicate(timeout=120)
    elapsed = time.monotonic() - began
    assert proc.returncode == 0, "STDOUT:\n%s\nSTDERR:\n%s" % (stdout, stderr)
    seen = records(results)
    assert [r["status"] for r in seen] == ["ok"] * 6
    first_wait = seen[0]["result"]["api"]["pacing_wait"]
    # A dead process's reservation expires one window after it was made. The bounds leave room for a loaded machine:
    # they fail only on waits of several windows (a reservation or a lock that outlived its owner).
    assert first_wait < 3 * WINDOW, first_wait
    assert elapsed < 5 * WINDOW + 60, elapsed
    assert all(r["result"]["api"]["retries"] == 0 for r in seen)
    assert [e for e in emu.log if e["status"] in (429, 403)] == []
    json.loads(state_files[0].read_text())  # still a readable state file
