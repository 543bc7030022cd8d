"""victorops.oncall.victorops_user through a real ansible-playbook: --check and --diff given on the command line, the
FQCN, the warnings the controller shows, and the same tasks again sending no write.

Each behaviour of the module, with its exact requests, is tested in process: tests/unit/plugins/modules/test_user.py.
"""

import copy

import pytest
import yaml
from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import diff_of, run_twice, tasks_yaml

pytestmark = pytest.mark.slow

GET_USER = "GET /api-public/v1/user/{user}"
MODULE = "victorops.oncall.victorops_user"
TASKS = yaml.safe_load(
    """
- name: create
  victorops.oncall.victorops_user: {username: newhire, first_name: Nora, last_name: Hire, email: nora.hire@example.com, expiration_hours: 48}
- name: rename
  victorops.oncall.victorops_user: {username: jdoe, first_name: Johnny, last_name: Doe}
- name: remove
  victorops.oncall.victorops_user: {username: cnguyen, state: absent, replacement: asmith}
- name: other email
  victorops.oncall.victorops_user: {username: bwong, email: Bob.Wong@EXAMPLE.com}
- name: changed email
  victorops.oncall.victorops_user: {username: asmith, email: alice@example.org}
"""
)
EMAIL_WARNING = (
    "The email address of user 'asmith' is 'alice.smith@example.com'; the API cannot change it to 'alice@example.org', "
    "so it is left as it is. Change it in the VictorOps web application."
)


def test_check_and_diff_from_the_command_line_then_a_run_and_a_rerun_without_writes(emulator, run_playbook):
    seeded = copy.deepcopy(emulator.state)

    run = run_playbook(tasks_yaml(*TASKS), check=True, diff=True)
    assert run.rc == 0, run
    assert all(record["action"] == MODULE for record in run.records)
    assert [run.result(task["name"])["changed"] for task in TASKS] == [True, True, True, False, False]
    assert diff_of(run.result("create")) == {"before": {}, "after": run.result("create")["user"]}
    assert diff_of(run.result("rename"))["after"]["first_name"] == "Johnny"
    assert diff_of(run.result("remove"))["after"] == {}
    assert "newhire" in run.stdout  # --diff shows the predicted user
    assert [call["operation"] for call in emulator.calls()] == [GET_USER] * len(TASKS)
    assert emulator.writes() == []
    assert emulator.state == seeded

    emulator.clear_log()
    run = run_playbook(tasks_yaml(*run_twice(TASKS)))
    assert run.rc == 0, run
    assert [run.result(task["name"])["changed"] for task in TASKS] == [True, True, True, False, False]
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("POST", "/api-public/v1/user"),
        ("PUT", "/api-public/v1/user/jdoe"),
        ("DELETE", "/api-public/v1/user/cnguyen"),
    ]
    assert emulator.state["users"]["newhire"]["firstName"] == "Nora"
    assert emulator.state["users"]["jdoe"]["firstName"] == "Johnny"
    assert "cnguyen" not in emulator.state["users"]
    for task in TASKS:
        again = run.result(task["name"] + " again")
        assert again["changed"] is False and again["api"]["writes"] == 0, (task["name"], again)
    # The email of an existing user cannot be changed: left as it is, with a warning the controller shows; the same
    # address in another case is the same address.
    assert run.result("changed email")["warnings"] == [EMAIL_WARNING]
    assert "warnings" not in run.result("other email")
    assert EMAIL_WARNING.split(";", maxsplit=1)[0] in run.stdout + run.stderr
    assert emulator.state["users"]["asmith"]["email"] == "alice.smith@example.com"
