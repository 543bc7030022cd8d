# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Variants that change stored data or answers: reformat-contacts, keep-empty-steps / step-delete,
case-insensitive-users, no-extid, error-200 and contactless-rules. Each test also shows the default."""

import re

import pytest

OPS = "team-Q2opsDemoTeam001"
DB = "team-Db4DemoTeamAb002"
PUSH = {"id": 0, "type": "Device"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NEW_USER = {"firstName": "Dana", "lastName": "Kim", "username": "dkim", "email": "Dana.Kim@Example.com"}


def cid(emu, username, kind, label):
    return next(c["id"] for c in emu.state["users"][username]["contact_methods"][kind] if c["label"] == label)


def demo_seed(**extra):
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    seed.update(extra)
    return seed


@pytest.fixture
def variant(make_emulator):
    """variant(*names, **kwargs) -> (emulator, caller) with rate limits off."""

    def start(*names, **kwargs):
        kwargs.setdefault("limits", "off")
        return make_emulator(variants=names, **kwargs)

    return start


# ----- reformat-contacts -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("+15550100", "+1 555-0100"),
        ("+1-555-0100", "+1 555-0100"),
        ("+15550100999", "+1 555-010-0999"),
        ("+1 (555) 010-0999", "+1 555-010-0999"),
        ("+14115555555", "+1 411-555-5555"),
        ("+442071234567", "+44 207-123-4567"),
        ("+79161234567", "+7 916-123-4567"),
        ("5550100", "555-0100"),
        ("+1 555", "+1 555"),
        ("ext", "ext"),
    ],
)
def test_format_phone_keeps_the_digits(sent, stored):
    from ansible_collections.victorops.oncall.tests.emulator import format_phone

    assert format_phone(sent) == stored
    assert re.sub(r"\D", "", stored) == re.sub(r"\D", "", sent)


def test_reformat_contacts_stores_phones_in_the_api_format(variant, api):
    emulator, call = variant("reformat-contacts")
    assert [c["value"] for c in call.json("GET", "/user/jdoe/contact-methods/phones")["contactMethods"]] == ["+1 555-0100"]
    created = call.json("POST", "/user/jdoe/contact-methods/phones", {"label": "Desk", "phone": "+15550100999", "rank": 1})
    assert created["value"] == "+1 555-010-0999"
    listed = call.json("GET", "/user/jdoe/contact-methods/phones")["contactMethods"]
    assert [(c["label"], c["value"]) for c in listed] == [("Mobile", "+1 555-0100"), ("Desk", "+1 555-010-0999")]
    assert call.json("GET", "/user/jdoe/contact-methods")["phones"]["contactMethods"] == listed
    # The same digits written differently are the same contact.
    duplicate = call("POST", "/user/jdoe/contact-methods/phones", {"label": "Again", "phone": "+1 (555) 010-0999", "rank": 1})
    assert (duplicate.status_code, duplicate.json()) == (400, {"error": "Contact method +1 (555) 010-0999 already exists for user jdoe"})
    assert len(emulator.state["users"]["jdoe"]["contact_methods"]["phones"]) == 2
    # Default: stored exactly as sent, and a different spelling is another contact.
    assert api.json("GET", "/user/jdoe/contact-methods/phones")["contactMethods"][0]["value"] == "+1-555-0100"
    assert api.json("POST", "/user/jdoe/contact-methods/phones", {"label": "Desk", "phone": "+15550100999", "rank": 1})["value"] == "+15550100999"
    assert api.json("POST", "/user/jdoe/contact-methods/phones", {"label": "Again", "phone": "+1 (555) 010-0999", "rank": 1})["value"] == "+1 (555) 010-0999"


def test_reformat_contacts_lower_cases_emails(variant, api):
    emulator, call = variant("reformat-contacts")
    created = call.json("POST", "/user/jdoe/contact-methods/emails", {"label": "Home", "email": "John.Home@Example.ORG", "rank": 1})
    assert created["value"] == "john.home@example.org"
    assert call.json("GET", "/user/jdoe/contact-methods/emails")["contactMethods"][-1]["value"] == "john.home@example.org"
    user = call.json("POST", "/user", NEW_USER)
    assert user["email"] == "dana.kim@example.com"
    assert call.json("GET", "/user/dkim/contact-methods/emails")["contactMethods"][0]["value"] == "dana.kim@example.com"
    assert emulator.state["users"]["dkim"]["email"] == "dana.kim@example.com"
    # Default: as sent.
    assert (
        api.json("POST", "/user/jdoe/contact-methods/emails", {"label": "Home", "email": "John.Home@Example.ORG", "rank": 1})["value"]
        == "John.Home@Example.ORG"
    )
    assert api.json("POST", "/user", NEW_USER)["email"] == "Dana.Kim@Example.com"


def test_reformat_contacts_seed_rules_still_find_their_contacts(variant):
    emulator, call = variant("reformat-contacts")
    mobile = cid(emulator, "jdoe", "phones", "Mobile")
    seed = demo_seed()
    seed["users"][0]["paging_policy"][0]["rules"][1] = {"type": "sms", "contact": "+1-555-0100"}
    emulator.reset(seed=seed)
    assert call.json("GET", "/profile/jdoe/policies")["steps"][0]["rules"][1]["contact"] == {"id": mobile, "type": "Phone"}


# ----- keep-empty-steps and the step DELETE ----------------------------------------------------------------
def test_keep_empty_steps_leaves_a_step_without_rules(variant, emu, api):
    emulator, call = variant("keep-empty-steps")
    call.json("DELETE", "/profile/jdoe/policies/1/1")
    call.json("DELETE", "/profile/jdoe/policies/1/0")
    steps = call.json("GET", "/profile/jdoe/policies")["steps"]
    assert [(s["index"], s["timeout"], s["rules"]) for s in steps][1] == (1, 10, [])
    assert call.json("GET", "/profile/jdoe/policies/1")["step"] == {"index": 1, "timeout": 10, "rules": []}
    assert emulator.state["users"]["jdoe"]["paging_policy"][1] == {"timeout": 10, "rules": []}
    # The flat view has nothing for the empty step; a rule can be added to it again.
    assert [p["order"] for p in call.json("GET", "/user/jdoe/policies")["policies"]] == [1, 1]
    assert call.json("POST", "/profile/jdoe/policies/1", {"type": "push"})["stepRule"]["index"] == 0
    # Default: the step goes with its last rule.
    api.json("DELETE", "/profile/jdoe/policies/1/1")
    api.json("DELETE", "/profile/jdoe/policies/1/0")
    assert len(api.json("GET", "/profile/jdoe/policies")["steps"]) == 1


def test_step_delete_removes_a_whole_step_and_reindexes(variant):
    emulator, call = variant("keep-empty-steps")
    call.json("POST", "/profile/jdoe/policies", {"timeout": 30, "rules": [{"type": "push"}]})
    mobile, work = cid(emulator, "jdoe", "phones", "Mobile"), cid(emulator, "jdoe", "emails", "Work")
    deleted = call.json("DELETE", "/profile/jdoe/policies/1", data="{}")
    assert deleted == {
        "step": {
            "index": 1,
            "timeout": 10,
            "rules": [
                {"index": 0, "type": "phone", "contact": {"id": mobile, "type": "Phone"}},
                {"index": 1, "type": "email", "contact": {"id": work, "type": "Email"}},
            ],
        },
        "_selfUrl": "/api-public/v1/profile/jdoe/policies/1",
    }
    steps = call.json("GET", "/profile/jdoe/policies")["steps"]
    assert [(s["index"], s["timeout"]) for s in steps] == [(0, 5), (1, 30)]
    assert emulator.log[-2]["operation"] == "DELETE /api-public/v1/profile/{username}/policies/{step}"


def test_step_delete_refuses_step_zero_and_unknown_steps(variant):
    emulator, call = variant("keep-empty-steps")
    zero = call("DELETE", "/profile/jdoe/policies/0")
    assert (zero.status_code, zero.json()) == (400, {"error": "Step 0 cannot be deleted"})
    missing = call("DELETE", "/profile/jdoe/policies/5")
    assert (missing.status_code, missing.json()) == (400, {"error": "Step 5 does not exist"})
    assert call("DELETE", "/profile/nobody/policies/1").status_code == 404
    assert len(emulator.state["users"]["jdoe"]["paging_policy"]) == 2


def test_step_delete_variant_alone_keeps_the_default_step_removal(variant):
    emulator, call = variant("step-delete")
    call.json("DELETE", "/profile/jdoe/policies/1/1")
    call.json("DELETE", "/profile/jdoe/policies/1/0")
    assert len(emulator.state["users"]["jdoe"]["paging_policy"]) == 1
    call.json("POST", "/profile/jdoe/policies", {"timeout": 30, "rules": [{"type": "push"}]})
    call.json("DELETE", "/profile/jdoe/policies/1")
    assert len(emulator.state["users"]["jdoe"]["paging_policy"]) == 1


def test_step_delete_is_not_served_by_default(emu, api):
    response = api("DELETE", "/profile/jdoe/policies/1")
    assert (response.status_code, response.json()) == (404, {"error": "Path not found"})
    assert emu.log[-1]["operation"] is None
    assert len(emu.paging_policy("jdoe")) == 2


# ----- case-insensitive-users ------------------------------------------------------------------------------
def mixed_case_seed():
    seed = demo_seed()
    seed["users"][0]["username"] = "JDoe"
    seed["teams"][0]["members"] = ["JDoe", "asmith", "bwong"]
    seed["oncall"][0]["users"] = ["JDoe"]
    return seed


def test_case_insensitive_users_store_lower_case_and_look_up_any_case(variant):
    emulator, call = variant("case-insensitive-users", seed=mixed_case_seed())
    assert sorted(emulator.state["users"]) == ["asmith", "bwong", "cnguyen", "jdoe"]
    assert call.json("GET", "/user/JDOE")["username"] == "jdoe"
    assert call.json("GET", "/profile/jDoe/policies")["_selfUrl"] == "/api-public/v1/profile/jdoe/policies"
    assert call.json("GET", "/user/JDoe/contact-methods/phones")["_selfUrl"] == "/api-public/v1/user/jdoe/contact-methods/phones"
    assert [m["username"] for m in call.json("GET", "/team/%s/members" % OPS)["members"]] == ["jdoe", "asmith", "bwong"]
    assert call.json("GET", "/oncall/current")["teamsOnCall"][0]["oncallNow"][0]["users"] == [{"onCalluser": {"username": "jdoe"}}]
    assert [t["slug"] for t in call.json("GET", "/user/ASmith/teams")["teams"]] == [OPS, DB]
    assert [u["username"] for u in call.json("GET", "/user")["users"][0]] == ["jdoe", "asmith", "bwong", "cnguyen"]


def test_case_insensitive_users_writes(variant):
    emulator, call = variant("case-insensitive-users")
    assert call.json("POST", "/user", dict(NEW_USER, username="DKim"))["username"] == "dkim"
    assert "dkim" in emulator.state["users"] and "DKim" not in emulator.state["users"]
    assert call("POST", "/user", dict(NEW_USER, username="dkim", email="other@example.com")).status_code == 422
    members = call.json("POST", "/team/%s/members" % OPS, {"username": "DKim"})["members"]
    assert members[-1]["username"] == "dkim"
    assert call("POST", "/team/%s/members" % OPS, {"username": "dKIM"}).json() == {"error": "User dkim is already a member of team Operations"}
    call.json("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "JDoe", "toUser": "DKIM"})
    assert emulator.state["oncall"][OPS] == ["dkim"]
    call.json("DELETE", "/team/%s/members/DKim" % OPS, {"replacement": "ASMITH"})
    assert emulator.state["oncall"][OPS] == ["asmith"]
    assert "dkim" not in emulator.state["teams"][OPS]["members"]
    assert call.json("DELETE", "/user/BWong", {"replacement": "JDOE"}) == {"result": "bwong deleted"}
    assert "bwong" not in emulator.state["users"]
    assert call.json("POST", "/profile/DKIM/policies", {"timeout": 30, "rules": [{"type": "push"}]})["_selfUrl"] == "/api-public/v1/profile/dkim/policies/1"


def test_usernames_are_case_sensitive_by_default(emu, api):
    for path in ("/user/JDoe", "/profile/JDoe/policies", "/user/JDoe/teams", "/user/JDoe/contact-methods/phones"):
        assert api("GET", path).status_code == 404, path
    assert api("POST", "/team/%s/members" % DB, {"username": "JDoe"}).status_code == 404
    assert api("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "JDoe", "toUser": "bwong"}).status_code == 404
    assert api("DELETE", "/team/%s/members/BWong" % OPS, {"replacement": "jdoe"}).status_code == 404
    assert api("DELETE", "/user/bwong", {"replacement": "JDoe"}).status_code == 422
    assert emu.state["oncall"][OPS] == ["jdoe"]


# ----- no-extid --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "field", "value"), [("phones", "phone", "+1-555-0177"), ("emails", "email", "home@example.org")])
def test_no_extid_create_answer(variant, api, kind, field, value):
    emulator, call = variant("no-extid")
    created = call.json("POST", "/user/jdoe/contact-methods/" + kind, {"label": "Home", field: value, "rank": 1})
    assert "extId" not in created and "_selfUrl" not in created
    assert (created["label"], created["value"], created["verified"]) == ("Home", value, "unverified")
    stored = emulator.state["users"]["jdoe"]["contact_methods"][kind][-1]
    assert created["id"] == stored["id"] and UUID.match(stored["extId"])
    listed = call.json("GET", "/user/jdoe/contact-methods/" + kind)["contactMethods"][-1]
    assert (listed["id"], listed["extId"]) == (stored["id"], stored["extId"])
    assert call.json("DELETE", "/user/jdoe/contact-methods/%s/%s" % (kind, stored["extId"]))["extId"] == stored["extId"]
    # Default: the create answer has the extId.
    default = api.json("POST", "/user/jdoe/contact-methods/" + kind, {"label": "Home", field: value, "rank": 1})
    assert UUID.match(default["extId"]) and default["_selfUrl"].endswith("/" + default["extId"])


# ----- error-200 -------------------------------------------------------------------------------------------
REFUSALS = [
    ("POST", "/user", dict(NEW_USER, username="JDOE"), "User name JDOE is unavailable"),
    ("POST", "/user", dict(NEW_USER, email="JOHN.doe@example.com"), "Email JOHN.doe@example.com is unavailable"),
    ("POST", "/team/%s/members" % OPS, {"username": "jdoe"}, "User jdoe is already a member of team Operations"),
    ("DELETE", "/user/bwong", {}, "A replacement user is required"),
    ("DELETE", "/user/bwong", {"replacement": "nobody"}, "Replacement user nobody was not found"),
    ("DELETE", "/team/%s/members/bwong" % OPS, {}, "A replacement user is required"),
    (
        "POST",
        "/user/jdoe/contact-methods/phones",
        {"label": "Again", "phone": "+1-555-0100", "rank": 1},
        "Contact method +1-555-0100 already exists for user jdoe",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "message"), REFUSALS, ids=[r[3] for r in REFUSALS])
def test_error_200_answers_refusals_with_200_and_changes_nothing(variant, api, method, path, body, message):
    import copy

    emulator, call = variant("error-200")
    before = copy.deepcopy(emulator.state)
    response = call(method, path, body)
    assert (response.status_code, response.json()) == (200, {"error": message})
    assert emulator.state == before
    assert emulator.log[-1]["status"] == 200
    # Default: the refusal's own status.
    refused = api(method, path, body)
    assert (refused.status_code, refused.json()) == (400 if "contact-methods" in path else 422, {"error": message})


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/user/nobody", None, 404),
        ("POST", "/profile/jdoe/policies", {"timeout": 7, "rules": [{"type": "push"}]}, 400),
        ("POST", "/user", {"username": "x"}, 400),
        ("DELETE", "/profile/jdoe/policies/0/0", None, 400),
    ],
)
def test_error_200_keeps_other_errors(variant, method, path, body, status):
    _emulator, call = variant("error-200")
    assert call(method, path, body).status_code == status


# ----- contactless rules -----------------------------------------------------------------------------------
def test_contactless_rules_push_rules_have_no_contact(variant, api):
    emulator, call = variant("contactless-rules")
    mobile = cid(emulator, "jdoe", "phones", "Mobile")
    rules = call.json("GET", "/profile/jdoe/policies")["steps"][0]["rules"]
    assert rules == [{"index": 0, "type": "push"}, {"index": 1, "type": "sms", "contact": {"id": mobile, "type": "Phone"}}]
    assert call.json("GET", "/profile/jdoe/policies/0/0")["stepRule"] == {"index": 0, "type": "push"}
    assert call.json("PUT", "/profile/jdoe/policies/1/1", {"type": "push"})["stepRule"] == {"index": 1, "type": "push"}
    # Writes are unchanged: a push rule may carry a contact, which is ignored.
    created = call.json("POST", "/profile/jdoe/policies", {"timeout": 30, "rules": [{"type": "push", "contact": {"id": 0, "type": "Device"}}]})
    assert created["step"]["rules"] == [{"index": 0, "type": "push"}]
    # Default: the all-devices pseudo-contact.
    assert api.json("GET", "/profile/jdoe/policies")["steps"][0]["rules"][0] == {"index": 0, "type": "push", "contact": PUSH}


def contactless_seed():
    seed = demo_seed()
    seed["users"][1]["paging_policy"] = [{"timeout": 1, "rules": [{"type": "push"}, {"type": "email"}, {"type": "sms", "contact": None}]}]
    return seed


@pytest.mark.parametrize("names", [(), ("contactless-rules",)])
def test_seeded_rules_without_a_contact(variant, names):
    emulator, call = variant(*names, seed=contactless_seed())
    rules = call.json("GET", "/profile/asmith/policies")["steps"][0]["rules"]
    push = {"index": 0, "type": "push"} if names else {"index": 0, "type": "push", "contact": PUSH}
    assert rules == [push, {"index": 1, "type": "email"}, {"index": 2, "type": "sms"}]
    assert emulator.state["users"]["asmith"]["paging_policy"][0]["rules"][1] == {"type": "email", "contact_id": None}
    assert [(p["contactType"], p["extId"]) for p in call.json("GET", "/user/asmith/policies")["policies"]] == [("push", ""), ("email", ""), ("sms", "")]
    # Such a rule cannot be written through the API.
    refused = call("PUT", "/profile/asmith/policies/0/1", {"type": "email"})
    assert (refused.status_code, refused.json()) == (400, {"error": "A email rule needs a contact with an id"})
    # It can be replaced by one with a contact, and deleted.
    mobile = cid(emulator, "asmith", "phones", "Mobile")
    assert call.json("PUT", "/profile/asmith/policies/0/2", {"type": "sms", "contact": {"id": mobile}})["stepRule"]["contact"] == {
        "id": mobile,
        "type": "Phone",
    }
    assert call.json("DELETE", "/profile/asmith/policies/0/1")["stepRule"] == {"index": 1, "type": "email"}
