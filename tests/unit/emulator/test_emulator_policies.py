# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Escalation-policy listings, value lists, current on-call and the take-on-call override."""

import pytest

OPS = "team-Q2opsDemoTeam001"
HIGH = "pol-Hs7opsDemoPol001"
DB = "team-Db4DemoTeamAb002"
DB_POLICY = "pol-Db9DemoPrimary02"


def info(name, slug, team_name, team_slug):
    return {"policy": {"name": name, "slug": slug, "_selfUrl": "/api-public/v1/policies/" + slug}, "team": {"name": team_name, "slug": team_slug}}


def test_list_policies(api):
    assert api.json("GET", "/policies") == {
        "policies": [
            info("Operations", OPS, "Operations", OPS),
            info("Operations High Severity", HIGH, "Operations", OPS),
            info("Database Primary", DB_POLICY, "Database", DB),
        ]
    }


def test_team_policies_is_the_list_filtered_to_the_team(api):
    assert api.json("GET", "/team/%s/policies" % DB) == {"policies": [info("Database Primary", DB_POLICY, "Database", DB)]}
    response = api("GET", "/team/team-nope/policies")
    assert (response.status_code, response.json()) == (404, {"error": "Team not found"})


def test_value_lists(api):
    assert api.json("GET", "/policies/types/contacts") == {
        "contactTypes": [{"type": "email", "description": "Email Address"}, {"type": "phone", "description": "Phone Number"}],
        "_selfUrl": "/api-public/v1/policies/types/contacts",
    }
    assert api.json("GET", "/policies/types/notifications") == {
        "notificationTypes": [
            {"type": "push", "description": "Send a push notification to all my devices"},
            {"type": "email", "description": "Send an email to an email address"},
            {"type": "sms", "description": "Send an SMS to a phone number"},
            {"type": "phone", "description": "Make a phone call to a phone number"},
        ],
        "_selfUrl": "/api-public/v1/policies/types/notifications",
    }
    timeouts = api.json("GET", "/policies/types/timeouts")
    assert timeouts["_selfUrl"] == "/api-public/v1/policies/types/timeouts"
    assert [t["type"] for t in timeouts["timeoutTypes"]] == ["1", "5", "10", "15", "20", "25", "30", "45", "60"]
    assert timeouts["timeoutTypes"][0] == {"type": "1", "description": "If still unacked after 1 minute"}
    assert timeouts["timeoutTypes"][8] == {"type": "60", "description": "If still unacked after 60 minutes"}


def test_oncall_current_uses_the_real_casing(api):
    assert api.json("GET", "/oncall/current") == {
        "teamsOnCall": [
            {
                "team": {"name": "Operations", "slug": OPS},
                "oncallNow": [
                    {"escalationPolicy": {"name": "Operations", "slug": OPS}, "users": [{"onCalluser": {"username": "jdoe"}}]},
                    {"escalationPolicy": {"name": "Operations High Severity", "slug": HIGH}, "users": [{"onCalluser": {"username": "asmith"}}]},
                ],
            },
            {
                "team": {"name": "Database", "slug": DB},
                "oncallNow": [{"escalationPolicy": {"name": "Database Primary", "slug": DB_POLICY}, "users": [{"onCalluser": {"username": "cnguyen"}}]}],
            },
        ]
    }


@pytest.mark.parametrize("policy", [OPS, HIGH])
def test_take_oncall_replaces_the_user_for_team_and_pol_slugs(emu, api, policy):
    before = emu.state["oncall"][policy][0]
    assert api.json("PATCH", "/policies/%s/oncall/user" % policy, {"fromUser": before, "toUser": "bwong"}) == {"result": "ok"}
    assert emu.state["oncall"][policy] == ["bwong"]
    others = {slug: users for slug, users in emu.state["oncall"].items() if slug != policy}
    assert all("bwong" not in users for users in others.values())


def test_take_oncall_errors(emu, api):
    cases = [
        ("pol-unknownPolicy00", {"fromUser": "jdoe", "toUser": "bwong"}, 404, "Team or user(s) not found"),
        (OPS, {"fromUser": "nobody", "toUser": "bwong"}, 404, "Team or user(s) not found"),
        (OPS, {"fromUser": "jdoe", "toUser": "nobody"}, 404, "Team or user(s) not found"),
        (OPS, {"fromUser": "asmith", "toUser": "bwong"}, 400, "User asmith is not on call for policy %s" % OPS),
        (OPS, {"fromUser": "jdoe"}, 400, "fromUser and toUser are required"),
    ]
    for policy, body, status, message in cases:
        response = api("PATCH", "/policies/%s/oncall/user" % policy, body)
        assert (response.status_code, response.json()) == (status, {"error": message})
    assert emu.state["oncall"][OPS] == ["jdoe"]


def test_take_oncall_to_a_user_already_on_call_leaves_one_place(emu, api):
    emu.state["oncall"][OPS] = ["jdoe", "bwong"]
    api.json("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "jdoe", "toUser": "bwong"})
    assert emu.state["oncall"][OPS] == ["bwong"]
