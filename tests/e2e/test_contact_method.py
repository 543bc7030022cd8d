"""victorops.oncall.victorops_contact_method through a real ansible-playbook: --check and --diff given on the command
line, the FQCN, the warning the controller shows, and the same tasks again sending no write.

Each behaviour of the module, with its exact requests, is tested in process: tests/unit/plugins/modules/test_contact_method.py.
"""

import copy

import pytest
import yaml
from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import diff_of, run_twice, tasks_yaml

pytestmark = pytest.mark.slow

MODULE = "victorops.oncall.victorops_contact_method"
TASKS = yaml.safe_load(
    """
- name: add phone
  victorops.oncall.victorops_contact_method: {username: asmith, kind: phone, value: "+1 (555) 010-9999", label: Backup, rank: 10}
- name: add email
  victorops.oncall.victorops_contact_method: {username: asmith, kind: email, value: Alice.Ops@Example.com}
- name: remove phone
  victorops.oncall.victorops_contact_method: {username: bwong, kind: phone, value: "+1 555 0102", state: absent}
- name: same phone
  victorops.oncall.victorops_contact_method: {username: jdoe, kind: phone, value: "+1.555.0100"}
- name: same email other case
  victorops.oncall.victorops_contact_method: {username: jdoe, kind: email, value: JDOE.Work@Example.COM, label: Work}
- name: other label
  victorops.oncall.victorops_contact_method: {username: jdoe, kind: email, value: jdoe.work@example.com, label: Personal}
"""
)
LABEL_WARNING = (
    "The email contact method 'jdoe.work@example.com' of user 'jdoe' exists but its label is 'Work', not 'Personal'; "
    "the API cannot update a contact method, so it is left as it is."
)


@pytest.mark.long
def test_check_and_diff_from_the_command_line_then_a_run_and_a_rerun_without_writes(emulator, run_playbook):
    seeded = copy.deepcopy(emulator.state)
    desk = seeded["users"]["bwong"]["contact_methods"]["phones"][0]

    run = run_playbook(tasks_yaml(*TASKS), check=True, diff=True)
    assert run.rc == 0, run
    assert all(record["action"] == MODULE for record in run.records)
    assert [run.result(task["name"])["changed"] for task in TASKS] == [True, True, True, False, False, False]
    assert diff_of(run.result("add phone"))["after"]["value"] == "+1 (555) 010-9999"
    removal = diff_of(run.result("remove phone"))
    assert (removal["before"]["ext_id"], removal["after"]) == (desk["extId"], {})
    assert "Alice.Ops@Example.com" in run.stdout  # --diff shows the predicted contact method
    assert len(emulator.calls()) == len(TASKS)  # one read each
    assert emulator.writes() == []
    assert emulator.state == seeded

    emulator.clear_log()
    run = run_playbook(tasks_yaml(*run_twice(TASKS)))
    assert run.rc == 0, run
    assert [run.result(task["name"])["changed"] for task in TASKS] == [True, True, True, False, False, False]
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("POST", "/api-public/v1/user/asmith/contact-methods/phones"),
        ("POST", "/api-public/v1/user/asmith/contact-methods/emails"),
        ("DELETE", "/api-public/v1/user/bwong/contact-methods/phones/%s" % desk["extId"]),
    ]
    assert [c["value"] for c in emulator.state["users"]["asmith"]["contact_methods"]["phones"]] == ["+1-555-0101", "+1 (555) 010-9999"]
    assert emulator.state["users"]["bwong"]["contact_methods"]["phones"] == []
    for task in TASKS:
        again = run.result(task["name"] + " again")
        assert again["changed"] is False and again["api"]["writes"] == 0, (task["name"], again)
    # A contact method cannot be updated: another label is left as it is, with a warning the controller shows; the
    # same value written otherwise, with its own label, is no change and no warning.
    assert run.result("other label")["warnings"] == [LABEL_WARNING]
    assert "warnings" not in run.result("same phone") and "warnings" not in run.result("same email other case")
    assert LABEL_WARNING.split(";", maxsplit=1)[0] in run.stdout + run.stderr
    assert emulator.state["users"]["jdoe"] == seeded["users"]["jdoe"]
