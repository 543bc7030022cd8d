"""victorops.oncall.victorops_team_member run in process against the emulator (default seed): the four-step check-mode test,
refusals and uncertain writes, with the exact requests."""

import copy

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import diff_of


OPS = "team-Q2opsDemoTeam001"
DB = "team-Db4DemoTeamAb002"
GET_TEAMS = "GET /api-public/v1/team"
GET_MEMBERS = "GET /api-public/v1/team/{team}/members"
POST_MEMBER = "POST /api-public/v1/team/{team}/members"
DELETE_MEMBER = "DELETE /api-public/v1/team/{team}/members/{user}"

ADD = """
- name: add by slug
  victorops.oncall.victorops_team_member:
    team: team-Q2opsDemoTeam001
    username: cnguyen
- name: add by name
  victorops.oncall.victorops_team_member:
    team: database
    username: bwong
"""

REMOVE = """
- name: remove
  victorops.oncall.victorops_team_member:
    team: team-Q2opsDemoTeam001
    username: asmith
    state: absent
    replacement: jdoe
"""


def failure(run, task):
    """The result of ``task``, which must have failed."""
    assert run.status(task) == "failed", run
    return run.result(task)


def operations(emulator):
    return [entry["operation"] for entry in emulator.calls()]


def members(emulator, slug):
    return list(emulator.state["teams"][slug]["members"])


def test_add_check_run_check_run(emulator, run_tasks):
    seeded = copy.deepcopy(emulator.state)

    # 1. check mode: both predicted, no write; the name costs one read of the team list.
    run = run_tasks(ADD, check=True, diff=True)
    assert run.rc == 0, run
    by_slug, by_name = run.result("add by slug"), run.result("add by name")
    assert by_slug["changed"] is True
    assert by_slug["team_member"] == {"team": OPS, "username": "cnguyen", "member": True}
    assert diff_of(by_slug) == {"before": {"team": OPS, "username": "cnguyen", "member": False}, "after": {"team": OPS, "username": "cnguyen", "member": True}}
    assert by_slug["api"]["calls"] == 1  # fewest possible: the members read
    assert by_name["changed"] is True
    assert by_name["team_member"] == {"team": DB, "username": "bwong", "member": True}
    assert by_name["api"]["calls"] == 2  # fewest possible for a name: team list + members read
    assert operations(emulator) == [GET_MEMBERS, GET_TEAMS, GET_MEMBERS]
    assert emulator.writes() == []
    assert emulator.state == seeded

    # 2. real run: one POST each with the exact body.
    emulator.clear_log()
    run = run_tasks(ADD)
    assert run.rc == 0, run
    assert run.result("add by slug")["changed"] is True
    assert run.result("add by slug")["api"]["calls"] == 2  # fewest possible: read + add
    assert run.result("add by name")["changed"] is True
    assert run.result("add by name")["api"]["calls"] == 3  # fewest possible for a name: list + read + add
    assert operations(emulator) == [GET_MEMBERS, POST_MEMBER, GET_TEAMS, GET_MEMBERS, POST_MEMBER]
    add_cnguyen, add_bwong = emulator.writes()
    assert add_cnguyen["path"] == "/api-public/v1/team/%s/members" % OPS
    assert add_cnguyen["body"] == {"username": "cnguyen"}
    assert add_bwong["path"] == "/api-public/v1/team/%s/members" % DB
    assert add_bwong["body"] == {"username": "bwong"}
    assert members(emulator, OPS) == ["jdoe", "asmith", "bwong", "cnguyen"]
    assert members(emulator, DB) == ["asmith", "cnguyen", "bwong"]

    # 3. check mode again: nothing to do.
    emulator.clear_log()
    run = run_tasks(ADD, check=True)
    assert run.result("add by slug")["changed"] is False
    assert run.result("add by name")["changed"] is False
    assert operations(emulator) == [GET_MEMBERS, GET_TEAMS, GET_MEMBERS]  # fewest possible

    # 4. real run again: no write.
    emulator.clear_log()
    run = run_tasks(ADD)
    assert run.result("add by slug")["changed"] is False
    assert run.result("add by name")["team_member"] == {"team": DB, "username": "bwong", "member": True}
    assert emulator.writes() == []
    assert len(emulator.calls()) == 3
    assert members(emulator, OPS) == ["jdoe", "asmith", "bwong", "cnguyen"]


def test_remove_check_run_check_run(emulator, run_tasks):
    seeded = copy.deepcopy(emulator.state)

    # 1. check mode: predicted, no write.
    run = run_tasks(REMOVE, check=True, diff=True)
    assert run.rc == 0, run
    result = run.result("remove")
    assert result["changed"] is True
    assert result["team_member"] == {"team": OPS, "username": "asmith", "member": False}
    assert diff_of(result) == {"before": {"team": OPS, "username": "asmith", "member": True}, "after": {"team": OPS, "username": "asmith", "member": False}}
    assert result["api"]["calls"] == 1  # fewest possible: the members read
    assert emulator.writes() == []
    assert emulator.state == seeded

    # 2. real run: one DELETE with the replacement; the replacement takes asmith's on-call place in the team.
    emulator.clear_log()
    run = run_tasks(REMOVE)
    assert run.rc == 0, run
    result = run.result("remove")
    assert result["changed"] is True
    assert result["api"]["calls"] == 2  # fewest possible: read + delete
    assert operations(emulator) == [GET_MEMBERS, DELETE_MEMBER]
    (delete,) = emulator.writes()
    assert delete["path"] == "/api-public/v1/team/%s/members/asmith" % OPS
    assert delete["body"] == {"replacement": "jdoe"}
    assert members(emulator, OPS) == ["jdoe", "bwong"]
    assert members(emulator, DB) == ["asmith", "cnguyen"]
    assert emulator.state["oncall"]["pol-Hs7opsDemoPol001"] == ["jdoe"]

    # 3. check mode again: nothing to do.
    emulator.clear_log()
    run = run_tasks(REMOVE, check=True)
    assert run.result("remove")["changed"] is False
    assert run.result("remove")["api"]["calls"] == 1  # fewest possible: the read
    assert emulator.writes() == []

    # 4. real run again: no write.
    emulator.clear_log()
    run = run_tasks(REMOVE)
    assert run.result("remove")["changed"] is False
    assert run.result("remove")["team_member"] == {"team": OPS, "username": "asmith", "member": False}
    assert run.result("remove")["api"]["calls"] == 1  # fewest possible: the read
    assert emulator.writes() == []


def test_bad_input_fails_clearly_without_writing(emulator, run_tasks):
    seeded = copy.deepcopy(emulator.state)
    run = run_tasks("""
    - name: unknown team name
      victorops.oncall.victorops_team_member:
        team: Marketing
        username: jdoe
      ignore_errors: true
    - name: unknown team slug
      victorops.oncall.victorops_team_member:
        team: team-NoSuchTeam000000
        username: jdoe
      ignore_errors: true
    - name: absent without replacement
      victorops.oncall.victorops_team_member:
        team: team-Q2opsDemoTeam001
        username: jdoe
        state: absent
      ignore_errors: true
    - name: replacement is the user
      victorops.oncall.victorops_team_member:
        team: team-Q2opsDemoTeam001
        username: jdoe
        state: absent
        replacement: jdoe
      ignore_errors: true
    - name: empty username
      victorops.oncall.victorops_team_member:
        team: team-Q2opsDemoTeam001
        username: ""
      ignore_errors: true
    """)
    assert run.rc == 0, run
    result = failure(run, "unknown team name")
    assert result["msg"] == (
        "team 'Marketing': no team has that name or slug; known teams: Operations (team-Q2opsDemoTeam001), Database (team-Db4DemoTeamAb002)"
    )
    assert result["api"]["calls"] == 1  # the team list
    result = failure(run, "unknown team slug")
    assert result["msg"] == "team 'team-NoSuchTeam000000': the API knows no such team"
    assert result["api"]["calls"] == 1  # the members read (404)
    # The replacement is optional; an API that insists on one refuses the removal, and the message says what to set.
    result = failure(run, "absent without replacement")
    assert result["msg"].startswith("username 'jdoe' could not be removed from team 'team-Q2opsDemoTeam001': DELETE ")
    assert "A replacement user is required" in result["msg"]
    assert result["msg"].endswith("set replacement to a member who takes over the shifts")
    assert result["api"]["operations"] == {"list_team_members": 1, "remove_team_member": 1}
    assert failure(run, "replacement is the user")["msg"] == "replacement must be another user than username 'jdoe'"
    assert failure(run, "empty username")["msg"] == "username must not be empty"
    for task in ("replacement is the user", "empty username"):
        assert failure(run, task)["api"]["calls"] == 0
    # The unknown team name's team list, the unknown slug's members read, the read and refused removal without a replacement.
    assert operations(emulator) == [GET_TEAMS, GET_MEMBERS, GET_MEMBERS, DELETE_MEMBER]
    assert [e["status"] for e in emulator.calls(method="DELETE")] == [422]
    assert emulator.state == seeded


def test_ambiguous_add_converges_with_the_member_once(emulator, run_tasks):
    # An add is addressed by the member's name, so sending it again cannot change anything else: the client may re-send
    # it (the API then answers that the user is a member already) and confirms it by reading the members.
    emulator.inject("POST", "/api-public/v1/team/%s/members" % OPS, "apply-then-502")
    run = run_tasks(ADD)
    assert run.rc == 0, run
    result = run.result("add by slug")
    assert result["changed"] is True
    writes = [(e["method"], e["path"], e["status"]) for e in emulator.writes()]
    assert writes[0] == ("POST", "/api-public/v1/team/%s/members" % OPS, 502)
    assert {(method, path) for method, path, _status in writes[: result["api"]["writes"]]} == {("POST", "/api-public/v1/team/%s/members" % OPS)}
    assert result["api"]["calls"] <= 4  # read, add (502), at most one add again, confirming read
    assert operations(emulator)[0] == GET_MEMBERS and operations(emulator)[result["api"]["calls"] - 1] == GET_MEMBERS
    assert members(emulator, OPS) == ["jdoe", "asmith", "bwong", "cnguyen"]
