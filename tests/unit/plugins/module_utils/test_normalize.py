import pytest

from ansible_collections.victorops.oncall.plugins.module_utils._normalize import (
    UnexpectedResponseError,
    escalation_policy_list,
    oncall_users_by_policy,
    type_list,
    user_paging_policies,
)


def test_escalation_policy_list_2020_shape():
    body = {"policies": [{"policy": {"name": "Ops", "slug": "pol-1", "_selfUrl": "/x"}, "team": {"name": "T", "slug": "team-1"}}]}
    assert escalation_policy_list(body, "GET x") == [{"name": "Ops", "slug": "pol-1", "team": {"name": "T", "slug": "team-1"}}]


def test_escalation_policy_list_2018_flat_shape():
    assert escalation_policy_list({"policies": [{"name": "Ops", "slug": "pol-1"}]}, "GET x") == [
        {"name": "Ops", "slug": "pol-1", "team": {"name": None, "slug": None}}
    ]


@pytest.mark.parametrize("body", [None, [], {"policies": None}, {"policies": [{"policy": {"name": "no slug"}}]}, {"policies": ["x"]}])
def test_escalation_policy_list_rejects_bad_shapes(body):
    with pytest.raises(UnexpectedResponseError, match="Unexpected answer from GET x"):
        escalation_policy_list(body, "GET x")


def test_timeout_types_become_integers_whatever_the_api_sends():
    body = {"timeoutTypes": [{"type": "1", "description": "a"}, {"type": 5, "description": "b"}]}
    assert type_list(body, "timeoutTypes", as_int=True) == [{"type": 1, "description": "a"}, {"type": 5, "description": "b"}]


def test_contact_types_are_lower_cased():
    body = {"contactTypes": [{"type": "Email", "description": "Email Address"}, {"type": "phone", "description": "Phone"}]}
    assert [t["type"] for t in type_list(body, "contactTypes")] == ["email", "phone"]


def test_non_numeric_timeout_type_is_a_clear_error():
    with pytest.raises(UnexpectedResponseError, match="not a number"):
        type_list({"timeoutTypes": [{"type": "soon"}]}, "timeoutTypes", as_int=True)


def test_user_paging_policies():
    body = {"username": "j", "userId": 4, "policies": [{"order": 1, "timeout": "5", "contactType": "Email", "extId": "u"}]}
    assert user_paging_policies(body) == {"username": "j", "user_id": 4, "policies": [{"order": 1, "timeout": 5, "contact_type": "email", "ext_id": "u"}]}


@pytest.mark.parametrize("now_key,user_key", [("oncallNow", "onCalluser"), ("onCallNow", "onCallUser")])
def test_oncall_current_accepts_real_and_spec_casing(now_key, user_key):
    body = {
        "teamsOnCall": [
            {
                "team": {"name": "Ops", "slug": "team-1"},
                now_key: [
                    {"escalationPolicy": {"name": "Primary", "slug": "pol-1"}, "users": [{user_key: {"username": "amy"}}, {user_key: {"username": "bo"}}]}
                ],
            }
        ]
    }
    assert oncall_users_by_policy(body) == {"pol-1": {"name": "Primary", "team": {"name": "Ops", "slug": "team-1"}, "users": ["amy", "bo"]}}


def test_oncall_current_empty_and_malformed():
    assert oncall_users_by_policy({"teamsOnCall": []}) == {}
    with pytest.raises(UnexpectedResponseError):
        oncall_users_by_policy({"teamsOnCall": "nope"})
