"""The logic of the role user_offboarding (plugin_utils/_offboarding.py) and what every role shares (_lifecycle.py)."""

import pytest

from ansible_collections.victorops.oncall.plugins.filter import lifecycle
from ansible_collections.victorops.oncall.plugins.filter import offboarding as filters

USERS = [{"username": name} for name in ("jdoe", "JDoe", "asmith", "bwong", "Carol")]
OPS = {"name": "Operations", "slug": "team-Q2opsDemoTeam001"}
DB = {"name": "Database", "slug": "team-Db4DemoTeamAb002"}


def test_input_problems_compare_usernames_exactly():
    people = [
        {"username": "jdoe", "replacement": "asmith"},
        {"username": "JDoe", "replacement": "asmith"},  # another user on a case-sensitive API
        {"username": "jdoe", "replacement": "bwong"},
        {"username": "bwong", "replacement": "bwong"},
        {"username": "x", "replacement": "JDoe"},
    ]
    assert filters.offboarding_input_problems(people) == [
        "username jdoe appears more than once",
        "jdoe: the replacement bwong is offboarded too; choose a replacement who stays",
        "bwong: the replacement must be another user",
        "x: the replacement JDoe is offboarded too; choose a replacement who stays",
    ]


@pytest.mark.parametrize("concurrency", [0, -1, "two", "", None, True, 1.5])
def test_a_bad_concurrency_is_an_input_problem_naming_the_setting(concurrency):
    [problem] = filters.offboarding_input_problems([{"username": "jdoe", "replacement": "asmith"}], concurrency)
    assert problem.startswith("user_offboarding_concurrency must be a whole number of 1 or more (how many are handled at once), got ")


@pytest.mark.parametrize("concurrency", [1, 4, "3"])
def test_a_whole_concurrency_of_one_or_more_is_no_problem(concurrency):
    assert filters.offboarding_input_problems([{"username": "jdoe", "replacement": "asmith"}], concurrency) == []


def test_an_exact_username_is_the_one_even_when_another_differs_in_case():
    [jane] = filters.offboarding_resolve([{"username": "JDoe", "replacement": "asmith"}], USERS, [])
    assert (jane["user"], jane["replacement_user"], jane["notes"], jane["problem"]) == ("JDoe", "asmith", [], None)
    [john] = filters.offboarding_resolve([{"username": "jdoe", "replacement": "asmith"}], USERS, [])
    assert john["user"] == "jdoe"


def test_one_match_in_another_case_stands_in_with_a_note_two_are_a_problem():
    [carol] = filters.offboarding_resolve([{"username": "carol", "replacement": "ASMITH"}], USERS, [])
    assert (carol["user"], carol["replacement_user"]) == ("Carol", "asmith")
    assert carol["notes"] == [
        "username 'carol' matched the username 'Carol', which differs only in case (the API answered it so)",
        "replacement 'ASMITH' matched the username 'asmith', which differs only in case (the API answered it so)",
    ]
    [ambiguous] = filters.offboarding_resolve([{"username": "JDOE", "replacement": "asmith"}], USERS, [])
    assert ambiguous["user"] is None
    assert "'JDOE' matches no username exactly and several in another case: JDoe, jdoe" in ambiguous["problem"]


def test_a_name_the_api_did_not_answer_for_names_nobody_even_beside_a_user_in_another_case():
    # JDoe has left; on a case-sensitive API a read of JDoe finds nobody, so user_info lists JDoe as missing. The
    # replacement jdoe is another person, read for the same task: JDoe must not be taken for him.
    [gone] = filters.offboarding_resolve([{"username": "JDoe", "replacement": "jdoe"}], [{"username": "jdoe"}], ["JDoe"])
    assert (gone["user"], gone["replacement_user"], gone["notes"], gone["problem"]) == (None, None, [], None)
    assert filters.offboarding_team_readers([gone]) == []
    [replacement_gone] = filters.offboarding_resolve(
        [{"username": "bwong", "replacement": "ASMITH"}], [{"username": "bwong"}, {"username": "asmith"}], ["ASMITH"]
    )
    assert (replacement_gone["user"], replacement_gone["replacement_user"]) == ("bwong", None)
    assert replacement_gone["problem"] == "replacement ASMITH is not a VictorOps user"


def test_an_unknown_or_self_replacement_is_a_problem_of_that_person():
    unknown, itself, gone = filters.offboarding_resolve(
        [{"username": "jdoe", "replacement": "ghost"}, {"username": "Carol", "replacement": "carol"}, {"username": "left", "replacement": "ghost"}],
        USERS,
        ["ghost", "left"],
    )
    assert unknown["problem"] == "replacement ghost is not a VictorOps user"
    assert itself["problem"] == "the replacement carol is Carol themself: choose another user"
    # Someone already gone is no change, whoever the replacement is.
    assert (gone["user"], gone["problem"]) == (None, None)


def test_the_plan_reads_the_teams_of_the_people_found_and_their_replacements():
    found = filters.offboarding_resolve([{"username": "JDoe", "replacement": "asmith"}, {"username": "left", "replacement": "bwong"}], USERS, [])
    assert filters.offboarding_team_readers(found) == ["JDoe", "asmith"]
    with_teams = [{"username": "JDoe", "teams": [OPS, DB]}, {"username": "asmith", "teams": [OPS]}]
    on_call = [{"policy": "pol-1", "name": "Ops", "users": ["jdoe"]}, {"policy": "pol-2", "name": "Db", "users": ["JDoe"]}]
    jane, left = filters.offboarding_plan(found, with_teams, on_call)
    assert jane["teams"] == [OPS, DB]
    # Only the shift Jane holds: John's is not hers.
    assert jane["policies"] == [{"policy": "pol-2", "name": "Db"}]
    assert jane["problem"] == (
        "replacement asmith is not a member of team Database, which the API hands the team duties of JDoe to: add asmith to it first,"
        " or choose a replacement who is in every team of JDoe"
    )
    assert (left["exists"], left["teams"], left["policies"]) == (False, [], [])


def plan_of():
    found = filters.offboarding_resolve([{"username": "jdoe", "replacement": "asmith"}], USERS, [])
    return filters.offboarding_plan(
        found, [{"username": "jdoe", "teams": [OPS]}, {"username": "asmith", "teams": [OPS]}], [{"policy": "p", "name": "Ops", "users": ["jdoe"]}]
    )[0]


def test_the_outcome_says_what_was_done_and_would_be():
    results = {
        "handover": {"results": [{"changed": True, "user_offboarding_policy": {"policy": "p"}}]},
        "teams": {"results": [{"changed": True, "user_offboarding_team": OPS}]},
        "user": {"changed": True},
    }
    entry = filters.offboarding_outcome(plan_of(), results)
    assert entry == {
        "username": "jdoe",
        "replacement": "asmith",
        "found": True,
        "notes": [],
        "status": "changed",
        "changed": ["handed the on-call shift of Ops to asmith", "left team Operations", "user removed"],
        "not_done": [],
        "failed": None,
        "error": None,
    }
    assert filters.offboarding_outcome(plan_of(), results, True)["changed"] == [
        "hand the on-call shift of Ops to asmith",
        "leave team Operations",
        "remove the user",
    ]


def test_a_failed_loop_gives_its_own_cause_and_kind_and_what_was_not_done():
    results = {
        "handover": {"results": [{"changed": True, "user_offboarding_policy": {"policy": "p"}}]},
        "teams": {"results": [{"failed": True, "msg": "HTTP 500", "error": "failed", "user_offboarding_team": OPS}]},
        "user": {},
    }
    failure = {
        "task": "Remove from their teams the user jdoe",
        "result": {"failed": True, "msg": "One or more items failed", "results": results["teams"]["results"]},
    }
    entry = filters.offboarding_outcome(plan_of(), results, False, failure)
    assert entry["status"] == "failed"
    assert entry["changed"] == ["handed the on-call shift of Ops to asmith"]
    assert entry["not_done"] == ["leave team Operations", "remove the user"]
    assert entry["failed"] == "Remove from their teams the user jdoe: HTTP 500"
    assert entry["error"] == "failed"


def test_not_attempted_lists_every_planned_step_or_everything():
    entry = filters.offboarding_outcome(plan_of(), not_attempted="jdoe failed: connection failed")
    assert entry["not_done"] == ["hand the on-call shift of Ops to asmith", "leave team Operations", "remove the user"]
    assert entry["status"] == "not attempted" and entry["failed"] == "jdoe failed: connection failed"
    raw = filters.offboarding_outcome({"username": "bwong", "replacement": "asmith"}, not_attempted="Find the people: refused")
    assert (raw["not_done"], raw["found"]) == (["everything"], None)


@pytest.mark.parametrize(
    "url, key, problems",
    [
        (None, None, 0),
        ("https://staging.example.com", "k", 0),
        (None, "k", 0),
        ("", None, 0),
        ("https://staging.example.com", None, 1),
        ("https://staging.example.com", "", 1),
    ],
)
def test_the_credentials_rule(url, key, problems):
    found = lifecycle.connection_problems(url, key)
    assert len(found) == problems
    assert all("victorops_api_url" in p and "victorops_api_key" in p for p in found)


def test_a_not_attempted_line_carries_the_first_cause_short_not_ansible_s_summary():
    cause = "GET http://127.0.0.1:9/api-public/v1/user/x: connection failed, request not sent: " + "x" * 600
    failure = {
        "task": "Add the team memberships of mid1",
        "result": {"failed": True, "msg": "One or more items failed", "results": [{"failed": True, "msg": cause, "error": "connection"}]},
    }
    reason = lifecycle.lifecycle_stop_reason(failure, "mid1")
    assert reason.startswith("mid1 failed: GET http://127.0.0.1:9/api-public/v1/user/x: connection failed")
    assert "One or more items failed" not in reason
    assert reason.endswith("…; fix the connection or credentials and run again")
    assert len(reason) < 300
    assert lifecycle.lifecycle_not_attempted(failure).startswith("Add the team memberships of mid1: GET http")


def cover_override(id, username, **assignments):
    return {
        "id": id,
        "username": username,
        "start": "2030-03-10T09:00:00Z",
        "end": "2030-03-17T09:00:00Z",
        "timezone": "UTC",
        "assignments": [{"policy": policy, "policy_name": policy, "team": "t", "replacement": who} for policy, who in sorted(assignments.items())],
    }


def test_the_absences_a_leaver_covers_go_to_their_replacement_or_stay_unassigned():
    found = filters.offboarding_resolve([{"username": "jdoe", "replacement": "asmith"}], USERS, [])
    overrides = [
        cover_override("ov-1", "bwong", ops="jdoe", db="Carol"),  # jdoe covers Operations only
        cover_override("ov-2", "asmith", ops="jdoe"),  # the replacement cannot cover their own absence
        cover_override("ov-3", "jdoe", ops="bwong"),  # jdoe's own absence: nothing to hand over
        cover_override("ov-4", "Carol", ops="JDoe"),  # another user
    ]
    [entry] = filters.offboarding_plan(found, [], [], overrides)
    assert [(c["id"], c["username"], c["assignments"], c["to"]) for c in entry["covers"]] == [
        ("ov-1", "bwong", [{"policy": "ops", "replacement": "asmith"}], "asmith"),
        ("ov-2", "asmith", [{"policy": "ops", "replacement": None}], None),
    ]
    results = {"covers": {"results": [{"changed": True, "user_offboarding_cover": {"id": "ov-1"}}, {"failed": True, "user_offboarding_cover": {"id": "ov-2"}}]}}
    failure = {"task": "Hand over", "result": {"failed": True, "msg": "boom"}}
    report = filters.offboarding_outcome(entry, results, False, failure)
    assert report["changed"] == ["handed the cover of bwong from 2030-03-10T09:00:00Z to 2030-03-17T09:00:00Z to asmith"]
    assert report["not_done"] == ["hand the cover of asmith from 2030-03-10T09:00:00Z to 2030-03-17T09:00:00Z as unassigned", "remove the user"]


def test_a_person_not_found_covers_nothing():
    found = filters.offboarding_resolve([{"username": "gone", "replacement": "asmith"}], USERS, ["gone"])
    assert filters.offboarding_plan(found, [], [], [cover_override("ov-1", "bwong", ops="gone")])[0]["covers"] == []


def test_the_absence_of_someone_who_leaves_in_the_same_run_needs_no_cover():
    # jdoe covers bwong's absence and bwong covers jdoe's, and both leave: in lanes the two may be done in either order.
    found = filters.offboarding_resolve([{"username": "jdoe", "replacement": "asmith"}, {"username": "bwong", "replacement": "asmith"}], USERS, [])
    overrides = [cover_override("ov-1", "bwong", ops="jdoe"), cover_override("ov-2", "Carol", ops="jdoe"), cover_override("ov-3", "jdoe", db="bwong")]
    jdoe, bwong = filters.offboarding_plan(found, [], [], overrides)
    assert [c["id"] for c in jdoe["covers"]] == ["ov-2"]
    assert bwong["covers"] == []
    period = "from 2030-03-10T09:00:00Z to 2030-03-17T09:00:00Z"
    assert jdoe["notes"] == ["the cover of bwong %s is not handed over: bwong leaves in this run too" % period]
    assert bwong["notes"] == ["the cover of jdoe %s is not handed over: jdoe leaves in this run too" % period]
    assert filters.offboarding_outcome(jdoe, {}, True)["notes"] == jdoe["notes"]
    # A leaver whose own offboarding cannot be done stays: their absence is still covered.
    found = filters.offboarding_resolve([{"username": "jdoe", "replacement": "asmith"}, {"username": "bwong", "replacement": "bwong"}], USERS, [])
    jdoe, _bwong = filters.offboarding_plan(found, [], [], overrides)
    assert [c["id"] for c in jdoe["covers"]] == ["ov-1", "ov-2"] and jdoe["notes"] == []
