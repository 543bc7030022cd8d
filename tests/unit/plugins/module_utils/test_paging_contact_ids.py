"""A ``contact_id`` new to a paging policy is checked against the user's contact methods before any write,
or a plan half-applies and then fails on the API's refusal (the paging modules, with the real client against
the emulator in this process)."""

import types

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._errors import PlanError
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import ContactDirectory, desired_rule, needs_directory
from ansible_collections.victorops.oncall.tests.unit.plugins.module_utils.client_fakes import client_for, running_emulator


@pytest.fixture
def emu():
    with running_emulator() as emulator:
        yield emulator


CURRENT = [{"timeout": 5, "rules": [{"type": "push", "contact_id": None}, {"type": "sms", "contact_id": 100}]}]


@pytest.mark.parametrize(
    "spec, needed",
    [
        ({"type": "sms", "contact_id": 100}, False),  # the policy uses it: the API accepted it before
        ({"type": "sms", "contact_id": 999}, True),  # new to the policy: check it first
        ({"type": "email", "contact_id": 999}, True),
        ({"type": "push"}, False),
        ({"type": "email", "contact": "Work"}, True),
    ],
)
def test_needs_directory_for_a_contact_id_the_policy_does_not_use_yet(spec, needed):
    assert needs_directory([spec], CURRENT) is needed


def test_an_unknown_contact_id_is_refused_by_the_loaded_directory():
    directory = ContactDirectory({"emails": [], "phones": {"contactMethods": [{"id": 100, "label": "Mobile", "value": "+15550100"}]}})
    with pytest.raises(PlanError, match="contact_id: 999 is not one of the user's contact methods"):
        desired_rule({"type": "sms", "contact_id": 999}, directory, "")


def module_run(emulator, module, **params):
    """A paging module's ``manage`` with the real client against the emulator (what the module base calls)."""
    vo = types.SimpleNamespace(params=params, client=client_for(emulator, timeout=5), check_mode=False, fail=None, run=None)
    return module.manage(vo)


def other_users_phone(emulator):
    (jdoe_mobile,) = emulator.state["users"]["jdoe"]["contact_methods"]["phones"]
    return jdoe_mobile["id"]


def test_paging_policy_with_a_foreign_contact_id_is_refused_before_any_write(emu):
    from ansible_collections.victorops.oncall.plugins.modules import victorops_paging_policy

    before = emu.state["users"]["asmith"]["paging_policy"]
    steps = [
        {"timeout": 5, "rules": [{"type": "push", "contact": None, "contact_id": None}]},  # a PUT of step 0 first in the plan
        {"timeout": 10, "rules": [{"type": "sms", "contact": None, "contact_id": other_users_phone(emu)}]},
    ]
    with pytest.raises(PlanError, match=r"steps\[1\]\.rules\[0\]\.contact_id: %d is not one of the user's contact methods" % other_users_phone(emu)):
        module_run(emu, victorops_paging_policy, username="asmith", steps=steps, contact_methods=None)
    assert emu.writes() == []
    assert [e["operation"] for e in emu.log] == ["GET /api-public/v1/profile/{username}/policies", "GET /api-public/v1/user/{user}/contact-methods"]
    assert emu.state["users"]["asmith"]["paging_policy"] == before


@pytest.mark.parametrize(
    "module_name, params",
    [
        ("victorops_paging_rule", dict(step=0, rule=None, type="sms", contact=None, state="present")),
        ("victorops_paging_step", dict(step=1, timeout=10, state="present")),
    ],
)
def test_step_and_rule_with_a_foreign_contact_id_are_refused_before_any_write(module_name, params, emu):
    import importlib

    module = importlib.import_module("ansible_collections.victorops.oncall.plugins.modules." + module_name)
    foreign = other_users_phone(emu)
    if module_name == "victorops_paging_step":
        params = dict(params, rules=[{"type": "sms", "contact": None, "contact_id": foreign}])
    else:
        params = dict(params, contact_id=foreign)
    with pytest.raises(PlanError, match="contact_id: %d is not one of the user's contact methods" % foreign):
        module_run(emu, module, username="asmith", **params)
    assert emu.writes() == []
