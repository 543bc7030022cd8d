"""victorops_team in process against the emulator: the four-step check-mode test, diff, every refusal, call counts."""

import json

import pytest

OPS = "team-Q2opsDemoTeam001"
DB = "team-Db4DemoTeamAb002"


@pytest.fixture
def team(run_module):
    def run(check_mode=False, diff=True, **options):
        return run_module("victorops_team", check_mode=check_mode, diff=diff, **options)

    return run


def ops(result):
    return result["api"]["operations"]


def by_name(emulator, name):
    return [t for t in emulator.state["teams"].values() if t["name"] == name]


def four_steps(team, emulator, **options):
    """Check mode predicts and sends no write; the run writes; check mode and a run again change nothing."""
    writes = len(emulator.writes())
    predicted = team(check_mode=True, **options)
    assert predicted["changed"] is True, predicted
    assert len(emulator.writes()) == writes, "check mode sent a write"
    first = team(**options)
    assert first["changed"] is True, first
    assert len(emulator.writes()) > writes
    writes = len(emulator.writes())
    checked = team(check_mode=True, **options)
    assert checked["changed"] is False, checked
    again = team(**options)
    assert again["changed"] is False and again["api"]["writes"] == 0, again
    assert len(emulator.writes()) == writes
    return predicted, first, again


def test_create_with_members_four_steps(team, emulator):
    predicted, first, again = four_steps(team, emulator, name="Platform", members=["cnguyen", "bwong", "cnguyen"])
    assert ops(predicted) == {"list_teams": 1}
    assert predicted["team"] == {"slug": None, "name": "Platform", "members": ["cnguyen", "bwong"]}
    assert ops(first) == {"list_teams": 1, "create_team": 1, "add_team_member": 2}  # fewest possible: N + 2
    (created,) = by_name(emulator, "Platform")
    assert created["members"] == ["cnguyen", "bwong"]
    assert first["team"] == {"slug": created["slug"], "name": "Platform", "members": ["cnguyen", "bwong"]}
    assert first["added"] == ["cnguyen", "bwong"] and first["removed"] == []
    assert json.loads(first["diff"]["before"]) == {} and json.loads(first["diff"]["after"]) == first["team"]
    assert ops(again) == {"list_teams": 1, "list_team_members": 1}  # fewest possible for a check: 2
    assert again["team"] == first["team"]
    assert [(e["method"], e["body"]) for e in emulator.writes()] == [
        ("POST", {"name": "Platform"}),
        ("POST", {"username": "cnguyen"}),
        ("POST", {"username": "bwong"}),
    ]


def test_add_keeps_members_added_elsewhere_and_purge_removes_them(team, emulator):
    kept = team(name="Database", members=["bwong"])
    assert kept["changed"] is True and kept["removed"] == []
    assert emulator.state["teams"][DB]["members"] == ["asmith", "cnguyen", "bwong"]
    assert ops(kept) == {"list_teams": 1, "list_team_members": 1, "add_team_member": 1}
    emulator.clear_log()
    purged = four_steps(team, emulator, name="Database", members=["bwong", "jdoe"], purge_members=True, replacement="jdoe")[1]
    assert purged["added"] == ["jdoe"] and purged["removed"] == ["asmith", "cnguyen"]
    assert ops(purged) == {"list_teams": 1, "list_team_members": 1, "add_team_member": 1, "remove_team_member": 2}
    assert emulator.state["teams"][DB]["members"] == ["bwong", "jdoe"]
    assert json.loads(purged["diff"]["before"])["members"] == ["asmith", "cnguyen", "bwong"]
    removals = [e for e in emulator.writes() if e["method"] == "DELETE"]
    assert [(e["path"].rpartition("/")[2], e["body"]) for e in removals] == [("asmith", {"replacement": "jdoe"}), ("cnguyen", {"replacement": "jdoe"})]


def test_rename_by_slug(team, emulator):
    predicted, first, again = four_steps(team, emulator, slug=DB, name="Databases")
    assert predicted["team"] == {"slug": DB, "name": "Databases", "members": ["asmith", "cnguyen"]}
    assert ops(first) == {"list_teams": 1, "rename_team": 1, "list_team_members": 1}  # fewest possible: 3
    assert emulator.state["teams"][DB]["name"] == "Databases"
    assert ops(again) == {"list_teams": 1, "list_team_members": 1}
    assert emulator.writes()[-1]["body"] == {"name": "Databases"}


def test_remove_an_empty_team(team, emulator):
    slug = team(name="Platform")["team"]["slug"]
    emulator.clear_log()
    predicted, first, again = four_steps(team, emulator, name="Platform", state="absent")
    assert predicted["team"] == {} and json.loads(predicted["diff"]["before"]) == {"slug": slug, "name": "Platform", "members": []}
    assert ops(first) == {"list_teams": 1, "list_team_members": 1, "list_team_policies": 1, "delete_team": 1}  # fewest that are safe: 4
    assert slug not in emulator.state["teams"]
    assert ops(again) == {"list_teams": 1}


def test_remove_a_team_with_members_only_with_purge(team, emulator):
    slug = team(name="Platform", members=["bwong", "cnguyen"])["team"]["slug"]
    emulator.clear_log()
    refused = team(name="Platform", state="absent")
    assert refused["failed"] and refused["error"] == "option"
    assert refused["msg"] == (
        "team 'Platform' (%s) still has the members bwong, cnguyen: it is not removed; set purge_members to remove them first (with a replacement)" % slug
    )
    assert emulator.writes() == [] and emulator.state["teams"][slug]["members"] == ["bwong", "cnguyen"]
    no_replacement = team(name="Platform", state="absent", purge_members=True)
    assert no_replacement["failed"] and no_replacement["msg"].startswith("replacement is required to remove the members bwong, cnguyen")
    removed = team(name="Platform", state="absent", purge_members=True, replacement="jdoe")
    assert removed["changed"] and removed["removed"] == ["bwong", "cnguyen"]
    assert ops(removed) == {"list_teams": 1, "list_team_members": 1, "list_team_policies": 1, "remove_team_member": 2, "delete_team": 1}
    assert slug not in emulator.state["teams"]


@pytest.mark.emulator(variants=["team-delete-with-members"])
def test_members_are_never_removed_as_a_side_effect_even_where_the_api_would(team, emulator):
    slug = team(name="Platform", members=["bwong"])["team"]["slug"]
    refused = team(name="Platform", state="absent")
    assert refused["failed"] and "still has the members bwong" in refused["msg"]
    assert emulator.state["teams"][slug]["members"] == ["bwong"]


def test_a_team_with_policies_is_left_as_it_was(team, emulator):
    emulator.clear_log()
    refused = team(slug=OPS, state="absent", purge_members=True, replacement="cnguyen")
    assert refused["failed"] and refused["error"] == "option"
    assert "owns the escalation policies Operations (%s), Operations High Severity (pol-Hs7opsDemoPol001)" % OPS in refused["msg"]
    assert emulator.writes() == [] and emulator.state["teams"][OPS]["members"] == ["jdoe", "asmith", "bwong"]


def test_a_team_that_owns_policies_is_not_removed_even_without_members(team, emulator):
    # No members left: the policies are read all the same, and the team is left as it was, before any write.
    for member in ("asmith", "cnguyen"):
        emulator.state["teams"][DB]["members"].remove(member)
    emulator.clear_log()
    refused = team(slug=DB, state="absent")
    assert refused["failed"] and refused["error"] == "option"
    assert refused["msg"].startswith("team 'Database' (%s) owns the escalation policies " % DB), refused["msg"]
    assert refused["msg"].endswith("removing it would fail or take them with it; nothing was changed")
    assert emulator.writes() == [] and DB in emulator.state["teams"]


def test_a_failed_member_add_names_what_was_applied(team, emulator):
    failed = team(name="Platform", members=["bwong", "nosuchuser"])
    assert failed["failed"] and failed["error"] == "option"
    assert "Applied: create team 'Platform'; add member bwong." in failed["msg"], failed["msg"]
    assert "username 'nosuchuser' could not be added" in failed["msg"]
    assert failed["plan"] == ["create team 'Platform'", "add member bwong"]


@pytest.mark.parametrize("emulator", [{}, {"variants": ["case-insensitive-teams"]}], indirect=True)
def test_a_name_in_another_case_finds_the_team_on_either_api(team, emulator):
    result = team(name="OPERATIONS", members=["jdoe"])
    assert result["changed"] is False and result["team"]["slug"] == OPS and result["team"]["name"] == "Operations"
    assert result["notes"] == ["name 'OPERATIONS' matched the team 'Operations' (%s), whose name differs only in case; it is not renamed" % OPS]
    assert emulator.writes() == [] and len(emulator.state["teams"]) == 2


def test_two_teams_in_another_case_are_ambiguous(team, emulator):
    # A name that differs in case alone finds the team, so the second team comes from a rename (the default API allows it).
    slug = team(name="Platform")["team"]["slug"]
    assert team(slug=slug, name="operations")["changed"] is True
    emulator.clear_log()
    result = team(name="OPERATIONS")
    assert result["failed"] and result["msg"] == "name 'OPERATIONS' is ambiguous: it matches in case alone the teams %s, %s; give the slug instead" % tuple(
        sorted([OPS, slug])
    )
    assert team(name="operations")["team"]["slug"] == slug  # the exact name still wins
    assert emulator.writes() == []


@pytest.mark.emulator(variants=["case-insensitive-users"])
def test_a_member_in_another_case_is_the_same_user_when_the_api_says_so(team, emulator):
    result = team(name="Database", members=["CNguyen", "asmith"], purge_members=True, replacement="jdoe")
    assert result["changed"] is False and result["team"]["members"] == ["asmith", "cnguyen"]
    assert result["notes"] == ["members 'CNguyen' matched the username 'cnguyen', which differs only in case (the API answered it so)"]
    assert ops(result) == {"list_teams": 1, "list_team_members": 1, "get_user": 1}


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(slug="team-short"), "slug 'team-short' is not a team slug: team- followed by 16 letters, digits or '_', as the API shows it"),
        (dict(slug="team-NoSuchTeam000000"), "slug 'team-NoSuchTeam000000': no team has that slug (a new team's slug is chosen by the API"),
        (dict(slug=DB, name="Operations"), "name 'Operations' is already the name of team %s: the team %s is not renamed" % (OPS, DB)),
        (dict(name="Database", members=[], purge_members=True), "replacement is required to remove the members asmith, cnguyen"),
        (dict(name="Database", members=["asmith"], purge_members=True, replacement="cnguyen"), "replacement 'cnguyen' is one of the members to remove"),
        (dict(name="Database", members=["bad name"]), "members 'bad name' is not a valid username"),
        (dict(name="  "), "name must not be empty"),
        (dict(members=["jdoe"]), "one of the following is required: name, slug"),
    ],
)
def test_bad_input_fails_before_any_write(team, emulator, options, message):
    result = team(**options)
    assert result["failed"] and result["msg"].startswith(message), result["msg"]
    assert emulator.writes() == []
    assert [t["members"] for t in emulator.state["teams"].values()] == [["jdoe", "asmith", "bwong"], ["asmith", "cnguyen"]]


@pytest.mark.emulator(variants=["case-insensitive-teams"])
def test_a_rename_the_api_refuses_is_named(team, emulator):
    created = team(name="Platform")["team"]["slug"]
    result = team(slug=created, name="DATABASE")
    assert result["failed"] and result["error"] == "option"
    assert "name 'DATABASE': the API refused to rename team %r" % created in result["msg"], result["msg"]
    assert emulator.state["teams"][created]["name"] == "Platform"


def test_absent_team_is_no_change(team, emulator):
    result = team(name="Nobody", state="absent", diff=False)
    assert result["changed"] is False and result["team"] == {} and ops(result) == {"list_teams": 1}


@pytest.mark.emulator(variants=["late-writes"], late_write_delay=0.3)
def test_an_uncertain_create_is_confirmed_by_the_team_list_never_sent_twice(team, emulator):
    # Every first write answers 504 and lands later: the create is settled by listing the teams, the member add
    # (resend-safe) by being sent again.
    result = team(name="Platform", members=["bwong"])
    emulator.settle()
    assert result["changed"] is True, result
    (created,) = by_name(emulator, "Platform")
    assert result["team"] == {"slug": created["slug"], "name": "Platform", "members": ["bwong"]}
    assert created["members"] == ["bwong"]
    assert len(emulator.calls(method="POST", path="/api-public/v1/team")) == 1
    assert result["api"]["operations"]["list_teams"] >= 2


def test_a_create_answered_without_a_slug_is_settled_by_the_team_list(team, emulator):
    # The answer names no team; the list shows none was made: the task fails saying so, after one POST.
    emulator.inject("POST", "/api-public/v1/team", "missing-keys")
    result = team(name="Platform")
    assert result["failed"] and "the team has no slug" in result["msg"], result
    assert by_name(emulator, "Platform") == []
    assert len(emulator.calls(method="POST", path="/api-public/v1/team")) == 1
    assert ops(result)["list_teams"] == 2  # the team's lookup, then the settling read
