"""victorops.oncall.victorops_team_member through a real ansible-playbook: --check and --diff given on the command
line, the FQCN, and the same tasks again sending no write.

Each behaviour of the module, with its exact requests, is tested in process: tests/unit/plugins/modules/test_team_member.py.
"""

import copy

import pytest
import yaml
from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import diff_of, run_twice, tasks_yaml

pytestmark = pytest.mark.slow

OPS = "team-Q2opsDemoTeam001"
DB = "team-Db4DemoTeamAb002"
MODULE = "victorops.oncall.victorops_team_member"
TASKS = yaml.safe_load(
    """
- name: add by slug
  victorops.oncall.victorops_team_member: {team: team-Q2opsDemoTeam001, username: cnguyen}
- name: add by name
  victorops.oncall.victorops_team_member: {team: database, username: bwong}
- name: remove
  victorops.oncall.victorops_team_member: {team: team-Q2opsDemoTeam001, username: asmith, state: absent, replacement: jdoe}
"""
)


def test_check_and_diff_from_the_command_line_then_a_run_and_a_rerun_without_writes(emulator, run_playbook):
    seeded = copy.deepcopy(emulator.state)

    run = run_playbook(tasks_yaml(*TASKS), check=True, diff=True)
    assert run.rc == 0, run
    assert all(record["action"] == MODULE for record in run.records)
    assert [run.result(task["name"])["changed"] for task in TASKS] == [True, True, True]
    assert diff_of(run.result("add by name")) == {
        "before": {"team": DB, "username": "bwong", "member": False},
        "after": {"team": DB, "username": "bwong", "member": True},
    }
    assert diff_of(run.result("remove"))["after"] == {"team": OPS, "username": "asmith", "member": False}
    assert '"member": true' in run.stdout  # --diff shows the change
    assert emulator.writes() == []
    assert emulator.state == seeded

    emulator.clear_log()
    run = run_playbook(tasks_yaml(*run_twice(TASKS)))
    assert run.rc == 0, run
    assert [run.result(task["name"])["changed"] for task in TASKS] == [True, True, True]
    assert [(w["method"], w["path"], w["body"]) for w in emulator.writes()] == [
        ("POST", "/api-public/v1/team/%s/members" % OPS, {"username": "cnguyen"}),
        ("POST", "/api-public/v1/team/%s/members" % DB, {"username": "bwong"}),
        ("DELETE", "/api-public/v1/team/%s/members/asmith" % OPS, {"replacement": "jdoe"}),
    ]
    assert emulator.state["teams"][OPS]["members"] == ["jdoe", "bwong", "cnguyen"]
    assert emulator.state["teams"][DB]["members"] == ["asmith", "cnguyen", "bwong"]
    for task in TASKS:
        again = run.result(task["name"] + " again")
        assert again["changed"] is False and again["api"]["writes"] == 0, (task["name"], again)
