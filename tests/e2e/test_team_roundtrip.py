"""End to end: the teams of the onboarding role (user_onboarding_teams) and of the export, through ansible-playbook.

The role creates a team before the people and puts a new person in it; a second run makes no write. The export writes
the organisation's teams (an empty one included) in the role's form, and onboarding from the exported file makes no
write.
"""

import re

import pytest
import requests
import yaml

pytestmark = pytest.mark.slow

EXPORT = "- name: export\n  ansible.builtin.import_playbook: victorops.oncall.export\n"
ONBOARD = "- name: onboard\n  ansible.builtin.import_playbook: victorops.oncall.onboard\n"
ROLE = "victorops.oncall.user_onboarding : "
OPERATIONS = "team-Q2opsDemoTeam001"
DATABASE = "team-Db4DemoTeamAb002"
NEW_PERSON = {
    "username": "mgarcia",
    "first_name": "Maria",
    "last_name": "Garcia",
    "email": "maria.garcia@example.com",
    "teams": ["Platform"],
    "paging_template": "email_only",
}


class ExportLoader(yaml.SafeLoader):
    """Reads ``!unsafe`` as a plain value (Ansible holds it as data)."""


ExportLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def changed_tasks(run):
    return [record["task"] for record in run.records if record["result"].get("changed")]


def recap(run):
    match = re.search(r"^localhost\s*:\s*(.*)$", run.stdout, re.MULTILINE)
    assert match, run
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def onboard(run_playbook, tmp_path, variables, check=False):
    (tmp_path / "input.yml").write_text(yaml.safe_dump(variables, sort_keys=False))
    return run_playbook(play=ONBOARD, check=check, extra_args=("-e", "@%s" % (tmp_path / "input.yml")))


def test_the_role_creates_a_team_and_puts_a_new_person_in_it(emulator, run_playbook, tmp_path):
    variables = {"user_onboarding_teams": [{"name": "Platform", "members": ["bwong", "mgarcia"]}], "user_onboarding_people": [NEW_PERSON]}

    # Check mode: the team has no slug yet, so the person's joining it is reported from the plan; no write.
    checked = onboard(run_playbook, tmp_path, variables, check=True)

    assert checked.rc == 0, checked
    assert emulator.writes() == []
    assert checked.result(ROLE + "Create or update the teams")["results"][0]["team"] == {"slug": None, "name": "Platform", "members": ["bwong"]}
    assert checked.status(ROLE + "Add the team memberships of mgarcia") == "skipped"
    report = checked.result(ROLE + "Show the onboarding report")["msg"]
    assert any("mgarcia: would change" in line and "would join team Platform" in line for line in report), report

    run = onboard(run_playbook, tmp_path, variables)

    assert run.rc == 0, run
    team_task = run.result(ROLE + "Create or update the teams")
    (created,) = [team for team in emulator.state["teams"].values() if team["name"] == "Platform"]
    assert created["members"] == ["bwong", "mgarcia"]
    # The team, with the member who exists already, before the person; the person joins it through their teams.
    assert [(e["method"], e["operation"]) for e in emulator.writes()][:3] == [
        ("POST", "POST /api-public/v1/team"),
        ("POST", "POST /api-public/v1/team/{team}/members"),
        ("POST", "POST /api-public/v1/user"),
    ]
    assert [e["body"] for e in emulator.writes()][:2] == [{"name": "Platform"}, {"username": "bwong"}]
    assert emulator.calls(method="POST", path="/api-public/v1/team/%s/members" % created["slug"])[-1]["body"] == {"username": "mgarcia"}
    assert team_task["results"][0]["team"] == {"slug": created["slug"], "name": "Platform", "members": ["bwong"]}

    emulator.clear_log()
    again = onboard(run_playbook, tmp_path, variables)

    assert again.rc == 0, again
    assert emulator.writes() == [] and changed_tasks(again) == [] and recap(again)["changed"] == 0
    assert again.result(ROLE + "Create or update the teams")["results"][0]["api"]["operations"] == {"list_teams": 1, "list_team_members": 1}


def test_a_purge_that_would_remove_people_of_the_run_fails_before_any_call(emulator, run_playbook, tmp_path):
    teams = [{"name": "Platform", "members": ["bwong"], "purge_members": True, "replacement": "jdoe"}, {"name": "platform"}]

    run = onboard(run_playbook, tmp_path, {"user_onboarding_teams": teams, "user_onboarding_people": [NEW_PERSON]})

    assert run.rc != 0
    assert run.result(ROLE + "Check the teams")["msg"] == (
        "Invalid user_onboarding_teams: user_onboarding_teams[0] (Platform): purge_members could remove mgarcia, onboarded in this run "
        "(listed, or naming this team or a team by slug); purge in a later run; user_onboarding_teams[1] (platform): the team 'platform' "
        "is given twice (also user_onboarding_teams[0])"
    )
    assert emulator.log == []


def test_export_then_onboard_with_teams_makes_no_write(emulator, run_playbook, tmp_path):
    # An empty team, which no user's teams show: it comes from the team list.
    answer = requests.post(
        emulator.url + "/api-public/v1/team", json={"name": "Empty"}, headers={"X-VO-Api-Id": "demo-api-id", "X-VO-Api-Key": "demo-api-key"}, timeout=10
    )
    empty = answer.json()["slug"]
    path = tmp_path / "org.yml"
    emulator.clear_log()

    run = run_playbook(play=EXPORT, extra_args=("-e", "export_file=%s" % path))

    assert run.rc == 0, run
    exported = yaml.load(path.read_text(), Loader=ExportLoader)
    assert exported["user_onboarding_teams"] == [
        {"name": "Operations", "members": ["jdoe", "asmith", "bwong"], "purge_members": False},
        {"name": "Database", "members": ["asmith", "cnguyen"], "purge_members": False},
        {"name": "Empty", "members": [], "purge_members": False},
    ]
    assert [person["teams"] for person in exported["user_onboarding_people"] if person["username"] == "asmith"] == [[OPERATIONS, DATABASE]]
    assert len(emulator.calls(operation="GET /api-public/v1/team")) == 1
    state = yaml.safe_dump(emulator.state)
    emulator.clear_log()

    onboarded = run_playbook(play=ONBOARD, extra_args=("-e", "@%s" % path))

    assert onboarded.rc == 0, onboarded
    assert emulator.writes() == [] and {entry["method"] for entry in emulator.log} == {"GET"}
    assert changed_tasks(onboarded) == [] and recap(onboarded)["changed"] == 0
    assert yaml.safe_dump(emulator.state) == state
    teams = onboarded.result(ROLE + "Create or update the teams")["results"]
    assert [(r["team"]["name"], r["team"]["members"]) for r in teams] == [
        ("Operations", ["jdoe", "asmith", "bwong"]),
        ("Database", ["asmith", "cnguyen"]),
        ("Empty", []),
    ]
    assert teams[2]["team"]["slug"] == empty
    # Per team: the team list and its members; every member is a person of the file, so the team's task adds nobody.
    assert all(r["api"]["operations"] == {"list_teams": 1, "list_team_members": 1} for r in teams)
