"""victorops.oncall.victorops_paging_rule through a real ansible-playbook: --check and --diff given on the command
line, the FQCN, and the same tasks again sending no write.

Each behaviour of the module, with its exact requests, is tested in process: tests/unit/plugins/modules/test_paging_rule.py.
"""

import pytest
from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import (
    DELETE_RULE,
    GET_CONTACTS,
    GET_POLICY,
    POST_RULE,
    assert_task,
    diff_of,
    module_task,
    rule,
    run_twice,
    tasks_yaml,
)

pytestmark = pytest.mark.slow

task = module_task("victorops.oncall.victorops_paging_rule")


def test_check_and_diff_from_the_command_line_then_a_run_and_a_rerun_without_writes(emulator, run_playbook, contact_id):
    work, mobile = contact_id("jdoe", "Work"), contact_id("jdoe", "Mobile")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    tasks = [
        task("append email Work to step 0", username="jdoe", step=0, type="email", contact="Work"),
        task("delete rule 1 of step 1 if it emails Work", username="jdoe", step=1, rule=1, type="email", contact_id=work, state="absent"),
    ]

    run = run_playbook(tasks_yaml(*tasks), check=True, diff=True)
    assert run.rc == 0, run
    assert {record["action"] for record in run.records} == {"victorops.oncall.victorops_paging_rule"}
    result = assert_task(run, "append email Work to step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1})
    assert (len(diff_of(result)["before"]["rules"]), len(diff_of(result)["after"]["rules"])) == (2, 3)
    assert assert_task(run, "delete rule 1 of step 1 if it emails Work", True, {GET_POLICY: 1})["plan"] == ["delete rule 1 of step 1"]
    assert '"label": "Work"' in run.stdout  # --diff shows the new rule's contact method
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded

    emulator.clear_log()
    run = run_playbook(tasks_yaml(*run_twice(tasks)))
    assert run.rc == 0, run
    assert_task(run, "append email Work to step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1, POST_RULE: 1})
    assert_task(run, "delete rule 1 of step 1 if it emails Work", True, {GET_POLICY: 1, DELETE_RULE: 1})
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("POST", "/api-public/v1/profile/jdoe/policies/0"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/1/1"),
    ]
    assert_task(run, "append email Work to step 0 again", False, {GET_POLICY: 1, GET_CONTACTS: 1})
    assert_task(run, "delete rule 1 of step 1 if it emails Work again", False, {GET_POLICY: 1})
    assert emulator.state["users"]["jdoe"]["paging_policy"] == [
        {"timeout": 5, "rules": [rule("push"), rule("sms", mobile), rule("email", work)]},
        {"timeout": 10, "rules": [rule("phone", mobile)]},
    ]
