"""End-to-end tests of the role victorops.oncall.user_offboarding, run through the playbook victorops.oncall.offboard."""

import collections
import json
import os
import re
import stat
import sys

import pytest
import yaml

from ansible_collections.victorops.oncall.tests.schedule_helpers import monday, schedule_override, utc_text

pytestmark = pytest.mark.slow

ROLE = "victorops.oncall.user_offboarding : "
PLAY = "- name: offboard\n  ansible.builtin.import_playbook: victorops.oncall.offboard\n"
REPORT_TASK = ROLE + "Show the offboarding report"
FAIL_TASK = ROLE + "Fail when anyone could not be offboarded"
CHECK_TASK = ROLE + "Check the people to offboard and the credential variables"
OPERATIONS = "team-Q2opsDemoTeam001"
DATABASE = "team-Db4DemoTeamAb002"
# jdoe is on call now for the Operations team's policy; bwong is on call for nothing. Alice is in Operations.
LEAVERS = [{"username": "jdoe", "replacement": "asmith"}, {"username": "bwong", "replacement": "asmith"}]


def offboard(run_playbook, tmp_path, people, check=False, diff=False, extra=None, env=None, name="leavers.yml"):
    """Run the offboarding playbook with ``people`` as extra vars; returns the run and the report file's content (or None)."""
    report_file = tmp_path / ("report-" + name.replace(".yml", ".json"))
    if report_file.exists():
        report_file.unlink()
    variables = {"user_offboarding_people": people, "user_offboarding_report_file": str(report_file)}
    variables.update(extra or {})
    (tmp_path / name).write_text(yaml.safe_dump(variables, sort_keys=False))
    run = run_playbook(play=PLAY, check=check, diff=diff, extra_args=("-e", "@" + name), env=env)
    report = json.loads(report_file.read_text()) if report_file.exists() else None
    return run, report, report_file


def entry(username, changed, status=None, found=True, replacement="asmith", not_done=(), failed=None, error=None, notes=()):
    """A report entry, in the shape of every role's report."""
    status = status or ("changed" if changed else "no change")
    return {
        "username": username,
        "replacement": replacement,
        "found": found,
        "notes": list(notes),
        "status": status,
        "changed": changed,
        "not_done": list(not_done),
        "failed": failed,
        "error": error,
    }


def recap(run):
    match = re.search(r"^localhost\s*:\s*(.*)$", run.stdout, re.MULTILINE)
    assert match, run
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def operation_counts(emulator):
    return dict(collections.Counter(entry["operation"] for entry in emulator.log))


@pytest.mark.long
def test_offboards_two_people_then_a_second_run_changes_nothing(emulator, run_playbook, tmp_path):
    assert emulator.state["oncall"][OPERATIONS] == ["jdoe"]

    run, report, report_file = offboard(run_playbook, tmp_path, LEAVERS)

    assert run.rc == 0, run
    assert report == {
        "check_mode": False,
        "people": [
            entry("jdoe", ["handed the on-call shift of Operations to asmith", "left team Operations", "user removed"]),
            entry("bwong", ["left team Operations", "user removed"]),
        ],
    }
    assert stat.S_IMODE(os.stat(report_file).st_mode) == 0o600
    assert run.result(REPORT_TASK)["msg"] == [
        "jdoe: changed: handed the on-call shift of Operations to asmith, left team Operations, user removed",
        "bwong: changed: left team Operations, user removed",
    ]
    state = emulator.state
    assert sorted(state["users"]) == ["asmith", "cnguyen"]
    assert state["teams"][OPERATIONS]["members"] == ["asmith"]
    assert state["teams"][DATABASE]["members"] == ["asmith", "cnguyen"]
    assert state["oncall"] == {OPERATIONS: ["asmith"], "pol-Hs7opsDemoPol001": ["asmith"], "pol-Db9DemoPrimary02": ["cnguyen"]}
    # In order, per person: the hand-over, the team, the user; each with the replacement.
    assert [(e["method"], e["path"], e["body"]) for e in emulator.writes()] == [
        ("PATCH", "/api-public/v1/policies/%s/oncall/user" % OPERATIONS, {"fromUser": "jdoe", "toUser": "asmith"}),
        ("DELETE", "/api-public/v1/team/%s/members/jdoe" % OPERATIONS, {"replacement": "asmith"}),
        ("DELETE", "/api-public/v1/user/jdoe", {"replacement": "asmith"}),
        ("DELETE", "/api-public/v1/team/%s/members/bwong" % OPERATIONS, {"replacement": "asmith"}),
        ("DELETE", "/api-public/v1/user/bwong", {"replacement": "asmith"}),
    ]
    # Reads: who exists (one list), the teams of the leavers and of their replacement, who is on call (once), the
    # scheduled overrides (once: future absences a leaver covers), then each module's own read before its write.
    assert operation_counts(emulator) == {
        "GET /api-public/v1/overrides": 1,
        "GET /api-public/v1/user": 2,
        "GET /api-public/v1/user/{user}/teams": 3,
        "GET /api-public/v1/oncall/current": 2,
        "PATCH /api-public/v1/policies/{policy}/oncall/user": 1,
        "GET /api-public/v1/team/{team}/members": 2,
        "DELETE /api-public/v1/team/{team}/members/{user}": 2,
        "GET /api-public/v1/user/{user}": 2,
        "DELETE /api-public/v1/user/{user}": 2,
    }

    # Second run: both are gone; one read finds that out, and nothing is written.
    state_after = json.dumps(emulator.state, sort_keys=True)
    emulator.clear_log()
    run, report, _file = offboard(run_playbook, tmp_path, LEAVERS)

    assert run.rc == 0, run
    assert recap(run)["changed"] == 0
    assert report["people"] == [entry("jdoe", [], found=False), entry("bwong", [], found=False)]
    assert run.result(REPORT_TASK)["msg"] == ["jdoe: no change (not a VictorOps user)", "bwong: no change (not a VictorOps user)"]
    assert emulator.writes() == []
    assert operation_counts(emulator) == {"GET /api-public/v1/user": 1}
    assert json.dumps(emulator.state, sort_keys=True) == state_after


def test_check_mode_sends_no_write_and_says_would(emulator, run_playbook, tmp_path):
    state_before = json.dumps(emulator.state, sort_keys=True)

    run, report, _file = offboard(run_playbook, tmp_path, LEAVERS, check=True, diff=True)

    assert run.rc == 0, run
    assert emulator.writes() == []
    assert json.dumps(emulator.state, sort_keys=True) == state_before
    assert report["check_mode"] is True
    assert [entry["changed"] for entry in report["people"]] == [
        ["hand the on-call shift of Operations to asmith", "leave team Operations", "remove the user"],
        ["leave team Operations", "remove the user"],
    ]
    assert run.result(REPORT_TASK)["msg"] == [
        "jdoe: would change: hand the on-call shift of Operations to asmith, leave team Operations, remove the user",
        "bwong: would change: leave team Operations, remove the user",
    ]
    # Diff mode shows the real before and after of each change.
    handover = run.result(ROLE + "Hand over the on-call shifts of jdoe")["results"][0]
    assert json.loads(handover["diff"]["before"]) == {"policy": OPERATIONS, "users": ["jdoe"]}
    assert json.loads(handover["diff"]["after"]) == {"policy": OPERATIONS, "users": ["asmith"]}
    removal = run.result(ROLE + "Remove the user bwong")
    assert json.loads(removal["diff"]["before"])["username"] == "bwong"
    assert json.loads(removal["diff"]["after"]) == {}


def test_an_unknown_replacement_fails_that_person_before_any_write_and_not_the_others(emulator, run_playbook, tmp_path):
    people = [{"username": "jdoe", "replacement": "ghost"}, {"username": "bwong", "replacement": "asmith"}]

    run, report, _file = offboard(run_playbook, tmp_path, people)

    assert run.rc == 2, run
    assert run.result(FAIL_TASK)["msg"] == "Offboarding failed for 1 of 2 people: jdoe. See the offboarding report above."
    assert report["people"][0] == entry(
        "jdoe",
        [],
        status="failed",
        replacement="ghost",
        not_done=["hand the on-call shift of Operations to ghost", "leave team Operations", "remove the user"],
        failed="Check the replacement of jdoe: replacement ghost is not a VictorOps user",
    )
    assert report["people"][1]["changed"] == ["left team Operations", "user removed"]
    assert "jdoe" in emulator.state["users"] and "bwong" not in emulator.state["users"]
    assert [e for e in emulator.writes() if "jdoe" in e["path"] or "oncall" in e["path"]] == []


def test_a_replacement_outside_the_persons_teams_fails_before_any_write(emulator, run_playbook, tmp_path):
    # Chloe is in Database; John is not, so the API could not hand him Chloe's team duties.
    run, report, _file = offboard(run_playbook, tmp_path, [{"username": "cnguyen", "replacement": "jdoe"}])

    assert run.rc == 2, run
    assert report["people"][0]["failed"] == (
        "Check the replacement of cnguyen: replacement jdoe is not a member of team Database, which the API hands the team duties of "
        "cnguyen to: add jdoe to it first, or choose a replacement who is in every team of cnguyen"
    )
    assert report["people"][0]["not_done"] == ["hand the on-call shift of Database Primary to jdoe", "leave team Database", "remove the user"]
    assert emulator.writes() == []


def run_role_per_host(run_playbook, tmp_path, role, cases):
    """One ansible-playbook run of ``role`` on one host per case (``cases``: host name -> the role's variables).

    A failure ends only its own host's play, so inputs that cannot interfere share one process; returns the run
    and each host's task records.
    """
    hosts = {name: dict(variables, ansible_connection="local", ansible_python_interpreter=sys.executable) for name, variables in cases.items()}
    (tmp_path / "cases.yml").write_text(yaml.safe_dump({"cases": {"hosts": hosts}}))
    play = "- name: the role once per host\n  hosts: cases\n  gather_facts: false\n  roles:\n    - role: %s\n" % role
    run = run_playbook(play=play, extra_args=("-i", "cases.yml"))
    assert sorted({r["host"] for r in run.records}) == sorted(cases), run
    return run, {name: [r for r in run.records if r["host"] == name] for name in cases}


# Each case, by host name: the people, other variables of the role, and a part of the one failure message.
BAD_INPUT = {
    "self": ([{"username": "jdoe", "replacement": "jdoe"}], {}, "jdoe: the replacement must be another user"),
    "duplicate": (LEAVERS + [{"username": "jdoe", "replacement": "cnguyen"}], {}, "username jdoe appears more than once"),
    "replacement-leaves": (
        [{"username": "jdoe", "replacement": "bwong"}, {"username": "bwong", "replacement": "asmith"}],
        {},
        "jdoe: the replacement bwong is offboarded too; choose a replacement who stays",
    ),
    "no-replacement": ([{"username": "jdoe"}], {}, "missing required arguments: replacement found in user_offboarding_people"),
    "url-without-key": (
        LEAVERS,
        {"victorops_api_url": "https://api.example.com"},
        "victorops_api_url is set but victorops_api_key is not: a key from the environment goes only to VICTOROPS_API_URL",
    ),
}


def test_bad_input_is_rejected_before_any_api_call(emulator, run_playbook, tmp_path):
    # One host per case, in one run: a host's failure ends only its own play.
    cases = {
        name: dict(extra, user_offboarding_people=people, user_offboarding_report_file=str(tmp_path / ("report-%s.json" % name)))
        for name, (people, extra, _message) in BAD_INPUT.items()
    }

    run, records = run_role_per_host(run_playbook, tmp_path, "victorops.oncall.user_offboarding", cases)

    assert run.rc == 2, run
    for name, (_people, _extra, message) in BAD_INPUT.items():
        failed = [r for r in records[name] if r["status"] == "failed"]
        assert len(failed) == 1, (name, run)
        assert message in failed[0]["result"]["msg"], name
        assert not (tmp_path / ("report-%s.json" % name)).exists(), name
    assert emulator.log == []


def test_a_failure_midway_reports_what_was_done_and_what_was_not(emulator, run_playbook, tmp_path):
    # Every removal of John from a team fails on the server side.
    emulator.inject("DELETE", "/api-public/v1/team/*/members/jdoe", "500", count=20)

    run, report, _file = offboard(run_playbook, tmp_path, LEAVERS, env={"VICTOROPS_RETRIES": "1"})

    assert run.rc == 2, run
    jdoe, bwong = report["people"]
    assert jdoe["changed"] == ["handed the on-call shift of Operations to asmith"]
    assert jdoe["not_done"] == ["leave team Operations", "remove the user"]
    assert jdoe["failed"].startswith("Remove from their teams the user jdoe: ")
    assert "HTTP 500" in jdoe["failed"]
    assert bwong["failed"] is None and bwong["changed"] == ["left team Operations", "user removed"]
    line = run.result(REPORT_TASK)["msg"][0]
    assert line.startswith("jdoe: FAILED: Remove from their teams the user jdoe: ")
    assert line.endswith(" (done before the failure: handed the on-call shift of Operations to asmith) (not done: leave team Operations, remove the user)")
    assert "jdoe" in emulator.state["users"]
    assert emulator.state["oncall"][OPERATIONS] == ["asmith"]


def test_credentials_come_from_the_role_variables_when_set(emulator, run_playbook, tmp_path):
    # The environment points at a closed port with a wrong key; the role's variables carry the right ones.
    bad_env = {"VICTOROPS_API_URL": "http://127.0.0.1:9", "VICTOROPS_API_KEY": "wrong-key"}

    run, report, _file = offboard(
        run_playbook, tmp_path, LEAVERS[1:], env=bad_env, extra={"victorops_api_url": emulator.url, "victorops_api_key": "demo-api-key"}
    )

    assert run.rc == 0, run
    assert report["people"][0]["changed"] == ["left team Operations", "user removed"]
    assert all(e["status"] == 200 for e in emulator.log)
    assert "demo-api-key" not in run.stdout + run.stderr


def test_a_refused_key_stops_before_anyone_and_reports_everyone_as_not_attempted(emulator, run_playbook, tmp_path):
    run, report, _file = offboard(run_playbook, tmp_path, LEAVERS, env={"VICTOROPS_API_KEY": "wrong-key"})

    assert run.rc == 2, run
    assert [entry["username"] for entry in report["people"]] == ["jdoe", "bwong"]
    for person in report["people"]:
        assert person["status"] == "not attempted"
        assert person["failed"].startswith("Find the people to offboard and their replacements: ")
        assert "HTTP 403" in person["failed"]
        assert person["not_done"] == ["everything"] and person["changed"] == []
    assert run.result(FAIL_TASK)["msg"] == "Offboarding failed for 2 of 2 people: jdoe, bwong. See the offboarding report above."
    # One refused read, then nothing more.
    assert [(e["operation"], e["status"]) for e in emulator.log] == [("GET /api-public/v1/user", 403)]
    assert "wrong-key" not in run.stdout + run.stderr


def with_jane(emulator):
    """The demo organisation with Jane Doe (JDoe) beside John Doe (jdoe): on a case-sensitive API two users."""
    from ansible_collections.victorops.oncall.tests.emulator._model import load_seed

    seed = load_seed()
    seed["users"].append({"username": "JDoe", "firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.com"})
    for team in seed["teams"]:
        if team["slug"] == OPERATIONS:
            team["members"].append("JDoe")
    for shift in seed["oncall"]:
        if shift["policy"] == "pol-Hs7opsDemoPol001":
            shift["users"] = ["JDoe"]
    emulator.reset(seed=seed)


def test_offboarding_jdoe_s_namesake_touches_only_her(emulator, run_playbook, tmp_path):
    with_jane(emulator)

    run, report, _file = offboard(run_playbook, tmp_path, [{"username": "JDoe", "replacement": "asmith"}])

    assert run.rc == 0, run
    assert report["people"] == [entry("JDoe", ["handed the on-call shift of Operations High Severity to asmith", "left team Operations", "user removed"])]
    assert [(e["method"], e["path"], e["body"]) for e in emulator.writes()] == [
        ("PATCH", "/api-public/v1/policies/pol-Hs7opsDemoPol001/oncall/user", {"fromUser": "JDoe", "toUser": "asmith"}),
        ("DELETE", "/api-public/v1/team/%s/members/JDoe" % OPERATIONS, {"replacement": "asmith"}),
        ("DELETE", "/api-public/v1/user/JDoe", {"replacement": "asmith"}),
    ]
    state = emulator.state
    assert "jdoe" in state["users"] and "JDoe" not in state["users"]
    assert state["teams"][OPERATIONS]["members"] == ["jdoe", "asmith", "bwong"]
    assert state["oncall"][OPERATIONS] == ["jdoe"]

    # The same offboarding again, as an AWX job is re-run: Jane is gone, and John is not her.
    emulator.clear_log()
    run, report, _file = offboard(run_playbook, tmp_path, [{"username": "JDoe", "replacement": "asmith"}])
    assert run.rc == 0, run
    assert report["people"] == [entry("JDoe", [], found=False)]
    assert emulator.writes() == []
    assert "jdoe" in emulator.state["users"] and emulator.state["oncall"][OPERATIONS] == ["jdoe"]


def test_a_username_or_a_replacement_in_another_case_names_nobody_on_an_api_that_tells_case_apart(emulator, run_playbook, tmp_path):
    # Two offboardings that only read, one host each, in one run.
    cases = {
        "username": {"user_offboarding_people": [{"username": "BWONG", "replacement": "asmith"}]},
        "replacement": {"user_offboarding_people": [{"username": "jdoe", "replacement": "JDOE"}]},
    }
    for name, variables in cases.items():
        variables["user_offboarding_report_file"] = str(tmp_path / ("report-%s.json" % name))

    run, records = run_role_per_host(run_playbook, tmp_path, "victorops.oncall.user_offboarding", cases)

    # BWONG names nobody: no change, and no failure.
    assert [r["task"] for r in records["username"] if r["status"] == "failed"] == []
    assert json.loads((tmp_path / "report-username.json").read_text())["people"] == [entry("BWONG", [], found=False)]
    # JDOE is nobody either, so not a replacement: that person fails, and with them the play.
    assert [r["task"] for r in records["replacement"] if r["status"] == "failed"][-1] == FAIL_TASK
    report = json.loads((tmp_path / "report-replacement.json").read_text())["people"]
    assert report[0]["failed"] == "Check the replacement of jdoe: replacement JDOE is not a VictorOps user"
    assert run.rc == 2, run
    assert emulator.writes() == []
    assert "bwong" in emulator.state["users"]


@pytest.mark.emulator(variants=["case-insensitive-users"])
def test_a_username_in_another_case_stands_in_where_the_api_says_so(emulator, run_playbook, tmp_path):
    run, report, _file = offboard(run_playbook, tmp_path, [{"username": "BWONG", "replacement": "asmith"}])
    assert run.rc == 0, run
    assert report["people"][0]["changed"] == ["left team Operations", "user removed"]
    assert report["people"][0]["notes"] == ["username 'BWONG' matched the username 'bwong', which differs only in case (the API answered it so)"]


def test_a_username_matching_two_users_in_another_case_is_an_error_naming_them(emulator, run_playbook, tmp_path):
    # JDOE matches jdoe and JDoe: an error naming both, and nothing written.
    with_jane(emulator)
    run, report, _file = offboard(run_playbook, tmp_path, [{"username": "JDOE", "replacement": "asmith"}])
    assert run.rc == 2, run
    assert "'JDOE' matches no username exactly and several in another case: JDoe, jdoe" in report["people"][0]["failed"]
    assert emulator.writes() == []


@pytest.mark.emulator(variants=["case-insensitive-users"])
def test_a_replacement_in_another_case_is_who_the_api_says_and_fails_before_any_write(emulator, run_playbook, tmp_path):
    # The API folds case: JDOE is jdoe, the person themself (on an API that tells case apart, JDOE is nobody: above).
    run, report, _file = offboard(run_playbook, tmp_path, [{"username": "jdoe", "replacement": "JDOE"}])

    assert run.rc == 2, run
    assert report["people"][0]["failed"] == "Check the replacement of jdoe: the replacement JDOE is jdoe themself: choose another user"
    assert emulator.writes() == []


def test_a_relative_report_file_lands_in_the_working_directory_and_a_missing_directory_fails_before_any_call(emulator, run_playbook, tmp_path):
    # run_playbook starts ansible-playbook in tmp_path, outside the checkout and the installed collection.
    run, _report, _file = offboard(run_playbook, tmp_path, LEAVERS[1:], extra={"user_offboarding_report_file": "rel-report.json"})
    assert run.rc == 0, run
    assert json.loads((tmp_path / "rel-report.json").read_text())["people"][0]["changed"] == ["left team Operations", "user removed"]
    assert stat.S_IMODE(os.stat(tmp_path / "rel-report.json").st_mode) == 0o600

    emulator.clear_log()
    run, _report, _file = offboard(
        run_playbook, tmp_path, [{"username": "cnguyen", "replacement": "asmith"}], extra={"user_offboarding_report_file": "missing/r.json"}
    )
    assert run.rc == 2, run
    assert "the directory %s does not exist: create it first, or choose another path" % (tmp_path / "missing") in run.stdout
    assert emulator.log == []


PLATFORM = "team-Pl4tformTeam0003"
PLATFORM_NIGHT = "pol-Pn8NightPol00004"
HIGH = "pol-Hs7opsDemoPol001"
# Five leavers: the first is offboarded alone, the four others in three lanes (two, one and one).
LANE_LEAVERS = [
    {"username": "jdoe", "replacement": "asmith"},  # on call for Operations now
    {"username": "gkim", "replacement": "kmorris"},  # on call for Platform now
    {"username": "dlee", "replacement": "bwong"},  # covers Alice's absence in both Operations policies
    {"username": "hpark", "replacement": "kmorris"},  # on call for Platform Night now
    {"username": "efox", "replacement": "cnguyen"},  # covers Kim Morris's absence in Platform
]


def platform_seed():
    """The demo organisation with a Platform team and five more people, each leaver with work to hand over."""
    from ansible_collections.victorops.oncall.tests.emulator._model import load_seed

    seed = load_seed()
    for username, first in (("dlee", "Dana"), ("efox", "Eve"), ("gkim", "Gus"), ("hpark", "Hana"), ("kmorris", "Kim")):
        seed["users"].append({"username": username, "firstName": first, "lastName": "Lane", "email": "%s@example.com" % username})
    teams = {team["slug"]: team for team in seed["teams"]}
    teams[OPERATIONS]["members"].append("dlee")
    teams[DATABASE]["members"].append("efox")
    seed["teams"].append(
        {
            "name": "Platform",
            "slug": PLATFORM,
            "members": ["gkim", "hpark", "kmorris"],
            "policies": [{"name": "Platform", "slug": PLATFORM, "rotation": ["gkim", "hpark", "kmorris"]}, {"name": "Platform Night", "slug": PLATFORM_NIGHT}],
        }
    )
    seed["oncall"] += [{"policy": PLATFORM, "users": ["gkim"]}, {"policy": PLATFORM_NIGHT, "users": ["hpark"]}]
    return seed


def with_platform(emulator):
    """A fresh Platform organisation, with two absences next week that leavers cover."""
    emulator.reset(seed=platform_seed())
    schedule_override(emulator, "asmith", monday(1), monday(2), {OPERATIONS: "dlee", HIGH: "dlee"})
    schedule_override(emulator, "kmorris", monday(1), monday(2), {PLATFORM: "efox"})


# Made anew with every organisation, whatever is done to it.
FRESH_EACH_TIME = ("createdAt", "passwordLastUpdated", "extId", "publicId")


def final_state(emulator):
    """The organisation without what is made anew with it, each override keyed by who is away and when."""

    def stable(value):
        if isinstance(value, dict):
            return {key: stable(item) for key, item in value.items() if key not in FRESH_EACH_TIME}
        return [stable(item) for item in value] if isinstance(value, list) else value

    state = stable(json.loads(json.dumps(emulator.state)))
    state["overrides"] = sorted([o["username"], o["start"], o["end"], sorted(o["assignments"].items())] for o in state["overrides"].values())
    return state


@pytest.mark.long
def test_people_in_lanes_end_as_one_after_another_with_the_same_calls_and_report(emulator, run_playbook, tmp_path):
    run, report, _file = offboard(run_playbook, tmp_path, LEAVERS, extra={"user_offboarding_concurrency": 0}, name="bad.yml")
    assert run.rc != 0 and report is None, run
    assert "user_offboarding_concurrency must be a whole number of 1 or more" in run.stdout, run
    assert emulator.log == []

    with_platform(emulator)
    serial, serial_report, _file = offboard(run_playbook, tmp_path, LANE_LEAVERS, extra={"user_offboarding_concurrency": 1}, name="serial.yml")
    assert serial.rc == 0, serial
    assert "user_offboarding_lane_" not in serial.stdout
    serial_state, serial_calls = final_state(emulator), operation_counts(emulator)

    with_platform(emulator)
    lanes, lanes_report, _file = offboard(run_playbook, tmp_path, LANE_LEAVERS, extra={"user_offboarding_concurrency": 3}, name="lanes.yml")
    assert lanes.rc == 0, lanes
    # The first person alone on the controller's host, then four people in three lanes, each on a host of its own.
    for host in ("user_offboarding_lane_1", "user_offboarding_lane_2", "user_offboarding_lane_3"):
        assert re.search(r"^%s\s*: ok=\d+\s+changed=[1-9]" % host, lanes.stdout, re.MULTILINE), lanes
    assert "user_offboarding_lane_4" not in lanes.stdout
    assert lanes_report == serial_report
    assert lanes.result(REPORT_TASK)["msg"] == serial.result(REPORT_TASK)["msg"]
    assert final_state(emulator) == serial_state
    assert operation_counts(emulator) == serial_calls

    # Everyone's work went to their replacement, and the leavers are gone.
    cover = "handed the cover of %s from %s to %s to %s"
    absence = (utc_text(monday(1)), utc_text(monday(2)))
    assert [(entry["username"], entry["changed"]) for entry in lanes_report["people"]] == [
        ("jdoe", ["handed the on-call shift of Operations to asmith", "left team Operations", "user removed"]),
        ("gkim", ["handed the on-call shift of Platform to kmorris", "left team Platform", "user removed"]),
        ("dlee", [cover % (("asmith",) + absence + ("bwong",)), "left team Operations", "user removed"]),
        ("hpark", ["handed the on-call shift of Platform Night to kmorris", "left team Platform", "user removed"]),
        ("efox", [cover % (("kmorris",) + absence + ("cnguyen",)), "left team Database", "user removed"]),
    ]
    state = emulator.state
    assert sorted(state["users"]) == ["asmith", "bwong", "cnguyen", "kmorris"]
    assert {policy: users for policy, users in state["oncall"].items() if policy in (OPERATIONS, PLATFORM, PLATFORM_NIGHT)} == {
        OPERATIONS: ["asmith"],
        PLATFORM: ["kmorris"],
        PLATFORM_NIGHT: ["kmorris"],
    }
    assert {o["username"]: o["assignments"] for o in state["overrides"].values()} == {
        "asmith": {OPERATIONS: "bwong", HIGH: "bwong"},
        "kmorris": {PLATFORM: "cnguyen"},
    }
    assert serial_calls["DELETE /api-public/v1/user/{user}"] == 5
    # The first person's writes all came before anyone else's: their lane ran alone first.
    writes = [json.dumps([e["path"], e["body"]]) for e in emulator.writes()]
    others = next(i for i, write in enumerate(writes) if "jdoe" not in write)
    assert others == 3 and not any("jdoe" in write for write in writes[others:])


def test_after_the_first_person_loses_the_api_the_lanes_attempt_nobody(emulator, run_playbook, tmp_path):
    with_platform(emulator)
    # The first person's team is read only by their own task (the other leaver of Operations is in a lane): the API
    # cannot be reached from then on, as far as the run can tell.
    emulator.inject("GET", "/api-public/v1/team/%s/members" % OPERATIONS, "drop", count=20)

    run, report, _file = offboard(run_playbook, tmp_path, LANE_LEAVERS, extra={"user_offboarding_concurrency": 3}, env={"VICTOROPS_RETRIES": "1"})

    assert run.rc == 2, run
    first, *others = report["people"]
    assert first["status"] == "failed" and first["error"] == "connection", first
    assert first["changed"] == ["handed the on-call shift of Operations to asmith"]
    assert [entry["username"] for entry in others] == ["gkim", "dlee", "hpark", "efox"]
    for entry in others:
        assert entry["status"] == "not attempted", entry
        assert entry["failed"].startswith("jdoe failed: "), entry
    # The lane hosts were made and read the first lane's stop: nothing more was written.
    assert re.search(r"^user_offboarding_lane_1\s*: ok=", run.stdout, re.MULTILINE), run
    assert [e["path"] for e in emulator.writes()] == ["/api-public/v1/policies/%s/oncall/user" % OPERATIONS]
