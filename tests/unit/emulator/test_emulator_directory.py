# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Users, contact methods and team membership."""

import re

import pytest

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NEW_USER = {"firstName": "Dana", "lastName": "Kim", "username": "dkim", "email": "dana.kim@example.com", "admin": True, "expirationHours": 48}
OPS = "team-Q2opsDemoTeam001"
DB = "team-Db4DemoTeamAb002"


def test_list_users_is_the_real_nested_list(emu, api):
    body = api.json("GET", "/user")
    assert body["_selfUrl"] == "/api-public/v1/user"
    assert len(body["users"]) == 1
    assert [u["username"] for u in body["users"][0]] == ["jdoe", "asmith", "bwong", "cnguyen"]
    jdoe = emu.state["users"]["jdoe"]
    assert body["users"][0][0] == {
        "firstName": "John",
        "lastName": "Doe",
        "username": "jdoe",
        "email": "john.doe@example.com",
        "createdAt": jdoe["createdAt"],
        "passwordLastUpdated": jdoe["passwordLastUpdated"],
        "verified": True,
        "_selfUrl": "/api-public/v1/user/jdoe",
    }


def test_add_user_creates_default_email_and_default_policy(emu, api):
    body = api.json("POST", "/user", NEW_USER)
    user = emu.state["users"]["dkim"]
    assert body == {
        "firstName": "Dana",
        "lastName": "Kim",
        "username": "dkim",
        "email": "dana.kim@example.com",
        "createdAt": user["createdAt"],
        "passwordLastUpdated": user["passwordLastUpdated"],
        "verified": False,
        "_selfUrl": "/api-public/v1/user/dkim",
    }
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body["createdAt"])
    emails = api.json("GET", "/user/dkim/contact-methods/emails")["contactMethods"]
    assert len(emails) == 1
    default = emails[0]
    assert UUID.match(default["extId"])
    assert default == {
        "id": default["id"],
        "label": "Default",
        "value": "dana.kim@example.com",
        "contactType": "Email",
        "rank": 500,
        "verified": "unverified",
        "extId": default["extId"],
        "_selfUrl": "/api-public/v1/user/dkim/contact-methods/emails/" + default["extId"],
    }
    assert emu.paging_policy("dkim") == [
        {
            "index": 0,
            "timeout": 5,
            "rules": [
                {"index": 0, "type": "push", "contact": {"id": 0, "type": "Device"}},
                {"index": 1, "type": "email", "contact": {"id": default["id"], "type": "Email"}},
            ],
        }
    ]
    assert api.json("GET", "/user/dkim") == body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "jdoe"}, "User name jdoe is unavailable"),
        ({"username": "JDoe"}, "User name JDoe is unavailable"),
        ({"email": "John.Doe@example.com"}, "Email John.Doe@example.com is unavailable"),
    ],
)
def test_add_user_with_taken_username_or_email_is_422(emu, api, changes, message):
    response = api("POST", "/user", dict(NEW_USER, **changes))
    assert (response.status_code, response.json()) == (422, {"error": message})
    assert sorted(emu.state["users"]) == ["asmith", "bwong", "cnguyen", "jdoe"]


def test_add_user_missing_fields_is_400(api):
    response = api("POST", "/user", {"username": "x", "email": ""})
    assert (response.status_code, response.json()) == (400, {"error": "Missing required field(s): firstName, lastName, email"})


def test_get_missing_user_is_404(api):
    response = api("GET", "/user/nobody")
    assert (response.status_code, response.json()) == (404, {"error": "User not found"})


def test_update_user_changes_names_but_not_email(emu, api):
    body = api.json("PUT", "/user/bwong", {"firstName": "Robert", "lastName": "Wong", "username": "bwong", "email": "robert@example.com"})
    assert (body["firstName"], body["lastName"], body["email"]) == ("Robert", "Wong", "bob.wong@example.com")
    assert emu.state["users"]["bwong"]["firstName"] == "Robert"
    assert emu.state["users"]["bwong"]["email"] == "bob.wong@example.com"
    assert api("PUT", "/user/nobody", {"firstName": "X"}).status_code == 404


def test_delete_user_requires_a_known_replacement(emu, api):
    for body, message in (
        ({}, "A replacement user is required"),
        (None, "A replacement user is required"),
        ({"replacement": "nobody"}, "Replacement user nobody was not found"),
        ({"replacement": "jdoe"}, "Replacement user jdoe was not found"),
    ):
        response = api("DELETE", "/user/jdoe", body)
        assert (response.status_code, response.json()) == (422, {"error": message})
    assert "jdoe" in emu.state["users"]
    response = api("DELETE", "/user/nobody", {"replacement": "jdoe"})
    assert (response.status_code, response.json()) == (404, {"error": "User not found"})


def test_delete_user_hands_on_call_to_the_replacement_and_leaves_teams(emu, api):
    assert api.json("DELETE", "/user/jdoe", {"replacement": "bwong"}) == {"result": "jdoe deleted"}
    assert "jdoe" not in emu.state["users"]
    assert emu.state["teams"][OPS]["members"] == ["asmith", "bwong"]
    assert emu.state["teams"][OPS]["version"] == 2
    assert emu.state["oncall"][OPS] == ["bwong"]


def test_delete_user_whose_replacement_is_already_on_call_leaves_one_place(emu, api):
    emu.state["oncall"]["pol-Db9DemoPrimary02"] = ["cnguyen", "asmith"]
    api.json("DELETE", "/user/cnguyen", {"replacement": "asmith"})
    assert emu.state["oncall"]["pol-Db9DemoPrimary02"] == ["asmith"]


def test_contact_methods_overview_and_lists(emu, api):
    body = api.json("GET", "/user/jdoe/contact-methods", data="{}")
    assert sorted(body) == ["devices", "emails", "phones"]
    assert body["emails"]["_selfUrl"] == "/api-public/v1/user/jdoe/contact-methods/emails"
    assert [(c["label"], c["value"], c["contactType"], c["verified"]) for c in body["emails"]["contactMethods"]] == [
        ("Default", "john.doe@example.com", "Email", "verified"),
        ("Work", "jdoe.work@example.com", "Email", "verified"),
    ]
    assert [(c["label"], c["value"], c["contactType"]) for c in body["phones"]["contactMethods"]] == [("Mobile", "+1-555-0100", "Phone")]
    device = body["devices"]["contactMethods"][0]
    assert device == {
        "id": device["id"],
        "label": "John's iPhone",
        "deviceType": "iOS",
        "extId": device["extId"],
        "_selfUrl": "/api-public/v1/user/jdoe/contact-methods/devices/" + device["extId"],
    }
    for kind in ("emails", "phones", "devices"):
        assert api.json("GET", "/user/jdoe/contact-methods/" + kind) == body[kind]
    bwong_phone = api.json("GET", "/user/bwong/contact-methods/phones")["contactMethods"][0]
    assert bwong_phone["verified"] == "unverified"
    ids = [c["id"] for u in emu.state["users"].values() for k in ("emails", "phones", "devices") for c in u["contact_methods"][k]]
    assert len(ids) == len(set(ids))
    assert api("GET", "/user/nobody/contact-methods").status_code == 404
    assert api("GET", "/user/nobody/contact-methods/phones").status_code == 404


@pytest.mark.parametrize(("kind", "field", "contact_type"), [("emails", "email", "Email"), ("phones", "phone", "Phone")])
def test_add_and_delete_contact(emu, api, kind, field, contact_type):
    value = "cn@example.org" if kind == "emails" else "+1-555-0199"
    created = api.json("POST", "/user/cnguyen/contact-methods/" + kind, {"label": "Home", field: value, "rank": 3})
    assert UUID.match(created["extId"])
    assert created == {
        "id": created["id"],
        "label": "Home",
        "value": value,
        "contactType": contact_type,
        "rank": 3,
        "verified": "unverified",
        "extId": created["extId"],
        "_selfUrl": "/api-public/v1/user/cnguyen/contact-methods/%s/%s" % (kind, created["extId"]),
    }
    all_ids = [c["id"] for u in emu.state["users"].values() for k in ("emails", "phones", "devices") for c in u["contact_methods"][k]]
    assert all_ids.count(created["id"]) == 1
    duplicate = api("POST", "/user/cnguyen/contact-methods/" + kind, {"label": "Again", field: value.upper()})
    assert (duplicate.status_code, duplicate.json()) == (400, {"error": "Contact method %s already exists for user cnguyen" % value.upper()})
    missing = api("POST", "/user/cnguyen/contact-methods/" + kind, {"label": "Nothing"})
    assert (missing.status_code, missing.json()) == (400, {"error": "label and %s are required" % field})
    assert api.json("DELETE", "/user/cnguyen/contact-methods/%s/%s" % (kind, created["extId"]), data="{}") == created
    assert [c["label"] for c in emu.state["users"]["cnguyen"]["contact_methods"][kind]] == (["Default"] if kind == "emails" else [])
    gone = api("DELETE", "/user/cnguyen/contact-methods/%s/%s" % (kind, created["extId"]))
    assert (gone.status_code, gone.json()) == (404, {"error": "Contact method not found"})


def test_contact_used_by_a_rule_or_the_account_email_cannot_be_deleted(emu, api):
    mobile = emu.state["users"]["jdoe"]["contact_methods"]["phones"][0]
    response = api("DELETE", "/user/jdoe/contact-methods/phones/" + mobile["extId"])
    assert (response.status_code, response.json()) == (400, {"error": "Phone contact +1-555-0100 is used by the paging policy"})
    default = emu.state["users"]["bwong"]["contact_methods"]["emails"][0]
    api.json("PUT", "/profile/bwong/policies/0", {"timeout": 5, "rules": [{"type": "push"}]})
    response = api("DELETE", "/user/bwong/contact-methods/emails/" + default["extId"])
    assert (response.status_code, response.json()) == (400, {"error": "The user's account email (Default) cannot be deleted"})
    assert len(emu.state["users"]["jdoe"]["contact_methods"]["phones"]) == 1


def test_teams_list(emu, api):
    teams = api.json("GET", "/team")
    assert teams == [
        {
            "name": "Operations",
            "slug": OPS,
            "memberCount": 3,
            "version": 1,
            "isDefaultTeam": False,
            "_selfUrl": "/api-public/v1/team/" + OPS,
            "_policiesUrl": "/api-public/v1/team/%s/policies" % OPS,
            "_membersUrl": "/api-public/v1/team/%s/members" % OPS,
            "_adminsUrl": "/api-public/v1/team/%s/admins" % OPS,
        },
        {
            "name": "Database",
            "slug": DB,
            "memberCount": 2,
            "version": 1,
            "isDefaultTeam": False,
            "_selfUrl": "/api-public/v1/team/" + DB,
            "_policiesUrl": "/api-public/v1/team/%s/policies" % DB,
            "_membersUrl": "/api-public/v1/team/%s/members" % DB,
            "_adminsUrl": "/api-public/v1/team/%s/admins" % DB,
        },
    ]


def test_team_members_add_and_remove(emu, api):
    assert api.json("GET", "/team/%s/members" % DB) == {
        "_selfUrl": "/api-public/v1/team/%s/members" % DB,
        "_teamUrl": "/api-public/v1/team/" + DB,
        "members": [
            {"username": "asmith", "firstName": "Alice", "lastName": "Smith", "version": 1, "verified": True},
            {"username": "cnguyen", "firstName": "Chloe", "lastName": "Nguyen", "version": 1, "verified": True},
        ],
    }
    added = api.json("POST", "/team/%s/members" % DB, {"username": "jdoe"})
    assert [m["username"] for m in added["members"]] == ["asmith", "cnguyen", "jdoe"]
    assert emu.state["teams"][DB]["version"] == 2
    again = api("POST", "/team/%s/members" % DB, {"username": "jdoe"})
    assert (again.status_code, again.json()) == (422, {"error": "User jdoe is already a member of team Database"})
    unknown_user = api("POST", "/team/%s/members" % DB, {"username": "nobody"})
    assert (unknown_user.status_code, unknown_user.json()) == (404, {"error": "User not found"})
    missing = api("POST", "/team/%s/members" % DB, {})
    assert (missing.status_code, missing.json()) == (400, {"error": "username is required"})
    for method, path in (("GET", "/team/team-nope/members"), ("POST", "/team/team-nope/members"), ("DELETE", "/team/team-nope/members/jdoe")):
        response = api(method, path, {"username": "jdoe", "replacement": "asmith"})
        assert (response.status_code, response.json()) == (404, {"error": "Team not found"})

    no_replacement = api("DELETE", "/team/%s/members/cnguyen" % DB, {})
    assert (no_replacement.status_code, no_replacement.json()) == (422, {"error": "A replacement user is required"})
    not_member = api("DELETE", "/team/%s/members/bwong" % DB, {"replacement": "asmith"})
    assert (not_member.status_code, not_member.json()) == (404, {"error": "User not found"})
    removed = api.json("DELETE", "/team/%s/members/cnguyen" % DB, {"replacement": "jdoe"})
    assert [m["username"] for m in removed["members"]] == ["asmith", "jdoe"]
    assert emu.state["oncall"]["pol-Db9DemoPrimary02"] == ["jdoe"]
    assert "cnguyen" in emu.state["users"]


# ----- GET /user/{user}/teams ------------------------------------------------------------------------------
def team_entry(name, slug):
    base = "/api-public/v1/team/" + slug
    return {"name": name, "slug": slug, "_selfUrl": base, "_membersUrl": base + "/members", "_policiesUrl": base + "/policies", "_adminsUrl": base + "/admins"}


def test_user_teams_lists_the_teams_the_user_is_a_member_of(emu, api):
    assert api.json("GET", "/user/asmith/teams") == {"teams": [team_entry("Operations", OPS), team_entry("Database", DB)]}
    assert api.json("GET", "/user/cnguyen/teams") == {"teams": [team_entry("Database", DB)]}
    api.json("POST", "/team/%s/members" % OPS, {"username": "cnguyen"})
    assert [t["slug"] for t in api.json("GET", "/user/cnguyen/teams")["teams"]] == [OPS, DB]
    api.json("DELETE", "/team/%s/members/cnguyen" % DB, {"replacement": "asmith"})
    assert [t["slug"] for t in api.json("GET", "/user/cnguyen/teams")["teams"]] == [OPS]
    assert emu.log[-1]["operation"] == "GET /api-public/v1/user/{user}/teams"


def test_user_teams_of_a_user_in_no_team_and_of_an_unknown_user(api):
    api.json("POST", "/user", {"firstName": "Dana", "lastName": "Kim", "username": "dkim", "email": "dana.kim@example.com"})
    assert api.json("GET", "/user/dkim/teams") == {"teams": []}
    response = api("GET", "/user/nobody/teams")
    assert (response.status_code, response.json()) == (404, {"error": "User not found"})


def test_user_teams_has_its_own_rate_limit_bucket(make_emulator):
    _emulator, call = make_emulator(window=5, limits="seed")
    assert [call("GET", "/user/asmith/teams").status_code for dummy in range(15)] == [200] * 15
    assert call("GET", "/user/jdoe/teams").status_code == 429
    assert call("GET", "/user/jdoe").status_code == 200
