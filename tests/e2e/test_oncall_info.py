"""victorops.oncall.victorops_oncall_info and the lookup victorops.oncall.oncall through a real ansible-playbook: a
scheduled absence (made through the emulator's API) shows its replacement on call inside and the regular person
outside, in the module's schedule and in the lookup, with the exact reads.

Each behaviour, with its exact requests, is tested in process: tests/unit/plugins/modules/test_oncall_info.py and
tests/unit/plugins/lookup/test_oncall_lookup.py.
"""

import datetime

import pytest
import requests
from ansible_collections.victorops.oncall.tests.schedule_helpers import utc_text as text

pytestmark = pytest.mark.slow

HIGH = "pol-Hs7opsDemoPol001"  # rotates asmith, jdoe weekly: asmith this week and in two weeks
OPS = "team-Q2opsDemoTeam001"
UTC = datetime.timezone.utc  # noqa: UP017 (the modules keep to Python before 3.11)

TASKS = """
- name: read the schedule
  victorops.oncall.victorops_oncall_info:
    team: Operations
    days_forward: 30
    at: "{{ inside }}"
  register: ops

- name: ask the lookup
  ansible.builtin.set_fact:
    covering: "{{ lookup('victorops.oncall.oncall', 'Operations High Severity', at=inside) }}"
    after: "{{ query('victorops.oncall.oncall', 'pol-Hs7opsDemoPol001', 'Operations', at=outside) }}"
    now: "{{ lookup('victorops.oncall.oncall', 'pol-Hs7opsDemoPol001') }}"
"""


def test_a_scheduled_absence_in_the_module_and_the_lookup(emulator, run_playbook):
    now = datetime.datetime.now(UTC)
    monday = (now - datetime.timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(weeks=2)
    start, end = monday + datetime.timedelta(days=1), monday + datetime.timedelta(days=3)
    headers = {"X-VO-Api-Id": "demo-api-id", "X-VO-Api-Key": "demo-api-key"}
    base = emulator.url + "/api-public/v1/overrides"
    created = requests.post(base, json=dict(username="asmith", start=text(start), end=text(end), timezone="UTC"), headers=headers, timeout=10)
    public_id = created.json()["override"]["publicId"]
    assigned = requests.put("%s/%s/assignments/%s" % (base, public_id, HIGH), json=dict(policy=HIGH, username="bwong"), headers=headers, timeout=10)
    assert assigned.status_code == 200, assigned.text
    emulator.clear_log()
    inside, outside = text(start + datetime.timedelta(hours=6)), text(end + datetime.timedelta(hours=6))  # a Tuesday, a Thursday

    run = run_playbook(TASKS, extra_args=["-e", "inside=%s outside=%s" % (inside, outside)])
    assert run.rc == 0, run

    result = run.result("read the schedule")
    assert result["changed"] is False
    assert result["api"]["operations"] == {"list_teams": 1, "get_team_schedule": 1}
    assert result["on_call_now"] == {OPS: ["bwong"], HIGH: ["bwong"]}
    (high,) = [entry for entry in result["schedule"] if entry["policy"] == HIGH]
    assert [(s["username"], s["start"], s["end"], s["override"]) for s in high["shifts"] if s["start"] >= text(monday)][:3] == [
        ("asmith", text(monday), text(start), False),
        ("bwong", text(start), text(end), True),
        ("asmith", text(end), text(monday + datetime.timedelta(weeks=1)), False),
    ]

    facts = run.result("ask the lookup")["ansible_facts"]
    assert facts["covering"] == ["bwong"]
    assert facts["after"] == [["asmith"], ["asmith", "bwong"]]
    assert facts["now"] == ["asmith"]

    # The module: the team list, then the schedule. The lookup at an instant: who is on call now (to find the team), then
    # the team's schedule, far enough ahead to reach the instant; now: who is on call now alone.
    calls = emulator.calls()
    assert [(c["method"], c["path"]) for c in calls] == [
        ("GET", "/api-public/v1/team"),
        ("GET", "/api-public/v2/team/%s/oncall/schedule" % OPS),
    ] + [("GET", "/api-public/v1/oncall/current"), ("GET", "/api-public/v2/team/%s/oncall/schedule" % OPS)] * 2 + [
        ("GET", "/api-public/v1/oncall/current"),
    ]
    assert calls[1]["query"] == {"daysForward": "30"}
    sent = sorted(int(calls[i]["query"]["daysForward"]) for i in (3, 5))
    # The days from the moment of each read to the instant, rounded up (the reads come a few seconds after ``now``).
    instants = [start + datetime.timedelta(hours=6), end + datetime.timedelta(hours=6)]
    reach = [sorted(int((moment - read).total_seconds() // 86400) + 1 for moment in instants) for read in (now, now + datetime.timedelta(minutes=1))]
    assert sent in reach, (sent, reach)
    assert emulator.writes() == []
    assert "demo-api-key" not in run.stdout
