"""Scheduled overrides without the API: instants and time zones, the normaliser under every answer shape, the planner."""

import datetime

import pytest

from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError, UnexpectedResponseError
from ansible_collections.victorops.oncall.plugins.module_utils._overrides import (
    AssignmentBody,
    applied,
    find_override,
    normalize_override,
    override_answer,
    override_list,
    overlapping,
    plan_assignments,
)
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import MAX_DAYS_FORWARD, instant_text, parse_instant, timezone_problem


# -- instants -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        "2026-03-02T09:00:00Z",
        "2026-03-02T09:00:00z",
        "2026-03-02T09:00Z",
        "2026-03-02T09:00:00.000Z",
        "2026-03-02T09:00:00.123456+00:00",
        "2026-03-02T10:00:00+01:00",
        "2026-03-02T04:00-05:00",
        "2026-03-02 09:00:00",
        "2026-03-02T09:00",
        1772442000000,
        "1772442000000",
        1772442000000.0,
    ],
)
def test_every_form_of_one_instant_is_one_utc_text(given):
    assert instant_text(parse_instant(given)) == "2026-03-02T09:00:00Z"
    assert parse_instant(given).tzinfo is not None


def test_a_naive_instant_is_wall_clock_time_in_the_timezone():
    assert utc_in("2026-01-15T09:00", "Europe/Paris") == "2026-01-15T08:00:00Z"  # winter: +01:00
    assert utc_in("2026-07-15T09:00", "Europe/Paris") == "2026-07-15T07:00:00Z"  # summer: +02:00
    assert utc_in("2026-07-15T09:00", "America/New_York") == "2026-07-15T13:00:00Z"
    # An explicit offset wins over the time zone; epoch milliseconds are absolute.
    assert utc_in("2026-07-15T09:00:00Z", "Europe/Paris") == "2026-07-15T09:00:00Z"
    assert utc_in(0, "Asia/Tokyo") == "1970-01-01T00:00:00Z"


def utc_in(value, timezone):
    return instant_text(parse_instant(value, timezone))


def test_daylight_saving_time_gaps_are_refused_and_repeats_take_the_first():
    # Europe/Paris, 2026-03-29: 02:00 -> 03:00 (02:30 does not exist); 2026-10-25: 03:00 -> 02:00 (02:30 happens twice).
    with pytest.raises(ValueError, match=r"'2026-03-29T02:30' does not exist in Europe/Paris"):
        parse_instant("2026-03-29T02:30", "Europe/Paris")
    assert utc_in("2026-03-29T01:59", "Europe/Paris") == "2026-03-29T00:59:00Z"
    assert utc_in("2026-03-29T03:00", "Europe/Paris") == "2026-03-29T01:00:00Z"
    assert utc_in("2026-10-25T02:30", "Europe/Paris") == "2026-10-25T00:30:00Z"  # the first 02:30, still +02:00
    assert utc_in("2026-10-25T03:30", "Europe/Paris") == "2026-10-25T02:30:00Z"
    # A week across the change is 7 * 24 h minus the hour skipped.
    start, end = parse_instant("2026-03-23T09:00", "Europe/Paris"), parse_instant("2026-03-30T09:00", "Europe/Paris")
    assert end - start == datetime.timedelta(days=7, hours=-1)


@pytest.mark.parametrize(
    "given, message",
    [
        ("2026-03-02", "is a date without a time of day: give the time too, for example 2026-03-02T09:00"),
        ("20260302", "is a date without a time of day"),
        ("next monday", "is not an ISO 8601 instant such as 2026-03-02T09:00:00Z"),
        ("2026-13-02T09:00", "is not an ISO 8601 instant"),
        ("", "is not an instant"),
        (None, "is not an instant"),
        (True, "is not an instant"),
        (10**20, "is out of range for epoch milliseconds"),
    ],
)
def test_what_is_not_an_instant_says_why(given, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_instant(given)


def test_unknown_timezones_are_named():
    assert timezone_problem("UTC") is None
    assert timezone_problem("Europe/Paris") is None
    assert timezone_problem("Mars/Olympus") == "time zone 'Mars/Olympus' is not a known IANA time zone (for example UTC, Europe/Paris, America/New_York)"
    assert timezone_problem("../../etc/passwd") is not None
    assert timezone_problem(" ") == "a time zone must be a name such as UTC or Europe/Paris"
    with pytest.raises(ValueError, match="Mars/Olympus"):
        parse_instant("2026-03-02T09:00", "Mars/Olympus")


def test_instant_text_is_utc_to_the_second_and_refuses_naive_datetimes():
    paris = parse_instant("2026-03-02T10:00:59.999+01:00")
    assert instant_text(paris) == "2026-03-02T09:00:59Z"
    with pytest.raises(ValueError, match="without a time zone"):
        instant_text(datetime.datetime(2026, 3, 2, 9))
    assert MAX_DAYS_FORWARD == 30


# -- the normaliser -----------------------------------------------------------------------------------

API_OVERRIDE = {
    "publicId": "ovr-1",
    "user": {"username": "asmith", "firstName": "Alice", "lastName": "Smith"},
    "timezone": "Europe/Paris",
    "start": "2026-03-02T09:00:00+01:00",
    "end": "2026-03-09T09:00:00+01:00",
    "assignments": [
        {"policy": "pol-zzzzzzzzzzzzzzzz", "team": "team-aaaaaaaaaaaaaaaa", "user": {"username": "bwong"}, "assigned": True, "_selfUrl": "/x"},
        {"policy": "pol-aaaaaaaaaaaaaaaa", "team": "team-aaaaaaaaaaaaaaaa", "assigned": False},
    ],
}
NORMALISED = {
    "id": "ovr-1",
    "username": "asmith",
    "start": "2026-03-02T08:00:00Z",
    "end": "2026-03-09T08:00:00Z",
    "timezone": "Europe/Paris",
    "assignments": [
        {"policy": "pol-aaaaaaaaaaaaaaaa", "policy_name": None, "team": "team-aaaaaaaaaaaaaaaa", "replacement": None},
        {"policy": "pol-zzzzzzzzzzzzzzzz", "policy_name": None, "team": "team-aaaaaaaaaaaaaaaa", "replacement": "bwong"},
    ],
}


def epoch_ms(text):
    return int(parse_instant(text).timestamp() * 1000)


@pytest.mark.parametrize(
    "body",
    [
        {"override": API_OVERRIDE},  # the live API's create answer, and get_override
        {"schedule": API_OVERRIDE},  # the spec's create answer
        API_OVERRIDE,  # the override itself
        {"override": dict(API_OVERRIDE, start=epoch_ms(API_OVERRIDE["start"]), end=epoch_ms(API_OVERRIDE["end"]))},  # epoch milliseconds
        {"override": dict(API_OVERRIDE, start=str(epoch_ms(API_OVERRIDE["start"])), end="2026-03-09T08:00:00Z")},
    ],
)
def test_every_answer_shape_normalises_to_one_override(body):
    assert override_answer(body, "create_override") == NORMALISED


def test_assignment_shapes():
    odd = dict(
        API_OVERRIDE,
        assignments=[
            # A user string (the spec), a user still named although unassigned, a policy given as an object.
            {"policy": "pol-bbbbbbbbbbbbbbbb", "team": {"slug": "team-t", "name": "T"}, "user": "cnguyen", "assigned": True},
            {"policy": "pol-cccccccccccccccc", "user": {"username": "bwong"}, "assigned": False},
            {"policy": {"slug": "pol-dddddddddddddddd", "name": "Database Primary"}, "user": None},
        ],
    )
    assert normalize_override(odd, "w")["assignments"] == [
        {"policy": "pol-bbbbbbbbbbbbbbbb", "policy_name": None, "team": "team-t", "replacement": "cnguyen"},
        {"policy": "pol-cccccccccccccccc", "policy_name": None, "team": None, "replacement": None},
        {"policy": "pol-dddddddddddddddd", "policy_name": "Database Primary", "team": None, "replacement": None},
    ]
    assert normalize_override(dict(API_OVERRIDE, assignments=None), "w")["assignments"] == []


def test_the_list_answer():
    assert override_list({"overrides": [API_OVERRIDE]}, "list_overrides") == [NORMALISED]
    assert override_list({"overrides": []}, "list_overrides") == []


@pytest.mark.parametrize(
    "body, detail",
    [
        ([], "expected a JSON object"),
        ({"overrides": None}, "expected a list under 'overrides'"),
        ({"overrides": [dict(API_OVERRIDE, publicId=None)]}, "an override has no publicId"),
        ({"overrides": [dict(API_OVERRIDE, user={})]}, "override ovr-1 names no user"),
        ({"overrides": [dict(API_OVERRIDE, start="soon")]}, "the override's start: 'soon' is not an ISO 8601 instant"),
        ({"overrides": [dict(API_OVERRIDE, end=None)]}, "the override's end"),
        ({"overrides": [dict(API_OVERRIDE, assignments=[{"team": "t"}])]}, "an assignment has no policy"),
        ({"overrides": [dict(API_OVERRIDE, assignments=["pol-x"])]}, "an assignment is not an object"),
    ],
)
def test_unusable_answers_are_unexpected_not_key_errors(body, detail):
    with pytest.raises(UnexpectedResponseError, match="Unexpected answer from list_overrides: " + detail):
        override_list(body, "list_overrides")


def test_an_override_is_found_by_person_and_period_and_overlaps_are_the_others():
    a = dict(NORMALISED)
    b = dict(NORMALISED, id="ovr-2", start="2026-03-05T00:00:00Z", end="2026-03-12T00:00:00Z")
    c = dict(NORMALISED, id="ovr-3", start="2026-03-09T08:00:00Z", end="2026-03-10T00:00:00Z")  # starts as a ends: no overlap
    d = dict(NORMALISED, id="ovr-4", username="bwong")
    overrides = [a, b, c, d]
    assert find_override(overrides, "asmith", "2026-03-02T08:00:00Z", "2026-03-09T08:00:00Z") is a
    assert find_override(overrides, "asmith", "2026-03-02T08:00:00Z", "2026-03-09T08:00:01Z") is None
    assert find_override(overrides, "ASMITH", "2026-03-02T08:00:00Z", "2026-03-09T08:00:00Z") is None
    assert [o["id"] for o in overlapping(overrides, "asmith", a["start"], a["end"], "ovr-1")] == ["ovr-2"]
    assert [o["id"] for o in overlapping(overrides, "asmith", "2026-03-01T00:00:00Z", "2026-03-20T00:00:00Z", None)] == ["ovr-1", "ovr-2", "ovr-3"]


# -- the planner ----------------------------------------------------------------------------------------

P1 = dict(policy="pol-aaaaaaaaaaaaaaaa", policy_name="Ops High", team="team-t", replacement=None)
P2 = dict(policy="pol-bbbbbbbbbbbbbbbb", policy_name="Database Primary", team="team-t", replacement="bwong")
P3 = dict(policy="pol-cccccccccccccccc", policy_name="database primary", team="team-t", replacement=None)


def test_one_replacement_covers_every_policy_writing_only_the_differences():
    assert plan_assignments([P1, P2], "bwong", None) == [("pol-aaaaaaaaaaaaaaaa", "bwong")]
    assert plan_assignments([P1, P2], "cnguyen", None) == [("pol-aaaaaaaaaaaaaaaa", "cnguyen"), ("pol-bbbbbbbbbbbbbbbb", "cnguyen")]
    assert plan_assignments([dict(P1, replacement="bwong"), P2], "bwong", None) == []
    assert plan_assignments([], "bwong", None) == []
    # Neither option: the assignments are left as they are.
    assert plan_assignments([P1, P2], None, None) == []


def test_per_policy_assignments_by_slug_or_name_and_null_unassigns():
    assert plan_assignments([P1, P2], None, [{"policy": "pol-bbbbbbbbbbbbbbbb", "replacement": None}]) == [("pol-bbbbbbbbbbbbbbbb", None)]
    assert plan_assignments([P1, P2], None, [{"policy": "Ops High", "replacement": "cnguyen"}]) == [("pol-aaaaaaaaaaaaaaaa", "cnguyen")]
    assert plan_assignments([P1, P2], None, [{"policy": "ops high", "replacement": "cnguyen"}]) == [("pol-aaaaaaaaaaaaaaaa", "cnguyen")]
    # Exact name first: "database primary" names P3 although P2 differs from it in case alone.
    assert plan_assignments([P1, P2, P3], None, [{"policy": "database primary", "replacement": "jdoe"}]) == [("pol-cccccccccccccccc", "jdoe")]
    # Policies not listed are left as they are; what already holds is not written.
    assert plan_assignments([P1, P2], None, [{"policy": "Database Primary", "replacement": "bwong"}, {"policy": "Ops High", "replacement": None}]) == []


def test_a_policy_the_absence_does_not_have_is_refused_listing_its_policies():
    with pytest.raises(OptionError) as info:
        plan_assignments([P1, P2], None, [{"policy": "Ops High", "replacement": "x"}, {"policy": "Payments", "replacement": "bwong"}])
    assert str(info.value) == (
        "assignments[1].policy 'Payments' is not a policy of this absence; "
        "the absence has: Ops High (pol-aaaaaaaaaaaaaaaa), Database Primary (pol-bbbbbbbbbbbbbbbb)"
    )
    with pytest.raises(OptionError, match=r"the absence has: no policy \(the person is on call in no rotation\)"):
        plan_assignments([], None, [{"policy": "pol-aaaaaaaaaaaaaaaa", "replacement": "bwong"}])
    with pytest.raises(OptionError, match=r"is ambiguous: it names the policies pol-bbbbbbbbbbbbbbbb, pol-cccccccccccccccc"):
        plan_assignments([P2, P3], None, [{"policy": "DATABASE PRIMARY", "replacement": "jdoe"}])
    with pytest.raises(OptionError, match=r"assignments\[1\].policy 'Ops High' names policy pol-aaaaaaaaaaaaaaaa a second time"):
        plan_assignments([P1], None, [{"policy": "pol-aaaaaaaaaaaaaaaa", "replacement": "x"}, {"policy": "Ops High", "replacement": None}])


def test_applied_writes_make_the_after():
    override = dict(NORMALISED, assignments=[P1, P2])
    after = applied(override, [("pol-aaaaaaaaaaaaaaaa", "cnguyen"), ("pol-bbbbbbbbbbbbbbbb", None)])
    assert [a["replacement"] for a in after["assignments"]] == ["cnguyen", None]
    assert override["assignments"] == [P1, P2]  # not changed in place


def test_the_assignment_body_is_the_specs_until_refused():
    style = AssignmentBody()
    assert style.body("pol-a", "bwong") == {"policy": "pol-a", "username": "bwong"}
    style.sdk = True
    assert style.body("pol-a", "bwong") == {"username": "bwong", "acceptOverlap": False}
