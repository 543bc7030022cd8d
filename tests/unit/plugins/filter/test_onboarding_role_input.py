"""The onboarding role's input checks, in process: each bad input below passes the role's argument spec and is refused by the
filter onboarding_problems with the role's defaults, the task "Check everyone's input" of roles/user_onboarding, which fails
the play before any API call. tests/e2e/test_role_onboarding.py runs such an input through the role itself."""

from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.victorops.oncall.plugins.filter import onboarding
from ansible_collections.victorops.oncall.tests.onboarding_people import PEOPLE

ROLE = Path(__file__).resolve().parents[4] / "roles" / "user_onboarding"
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
SPEC = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]

PAT, ROSA, EMIL = PEOPLE


def role_input_problem(people):
    """The message of the role's input check for ``people``, after its argument spec accepted them."""
    variables = {name: DEFAULTS[name] for name in SPEC if name in DEFAULTS}
    variables["user_onboarding_people"] = people
    result = ArgumentSpecValidator(SPEC).validate(variables)
    assert result.error_messages == []
    problems = onboarding.onboarding_problems(
        people, DEFAULTS["user_onboarding_templates"], DEFAULTS["user_onboarding_default_template"], DEFAULTS["user_onboarding_phone_label"]
    )
    assert problems, people
    return "Invalid user_onboarding_people: " + "; ".join(problems)


def test_the_valid_people_pass_both_checks():
    variables = {name: DEFAULTS[name] for name in SPEC if name in DEFAULTS}
    variables["user_onboarding_people"] = [PAT, ROSA, EMIL]
    assert ArgumentSpecValidator(SPEC).validate(variables).error_messages == []
    assert onboarding.onboarding_problems([PAT, ROSA, EMIL], DEFAULTS["user_onboarding_templates"]) == []


@pytest.mark.parametrize(
    "people, message",
    [
        pytest.param(
            [{"username": "nomail", "first_name": "No", "last_name": "Mail"}],
            "Invalid user_onboarding_people: nomail: email is missing",
            id="missing-email",
        ),
        pytest.param(
            [dict(EMIL, paging_template="nope")],
            "Invalid user_onboarding_people: eonly: unknown paging template 'nope' (known templates: email_only, phone_first, standard)",
            id="unknown-template",
        ),
        pytest.param(
            [dict(PAT, paging_steps=[{"timeout": 7, "rules": [{"type": "push"}]}])],
            "Invalid user_onboarding_people: pstone: paging_steps[0].timeout: 7 is not one of the API's timeouts (1, 5, 10, 15, 20, 25, 30, 45, 60 minutes)",
            id="bad-timeout",
        ),
        pytest.param(
            [dict(PAT, paging_steps=[{"timeout": 5, "rules": [{"type": "fax"}]}])],
            "Invalid user_onboarding_people: pstone: paging_steps[0].rules[0].type: 'fax' is not one of push, email, sms, phone",
            id="bad-rule-type",
        ),
        pytest.param(
            [EMIL, dict(EMIL, first_name="Again")],
            "Invalid user_onboarding_people: username eonly appears more than once (people 1 and 2)",
            id="duplicate",
        ),
        pytest.param(
            [dict(PAT, paging_template="standard")],
            "Invalid user_onboarding_people: pstone: give either paging_template or paging_steps, not both",
            id="template-and-steps",
        ),
        pytest.param(
            [dict(PAT, paging_steps=[])],
            "Invalid user_onboarding_people: pstone: paging_steps is empty: give at least one step, or leave paging_steps out to use a template",
            id="empty-steps",
        ),
        pytest.param(
            [dict(PAT, paging_steps=[{"timeout": 5, "rules": []}])], "pstone: paging_steps[0].rules: a step needs at least one rule", id="empty-rules"
        ),
        pytest.param(
            [dict(PAT, paging_steps=[{"timeout": 5, "rules": [{"type": "push"}, {"type": "push"}]}])],
            "pstone: paging_steps[0].rules[0] and paging_steps[0].rules[1] are the same rule (push)",
            id="duplicate-push",
        ),
        pytest.param(
            [
                dict(
                    PAT,
                    paging_steps=[{"timeout": 5, "rules": [{"type": "sms", "contact": "Work mobile"}, {"type": "sms", "contact": "+1 555 010 9001"}]}],
                )
            ],
            "pstone: paging_steps[0].rules[0] and paging_steps[0].rules[1] are the same rule (sms to Work mobile)",
            id="same-contact-by-label-and-value",
        ),
        pytest.param(
            [dict(PAT, paging_steps=[{"timeout": 5, "rules": [{"type": "sms", "contact": "email"}]}])],
            "pstone: paging_steps[0].rules[0].contact: the placeholder 'email' is the person's email; an sms rule needs a phone",
            id="placeholder-of-the-wrong-kind",
        ),
        pytest.param(
            [dict(PAT, paging_steps=[{"timeout": 5, "rules": [{"type": "push", "contact": "phone"}]}])],
            "pstone: paging_steps[0].rules[0]: a push rule pages every device of the person and takes no contact",
            id="push-with-contact",
        ),
        pytest.param(
            [dict(PAT, paging_steps=[{"timeout": 5, "rules": [{"type": "email"}]}])],
            "pstone: paging_steps[0].rules[0]: an email rule needs a contact",
            id="rule-without-contact",
        ),
        pytest.param(
            [dict(ROSA, contact_methods=[{"type": "fax", "value": "+15550100000"}])],
            "rdiaz: contact_methods[0].type: 'fax' is not one of phone, email",
            id="contact-method-type",
        ),
        pytest.param(
            [dict(ROSA, contact_methods=[{"type": "phone", "value": "+1 (555) 010-9002"}])],
            "rdiaz: phone and contact_methods[0].value are the same phone '+1 (555) 010-9002'",
            id="duplicate-contact-method",
        ),
        pytest.param(
            [dict(ROSA, contact_methods=[{"type": "email", "value": "not-an-address"}])],
            "rdiaz: contact_methods[0].value: 'not-an-address' is not an email address",
            id="bad-email-contact",
        ),
        pytest.param([dict(ROSA, phone="call me")], "rdiaz: phone: 'call me' is not a phone number", id="bad-phone"),
        pytest.param([dict(ROSA, username="victim;x")], "victim;x: username 'victim;x' may only contain letters, digits", id="bad-username"),
        pytest.param([dict(ROSA, teams=["Operations", "operations"])], "rdiaz: teams[0] and teams[1] are the same team 'operations'", id="duplicate-team"),
    ],
)
def test_bad_input_is_refused_by_the_role_s_input_check(people, message):
    # A valid person first, as in a role run: nobody is onboarded when anyone's input is wrong.
    assert message in role_input_problem([ROSA] + people)
