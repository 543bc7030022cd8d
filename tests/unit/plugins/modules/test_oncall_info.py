"""victorops.oncall.victorops_oncall_info run in process against the emulator (default seed): a team by slug and by
name, a user, days_forward and at, scheduled overrides (a replacement, a gap), bad input before any call, and the
exact requests.

The seed's rotations (weekly hand-off on Monday 00:00 UTC, this week first): the Operations policy
(team-Q2opsDemoTeam001) jdoe, asmith, bwong; Operations High Severity (pol-Hs7opsDemoPol001) asmith, jdoe; Database
Primary cnguyen every week.
"""

import datetime

import pytest
import yaml
from ansible_collections.victorops.oncall.tests.schedule_helpers import UTC, monday, schedule_override
from ansible_collections.victorops.oncall.tests.schedule_helpers import utc_text as text

OPS = "team-Q2opsDemoTeam001"
HIGH = "pol-Hs7opsDemoPol001"
SCHEDULE_READ = "GET /api-public/v2/team/{team}/oncall/schedule"
TEAMS_READ = "GET /api-public/v1/team"


def task(**options):
    return yaml.safe_dump([{"name": "read", "victorops.oncall.victorops_oncall_info": options}])


def read(run_tasks, check=False, **options):
    run = run_tasks(task(**options), check=check)
    return run.result("read")


def operations(emulator):
    return [entry["operation"] for entry in emulator.calls()]


def shifts(result, policy):
    (entry,) = [e for e in result["schedule"] if e["policy"] == policy]
    return [(s["username"], s["start"], s["end"], s["override"]) for s in entry["shifts"]]


def test_a_team_by_slug_now_is_one_schedule_read_for_one_day(emulator, run_tasks):
    before = datetime.datetime.now(UTC).replace(microsecond=0)
    result = read(run_tasks, team=OPS)
    after = datetime.datetime.now(UTC)
    assert result["changed"] is False and "failed" not in result, result
    assert result["on_call_now"] == {OPS: ["jdoe"], HIGH: ["asmith"]}
    assert before <= datetime.datetime.strptime(result["on_call_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) <= after
    assert [e["policy_name"] for e in result["schedule"]] == ["Operations", "Operations High Severity"]
    # Now only: the shift covering now, from now to the week's hand-off (or the end of the day read, if sooner).
    ((username, start, end, override),) = shifts(result, HIGH)
    assert (username, start, override) == ("asmith", result["on_call_at"], False)
    assert result["on_call_at"] < end <= text(monday(1))
    assert result["api"]["calls"] == 1 and result["api"]["operations"] == {"get_team_schedule": 1}
    (call,) = emulator.calls()
    assert (call["operation"], call["path"], call["query"]) == (SCHEDULE_READ, "/api-public/v2/team/%s/oncall/schedule" % OPS, {"daysForward": "1"})


def test_a_team_by_name_costs_the_team_list_and_answers_the_same(emulator, run_tasks):
    by_slug = read(run_tasks, team=OPS, days_forward=14)
    emulator.clear_log()
    by_name = read(run_tasks, team="operations", days_forward=14)
    assert operations(emulator) == [TEAMS_READ, SCHEDULE_READ]
    assert by_name["api"]["calls"] == 2
    assert [e["policy"] for e in by_name["schedule"]] == [e["policy"] for e in by_slug["schedule"]]
    # Two weeks ahead: this week's rest, the next week whole, and the week after up to the window's end.
    assert [s[0] for s in shifts(by_name, OPS)] == ["jdoe", "asmith", "bwong"]
    assert [s[0] for s in shifts(by_name, HIGH)] == ["asmith", "jdoe", "asmith"]
    assert shifts(by_name, HIGH)[1][1:3] == (text(monday(1)), text(monday(2)))
    assert emulator.calls()[-1]["query"] == {"daysForward": "14"}


def test_a_scheduled_absence_shows_the_replacement_inside_and_the_regular_person_outside(emulator, run_tasks):
    start, end = monday(2) + datetime.timedelta(days=1), monday(2) + datetime.timedelta(days=3)
    schedule_override(emulator, "asmith", start, end, {HIGH: "bwong", OPS: None})
    result = read(run_tasks, team=OPS, days_forward=30, at=text(start + datetime.timedelta(hours=12)))
    assert shifts(result, HIGH)[2:5] == [
        ("asmith", text(monday(2)), text(start), False),
        ("bwong", text(start), text(end), True),
        ("asmith", text(end), text(monday(3)), False),
    ]
    # Week 2 of the Operations rotation is bwong's: asmith's absence changes nothing there.
    assert all(not s[3] for s in shifts(result, OPS))
    assert result["on_call_now"] == {OPS: ["bwong"], HIGH: ["bwong"]}
    assert result["on_call_at"] == text(start + datetime.timedelta(hours=12))
    assert operations(emulator) == [SCHEDULE_READ] and emulator.calls()[0]["query"] == {"daysForward": "30"}

    outside = read(run_tasks, team=OPS, at=text(end + datetime.timedelta(hours=1)))
    assert outside["on_call_now"][HIGH] == ["asmith"]
    # The read reaches the instant even with days_forward 0; the schedule shows now only.
    assert int(emulator.calls()[-1]["query"]["daysForward"]) >= 16
    assert len(shifts(outside, HIGH)) == 1


def test_an_unassigned_absence_is_a_gap(emulator, run_tasks):
    start, end = monday(1) + datetime.timedelta(days=1), monday(1) + datetime.timedelta(days=2)
    schedule_override(emulator, "asmith", start, end, {})
    result = read(run_tasks, team=OPS, days_forward=14, at=text(start))
    assert (None, text(start), text(end), True) in shifts(result, OPS)
    assert result["on_call_now"] == {OPS: [], HIGH: ["jdoe"]}


@pytest.mark.parametrize("emulator", [{"variants": ["epoch-instants"]}], indirect=True)
def test_epoch_millisecond_answers_read_the_same(emulator, run_tasks):
    start, end = monday(2) + datetime.timedelta(days=1), monday(2) + datetime.timedelta(days=3)
    schedule_override(emulator, "asmith", start, end, {HIGH: "bwong"})
    result = read(run_tasks, team=OPS, days_forward=30, at=text(start))
    assert ("bwong", text(start), text(end), True) in shifts(result, HIGH)
    assert result["on_call_now"][HIGH] == ["bwong"]


def test_a_user_has_their_own_shifts_and_those_they_cover(emulator, run_tasks):
    start, end = monday(1) + datetime.timedelta(days=1), monday(1) + datetime.timedelta(days=2)
    schedule_override(emulator, "jdoe", start, end, {HIGH: "bwong"})
    result = read(run_tasks, username="bwong", days_forward=21, at=text(start))
    assert result["api"]["operations"] == {"get_user_schedule": 1}
    ((method, path, query),) = [(c["method"], c["path"], c["query"]) for c in emulator.calls()]
    assert (method, path, query) == ("GET", "/api-public/v2/user/bwong/oncall/schedule", {"daysForward": "21"})
    assert shifts(result, HIGH) == [("bwong", text(start), text(end), True)]
    assert [s[0] for s in shifts(result, OPS)] == ["bwong"]  # the third week of the rotation
    assert result["on_call_now"] == {OPS: [], HIGH: ["bwong"]}


@pytest.mark.parametrize("emulator", [{"variants": ["case-insensitive-users"]}], indirect=True)
def test_a_user_spelt_in_another_case_on_an_api_that_folds_case_has_their_shifts(emulator, run_tasks):
    start, end = monday(1) + datetime.timedelta(days=1), monday(1) + datetime.timedelta(days=2)
    schedule_override(emulator, "jdoe", start, end, {HIGH: "bwong"})
    result = read(run_tasks, username="BWong", days_forward=21, at=text(start))
    # The answer spells the user bwong; one read of BWong confirms that the API takes them for one user.
    assert result["api"]["operations"] == {"get_user_schedule": 1, "get_user": 1}
    assert shifts(result, HIGH) == [("bwong", text(start), text(end), True)]


def test_days_forward_at_its_bounds_and_check_mode(emulator, run_tasks):
    result = read(run_tasks, check=True, team=OPS, days_forward=30)
    assert "failed" not in result and result["changed"] is False
    assert emulator.calls()[-1]["query"] == {"daysForward": "30"}
    assert emulator.writes() == []


@pytest.mark.parametrize(
    "options, words",
    [
        (dict(team=OPS, days_forward=31), "days_forward must be 0 to 30, got 31"),
        (dict(team=OPS, days_forward=-1), "days_forward must be 0 to 30, got -1"),
        (dict(team=OPS, days_forward=True), "days_forward must be a number, got the boolean true"),
        (dict(team=OPS, username="jdoe"), "mutually exclusive: team|username"),
        (dict(days_forward=3), "one of the following is required: team, username"),
        (dict(username="j doe"), "username 'j doe' is not a valid username"),
        (dict(team=" "), "team must not be empty"),
        (dict(team=OPS, at="tomorrow"), "at: 'tomorrow' is not an ISO 8601 instant"),
        (dict(team=OPS, at="2020-01-01T00:00:00Z"), "at '2020-01-01T00:00:00Z' is in the past"),
        (dict(team=OPS, at=text(datetime.datetime.now(UTC) + datetime.timedelta(days=31))), "30 days or more ahead"),
    ],
)
def test_bad_input_fails_before_any_call_naming_the_option(emulator, run_tasks, options, words):
    result = read(run_tasks, **options)
    assert result.get("failed") is True, result
    assert words in result["msg"]
    assert emulator.calls() == []


def test_an_unknown_team_or_user_is_named(emulator, run_tasks):
    result = read(run_tasks, team="team-NoSuchTeam000001")
    assert result["failed"] is True and result["error"] == "option"
    assert "team 'team-NoSuchTeam000001' is not a known team" in result["msg"]
    assert result["api"]["calls"] == 1
    result = read(run_tasks, username="nobody")
    assert "username 'nobody' is not a known user" in result["msg"]
    result = read(run_tasks, team="Nonexistent Team")
    assert "no team has that name or slug" in result["msg"]
