"""victorops.oncall.victorops_paging_policy through a real ansible-playbook: --check and --diff given on the command
line, the FQCN, and the same task again sending no write.

Each behaviour of the module, with its exact requests, is tested in process: tests/unit/plugins/modules/test_paging_policy.py.
"""

import pytest
from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import (
    GET_CONTACTS,
    GET_POLICY,
    POST_STEP,
    PUT_STEP,
    assert_task,
    diff_of,
    module_task,
    rule,
    run_twice,
    tasks_yaml,
)

pytestmark = pytest.mark.slow

task = module_task("victorops.oncall.victorops_paging_policy")


def test_check_and_diff_from_the_command_line_then_a_run_and_a_rerun_without_writes(emulator, run_playbook, contact_id):
    default, work, mobile = contact_id("jdoe", "Default"), contact_id("jdoe", "Work"), contact_id("jdoe", "Mobile")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    grow = task(
        "grow jdoe's policy",
        username="jdoe",
        steps=[
            {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": "Mobile"}]},
            {"timeout": 15, "rules": [{"type": "phone", "contact_id": mobile}, {"type": "email", "contact": "jdoe.work@example.com"}]},
            {"timeout": 30, "rules": [{"type": "email", "contact": "Default"}]},
        ],
    )
    desired = [
        {"timeout": 5, "rules": [rule("push"), rule("sms", mobile)]},
        {"timeout": 15, "rules": [rule("phone", mobile), rule("email", work)]},
        {"timeout": 30, "rules": [rule("email", default)]},
    ]

    run = run_playbook(tasks_yaml(grow), check=True, diff=True)
    assert run.rc == 0, run
    assert run.records[0]["action"] == "victorops.oncall.victorops_paging_policy"
    result = assert_task(run, "grow jdoe's policy", True, {GET_POLICY: 1, GET_CONTACTS: 1})
    assert (len(diff_of(result)["before"]["steps"]), len(diff_of(result)["after"]["steps"])) == (2, 3)
    assert len(result["plan"]) == 2
    assert '"timeout": 30' in run.stdout  # --diff shows the new step
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded

    emulator.clear_log()
    run = run_playbook(tasks_yaml(*run_twice([grow])))
    assert run.rc == 0, run
    assert_task(run, "grow jdoe's policy", True, {GET_POLICY: 1, GET_CONTACTS: 1, PUT_STEP: 1, POST_STEP: 1})
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("PUT", "/api-public/v1/profile/jdoe/policies/1"),
        ("POST", "/api-public/v1/profile/jdoe/policies"),
    ]
    assert assert_task(run, "grow jdoe's policy again", False, {GET_POLICY: 1, GET_CONTACTS: 1})["plan"] == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == desired
