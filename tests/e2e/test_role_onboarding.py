"""End-to-end tests of the role victorops.oncall.user_onboarding, run through the playbook victorops.oncall.onboard."""

import collections
import http.server
import json
import re
import socket
import stat
import threading
import time
import typing

import pytest
import yaml
from ansible_collections.victorops.oncall.tests.onboarding_people import PEOPLE

pytestmark = pytest.mark.slow

ROLE = "victorops.oncall.user_onboarding : "
PLAY = "- name: onboard\n  ansible.builtin.import_playbook: victorops.oncall.onboard\n"
# The role's main entry point in a play of one's own: everyone on this host, one after another.
ROLE_PLAY = "- name: onboard\n  hosts: localhost\n  gather_facts: false\n  roles:\n    - role: victorops.oncall.user_onboarding\n"
REPORT_TASK = ROLE + "Show the onboarding report"
ESTIMATE_TASK = ROLE + "Estimate the time of the run"
FAIL_TASK = ROLE + "Fail when anyone could not be onboarded"
PREVIEW_TASK = ROLE + "Show what would be set up for %s"
OPERATIONS = "team-Q2opsDemoTeam001"
DATABASE = "team-Db4DemoTeamAb002"
NEW_PEOPLE = {person["username"] for person in PEOPLE}

# The calls of a first run over PEOPLE, per operation: the fewest the API allows (see the role README's table).
FIRST_RUN_CALLS = {
    "get_user": 3,
    "create_user": 3,
    "list_contact_methods": 3,
    "add_phone": 2,
    "add_email": 1,
    "list_teams": 1,
    "list_team_members": 4,
    "add_team_member": 4,
    "get_paging_policy": 3,
    "update_step": 3,
    "create_step": 4,
}
# A re-run that changes nothing: per person the user, the contact methods, each team's members and the policy;
# the team list once.
SECOND_RUN_CALLS = {"get_user": 3, "list_contact_methods": 3, "list_teams": 1, "list_team_members": 4, "get_paging_policy": 3}


def onboard(run_playbook, tmp_path, people, check=False, name="people.yml", extra=None, env=None, diff=False, play=PLAY, limit=None):
    """Run the onboarding playbook (or ``play``) with ``people`` as extra vars; the report goes to a JSON file."""
    report_file = tmp_path / ("report-" + name.replace(".yml", ".json"))
    if report_file.exists():
        report_file.unlink()
    variables = {"user_onboarding_people": people, "user_onboarding_report_file": str(report_file)}
    variables.update(extra or {})
    (tmp_path / name).write_text(yaml.safe_dump(variables, sort_keys=False))
    run = run_playbook(play=play, check=check, diff=diff, extra_args=("-e", "@" + name) + (("--limit", limit) if limit else ()), env=env)
    document = json.loads(report_file.read_text()) if report_file.exists() else None
    if document is not None:
        assert stat.S_IMODE(report_file.stat().st_mode) == 0o600
        assert document["check_mode"] is check
        return run, document["people"]
    return run, None


def recap(run):
    match = re.search(r"^localhost\s*:\s*(.*)$", run.stdout, re.MULTILINE)
    assert match, run
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def policy(emulator, username):
    """The user's paging policy in the emulator's normalised form: [{timeout, rules: [{type, contact_id}]}]."""
    return emulator.state["users"][username]["paging_policy"]


def members(emulator, slug):
    """The team's members: those of the seed in its order, then the people who joined, sorted (lanes join at once)."""
    seeded = [name for name in emulator.state["teams"][slug]["members"] if name not in NEW_PEOPLE]
    return seeded + sorted(name for name in emulator.state["teams"][slug]["members"] if name in NEW_PEOPLE)


def operation_counts(emulator):
    """Requests per operation name (the names of _api.OPERATIONS) in the emulator's log."""
    from ansible_collections.victorops.oncall.plugins.module_utils._api import logged_operation

    names = [logged_operation(entry["operation"]) for entry in emulator.log]
    return dict(collections.Counter(names))


def entry(username, changed, status=None, failed=None, not_done=(), error=None):
    """A report entry, in the shape of every role's report."""
    return {
        "username": username,
        "status": status or ("changed" if changed else "no change"),
        "changed": changed,
        "not_done": list(not_done),
        "failed": failed,
        "error": error,
        "notes": [],
    }


@pytest.mark.long
def test_onboards_three_people_then_a_second_run_changes_nothing(emulator, run_playbook, tmp_path, contact_id):
    run, report = onboard(run_playbook, tmp_path, PEOPLE)

    assert run.rc == 0, run
    # No phone number or address in the report.
    assert report == [
        entry("pstone", ["user created", "phone added", "email added (Alias)", "joined team Operations", "paging policy set"]),
        entry("rdiaz", ["user created", "phone added", "joined team %s" % DATABASE, "joined team Operations", "paging policy set"]),
        entry("eonly", ["user created", "joined team database", "paging policy set"]),
    ]
    assert run.result(REPORT_TASK)["msg"] == [
        "pstone: changed: user created, phone added, email added (Alias), joined team Operations, paging policy set",
        "rdiaz: changed: user created, phone added, joined team %s, joined team Operations, paging policy set" % DATABASE,
        "eonly: changed: user created, joined team database, paging policy set",
    ]
    assert "+1555010900" not in json.dumps(report) + json.dumps(run.result(REPORT_TASK))

    users = emulator.state["users"]
    for person in PEOPLE:
        user = users[person["username"]]
        assert (user["firstName"], user["lastName"], user["email"]) == (person["first_name"], person["last_name"], person["email"])
    phones = {name: [(m["label"], m["value"]) for m in users[name]["contact_methods"]["phones"]] for name in ("pstone", "rdiaz", "eonly")}
    assert phones == {"pstone": [("Work mobile", "+15550109001")], "rdiaz": [("Mobile", "+15550109002")], "eonly": []}
    assert [(m["label"], m["value"]) for m in users["pstone"]["contact_methods"]["emails"]][1:] == [("Alias", "pat.alias@example.com")]
    assert members(emulator, OPERATIONS) == ["jdoe", "asmith", "bwong", "pstone", "rdiaz"]
    assert members(emulator, DATABASE) == ["asmith", "cnguyen", "eonly", "rdiaz"]

    pat_phone = contact_id("pstone", kind="phones", value="+15550109001")
    pat_email = contact_id("pstone", kind="emails", value="pat.stone@example.com")
    pat_alias = contact_id("pstone", kind="emails", value="pat.alias@example.com")
    assert policy(emulator, "pstone") == [
        {"timeout": 1, "rules": [{"type": "push", "contact_id": None}, {"type": "sms", "contact_id": pat_phone}, {"type": "email", "contact_id": pat_alias}]},
        {"timeout": 15, "rules": [{"type": "phone", "contact_id": pat_phone}, {"type": "email", "contact_id": pat_email}]},
    ]
    rosa_phone = contact_id("rdiaz", kind="phones", value="+15550109002")
    rosa_email = contact_id("rdiaz", kind="emails", value="rosa.diaz@example.com")
    assert policy(emulator, "rdiaz") == [
        {"timeout": 5, "rules": [{"type": "push", "contact_id": None}, {"type": "sms", "contact_id": rosa_phone}]},
        {"timeout": 5, "rules": [{"type": "phone", "contact_id": rosa_phone}]},
        {"timeout": 10, "rules": [{"type": "email", "contact_id": rosa_email}]},
    ]
    emil_email = contact_id("eonly", kind="emails", value="emil.only@example.com")
    assert policy(emulator, "eonly") == [
        {"timeout": 10, "rules": [{"type": "push", "contact_id": None}, {"type": "email", "contact_id": emil_email}]},
        {"timeout": 10, "rules": [{"type": "email", "contact_id": emil_email}]},
    ]
    # The fewest calls: one read of the team list for the run, one read of each person's contact methods;
    # the estimate printed before the first person counted exactly these.
    assert operation_counts(emulator) == FIRST_RUN_CALLS
    estimate = check_estimate(run, emulator, PEOPLE)
    assert estimate["message"].startswith("Onboarding 3 people (2 at once) makes at most 31 API calls (14 if nothing changes): about ")

    # Second run over the same people: nothing changes, only reads are sent.
    state_after_first = json.dumps(emulator.state, sort_keys=True)
    emulator.clear_log()
    run, report = onboard(run_playbook, tmp_path, PEOPLE)

    assert run.rc == 0, run
    assert recap(run)["changed"] == 0
    assert [r["task"] for r in run.records if r["result"].get("changed")] == []
    assert report == [entry(name, []) for name in ("pstone", "rdiaz", "eonly")]
    assert run.result(REPORT_TASK)["msg"] == ["pstone: no change", "rdiaz: no change", "eonly: no change"]
    assert emulator.writes() == []
    assert json.dumps(emulator.state, sort_keys=True) == state_after_first
    assert operation_counts(emulator) == SECOND_RUN_CALLS


def _defaults():
    from pathlib import Path

    defaults = Path(__file__).resolve().parents[2] / "roles" / "user_onboarding" / "defaults" / "main.yml"
    return yaml.safe_load(defaults.read_text())


def _templates():
    return _defaults()["user_onboarding_templates"]


def check_estimate(run, emulator, people):
    """The estimate is printed before the first person, and its calls are the first run's real calls."""
    from ansible_collections.victorops.oncall.plugins.plugin_utils import _onboarding, _onboarding_cost

    tasks = [r["task"] for r in run.records]
    first_user = next(i for i, task in enumerate(tasks) if task.startswith(ROLE + "Create or update the user"))
    assert tasks.index(ESTIMATE_TASK) < first_user
    plans = _onboarding.onboarding_plan(people, _templates())
    # The first person alone, then the others in at most user_onboarding_concurrency lanes at once.
    at_once = max(1, min(_defaults()["user_onboarding_concurrency"], len(plans) - 1))
    estimate = _onboarding_cost.estimate(plans, emulator.window, at_once)
    assert run.result(ESTIMATE_TASK)["msg"] == estimate["message"]
    assert "(%d at once)" % at_once in estimate["message"]
    assert estimate["calls"] == operation_counts(emulator)
    return estimate


def test_one_failure_does_not_stop_the_others(emulator, run_playbook, tmp_path):
    people = [
        dict(PEOPLE[2], teams=["Operations", "No Such Team"]),
        # The default template ("standard") texts and calls the person's phone, and this person has none.
        {"username": "nophone", "first_name": "No", "last_name": "Phone", "email": "no.phone@example.com"},
        PEOPLE[0],
    ]

    # Under --limit (an AWX job template's Limit) the lane hosts would be left out of the plays: everyone is onboarded
    # on the controller's host, one after another, whatever the concurrency.
    run, report = onboard(run_playbook, tmp_path, people, limit="localhost")

    assert run.rc == 2, run
    assert "user_onboarding_lane_" not in run.stdout
    assert run.status(FAIL_TASK) == "failed"
    assert run.result(FAIL_TASK)["msg"] == ("Onboarding failed for 2 of 3 people: eonly, nophone. See the onboarding report above.")
    assert [e["username"] for e in report] == ["eonly", "nophone", "pstone"]
    # The unknown team is found before eonly's user is created: nothing of eonly is half-applied.
    assert report[0]["changed"] == []
    assert report[0]["failed"].startswith("Check the input of eonly: team 'No Such Team': no team has that name or slug; known teams: ")
    assert report[1] == entry(
        "nophone",
        [],
        "failed",
        "Check the input of nophone: nophone has no phone, but their paging policy (template standard) sends SMS or calls to their phone: "
        "give them a phone, or a policy without one such as the template email_only.",
        not_done=["create or update the user", "set the paging policy"],
    )
    assert report[2] == entry("pstone", ["user created", "phone added", "email added (Alias)", "joined team Operations", "paging policy set"])
    lines = run.result(REPORT_TASK)["msg"]
    assert lines[0].startswith("eonly: FAILED: Check the input of eonly: team 'No Such Team': ")
    assert lines[2] == "pstone: changed: user created, phone added, email added (Alias), joined team Operations, paging policy set"

    users = emulator.state["users"]
    assert "nophone" not in users and "eonly" not in users
    assert "pstone" in users
    assert [e for e in emulator.log if "/eonly" in e["path"] or "/nophone" in e["path"]] == []
    assert operation_counts(emulator)["list_teams"] == 1
    assert len(policy(emulator, "pstone")) == 2


def test_an_input_error_names_the_person_the_field_and_the_fix_once_and_briefly(emulator, run_playbook, tmp_path):
    # A valid person first: nobody is onboarded when anyone's input is wrong.
    people = [PEOPLE[2], dict(PEOPLE[0], paging_steps=[{"timeout": 7, "rules": [{"type": "push"}]}]), dict(PEOPLE[1], phone="call me")]

    run, report = onboard(run_playbook, tmp_path, people)

    assert run.rc == 2, run
    # The argument spec let the input through; the one failed task is the input check, before any API call.
    # Each input it refuses is in tests/unit/plugins/filter/test_onboarding_role_input.py.
    assert [r["task"] for r in run.records if r["status"] == "failed"] == [ROLE + "Check everyone's input"]
    message = run.result(ROLE + "Check everyone's input")["msg"]
    assert message.startswith(
        "Invalid user_onboarding_people: pstone: paging_steps[0].timeout: 7 is not one of the API's timeouts (1, 5, 10, 15, 20, 25, 30, 45, 60 minutes);"
        " rdiaz: phone: 'call me' is not a phone number"
    )
    assert len(message) < 400
    assert message.count("paging_steps[0].timeout: 7") == 1
    output = run.stdout + run.stderr
    # ansible-core shows a failed task's message in its error line and in its result: no more.
    assert output.count("paging_steps[0].timeout: 7") <= 2
    assert "argument_spec_data" not in output
    assert "Finalization of task args" not in output
    assert len(output) < 3000
    assert report is None
    assert emulator.log == []


@pytest.mark.long
def test_check_mode_writes_nothing_reports_what_would_change_and_shows_a_new_person_s_setup(emulator, run_playbook, tmp_path):
    # pstone is new (a phone, a second email, a team by name, explicit steps): the setup that would be made is shown;
    # cnguyen exists (her modules run and show their own diffs, as before).
    people = PEOPLE[:2] + [
        dict(PEOPLE[2], username="cnguyen", first_name="Chloe", last_name="Nguyen-Park", email="chloe.nguyen@example.com"),
        # An existing user who gets a new phone: their paging policy cannot be planned before the phone has an id.
        {"username": "bwong", "email": "bob.wong@example.com", "phone": "+15550107777", "paging_template": "phone_first"},
        # An existing user who gets a second address that her (unchanged) paging policy does not name.
        {
            "username": "asmith",
            "email": "alice.smith@example.com",
            "phone": "+1-555-0101",
            "contact_methods": [{"type": "email", "value": "alice.alias@example.com"}],
            "teams": [OPERATIONS, DATABASE],
            "paging_steps": [{"timeout": 1, "rules": [{"type": "push"}, {"type": "email", "contact": "email"}]}],
        },
    ]
    state_before = json.dumps(emulator.state, sort_keys=True)

    run, report = onboard(run_playbook, tmp_path, people, check=True, diff=True)

    assert run.rc == 0, run
    assert emulator.writes() == []
    assert json.dumps(emulator.state, sort_keys=True) == state_before
    assert report == [
        entry(
            "pstone",
            ["would create user", "would add phone", "would add email (Alias)", "would join team Operations", "would set paging policy"],
            "would change",
        ),
        entry(
            "rdiaz",
            ["would create user", "would add phone", "would join team %s" % DATABASE, "would join team Operations", "would set paging policy"],
            "would change",
        ),
        # An existing user: her name would be updated; she is already in Database.
        entry("cnguyen", ["would update user", "would set paging policy"], "would change"),
        entry("bwong", ["would add phone", "would set paging policy"], "would change"),
        entry("asmith", ["would add email"], "would change"),
    ]
    assert run.result(REPORT_TASK)["msg"][2] == "cnguyen: would change: would update user, would set paging policy"

    # The setup that would be made for pstone, who is new.
    lines = [
        "would add phone +15550109001 (Work mobile)",
        "would add email pat.alias@example.com (Alias)",
        "would join team Operations",
        (
            "would set the paging policy: step 1: push, sms +15550109001, email pat.alias@example.com, then wait 1 min;"
            " step 2: phone +15550109001, email pat.stone@example.com, then wait 15 min"
        ),
    ]
    preview = run.result(PREVIEW_TASK % "pstone")
    assert preview["changed"] is True
    assert preview["msg"] == lines
    # Shown without -v, and as a diff with --diff.
    for line in lines:
        assert line in run.stdout
    after = json.loads(preview["diff"]["after"])
    assert preview["diff"]["before"] == "{}\n"
    assert after["contact_methods"] == [
        {"kind": "phone", "value": "+15550109001", "label": "Work mobile"},
        {"kind": "email", "value": "pat.alias@example.com", "label": "Alias"},
    ]
    assert after["teams"] == [OPERATIONS]
    assert [[(rule["type"], (rule["contact"] or {}).get("value")) for rule in step["rules"]] for step in after["paging_policy"]["steps"]] == [
        [("push", None), ("sms", "+15550109001"), ("email", "pat.alias@example.com")],
        [("phone", "+15550109001"), ("email", "pat.stone@example.com")],
    ]
    assert '+            "value": "pat.alias@example.com"' in run.stdout
    # The modules that cannot read a user who does not exist are skipped; the existing person's run as before.
    assert run.status(ROLE + "Set the paging policy of pstone") == "skipped"
    assert run.status(PREVIEW_TASK % "cnguyen") == "skipped"
    assert "diff" in run.result(ROLE + "Create or update the user cnguyen")
    assert run.status(ROLE + "Set the paging policy of cnguyen") != "skipped"
    # The report names no number or address, as before.
    assert "+1555010900" not in json.dumps(report) + json.dumps(run.result(REPORT_TASK))

    # Without --diff the words are shown, and nothing is written either. A label marked unsafe is shown as it is,
    # never evaluated.
    from ansible_collections.victorops.oncall.plugins.plugin_utils._files import yaml_text

    emulator.clear_log()
    marker = tmp_path / "evaluated"
    label = "{{ lookup('pipe', 'touch %s') }}" % marker
    newbie = dict(PEOPLE[2], username="newbie", contact_methods=[{"type": "email", "value": "newbie.alias@example.com", "label": label}])
    (tmp_path / "unsafe.yml").write_text(yaml_text({"user_onboarding_people": [PEOPLE[0], newbie]}))
    run = run_playbook(play=PLAY, check=True, extra_args=("-e", "@unsafe.yml"))
    assert run.rc == 0, run
    assert "diff" not in run.result(PREVIEW_TASK % "pstone")
    assert lines[-1] in run.stdout
    assert run.result(PREVIEW_TASK % "newbie")["msg"][0] == "would add email newbie.alias@example.com (%s)" % label
    assert not marker.exists()
    assert emulator.writes() == []


def test_connection_variables_override_the_environment(emulator, run_playbook, tmp_path):
    # The environment points at a closed port with a wrong key; the role's variables carry the right ones.
    bad_env = {"VICTOROPS_API_URL": "http://127.0.0.1:9", "VICTOROPS_API_KEY": "wrong-key"}
    run, _report = onboard(run_playbook, tmp_path, [PEOPLE[2]], env=bad_env, extra={"victorops_api_url": emulator.url, "victorops_api_key": "demo-api-key"})

    assert run.rc == 0, run
    assert run.result(REPORT_TASK)["msg"] == ["eonly: changed: user created, joined team database, paging policy set"]
    # Every request authenticated; the one 404 is the read that finds the user missing before creating it.
    assert [(e["operation"], e["status"]) for e in emulator.log if e["status"] != 200] == [("GET /api-public/v1/user/{user}", 404)]
    assert "eonly" in emulator.state["users"]


class _Capture(http.server.BaseHTTPRequestHandler):
    seen: typing.ClassVar[list] = []

    def _record(self):
        type(self).seen.append((self.command, self.path, dict(self.headers)))
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _record

    def log_message(self, *args):
        pass


@pytest.fixture
def capture_server():
    _Capture.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d" % server.server_address[1], _Capture.seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_url_given_at_launch_without_the_key_fails_before_any_call(emulator, run_playbook, tmp_path, capture_server):
    # The key is in the environment (an AWX credential); someone aiming at staging sets only victorops_api_url.
    url, seen = capture_server
    run, report = onboard(run_playbook, tmp_path, [PEOPLE[2]], extra={"victorops_api_url": url})

    assert run.rc == 2, run
    assert run.result(ROLE + "Check the credential variables")["msg"] == (
        "victorops_api_url is set but victorops_api_key is not: a key from the environment goes only to VICTOROPS_API_URL;"
        " set victorops_api_key too, or VICTOROPS_API_URL instead"
    )
    assert seen == []  # not one request went to the URL given at launch
    assert emulator.log == []  # nor to the environment's
    assert report is None
    assert "demo-api-key" not in run.stdout + run.stderr


def test_a_relative_report_file_lands_in_the_working_directory_and_a_missing_directory_fails_before_any_call(emulator, run_playbook, tmp_path):
    # run_playbook starts ansible-playbook in tmp_path, outside the checkout and the installed collection.
    run, _report = onboard(run_playbook, tmp_path, [PEOPLE[2]], extra={"user_onboarding_report_file": "rel-report.json"})
    assert run.rc == 0, run
    assert json.loads((tmp_path / "rel-report.json").read_text())["people"][0]["username"] == "eonly"
    assert stat.S_IMODE((tmp_path / "rel-report.json").stat().st_mode) == 0o600

    emulator.clear_log()
    state = json.dumps(emulator.state, sort_keys=True)
    run, _report = onboard(run_playbook, tmp_path, [PEOPLE[0]], extra={"user_onboarding_report_file": "missing/report.json"})
    assert run.rc == 2, run
    assert "the directory %s does not exist: create it first, or choose another path" % (tmp_path / "missing") in run.stdout
    assert emulator.log == []
    assert json.dumps(emulator.state, sort_keys=True) == state


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The same people with their teams by slug: no team list to read before the first person.
BY_SLUG = [dict(PEOPLE[0], teams=[OPERATIONS]), dict(PEOPLE[1], teams=[DATABASE, OPERATIONS]), dict(PEOPLE[2], teams=[DATABASE])]


@pytest.mark.parametrize("failure", ["refused", "authentication"])
def test_after_a_connection_or_authentication_failure_the_others_are_not_attempted(emulator, run_playbook, tmp_path, failure):
    if failure == "refused":
        env = {"VICTOROPS_API_URL": "http://127.0.0.1:%d" % _closed_port()}
        reason = "connection failed"
    else:
        env = {"VICTOROPS_API_KEY": "wrong-key"}
        reason = "authentication failed"
    started = time.monotonic()
    run, report = onboard(run_playbook, tmp_path, BY_SLUG, env=env)
    elapsed = time.monotonic() - started

    assert run.rc == 2, run
    assert [e["status"] for e in report] == ["failed", "not attempted", "not attempted"]
    assert report[0]["failed"].startswith("Create or update the user pstone: ")
    assert reason in report[0]["failed"]
    assert report[0]["error"] == ("connection" if failure == "refused" else "authentication")
    for later in report[1:]:
        # The first failure's own cause, short: not Ansible's loop summary, not a long exception repeated.
        assert later["failed"].startswith("pstone failed: ")
        assert reason in later["failed"]
        assert later["failed"].endswith("; fix the connection or credentials and run again")
        assert len(later["failed"]) <= 300
        assert "One or more items failed" not in later["failed"]
    lines = run.result(REPORT_TASK)["msg"]
    assert lines[1].startswith("rdiaz: NOT ATTEMPTED: pstone failed: ")
    assert run.result(FAIL_TASK)["msg"].startswith("Onboarding failed for 3 of 3 people: pstone, rdiaz, eonly.")
    # One person's attempt, not three: the user module ran for the first person only.
    module_runs = [r for r in run.records if r["task"].startswith(ROLE + "Create or update the user") and r["status"] != "skipped"]
    assert len(module_runs) == 1
    if failure == "authentication":
        assert [(e["operation"], e["status"] in (401, 403)) for e in emulator.log] == [("GET /api-public/v1/user/{user}", True)]
    else:
        assert emulator.log == []
    assert elapsed < 120


def test_a_read_only_key_stops_the_run_at_its_first_refusal_without_waiting(emulator, run_playbook, tmp_path):
    env = {"VICTOROPS_API_ID": "demo-readonly-id", "VICTOROPS_API_KEY": "demo-readonly-key"}

    run, report = onboard(run_playbook, tmp_path, BY_SLUG, env=env)
    ended = time.time()

    assert run.rc == 2, run
    assert [e["status"] for e in report] == ["failed", "not attempted", "not attempted"]
    assert report[0]["error"] == "authentication"
    assert all(later["failed"].startswith("pstone failed: ") for later in report[1:])
    refusals = [e for e in emulator.log if e["status"] == 403]
    # One refused write and nothing sent after it. The run's remaining tasks (the report, the skipped people) take a
    # few seconds, more on a loaded machine; the bound is generous, the request log above is the exact check.
    assert len(refusals) == 1, emulator.log
    assert emulator.log[-1] is not None and emulator.log[-1]["time"] == refusals[0]["time"]
    assert ended - refusals[0]["time"] < 30


def test_when_the_team_list_cannot_be_read_nobody_is_attempted(emulator, run_playbook, tmp_path):
    run, report = onboard(run_playbook, tmp_path, PEOPLE, env={"VICTOROPS_API_KEY": "wrong-key"})

    assert run.rc == 2, run
    assert [e["status"] for e in report] == ["not attempted"] * 3
    assert report[0]["failed"].startswith("Read the team list to resolve the teams given by name: ")
    assert "authentication failed" in report[0]["failed"]
    assert [r for r in run.records if r["task"].startswith(ROLE + "Create or update the user") and r["status"] != "skipped"] == []
    assert [(e["operation"], e["status"] in (401, 403)) for e in emulator.log] == [("GET /api-public/v1/team", True)]


def _more_people(count):
    """People beyond PEOPLE: a phone, a team by name and by slug, the standard template."""
    return [
        {
            "username": "lane%d" % n,
            "first_name": "Lane",
            "last_name": "Person %d" % n,
            "email": "lane%d@example.com" % n,
            "phone": "+1555011%04d" % n,
            "teams": ["Operations", DATABASE] if n % 2 else ["database"],
        }
        for n in range(count)
    ]


def _outcome(emulator):
    """The organisation's users and teams with every id replaced by what it names: comparable across runs."""
    users = {}
    for name, user in emulator.state["users"].items():
        methods = user["contact_methods"]
        by_id = {m["id"]: (kind, m["value"]) for kind in ("phones", "emails") for m in methods[kind] if "id" in m}
        users[name] = {
            "names": (user["firstName"], user["lastName"], user["email"]),
            "phones": sorted((m["label"], m["value"]) for m in methods["phones"]),
            "emails": sorted((m["label"], m["value"]) for m in methods["emails"]),
            "policy": [
                (step["timeout"], [(rule["type"], by_id.get(rule.get("contact_id"), rule.get("contact_id"))) for rule in step["rules"]])
                for step in user["paging_policy"]
            ],
        }
    teams = {slug: sorted(team["members"]) for slug, team in emulator.state["teams"].items()}
    return users, teams


@pytest.mark.long
def test_people_in_lanes_end_as_the_role_one_after_another_with_the_same_calls_and_report(emulator, run_playbook, tmp_path):
    people = PEOPLE + _more_people(4)

    run, report = onboard(run_playbook, tmp_path, people, extra={"user_onboarding_concurrency": 0}, name="bad.yml")
    assert run.rc != 0 and report is None, run
    assert "user_onboarding_concurrency must be a whole number of 1 or more" in run.stdout, run
    assert emulator.log == []

    # The role's main entry point handles everyone one after another, whatever the concurrency.
    serial, serial_report = onboard(run_playbook, tmp_path, people, extra={"user_onboarding_concurrency": 3}, name="serial.yml", play=ROLE_PLAY)
    assert serial.rc == 0, serial
    assert "user_onboarding_lane_" not in serial.stdout
    serial_state, serial_calls = _outcome(emulator), operation_counts(emulator)

    emulator.reset()
    lanes, lanes_report = onboard(run_playbook, tmp_path, people, extra={"user_onboarding_concurrency": 3}, name="lanes.yml")
    assert lanes.rc == 0, lanes
    # The first person alone on the controller's host, then 6 people in 3 lanes of 2, each on a host of its own.
    for host in ("user_onboarding_lane_1", "user_onboarding_lane_2", "user_onboarding_lane_3"):
        assert re.search(r"^%s\s*: ok=\d+\s+changed=[1-9]" % host, lanes.stdout, re.MULTILINE), lanes
    assert "user_onboarding_lane_4" not in lanes.stdout
    assert lanes_report == serial_report
    assert [entry["username"] for entry in lanes_report] == [person["username"] for person in people]
    assert _outcome(emulator) == serial_state
    assert operation_counts(emulator) == serial_calls
    assert lanes.result(ESTIMATE_TASK)["msg"].startswith("Onboarding 7 people (3 at once) makes at most ")
