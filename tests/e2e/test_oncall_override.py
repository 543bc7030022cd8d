"""victorops.oncall.victorops_oncall_override through a real ansible-playbook: --check and --diff given on the
command line, the FQCN, and the same task again sending no write.

Each behaviour of the module, with its exact requests, is tested in process: tests/unit/plugins/modules/test_oncall_override.py.
"""

import pytest
import yaml
from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import diff_of, run_twice, tasks_yaml

pytestmark = pytest.mark.slow

POLICY = "pol-Hs7opsDemoPol001"  # asmith on call (Operations High Severity)
MODULE = "victorops.oncall.victorops_oncall_override"
TASKS = yaml.safe_load(
    """
- name: hand over
  victorops.oncall.victorops_oncall_override: {policy: pol-Hs7opsDemoPol001, from_user: asmith, to_user: bwong}
"""
)


def test_check_and_diff_from_the_command_line_then_a_run_and_a_rerun_without_writes(emulator, run_playbook):
    untouched = dict(emulator.state["oncall"])

    run = run_playbook(tasks_yaml(*TASKS), check=True, diff=True)
    assert run.rc == 0, run
    assert run.records[0]["action"] == MODULE
    assert run.result("hand over")["changed"] is True
    assert diff_of(run.result("hand over")) == {"before": {"policy": POLICY, "users": ["asmith"]}, "after": {"policy": POLICY, "users": ["bwong"]}}
    assert '"bwong"' in run.stdout  # --diff shows the change
    assert emulator.writes() == []
    assert emulator.state["oncall"] == untouched

    emulator.clear_log()
    run = run_playbook(tasks_yaml(*run_twice(TASKS)))
    assert run.rc == 0, run
    assert run.result("hand over")["changed"] is True
    assert [(w["method"], w["path"], w["body"]) for w in emulator.writes()] == [
        ("PATCH", "/api-public/v1/policies/%s/oncall/user" % POLICY, {"fromUser": "asmith", "toUser": "bwong"}),
    ]
    assert emulator.state["oncall"] == dict(untouched, **{POLICY: ["bwong"]})
    again = run.result("hand over again")
    assert again["changed"] is False and again["api"]["writes"] == 0, again
