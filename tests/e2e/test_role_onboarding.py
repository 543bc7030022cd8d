"""End-to-end tests of the role victorops.oncall.user_onboarding, run through the playbook victorops.oncall.onboard."""

import collections
import json
import re

import pytest
import yaml

pytestmark = pytest.mark.slow

ROLE = "victorops.oncall.user_onboarding : "
PLAY = "- name: onboard\n  ansible.builtin.import_playbook: victorops.oncall.onboard\n"
REPORT_TASK = ROLE + "Show the onboarding report"
FAIL_TASK = ROLE + "Fail when anyone could not be onboarded"
OPERATIONS = "team-Q2opsDemoTeam001"
DATABASE = "team-Db4DemoTeamAb002"

# One person with a phone and explicit steps, one on a named template, one without a phone.
PEOPLE = [
    {
        "username": "pstone",
        "first_name": "Pat",
        "last_name": "Stone",
        "email": "pat.stone@example.com",
        "phone": "+15550109001",
        "phone_label": "Work mobile",
        "teams": ["Operations"],
        "paging_steps": [
            {"timeout": 1, "rules": [{"type": "push"}, {"type": "sms", "contact": "phone"}]},
            {"timeout": 15, "rules": [{"type": "phone", "contact": "+15550109001"}, {"type": "email", "contact": "email"}]},
        ],
    },
    {
        "username": "rdiaz",
        "first_name": "Rosa",
        "last_name": "Diaz",
        "email": "rosa.diaz@example.com",
        "phone": "+15550109002",
        "teams": [DATABASE, "Operations"],
        "paging_template": "phone_first",
    },
    {
        "username": "eonly",
        "first_name": "Emil",
        "last_name": "Only",
        "email": "emil.only@example.com",
        "teams": ["database"],
        "paging_template": "email_only",
    },
]


def onboard(run_playbook, tmp_path, people, check=False, name="people.yml", extra=None):
    """Run the onboarding playbook with ``people`` as extra vars; the report goes to a JSON file."""
    report_file = tmp_path / ("report-" + name.replace(".yml", ".json"))
    if report_file.exists():
        report_file.unlink()
    variables = {"user_onboarding_people": people, "user_onboarding_report_file": str(report_file)}
    variables.update(extra or {})
    (tmp_path / name).write_text(yaml.safe_dump(variables, sort_keys=False))
    run = run_playbook(play=PLAY, check=check, extra_args=("-e", "@" + name))
    report = json.loads(report_file.read_text()) if report_file.exists() else None
    return run, report


def recap(run):
    match = re.search(r"^localhost\s*:\s*(.*)$", run.stdout, re.MULTILINE)
    assert match, run
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def contact_id(emulator, username, kind, value):
    methods = emulator.state["users"][username]["contact_methods"][kind]
    ids = [method["id"] for method in methods if method["value"] == value]
    assert len(ids) == 1, methods
    return ids[0]


def policy(emulator, username):
    """The user's paging policy in the emulator's normalised form: [{timeout, rules: [{type, contact_id}]}]."""
    return emulator.state["users"][username]["paging_policy"]


def members(emulator, slug):
    return emulator.state["teams"][slug]["members"]


def operation_counts(emulator):
    return dict(collections.Counter(entry["operation"] for entry in emulator.log))


def test_onboards_three_people_then_a_second_run_changes_nothing(emulator, run_playbook, tmp_path):
    run, report = onboard(run_playbook, tmp_path, PEOPLE)

    assert run.rc == 0, run
    assert report == [
        {"username": "pstone", "changed": ["user created", "phone +15550109001 added", "joined team Operations", "paging policy set"], "failed": None},
        {"username": "rdiaz", "changed": ["user created", "phone +15550109002 added", "joined team %s" % DATABASE, "joined team Operations",
                                          "paging policy set"], "failed": None},
        {"username": "eonly", "changed": ["user created", "joined team database", "paging policy set"], "failed": None},
    ]
    assert run.result(REPORT_TASK)["msg"] == [
        "pstone: changed: user created, phone +15550109001 added, joined team Operations, paging policy set",
        "rdiaz: changed: user created, phone +15550109002 added, joined team %s, joined team Operations, paging policy set" % DATABASE,
        "eonly: changed: user created, joined team database, paging policy set",
    ]

    users = emulator.state["users"]
    for person in PEOPLE:
        user = users[person["username"]]
        assert (user["firstName"], user["lastName"], user["email"]) == (person["first_name"], person["last_name"], person["email"])
    phones = {name: [(m["label"], m["value"]) for m in users[name]["contact_methods"]["phones"]] for name in ("pstone", "rdiaz", "eonly")}
    assert phones == {"pstone": [("Work mobile", "+15550109001")], "rdiaz": [("Mobile", "+15550109002")], "eonly": []}
    assert members(emulator, OPERATIONS) == ["jdoe", "asmith", "bwong", "pstone", "rdiaz"]
    assert members(emulator, DATABASE) == ["asmith", "cnguyen", "rdiaz", "eonly"]

    pat_phone = contact_id(emulator, "pstone", "phones", "+15550109001")
    pat_email = contact_id(emulator, "pstone", "emails", "pat.stone@example.com")
    assert policy(emulator, "pstone") == [
        {"timeout": 1, "rules": [{"type": "push", "contact_id": None}, {"type": "sms", "contact_id": pat_phone}]},
        {"timeout": 15, "rules": [{"type": "phone", "contact_id": pat_phone}, {"type": "email", "contact_id": pat_email}]},
    ]
    rosa_phone = contact_id(emulator, "rdiaz", "phones", "+15550109002")
    rosa_email = contact_id(emulator, "rdiaz", "emails", "rosa.diaz@example.com")
    assert policy(emulator, "rdiaz") == [
        {"timeout": 5, "rules": [{"type": "push", "contact_id": None}, {"type": "sms", "contact_id": rosa_phone}]},
        {"timeout": 5, "rules": [{"type": "phone", "contact_id": rosa_phone}]},
        {"timeout": 10, "rules": [{"type": "email", "contact_id": rosa_email}]},
    ]
    emil_email = contact_id(emulator, "eonly", "emails", "emil.only@example.com")
    assert policy(emulator, "eonly") == [
        {"timeout": 10, "rules": [{"type": "push", "contact_id": None}, {"type": "email", "contact_id": emil_email}]},
        {"timeout": 10, "rules": [{"type": "email", "contact_id": emil_email}]},
    ]

    # Second run over the same people: nothing changes, only reads are sent.
    state_after_first = json.dumps(emulator.state, sort_keys=True)
    emulator.clear_log()
    run, report = onboard(run_playbook, tmp_path, PEOPLE)

    assert run.rc == 0, run
    assert recap(run)["changed"] == 0
    assert [r["task"] for r in run.records if r["result"].get("changed")] == []
    assert report == [{"username": name, "changed": [], "failed": None} for name in ("pstone", "rdiaz", "eonly")]
    assert run.result(REPORT_TASK)["msg"] == ["pstone: no change", "rdiaz: no change", "eonly: no change"]
    assert emulator.writes() == []
    assert json.dumps(emulator.state, sort_keys=True) == state_after_first
    # Per person: the user; the phones (when a phone is given); per team, its members, plus the team
    # list when it is given by name; the paging policy, plus the contact methods when a rule names a contact.
    assert operation_counts(emulator) == {
        "GET /api-public/v1/user/{user}": 3,
        "GET /api-public/v1/user/{user}/contact-methods/phones": 2,
        "GET /api-public/v1/team": 3,
        "GET /api-public/v1/team/{team}/members": 4,
        "GET /api-public/v1/profile/{username}/policies": 3,
        "GET /api-public/v1/user/{user}/contact-methods": 3,
    }
    assert len(emulator.log) == 18


def test_one_failure_does_not_stop_the_others(emulator, run_playbook, tmp_path):
    people = [
        dict(PEOPLE[2], teams=["Operations", "No Such Team"]),
        # The default template ("standard") texts and calls the person's phone, and this person has none.
        {"username": "nophone", "first_name": "No", "last_name": "Phone", "email": "no.phone@example.com"},
        PEOPLE[0],
    ]

    run, report = onboard(run_playbook, tmp_path, people)

    assert run.rc == 2, run
    assert run.status(FAIL_TASK) == "failed"
    assert run.result(FAIL_TASK)["msg"] == (
        "Onboarding failed for 2 of 3 people: eonly, nophone. See the onboarding report above.")
    assert [entry["username"] for entry in report] == ["eonly", "nophone", "pstone"]
    assert report[0]["changed"] == ["user created", "joined team Operations"]
    assert report[0]["failed"].startswith("Add the team memberships of eonly: team 'No Such Team': ")
    assert report[1] == {
        "username": "nophone",
        "changed": [],
        "failed": "Check the phone needed by the paging policy of nophone: nophone has no phone, but their paging policy "
                  "(template standard) sends SMS or calls to their phone: give them a phone, or a policy without one such as the template email_only.",
    }
    assert report[2] == {"username": "pstone", "changed": ["user created", "phone +15550109001 added", "joined team Operations", "paging policy set"],
                         "failed": None}
    lines = run.result(REPORT_TASK)["msg"]
    assert lines[0].startswith("eonly: FAILED: Add the team memberships of eonly: team 'No Such Team': ")
    assert lines[0].endswith(" (changed before the failure: user created, joined team Operations)")
    assert lines[2] == "pstone: changed: user created, phone +15550109001 added, joined team Operations, paging policy set"

    users = emulator.state["users"]
    assert "nophone" not in users
    assert "eonly" in users and "pstone" in users
    # eonly stopped at the unknown team, before the paging policy: no write touched their policy.
    assert [e for e in emulator.writes() if e["path"].startswith("/api-public/v1/profile/eonly/")] == []
    assert len(policy(emulator, "pstone")) == 2


@pytest.mark.parametrize(
    "people, message",
    [
        pytest.param([{"username": "nomail", "first_name": "No", "last_name": "Mail"}],
                     "missing required arguments: email found in user_onboarding_people", id="missing-email"),
        pytest.param([dict(PEOPLE[2], paging_template="nope")],
                     "Invalid user_onboarding_people: eonly: unknown paging template 'nope' (known templates: email_only, phone_first, standard)",
                     id="unknown-template"),
        pytest.param([dict(PEOPLE[0], paging_steps=[{"timeout": 7, "rules": [{"type": "push"}]}])],
                     "value of timeout must be one of: 1, 5, 10, 15, 20, 25, 30, 45, 60, got: 7", id="bad-timeout"),
        pytest.param([PEOPLE[2], dict(PEOPLE[2], first_name="Again")],
                     "Invalid user_onboarding_people: username eonly appears more than once", id="duplicate"),
        pytest.param([dict(PEOPLE[0], paging_template="standard")],
                     "Invalid user_onboarding_people: pstone: give either paging_template or paging_steps, not both", id="template-and-steps"),
    ],
)
def test_bad_input_is_rejected_before_any_api_call(emulator, run_playbook, tmp_path, people, message):
    # A valid person first: nobody is onboarded when anyone's input is wrong.
    run, report = onboard(run_playbook, tmp_path, [PEOPLE[1]] + people)

    assert run.rc == 2, run
    failed = [r for r in run.records if r["status"] == "failed"]
    assert len(failed) == 1, run
    assert message in failed[0]["result"]["msg"]
    assert report is None
    assert emulator.log == []


def test_check_mode_writes_nothing_and_reports_what_would_change(emulator, run_playbook, tmp_path):
    people = PEOPLE[:2] + [dict(PEOPLE[2], username="cnguyen", first_name="Chloe", last_name="Nguyen-Park", email="chloe.nguyen@example.com")]
    state_before = json.dumps(emulator.state, sort_keys=True)

    run, report = onboard(run_playbook, tmp_path, people, check=True)

    assert run.rc == 0, run
    assert emulator.writes() == []
    assert json.dumps(emulator.state, sort_keys=True) == state_before
    assert report == [
        {"username": "pstone", "changed": ["user created", "phone +15550109001 added", "joined team Operations", "paging policy set"], "failed": None},
        {"username": "rdiaz", "changed": ["user created", "phone +15550109002 added", "joined team %s" % DATABASE, "joined team Operations",
                                          "paging policy set"], "failed": None},
        # An existing user: her name is updated; she is already in Database.
        {"username": "cnguyen", "changed": ["user updated", "paging policy set"], "failed": None},
    ]


def test_connection_variables_override_the_environment(emulator, run_playbook, tmp_path):
    # The environment points at a closed port with a wrong key; the role's variables carry the right ones.
    bad_env = {"VICTOROPS_API_URL": "http://127.0.0.1:9", "VICTOROPS_API_KEY": "wrong-key"}
    (tmp_path / "people.yml").write_text(yaml.safe_dump({
        "user_onboarding_people": [PEOPLE[2]],
        "victorops_api_url": emulator.url,
        "victorops_api_key": "demo-api-key",
    }))

    run = run_playbook(play=PLAY, extra_args=("-e", "@people.yml"), env=bad_env)

    assert run.rc == 0, run
    assert run.result(REPORT_TASK)["msg"] == ["eonly: changed: user created, joined team database, paging policy set"]
    # Every request authenticated; the one 404 is the read that finds the user missing before creating it.
    assert [(e["operation"], e["status"]) for e in emulator.log if e["status"] != 200] == [("GET /api-public/v1/user/{user}", 404)]
    assert "eonly" in emulator.state["users"]
