"""The paging modules run in-process against the emulator: option-named errors and writes whose answer is lost."""

import pytest

from ansible_collections.victorops.oncall.plugins.module_utils._errors import PlanError
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import ContactDirectory, desired_rule

DIRECTORY = ContactDirectory(
    {
        "emails": {"contactMethods": [{"id": 11, "label": "Default", "value": "jdoe@example.com"}]},
        "phones": {"contactMethods": [{"id": 12, "label": "Mobile", "value": "+1-555-0100"}]},
    }
)


@pytest.fixture
def run(run_module, emulator):
    """run(module name, options, check=False) -> (exit code, result), by the shared ``run_module`` fixture."""

    def run_one(module, args, check=False):
        result = run_module(module, check_mode=check, **args)
        return result.exit_code, result

    return run_one


@pytest.mark.parametrize(
    "spec, message",
    [
        (dict(type="sms", contact="jdoe@example.com"), "contact: 'jdoe@example.com' is an email address; an sms rule needs a phone contact method"),
        (dict(type="push", contact_id=12), "a push rule pages every device of the user and takes no contact or contact_id"),
        (dict(type="email"), "an email rule needs a contact (the email contact method's value or label) or a contact_id"),
        (dict(type="phone", contact_id=11), "contact_id: 11 is the email contact method 'jdoe@example.com'; a phone rule needs a phone contact method"),
    ],
)
def test_rule_errors_name_the_module_options_without_a_prefix(spec, message):
    full = dict(contact=None, contact_id=None)
    full.update(spec)
    with pytest.raises(PlanError) as exc:
        desired_rule(full, DIRECTORY, "")
    assert str(exc.value) == message


def test_wanted_rule_resolves_a_label():
    assert desired_rule(dict(type="sms", contact="mobile", contact_id=None), DIRECTORY, "") == {"type": "sms", "contact_id": 12}


def test_a_delete_whose_answer_is_lost_is_confirmed_not_resent(run, emulator, contact_id):
    # Deleting by index re-indexes the later rules: re-sending an applied delete would delete another rule.
    mobile = contact_id("jdoe", "Mobile")
    work = contact_id("jdoe", "Work")
    emulator.inject("DELETE", "/api-public/v1/profile/jdoe/policies/1/0", "apply-then-drop")
    code, result = run("victorops_paging_rule", dict(username="jdoe", step=1, rule=0, type="phone", contact_id=mobile, state="absent"))
    assert code == 0, result
    assert result["changed"] is True
    assert len(emulator.calls(method="DELETE")) == 1
    # The plan's read, the delete, and the read that confirms it (not sent again, so no final read).
    assert result["api"]["operations"] == {
        "get_paging_policy": 2,
        "delete_rule": 1,
    }
    assert emulator.state["users"]["jdoe"]["paging_policy"][1] == {"timeout": 10, "rules": [{"type": "email", "contact_id": work}]}
    # The contact methods were not read (the id is the policy's own), so no contact method is shown beside it.
    assert result["step"] == {"step": 1, "timeout": 10, "rules": [{"rule": 0, "type": "email", "contact_id": work, "contact": None}]}
    assert result["rule"] is None


def test_a_lost_step_create_is_reported_uncertain_not_sent_again(run, emulator):
    # A step create is addressed by position: sent twice, a late landing would add a second step.
    before = emulator.state["users"]["jdoe"]["paging_policy"]
    emulator.inject("POST", "/api-public/v1/profile/jdoe/policies", "502")
    code, result = run("victorops_paging_step", dict(username="jdoe", step=2, timeout=30, rules=[dict(type="push")]))
    assert code == 1 and result["error"] == "uncertain", result
    assert "may or may not have been applied" in result["msg"]
    assert len(emulator.calls(method="POST")) == 1
    assert emulator.state["users"]["jdoe"]["paging_policy"] == before


def test_check_mode_plans_without_writing(run, emulator):
    before = emulator.state["users"]["jdoe"]["paging_policy"]
    code, result = run("victorops_paging_policy", dict(username="jdoe", steps=[dict(timeout=60, rules=[dict(type="push")])]), check=True)
    assert code == 0, result
    assert result["changed"] is True
    assert result["paging_policy"] == {
        "username": "jdoe",
        "steps": [{"step": 0, "timeout": 60, "rules": [{"rule": 0, "type": "push", "contact_id": None, "contact": None}]}],
    }
    # Step 0 replaced, step 1 (two rules) deleted last rule first.
    assert result["plan"] == [
        "update step 0 (timeout 60, rules: push)",
        "delete rule 1 of step 1",
        "delete rule 0 of step 1 (its last rule: step 1 is removed)",
    ]
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == before


@pytest.mark.parametrize(
    "module, args, message",
    [
        ("victorops_paging_rule", dict(username="jdoe", step=0, type="email", contact_id=True), "contact_id must be a number, got the boolean true"),
        (
            "victorops_paging_policy",
            dict(username="jdoe", steps=[dict(timeout=5, rules=[dict(type="push"), dict(type="email", contact_id=True)])]),
            "steps[0].rules[1].contact_id must be a number, got the boolean true",
        ),
        (
            "victorops_paging_policy",
            dict(username="jdoe", steps=[dict(timeout=5, rules=[dict(type="push")])], contact_methods=[dict(id=True, kind="email", value="a@example.com")]),
            "contact_methods[0].id must be a number, got the boolean true",
        ),
        ("victorops_paging_step", dict(username="jdoe", step=True, state="absent"), "step must be a number, got the boolean true"),
    ],
)
def test_a_boolean_is_not_an_id(run, emulator, module, args, message):
    """``true`` passes the argument spec's int check as 1: without the declared check, contact method 1 or step 1 is meant."""
    code, result = run(module, args)
    assert code == 1 and result["error"] == "option", result
    assert result["msg"].startswith(message), result["msg"]
    assert emulator.log == []


@pytest.mark.parametrize(
    "module, args, message",
    [
        ("victorops_paging_policy", dict(username="jdoe", steps=[]), "steps must list at least one step: the first step of a paging policy cannot be removed"),
        (
            "victorops_paging_policy",
            dict(username="jdoe", steps=[dict(timeout=5, rules=[dict(type="push")]), dict(timeout=5, rules=[])]),
            "steps[1].rules must list at least one rule",
        ),
        ("victorops_paging_step", dict(username="jdoe", step=1, timeout=5, rules=[]), "rules must list at least one rule"),
    ],
)
def test_an_empty_step_is_refused_once_before_any_request(run, emulator, module, args, message):
    code, result = run(module, args)
    assert code == 1
    assert result["msg"] == message
    assert emulator.log == []
