"""The paging modules run in-process against the emulator: option-named errors and writes whose answer is lost."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.victorops.oncall.plugins.module_utils._errors import PlanError
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import ContactDirectory, desired_rule
from ansible_collections.victorops.oncall.plugins.modules import victorops_paging_policy, victorops_paging_rule, victorops_paging_step

DIRECTORY = ContactDirectory(
    {
        "emails": {"contactMethods": [{"id": 11, "label": "Default", "value": "jdoe@example.com"}]},
        "phones": {"contactMethods": [{"id": 12, "label": "Mobile", "value": "+1-555-0100"}]},
    }
)


def run_module(module, emulator, args, capsys, check=False):
    args = dict(args, api_id="demo-api-id", api_key="demo-api-key", api_url=emulator.url, _ansible_check_mode=check)
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        module.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


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


def test_a_delete_whose_answer_is_lost_is_confirmed_not_resent(emulator, contact_id, capsys):
    # Deleting by index re-indexes the later rules: re-sending an applied delete would delete another rule.
    mobile = contact_id("jdoe", "Mobile")
    work = contact_id("jdoe", "Work")
    emulator.inject("DELETE", "/api-public/v1/profile/jdoe/policies/1/0", "apply-then-drop")
    code, result = run_module(victorops_paging_rule, emulator, dict(username="jdoe", step=1, rule=0, type="phone", contact_id=mobile, state="absent"), capsys)
    assert code == 0, result
    assert result["changed"] is True
    assert len(emulator.calls(method="DELETE")) == 1
    # The plan's read, the delete, and the read that confirms it (not sent again, so no final read).
    assert result["api"]["operations"] == {
        "get_paging_policy": 2,
        "delete_rule": 1,
    }
    assert emulator.state["users"]["jdoe"]["paging_policy"][1] == {"timeout": 10, "rules": [{"type": "email", "contact_id": work}]}
    assert result["step"] == {"step": 1, "timeout": 10, "rules": [{"rule": 0, "type": "email", "contact_id": work}]}
    assert result["rule"] is None


def test_a_lost_write_that_did_not_apply_is_sent_once_more(emulator, capsys):
    emulator.inject("POST", "/api-public/v1/profile/jdoe/policies", "502")
    code, result = run_module(victorops_paging_step, emulator, dict(username="jdoe", step=2, timeout=30, rules=[dict(type="push")]), capsys)
    assert code == 0, result
    assert len(emulator.calls(method="POST")) == 2
    assert result["api"]["retries"] == 1
    assert emulator.state["users"]["jdoe"]["paging_policy"][2] == {"timeout": 30, "rules": [{"type": "push", "contact_id": None}]}
    assert len(emulator.state["users"]["jdoe"]["paging_policy"]) == 3


def test_check_mode_plans_without_writing(emulator, capsys):
    before = emulator.state["users"]["jdoe"]["paging_policy"]
    code, result = run_module(victorops_paging_policy, emulator, dict(username="jdoe", steps=[dict(timeout=60, rules=[dict(type="push")])]), capsys, check=True)
    assert code == 0, result
    assert result["changed"] is True
    assert result["paging_policy"] == {"username": "jdoe", "steps": [{"step": 0, "timeout": 60, "rules": [{"rule": 0, "type": "push", "contact_id": None}]}]}
    # Step 0 replaced, step 1 (two rules) deleted last rule first.
    assert result["plan"] == [
        "update step 0 (timeout 60, rules: push)",
        "delete rule 1 of step 1",
        "delete rule 0 of step 1 (its last rule: step 1 is removed)",
    ]
    assert emulator.writes() == []
    assert emulator.state["users"]["jdoe"]["paging_policy"] == before
