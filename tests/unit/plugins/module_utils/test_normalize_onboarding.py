"""Unit tests of the onboarding normalisers in _normalize.py (users, contact methods, teams)."""

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import (
    UnexpectedResponseError,
    contact_method_list,
    team_list,
    team_member_list,
    user_result,
)
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import contact_key, parse_contact_method

CONTACT = {
    "id": 122482,
    "label": "Default",
    "value": "john.doe@example.com",
    "contactType": "Email",
    "rank": 500,
    "verified": "verified",
    "extId": "d0878692-0000-4000-8000-000000000001",
    "_selfUrl": "/api-public/v1/user/johndoe/contact-methods/emails/d0878692-0000-4000-8000-000000000001",
}


def test_user_result_maps_v1user_fields():
    body = {
        "firstName": "John",
        "lastName": "Doe",
        "username": "johndoe",
        "email": "john.doe@example.com",
        "createdAt": "2020-01-01T00:00:00Z",
        "passwordLastUpdated": "2020-01-02T00:00:00Z",
        "verified": True,
        "_selfUrl": "x",
    }
    assert user_result(body, "GET user") == {
        "username": "johndoe",
        "first_name": "John",
        "last_name": "Doe",
        "email": "john.doe@example.com",
        "verified": True,
        "created_at": "2020-01-01T00:00:00Z",
        "password_last_updated": "2020-01-02T00:00:00Z",
    }


@pytest.mark.parametrize("verified, expected", [(True, True), (False, False), ("verified", True), ("Unverified", False), (None, False)])
def test_user_verified_accepts_booleans_and_strings(verified, expected):
    assert user_result({"username": "u", "verified": verified}, "GET user")["verified"] is expected


@pytest.mark.parametrize("body", [[], {"firstName": "John"}, {"username": ""}])
def test_user_result_refuses_bodies_without_a_username(body):
    with pytest.raises(UnexpectedResponseError):
        user_result(body, "GET user")


@pytest.mark.parametrize(
    "kind, value, key",
    [
        ("email", " John.Doe@Example.COM ", "john.doe@example.com"),
        ("email", "jane@EXAMPLE.com", "jane@example.com"),
        ("phone", "+1 (555) 010-0100", "15550100100"),
        ("phone", "+1.555.010.0100", "15550100100"),
        ("phone", "+1 555-010-0100", "15550100100"),
        ("phone", "+15550100100", "15550100100"),
        ("phone", "555\t0100", "5550100"),
        ("email", None, ""),
    ],
)
def test_contact_key_is_the_canonical_form(kind, value, key):
    assert contact_key(kind, value) == key


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("+1 (555) 010-0999", "+15550100999"),
        ("+1 (555) 010-0999", "+1 555-010-0999"),
        ("+15550100", "+1 555-0100"),
    ],
)
def test_a_phone_matches_whatever_format_the_api_stores(typed, stored):
    assert contact_key("phone", typed) == contact_key("phone", stored)
    assert contact_key("phone", typed) != contact_key("phone", "+15550100998")


def test_contact_method_result_from_real_shape():
    assert parse_contact_method(CONTACT, "email", "GET emails", identity="extId") == {
        "id": 122482,
        "ext_id": "d0878692-0000-4000-8000-000000000001",
        "label": "Default",
        "value": "john.doe@example.com",
        "kind": "email",
        "rank": 500,
        "verified": True,
    }


def test_contact_method_result_reads_the_create_field_when_value_is_absent():
    item = {"id": "7", "label": "Mobile", "phone": "+15550100", "extId": "e1", "verified": "unverified"}
    assert parse_contact_method(item, "phone", "POST phones", identity="extId") == {
        "id": 7,
        "ext_id": "e1",
        "label": "Mobile",
        "value": "+15550100",
        "kind": "phone",
        "rank": None,
        "verified": False,
    }


@pytest.mark.parametrize("item", ["x", {"id": 1}, {"id": "one", "extId": "e"}, {"extId": "e", "rank": "high"}])
def test_contact_method_result_refuses_malformed_items(item):
    with pytest.raises(UnexpectedResponseError):
        parse_contact_method(item, "email", "GET emails", identity="extId")


def test_contact_method_list_accepts_real_wrapper_and_spec_bare_array():
    wrapped = contact_method_list({"_selfUrl": "x", "contactMethods": [CONTACT]}, "email", "GET emails")
    bare = contact_method_list([CONTACT], "email", "GET emails")
    assert wrapped == bare
    assert [c["ext_id"] for c in wrapped] == ["d0878692-0000-4000-8000-000000000001"]


def test_contact_method_list_refuses_a_missing_list():
    with pytest.raises(UnexpectedResponseError, match="expected a list of contact methods under 'phones'"):
        contact_method_list({"_selfUrl": "x"}, "phone", "GET phones")


def test_team_member_list_keeps_the_api_order():
    body = {"_selfUrl": "x", "members": [{"username": "b", "verified": True}, {"username": "a"}]}
    assert team_member_list(body, "GET members") == ["b", "a"]


@pytest.mark.parametrize("body", [{"members": None}, {"members": [{"firstName": "x"}]}, []])
def test_team_member_list_refuses_malformed_bodies(body):
    with pytest.raises(UnexpectedResponseError):
        team_member_list(body, "GET members")


def test_team_list_accepts_bare_array_and_wrapped_list():
    teams = [{"name": "Ops", "slug": "team-abcdefghijklmnop", "memberCount": 3}]
    assert team_list(teams, "GET team") == [{"name": "Ops", "slug": "team-abcdefghijklmnop"}]
    assert team_list({"teams": teams}, "GET team") == [{"name": "Ops", "slug": "team-abcdefghijklmnop"}]


def test_team_list_refuses_a_team_without_slug():
    with pytest.raises(UnexpectedResponseError, match="no slug"):
        team_list([{"name": "Ops"}], "GET team")
