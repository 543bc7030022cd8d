"""victorops.oncall.victorops_paging_policy run in process against the emulator (tests/e2e/test_paging_policy.py runs it through ansible-playbook).

Every run is checked four ways: check mode (changed, no write), the real run (changed, exact
state), check mode again and the real run again (not changed, no write). Each task's API calls
are asserted exactly, with the fewest calls the API allows written beside them.
"""

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import (
    MOBILE,
    WORK,
    DEFAULT,
    MOBILE_C,
    WORK_C,
    DEFAULT_C,
    diff_of,
    DELETE_RULE,
    GET_CONTACTS,
    GET_POLICY,
    POST_STEP,
    PUT_STEP,
    assert_refused_without_writes,
    assert_task,
    module_task,
    rule,
    tasks_yaml,
)

MODULE = "victorops.oncall.victorops_paging_policy"

task = module_task(MODULE)


def indexed(steps, contacts=None):
    """Steps as results show them; ``contacts`` ({id: contact method}) when the task read the contact methods."""
    return [
        dict(step=i, timeout=s["timeout"], rules=[dict(rule=j, contact=(contacts or {}).get(r["contact_id"]), **r) for j, r in enumerate(s["rules"])])
        for i, s in enumerate(steps)
    ]


def grow_task(mobile):
    return task(
        "grow jdoe's policy",
        username="jdoe",
        steps=[
            # Step 0 as seeded, named by label.
            {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": "Mobile"}]},
            # Step 1 as seeded but 15 minutes instead of 10.
            {"timeout": 15, "rules": [{"type": "phone", "contact_id": mobile}, {"type": "email", "contact": "jdoe.work@example.com"}]},
            {"timeout": 30, "rules": [{"type": "email", "contact": "Default"}]},
        ],
    )


def test_update_and_append_steps(emulator, run_tasks, contact_id):
    default = contact_id("jdoe", "Default")
    work = contact_id("jdoe", "Work")
    mobile = contact_id("jdoe", "Mobile")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    play = tasks_yaml(grow_task(mobile))
    desired = [
        {"timeout": 5, "rules": [rule("push"), rule("sms", mobile)]},
        {"timeout": 15, "rules": [rule("phone", mobile), rule("email", work)]},
        {"timeout": 30, "rules": [rule("email", default)]},
    ]
    read = {mobile: MOBILE_C, work: WORK_C, default: DEFAULT_C}  # contacts are named: the task reads them

    emulator.clear_log()
    run = run_tasks(play, check=True)
    assert run.rc == 0, run
    result = assert_task(run, "grow jdoe's policy", True, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2 (policy, contacts by name)
    assert result["plan"] == [
        "update step 1 (timeout 15, rules: phone to %s, contact method %d; email to %s, contact method %d)" % (MOBILE, mobile, WORK, work),
        "add step 2 (timeout 30, rules: email to %s, contact method %d)" % (DEFAULT, default),
    ]
    assert result["paging_policy"] == {"username": "jdoe", "steps": indexed(desired, read)}
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded

    emulator.clear_log()
    run = run_tasks(play)
    assert run.rc == 0, run
    # Step 0 is equal and not sent; one PUT for the changed step, one POST for the new one.
    result = assert_task(run, "grow jdoe's policy", True, {GET_POLICY: 1, GET_CONTACTS: 1, PUT_STEP: 1, POST_STEP: 1})  # fewest: 4
    assert result["paging_policy"] == {"username": "jdoe", "steps": indexed(desired, read)}
    assert len(result["plan"]) == 2
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("PUT", "/api-public/v1/profile/jdoe/policies/1"),
        ("POST", "/api-public/v1/profile/jdoe/policies"),
    ]
    assert emulator.state["users"]["jdoe"]["paging_policy"] == desired

    for check in (True, False):
        emulator.clear_log()
        run = run_tasks(play, check=check)
        assert run.rc == 0, run
        result = assert_task(run, "grow jdoe's policy", False, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2
        assert result["plan"] == []
        assert result["paging_policy"] == {"username": "jdoe", "steps": indexed(desired, read)}
        assert emulator.writes() == []
        assert emulator.state["users"]["jdoe"]["paging_policy"] == desired


def seed_with_four_steps():
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    (jdoe,) = [u for u in seed["users"] if u["username"] == "jdoe"]
    jdoe["paging_policy"] = [
        {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": "Mobile"}]},
        {"timeout": 10, "rules": [{"type": "phone", "contact": "Mobile"}, {"type": "email", "contact": "Work"}, {"type": "sms", "contact": "Mobile"}]},
        {"timeout": 15, "rules": [{"type": "email", "contact": "Default"}]},
        {"timeout": 20, "rules": [{"type": "push"}, {"type": "email", "contact": "Work"}]},
    ]
    return seed


def shrink_task(mobile):
    return task("shrink to one step", username="jdoe", steps=[{"timeout": 1, "rules": [{"type": "push"}, {"type": "sms", "contact_id": mobile}]}])


def test_shrink_removes_extra_steps_last_first(emulator, run_tasks, contact_id):
    emulator.reset(seed_with_four_steps())
    mobile = contact_id("jdoe", "Mobile")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    play = tasks_yaml(shrink_task(mobile))
    desired = [{"timeout": 1, "rules": [rule("push"), rule("sms", mobile)]}]

    emulator.clear_log()
    run = run_tasks(play, check=True)
    assert run.rc == 0, run
    result = assert_task(run, "shrink to one step", True, {GET_POLICY: 1})  # fewest: 1 (contact_id needs no read)
    assert len(result["plan"]) == 6
    assert result["paging_policy"] == {"username": "jdoe", "steps": indexed(desired)}
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded

    emulator.clear_log()
    run = run_tasks(play)
    assert run.rc == 0, run
    # Step 0 replaced (1); step 3 with 2 rules: 2 deletes; step 2 with 1 rule: 1 delete;
    # step 1 with 3 rules: a PUT down to one rule and its delete (2). No endpoint deletes a step.
    # fewest: 8 - the plan's read, its 6 writes, and one read checking that no emptied step was left behind
    assert_task(run, "shrink to one step", True, {GET_POLICY: 2, PUT_STEP: 2, DELETE_RULE: 4})
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("PUT", "/api-public/v1/profile/jdoe/policies/0"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/3/1"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/3/0"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/2/0"),
        ("PUT", "/api-public/v1/profile/jdoe/policies/1"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/1/0"),
    ]
    assert emulator.state["users"]["jdoe"]["paging_policy"] == desired

    for check in (True, False):
        emulator.clear_log()
        run = run_tasks(play, check=check)
        assert run.rc == 0, run
        assert assert_task(run, "shrink to one step", False, {GET_POLICY: 1})["plan"] == []  # fewest: 1
        assert emulator.writes() == []
        assert emulator.state["users"]["jdoe"]["paging_policy"] == desired


def test_diff_shows_the_policy_before_and_after(emulator, run_tasks, contact_id):
    default = contact_id("jdoe", "Default")
    work = contact_id("jdoe", "Work")
    mobile = contact_id("jdoe", "Mobile")
    run = run_tasks(tasks_yaml(grow_task(mobile)), check=True, diff=True)
    assert run.rc == 0, run
    push = {"rule": 0, "type": "push", "contact_id": None, "contact": None}
    sms = {"rule": 1, "type": "sms", "contact_id": mobile, "contact": {"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}}
    phone = {"rule": 0, "type": "phone", "contact_id": mobile, "contact": {"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}}
    email_work = {"rule": 1, "type": "email", "contact_id": work, "contact": {"kind": "email", "value": "jdoe.work@example.com", "label": "Work"}}
    assert diff_of(run.result("grow jdoe's policy")) == {
        "before": {
            "username": "jdoe",
            "steps": [
                {"step": 0, "timeout": 5, "rules": [push, sms]},
                {"step": 1, "timeout": 10, "rules": [phone, email_work]},
            ],
        },
        "after": {
            "username": "jdoe",
            "steps": [
                {"step": 0, "timeout": 5, "rules": [push, sms]},
                {"step": 1, "timeout": 15, "rules": [phone, email_work]},
                {
                    "step": 2,
                    "timeout": 30,
                    "rules": [
                        {"rule": 0, "type": "email", "contact_id": default, "contact": {"kind": "email", "value": "john.doe@example.com", "label": "Default"}}
                    ],
                },
            ],
        },
    }
    assert emulator.writes() == []


def test_a_failed_write_reports_what_was_applied(emulator, run_tasks, contact_id):
    emulator.reset(seed_with_four_steps())
    mobile = contact_id("jdoe", "Mobile")
    # The fourth write fails with a 500 that applies nothing; the read that checks it sees the policy unchanged.
    emulator.inject("DELETE", "/api-public/v1/profile/jdoe/policies/2/0", "500")
    run = run_tasks(tasks_yaml(dict(shrink_task(mobile), ignore_errors=True)))
    assert run.status("shrink to one step") == "failed"
    result = run.result("shrink to one step")
    assert "Changing the paging policy failed at 'delete rule 0 of step 2" in result["msg"], result["msg"]
    assert "HTTP 500" in result["msg"] and "confirmed not applied" in result["msg"], result["msg"]
    assert result["plan"] == [
        "update step 0 (timeout 1, rules: push; sms to contact method %d)" % mobile,  # contact_id only: no read, the id alone
        "delete rule 1 of step 3",
        "delete rule 0 of step 3 (its last rule: step 3 is removed)",
    ]
    # The plan's read, three writes, the failed delete and the read confirming it did not apply.
    assert result["api"]["operations"] == {GET_POLICY: 2, PUT_STEP: 1, DELETE_RULE: 3}
    assert len(emulator.state["users"]["jdoe"]["paging_policy"]) == 3


def test_bad_input_fails_clearly_before_any_write(emulator, run_tasks, contact_id):
    mobile = contact_id("jdoe", "Mobile")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    push_step = {"timeout": 5, "rules": [{"type": "push"}]}
    cases = [
        # (task, expected message fragment, API calls made)
        (task("unknown user", username="nobody", steps=[push_step]), "user nobody not found", 1),
        (task("no steps", username="jdoe", steps=[]), "steps must list at least one step", 0),
        (task("a step without rules", username="jdoe", steps=[push_step, {"timeout": 5, "rules": []}]), "steps[1].rules must list at least one rule", 0),
        (
            task("email address for sms", username="jdoe", steps=[push_step, {"timeout": 5, "rules": [{"type": "sms", "contact": "jdoe.work@example.com"}]}]),
            "steps[1].rules[0].contact: 'jdoe.work@example.com' is an email address",
            2,
        ),
        (
            task("unknown label", username="jdoe", steps=[{"timeout": 5, "rules": [{"type": "push"}, {"type": "email", "contact": "Home"}]}]),
            "steps[0].rules[1].contact: no email contact method of the user has the value or label 'Home'",
            2,
        ),
        (
            task("push with a contact", username="jdoe", steps=[{"timeout": 5, "rules": [{"type": "push", "contact_id": mobile}]}]),
            "steps[0].rules[0]: a push rule pages every device of the user and takes no contact or contact_id",
            1,
        ),
        (
            task("timeout outside the choices", username="jdoe", steps=[{"timeout": 3, "rules": [{"type": "push"}]}]),
            "value of timeout must be one of: 1, 5, 10, 15, 20, 25, 30, 45, 60, got: 3 found in steps",
            0,
        ),
        (task("missing timeout", username="jdoe", steps=[{"rules": [{"type": "push"}]}]), "missing required arguments: timeout found in steps", 0),
        (task("empty username", username="", steps=[push_step]), "username must not be empty", 0),
    ]
    assert_refused_without_writes(emulator, run_tasks, cases)
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded
