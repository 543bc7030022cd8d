# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Personal paging policy operations: /profile/{username}/policies..."""

import pytest

PUSH = {"id": 0, "type": "Device"}


def cid(emu, username, kind, label):
    return next(c["id"] for c in emu.state["users"][username]["contact_methods"][kind] if c["label"] == label)


def test_get_policy_renders_steps_rules_and_capitalised_contact_types(emu, api):
    body = api.json("GET", "/profile/jdoe/policies", data="{}")
    mobile, work = cid(emu, "jdoe", "phones", "Mobile"), cid(emu, "jdoe", "emails", "Work")
    assert body == {
        "steps": [
            {
                "index": 0,
                "timeout": 5,
                "rules": [{"index": 0, "type": "push", "contact": PUSH}, {"index": 1, "type": "sms", "contact": {"id": mobile, "type": "Phone"}}],
            },
            {
                "index": 1,
                "timeout": 10,
                "rules": [
                    {"index": 0, "type": "phone", "contact": {"id": mobile, "type": "Phone"}},
                    {"index": 1, "type": "email", "contact": {"id": work, "type": "Email"}},
                ],
            },
        ],
        "_selfUrl": "/api-public/v1/profile/jdoe/policies",
    }
    assert emu.paging_policy("jdoe") == body["steps"]


def test_seed_user_without_policy_gets_the_default_policy(emu, api):
    default_email = cid(emu, "cnguyen", "emails", "Default")
    assert api.json("GET", "/profile/cnguyen/policies")["steps"] == [
        {
            "index": 0,
            "timeout": 5,
            "rules": [{"index": 0, "type": "push", "contact": PUSH}, {"index": 1, "type": "email", "contact": {"id": default_email, "type": "Email"}}],
        }
    ]


@pytest.mark.parametrize(
    "path",
    ["/profile/nobody/policies", "/profile/nobody/policies/0", "/profile/nobody/policies/0/0", "/profile/john.doe%40example.com/policies"],
)
def test_unknown_user_is_404_user_not_found(api, path):
    response = api("GET", path)
    assert (response.status_code, response.json()) == (404, {"error": "User not found"})


def test_percent_encoded_at_is_not_decoded(emu, api):
    emu.reset(
        seed={
            "api_keys": [{"api_id": "demo-api-id", "api_key": "demo-api-key"}],
            "users": [{"username": "ops@example.com", "firstName": "O", "lastName": "P", "email": "ops@example.com"}],
        }
    )
    assert api("GET", "/profile/ops@example.com/policies").status_code == 200
    response = api("GET", "/profile/ops%40example.com/policies")
    assert (response.status_code, response.json()) == (404, {"error": "User not found"})


def test_create_step_appends_and_accepts_numeric_string_timeout_and_any_contact_type_case(emu, api):
    asmith_phone = cid(emu, "asmith", "phones", "Mobile")
    body = api.json("POST", "/profile/asmith/policies", {"timeout": "10", "rules": [{"type": "phone", "contact": {"id": asmith_phone, "type": "PHONE"}}]})
    assert body == {
        "step": {"index": 1, "timeout": 10, "rules": [{"index": 0, "type": "phone", "contact": {"id": asmith_phone, "type": "Phone"}}]},
        "_selfUrl": "/api-public/v1/profile/asmith/policies/1",
    }
    assert emu.state["users"]["asmith"]["paging_policy"][1] == {"timeout": 10, "rules": [{"type": "phone", "contact_id": asmith_phone}]}


def test_push_rule_needs_no_contact_and_a_sent_contact_is_ignored(emu, api):
    body = api.json("POST", "/profile/asmith/policies", {"timeout": 5, "rules": [{"type": "push"}, {"type": "push", "contact": {"id": 12, "type": "email"}}]})
    assert body["step"]["rules"] == [{"index": 0, "type": "push", "contact": PUSH}, {"index": 1, "type": "push", "contact": PUSH}]
    assert emu.state["users"]["asmith"]["paging_policy"][1]["rules"] == [{"type": "push", "contact_id": None}, {"type": "push", "contact_id": None}]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"timeout": 5}, "A step needs at least one rule"),
        ({"timeout": 5, "rules": []}, "A step needs at least one rule"),
        ({"rules": [{"type": "push"}]}, "A step needs a timeout"),
        ({"timeout": 7, "rules": [{"type": "push"}]}, "Invalid timeout: 7 (allowed: 1, 5, 10, 15, 20, 25, 30, 45, 60)"),
        ({"timeout": 0, "rules": [{"type": "push"}]}, "Invalid timeout: 0 (allowed: 1, 5, 10, 15, 20, 25, 30, 45, 60)"),
        ({"timeout": "five", "rules": [{"type": "push"}]}, "Invalid timeout: 'five' (allowed: 1, 5, 10, 15, 20, 25, 30, 45, 60)"),
        ({"timeout": True, "rules": [{"type": "push"}]}, "Invalid timeout: True"),
        ({"timeout": 5, "rules": [{"type": "pager"}]}, "Invalid notification type: 'pager' (allowed: push, email, sms, phone)"),
        ({"timeout": 5, "rules": [{"type": "Email", "contact": {"id": 1}}]}, "Invalid notification type: 'Email' (allowed: push, email, sms, phone)"),
        ({"timeout": 5, "rules": [{"type": "email"}]}, "A email rule needs a contact with an id"),
        ({"timeout": 5, "rules": [{"type": "email", "contact": {"id": "100005"}}]}, "Invalid contact id: '100005'"),
        ([], "A step must be a JSON object"),
    ],
)
def test_create_step_validation_is_400(emu, api, body, message):
    before = emu.paging_policy("asmith")
    response = api("POST", "/profile/asmith/policies", body)
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert emu.paging_policy("asmith") == before


def test_rule_contact_must_be_the_users_own_contact_of_the_matching_kind(emu, api):
    asmith_email = cid(emu, "asmith", "emails", "Default")
    asmith_phone = cid(emu, "asmith", "phones", "Mobile")
    jdoe_phone = cid(emu, "jdoe", "phones", "Mobile")
    cases = [
        ({"type": "email", "contact": {"id": asmith_phone}}, "Contact %d is not one of asmith's emails" % asmith_phone),
        ({"type": "sms", "contact": {"id": asmith_email}}, "Contact %d is not one of asmith's phones" % asmith_email),
        ({"type": "phone", "contact": {"id": jdoe_phone, "type": "phone"}}, "Contact %d is not one of asmith's phones" % jdoe_phone),
        ({"type": "sms", "contact": {"id": asmith_phone, "type": "email"}}, "A sms rule needs a contact of type phone, not 'email'"),
    ]
    for rule, message in cases:
        response = api("POST", "/profile/asmith/policies/0", rule)
        assert (response.status_code, response.json()) == (400, {"error": message})
    assert len(emu.paging_policy("asmith")[0]["rules"]) == 2


def test_get_step_and_unknown_step_indexes(emu, api):
    step = api.json("GET", "/profile/jdoe/policies/1")
    assert step == {"step": emu.paging_policy("jdoe")[1], "_selfUrl": "/api-public/v1/profile/jdoe/policies/1"}
    for raw, message in (("2", "Step 2 does not exist"), ("x", "Invalid step index: x"), ("-1", "Invalid step index: -1")):
        response = api("GET", "/profile/jdoe/policies/" + raw)
        assert (response.status_code, response.json()) == (400, {"error": message})


def test_put_step_replaces_timeout_and_rules(emu, api):
    work = cid(emu, "jdoe", "emails", "Work")
    body = api.json("PUT", "/profile/jdoe/policies/1", {"timeout": 30, "rules": [{"type": "email", "contact": {"id": work, "type": "Email"}}]})
    assert body == {
        "step": {"index": 1, "timeout": 30, "rules": [{"index": 0, "type": "email", "contact": {"id": work, "type": "Email"}}]},
        "_selfUrl": "/api-public/v1/profile/jdoe/policies/1",
    }
    assert emu.state["users"]["jdoe"]["paging_policy"][1] == {"timeout": 30, "rules": [{"type": "email", "contact_id": work}]}
    response = api("PUT", "/profile/jdoe/policies/1", {"timeout": 30, "rules": []})
    assert (response.status_code, response.json()) == (400, {"error": "A step needs at least one rule"})
    response = api("PUT", "/profile/jdoe/policies/2", {"timeout": 30, "rules": [{"type": "push"}]})
    assert (response.status_code, response.json()) == (400, {"error": "Step 2 does not exist"})


def test_create_get_and_put_rule(emu, api):
    default_email = cid(emu, "jdoe", "emails", "Default")
    created = api.json("POST", "/profile/jdoe/policies/0", {"type": "email", "contact": {"id": default_email, "type": "email"}})
    assert created == {
        "stepRule": {"index": 2, "type": "email", "contact": {"id": default_email, "type": "Email"}},
        "_selfUrl": "/api-public/v1/profile/jdoe/policies/0/2",
    }
    assert api.json("GET", "/profile/jdoe/policies/0/2") == created
    updated = api.json("PUT", "/profile/jdoe/policies/0/2", {"type": "push"})
    assert updated == {"stepRule": {"index": 2, "type": "push", "contact": PUSH}, "_selfUrl": "/api-public/v1/profile/jdoe/policies/0/2"}
    assert emu.state["users"]["jdoe"]["paging_policy"][0]["rules"][2] == {"type": "push", "contact_id": None}
    for method in ("GET", "PUT", "DELETE"):
        response = api(method, "/profile/jdoe/policies/0/3", {"type": "push"})
        assert (response.status_code, response.json()) == (400, {"error": "Rule 3 does not exist"})
    response = api("POST", "/profile/jdoe/policies/5", {"type": "push"})
    assert (response.status_code, response.json()) == (400, {"error": "Step 5 does not exist"})


def test_delete_rule_returns_it_and_reindexes_later_rules(emu, api):
    mobile = cid(emu, "jdoe", "phones", "Mobile")
    work = cid(emu, "jdoe", "emails", "Work")
    deleted = api.json("DELETE", "/profile/jdoe/policies/1/0", data="{}")
    assert deleted == {
        "stepRule": {"index": 0, "type": "phone", "contact": {"id": mobile, "type": "Phone"}},
        "_selfUrl": "/api-public/v1/profile/jdoe/policies/1/0",
    }
    assert emu.paging_policy("jdoe")[1] == {"index": 1, "timeout": 10, "rules": [{"index": 0, "type": "email", "contact": {"id": work, "type": "Email"}}]}


def test_deleting_the_last_rule_of_a_step_removes_the_step_and_reindexes_later_steps(emu, api):
    work = cid(emu, "jdoe", "emails", "Work")
    api.json("POST", "/profile/jdoe/policies", {"timeout": 15, "rules": [{"type": "email", "contact": {"id": work}}]})
    api.json("PUT", "/profile/jdoe/policies/1", {"timeout": 10, "rules": [{"type": "push"}]})
    api.json("DELETE", "/profile/jdoe/policies/1/0")
    steps = emu.paging_policy("jdoe")
    assert [(s["index"], s["timeout"], [r["type"] for r in s["rules"]]) for s in steps] == [(0, 5, ["push", "sms"]), (1, 15, ["email"])]


def test_rule_zero_of_step_zero_cannot_be_deleted(emu, api):
    before = emu.paging_policy("jdoe")
    response = api("DELETE", "/profile/jdoe/policies/0/0")
    assert (response.status_code, response.json()) == (400, {"error": "Rule 0 of step 0 cannot be deleted"})
    assert emu.paging_policy("jdoe") == before
    api.json("DELETE", "/profile/jdoe/policies/0/1")
    assert [r["type"] for r in emu.paging_policy("jdoe")[0]["rules"]] == ["push"]


def test_user_policies_flattened_view(emu, api):
    user = emu.state["users"]["jdoe"]
    ext = {c["id"]: c["extId"] for kind in ("emails", "phones") for c in user["contact_methods"][kind]}
    mobile, work = cid(emu, "jdoe", "phones", "Mobile"), cid(emu, "jdoe", "emails", "Work")
    assert api.json("GET", "/user/jdoe/policies") == {
        "username": "jdoe",
        "userId": user["userId"],
        "policies": [
            {"order": 1, "timeout": 5, "contactType": "push", "extId": ""},
            {"order": 1, "timeout": 5, "contactType": "sms", "extId": ext[mobile]},
            {"order": 2, "timeout": 10, "contactType": "phone", "extId": ext[mobile]},
            {"order": 2, "timeout": 10, "contactType": "email", "extId": ext[work]},
        ],
    }
    response = api("GET", "/user/nobody/policies")
    assert (response.status_code, response.json()) == (404, {"error": "User not found"})


def test_invalid_json_body_on_a_write_is_400(emu, api):
    response = api("POST", "/profile/jdoe/policies", data="{not json")
    assert (response.status_code, response.json()) == (400, {"error": "The request body is not valid JSON"})
    assert api("GET", "/profile/jdoe/policies", data="{not json").status_code == 200
