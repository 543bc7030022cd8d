"""victorops.oncall.victorops_paging_step through a real ansible-playbook: --check and --diff given on the command
line, the FQCN, and the same tasks again sending no write.

Each behaviour of the module, with its exact requests, is tested in process: tests/unit/plugins/modules/test_paging_step.py.
"""

import pytest
from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import (
    DELETE_RULE,
    GET_CONTACTS,
    GET_POLICY,
    PUT_STEP,
    assert_task,
    diff_of,
    module_task,
    rule,
    run_twice,
    tasks_yaml,
)

pytestmark = pytest.mark.slow

task = module_task("victorops.oncall.victorops_paging_step")


def test_check_and_diff_from_the_command_line_then_a_run_and_a_rerun_without_writes(emulator, run_playbook, contact_id):
    default = contact_id("jdoe", "Default")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    tasks = [
        task("update step 0", username="jdoe", step=0, timeout=1, rules=[{"type": "push"}, {"type": "email", "contact": "Default"}]),
        task("remove step 1", username="jdoe", step=1, state="absent"),
    ]

    run = run_playbook(tasks_yaml(*tasks), check=True, diff=True)
    assert run.rc == 0, run
    assert {record["action"] for record in run.records} == {"victorops.oncall.victorops_paging_step"}
    result = assert_task(run, "update step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1})
    assert (diff_of(result)["before"]["timeout"], diff_of(result)["after"]["timeout"]) == (5, 1)
    assert diff_of(assert_task(run, "remove step 1", True, {GET_POLICY: 1}))["after"] is None
    assert '"timeout": 1' in run.stdout  # --diff shows the change
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded

    emulator.clear_log()
    run = run_playbook(tasks_yaml(*run_twice(tasks)))
    assert run.rc == 0, run
    assert_task(run, "update step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1, PUT_STEP: 1})
    # Two rules deleted last first; one read checks that the API did not keep the step empty.
    assert_task(run, "remove step 1", True, {GET_POLICY: 2, DELETE_RULE: 2})
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("PUT", "/api-public/v1/profile/jdoe/policies/0"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/1/1"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/1/0"),
    ]
    assert_task(run, "update step 0 again", False, {GET_POLICY: 1, GET_CONTACTS: 1})
    assert_task(run, "remove step 1 again", False, {GET_POLICY: 1})
    assert emulator.state["users"]["jdoe"]["paging_policy"] == [{"timeout": 1, "rules": [rule("push"), rule("email", default)]}]
