"""End to end: victorops.oncall.victorops_team through one ansible-playbook run against the emulator.

Create two teams with members, run the same tasks again (no write), find a team by a name in another case, add and
purge members with a replacement, rename by slug, empty a team and remove it. Run on the default emulator and under
the two variants about teams; the calls and the state are the same under all three.
"""

import pytest

pytestmark = pytest.mark.slow

TEAMS = "/api-public/v1/team"
SCENARIO = """
- name: create platform
  victorops.oncall.victorops_team:
    name: Platform
    members: [cnguyen, bwong]
  register: platform
- name: create storage
  victorops.oncall.victorops_team:
    name: Storage
    members: [jdoe]
  register: storage
- name: platform again
  victorops.oncall.victorops_team:
    name: Platform
    members: [cnguyen, bwong]
- name: storage again
  victorops.oncall.victorops_team:
    name: Storage
    members: [jdoe]
- name: platform in another case
  victorops.oncall.victorops_team:
    name: PLATFORM
    members: [bwong]
- name: purge platform
  victorops.oncall.victorops_team:
    name: Platform
    members: [bwong, asmith]
    purge_members: true
    replacement: jdoe
- name: rename storage
  victorops.oncall.victorops_team:
    slug: "{{ storage.team.slug }}"
    name: Archive
- name: empty archive
  victorops.oncall.victorops_team:
    name: Archive
    members: []
    purge_members: true
    replacement: asmith
- name: remove archive
  victorops.oncall.victorops_team:
    name: Archive
    state: absent
- name: remove archive again
  victorops.oncall.victorops_team:
    name: Archive
    state: absent
"""

# Each task's calls by operation; every one is the fewest the task can make (see docs/modules.md, victorops_team).
CALLS = {
    "create platform": {"list_teams": 1, "create_team": 1, "add_team_member": 2},
    "create storage": {"list_teams": 1, "create_team": 1, "add_team_member": 1},
    "platform again": {"list_teams": 1, "list_team_members": 1},
    "storage again": {"list_teams": 1, "list_team_members": 1},
    "platform in another case": {"list_teams": 1, "list_team_members": 1},
    "purge platform": {"list_teams": 1, "list_team_members": 1, "add_team_member": 1, "remove_team_member": 1},
    "rename storage": {"list_teams": 1, "rename_team": 1, "list_team_members": 1},
    "empty archive": {"list_teams": 1, "list_team_members": 1, "remove_team_member": 1},
    "remove archive": {"list_teams": 1, "list_team_members": 1, "list_team_policies": 1, "delete_team": 1},
    "remove archive again": {"list_teams": 1},
}
UNCHANGED = {"platform again", "storage again", "platform in another case", "remove archive again"}


@pytest.mark.parametrize("emulator", [{}, {"variants": ["case-insensitive-teams"]}, {"variants": ["team-delete-with-members"]}], indirect=True)
def test_teams_as_code(emulator, run_playbook):
    seeded = {slug: dict(team) for slug, team in emulator.state["teams"].items()}
    run = run_playbook(SCENARIO)
    assert run.rc == 0, run

    for task, calls in CALLS.items():
        result = run.result(task)
        assert result["api"]["operations"] == calls, (task, result["api"])
        assert result["changed"] is (task not in UNCHANGED), (task, result)
        if task in UNCHANGED:
            assert result["api"]["writes"] == 0

    platform = run.result("create platform")["team"]["slug"]
    storage = run.result("create storage")["team"]["slug"]
    assert run.result("platform in another case")["notes"] == [
        "name 'PLATFORM' matched the team 'Platform' (%s), whose name differs only in case; it is not renamed" % platform
    ]
    assert run.result("purge platform")["team"] == {"slug": platform, "name": "Platform", "members": ["bwong", "asmith"]}
    assert run.result("rename storage")["team"] == {"slug": storage, "name": "Archive", "members": ["jdoe"]}

    # The state: the seed's teams untouched, Platform with its listed members, Storage (renamed Archive) gone.
    teams = emulator.state["teams"]
    assert set(teams) == set(seeded) | {platform}
    assert teams[platform]["name"] == "Platform" and teams[platform]["members"] == ["bwong", "asmith"]
    for slug, team in seeded.items():
        assert teams[slug]["name"] == team["name"] and teams[slug]["members"] == team["members"]

    # The request log: exactly these writes, in this order, with these bodies.
    assert [(entry["method"], entry["path"], entry["body"]) for entry in emulator.writes()] == [
        ("POST", TEAMS, {"name": "Platform"}),
        ("POST", "%s/%s/members" % (TEAMS, platform), {"username": "cnguyen"}),
        ("POST", "%s/%s/members" % (TEAMS, platform), {"username": "bwong"}),
        ("POST", TEAMS, {"name": "Storage"}),
        ("POST", "%s/%s/members" % (TEAMS, storage), {"username": "jdoe"}),
        ("POST", "%s/%s/members" % (TEAMS, platform), {"username": "asmith"}),
        ("DELETE", "%s/%s/members/cnguyen" % (TEAMS, platform), {"replacement": "jdoe"}),
        ("PUT", "%s/%s" % (TEAMS, storage), {"name": "Archive"}),
        ("DELETE", "%s/%s/members/jdoe" % (TEAMS, storage), {"replacement": "asmith"}),
        ("DELETE", "%s/%s" % (TEAMS, storage), None),
    ]
    assert len(emulator.calls()) == sum(sum(calls.values()) for calls in CALLS.values())
