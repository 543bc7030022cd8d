"""The schedule normaliser (ISO and epoch instants, overrides splitting rolls, gaps, malformed answers), who is on call
at an instant, and the window cut. Pure: answers are built here in the API's shapes."""

import datetime

import pytest

from ansible_collections.victorops.oncall.plugins.module_utils import _schedule
from ansible_collections.victorops.oncall.plugins.module_utils._errors import NotFoundError, OptionError, UnexpectedResponseError
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import UTC, parse_instant

WHAT = "GET /api-public/v2/team/{team}/oncall/schedule"
TEAM = {"name": "Operations", "slug": "team-Q2opsDemoTeam001"}
HIGH = {"name": "Operations High Severity", "slug": "pol-Hs7opsDemoPol001"}
LOW = {"name": "Operations Low Severity", "slug": "pol-Lo7opsDemoPol002"}


def ms(text):
    return int(parse_instant(text).timestamp() * 1000)


def roll(username, start, end):
    return {"start": start, "end": end, "onCallUser": {"username": username} if username else None, "isRoll": True}


def entry(*rolls):
    return {"onCallUser": {"username": "x"}, "onCallType": "rotation_group", "rotationName": "Ops", "shiftName": "week", "rolls": list(rolls)}


def override(absent, replacement, start, end):
    return {"origOnCallUser": {"username": absent}, "overrideOnCallUser": {"username": replacement} if replacement else None, "start": start, "end": end}


def team_schedule(*policies):
    return {"team": TEAM, "schedules": list(policies)}


def policy(which, rolls, overrides=()):
    return {"policy": which, "schedule": [entry(*rolls)], "overrides": list(overrides)}


def shifts(schedule, slug=HIGH["slug"]):
    (found,) = [e for e in schedule if e["policy"] == slug]
    return [(s["username"], s["start"], s["end"], s["override"]) for s in found["shifts"]]


WEEK = [roll("asmith", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"), roll("bwong", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z")]


def test_rolls_become_shifts_with_policy_and_team_sorted_by_policy_name():
    body = team_schedule(policy(LOW, [roll("bwong", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z")]), policy(HIGH, WEEK))
    schedule = _schedule.normalize_team_schedule(body, WHAT)
    assert [e["policy"] for e in schedule] == [HIGH["slug"], LOW["slug"]]  # "High" before "Low"
    assert schedule[0]["policy_name"] == HIGH["name"] and schedule[0]["team"] == TEAM["slug"]
    assert schedule[0]["shifts"][0] == dict(
        policy=HIGH["slug"],
        policy_name=HIGH["name"],
        team=TEAM["slug"],
        username="asmith",
        start="2026-03-02T00:00:00Z",
        end="2026-03-09T00:00:00Z",
        override=False,
    )
    assert shifts(schedule) == [
        ("asmith", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", False),
        ("bwong", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z", False),
    ]


def test_epoch_millisecond_instants_and_offsets_give_the_same_utc_text():
    epoch = team_schedule(policy(HIGH, [roll("asmith", ms("2026-03-02T00:00:00Z"), ms("2026-03-09T00:00:00Z"))]))
    offset = team_schedule(policy(HIGH, [roll("asmith", "2026-03-02T01:00:00+01:00", "2026-03-09T01:00+01:00")]))
    expected = [("asmith", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", False)]
    assert shifts(_schedule.normalize_team_schedule(epoch, WHAT)) == expected
    assert shifts(_schedule.normalize_team_schedule(offset, WHAT)) == expected
    digits = team_schedule(policy(HIGH, [roll("asmith", str(ms("2026-03-02T00:00:00Z")), str(ms("2026-03-09T00:00:00Z")))]))
    assert shifts(_schedule.normalize_team_schedule(digits, WHAT)) == expected


def test_an_override_splits_the_roll_into_the_regular_person_the_replacement_and_the_regular_person():
    body = team_schedule(policy(HIGH, WEEK, [override("asmith", "cjones", "2026-03-04T00:00:00Z", ms("2026-03-06T12:00:00Z"))]))
    assert shifts(_schedule.normalize_team_schedule(body, WHAT)) == [
        ("asmith", "2026-03-02T00:00:00Z", "2026-03-04T00:00:00Z", False),
        ("cjones", "2026-03-04T00:00:00Z", "2026-03-06T12:00:00Z", True),
        ("asmith", "2026-03-06T12:00:00Z", "2026-03-09T00:00:00Z", False),
        ("bwong", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z", False),
    ]


def test_an_unassigned_override_is_a_gap_and_one_across_a_hand_off_touches_only_the_absent_persons_roll():
    body = team_schedule(policy(HIGH, WEEK, [override("asmith", None, "2026-03-08T00:00:00Z", "2026-03-10T00:00:00Z")]))
    assert shifts(_schedule.normalize_team_schedule(body, WHAT)) == [
        ("asmith", "2026-03-02T00:00:00Z", "2026-03-08T00:00:00Z", False),
        (None, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", True),
        ("bwong", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z", False),
    ]


def test_an_override_covering_the_whole_roll_and_two_overrides_in_one_roll():
    whole = team_schedule(policy(HIGH, WEEK, [override("bwong", "asmith", "2026-03-01T00:00:00Z", "2026-03-20T00:00:00Z")]))
    assert shifts(_schedule.normalize_team_schedule(whole, WHAT))[1] == ("asmith", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z", True)
    two = team_schedule(
        policy(
            HIGH,
            WEEK[:1],
            [
                override("asmith", None, "2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z"),
                override("asmith", "bwong", "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z"),
            ],
        )
    )
    assert shifts(_schedule.normalize_team_schedule(two, WHAT)) == [
        ("asmith", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", False),
        ("bwong", "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z", True),
        ("asmith", "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z", False),
        (None, "2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z", True),
        ("asmith", "2026-03-06T00:00:00Z", "2026-03-09T00:00:00Z", False),
    ]


def test_a_roll_with_nobody_is_no_shift_and_missing_overrides_are_none():
    body = {"team": TEAM, "schedules": [{"policy": HIGH, "schedule": [entry(roll(None, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"), WEEK[1])]}]}
    assert shifts(_schedule.normalize_team_schedule(body, WHAT)) == [("bwong", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z", False)]


@pytest.mark.parametrize(
    "body, words",
    [
        ([], "expected a JSON object"),
        ({"team": TEAM}, "'schedules'"),
        ({"schedules": []}, "no team slug"),
        (team_schedule({"schedule": []}), "no policy slug"),
        (team_schedule({"policy": HIGH, "schedule": [{"onCallType": "user"}]}), "'policy pol-Hs7opsDemoPol001 rolls'"),
        (team_schedule(policy(HIGH, [roll("asmith", "next monday", "2026-03-09T00:00:00Z")])), "start: 'next monday' is not an ISO 8601 instant"),
        (team_schedule(policy(HIGH, [roll("asmith", "2026-03-09T00:00:00Z", "2026-03-02T00:00:00Z")])), "not after its start"),
        (team_schedule(policy(HIGH, [dict(roll("x", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"), onCallUser={"name": "x"})])), "has no username"),
        (
            team_schedule(policy(HIGH, WEEK, [dict(override("asmith", None, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"), origOnCallUser=None)])),
            "origOnCallUser",
        ),
        (team_schedule(policy(HIGH, WEEK, ["asmith"])), "is not an object"),
    ],
)
def test_malformed_answers_raise_naming_the_operation(body, words):
    with pytest.raises(UnexpectedResponseError) as raised:
        _schedule.normalize_team_schedule(body, WHAT)
    assert str(raised.value).startswith("Unexpected answer from " + WHAT)
    assert words in str(raised.value)


def test_on_call_at_an_instant_inside_and_outside_an_absence():
    body = team_schedule(
        policy(HIGH, WEEK, [override("asmith", "cjones", "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z")]),
        policy(
            LOW, [roll("asmith", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z")], [override("asmith", None, "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z")]
        ),
    )
    schedule = _schedule.normalize_team_schedule(body, WHAT)
    assert _schedule.on_call_at(schedule, "2026-03-04T12:00:00Z") == {HIGH["slug"]: ["cjones"], LOW["slug"]: []}
    assert _schedule.on_call_at(schedule, parse_instant("2026-03-05T00:00:00Z")) == {HIGH["slug"]: ["asmith"], LOW["slug"]: ["asmith"]}
    assert _schedule.on_call_at(schedule, "2026-03-10T00:00:00Z") == {HIGH["slug"]: ["bwong"], LOW["slug"]: []}


def test_two_rotations_on_one_policy_both_on_call():
    body = team_schedule({"policy": HIGH, "schedule": [entry(WEEK[0]), entry(roll("cjones", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"))], "overrides": []})
    assert _schedule.on_call_at(_schedule.normalize_team_schedule(body, WHAT), "2026-03-02T06:00:00Z") == {HIGH["slug"]: ["asmith", "cjones"]}


def test_clip_cuts_to_the_window_and_an_instant_window_keeps_the_covering_shift():
    schedule = _schedule.normalize_team_schedule(team_schedule(policy(HIGH, WEEK)), WHAT)
    start = parse_instant("2026-03-05T10:30:00Z")
    assert shifts(_schedule.clip(schedule, start, start + 7 * _schedule.DAY)) == [
        ("asmith", "2026-03-05T10:30:00Z", "2026-03-09T00:00:00Z", False),
        ("bwong", "2026-03-09T00:00:00Z", "2026-03-12T10:30:00Z", False),
    ]
    assert shifts(_schedule.clip(schedule, start, None)) == [("asmith", "2026-03-05T10:30:00Z", "2026-03-09T00:00:00Z", False)]
    assert shifts(_schedule.clip(schedule, parse_instant("2026-04-01T00:00:00Z"), None)) == []


def test_days_to_read_covers_the_window_and_the_instant():
    now = datetime.datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert _schedule.days_to_read(now, 0, now) == 1
    assert _schedule.days_to_read(now, 14, now) == 14
    assert _schedule.days_to_read(now, 0, now + datetime.timedelta(days=3, hours=1)) == 4
    assert _schedule.days_to_read(now, 0, now + datetime.timedelta(days=29, hours=23)) == 30


class Recorder:
    """A client that records the one request it is asked for and answers ``answer``."""

    def __init__(self, answer):
        self.answer, self.requests = answer, []

    def request(self, method, template, **kwargs):
        self.requests.append((method, template, kwargs))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_the_reads_send_days_forward_and_a_404_names_the_option():
    client = Recorder(team_schedule(policy(HIGH, WEEK)))
    assert _schedule.get_team_schedule(client, TEAM["slug"], 7)[0]["policy"] == HIGH["slug"]
    ((method, template, kwargs),) = client.requests
    assert (method, template, kwargs["query"], kwargs["params"], kwargs["operation"]) == (
        "GET",
        "/api-public/v2/team/{team}/oncall/schedule",
        {"daysForward": 7},
        {"team": TEAM["slug"]},
        "get_team_schedule",
    )
    with pytest.raises(OptionError, match="team 'team-nope' is not a known team"):
        _schedule.get_team_schedule(Recorder(NotFoundError("not found", status=404)), "team-nope", 1)
    with pytest.raises(OptionError, match="username 'ghost' is not a known user"):
        _schedule.get_user_schedule(Recorder(NotFoundError("not found", status=404)), "ghost", 1)
    with pytest.raises(ValueError):
        _schedule.get_team_schedule(client, TEAM["slug"], 31)


def test_a_user_schedule_keeps_that_users_shifts_only():
    body = {"teamSchedules": [team_schedule(policy(HIGH, WEEK, [override("bwong", "asmith", "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z")]))]}
    schedule = _schedule.get_user_schedule(Recorder(body), "asmith", 14)
    assert shifts(schedule) == [
        ("asmith", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", False),
        ("asmith", "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", True),
    ]
    with pytest.raises(UnexpectedResponseError, match="GET /api-public/v2/user/{username}/oncall/schedule: expected a list under 'teamSchedules'"):
        _schedule.get_user_schedule(Recorder({}), "asmith", 14)


def current_answer():
    """The normalised on-call-now answer: two teams, each with a policy named "Primary", and a team's default policy."""
    return {
        "team-Q2opsDemoTeam001": dict(name="Operations", team=dict(name="Operations", slug="team-Q2opsDemoTeam001"), users=["jdoe"]),
        "pol-Aaaaaaaaaaaaaaaa": dict(name="Primary", team=dict(name="Operations", slug="team-Q2opsDemoTeam001"), users=["asmith"]),
        "pol-Bbbbbbbbbbbbbbbb": dict(name="Primary", team=dict(name="Database", slug="team-Db4DemoTeamAb002"), users=["cnguyen"]),
    }


def test_terms_resolve_a_team_before_its_own_policies_and_refuse_an_ambiguous_name():
    client = Recorder(None)  # no read may be sent: everything is in the on-call answer
    found = _schedule.resolve_terms(client, ["Operations", "team-Q2opsDemoTeam001", "pol-Bbbbbbbbbbbbbbbb", "database"], current_answer())
    assert [(t["kind"], t["slug"]) for t in found] == [
        ("team", "team-Q2opsDemoTeam001"),
        ("team", "team-Q2opsDemoTeam001"),
        ("policy", "pol-Bbbbbbbbbbbbbbbb"),
        ("team", "team-Db4DemoTeamAb002"),
    ]
    assert client.requests == []
    with pytest.raises(OptionError, match=r"term 'primary' is ambiguous: it names policy pol-Aaaaaaaaaaaaaaaa, policy pol-Bbbbbbbbbbbbbbbb; give the slug"):
        _schedule.resolve_terms(client, ["primary"], current_answer())
