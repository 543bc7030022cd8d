"""victorops.oncall.victorops_paging_step run in process against the emulator (tests/e2e/test_paging_step.py runs it through ansible-playbook).

Every run is checked four ways: check mode (changed, no write), the real run (changed, exact
state), check mode again and the real run again (not changed, no write). Each task's API calls
are asserted exactly, with the fewest calls the API allows written beside them.
"""

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import (
    DEFAULT,
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
    tasks_yaml,
)

MODULE = "victorops.oncall.victorops_paging_step"

task = module_task(MODULE)


def test_present_update_create_and_unchanged(emulator, run_tasks, contact_id):
    default = contact_id("jdoe", "Default")
    work = contact_id("jdoe", "Work")
    mobile = contact_id("jdoe", "Mobile")
    play = tasks_yaml(
        # Seed step 0: 5 minutes, push + sms to Mobile.
        task("update step 0", username="jdoe", step=0, timeout=1, rules=[{"type": "push"}, {"type": "email", "contact": "Default"}]),
        task("create step 2", username="jdoe", step=2, timeout=15, rules=[{"type": "sms", "contact_id": mobile}]),
        # Seed step 1, named by a reformatted phone number and an email in another case.
        task(
            "unchanged step 1",
            username="jdoe",
            step=1,
            timeout=10,
            rules=[{"type": "phone", "contact": "+1 (555) 0100"}, {"type": "email", "contact": "JDOE.WORK@example.com"}],
        ),
    )
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    assert seeded[0] == {"timeout": 5, "rules": [{"type": "push", "contact_id": None}, {"type": "sms", "contact_id": mobile}]}

    # 1. Check mode: the changes are reported, nothing is written.
    emulator.clear_log()
    run = run_tasks(play, check=True)
    assert run.rc == 0, run
    result = assert_task(run, "update step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2 (policy, contacts by label)
    assert result["plan"] == ["update step 0 (timeout 1, rules: push; email to %s, contact method %d)" % (DEFAULT, default)]
    assert result["step"] == {
        "step": 0,
        "timeout": 1,
        "rules": [{"rule": 0, "type": "push", "contact_id": None, "contact": None}, {"rule": 1, "type": "email", "contact_id": default, "contact": DEFAULT_C}],
    }
    result = assert_task(run, "create step 2", True, {GET_POLICY: 1})  # fewest: 1 (contact_id needs no read)
    assert result["plan"] == ["add step 2 (timeout 15, rules: sms to contact method %d)" % mobile]
    assert_task(run, "unchanged step 1", False, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2
    assert emulator.writes() == []
    assert len(emulator.calls()) == 5
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded

    # 2. The real run: one PUT, one POST, the state exactly as asked.
    emulator.clear_log()
    run = run_tasks(play)
    assert run.rc == 0, run
    result = assert_task(run, "update step 0", True, {GET_POLICY: 1, GET_CONTACTS: 1, PUT_STEP: 1})  # fewest: 3
    assert result["api"]["writes"] == 1
    result = assert_task(run, "create step 2", True, {GET_POLICY: 1, POST_STEP: 1})  # fewest: 2
    assert result["step"] == {"step": 2, "timeout": 15, "rules": [{"rule": 0, "type": "sms", "contact_id": mobile, "contact": None}]}
    assert result["plan"] == ["add step 2 (timeout 15, rules: sms to contact method %d)" % mobile]
    assert_task(run, "unchanged step 1", False, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("PUT", "/api-public/v1/profile/jdoe/policies/0"),
        ("POST", "/api-public/v1/profile/jdoe/policies"),
    ]
    assert emulator.state["users"]["jdoe"]["paging_policy"] == [
        {"timeout": 1, "rules": [{"type": "push", "contact_id": None}, {"type": "email", "contact_id": default}]},
        {"timeout": 10, "rules": [{"type": "phone", "contact_id": mobile}, {"type": "email", "contact_id": work}]},
        {"timeout": 15, "rules": [{"type": "sms", "contact_id": mobile}]},
    ]
    final = emulator.state["users"]["jdoe"]["paging_policy"]

    # 3. and 4. Check mode and the real run again: nothing to do, nothing written.
    for check in (True, False):
        emulator.clear_log()
        run = run_tasks(play, check=check)
        assert run.rc == 0, run
        assert assert_task(run, "update step 0", False, {GET_POLICY: 1, GET_CONTACTS: 1})["plan"] == []  # fewest: 2
        assert_task(run, "create step 2", False, {GET_POLICY: 1})  # fewest: 1
        assert_task(run, "unchanged step 1", False, {GET_POLICY: 1, GET_CONTACTS: 1})  # fewest: 2
        assert emulator.writes() == []
        assert emulator.state["users"]["jdoe"]["paging_policy"] == final


def seed_with_three_steps():
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    (jdoe,) = [u for u in seed["users"] if u["username"] == "jdoe"]
    # Steps 0 and 1 as in the default seed; step 2 has three rules.
    jdoe["paging_policy"].append({"timeout": 15, "rules": [{"type": "push"}, {"type": "email", "contact": "Work"}, {"type": "sms", "contact": "Mobile"}]})
    return seed


def test_absent_removes_steps_with_fewest_deletes(emulator, run_tasks, contact_id):
    emulator.reset(seed_with_three_steps())
    mobile = contact_id("jdoe", "Mobile")
    play = tasks_yaml(
        task("remove step 2 (three rules)", username="jdoe", step=2, state="absent"),
        task("remove step 1 (two rules)", username="jdoe", step=1, state="absent"),
        task("remove missing step 4", username="jdoe", step=4, state="absent"),
    )
    step_0 = {"timeout": 5, "rules": [{"type": "push", "contact_id": None}, {"type": "sms", "contact_id": mobile}]}
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    assert len(seeded) == 3

    emulator.clear_log()
    run = run_tasks(play, check=True)
    assert run.rc == 0, run
    result = assert_task(run, "remove step 2 (three rules)", True, {GET_POLICY: 1})  # fewest: 1
    assert result["step"] is None
    assert result["plan"] == [
        "reduce to one rule before removing step 2 (timeout 15, rules: push)",
        "delete rule 0 of step 2 (its last rule: step 2 is removed)",
    ]
    result = assert_task(run, "remove step 1 (two rules)", True, {GET_POLICY: 1})  # fewest: 1
    assert len(result["plan"]) == 2
    assert_task(run, "remove missing step 4", False, {GET_POLICY: 1})  # fewest: 1
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded

    emulator.clear_log()
    run = run_tasks(play)
    assert run.rc == 0, run
    # No endpoint deletes a step: three rules take a PUT down to one rule and its DELETE.
    # fewest: 4 - the plan's read, two writes, and one read checking that the API did not keep the step empty
    result = assert_task(run, "remove step 2 (three rules)", True, {GET_POLICY: 2, PUT_STEP: 1, DELETE_RULE: 1})
    assert result["step"] is None
    # Two rules: deleted last first.
    assert_task(run, "remove step 1 (two rules)", True, {GET_POLICY: 2, DELETE_RULE: 2})  # fewest: 4 (a read checks no empty step is left)
    assert_task(run, "remove missing step 4", False, {GET_POLICY: 1})  # fewest: 1
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("PUT", "/api-public/v1/profile/jdoe/policies/2"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/2/0"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/1/1"),
        ("DELETE", "/api-public/v1/profile/jdoe/policies/1/0"),
    ]
    assert emulator.state["users"]["jdoe"]["paging_policy"] == [step_0]

    for check in (True, False):
        emulator.clear_log()
        run = run_tasks(play, check=check)
        assert run.rc == 0, run
        assert_task(run, "remove step 2 (three rules)", False, {GET_POLICY: 1})  # fewest: 1
        assert_task(run, "remove step 1 (two rules)", False, {GET_POLICY: 1})  # fewest: 1
        assert_task(run, "remove missing step 4", False, {GET_POLICY: 1})  # fewest: 1
        assert emulator.writes() == []
        assert emulator.state["users"]["jdoe"]["paging_policy"] == [step_0]


def test_diff_shows_the_step_before_and_after_with_contacts(emulator, run_tasks, contact_id):
    default = contact_id("jdoe", "Default")
    mobile = contact_id("jdoe", "Mobile")
    work = contact_id("jdoe", "Work")
    play = tasks_yaml(
        task("update step 0", username="jdoe", step=0, timeout=1, rules=[{"type": "push"}, {"type": "email", "contact": "Default"}]),
        task("remove step 1", username="jdoe", step=1, state="absent"),
    )
    run = run_tasks(play, check=True, diff=True)
    assert run.rc == 0, run
    assert diff_of(run.result("update step 0")) == {
        "before": {
            "step": 0,
            "timeout": 5,
            "rules": [
                {"rule": 0, "type": "push", "contact_id": None, "contact": None},
                {"rule": 1, "type": "sms", "contact_id": mobile, "contact": {"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}},
            ],
        },
        "after": {
            "step": 0,
            "timeout": 1,
            "rules": [
                {"rule": 0, "type": "push", "contact_id": None, "contact": None},
                {"rule": 1, "type": "email", "contact_id": default, "contact": {"kind": "email", "value": "john.doe@example.com", "label": "Default"}},
            ],
        },
    }
    # No rule names a contact, so the contact methods are not read and contacts stay undescribed.
    assert diff_of(run.result("remove step 1")) == {
        "before": {
            "step": 1,
            "timeout": 10,
            "rules": [{"rule": 0, "type": "phone", "contact_id": mobile, "contact": None}, {"rule": 1, "type": "email", "contact_id": work, "contact": None}],
        },
        "after": None,
    }
    assert emulator.writes() == []


def test_an_ambiguous_create_is_confirmed_by_reading_not_resent(emulator, run_tasks):
    # The POST is carried out but answered 502: re-sending it would add the step twice.
    emulator.inject("POST", "/api-public/v1/profile/jdoe/policies", "apply-then-502")
    run = run_tasks(tasks_yaml(task("create step 2", username="jdoe", step=2, timeout=20, rules=[{"type": "push"}])))
    assert run.rc == 0, run
    # One read to plan, the POST, one read to confirm it (fewest after an unanswered write: 3).
    result = assert_task(run, "create step 2", True, {GET_POLICY: 2, POST_STEP: 1})
    assert result["step"] == {"step": 2, "timeout": 20, "rules": [{"rule": 0, "type": "push", "contact_id": None, "contact": None}]}
    assert len(emulator.calls(method="POST")) == 1
    assert len(emulator.state["users"]["jdoe"]["paging_policy"]) == 3


def test_bad_input_fails_clearly_before_any_write(emulator, run_tasks, contact_id):
    mobile = contact_id("jdoe", "Mobile")
    default = contact_id("jdoe", "Default")
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    cases = [
        # (task, expected message fragment, API calls made)
        (task("unknown user", username="nobody", step=0, timeout=5, rules=[{"type": "push"}]), "user nobody not found", 1),
        (
            task("beyond the end", username="jdoe", step=5, timeout=5, rules=[{"type": "email", "contact": "Work"}]),
            "step: step 5 is beyond the end: the policy has 2 steps (0-1); create step 2 first",
            1,
        ),
        (task("step 0 absent", username="jdoe", step=0, state="absent"), "step: step 0 cannot be removed", 1),
        (
            task("email for sms", username="jdoe", step=0, timeout=5, rules=[{"type": "sms", "contact": "john.doe@example.com"}]),
            "rules[0].contact: 'john.doe@example.com' is an email address",
            2,
        ),
        (
            task("phone label for email", username="jdoe", step=0, timeout=5, rules=[{"type": "push"}, {"type": "email", "contact": "Mobile"}]),
            "rules[1].contact: 'Mobile' is a phone contact method",
            2,
        ),
        (
            task("unknown contact", username="jdoe", step=0, timeout=5, rules=[{"type": "phone", "contact": "Desk"}]),
            "rules[0].contact: no phone contact method of the user has the value or label 'Desk'",
            2,
        ),
        (
            task("push with contact", username="jdoe", step=0, timeout=5, rules=[{"type": "push", "contact_id": mobile}]),
            "rules[0]: a push rule pages every device of the user and takes no contact or contact_id",
            1,
        ),
        (task("email without contact", username="jdoe", step=0, timeout=5, rules=[{"type": "email"}]), ("rules[0]: ", "email rule needs a contact"), 1),
        (
            task("timeout outside the choices", username="jdoe", step=0, timeout=7, rules=[{"type": "push"}]),
            "value of timeout must be one of: 1, 5, 10, 15, 20, 25, 30, 45, 60, got: 7",
            0,
        ),
        (
            task("type outside the choices", username="jdoe", step=0, timeout=5, rules=[{"type": "pager"}]),
            "value of type must be one of: push, email, sms, phone, got: pager found in rules",
            0,
        ),
        (
            task("contact and contact_id", username="jdoe", step=0, timeout=5, rules=[{"type": "email", "contact": "Work", "contact_id": default}]),
            "parameters are mutually exclusive: contact|contact_id found in rules",
            0,
        ),
        (task("no rules", username="jdoe", step=0, timeout=5, rules=[]), "rules must list at least one rule", 0),
        (
            task("present without timeout", username="jdoe", step=0, rules=[{"type": "push"}]),
            "state is present but all of the following are missing: timeout",
            0,
        ),
        (task("negative step", username="jdoe", step=-1, state="absent"), "step must be 0 or more, got -1", 0),
        (task("empty username", username=" ", step=1, state="absent"), "username must not be empty", 0),
    ]
    assert_refused_without_writes(emulator, run_tasks, cases)
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded


def test_an_unknown_contact_id_is_refused_before_any_write(emulator, run_tasks):
    # A contact_id the policy does not use yet is checked against the user's contact methods (one read) before it is written.
    seeded = emulator.state["users"]["jdoe"]["paging_policy"]
    run = run_tasks(tasks_yaml(task("unknown contact id", username="jdoe", step=1, timeout=10, rules=[{"type": "email", "contact_id": 999}])))
    assert run.status("unknown contact id") == "failed"
    result = run.result("unknown contact id")
    assert "rules[0]" in result["msg"] and "999" in result["msg"], result["msg"]
    assert [c["operation"] for c in emulator.calls()] == [
        "GET /api-public/v1/profile/{username}/policies",
        "GET /api-public/v1/user/{user}/contact-methods",
    ]
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == seeded
