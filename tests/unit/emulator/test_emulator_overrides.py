# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scheduled overrides: create, read, delete, assignments, their refusals, variants, log names and rate limits."""

import datetime

import pytest

OPS = "team-Q2opsDemoTeam001"
HIGH = "pol-Hs7opsDemoPol001"
DB = "pol-Db9DemoPrimary02"
DAY = 86400


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def absence(emu, username="jdoe", days=(1, 3), **extra):
    """A create body for ``username`` away from now + days[0] to now + days[1] (whole seconds)."""
    now = int(emu.now())
    body = {"username": username, "start": iso(now + days[0] * DAY), "end": iso(now + days[1] * DAY), "timezone": "Etc/UTC"}
    body.update(extra)
    return body


def create(api, body, key="override"):
    return api.json("POST", "/overrides", body)[key]


def test_create_stores_the_override_with_one_unassigned_assignment_per_rotation_holding_the_user(emu, api):
    body = absence(emu, timezone="Europe/Paris")
    answer = api.json("POST", "/overrides", body)
    assert sorted(answer) == ["_selfUrl", "override"]
    override = answer["override"]
    public_id = override["publicId"]
    assert answer["_selfUrl"] == "/api-public/v1/overrides/" + public_id
    assert override["user"] == {"username": "jdoe", "firstName": "John", "lastName": "Doe"}
    assert (override["start"], override["end"], override["timezone"]) == (body["start"], body["end"], "Europe/Paris")
    assert override["assignments"] == [
        {"_selfUrl": "/api-public/v1/overrides/%s/assignments/%s" % (public_id, slug), "team": OPS, "policy": slug, "assigned": False} for slug in (OPS, HIGH)
    ]
    stored = emu.state["overrides"][public_id]
    assert stored["assignments"] == {OPS: None, HIGH: None}
    assert (iso(stored["start"]), iso(stored["end"]), stored["username"]) == (body["start"], body["end"], "jdoe")


@pytest.mark.parametrize(("username", "policies"), [("bwong", [OPS]), ("cnguyen", [DB]), ("asmith", [OPS, HIGH])])
def test_assignments_follow_the_rotations(emu, api, username, policies):
    override = create(api, absence(emu, username))
    assert [a["policy"] for a in override["assignments"]] == policies
    assert not any(a["assigned"] for a in override["assignments"])


def test_instants_with_an_offset_without_one_and_in_epoch_milliseconds(emu, api):
    # Without an offset an instant is read in the override's timezone (Paris is UTC+1 in January, UTC+2 in July).
    paris = create(api, {"username": "jdoe", "start": "2031-01-06T09:00", "end": "2031-07-07T09:00:30.250", "timezone": "Europe/Paris"})
    assert (paris["start"], paris["end"]) == ("2031-01-06T08:00:00Z", "2031-07-07T07:00:30Z")
    offset = create(api, {"username": "jdoe", "start": "2031-01-06T09:00:00-05:00", "end": "2031-01-07T00:00:00Z", "timezone": "Europe/Paris"})
    assert (offset["start"], offset["end"]) == ("2031-01-06T14:00:00Z", "2031-01-07T00:00:00Z")
    epoch = create(api, {"username": "jdoe", "start": 1925164800000, "end": "1925251200999", "timezone": "Etc/UTC"})
    assert (epoch["start"], epoch["end"]) == ("2031-01-03T00:00:00Z", "2031-01-04T00:00:00Z")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"username": None}, "Missing required field(s): username"),
        ({"start": ""}, "Missing required field(s): start"),
        ({"end": None, "timezone": None}, "Missing required field(s): end, timezone"),
        ({"start": "next tuesday"}, "Invalid start: 'next tuesday' is not an ISO 8601 instant"),
        ({"end": 12.5}, "Invalid end: 12.5"),
        ({"timezone": "Mars/Olympus"}, "Unknown timezone: Mars/Olympus"),
        ({"timezone": "../etc/passwd"}, "Unknown timezone: ../etc/passwd"),
        ({"end": 10**20}, "Invalid end: %d is out of range" % 10**20),
        ({"start": "0001-01-01T00:00:00+00:00"}, "Invalid start: '0001-01-01T00:00:00+00:00' is out of range"),
    ],
)
def test_create_refuses_a_bad_body_with_400_and_stores_nothing(emu, api, change, message):
    body = {key: value for key, value in dict(absence(emu), **change).items() if value is not None}
    assert api.json("POST", "/overrides", body, status=400) == {"error": message}
    assert emu.state["overrides"] == {}


def test_create_refuses_an_end_not_after_the_start_a_non_object_and_an_unknown_user(emu, api):
    same = absence(emu, days=(2, 2))
    assert api.json("POST", "/overrides", same, status=400) == {"error": "end must be after start"}
    assert api.json("POST", "/overrides", absence(emu, days=(3, 1)), status=400) == {"error": "end must be after start"}
    assert api.json("POST", "/overrides", ["jdoe"], status=400) == {"error": "The body must be a JSON object"}
    assert api.json("POST", "/overrides", absence(emu, "nobody"), status=404) == {"error": "User not found"}
    assert emu.state["overrides"] == {}


def test_list_get_and_delete(emu, api):
    first, second = create(api, absence(emu)), create(api, absence(emu, "cnguyen"))
    listed = api.json("GET", "/overrides")
    assert listed == {"overrides": [first, second], "_selfUrl": "/api-public/v1/overrides"}
    assert api.json("GET", "/overrides/" + second["publicId"]) == {"override": second, "_selfUrl": "/api-public/v1/overrides/" + second["publicId"]}
    assert api.json("DELETE", "/overrides/" + first["publicId"]) == {"result": "Scheduled override %s deleted" % first["publicId"]}
    assert list(emu.state["overrides"]) == [second["publicId"]]
    missing = {"error": "Scheduled override %s not found" % first["publicId"]}
    assert api.json("GET", "/overrides/" + first["publicId"], status=404) == missing
    assert api.json("DELETE", "/overrides/" + first["publicId"], status=404) == missing


def test_assign_read_and_unassign(emu, api):
    public_id = create(api, absence(emu))["publicId"]
    path = "/overrides/%s/assignments/%s" % (public_id, HIGH)
    assigned = api.json("PUT", path, {"policy": HIGH, "username": "cnguyen"})
    assert assigned == {"_selfUrl": "/api-public/v1" + path, "team": OPS, "policy": HIGH, "assigned": True, "user": "cnguyen"}
    assert emu.state["overrides"][public_id]["assignments"] == {OPS: None, HIGH: "cnguyen"}
    assert api.json("GET", path) == assigned
    assert [a.get("user") for a in api.json("GET", "/overrides/%s/assignments" % public_id)] == [None, "cnguyen"]
    # Anyone who is a user may cover, the absent person included; resending the same PUT changes nothing more.
    api.json("PUT", path, {"policy": HIGH, "username": "jdoe"})
    assert api.json("PUT", path, {"policy": HIGH, "username": "jdoe"})["user"] == "jdoe"
    unassigned = api.json("DELETE", path)
    assert unassigned == {"_selfUrl": "/api-public/v1" + path, "team": OPS, "policy": HIGH, "assigned": False}
    assert api.json("DELETE", path) == unassigned
    assert emu.state["overrides"][public_id]["assignments"] == {OPS: None, HIGH: None}


@pytest.mark.parametrize(
    "body",
    [
        {"username": "cnguyen", "acceptOverlap": False},
        {"policy": HIGH, "username": "cnguyen", "acceptOverlap": False},
        {"username": "cnguyen"},
        {"policy": OPS, "username": "cnguyen"},
        {"policy": HIGH, "username": ""},
        {"policy": HIGH, "username": 7},
        "cnguyen",
    ],
)
def test_the_default_assignment_put_takes_exactly_the_spec_body(emu, api, body):
    public_id = create(api, absence(emu))["publicId"]
    response = api("PUT", "/overrides/%s/assignments/%s" % (public_id, HIGH), body)
    assert response.status_code == 400, response.text
    assert emu.state["overrides"][public_id]["assignments"] == {OPS: None, HIGH: None}


def test_assignment_404s(emu, api):
    public_id = create(api, absence(emu))["publicId"]
    assert api.json("PUT", "/overrides/%s/assignments/%s" % (public_id, HIGH), {"policy": HIGH, "username": "nobody"}, status=404) == {
        "error": "User not found"
    }
    unknown_policy = {"error": "Override %s has no assignment for policy %s" % (public_id, DB)}
    for method, body in (("GET", None), ("PUT", {"policy": DB, "username": "asmith"}), ("DELETE", None)):
        assert api.json(method, "/overrides/%s/assignments/%s" % (public_id, DB), body, status=404) == unknown_policy
        assert api.json(method, "/overrides/nope/assignments/%s" % HIGH, body, status=404) == {"error": "Scheduled override nope not found"}
    assert api.json("GET", "/overrides/nope/assignments", status=404) == {"error": "Scheduled override nope not found"}
    assert emu.state["overrides"][public_id]["assignments"] == {OPS: None, HIGH: None}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "cnguyen", "acceptOverlap": False}, 200),
        ({"username": "cnguyen", "acceptOverlap": True}, 200),
        ({"policy": HIGH, "username": "cnguyen"}, 400),
        ({"username": "cnguyen"}, 400),
        ({"username": "cnguyen", "acceptOverlap": "no"}, 400),
        ({"username": "cnguyen", "acceptOverlap": False, "policy": HIGH}, 400),
    ],
)
def test_assignment_username_body_variant_takes_exactly_the_sdk_body(make_emulator, body, status):
    emulator, call = make_emulator(limits="off", variants=["assignment-username-body"])
    public_id = call.json("POST", "/overrides", absence(emulator))["override"]["publicId"]
    response = call("PUT", "/overrides/%s/assignments/%s" % (public_id, HIGH), body)
    assert response.status_code == status, response.text
    assert emulator.state["overrides"][public_id]["assignments"][HIGH] == ("cnguyen" if status == 200 else None)


def test_override_under_schedule_variant_changes_only_the_create_answer(make_emulator):
    emulator, call = make_emulator(limits="off", variants=["override-under-schedule"])
    answer = call.json("POST", "/overrides", absence(emulator))
    assert sorted(answer) == ["_selfUrl", "schedule"]
    public_id = answer["schedule"]["publicId"]
    assert call.json("GET", "/overrides/" + public_id)["override"] == answer["schedule"]


def test_epoch_instants_variant_answers_milliseconds_and_still_reads_iso(make_emulator):
    emulator, call = make_emulator(limits="off", variants=["epoch-instants"])
    body = absence(emulator)
    override = call.json("POST", "/overrides", body)["override"]
    stored = emulator.state["overrides"][override["publicId"]]
    assert (override["start"], override["end"]) == (stored["start"] * 1000, stored["end"] * 1000)
    assert iso(override["start"] // 1000) == body["start"] and isinstance(override["end"], int)
    assert call.json("GET", "/overrides")["overrides"][0]["start"] == override["start"]


def test_a_deleted_user_takes_their_overrides_and_cover_along(emu, api):
    away = create(api, absence(emu, "bwong"))["publicId"]
    covered = create(api, absence(emu, "jdoe"))["publicId"]
    api.json("PUT", "/overrides/%s/assignments/%s" % (covered, OPS), {"policy": OPS, "username": "bwong"})
    api.json("DELETE", "/user/bwong", {"replacement": "cnguyen"})
    assert list(emu.state["overrides"]) == [covered]
    assert emu.state["overrides"][covered]["assignments"] == {OPS: None, HIGH: None}
    assert api.json("GET", "/overrides/" + away, status=404)
    assert emu.state["rotations"][OPS]["members"] == ["jdoe", "asmith", "cnguyen"]


def test_the_log_names_the_operations_as_the_collection_does(emu, api):
    from ansible_collections.victorops.oncall.plugins.module_utils import _api

    public_id = create(api, absence(emu))["publicId"]
    path = "/overrides/%s/assignments/%s" % (public_id, OPS)
    api.json("GET", "/overrides")
    api.json("GET", "/overrides/" + public_id)
    api.json("PUT", path, {"policy": OPS, "username": "cnguyen"})
    api.json("DELETE", path)
    api.json("GET", emu.url + "/api-public/v2/team/%s/oncall/schedule" % OPS)
    api.json("GET", emu.url + "/api-public/v2/user/jdoe/oncall/schedule")
    api.json("DELETE", "/overrides/" + public_id)
    names = [_api.logged_operation(entry["operation"]) for entry in emu.log]
    assert names == [
        "create_override",
        "list_overrides",
        "get_override",
        "assign_override",
        "unassign_override",
        "get_team_schedule",
        "get_user_schedule",
        "delete_override",
    ]
    assert emu.log[0]["operation"] == "POST /api-public/v1/overrides"


@pytest.mark.parametrize(("limits", "allowed"), [("seed", 15), ("2020", 60), ("2ps", 2)])
@pytest.mark.parametrize("path", ["/overrides", "/overrides/nope", "/../v2/team/%s/oncall/schedule" % OPS, "/../v2/user/jdoe/oncall/schedule"])
def test_rate_limits_of_the_new_operations(make_emulator, clock, limits, allowed, path):
    emulator, call = make_emulator(limits=limits, window=60)
    url = emulator.url + "/api-public/v1" + path if not path.startswith("/..") else emulator.url + "/api-public" + path[3:]
    statuses = [call("GET", url).status_code for dummy in range(allowed + 1)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    clock.advance(emulator.limit_window)
    assert call("GET", url).status_code != 429
