"""Table-driven tests of the paging-policy model: normalisation, contact resolution, planners and simulation."""

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._errors import MalformedPolicyError, PlanError, SimulationError, UnexpectedResponseError
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import (
    ContactDirectory,
    Write,
    desired_rule,
    desired_step,
    needs_directory,
    normalize_steps,
    plan_policy,
    plan_rule,
    plan_step,
    rule_body,
    simulate,
    step_body,
)
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import render_steps, rule_text

U = "jdoe"
PUSH = {"type": "push", "contact_id": None}


def email(i):
    return {"type": "email", "contact_id": i}


def sms(i):
    return {"type": "sms", "contact_id": i}


def phone(i):
    return {"type": "phone", "contact_id": i}


def step(timeout, *rules):
    return {"timeout": timeout, "rules": list(rules)}


def delete(s, r, summary):
    return Write("delete_rule", {"username": U, "step": s, "rule": r}, None, summary)


# ----- constants -------------------------------------------------------------------------------


def test_planned_writes_name_operations_of_the_api_surface():
    from ansible_collections.victorops.oncall.plugins.module_utils._api import OPERATIONS

    writes = plan_policy(U, [step(5, PUSH), step(10, sms(21)), step(15, PUSH, email(1), sms(2))], [step(1, PUSH), step(10, sms(21)), step(15, PUSH)])
    writes += plan_policy(U, [step(5, PUSH)], [step(5, PUSH), step(5, PUSH)]) + plan_rule(U, [step(5, PUSH)], 0, email(3))
    writes += plan_rule(U, [step(5, PUSH, email(3))], 0, email(4), rule=1) + plan_policy(U, [step(5, PUSH), step(5)], [step(5, PUSH)])
    writes += plan_rule(U, [step(5, PUSH, email(3))], 0, email(3), state="absent")
    assert {w.operation for w in writes} == {"update_step", "create_step", "create_rule", "update_rule", "delete_rule", "delete_step"}
    for write in writes:
        _method, template = OPERATIONS[write.operation]
        assert set(write.params) == {name.strip("{}") for name in template.split("/") if name.startswith("{")}


# ----- normalize_steps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param(
            {
                "steps": [{"index": 0, "timeout": 5, "rules": [{"index": 0, "type": "email", "contact": {"id": 312412, "type": "Email"}}]}],
                "_selfUrl": "/api-public/v1/profile/johndoe/policies",
            },
            [step(5, email(312412))],
            id="spec-fixture-capitalised-contact-type",
        ),
        pytest.param(
            {"steps": [{"index": 0, "timeout": "10", "rules": [{"index": 0, "type": "sms", "contact": {"id": "77", "type": "phone"}}]}]},
            [step(10, sms(77))],
            id="timeout-and-id-as-strings",
        ),
        pytest.param(
            {
                "steps": [
                    {
                        "index": 0,
                        "timeout": 1,
                        "rules": [
                            {"index": 0, "type": "push", "contact": {"id": 0, "type": "Device"}},
                            {"index": 1, "type": "push"},
                            {"index": 2, "type": "push", "contact": None},
                            {"index": 3, "type": "Push", "contact": {"id": 42, "type": "email"}},
                        ],
                    }
                ]
            },
            [step(1, PUSH, PUSH, PUSH, PUSH)],
            id="push-with-device-contact-none-or-missing",
        ),
        pytest.param(
            {
                "steps": [
                    {
                        "index": 1,
                        "timeout": 15,
                        "rules": [
                            {"index": 1, "type": "phone", "contact": {"id": 3, "type": "Phone"}},
                            {"index": 0, "type": "EMAIL", "contact": {"id": 2, "type": "EMAIL"}},
                        ],
                    },
                    {"index": 0, "timeout": 5, "rules": [{"index": 0, "type": "push"}]},
                ]
            },
            [step(5, PUSH), step(15, email(2), phone(3))],
            id="out-of-order-indexes-are-sorted",
        ),
        pytest.param(
            {
                "steps": [
                    {"timeout": 30, "rules": [{"type": "sms", "contact": {"id": 9}}, {"type": "push"}]},
                    {"timeout": 60, "rules": [{"type": "email", "contact": {"id": 8, "type": "Email"}}]},
                ]
            },
            [step(30, sms(9), PUSH), step(60, email(8))],
            id="missing-indexes-keep-list-order",
        ),
        pytest.param({"steps": []}, [], id="empty"),
        pytest.param({"steps": [{"index": 0, "timeout": 5}]}, [step(5)], id="step-without-rules-key"),
    ],
)
def test_normalize_steps(body, expected):
    assert normalize_steps(body) == expected


@pytest.mark.parametrize(
    "rule",
    [
        {"type": "push"},
        {"type": "push", "contact": None},
        {"type": "email"},
        {"type": "sms", "contact": None},
        {"type": "Phone", "contact": {}},
    ],
)
def test_rules_without_a_contact_read_as_push(rule):
    # A push rule may come with no contact at all; an email, sms or phone rule without one pages as push.
    body = {"steps": [{"index": 0, "timeout": 5, "rules": [dict(rule, index=0)]}]}
    assert normalize_steps(body) == [step(5, PUSH)]


def test_normalize_steps_reads_an_empty_step_some_api_versions_keep():
    body = {"steps": [{"index": 0, "timeout": 5, "rules": [{"type": "push"}]}, {"index": 1, "timeout": 10, "rules": []}]}
    assert normalize_steps(body) == [step(5, PUSH), step(10)]


@pytest.mark.parametrize(
    "body, message",
    [
        (None, "expected a JSON object, got NoneType"),
        ([], "expected a JSON object, got list"),
        ({}, "expected a list under 'steps', got NoneType"),
        ({"steps": {"0": {}}}, "expected a list under 'steps', got dict"),
        ({"steps": ["x"]}, "step is not an object: 'x'"),
        ({"steps": [{"index": 0, "rules": []}]}, "step 0 has no timeout"),
        ({"steps": [{"index": 0, "timeout": "soon", "rules": []}]}, "step 0 timeout is 'soon', not a number"),
        ({"steps": [{"index": 0, "timeout": True, "rules": []}]}, "step 0 timeout is True, not a number"),
        ({"steps": [{"index": "first", "timeout": 5, "rules": []}]}, "step index is 'first', not a number"),
        ({"steps": [{"index": 0, "timeout": 5, "rules": "push"}]}, "step 0 rules are not a list"),
        (
            {"steps": [{"index": 0, "timeout": 5, "rules": [{"index": 0, "type": "pigeon"}]}]},
            "step 0 rule 0 has an unknown type 'pigeon' (known: push, email, sms, phone)",
        ),
        (
            {"steps": [{"index": 0, "timeout": 5, "rules": [{"index": 0, "type": "sms", "contact": {"type": "phone"}}]}]},
            "step 0 rule 0 (sms) has no contact id",
        ),
        (
            {"steps": [{"index": 0, "timeout": 5, "rules": [{"index": 0, "type": "sms", "contact": {"id": [1]}}]}]},
            "step 0 rule 0 contact id is [1], not a number",
        ),
    ],
)
def test_normalize_steps_rejects_unusable_bodies(body, message):
    with pytest.raises(MalformedPolicyError) as caught:
        normalize_steps(body)
    assert str(caught.value) == "Unexpected answer from get_paging_policy: " + message
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, UnexpectedResponseError)


# ----- ContactDirectory --------------------------------------------------------------------------

CONTACTS = {
    "emails": {
        "_selfUrl": "/x",
        "contactMethods": [
            {"id": 11, "label": "Default", "value": "John.Doe@Example.com", "contactType": "Email", "extId": "e-11"},
            {"id": 12, "label": "Work", "value": "jd@work.example", "contactType": "Email", "extId": "e-12"},
            {"id": 13, "label": "work", "value": "jd@other.example", "contactType": "Email", "extId": "e-13"},
            {"id": 14, "label": "Pager", "value": "pager@example.com", "contactType": "Email", "extId": "e-14"},
            {"id": 15, "label": "Pager", "value": "pager2@example.com", "contactType": "Email", "extId": "e-15"},
        ],
    },
    "phones": {
        "_selfUrl": "/y",
        "contactMethods": [
            {"id": 21, "label": "Mobile", "value": "+1 (555) 123-4567", "contactType": "Phone", "extId": "p-21"},
            {"id": 22, "label": "Desk", "value": "+44.20.7946.0000", "contactType": "Phone", "extId": "p-22"},
            {"id": 23, "label": "Home", "value": "+15550001111", "contactType": "Phone", "extId": "p-23"},
        ],
    },
    "devices": {"_selfUrl": "/z", "contactMethods": [{"id": 31, "label": "iPhone", "deviceType": "iOS", "extId": "d-31"}]},
}


@pytest.fixture
def directory():
    return ContactDirectory(CONTACTS)


@pytest.mark.parametrize(
    "rule_type, contact, expected",
    [
        ("email", "john.doe@example.com", 11),  # value, case-insensitive
        ("email", "JD@WORK.EXAMPLE", 12),
        ("email", "Default", 11),  # label
        ("email", "Work", 12),  # exact label beats the case-insensitive "work"
        ("email", "work", 13),
        ("email", "default", 11),  # case-insensitive label when no exact one
        ("sms", "+15551234567", 21),  # phone separators removed on both sides
        ("phone", "+1 555 123 4567", 21),
        ("sms", "+1-555-123-4567", 21),
        ("phone", "+44 20 7946 0000", 22),
        ("phone", "+1 (555) 000-1111", 23),
        ("sms", "Mobile", 21),
        ("phone", "desk", 22),
    ],
)
def test_resolve_contact_by_value_or_label(directory, rule_type, contact, expected):
    assert directory.resolve(rule_type, contact=contact, option="rules[0]") == expected


@pytest.mark.parametrize(
    "rule_type, kwargs, message",
    [
        ("sms", {"contact": "jd@work.example"}, "steps[1].rules[0].contact: 'jd@work.example' is an email address; an sms rule needs a phone contact method"),
        ("phone", {"contact": "Work"}, "steps[1].rules[0].contact: 'Work' is an email contact method; a phone rule needs a phone contact method"),
        ("email", {"contact": "Mobile"}, "steps[1].rules[0].contact: 'Mobile' is a phone contact method; an email rule needs an email contact method"),
        (
            "email",
            {"contact": "+15551234567"},
            "steps[1].rules[0].contact: '+15551234567' is a phone contact method; an email rule needs an email contact method",
        ),
        (
            "email",
            {"contact": "Pager"},
            (
                "steps[1].rules[0].contact: 'Pager' matches several email contact methods: 14 'pager@example.com' (Pager), "
                "15 'pager2@example.com' (Pager); use contact_id or the value"
            ),
        ),
        (
            "sms",
            {"contact": "Office"},
            (
                "steps[1].rules[0].contact: no phone contact method of the user has the value or label 'Office' "
                "(phone contact methods: '+1 (555) 123-4567' (Mobile), '+44.20.7946.0000' (Desk), '+15550001111' (Home))"
            ),
        ),
        (
            "email",
            {"contact_id": 99},
            (
                "steps[1].rules[0].contact_id: 99 is not one of the user's contact methods (email contact methods: "
                "'John.Doe@Example.com' (Default), 'jd@work.example' (Work), 'jd@other.example' (work), 'pager@example.com' (Pager), "
                "'pager2@example.com' (Pager))"
            ),
        ),
        (
            "sms",
            {"contact_id": 11},
            "steps[1].rules[0].contact_id: 11 is the email contact method 'John.Doe@Example.com'; an sms rule needs a phone contact method",
        ),
        ("push", {"contact": "iPhone"}, "steps[1].rules[0]: a push rule pages every device of the user and takes no contact or contact_id"),
        ("push", {"contact_id": 31}, "steps[1].rules[0]: a push rule pages every device of the user and takes no contact or contact_id"),
        ("email", {}, "steps[1].rules[0]: an email rule needs a contact (the email contact method's value or label) or a contact_id"),
        ("email", {"contact": "Work", "contact_id": 12}, "steps[1].rules[0]: give either contact or contact_id, not both"),
        ("email", {"contact": ""}, "steps[1].rules[0].contact: expected a contact method's value or label, got ''"),
        ("email", {"contact_id": "twelve"}, "steps[1].rules[0].contact_id is 'twelve', not a number"),
        ("fax", {"contact": "Work"}, "steps[1].rules[0].type: 'fax' is not one of push, email, sms, phone"),
    ],
)
def test_resolve_contact_errors(directory, rule_type, kwargs, message):
    with pytest.raises(PlanError) as caught:
        directory.resolve(rule_type, option="steps[1].rules[0]", **kwargs)
    assert str(caught.value) == message


def test_resolve_push_without_contact_is_none(directory):
    assert directory.resolve("push", option="rules[0]") is None


def test_resolve_contact_id_of_the_right_kind(directory):
    assert directory.resolve("email", contact_id=12) == 12
    assert directory.resolve("phone", contact_id="22") == 22


def test_unloaded_directory_trusts_ids_and_cannot_resolve_names():
    unloaded = ContactDirectory(None)
    assert unloaded.resolve("sms", contact_id=123456) == 123456
    with pytest.raises(PlanError) as caught:
        unloaded.resolve("email", contact="Default", option="rule")
    assert str(caught.value) == "rule.contact: the user's contact methods were not read, so 'Default' cannot be resolved"


def test_rule_text_names_the_contact_method_beside_its_id(directory):
    assert rule_text(email(11), directory.contacts) == "email to email John.Doe@Example.com (Default), contact method 11"
    assert rule_text(sms(21), directory.contacts) == "sms to phone +1 (555) 123-4567 (Mobile), contact method 21"
    assert rule_text(PUSH, directory.contacts) == "push"
    assert rule_text(email(404), directory.contacts) == "email to contact method 404"
    assert rule_text(email(11)) == "email to contact method 11"


def test_plans_say_the_contact_method_when_the_contacts_were_read(directory):
    writes = plan_policy(U, [step(5, PUSH)], [step(5, PUSH), step(10, sms(21))], directory.contacts)
    assert [w.summary for w in writes] == ["add step 1 (timeout 10, rules: sms to phone +1 (555) 123-4567 (Mobile), contact method 21)"]


def test_directory_accepts_bare_lists_and_missing_sections():
    found = ContactDirectory({"emails": [{"id": "5", "label": "Default", "value": "a@b.c"}]})
    assert found.contacts == [{"id": 5, "ext_id": None, "kind": "email", "label": "Default", "value": "a@b.c", "rank": None, "verified": False}]


@pytest.mark.parametrize(
    "body, message",
    [
        ([], "expected a JSON object, got list"),
        ({"emails": {"contactMethods": "x"}}, "expected a list of contact methods under 'emails'"),
        ({"phones": {"contactMethods": [{"label": "no id"}]}}, "a contact method under 'phones' has no id"),
    ],
)
def test_directory_rejects_unusable_bodies(body, message):
    with pytest.raises(MalformedPolicyError) as caught:
        ContactDirectory(body)
    assert str(caught.value) == "Unexpected answer from list_contact_methods: " + message


# ----- desired_rule / desired_step / needs_directory ------------------------------------------------


def test_desired_rule_and_step(directory):
    assert desired_rule({"type": "push", "contact": None, "contact_id": None}, directory, "rules[0]") == PUSH
    assert desired_rule({"type": "email", "contact": "Default", "contact_id": None}, directory, "rules[0]") == email(11)
    assert desired_rule({"type": "sms", "contact_id": 23}, None, "rules[0]") == sms(23)
    spec = {"timeout": "15", "rules": [{"type": "push"}, {"type": "phone", "contact": "Desk"}]}
    assert desired_step(spec, directory, "steps[2]") == step(15, PUSH, phone(22))


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"timeout": 7, "rules": [{"type": "push"}]}, "steps[1].timeout: 7 is not one of the API's timeouts (1, 5, 10, 15, 20, 25, 30, 45, 60 minutes)"),
        ({"timeout": None, "rules": [{"type": "push"}]}, "steps[1].timeout: None is not one of the API's timeouts (1, 5, 10, 15, 20, 25, 30, 45, 60 minutes)"),
        ({"timeout": True, "rules": [{"type": "push"}]}, "steps[1].timeout: True is not one of the API's timeouts (1, 5, 10, 15, 20, 25, 30, 45, 60 minutes)"),
        ({"timeout": 5, "rules": []}, "steps[1].rules: a step needs at least one rule (the API has no empty steps)"),
        ({"timeout": 5}, "steps[1].rules: a step needs at least one rule (the API has no empty steps)"),
        ({"timeout": 5, "rules": [{"type": "push"}, {"type": "beeper"}]}, "steps[1].rules[1].type: 'beeper' is not one of push, email, sms, phone"),
        (
            {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": "jd@work.example"}]},
            "steps[1].rules[1].contact: 'jd@work.example' is an email address; an sms rule needs a phone contact method",
        ),
        ({"timeout": 5, "rules": ["push"]}, "steps[1].rules[0]: expected a dictionary with type and contact or contact_id, got 'push'"),
        ("5", "steps[1]: expected a dictionary with timeout and rules, got '5'"),
    ],
)
def test_desired_step_errors_name_the_option(directory, spec, message):
    with pytest.raises(PlanError) as caught:
        desired_step(spec, directory, "steps[1]")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "specs, expected",
    [
        ([], False),
        (None, False),
        ([{"type": "push"}], False),
        ([{"type": "email", "contact_id": 4}, {"type": "push", "contact": None}], False),
        ([{"type": "push", "contact": "iPhone"}], False),  # refused without any read
        ([{"type": "email", "contact_id": 4}, {"type": "sms", "contact": "Mobile"}], True),
    ],
)
def test_needs_directory(specs, expected):
    assert needs_directory(specs) is expected


def test_bodies():
    assert rule_body(PUSH) == {"type": "push"}
    assert rule_body(email(3)) == {"type": "email", "contact": {"id": 3, "type": "email"}}
    assert rule_body(sms(4)) == {"type": "sms", "contact": {"id": 4, "type": "phone"}}
    assert rule_body(phone(5)) == {"type": "phone", "contact": {"id": 5, "type": "phone"}}
    assert step_body(step(10, PUSH, email(3))) == {"timeout": 10, "rules": [{"type": "push"}, {"type": "email", "contact": {"id": 3, "type": "email"}}]}


# ----- plan_policy -------------------------------------------------------------------------------

P0 = step(5, PUSH, email(11))


def put_step(i, s, summary):
    return Write("update_step", {"username": U, "step": i}, step_body(s), summary)


def post_step(s, summary):
    return Write("create_step", {"username": U}, step_body(s), summary)


@pytest.mark.parametrize(
    "current, desired, expected",
    [
        pytest.param([P0], [P0], [], id="no-op"),
        pytest.param([P0, step(10, sms(21))], [P0, step(10, sms(21))], [], id="no-op-two-steps"),
        pytest.param([P0], [step(1, PUSH)], [put_step(0, step(1, PUSH), "update step 0 (timeout 1, rules: push)")], id="update-step-0"),
        pytest.param(
            [P0, step(10, sms(21)), step(15, PUSH)],
            [P0, step(10, sms(22)), step(15, PUSH)],
            [put_step(1, step(10, sms(22)), "update step 1 (timeout 10, rules: sms to contact method 22)")],
            id="one-call-per-changed-step",
        ),
        pytest.param(
            [P0],
            [P0, step(10, sms(21)), step(30, phone(22), PUSH)],
            [
                post_step(step(10, sms(21)), "add step 1 (timeout 10, rules: sms to contact method 21)"),
                post_step(step(30, phone(22), PUSH), "add step 2 (timeout 30, rules: phone to contact method 22; push)"),
            ],
            id="create-steps-in-order",
        ),
        pytest.param(
            [P0, step(10, sms(21))],
            [P0],
            [delete(1, 0, "delete rule 0 of step 1 (its last rule: step 1 is removed)")],
            id="remove-step-with-1-rule",
        ),
        pytest.param(
            [P0, step(10, sms(21), PUSH), step(5, email(12), email(11))],
            [P0],
            [
                delete(2, 1, "delete rule 1 of step 2"),
                delete(2, 0, "delete rule 0 of step 2 (its last rule: step 2 is removed)"),
                delete(1, 1, "delete rule 1 of step 1"),
                delete(1, 0, "delete rule 0 of step 1 (its last rule: step 1 is removed)"),
            ],
            id="remove-steps-with-2-rules-last-step-first",
        ),
        pytest.param(
            [P0, step(10, sms(21), PUSH, email(12), phone(22))],
            [step(1, PUSH)],
            [
                put_step(0, step(1, PUSH), "update step 0 (timeout 1, rules: push)"),
                put_step(1, step(10, sms(21)), "reduce to one rule before removing step 1 (timeout 10, rules: sms to contact method 21)"),
                delete(1, 0, "delete rule 0 of step 1 (its last rule: step 1 is removed)"),
            ],
            id="remove-step-with-4-rules-costs-2",
        ),
    ],
)
def test_plan_policy(current, desired, expected):
    writes = plan_policy(U, current, desired)
    assert writes == expected
    assert simulate(current, writes) == desired


def test_plan_policy_refuses_an_empty_policy():
    """An empty step is refused once, where the desired steps are built (desired_step), not again by the planners."""
    with pytest.raises(PlanError) as caught:
        plan_policy(U, [P0], [])
    assert str(caught.value) == "steps: a paging policy needs at least one step (step 0 cannot be removed)"


# ----- plan_step ---------------------------------------------------------------------------------

TWO = [P0, step(10, sms(21), PUSH, phone(22))]
THREE = [P0, step(10, sms(21), PUSH), step(20, email(12))]


@pytest.mark.parametrize(
    "current, index, desired, expected",
    [
        pytest.param(TWO, 2, step(5, PUSH), [post_step(step(5, PUSH), "add step 2 (timeout 5, rules: push)")], id="create-at-end"),
        pytest.param(TWO, 1, step(10, sms(21), PUSH, phone(22)), [], id="equal"),
        pytest.param(TWO, 1, step(15, sms(21)), [put_step(1, step(15, sms(21)), "update step 1 (timeout 15, rules: sms to contact method 21)")], id="update"),
        pytest.param(TWO, 5, None, [], id="absent-missing"),
        pytest.param(TWO, 2, None, [], id="absent-just-past-end"),
        pytest.param(
            TWO,
            1,
            None,
            [
                put_step(1, step(10, sms(21)), "reduce to one rule before removing step 1 (timeout 10, rules: sms to contact method 21)"),
                delete(1, 0, "delete rule 0 of step 1 (its last rule: step 1 is removed)"),
            ],
            id="absent-3-rules",
        ),
        pytest.param(
            THREE,
            1,
            None,
            [delete(1, 1, "delete rule 1 of step 1"), delete(1, 0, "delete rule 0 of step 1 (its last rule: step 1 is removed, later steps move up)")],
            id="absent-middle-step-2-rules",
        ),
    ],
)
def test_plan_step(current, index, desired, expected):
    assert plan_step(U, current, index, desired) == expected


def test_plan_step_absent_with_match_removes_only_an_equal_step():
    assert plan_step(U, THREE, 1, None, match=step(20, email(12))) == []
    assert plan_step(U, THREE, 2, None, match=step(20, email(12))) == [delete(2, 0, "delete rule 0 of step 2 (its last rule: step 2 is removed)")]


def test_plan_step_absent_middle_step_moves_later_steps_up():
    assert simulate(THREE, plan_step(U, THREE, 1, None)) == [P0, step(20, email(12))]


@pytest.mark.parametrize(
    "index, desired, message",
    [
        (4, step(5, PUSH), "step: step 4 is beyond the end: the policy has 2 steps (0-1); create step 2 first"),
        (0, None, "step: step 0 cannot be removed (the API keeps at least one step); set its timeout and rules instead"),
        (-1, None, "step: expected an index of 0 or more, got -1"),
    ],
)
def test_plan_step_errors(index, desired, message):
    with pytest.raises(PlanError) as caught:
        plan_step(U, TWO, index, desired)
    assert str(caught.value) == message


def test_plan_step_beyond_end_of_one_step_policy():
    with pytest.raises(PlanError) as caught:
        plan_step(U, [P0], 3, step(5, PUSH))
    assert str(caught.value) == "step: step 3 is beyond the end: the policy has 1 step (0); create step 1 first"


# ----- plan_rule ---------------------------------------------------------------------------------

POL = [step(5, PUSH, email(11), sms(21), email(11)), step(10, sms(21)), step(15, phone(22), PUSH)]


def post_rule(s, r, summary):
    return Write("create_rule", {"username": U, "step": s}, rule_body(r), summary)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        pytest.param(dict(step=1, desired_rule=PUSH), [post_rule(1, PUSH, "add rule 1 to step 1 (push)")], id="append-missing"),
        pytest.param(dict(step=0, desired_rule=sms(21)), [], id="present-already"),
        pytest.param(
            dict(step=0, desired_rule=email(11), state="absent"),
            [delete(0, 3, "delete rule 3 of step 0"), delete(0, 1, "delete rule 1 of step 0")],
            id="absent-every-match-highest-first",
        ),
        pytest.param(dict(step=0, desired_rule=phone(22), state="absent"), [], id="absent-no-match"),
        pytest.param(
            dict(step=1, desired_rule=sms(21), state="absent"),
            [delete(1, 0, "delete rule 0 of step 1 (its last rule: step 1 is removed, later steps move up)")],
            id="absent-only-rule-removes-step",
        ),
        pytest.param(dict(step=2, desired_rule=phone(22), rule=0), [], id="index-equal"),
        pytest.param(
            dict(step=2, desired_rule=email(12), rule=1),
            [
                Write(
                    "update_rule",
                    {"username": U, "step": 2, "rule": 1},
                    rule_body(email(12)),
                    "replace rule 1 of step 2 (push) with email to contact method 12",
                )
            ],
            id="index-replace",
        ),
        pytest.param(
            dict(step=2, desired_rule=email(12), rule=2), [post_rule(2, email(12), "add rule 2 to step 2 (email to contact method 12)")], id="index-append"
        ),
        pytest.param(dict(step=2, rule=1, state="absent"), [delete(2, 1, "delete rule 1 of step 2")], id="index-absent"),
        pytest.param(dict(step=2, rule=2, state="absent"), [], id="index-absent-missing"),
        pytest.param(dict(step=2, rule=1, desired_rule=PUSH, state="absent"), [delete(2, 1, "delete rule 1 of step 2")], id="index-absent-matching"),
        pytest.param(dict(step=2, rule=1, desired_rule=email(12), state="absent"), [], id="index-absent-other-rule-there"),
        pytest.param(dict(step=0, rule=2, state="absent"), [delete(0, 2, "delete rule 2 of step 0")], id="index-absent-step-0"),
    ],
)
def test_plan_rule(kwargs, expected):
    assert plan_rule(U, POL, **kwargs) == expected


def test_plan_rule_absent_every_match_result():
    assert simulate(POL, plan_rule(U, POL, 0, email(11), state="absent"))[0] == step(5, PUSH, sms(21))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(step=3, desired_rule=PUSH), "step: step 3 does not exist: the policy has 3 steps (0-2)"),
        (dict(step=0, desired_rule=PUSH, state="absent"), "rule: rule 0 of step 0 (push) cannot be deleted; replace it instead"),
        (dict(step=0, rule=0, state="absent"), "rule: rule 0 of step 0 (push) cannot be deleted; replace it instead"),
        (dict(step=1, rule=3, desired_rule=PUSH), "rule: rule 3 is beyond the end of step 1: it has 1 rule (0); add rule 1 first"),
        (dict(step=2, rule=-1, desired_rule=PUSH), "rule: expected an index of 0 or more, got -1"),
        (dict(step=1, state="present"), "type: a rule to add needs a type"),
        (dict(step=1, state="absent"), "type: say which rules to remove (type and contact) or give the rule index"),
        (dict(step=1, desired_rule=PUSH, state="gone"), "state: expected present or absent, got 'gone'"),
    ],
)
def test_plan_rule_errors(kwargs, message):
    with pytest.raises(PlanError) as caught:
        plan_rule(U, POL, **kwargs)
    assert str(caught.value) == message


# ----- simulate ----------------------------------------------------------------------------------


def test_simulate_semantics():
    start = [step(5, PUSH, email(11)), step(10, sms(21), phone(22), PUSH), step(15, email(12))]
    writes = [
        Write("delete_rule", {"username": U, "step": "1", "rule": "0"}, None, "d"),  # later rules move up
        Write("update_rule", {"username": U, "step": 1, "rule": 1}, {"type": "email", "contact": {"id": 12, "type": "Email"}}, "r"),
        Write("create_rule", {"username": U, "step": 2}, {"type": "push", "contact": {"id": 0, "type": "Device"}}, "a"),
        Write("create_step", {"username": U}, {"timeout": "60", "rules": [{"type": "sms", "contact": {"id": 21}}]}, "s"),
        Write("update_step", {"username": U, "step": 0}, {"timeout": 1, "rules": [{"type": "push"}]}, "u"),
    ]
    assert simulate(start, writes) == [step(1, PUSH), step(10, phone(22), email(12)), step(15, email(12), PUSH), step(60, sms(21))]
    assert start[1] == step(10, sms(21), phone(22), PUSH)  # input untouched


def test_simulate_last_rule_delete_removes_step_and_moves_later_steps_up():
    start = [step(5, PUSH), step(10, sms(21)), step(15, email(12))]
    assert simulate(start, [Write("delete_rule", {"username": U, "step": 1, "rule": 0}, None, "d")]) == [step(5, PUSH), step(15, email(12))]


@pytest.mark.parametrize(
    "write, message",
    [
        (Write("delete_rule", {"username": U, "step": 0, "rule": 0}, None, "d00"), "d00: rule 0 of step 0 cannot be deleted"),
        (Write("delete_rule", {"username": U, "step": 2, "rule": 0}, None, "d20"), "d20: step 2 does not exist (there are 2)"),
        (Write("update_rule", {"username": U, "step": 1, "rule": 1}, {"type": "push"}, "p11"), "p11: rule 1 does not exist (there are 1)"),
        (
            Write("create_step", {"username": U}, {"timeout": 5, "rules": []}, "empty"),
            "a step body needs a timeout and at least one rule: {'timeout': 5, 'rules': []}",
        ),
        (Write("delete_step", {"username": U, "step": 0}, None, "ds0"), "ds0: step 0 cannot be deleted"),
        (Write("get_paging_policy", {"username": U}, None, "g"), "get_paging_policy is not a paging-policy write"),
    ],
)
def test_simulate_refuses_what_the_api_refuses(write, message):
    with pytest.raises(SimulationError) as caught:
        simulate([step(5, PUSH), step(10, sms(21))], [write])
    assert str(caught.value) == message


def test_simulate_delete_step_removes_an_empty_step_and_moves_later_steps_up():
    start = [step(5, PUSH), step(10), step(15, email(12))]
    assert simulate(start, [Write("delete_step", {"username": U, "step": 1}, None, "ds")]) == [step(5, PUSH), step(15, email(12))]


def test_an_empty_step_is_removed_with_the_step_delete():
    current = [step(5, PUSH), step(10), step(15, email(12))]
    writes = plan_policy(U, current, [step(5, PUSH), step(15, email(12))])
    assert [w.operation for w in writes] == ["update_step", "delete_rule"]
    assert simulate(current, writes) == [step(5, PUSH), step(15, email(12))]
    writes = plan_policy(U, [step(5, PUSH), step(10)], [step(5, PUSH)])
    assert [(w.operation, w.params) for w in writes] == [("delete_step", {"username": U, "step": 1})]


# ----- render_steps ------------------------------------------------------------------------------


def test_render_steps(directory):
    """One picture of a policy: every rule has its id and its contact method beside it (null for push and when not read)."""
    steps = [step(5, PUSH, email(11)), step(10, sms(21))]
    assert render_steps(steps, directory.contacts) == [
        {
            "step": 0,
            "timeout": 5,
            "rules": [
                {"rule": 0, "type": "push", "contact_id": None, "contact": None},
                {"rule": 1, "type": "email", "contact_id": 11, "contact": {"kind": "email", "value": "John.Doe@Example.com", "label": "Default"}},
            ],
        },
        {
            "step": 1,
            "timeout": 10,
            "rules": [{"rule": 0, "type": "sms", "contact_id": 21, "contact": {"kind": "phone", "value": "+1 (555) 123-4567", "label": "Mobile"}}],
        },
    ]
    assert render_steps(steps) == [
        {
            "step": 0,
            "timeout": 5,
            "rules": [
                {"rule": 0, "type": "push", "contact_id": None, "contact": None},
                {"rule": 1, "type": "email", "contact_id": 11, "contact": None},
            ],
        },
        {"step": 1, "timeout": 10, "rules": [{"rule": 0, "type": "sms", "contact_id": 21, "contact": None}]},
    ]
