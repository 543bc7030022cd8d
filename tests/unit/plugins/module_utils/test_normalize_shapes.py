"""One test per answer shape the public clients and fixtures show (REFERENCE.md §4-§10): the normalisers accept each.

The shapes come from the spec, go-victorops, the Splunk Terraform provider and its forks, the npm client's
fixtures and the field scripts. Where two shapes of one answer exist, both normalise to the same result.
A shape that cannot be read is refused loudly (never read as "empty"); those refusals are in test_normalize.py.
"""

import pytest

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._errors import MalformedPolicyError, UnexpectedResponseError
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import (
    contact_method_list,
    escalation_policy_list,
    oncall_users_by_policy,
    team_list,
    team_member_list,
    type_list,
    user_paging_policies,
    user_result,
    user_team_list,
)
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import ContactDirectory, normalize_rule, normalize_steps
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import contact_key, match_username, parse_contact_method

WHAT = "GET /x"
EXT = "d0878692-75c8-11ea-b690-3c970e75c219"


class ScriptedClient:
    """Answers each operation from a script (a list of answers per operation, taken in order); records the calls."""

    def __init__(self, **answers):
        self.answers = {operation: list(items) for operation, items in answers.items()}
        self.calls = []

    def request(self, method, template, params=None, body=None, confirm_write=None, operation=None, **_):
        self.calls.append(operation)
        return self.answers[operation].pop(0)


# -- personal paging policies (§4) ---------------------------------------------------------------


def test_paging_policy_fixture_with_indexes_and_capitalised_contact_type():
    """pauldenver fixture (§4.2): indexes, ``contact.type`` "Email"."""
    body = {
        "steps": [{"index": 0, "timeout": 5, "rules": [{"index": 0, "type": "email", "contact": {"id": 312412, "type": "Email"}}]}],
        "_selfUrl": "/api-public/v1/profile/johndoe/policies",
    }
    assert normalize_steps(body) == [{"timeout": 5, "rules": [{"type": "email", "contact_id": 312412}]}]


def test_paging_policy_with_lower_case_contact_type_and_upper_case_rule_type():
    """go-victorops fixtures use lower-case contact types; the field script sends 'Phone'."""
    body = {
        "steps": [{"timeout": 5, "rules": [{"type": "SMS", "contact": {"id": 7, "type": "phone"}}, {"type": "Phone", "contact": {"id": 7, "type": "Phone"}}]}]
    }
    assert normalize_steps(body) == [{"timeout": 5, "rules": [{"type": "sms", "contact_id": 7}, {"type": "phone", "contact_id": 7}]}]


def test_steps_and_rules_out_of_index_order_are_put_in_index_order():
    body = {
        "steps": [
            {"index": 1, "timeout": 10, "rules": [{"index": 1, "type": "push"}, {"index": 0, "type": "email", "contact": {"id": 3}}]},
            {"index": 0, "timeout": 5, "rules": [{"index": 0, "type": "push"}]},
        ]
    }
    assert normalize_steps(body) == [
        {"timeout": 5, "rules": [{"type": "push", "contact_id": None}]},
        {"timeout": 10, "rules": [{"type": "email", "contact_id": 3}, {"type": "push", "contact_id": None}]},
    ]


def test_steps_without_indexes_keep_list_order():
    """The spec marks no property required: answers without ``index`` are read in list order."""
    body = {"steps": [{"timeout": 15, "rules": [{"type": "push"}]}, {"timeout": 5, "rules": [{"type": "push"}]}]}
    assert [step["timeout"] for step in normalize_steps(body)] == [15, 5]


def test_timeouts_and_ids_as_strings():
    """The value lists answer timeouts as strings ("5"); a gateway may stringify numbers."""
    body = {"steps": [{"index": "0", "timeout": "5", "rules": [{"index": "0", "type": "email", "contact": {"id": "312412", "type": "Email"}}]}]}
    assert normalize_steps(body) == [{"timeout": 5, "rules": [{"type": "email", "contact_id": 312412}]}]


def test_push_rule_with_the_all_devices_pseudo_contact():
    """go-victorops: "Device 0 is a special device for 'All devices'"; the emulator's default answer."""
    assert normalize_rule({"index": 0, "type": "push", "contact": {"id": 0, "type": "Device"}}) == {"type": "push", "contact_id": None}


def test_push_rule_without_a_contact_key():
    """go-victorops ``paging_policy_test.go`` fixtures (the contactless-rules variant)."""
    assert normalize_rule({"index": 0, "type": "push"}) == {"type": "push", "contact_id": None}


@pytest.mark.parametrize("contact", [None, {}], ids=["null", "empty object"])
@pytest.mark.parametrize("rule_type", ["email", "sms", "phone"])
def test_email_sms_phone_rule_without_a_contact_reads_as_push(rule_type, contact):
    """Field scripts write email rules without a contact, which "defaults to push"."""
    raw = {"type": rule_type} if contact is None else {"type": rule_type, "contact": contact}
    assert normalize_rule(raw) == {"type": "push", "contact_id": None}


def test_empty_step_kept_by_the_api():
    """The keep-empty-steps variant: a step whose last rule was deleted stays with ``rules: []``."""
    body = {"steps": [{"index": 0, "timeout": 5, "rules": [{"type": "push"}]}, {"index": 1, "timeout": 10, "rules": []}]}
    assert normalize_steps(body)[1] == {"timeout": 10, "rules": []}


def test_step_without_a_rules_key():
    """The reecetech fork creates a step with only ``{timeout}``: such a step may come back without rules."""
    assert normalize_steps({"steps": [{"index": 0, "timeout": 5}]}) == [{"timeout": 5, "rules": []}]


def test_step_without_a_timeout_is_refused():
    with pytest.raises(MalformedPolicyError, match="step 0 has no timeout"):
        normalize_steps({"steps": [{"index": 0, "rules": []}]})


# -- the flattened view (§5) -----------------------------------------------------------------------


def test_user_paging_policies_fixture():
    """pauldenver ``user_paging_policies.test.js``."""
    body = {"username": "johndoe", "userId": 452233, "policies": [{"order": 1, "timeout": 5, "contactType": "email", "extId": EXT}]}
    assert user_paging_policies(body) == {
        "username": "johndoe",
        "user_id": 452233,
        "policies": [{"order": 1, "timeout": 5, "contact_type": "email", "ext_id": EXT}],
    }


def test_user_paging_policies_capitalised_type_string_timeout_and_push_without_ext_id():
    body = {"username": "jdoe", "userId": 1, "policies": [{"order": 1, "timeout": "5", "contactType": "Push", "extId": ""}]}
    assert user_paging_policies(body)["policies"] == [{"order": 1, "timeout": 5, "contact_type": "push", "ext_id": ""}]


# -- value lists (§3) ------------------------------------------------------------------------------


def test_timeout_types_as_strings():
    """The real API answers timeout ``type``s as strings; the spec says integers."""
    assert type_list({"timeoutTypes": [{"type": "5", "description": "5 minutes"}]}, "timeoutTypes", as_int=True) == [{"type": 5, "description": "5 minutes"}]


def test_contact_types_capitalised():
    assert type_list({"contactTypes": [{"type": "Email", "description": "Email"}]}, "contactTypes") == [{"type": "email", "description": "Email"}]


# -- escalation policies and on-call (§2, §8) --------------------------------------------------------


def test_policies_2020_nested_shape():
    body = {"policies": [{"policy": {"name": "Ops", "slug": "pol-1", "_selfUrl": "/x"}, "team": {"name": "T", "slug": "team-1"}}]}
    assert escalation_policy_list(body, WHAT) == [{"name": "Ops", "slug": "pol-1", "team": {"name": "T", "slug": "team-1"}}]


def test_policies_older_flat_shape():
    assert escalation_policy_list({"policies": [{"name": "Ops", "slug": "pol-1"}]}, WHAT)[0]["slug"] == "pol-1"


def oncall(now_key, user_key, username="jdoe"):
    return {
        "teamsOnCall": [
            {
                "team": {"name": "Ops", "slug": "team-1"},
                now_key: [{"escalationPolicy": {"name": "P", "slug": "pol-1"}, "users": [{user_key: {"username": username}}]}],
            }
        ]
    }


def test_oncall_real_casing():
    """NUMilligan ``splunk_oncall_api_helper.py``: the live API says ``oncallNow`` / ``onCalluser``."""
    assert oncall_users_by_policy(oncall("oncallNow", "onCalluser"))["pol-1"]["users"] == ["jdoe"]


def test_oncall_spec_casing():
    assert oncall_users_by_policy(oncall("onCallNow", "onCallUser"))["pol-1"]["users"] == ["jdoe"]


def test_oncall_policy_with_nobody_on_call():
    body = {"teamsOnCall": [{"team": {"name": "Ops", "slug": "team-1"}, "oncallNow": [{"escalationPolicy": {"slug": "pol-1"}, "users": []}]}]}
    assert oncall_users_by_policy(body)["pol-1"]["users"] == []


# -- users (§6) ------------------------------------------------------------------------------------


def test_v1_user_with_boolean_verified():
    body = {
        "firstName": "John",
        "lastName": "Doe",
        "username": "johndoe",
        "email": "john@example.com",
        "createdAt": "2020-01-01T00:00:00Z",
        "passwordLastUpdated": "2020-01-02T00:00:00Z",
        "verified": True,
        "_selfUrl": "/api-public/v1/user/johndoe",
    }
    assert user_result(body, WHAT) == {
        "username": "johndoe",
        "first_name": "John",
        "last_name": "Doe",
        "email": "john@example.com",
        "verified": True,
        "created_at": "2020-01-01T00:00:00Z",
        "password_last_updated": "2020-01-02T00:00:00Z",
    }


def test_v1_user_with_string_verified():
    assert user_result({"username": "johndoe", "verified": "verified"}, WHAT)["verified"] is True
    assert user_result({"username": "johndoe", "verified": "unverified"}, WHAT)["verified"] is False


def test_user_list_nested_once_more_than_the_spec():
    """go-victorops ``UserList{Users [][]User}``, the field scripts' ``['users'][0]``, the pauldenver fixture."""
    client = ScriptedClient(list_users=[{"users": [[{"username": "a"}, {"username": "b"}]], "_selfUrl": "/api-public/v1/user"}])
    assert [user["username"] for user in _api.list_users(client)] == ["a", "b"]


def test_user_list_flat_as_the_spec_says():
    client = ScriptedClient(list_users=[{"users": [{"username": "a"}, {"username": "b"}]}])
    assert [user["username"] for user in _api.list_users(client)] == ["a", "b"]


def test_a_username_in_another_case_stands_in_only_when_none_matches_exactly():
    """The case-insensitive-users variant: the API answers the stored form (``gpatel`` for ``GPatel``)."""
    assert match_username("GPatel", ["gpatel"], "username")[0] == "gpatel"
    assert match_username("gpatel", ["gpatel2"], "username") == (None, None)


# -- teams (§6) --------------------------------------------------------------------------------------


def test_team_list_bare_array():
    """The spec and go-victorops (``[]Team``)."""
    body = [{"name": "Ops", "slug": "team-1", "memberCount": 3, "version": 1, "isDefaultTeam": False, "_selfUrl": "/x"}]
    assert team_list(body, WHAT) == [{"name": "Ops", "slug": "team-1"}]


def test_team_list_wrapped():
    assert team_list({"teams": [{"name": "Ops", "slug": "team-1"}]}, WHAT) == [{"name": "Ops", "slug": "team-1"}]


def test_user_teams_2020_shape():
    body = {"teams": [{"name": "Ops", "slug": "team-1", "_selfUrl": "/a", "_membersUrl": "/b", "_policiesUrl": "/c", "_adminsUrl": "/d"}]}
    assert user_team_list(body, WHAT) == [{"name": "Ops", "slug": "team-1"}]


def test_team_members_with_boolean_or_string_verified():
    """The spec says ``verified`` is a string; the API answers a boolean. Only usernames are read."""
    body = {
        "_selfUrl": "/x",
        "_teamUrl": "/y",
        "members": [{"username": "a", "firstName": "A", "lastName": "A", "version": 1, "verified": True}, {"username": "b", "verified": "verified"}],
    }
    assert team_member_list(body, WHAT) == ["a", "b"]


# -- contact methods (§6 "spec versus reality", §10) --------------------------------------------------


def contact(value="john.doe@example.com", contact_type="Email", **changes):
    item = {
        "id": 122482,
        "label": "Default",
        "value": value,
        "contactType": contact_type,
        "rank": 500,
        "verified": "verified",
        "extId": EXT,
        "_selfUrl": "/api-public/v1/user/johndoe/contact-methods/emails/" + EXT,
    }
    item.update(changes)
    return item


def test_contact_method_real_object():
    assert parse_contact_method(contact(), "email", WHAT, identity="extId") == {
        "id": 122482,
        "ext_id": EXT,
        "label": "Default",
        "value": "john.doe@example.com",
        "kind": "email",
        "rank": 500,
        "verified": True,
    }


def test_contact_method_list_in_its_envelope():
    """Real: ``{"_selfUrl", "contactMethods": [...]}``."""
    assert [c["id"] for c in contact_method_list({"_selfUrl": "/x", "contactMethods": [contact()]}, "email", WHAT)] == [122482]


def test_contact_method_list_bare_array():
    """The spec: a bare array."""
    assert [c["id"] for c in contact_method_list([contact()], "email", WHAT)] == [122482]


def test_contact_method_value_under_the_create_body_key():
    """The spec's create bodies name the value ``email`` / ``phone``."""
    item = contact(phone="+15550100", contact_type="Phone")
    del item["value"]
    assert parse_contact_method(item, "phone", WHAT, identity="extId")["value"] == "+15550100"


def test_contact_method_unverified_string():
    assert parse_contact_method(contact(verified="unverified"), "email", WHAT, identity="extId")["verified"] is False


def test_create_answer_without_ext_id_is_not_a_contact_result():
    """go-victorops ``contact_test.go``: the create answer may lack ``extId``; the normaliser does not invent one."""
    item = contact()
    del item["extId"], item["_selfUrl"]
    with pytest.raises(UnexpectedResponseError, match="has no extId"):
        parse_contact_method(item, "email", WHAT, identity="extId")


def test_create_answer_without_ext_id_costs_one_read():
    """The no-extid variant: ``add_contact_method`` reads the created contact back once, by its canonical value."""
    created = contact(value="+1 555-0100", contact_type="Phone", label="Mobile")
    answer = dict(created)
    del answer["extId"], answer["_selfUrl"]
    client = ScriptedClient(add_phone=[answer], list_phones=[{"_selfUrl": "/x", "contactMethods": [created]}])
    result = _api.add_contact_method(client, "johndoe", "phone", "+15550100", "Mobile", rank=1)
    assert client.calls == ["add_phone", "list_phones"]
    assert (result["ext_id"], result["value"]) == (EXT, "+1 555-0100")


def test_create_answer_with_ext_id_costs_no_read():
    client = ScriptedClient(add_email=[contact()])
    assert _api.add_contact_method(client, "johndoe", "email", "john.doe@example.com", "Default")["ext_id"] == EXT
    assert client.calls == ["add_email"]


@pytest.mark.parametrize(
    "stored, given",
    [
        ("+1 411-555-5555", "+14115555555"),
        ("+1 555-010-0999", "+1 (555) 010-0999"),
        ("+15550100999", "+1 555 010 0999"),
        ("+1-555-0100", "+1.555.0100"),
    ],
    ids=["pauldenver fixture", "parentheses", "E.164 against spaces", "dashes against dots"],
)
def test_phone_numbers_formatted_by_the_api_compare_by_digits(stored, given):
    """Splunk TF keeps "the value as formatted by the victorops API"; fixtures show ``+1 411-555-5555``."""
    assert contact_key("phone", stored) == contact_key("phone", given)


def test_emails_lower_cased_by_the_api_compare_without_case():
    assert contact_key("email", "john.doe@example.com") == contact_key("email", "John.Doe@Example.COM")


def test_different_numbers_stay_different():
    assert contact_key("phone", "+1 555-0100") != contact_key("phone", "+1 555-0101")


# -- the whole contact-method list, as paging rules name contacts (ContactDirectory) --------------------


def all_methods(emails=(), phones=(), devices=()):
    return {
        "emails": {"_selfUrl": "/e", "contactMethods": list(emails)},
        "phones": {"_selfUrl": "/p", "contactMethods": list(phones)},
        "devices": {"_selfUrl": "/d", "contactMethods": list(devices)},
    }


def test_directory_real_envelopes():
    directory = ContactDirectory(
        all_methods(
            [contact()],
            [contact("+1 555-0100", "Phone", id=9, label="Mobile")],
            [{"id": 1, "deviceType": "Android", "label": "Pixel", "extId": "x", "_selfUrl": "/d/x"}],
        )
    )
    assert [(c["id"], c["kind"], c["label"], c["value"]) for c in directory.contacts] == [
        (122482, "email", "Default", "john.doe@example.com"),
        (9, "phone", "Mobile", "+1 555-0100"),
    ]
    assert directory.contacts[0]["ext_id"] == EXT


def test_directory_bare_arrays():
    directory = ContactDirectory({"emails": [contact()], "phones": [], "devices": []})
    assert [c["id"] for c in directory.contacts] == [122482]


def test_directory_sections_missing_for_a_user_with_only_devices():
    directory = ContactDirectory({"devices": {"contactMethods": [{"id": 1, "deviceType": "iOS", "label": "Phone", "extId": "x"}]}})
    assert directory.loaded and directory.contacts == []


def test_directory_value_under_the_create_body_key_and_string_ids():
    item = contact(id="122482")
    del item["value"]
    item["email"] = "john.doe@example.com"
    directory = ContactDirectory({"emails": {"contactMethods": [item]}})
    assert (directory.contacts[0]["id"], directory.contacts[0]["value"]) == (122482, "john.doe@example.com")


def test_directory_resolves_a_reformatted_phone_and_a_lower_cased_email():
    directory = ContactDirectory(
        all_methods([contact("jdoe.work@example.com", id=5, label="Work")], [contact("+1 555-010-0999", "Phone", id=9, label="Mobile")])
    )
    assert directory.resolve("sms", contact="+1 (555) 010-0999") == 9
    assert directory.resolve("email", contact="JDoe.Work@Example.com") == 5


def test_directory_refuses_an_answer_with_no_section():
    with pytest.raises(MalformedPolicyError, match="expected the sections emails, phones and devices"):
        ContactDirectory({"error": "something"})
