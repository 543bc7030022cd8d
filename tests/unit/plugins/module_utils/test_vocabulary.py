"""The collection's vocabulary: exact identity, the shapes of what people type, the one contact-method parser."""

import pytest

from ansible_collections.victorops.oncall.plugins.module_utils._errors import MalformedPolicyError, OptionError
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import (
    email_problem,
    match_username,
    nearest,
    parse_contact_method,
    parse_contact_methods,
    phone_problem,
)

# -- identity is exact ---------------------------------------------------------------------------------


def test_the_exact_username_wins_over_one_in_another_case():
    assert match_username("JDoe", ["jdoe", "JDoe"], "username") == ("JDoe", None)
    assert match_username("jdoe", ["JDoe", "jdoe"], "username") == ("jdoe", None)


def test_one_username_in_another_case_stands_in_with_a_note():
    match, note = match_username("JDoe", ["asmith", "jdoe"], "from_user")
    assert match == "jdoe"
    assert note == "from_user 'JDoe' matched the username 'jdoe', which differs only in case (the API answered it so)"


def test_two_usernames_in_another_case_are_an_error_naming_them():
    with pytest.raises(OptionError) as caught:
        match_username("JDOE", ["jdoe", "JDoe", "asmith"], "username")
    assert str(caught.value) == (
        "username 'JDOE' matches no username exactly and several in another case: JDoe, jdoe; give the username exactly as the API spells it"
    )


def test_no_match_is_none():
    assert match_username("jdoe", ["jdoe2", "asmith"], "username") == (None, None)
    assert match_username("jdoe", [], "username") == (None, None)


# -- shapes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["+1 555 0100", "+1-555-0100", "+1 (555) 010-0100", "+15550100100", "+44 20 7946 0958"])
def test_phone_numbers_in_e164_form_are_accepted(value):
    assert phone_problem(value) is None


def test_a_phone_without_a_country_code_is_refused_naming_e164_and_the_fix():
    assert phone_problem("5550107011") == "has no country code: give the number in E.164 form, a + and the country code first (for example +1 555 010 0100)"


@pytest.mark.parametrize("value", ["call me", "+1", "+1 555 0100 0000 0000 00", "+1-555-CALL"])
def test_what_is_not_a_phone_number_is_refused(value):
    assert phone_problem(value).startswith("is not a phone number: give it in E.164 form")


def test_email_shape():
    assert email_problem("a@example.com") is None
    assert email_problem("a.example.com") == "is not an email address"


def test_nearest_name_for_a_typo():
    assert nearest("Databse", ["Operations", "Database"]) == "Database"
    assert nearest("database", ["Operations", "Database"]) == "Database"
    assert nearest("Zzz", ["Operations", "Database"]) is None


# -- the one parser of contact methods -------------------------------------------------------------------


def test_one_contact_object_in_every_form_it_comes():
    item = {"id": "7", "label": "Mobile", "phone": "+15550100", "extId": "e1", "rank": 1, "verified": "unverified"}
    assert parse_contact_method(item, "phone", "POST phones", identity="extId") == {
        "id": 7,
        "ext_id": "e1",
        "kind": "phone",
        "label": "Mobile",
        "value": "+15550100",
        "rank": 1,
        "verified": False,
    }


@pytest.mark.parametrize("identity, item", [("id", {"extId": "e"}), ("extId", {"id": 1}), ("id", {"id": True}), ("id", {"id": "one"})])
def test_a_contact_object_without_a_usable_identity_is_refused(identity, item):
    with pytest.raises(MalformedPolicyError):
        parse_contact_method(item, "email", "GET emails", identity=identity)


def test_the_whole_answer_emails_then_phones():
    body = {
        "emails": {"contactMethods": [{"id": 1, "label": "Default", "value": "a@example.com", "extId": "x"}]},
        "phones": [{"id": 2, "label": "Mobile", "value": "+1 555 0100"}],
        "devices": {"contactMethods": [{"id": 3, "deviceType": "iOS"}]},
    }
    assert [(c["id"], c["kind"], c["value"], c["ext_id"]) for c in parse_contact_methods(body)] == [
        (1, "email", "a@example.com", "x"),
        (2, "phone", "+1 555 0100", None),
    ]
