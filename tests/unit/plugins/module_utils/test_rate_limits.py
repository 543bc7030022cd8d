"""The documented per-operation limits and user overrides."""

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import PROFILES, limit_for, normalize_operation

LIST_POLICIES = "GET /api-public/v1/policies"
TAKE_ONCALL = "PATCH /api-public/v1/policies/{policy}/oncall/user"
GET_PAGING_POLICY = "GET /api-public/v1/profile/{username}/policies"
PUT_RULE = "PUT /api-public/v1/profile/{username}/policies/{step}/{rule}"


@pytest.mark.parametrize("operation, limit_2018, limit_2020", [
    (LIST_POLICIES, 1, 60),
    (TAKE_ONCALL, 6, 60),
    (GET_PAGING_POLICY, 15, 20),
    (PUT_RULE, 15, 60),
    ("GET /api-public/v1/policies/types/timeouts", 15, 60),
    ("POST /api-public/v1/user/batch", 15, 15),
    ("DELETE /api-public/v1/team/{team}/members/{user}", 15, 60),
])
def test_documented_limits(operation, limit_2018, limit_2020):
    assert limit_for(operation) == limit_2018
    assert limit_for(operation, "2018") == limit_2018
    assert limit_for(operation, "2020") == limit_2020


def test_profiles_table():
    assert PROFILES["2018"] == {"default": 15, LIST_POLICIES: 1, TAKE_ONCALL: 6}
    assert PROFILES["2020"]["default"] == 60
    assert PROFILES["2020"][GET_PAGING_POLICY] == 20


@pytest.mark.parametrize("spelling", [
    "PATCH /api-public/v1/policies/{slug}/oncall/user",
    "patch /api-public/v1/policies/{policy}/oncall/user/",
    "PATCH   /api-public/v1/policies/{}/oncall/user",
])
def test_matching_ignores_placeholder_names_method_case_and_trailing_slash(spelling):
    assert limit_for(spelling) == 6
    assert normalize_operation(spelling) == "PATCH /api-public/v1/policies/{}/oncall/user"


def test_overrides_win_over_the_profile():
    overrides = {LIST_POLICIES: 4, "get /api-public/v1/profile/{user}/policies": 30}
    assert limit_for(LIST_POLICIES, "2018", overrides) == 4
    assert limit_for(GET_PAGING_POLICY, "2020", overrides) == 30
    assert limit_for(PUT_RULE, "2018", overrides) == 15


def test_default_override_applies_only_to_operations_not_named():
    overrides = {"default": 100}
    assert limit_for(PUT_RULE, "2018", overrides) == 100
    assert limit_for(LIST_POLICIES, "2018", overrides) == 1
    assert limit_for(TAKE_ONCALL, "2018", {"DEFAULT": 2}) == 6


def test_override_values_may_be_strings_of_digits():
    assert limit_for(PUT_RULE, "2018", {PUT_RULE: "3"}) == 3


def test_unknown_profile_and_bad_override_refused():
    with pytest.raises(ValueError) as profile:
        limit_for(PUT_RULE, "2021")
    assert str(profile.value) == "unknown rate limit profile '2021'; expected one of 2018, 2020"
    with pytest.raises(ValueError):
        limit_for(PUT_RULE, "2018", {PUT_RULE: 0})
