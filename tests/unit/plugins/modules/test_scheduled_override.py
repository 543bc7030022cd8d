"""victorops.oncall.victorops_scheduled_override run in process against the emulator: check, run, re-run, per-policy
assignments, removal, another period, bad input, the three override variants and a lost create, with the exact requests.

The default seed: asmith is in the rotations of pol-Hs7opsDemoPol001 and team-Q2opsDemoTeam001 ("Operations"), so her
absence has those two policies; cnguyen's has pol-Db9DemoPrimary02. Instants are built from the emulator's clock: the
absences start the Monday after next, so they never go stale.
"""

import datetime

import pytest

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import assert_refused_without_writes, assert_task, diff_of, module_task
from ansible_collections.victorops.oncall.tests.schedule_helpers import utc_text as z

MODULE = "victorops.oncall.victorops_scheduled_override"
task = module_task(MODULE)
HIGH = "pol-Hs7opsDemoPol001"
OPS = "team-Q2opsDemoTeam001"
LIST = {"list_overrides": 1}


def absence(emulator, days=5, weeks_ahead=1):
    """``(start, end)`` as UTC datetimes: 09:00 on a Monday ``weeks_ahead`` weeks after the next one, ``days`` days long."""
    now = datetime.datetime.fromtimestamp(emulator.now(), datetime.UTC)
    monday = (now + datetime.timedelta(days=7 - now.weekday() + 7 * weeks_ahead)).replace(hour=9, minute=0, second=0, microsecond=0)
    return monday, monday + datetime.timedelta(days=days)


def stored(emulator):
    """The emulator's overrides as ``{(username, start, end): {policy: replacement}}``, instants as UTC text."""
    return {
        (o["username"], z(datetime.datetime.fromtimestamp(o["start"], datetime.UTC)), z(datetime.datetime.fromtimestamp(o["end"], datetime.UTC))): dict(
            o["assignments"]
        )
        for o in emulator.state["overrides"].values()
    }


def assignment(policy, replacement, team=OPS):
    return {"policy": policy, "policy_name": None, "team": team, "replacement": replacement}


def writes(emulator):
    return [(w["method"], w["path"].rsplit("/", 1)[-1] if "/assignments/" in w["path"] else w["path"], w["body"], w["status"]) for w in emulator.writes()]


def test_one_replacement_check_run_check_run(emulator, run_tasks):
    start, end = absence(emulator)
    away = task("away", username="asmith", start=z(start), end=z(end), replacement="bwong")

    # 1. check mode: the API chooses the absence's policies, so none can be shown; the replacement is checked; no write.
    run = run_tasks([away], check=True, diff=True)
    result = assert_task(run, "away", True, {"list_overrides": 1, "get_user": 1})
    expected_new = dict(id=None, username="asmith", start=z(start), end=z(end), timezone="UTC", assignments=[])
    assert result["override"] == expected_new and result["created"] is True
    assert result["notes"] == ["check mode: the API chooses the absence's policies when it creates the override; bwong would cover each of them"]
    assert diff_of(result) == {"before": {}, "after": expected_new}
    assert emulator.writes() == [] and emulator.state["overrides"] == {}

    # 2. real run: list, the replacement, the create, one assignment per policy (fewest possible: 3 + 2).
    emulator.clear_log()
    run = run_tasks([away], diff=True)
    result = assert_task(run, "away", True, {"list_overrides": 1, "get_user": 1, "create_override": 1, "assign_override": 2})
    assert result["api"]["writes"] == 3
    override = result["override"]
    assert override["assignments"] == [assignment(HIGH, "bwong"), assignment(OPS, "bwong")]
    assert (override["username"], override["start"], override["end"], override["timezone"]) == ("asmith", z(start), z(end), "UTC")
    assert diff_of(result) == {"before": {}, "after": override}
    assert writes(emulator) == [
        ("POST", "/api-public/v1/overrides", {"username": "asmith", "start": z(start), "end": z(end), "timezone": "UTC"}, 200),
        ("PUT", HIGH, {"policy": HIGH, "username": "bwong"}, 200),
        ("PUT", OPS, {"policy": OPS, "username": "bwong"}, 200),
    ]
    assert stored(emulator) == {("asmith", z(start), z(end)): {HIGH: "bwong", OPS: "bwong"}}

    # 3. and 4. check mode, then a real run: nothing to do, one read each.
    for check in (True, False):
        emulator.clear_log()
        run = run_tasks([away], check=check, diff=True)
        result = assert_task(run, "away", False, LIST)
        assert result["override"] == override and result["created"] is False and result["notes"] == []
        assert diff_of(result) == {"before": override, "after": override}
        assert emulator.writes() == []
    assert stored(emulator) == {("asmith", z(start), z(end)): {HIGH: "bwong", OPS: "bwong"}}


def test_the_same_absence_in_another_form_and_timezone_is_found(emulator, run_tasks):
    start, end = absence(emulator)
    run_tasks([task("away", username="asmith", start=z(start), end=z(end), replacement="bwong")])
    emulator.clear_log()
    # The same instants as wall-clock time in New York, and as epoch milliseconds.
    local = start.astimezone(datetime.timezone(datetime.timedelta(hours=-5))).replace(tzinfo=None).isoformat(timespec="minutes")
    run = run_tasks([task("again", username="asmith", start=local, end=str(int(end.timestamp() * 1000)), timezone="America/New_York", replacement="bwong")])
    result = assert_task(run, "again", False, LIST)
    assert result["override"]["start"] == z(start) and result["override"]["timezone"] == "UTC"
    assert emulator.writes() == []


def test_per_policy_assignments_by_name_and_slug_null_leaves_a_gap(emulator, run_tasks):
    start, end = absence(emulator)
    by_name = task(
        "per policy",
        username="asmith",
        start=z(start),
        end=z(end),
        assignments=[{"policy": "operations high severity", "replacement": "jdoe"}, {"policy": OPS, "replacement": None}],
    )
    run = run_tasks([by_name], diff=True)
    # The API's assignments carry slugs only, so the name costs one read of the policy list; the gap is already a gap.
    result = assert_task(
        run, "per policy", True, {"list_overrides": 1, "get_user": 1, "create_override": 1, "list_escalation_policies": 1, "assign_override": 1}
    )
    assert [(a["policy"], a["policy_name"], a["replacement"]) for a in result["override"]["assignments"]] == [
        (HIGH, "Operations High Severity", "jdoe"),
        (OPS, "Operations", None),
    ]
    assert stored(emulator) == {("asmith", z(start), z(end)): {HIGH: "jdoe", OPS: None}}

    # Swap: bwong covers Operations, High Severity becomes a gap; two writes, the new replacement checked once.
    emulator.clear_log()
    swap = task(
        "swap", username="asmith", start=z(start), end=z(end), assignments=[{"policy": OPS, "replacement": "bwong"}, {"policy": HIGH, "replacement": None}]
    )
    run = run_tasks([swap], diff=True)
    result = assert_task(run, "swap", True, {"list_overrides": 1, "get_user": 1, "assign_override": 1, "unassign_override": 1})
    assert writes(emulator) == [("DELETE", HIGH, None, 200), ("PUT", OPS, {"policy": OPS, "username": "bwong"}, 200)]
    assert diff_of(result)["before"]["assignments"] == [assignment(HIGH, "jdoe"), assignment(OPS, None)]
    assert stored(emulator) == {("asmith", z(start), z(end)): {HIGH: None, OPS: "bwong"}}

    # Again: one read, no write (slugs need no policy list).
    emulator.clear_log()
    assert_task(run_tasks([swap]), "swap", False, LIST)
    assert emulator.writes() == []


def test_absent_check_run_rerun(emulator, run_tasks):
    start, end = absence(emulator)
    run_tasks([task("away", username="cnguyen", start=z(start), end=z(end), replacement="asmith")])
    (public_id,) = emulator.state["overrides"]
    gone = task("gone", username="cnguyen", start=z(start), end=z(end), state="absent")

    emulator.clear_log()
    result = assert_task(run_tasks([gone], check=True, diff=True), "gone", True, LIST)
    assert diff_of(result)["before"]["assignments"] == [assignment("pol-Db9DemoPrimary02", "asmith", team="team-Db4DemoTeamAb002")]
    assert diff_of(result)["after"] == {} and result["override"] == {}
    assert emulator.writes() == [] and list(emulator.state["overrides"]) == [public_id]

    emulator.clear_log()
    assert_task(run_tasks([gone]), "gone", True, {"list_overrides": 1, "delete_override": 1})
    assert writes(emulator) == [("DELETE", "/api-public/v1/overrides/" + public_id, None, 200)]
    assert emulator.state["overrides"] == {}

    emulator.clear_log()
    assert_task(run_tasks([gone]), "gone", False, LIST)
    assert emulator.writes() == []


def test_another_end_is_another_override_and_the_overlap_is_noted(emulator, run_tasks):
    start, end = absence(emulator)
    run_tasks([task("away", username="asmith", start=z(start), end=z(end), replacement="bwong")])
    (old_id,) = emulator.state["overrides"]
    longer = end + datetime.timedelta(days=2)

    emulator.clear_log()
    run = run_tasks([task("longer", username="asmith", start=z(start), end=z(longer), replacement="bwong")])
    result = assert_task(run, "longer", True, {"list_overrides": 1, "get_user": 1, "create_override": 1, "assign_override": 2})
    assert result["created"] is True and result["override"]["id"] != old_id
    assert result["notes"] == [
        "asmith has another override, %s, from %s to %s, that overlaps this period; it is not changed (an override's period cannot change: "
        "delete it with state=absent and its own start and end if it is no longer wanted)" % (old_id, z(start), z(end))
    ]
    assert stored(emulator) == {
        ("asmith", z(start), z(end)): {HIGH: "bwong", OPS: "bwong"},
        ("asmith", z(start), z(longer)): {HIGH: "bwong", OPS: "bwong"},
    }


def test_bad_input_fails_naming_the_option_before_any_write(emulator, run_tasks):
    start, end = absence(emulator)
    run_tasks([task("existing", username="asmith", start=z(start), end=z(end))])
    s, e = z(start), z(end)
    assert_refused_without_writes(
        emulator,
        run_tasks,
        [
            (task("backwards", username="asmith", start=e, end=s, replacement="bwong"), "end %r must be after start %r" % (s, e), 0),
            (task("empty period", username="asmith", start=s, end=s, replacement="bwong"), "must be after start", 0),
            (task("date only", username="asmith", start=s[:10], end=e), "start: %r is a date without a time of day" % s[:10], 0),
            (task("not an instant", username="asmith", start=s, end="friday"), "end: 'friday' is not an ISO 8601 instant", 0),
            (task("unknown zone", username="asmith", start=s, end=e, timezone="Mars/Olympus"), "timezone: time zone 'Mars/Olympus' is not a known IANA", 0),
            (task("skipped hour", username="asmith", start="2030-03-31T02:30", end=e, timezone="Europe/Paris"), "start: '2030-03-31T02:30' does not exist", 0),
            (task("self cover", username="asmith", start=s, end=e, replacement="asmith"), "replacement must be another user than username 'asmith'", 0),
            (
                task("self cover per policy", username="asmith", start=s, end=e, assignments=[{"policy": HIGH, "replacement": "asmith"}]),
                "assignments[0].replacement must be another user than username 'asmith'",
                0,
            ),
            (
                task("both", username="asmith", start=s, end=e, replacement="bwong", assignments=[{"policy": HIGH, "replacement": "jdoe"}]),
                "parameters are mutually exclusive: replacement|assignments",
                0,
            ),
            (task("bad username", username="a/b", start=s, end=e), "username 'a/b' is not a valid username", 0),
            (task("empty policy", username="asmith", start=s, end=e, assignments=[{"policy": " "}]), "assignments[0].policy must not be empty", 0),
            (task("unknown replacement", username="cnguyen", start=s, end=e, replacement="nobody"), "replacement 'nobody': the API knows no such user", 2),
            (
                task("policy not of the absence", username="asmith", start=s, end=e, assignments=[{"policy": "pol-Db9DemoPrimary02", "replacement": "jdoe"}]),
                "assignments[0].policy 'pol-Db9DemoPrimary02' is not a policy of this absence; the absence has: pol-Hs7opsDemoPol001, team-Q2opsDemoTeam001",
                1,
            ),
            (
                task("policy by unknown name", username="asmith", start=s, end=e, assignments=[{"policy": "Payments", "replacement": "jdoe"}]),
                "the absence has: Operations High Severity (pol-Hs7opsDemoPol001), Operations (team-Q2opsDemoTeam001)",
                2,
            ),
        ],
    )


def test_an_unknown_person_and_a_policy_known_only_after_the_create(emulator, run_tasks):
    start, end = absence(emulator)
    run = run_tasks([dict(task("ghost", username="ghost", start=z(start), end=z(end)), ignore_errors=True)])
    assert run.status("ghost") == "failed" and run.result("ghost")["msg"] == "username 'ghost': the API knows no such user"
    assert [w["status"] for w in emulator.writes()] == [404]  # the create, refused: nothing changed

    # A new absence's policies are the API's choice: a policy it does not have is seen after the create, which is undone.
    emulator.clear_log()
    run = run_tasks([dict(task("wrong policy", username="cnguyen", start=z(start), end=z(end), assignments=[{"policy": HIGH, "replacement": "asmith"}]))])
    result = run.result("wrong policy")
    assert run.status("wrong policy") == "failed"
    assert result["msg"].startswith("assignments[0].policy 'pol-Hs7opsDemoPol001' is not a policy of this absence; the absence has: pol-Db9DemoPrimary02")
    assert result["msg"].endswith("was deleted again)")
    assert [w["method"] for w in emulator.writes()] == ["POST", "DELETE"]
    assert emulator.state["overrides"] == {}


@pytest.mark.emulator(variants=["override-under-schedule"])
def test_variant_override_under_schedule(emulator, run_tasks):
    start, end = absence(emulator)
    away = task("away", username="asmith", start=z(start), end=z(end), replacement="bwong")
    result = assert_task(run_tasks([away]), "away", True, {"list_overrides": 1, "get_user": 1, "create_override": 1, "assign_override": 2})
    assert result["override"]["assignments"] == [assignment(HIGH, "bwong"), assignment(OPS, "bwong")]
    assert stored(emulator) == {("asmith", z(start), z(end)): {HIGH: "bwong", OPS: "bwong"}}
    emulator.clear_log()
    assert_task(run_tasks([away]), "away", False, LIST)


@pytest.mark.emulator(variants=["epoch-instants"])
def test_variant_epoch_instants(emulator, run_tasks):
    start, end = absence(emulator)
    away = task("away", username="asmith", start=z(start), end=z(end), replacement="bwong")
    result = assert_task(run_tasks([away]), "away", True, {"list_overrides": 1, "get_user": 1, "create_override": 1, "assign_override": 2})
    assert (result["override"]["start"], result["override"]["end"]) == (z(start), z(end))
    emulator.clear_log()
    result = assert_task(run_tasks([away]), "away", False, LIST)
    assert (result["override"]["start"], result["override"]["end"]) == (z(start), z(end))


@pytest.mark.emulator(variants=["assignment-username-body"])
def test_variant_assignment_username_body_falls_back_once(emulator, run_tasks):
    start, end = absence(emulator)
    away = task("away", username="asmith", start=z(start), end=z(end), replacement="bwong")
    result = assert_task(run_tasks([away]), "away", True, {"list_overrides": 1, "get_user": 1, "create_override": 1, "assign_override": 3})
    # The spec's body is refused once (400, nothing changed); the SDK's body is used from then on.
    assert [(w["method"], w["body"], w["status"]) for w in emulator.writes()][1:] == [
        ("PUT", {"policy": HIGH, "username": "bwong"}, 400),
        ("PUT", {"username": "bwong", "acceptOverlap": False}, 200),
        ("PUT", {"username": "bwong", "acceptOverlap": False}, 200),
    ]
    assert result["override"]["assignments"] == [assignment(HIGH, "bwong"), assignment(OPS, "bwong")]
    assert stored(emulator) == {("asmith", z(start), z(end)): {HIGH: "bwong", OPS: "bwong"}}
    emulator.clear_log()
    assert_task(run_tasks([away]), "away", False, LIST)


def test_a_lost_create_is_confirmed_by_listing_not_resent(emulator, run_tasks):
    start, end = absence(emulator)
    emulator.inject("POST", "/api-public/v1/overrides", "apply-then-502")
    away = task("away", username="asmith", start=z(start), end=z(end), replacement="bwong")
    result = assert_task(run_tasks([away]), "away", True, {"list_overrides": 2, "get_user": 1, "create_override": 1, "assign_override": 2})
    assert [w["method"] for w in emulator.writes()] == ["POST", "PUT", "PUT"]  # one create
    assert [c["method"] for c in emulator.calls(path="/api-public/v1/overrides")] == ["GET", "POST", "GET"]
    assert stored(emulator) == {("asmith", z(start), z(end)): {HIGH: "bwong", OPS: "bwong"}}
    assert result["override"]["assignments"] == [assignment(HIGH, "bwong"), assignment(OPS, "bwong")]


def test_a_create_lost_before_the_api_is_uncertain_not_resent_and_a_rerun_converges(emulator, run_tasks):
    start, end = absence(emulator)
    emulator.inject("POST", "/api-public/v1/overrides", "502")
    away = task("away", username="asmith", start=z(start), end=z(end), replacement="bwong")
    run = run_tasks([away])
    result = run.result("away")
    assert run.status("away") == "failed" and result["error"] == "uncertain", result
    assert "may or may not have been applied" in result["msg"]
    assert [c["method"] for c in emulator.calls(path="/api-public/v1/overrides")] == ["GET", "POST", "GET"]
    assert emulator.state["overrides"] == {}
    run = run_tasks([away])
    assert run.rc == 0, run
    assert stored(emulator) == {("asmith", z(start), z(end)): {HIGH: "bwong", OPS: "bwong"}}


def test_check_mode_for_a_new_absence_shows_the_requested_assignments(emulator, run_tasks):
    start, end = absence(emulator)
    wanted = [{"policy": "Operations High Severity", "replacement": "jdoe"}, {"policy": OPS, "replacement": None}]
    run = run_tasks([task("per policy", username="asmith", start=z(start), end=z(end), assignments=wanted)], check=True, diff=True)
    result = assert_task(run, "per policy", True, {"list_overrides": 1, "get_user": 1})  # the one replacement checked
    assert result["override"]["assignments"] == [
        {"policy": "Operations High Severity", "policy_name": None, "team": None, "replacement": "jdoe"},
        {"policy": OPS, "policy_name": None, "team": None, "replacement": None},
    ]
    assert result["notes"] == [
        "check mode: the API chooses the absence's policies when it creates the override; the requested assignments would be checked then"
    ]
    assert diff_of(result)["after"] == result["override"]
    assert emulator.writes() == [] and emulator.state["overrides"] == {}


@pytest.mark.emulator(variants=["case-insensitive-users"])
def test_a_person_and_a_replacement_spelt_in_another_case_name_the_same_override_on_an_api_that_folds_case(emulator, run_tasks):
    start, end = absence(emulator)
    away = task("away", username="ASmith", start=z(start), end=z(end), replacement="BWong")
    result = assert_task(run_tasks([away]), "away", True, {"list_overrides": 1, "get_user": 1, "create_override": 1, "assign_override": 2})
    assert stored(emulator) == {("asmith", z(start), z(end)): {HIGH: "bwong", OPS: "bwong"}}
    emulator.clear_log()
    # Again: the API's spellings are found (one read of each confirms that the API folds case) and nothing is written.
    result = assert_task(run_tasks([away]), "away", False, {"list_overrides": 1, "get_user": 2})
    assert result["override"]["username"] == "asmith"
    assert result["notes"] == ["username 'ASmith' matched the username 'asmith', which differs only in case (the API answered it so)"]
    emulator.clear_log()
    # Removal by the other spelling removes that one override.
    gone = task("away", username="ASmith", start=z(start), end=z(end), state="absent")
    assert_task(run_tasks([gone]), "away", True, {"list_overrides": 1, "get_user": 1, "delete_override": 1})
    assert emulator.state["overrides"] == {}


def test_on_an_api_that_keeps_case_another_spelling_is_another_person(emulator, run_tasks):
    start, end = absence(emulator)
    run_tasks([task("away", username="asmith", start=z(start), end=z(end), replacement="bwong")])
    emulator.clear_log()
    # "ASmith" is no user here: the one read says so, and asmith's override is neither matched nor touched.
    run = run_tasks([task("away", username="ASmith", start=z(start), end=z(end), state="absent")])
    assert run.status("away") == "ok" and run.result("away")["changed"] is False
    assert [e["method"] for e in emulator.log] == ["GET", "GET"]
    assert len(emulator.state["overrides"]) == 1
