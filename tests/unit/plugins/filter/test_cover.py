"""The logic of the role oncall_cover (plugin_utils/_cover.py): checks before any call, the plan, exclusive, the report."""

from ansible_collections.victorops.oncall.plugins.filter import cover as filters

NOW = "2030-03-01T00:00:00Z"
USERS = [{"username": name} for name in ("jdoe", "asmith", "bwong", "Carol")]
OPS = dict(policy="pol-ops", policy_name="Operations", team="team-ops")
DB = dict(policy="pol-db", policy_name="Database", team="team-db")


def absence(**given):
    return dict(dict(username="jdoe", start="2030-03-10T09:00:00Z", end="2030-03-17T09:00:00Z", timezone="UTC", replacement="asmith"), **given)


def override(id="ov-1", username="jdoe", start="2030-03-10T09:00:00Z", end="2030-03-17T09:00:00Z", ops="asmith", db="asmith"):
    return dict(
        id=id,
        username=username,
        start=start,
        end=end,
        timezone="UTC",
        assignments=[dict(DB, replacement=db), dict(OPS, replacement=ops)],
    )


def problems(*absences):
    return filters.cover_input_problems(list(absences), NOW)


def test_a_valid_absence_has_no_problem_and_either_cover_form_is_accepted():
    assert problems(absence()) == []
    assert problems(absence(replacement=None, assignments=[{"policy": "Operations", "replacement": "bwong"}, {"policy": "pol-db"}])) == []
    # An empty list is the explicit "leave every policy unassigned".
    assert problems(absence(replacement=None, assignments=[])) == []


def test_both_or_neither_of_replacement_and_assignments_is_refused():
    assert problems(absence(assignments=[])) == ["absence 1 (jdoe): give replacement or assignments, not both"]
    assert problems(absence(replacement=None)) == ["absence 1 (jdoe): give replacement, or assignments (an empty list leaves every policy unassigned)"]


def test_the_replacement_must_be_another_user():
    assert problems(absence(replacement="jdoe")) == ["absence 1 (jdoe): the replacement must be another user"]
    assert problems(absence(replacement=None, assignments=[{"policy": "ops", "replacement": "jdoe"}, {"policy": "ops"}])) == [
        "absence 1 (jdoe): assignments: the replacement for ops must be another user",
        "absence 1 (jdoe): assignments: policy ops appears more than once",
    ]


def test_end_must_be_after_start_and_the_absence_not_over():
    assert problems(absence(end="2030-03-10T09:00:00Z")) == ["absence 1 (jdoe): end 2030-03-10T09:00:00Z is not after start 2030-03-10T09:00:00Z"]
    assert problems(absence(start="2030-02-01T09:00:00Z", end="2030-02-10T09:00:00Z")) == [
        "absence 1 (jdoe): the absence is already over (end 2030-02-10T09:00:00Z); remove it from the input"
    ]


def test_an_absence_that_has_begun_but_not_ended_is_accepted():
    assert problems(absence(start="2030-02-25T09:00:00Z", end="2030-03-02T09:00:00Z")) == []


def test_bad_instants_and_timezones_name_the_option():
    [start] = problems(absence(start="next monday"))
    assert start.startswith("absence 1 (jdoe): start: ") and "ISO 8601" in start
    [zone] = problems(absence(timezone="Mars/Olympus"))
    assert zone.startswith("absence 1 (jdoe): timezone: ") and "Mars/Olympus" in zone
    [date_only] = problems(absence(end="2030-03-17"))
    assert date_only.startswith("absence 1 (jdoe): end: ")


def test_a_local_time_is_read_in_the_absence_timezone():
    entry = filters.cover_plan([absence(start="2030-03-10T09:00", end="2030-03-17T09:00", timezone="Europe/Paris")], USERS, [], [], now=NOW)["entries"][0]
    assert (entry["start"], entry["end"]) == ("2030-03-10T08:00:00Z", "2030-03-17T08:00:00Z")


def test_overlapping_absences_of_one_person_are_refused_touching_ones_are_not():
    second = absence(start="2030-03-16T09:00:00Z", end="2030-03-20T09:00:00Z")
    assert problems(absence(), second) == ["absence 2 (jdoe) overlaps absence 1 of the same person; merge them into one"]
    touching = absence(start="2030-03-17T09:00:00Z", end="2030-03-20T09:00:00Z")
    other_person = absence(username="bwong", start="2030-03-16T09:00:00Z", end="2030-03-20T09:00:00Z")
    assert problems(absence(), touching, other_person) == []


def test_the_users_read_once_are_the_people_and_every_replacement():
    absences = [absence(), absence(username="bwong", replacement=None, assignments=[{"policy": "a", "replacement": "Carol"}, {"policy": "b"}])]
    assert filters.cover_usernames(absences) == ["jdoe", "bwong", "asmith", "Carol"]


def plan(absences, overrides=(), exclusive=False, users=USERS, missing=()):
    return filters.cover_plan(list(absences), users, list(missing), list(overrides), exclusive, NOW)


def test_an_unknown_person_or_replacement_is_a_problem_before_any_write():
    result = plan([absence(username="nobody"), absence(username="bwong", replacement="ghost")], missing=["nobody", "ghost"])
    assert result["problems"] == [
        "nobody from 2030-03-10T09:00:00Z to 2030-03-17T09:00:00Z: username nobody is not a VictorOps user",
        "bwong from 2030-03-10T09:00:00Z to 2030-03-17T09:00:00Z: replacement ghost is not a VictorOps user",
    ]


def test_a_name_differing_in_case_alone_stands_in_with_a_note():
    [entry] = plan([absence(replacement="carol")])["entries"]
    assert entry["replacement"] == "Carol" and entry["problem"] is None
    assert entry["notes"] and "Carol" in entry["notes"][0]


def test_a_new_absence_is_created_and_an_existing_one_as_wanted_is_left_alone():
    [new] = plan([absence()])["entries"]
    assert (new["action"], new["state"], new["user"], new["replacement"], new["replaces"]) == ("create", "present", "jdoe", "asmith", [])
    [same] = plan([absence()], [override()])["entries"]
    assert same["action"] == "none" and same["teams"] == ["team-db", "team-ops"]


def test_a_different_cover_is_an_update():
    [entry] = plan([absence()], [override(db=None)])["entries"]
    assert entry["action"] == "update"
    by_policy = absence(replacement=None, assignments=[{"policy": "operations", "replacement": "asmith"}])
    # Unlisted policies are left as they are; a policy name matches in any case when nothing matches exactly.
    assert plan([by_policy], [override(db=None)])["entries"][0]["action"] == "none"
    assert plan([by_policy], [override(ops="bwong")])["entries"][0]["action"] == "update"
    unassign = absence(replacement=None, assignments=[{"policy": "pol-db", "replacement": None}])
    assert plan([unassign], [override()])["entries"][0]["action"] == "update"


def test_a_policy_the_absence_does_not_have_is_a_problem_naming_its_policies():
    wrong = absence(replacement=None, assignments=[{"policy": "Network", "replacement": "asmith"}])
    result = plan([wrong], [override()])
    assert result["problems"] == [
        "jdoe from 2030-03-10T09:00:00Z to 2030-03-17T09:00:00Z: policy Network is not one of the policies of the absence (Database, Operations)"
    ]


def test_a_changed_period_replaces_the_overlapping_override_of_the_same_person_when_exclusive():
    old = override(end="2030-03-14T09:00:00Z")
    [entry] = plan([absence()], [old, override(id="ov-x", username="bwong")], exclusive=True)["entries"]
    assert entry["action"] == "create"
    assert entry["replaces"] == [
        dict(id="ov-1", username="jdoe", start=old["start"], end=old["end"], label="jdoe from 2030-03-10T09:00:00Z to 2030-03-14T09:00:00Z")
    ]


def test_without_exclusive_no_override_is_removed_not_even_one_a_new_period_overlaps():
    old = override(end="2030-03-14T09:00:00Z")
    [entry] = plan([absence()], [old])["entries"]
    assert (entry["action"], entry["replaces"]) == ("create", [])
    # An exact match wins: another override of the person inside the period is someone else's doing, never replaced.
    inside = override(id="ov-2", start="2030-03-12T09:00:00Z", end="2030-03-13T09:00:00Z")
    entries = plan([absence()], [override(), inside], exclusive=True)["entries"]
    assert [(e["action"], e["replaces"], e.get("id")) for e in entries] == [("none", [], None), ("remove", [], "ov-2")]


def test_exclusive_never_removes_an_override_under_way():
    under_way = override(id="ov-now", start="2030-02-27T09:00:00Z", end="2030-03-04T09:00:00Z")
    entries = plan([absence()], [override(), under_way], exclusive=True)["entries"]
    assert [(e["action"], e.get("id")) for e in entries] == [("none", None)]


def test_absences_of_one_person_spelt_in_two_cases_may_not_overlap():
    users = [{"username": "jdoe"}, {"username": "asmith"}]
    result = filters.cover_plan([absence(), absence(username="JDoe", start="2030-03-12T09:00:00Z")], users, [], [], False, NOW)
    assert [e["user"] for e in result["entries"]] == ["jdoe", "jdoe"]
    assert len(result["problems"]) == 1 and "overlaps jdoe from 2030-03-10T09:00:00Z" in result["problems"][0]


def test_a_policy_name_that_several_policies_of_the_absence_have_is_a_problem():
    twins = dict(override(), assignments=[dict(OPS, replacement="asmith"), dict(OPS, policy="pol-ops2", replacement="bwong")])
    wrong = absence(replacement=None, assignments=[{"policy": "Operations", "replacement": "asmith"}])
    assert plan([wrong], [twins])["problems"] == [
        "jdoe from 2030-03-10T09:00:00Z to 2030-03-17T09:00:00Z: policy Operations names several policies of the absence (pol-ops, pol-ops2): give the slug"
    ]


def test_exclusive_removes_the_listed_peoples_future_overrides_that_left_the_input():
    later = override(id="ov-2", start="2030-04-01T09:00:00Z", end="2030-04-02T09:00:00Z")
    past = override(id="ov-0", start="2030-01-01T09:00:00Z", end="2030-01-02T09:00:00Z")
    someone_else = override(id="ov-3", username="bwong", start="2030-04-01T09:00:00Z", end="2030-04-02T09:00:00Z")
    overrides = [override(), later, past, someone_else]
    assert [e["action"] for e in plan([absence()], overrides)["entries"]] == ["none"]
    entries = plan([absence()], overrides, exclusive=True)["entries"]
    assert [(e["action"], e.get("id"), e["state"]) for e in entries] == [("none", None, "present"), ("remove", "ov-2", "absent")]
    assert entries[1]["label"] == "jdoe from 2030-04-01T09:00:00Z to 2030-04-02T09:00:00Z"


def test_exclusive_does_not_remove_twice_what_a_changed_period_replaces():
    entries = plan([absence()], [override(end="2030-03-12T09:00:00Z")], exclusive=True)["entries"]
    assert [e["action"] for e in entries] == ["create"] and len(entries[0]["replaces"]) == 1


def module_result(changed=True, teams=("team-ops",), failed=False):
    result = dict(changed=changed, override=dict(assignments=[dict(team=t) for t in teams]))
    return dict(result, failed=True, msg="boom", error="validation") if failed else result


def test_the_report_says_what_was_done_and_what_would_be():
    [entry] = plan([absence()], [override(end="2030-03-12T09:00:00Z")], exclusive=True)["entries"]
    replaced = dict(results=[dict(changed=True, oncall_cover_replaced=entry["replaces"][0])])
    done = filters.cover_outcome(entry, dict(override=module_result(), replaced=replaced))
    assert done["status"] == "changed"
    assert done["changed"] == ["covered by asmith", "removed the override it replaces (jdoe from 2030-03-10T09:00:00Z to 2030-03-12T09:00:00Z)"]
    assert done["teams"] == ["team-db", "team-ops"]
    would = filters.cover_outcome(entry, dict(override=module_result(), replaced=replaced), True)
    assert would["status"] == "would change" and would["changed"][0] == "cover by asmith"
    assert filters.cover_report_lines([done])[0].startswith("jdoe from 2030-03-10T09:00:00Z to 2030-03-17T09:00:00Z: changed: covered by asmith")


def test_the_report_of_a_failure_and_of_nothing_to_do():
    [entry] = plan([absence(replacement=None, assignments=[{"policy": "pol-ops", "replacement": "bwong"}])])["entries"]
    failure = dict(task="Cover the absence", result=module_result(failed=True))
    failed = filters.cover_outcome(entry, dict(override=module_result(failed=True)), False, failure)
    assert (failed["status"], failed["failed"], failed["error"]) == ("failed", "Cover the absence: boom", "validation")
    assert failed["not_done"] == ["cover (pol-ops by bwong)"]
    [same] = plan([absence()], [override()])["entries"]
    assert filters.cover_outcome(same, {})["status"] == "no change"
    assert filters.cover_report_lines([filters.cover_outcome(same, {})]) == ["jdoe from 2030-03-10T09:00:00Z to 2030-03-17T09:00:00Z: no change"]


def test_not_attempted_and_removal_entries():
    entries = plan([absence(replacement=None, assignments=[])], [override(id="ov-2", start="2030-04-01T09:00:00Z", end="2030-04-02T09:00:00Z")], True)[
        "entries"
    ]
    skipped = filters.cover_outcome(entries[0], not_attempted="Read the overrides: refused")
    assert (skipped["status"], skipped["not_done"]) == ("not attempted", ["cover (every policy unassigned)"])
    removed = filters.cover_outcome(entries[1], dict(override=dict(changed=True)))
    assert removed["changed"] == ["removed the override, which is no longer in the input"]
    assert filters.cover_teams([removed, filters.cover_outcome(entries[0], dict(override=module_result(teams=["team-x"])))]) == [
        "team-db",
        "team-ops",
        "team-x",
    ]


def test_a_yaml_timestamp_is_read_as_the_instant_it_is():
    import datetime

    start = datetime.datetime(2030, 3, 10, 9, 0, tzinfo=datetime.UTC)
    assert problems(absence(start=start)) == []
    assert plan([absence(start=start)])["entries"][0]["start"] == "2030-03-10T09:00:00Z"


def test_policy_names_are_read_only_when_an_absence_names_a_policy_by_name():
    assert filters.cover_needs_policy_names([absence()]) is False
    assert filters.cover_needs_policy_names([absence(replacement=None, assignments=[{"policy": "pol-Hs7opsDemoPol001"}])]) is False
    assert filters.cover_needs_policy_names([absence(replacement=None, assignments=[{"policy": "Operations"}])]) is True


def test_overrides_read_without_policy_names_are_named_from_the_policies():
    bare = override()
    bare["assignments"] = [dict(a, policy_name=None) for a in bare["assignments"]]
    by_name = absence(replacement=None, assignments=[{"policy": "Operations", "replacement": "asmith"}])
    assert plan([by_name], [bare])["problems"][0].endswith("policy Operations is not one of the policies of the absence (pol-db, pol-ops)")
    policies = [{"name": "Operations", "slug": "pol-ops"}, {"name": "Database", "slug": "pol-db"}]
    result = filters.cover_plan([by_name], USERS, [], [bare], False, NOW, policies)
    assert result["problems"] == [] and result["entries"][0]["action"] == "none"


def test_every_filter_is_documented():
    from pathlib import Path

    documented = {path.stem for path in Path(filters.__file__).parent.glob("*.yml")}
    assert set(filters.FilterModule().filters()) <= documented


def test_a_policy_named_once_is_handed_to_the_module_by_its_slug():
    policies = [{"name": "Operations", "slug": "pol-ops"}, {"name": "Shared", "slug": "pol-a"}, {"name": "Shared", "slug": "pol-b"}]
    given = [{"policy": "operations", "replacement": "asmith"}, {"policy": "Shared"}, {"policy": "Unknown"}]
    [entry] = filters.cover_plan([absence(replacement=None, assignments=given)], USERS, [], [], False, NOW, policies)["entries"]
    # A name two teams share stays a name: the module resolves it among the absence's own policies.
    assert [item["policy"] for item in entry["assignments"]] == ["pol-ops", "Shared", "Unknown"]
    assert filters.cover_outcome(entry, {})["not_done"] == []
    assert entry["cover_text"] == "(operations by asmith)"


def test_a_bad_concurrency_is_a_problem_naming_the_setting():
    assert filters.cover_concurrency_problems(4) == filters.cover_concurrency_problems("1") == []
    for bad in (0, -1, "two", None, True):
        [message] = filters.cover_concurrency_problems(bad)
        assert message.startswith("oncall_cover_concurrency must be a whole number of 1 or more")


def _lanes(entries, concurrency):
    return [(lane["host"], lane["positions"], lane.get("group")) for lane in filters.cover_lanes(entries, concurrency, "localhost")]


def test_the_absences_are_dealt_into_lanes_and_the_removals_come_after_them_in_a_lane_of_their_own():
    absences = [absence(username=name, replacement="Carol" if name != "Carol" else "jdoe") for name in ("jdoe", "asmith", "bwong", "Carol")]
    entries = plan(absences, [override(id="ov-9", username="asmith", start="2030-04-01T09:00:00Z", end="2030-04-02T09:00:00Z")], True)["entries"]
    assert [e["action"] for e in entries] == ["create"] * 4 + ["remove"]
    assert _lanes(entries, 2) == [
        ("localhost", [0], None),
        ("oncall_cover_lane_1", [1, 3], "oncall_cover_lanes"),
        ("oncall_cover_lane_2", [2], "oncall_cover_lanes"),
        ("oncall_cover_lane_removals", [4], "oncall_cover_removals"),
    ]
    lanes = filters.cover_lanes(entries, 2, "localhost")
    assert [e["id"] for e in lanes[-1]["members"]] == ["ov-9"]
    # One after another: a single lane on the controller's host, the removals last, as the plan orders them.
    assert _lanes(entries, 1) == [("localhost", [0, 1, 2, 3, 4], None)]
    # A single absence needs no other lane: its removals follow it on the same host.
    assert _lanes(entries[:1] + entries[4:], 4) == [("localhost", [0, 1], None)]
    assert _lanes(entries[:4], 8) == [("localhost", [0], None)] + [("oncall_cover_lane_%d" % n, [n], "oncall_cover_lanes") for n in (1, 2, 3)]
    assert filters.cover_lanes([], 4) == []


def test_lanes_refuse_a_bad_concurrency_before_dealing():
    import pytest

    with pytest.raises(ValueError, match="oncall_cover_concurrency must be a whole number"):
        filters.cover_lanes([absence()], 0)


def test_an_override_two_changed_absences_overlap_is_removed_by_the_first_alone():
    # Split in two: both new periods overlap the old one; only the first removes it, so lanes never remove it twice.
    old = override(id="ov-1", start="2030-03-10T09:00:00Z", end="2030-03-20T09:00:00Z")
    first, second = absence(end="2030-03-12T09:00:00Z"), absence(start="2030-03-15T09:00:00Z", end="2030-03-20T09:00:00Z")
    entries = plan([first, second], [old], exclusive=True)["entries"]
    assert [(e["action"], [r["id"] for r in e["replaces"]]) for e in entries] == [("create", ["ov-1"]), ("create", [])]
