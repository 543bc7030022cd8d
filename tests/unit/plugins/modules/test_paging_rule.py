"""victorops.oncall.victorops_paging_rule run in process against the emulator (tests/e2e/test_paging_rule.py runs it through ansible-playbook).

Every run is checked four ways: check mode (changed, no write), the real run (changed, exact
state), check mode again and the real run again (not changed, no write). Each task's API calls
are asserted exactly, with the fewest calls the API allows written beside them.
"""

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import (
    WORK,
    DEFAULT,
    MOBILE_C,
    WORK_C,
    DEFAULT_C,
    diff_of,
    DELETE_RULE,
    GET_CONTACTS,
    GET_POLICY,
    POST_RULE,
    PUT_RULE,
    assert_refused_without_writes,
    assert_task,
    module_task,
    rule,
    tasks_yaml,
)

MODULE = "victorops.oncall.victorops_paging_rule"

task = module_task(MODULE)


def test_present_append_replace_and_unchanged(emulator, run_tasks, contact_id):
    default = contact_id("jdoe", "Default")
    work = contact_id("jdoe", "Work")
    mobile = contact_id("jdoe", "Mobile")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    # Seed: step 0 = push, sms Mobile (5 min); step 1 = phone Mobile, email Work (10 min).
    assert seeded == [
        {"timeout": 5, "rules": [rule("push"), rule("sms", mobile)]},
        {"timeout": 10, "rules": [rule("phone", mobile), rule("email", work)]},
    ]
    play = tasks_yaml(
        task("append email Work to step 0", username="jdoe", step=0, type="email", contact="Work"),
        task("set rule 1 of step 1", username="jdoe", step=1, rule=1, type="email", contact_id=default),
        task("push already in step 0", username="jdoe", step=0, type="push"),
        task("append at rule index 2 of step 1", username="jdoe", step=1, rule=2, type="sms", contact_id=mobile),
    )

    emulator.clear_log()
    run = run_tasks(play, check=True)
    assert run.rc == 0, run
    result = assert_task(run, "append email Work to step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2 (policy, contacts by label)
    assert result["plan"] == ["add rule 2 to step 0 (email to %s, contact method %d)" % (WORK, work)]
    assert result["rule"] == {"step": 0, "rule": 2, "type": "email", "contact_id": work, "contact": WORK_C}
    # default is not used by the policy yet: checked against the contact methods before it is written
    assert_task(run, "set rule 1 of step 1", True, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2
    assert_task(run, "push already in step 0", False, {GET_POLICY: 1})  # fewest: 1
    assert_task(run, "append at rule index 2 of step 1", True, {GET_POLICY: 1})  # fewest: 1
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded

    emulator.clear_log()
    run = run_tasks(play)
    assert run.rc == 0, run
    result = assert_task(run, "append email Work to step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1, POST_RULE: 1})  # fewest: 3
    assert result["rule"] == {"step": 0, "rule": 2, "type": "email", "contact_id": work, "contact": WORK_C}
    assert result["step"] == {
        "step": 0,
        "timeout": 5,
        "rules": [
            {"rule": 0, "type": "push", "contact_id": None, "contact": None},
            {"rule": 1, "type": "sms", "contact_id": mobile, "contact": MOBILE_C},
            {"rule": 2, "type": "email", "contact_id": work, "contact": WORK_C},
        ],
    }
    result = assert_task(run, "set rule 1 of step 1", True, {GET_POLICY: 1, GET_CONTACTS: 1, PUT_RULE: 1})  # fewest: 3
    assert result["rule"] == {"step": 1, "rule": 1, "type": "email", "contact_id": default, "contact": DEFAULT_C}
    assert result["plan"] == ["replace rule 1 of step 1 (email to %s, contact method %d) with email to %s, contact method %d" % (WORK, work, DEFAULT, default)]
    result = assert_task(run, "push already in step 0", False, {GET_POLICY: 1})  # fewest: 1
    assert result["rule"] == {"step": 0, "rule": 0, "type": "push", "contact_id": None, "contact": None}
    result = assert_task(run, "append at rule index 2 of step 1", True, {GET_POLICY: 1, POST_RULE: 1})  # fewest: 2
    assert result["rule"] == {"step": 1, "rule": 2, "type": "sms", "contact_id": mobile, "contact": None}  # the contact methods were not read
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("POST", "/api-public/v1/profile/jdoe/policies/0"),
        ("PUT", "/api-public/v1/profile/jdoe/policies/1/1"),
        ("POST", "/api-public/v1/profile/jdoe/policies/1"),
    ]
    final = [
        {"timeout": 5, "rules": [rule("push"), rule("sms", mobile), rule("email", work)]},
        {"timeout": 10, "rules": [rule("phone", mobile), rule("email", default), rule("sms", mobile)]},
    ]
    assert emulator.state["users"]["jdoe"]["paging_policy"] == final

    for check in (True, False):
        emulator.clear_log()
        run = run_tasks(play, check=check)
        assert run.rc == 0, run
        assert assert_task(run, "append email Work to step 0", False, {GET_POLICY: 1, GET_CONTACTS: 1})["plan"] == []  # fewest: 2
        assert_task(run, "set rule 1 of step 1", False, {GET_POLICY: 1})  # fewest: 1
        assert_task(run, "push already in step 0", False, {GET_POLICY: 1})  # fewest: 1
        assert_task(run, "append at rule index 2 of step 1", False, {GET_POLICY: 1})  # fewest: 1
        assert emulator.writes() == []
        assert emulator.state["users"]["jdoe"]["paging_policy"] == final


def seed_for_deletes():
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    (jdoe,) = [u for u in seed["users"] if u["username"] == "jdoe"]
    jdoe["paging_policy"] = [
        {
            "timeout": 5,
            "rules": [{"type": "push"}, {"type": "sms", "contact": "Mobile"}, {"type": "email", "contact": "Work"}, {"type": "sms", "contact": "Mobile"}],
        },
        {"timeout": 10, "rules": [{"type": "phone", "contact": "Mobile"}, {"type": "email", "contact": "Work"}]},
        {"timeout": 15, "rules": [{"type": "email", "contact": "Default"}]},
    ]
    return seed


def test_absent_by_identity_by_index_and_removing_a_step(emulator, run_tasks, contact_id):
    emulator.reset(seed_for_deletes())
    work = contact_id("jdoe", "Work")
    mobile = contact_id("jdoe", "Mobile")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    play = tasks_yaml(
        task("delete every sms to Mobile in step 0", username="jdoe", step=0, type="sms", contact="Mobile", state="absent"),
        task("delete rule 1 of step 1 if it emails Work", username="jdoe", step=1, rule=1, type="email", contact_id=work, state="absent"),
        task("delete the only rule of step 2", username="jdoe", step=2, type="email", contact="john.doe@example.com", state="absent"),
        task("delete a rule that is not there", username="jdoe", step=0, type="phone", contact_id=mobile, state="absent"),
    )

    emulator.clear_log()
    run = run_tasks(play, check=True)
    assert run.rc == 0, run
    result = assert_task(run, "delete every sms to Mobile in step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2
    assert result["plan"] == ["delete rule 3 of step 0", "delete rule 1 of step 0"]
    assert result["rule"] is None
    assert_task(run, "delete rule 1 of step 1 if it emails Work", True, {GET_POLICY: 1})  # fewest: 1
    result = assert_task(run, "delete the only rule of step 2", True, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2
    assert result["step"] is None
    assert_task(run, "delete a rule that is not there", False, {GET_POLICY: 1})  # fewest: 1
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded

    emulator.clear_log()
    run = run_tasks(play)
    assert run.rc == 0, run
    # Highest index first, so the second delete's index is still right.
    assert_task(run, "delete every sms to Mobile in step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1, DELETE_RULE: 2})  # fewest: 4
    assert_task(run, "delete rule 1 of step 1 if it emails Work", True, {GET_POLICY: 1, DELETE_RULE: 1})  # fewest: 2
    # fewest: 4 - the step went with its last rule; one read checks that the API did not keep it empty
    result = assert_task(run, "delete the only rule of step 2", True, {GET_POLICY: 2, GET_CONTACTS: 1, DELETE_RULE: 1})
    assert result["step"] is None and result["rule"] is None
    assert "step 2 is removed" in result["plan"][0]
    assert_task(run, "delete a rule that is not there", False, {GET_POLICY: 1})  # fewest: 1
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("DELETE", "/api-public/v1/profile/jdoe/policies/0/3"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/0/1"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/1/1"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/2/0"),
    ]
    final = [
        {"timeout": 5, "rules": [rule("push"), rule("email", work)]},
        {"timeout": 10, "rules": [rule("phone", mobile)]},
    ]
    assert emulator.state["users"]["jdoe"]["paging_policy"] == final

    for check in (True, False):
        emulator.clear_log()
        run = run_tasks(play, check=check)
        assert run.rc == 0, run
        assert_task(run, "delete every sms to Mobile in step 0", False, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2
        # Rule 1 of step 1 is gone; the type and contact guard keeps the next rule from being deleted.
        assert_task(run, "delete rule 1 of step 1 if it emails Work", False, {GET_POLICY: 1})  # fewest: 1
        # Step 2 no longer exists, so its rules are absent: no contact read, no change.
        assert_task(run, "delete the only rule of step 2", False, {GET_POLICY: 1})  # fewest: 1
        assert_task(run, "delete a rule that is not there", False, {GET_POLICY: 1})  # fewest: 1
        assert emulator.writes() == []
        assert emulator.state["users"]["jdoe"]["paging_policy"] == final


def test_diff_shows_the_step_before_and_after(emulator, run_tasks, contact_id):
    work = contact_id("jdoe", "Work")
    mobile = contact_id("jdoe", "Mobile")
    play = tasks_yaml(task("append email Work to step 0", username="jdoe", step=0, type="email", contact="jdoe.work@example.com"))
    run = run_tasks(play, check=True, diff=True)
    assert run.rc == 0, run
    push = {"rule": 0, "type": "push", "contact_id": None, "contact": None}
    sms = {"rule": 1, "type": "sms", "contact_id": mobile, "contact": {"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}}
    assert diff_of(run.result("append email Work to step 0")) == {
        "before": {"step": 0, "timeout": 5, "rules": [push, sms]},
        "after": {
            "step": 0,
            "timeout": 5,
            "rules": [
                push,
                sms,
                {"rule": 2, "type": "email", "contact_id": work, "contact": {"kind": "email", "value": "jdoe.work@example.com", "label": "Work"}},
            ],
        },
    }
    assert emulator.writes() == []


def test_bad_input_fails_clearly_before_any_write(emulator, run_tasks, contact_id):
    mobile = contact_id("jdoe", "Mobile")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    cases = [
        # (task, expected message fragments, API calls made)
        (task("rule 0 of step 0 by index", username="jdoe", step=0, rule=0, type="push", state="absent"), "rule: rule 0 of step 0 (push) cannot be deleted", 1),
        (task("rule 0 of step 0 by identity", username="jdoe", step=0, type="push", state="absent"), "rule: rule 0 of step 0 (push) cannot be deleted", 1),
        (task("missing step", username="jdoe", step=5, type="push"), "step: step 5 does not exist: the policy has 2 steps (0-1)", 1),
        (task("rule beyond the end", username="jdoe", step=0, rule=5, type="push"), "rule: rule 5 is beyond the end of step 0", 1),
        (task("unknown user", username="nobody", step=0, type="push"), "user nobody not found", 1),
        (
            task("email address for sms", username="jdoe", step=0, type="sms", contact="john.doe@example.com"),
            "contact: 'john.doe@example.com' is an email address",
            2,
        ),
        (
            task("unknown contact", username="jdoe", step=0, type="email", contact="nobody@example.com"),
            "contact: no email contact method of the user has the value or label 'nobody@example.com'",
            2,
        ),
        (
            task("push with a contact", username="jdoe", step=0, type="push", contact_id=mobile),
            "a push rule pages every device of the user and takes no contact or contact_id",
            1,
        ),
        (task("no type", username="jdoe", step=0, rule=1, state="absent"), "missing required arguments: type", 0),
        (task("type outside the choices", username="jdoe", step=0, type="fax"), "value of type must be one of: push, email, sms, phone, got: fax", 0),
        (
            task("contact and contact_id", username="jdoe", step=0, type="sms", contact="Mobile", contact_id=mobile),
            "parameters are mutually exclusive: contact|contact_id",
            0,
        ),
        (task("negative rule", username="jdoe", step=0, rule=-1, type="push"), "rule must be 0 or more, got -1", 0),
        (task("negative step", username="jdoe", step=-2, type="push"), "step must be 0 or more, got -2", 0),
    ]
    assert_refused_without_writes(emulator, run_tasks, cases)
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded
