# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rotations and schedules: who is on call each week, with scheduled overrides applied, and the two schedule reads.

Most tests run an emulator on a clock fixed at Wednesday 12:00 UTC of the current real week, so that the weekly
hand-offs (Monday 00:00 UTC) fall at known offsets; one test checks the real clock.
"""

import datetime
import time

import pytest

OPS_TEAM = "team-Q2opsDemoTeam001"
OPS = "team-Q2opsDemoTeam001"
HIGH = "pol-Hs7opsDemoPol001"
DB_TEAM = "team-Db4DemoTeamAb002"
DB = "pol-Db9DemoPrimary02"
DAY = 86400
WEEK = 7 * DAY
FIRST_MONDAY = 4 * DAY  # 1970-01-05
V2 = "/api-public/v2"


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def monday(seconds):
    seconds = int(seconds)
    return seconds - (seconds - FIRST_MONDAY) % WEEK


NOW = monday(time.time()) + 2 * DAY + 12 * 3600  # this week's Wednesday, 12:00 UTC
NEXT = monday(NOW) + WEEK  # next Monday, 00:00 UTC


@pytest.fixture
def fixed(make_emulator):
    """``(emulator, call)`` of an emulator on a clock fixed at NOW; pass variants=[...] for others."""

    def start(**options):
        return make_emulator(limits="off", clock=lambda: float(NOW), **options)

    return start


def schedule(emulator, call, kind, name, days=None, status=200):
    query = "" if days is None else "?daysForward=%s" % days
    return call.json("GET", "%s%s/%s/%s/oncall/schedule%s" % (emulator.url, V2, kind, name, query), status=status)


def policy_schedule(answer, slug):
    return next(entry for entry in answer["schedules"] if entry["policy"]["slug"] == slug)


def rolls(answer, slug, slot=0):
    return [(r["start"], r["end"], r["onCallUser"]["username"], r["isRoll"]) for r in policy_schedule(answer, slug)["schedule"][slot]["rolls"]]


def oncall_now(call):
    return {
        entry["escalationPolicy"]["slug"]: [user["onCalluser"]["username"] for user in entry["users"]]
        for team in call.json("GET", "/oncall/current")["teamsOnCall"]
        for entry in team["oncallNow"]
    }


def test_the_seed_rotations_match_the_current_on_call_lists(emu):
    rotations = emu.state["rotations"]
    assert {slug: (r["members"], r["rotates"]) for slug, r in rotations.items()} == {
        OPS: (["jdoe", "asmith", "bwong"], True),
        HIGH: (["asmith", "jdoe"], True),
        DB: (["cnguyen"], False),
    }
    assert all(rotations[slug]["members"][rotations[slug]["anchor"]] == emu.state["oncall"][slug][0] for slug in (OPS, HIGH, DB))


def test_the_team_schedule_rolls_each_monday_through_the_rotation(fixed):
    emulator, call = fixed()
    answer = schedule(emulator, call, "team", OPS_TEAM, days=21)
    assert answer["team"] == {"name": "Operations", "slug": OPS_TEAM}
    assert [entry["policy"] for entry in answer["schedules"]] == [
        {"name": "Operations", "slug": OPS, "_selfUrl": "/api-public/v1/policies/" + OPS},
        {"name": "Operations High Severity", "slug": HIGH, "_selfUrl": "/api-public/v1/policies/" + HIGH},
    ]
    end = NOW + 21 * DAY
    weeks = [(iso(NOW), iso(NEXT)), (iso(NEXT), iso(NEXT + WEEK)), (iso(NEXT + WEEK), iso(NEXT + 2 * WEEK)), (iso(NEXT + 2 * WEEK), iso(end))]
    first = [(a, b, who, a != iso(NOW)) for (a, b), who in zip(weeks, ["jdoe", "asmith", "bwong", "jdoe"])]
    assert rolls(answer, OPS) == first
    assert rolls(answer, HIGH) == [(a, b, who, a != iso(NOW)) for (a, b), who in zip(weeks, ["asmith", "jdoe", "asmith", "jdoe"])]
    entry = policy_schedule(answer, OPS)["schedule"][0]
    assert {key: value for key, value in entry.items() if key != "rolls"} == {
        "onCallUser": {"username": "jdoe"},
        "onCallType": "rotation_group",
        "rotationName": "Operations rotation",
        "shiftName": "weekly",
        "shiftRoll": iso(NEXT),
    }
    assert policy_schedule(answer, OPS)["overrides"] == []


def test_a_policy_without_a_rotation_keeps_its_people_every_week(fixed):
    emulator, call = fixed()
    answer = schedule(emulator, call, "team", DB_TEAM, days=10)
    assert [who for _a, _b, who, _r in rolls(answer, DB)] == ["cnguyen", "cnguyen"]
    assert policy_schedule(answer, DB)["schedule"][0]["onCallType"] == "user"


def test_several_people_on_call_are_one_entry_each(fixed):
    emulator, call = fixed()
    emulator.state["oncall"][DB] = ["cnguyen", "asmith"]
    emulator.state["rotations"][DB]["members"] = ["cnguyen", "asmith"]
    entries = policy_schedule(schedule(emulator, call, "team", DB_TEAM, days=3), DB)["schedule"]
    assert [entry["onCallUser"]["username"] for entry in entries] == ["cnguyen", "asmith"]


def test_days_forward_default_bounds_and_refusals(fixed):
    emulator, call = fixed()
    assert rolls(schedule(emulator, call, "team", OPS_TEAM), OPS)[-1][1] == iso(NOW + 14 * DAY)
    assert rolls(schedule(emulator, call, "team", OPS_TEAM, days=30), OPS)[-1][1] == iso(NOW + 30 * DAY)
    assert rolls(schedule(emulator, call, "team", OPS_TEAM, days=1), OPS) == [(iso(NOW), iso(NOW + DAY), "jdoe", False)]
    refused = {"error": "daysForward must be a whole number from 1 to 30"}
    for days in (31, 0, -1, "x", "2.5"):
        assert schedule(emulator, call, "team", OPS_TEAM, days=days, status=400) == refused
        assert schedule(emulator, call, "user", "jdoe", days=days, status=400) == refused


def test_unknown_team_or_user_is_404(fixed):
    emulator, call = fixed()
    assert schedule(emulator, call, "team", "team-nope", status=404) == {"error": "Team not found"}
    assert schedule(emulator, call, "user", "nobody", status=404) == {"error": "User not found"}


def test_take_on_call_changes_the_current_week_only(fixed):
    emulator, call = fixed()
    call.json("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "jdoe", "toUser": "cnguyen"})
    answer = schedule(emulator, call, "team", OPS_TEAM, days=21)
    assert [who for _a, _b, who, _r in rolls(answer, OPS)] == ["cnguyen", "asmith", "bwong", "jdoe"]
    assert emulator.state["rotations"][OPS]["members"] == ["jdoe", "asmith", "bwong"]


def test_overrides_show_in_the_schedule_and_leave_the_rolls_alone(fixed):
    emulator, call = fixed()
    # jdoe is away all next week: on High Severity (their week) cnguyen covers; on Operations nobody is assigned.
    body = {"username": "jdoe", "start": iso(NEXT), "end": iso(NEXT + WEEK), "timezone": "Etc/UTC"}
    public_id = call.json("POST", "/overrides", body)["override"]["publicId"]
    call.json("PUT", "/overrides/%s/assignments/%s" % (public_id, HIGH), {"policy": HIGH, "username": "cnguyen"})
    answer = schedule(emulator, call, "team", OPS_TEAM, days=21)
    assert policy_schedule(answer, HIGH)["overrides"] == [
        {"origOnCallUser": {"username": "jdoe"}, "overrideOnCallUser": {"username": "cnguyen"}, "start": iso(NEXT), "end": iso(NEXT + WEEK)}
    ]
    assert policy_schedule(answer, OPS)["overrides"] == [
        {"origOnCallUser": {"username": "jdoe"}, "overrideOnCallUser": None, "start": iso(NEXT), "end": iso(NEXT + WEEK)}
    ]
    assert [who for _a, _b, who, _r in rolls(answer, HIGH)] == ["asmith", "jdoe", "asmith", "jdoe"]
    assert "overrideOnCallUser" not in policy_schedule(answer, HIGH)["schedule"][0]
    # Outside the window: not listed.
    assert policy_schedule(schedule(emulator, call, "team", OPS_TEAM, days=4), HIGH)["overrides"] == []


def test_on_call_now_applies_the_active_overrides(fixed):
    emulator, call = fixed()
    seed_now = {OPS: ["jdoe"], HIGH: ["asmith"], DB: ["cnguyen"]}
    assert oncall_now(call) == seed_now
    body = {"username": "jdoe", "start": iso(NOW - DAY), "end": iso(NOW + DAY), "timezone": "Etc/UTC"}
    public_id = call.json("POST", "/overrides", body)["override"]["publicId"]
    later = call.json("POST", "/overrides", dict(body, username="asmith", start=iso(NOW + 1), end=iso(NOW + DAY)))["override"]["publicId"]
    # Unassigned: a gap. An override that starts later changes nothing now.
    assert oncall_now(call) == dict(seed_now, **{OPS: []})
    call.json("PUT", "/overrides/%s/assignments/%s" % (public_id, OPS), {"policy": OPS, "username": "bwong"})
    assert oncall_now(call) == dict(seed_now, **{OPS: ["bwong"]})
    entry = policy_schedule(schedule(emulator, call, "team", OPS_TEAM), OPS)["schedule"][0]
    assert (entry["onCallUser"], entry["overrideOnCallUser"]) == ({"username": "jdoe"}, {"username": "bwong"})
    # The on-call list itself is unchanged, and so is everything once the overrides are gone.
    assert emulator.state["oncall"] == seed_now
    call.json("DELETE", "/overrides/" + public_id)
    call.json("DELETE", "/overrides/" + later)
    assert oncall_now(call) == seed_now


def test_a_replacement_already_on_call_is_not_listed_twice(fixed):
    emulator, call = fixed()
    emulator.state["oncall"][OPS] = ["jdoe", "asmith"]
    body = {"username": "jdoe", "start": iso(NOW - 60), "end": iso(NOW + 60), "timezone": "Etc/UTC"}
    public_id = call.json("POST", "/overrides", body)["override"]["publicId"]
    call.json("PUT", "/overrides/%s/assignments/%s" % (public_id, OPS), {"policy": OPS, "username": "asmith"})
    assert oncall_now(call)[OPS] == ["asmith"]


def test_the_end_of_an_override_is_excluded(make_emulator):
    instant = [float(NOW)]
    _emulator, call = make_emulator(limits="off", clock=lambda: instant[0])
    call.json("POST", "/overrides", {"username": "cnguyen", "start": iso(NOW), "end": iso(NOW + 60), "timezone": "Etc/UTC"})
    assert oncall_now(call)[DB] == []
    instant[0] = NOW + 60
    assert oncall_now(call)[DB] == ["cnguyen"]


def test_the_user_schedule_lists_the_teams_and_policies_involving_the_user(fixed):
    emulator, call = fixed()
    teams = {s["team"]["slug"]: [p["policy"]["slug"] for p in s["schedules"]] for s in schedule(emulator, call, "user", "bwong")["teamSchedules"]}
    assert teams == {OPS_TEAM: [OPS]}
    assert {s["team"]["slug"] for s in schedule(emulator, call, "user", "jdoe")["teamSchedules"]} == {OPS_TEAM}
    body = {"username": "asmith", "start": iso(NEXT), "end": iso(NEXT + DAY), "timezone": "Etc/UTC"}
    public_id = call.json("POST", "/overrides", body)["override"]["publicId"]
    call.json("PUT", "/overrides/%s/assignments/%s" % (public_id, HIGH), {"policy": HIGH, "username": "cnguyen"})
    answer = schedule(emulator, call, "user", "cnguyen", days=20)
    teams = {s["team"]["slug"]: [p["policy"]["slug"] for p in s["schedules"]] for s in answer["teamSchedules"]}
    assert teams == {OPS_TEAM: [HIGH], DB_TEAM: [DB]}
    ops = next(s for s in answer["teamSchedules"] if s["team"]["slug"] == OPS_TEAM)
    assert policy_schedule(ops, HIGH)["overrides"][0]["overrideOnCallUser"] == {"username": "cnguyen"}


def test_epoch_instants_variant_in_schedules(fixed):
    emulator, call = fixed(variants=["epoch-instants"])
    answer = schedule(emulator, call, "team", OPS_TEAM, days=8)
    assert rolls(answer, OPS) == [(NOW * 1000, NEXT * 1000, "jdoe", False), (NEXT * 1000, (NOW + 8 * DAY) * 1000, "asmith", True)]
    assert policy_schedule(answer, OPS)["schedule"][0]["shiftRoll"] == NEXT * 1000


def test_the_real_clock_is_the_default_and_tests_can_read_it(make_emulator):
    emulator, call = make_emulator(limits="off")
    before = time.time()
    answer = schedule(emulator, call, "team", DB_TEAM, days=1)
    after = time.time()
    start = rolls(answer, DB)[0][0]
    assert iso(before) <= start <= iso(after)
    assert before <= emulator.now() and abs(emulator.now() - time.time()) < 5


def test_a_departing_member_hands_over_their_rotation_places(emu, api):
    api.json("DELETE", "/team/%s/members/asmith" % OPS_TEAM, {"replacement": "cnguyen"})
    assert emu.state["rotations"][OPS]["members"] == ["jdoe", "cnguyen", "bwong"]
    assert emu.state["rotations"][HIGH]["members"] == ["cnguyen", "jdoe"]
    assert emu.state["rotations"][DB]["members"] == ["cnguyen"]


def test_a_rotation_that_loses_a_member_keeps_its_order(fixed):
    emulator, call = fixed()
    # jdoe leaves; asmith, already in both Operations rotations, takes over: the rotations shrink, the weeks go on.
    call.json("DELETE", "/user/jdoe", {"replacement": "asmith"})
    assert emulator.state["rotations"][OPS]["members"] == ["asmith", "bwong"]
    answer = schedule(emulator, call, "team", OPS_TEAM, days=21)
    assert [who for _a, _b, who, _r in rolls(answer, OPS)] == ["asmith", "bwong", "asmith", "bwong"]
    assert [who for _a, _b, who, _r in rolls(answer, HIGH)] == ["asmith"] * 4


@pytest.mark.parametrize(
    ("rotation", "message"),
    [
        (["jdoe", "nobody"], "policy %s: the rotation must list distinct known users (unknown: nobody)" % OPS),
        (["jdoe", "jdoe"], "policy %s: the rotation must list distinct known users (unknown: none)" % OPS),
        ([], "policy %s: the rotation must list distinct known users (unknown: none)" % OPS),
    ],
)
def test_seed_rotations_are_checked(rotation, message):
    from ansible_collections.victorops.oncall.tests.emulator import Emulator, load_seed

    seed = load_seed()
    seed["teams"][0]["policies"][0]["rotation"] = rotation
    with pytest.raises(ValueError) as caught:
        Emulator(seed=seed)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("oncall", "weeks"),
    [
        # On-call people outside the rotation keep this week; the rotation starts with its first member next week.
        (["cnguyen"], [["cnguyen", "jdoe", "asmith", "bwong"]]),
        # Two people this week: one entry each; the rotation goes on from the first.
        (["bwong", "jdoe"], [["bwong", "jdoe", "asmith", "bwong"], ["jdoe"]]),
        ([], [["jdoe", "asmith", "bwong"]]),
    ],
)
def test_a_rotation_goes_on_from_the_seed_s_on_call_list(make_emulator, oncall, weeks):
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    seed["oncall"][0]["users"] = oncall
    emulator, call = make_emulator(limits="off", seed=seed, clock=lambda: float(NOW))
    answer = schedule(emulator, call, "team", OPS_TEAM, days=21)
    people = [[r["onCallUser"]["username"] for r in entry["rolls"]] for entry in policy_schedule(answer, OPS)["schedule"]]
    assert people == weeks


def test_a_clock_must_be_callable():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    with pytest.raises(ValueError, match="clock must be a callable"):
        Emulator(clock=12.0)
