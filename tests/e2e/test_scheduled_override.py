"""victorops.oncall.victorops_scheduled_override through a real ansible-playbook: --check and --diff given on the
command line, the FQCN, then a run and the same task again sending no write.

Each behaviour of the module, with its exact requests, is tested in process: tests/unit/plugins/modules/test_scheduled_override.py.
"""

import datetime

import pytest

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import diff_of, run_twice, tasks_yaml

pytestmark = pytest.mark.slow

MODULE = "victorops.oncall.victorops_scheduled_override"


def test_check_and_diff_from_the_command_line_then_a_run_and_a_rerun_without_writes(emulator, run_playbook):
    now = datetime.datetime.fromtimestamp(emulator.now(), datetime.UTC)
    monday = (now + datetime.timedelta(days=14 - now.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    # Wall-clock times in Paris, as a person gives them; the override is kept in UTC.
    start, end = monday.strftime("%Y-%m-%dT09:00"), (monday + datetime.timedelta(days=4)).strftime("%Y-%m-%dT18:00")
    tasks = [{"name": "away", MODULE: {"username": "asmith", "start": start, "end": end, "timezone": "Europe/Paris", "replacement": "bwong"}}]

    run = run_playbook(tasks_yaml(*tasks), check=True, diff=True)
    assert run.rc == 0, run
    assert run.records[0]["action"] == MODULE
    result = run.result("away")
    assert result["changed"] is True and result["created"] is True
    assert diff_of(result)["before"] == {}
    assert diff_of(result)["after"]["username"] == "asmith"
    assert '"asmith"' in run.stdout  # --diff shows the change
    assert emulator.writes() == []
    assert emulator.state["overrides"] == {}

    emulator.clear_log()
    run = run_playbook(tasks_yaml(*run_twice(tasks)))
    assert run.rc == 0, run
    result = run.result("away")
    assert result["changed"] is True
    override = result["override"]
    assert [(a["policy"], a["replacement"]) for a in override["assignments"]] == [("pol-Hs7opsDemoPol001", "bwong"), ("team-Q2opsDemoTeam001", "bwong")]
    assert [(w["method"], w["path"]) for w in emulator.writes()] == [
        ("POST", "/api-public/v1/overrides"),
        ("PUT", "/api-public/v1/overrides/%s/assignments/pol-Hs7opsDemoPol001" % override["id"]),
        ("PUT", "/api-public/v1/overrides/%s/assignments/team-Q2opsDemoTeam001" % override["id"]),
    ]
    (stored,) = emulator.state["overrides"].values()
    assert stored["username"] == "asmith" and stored["assignments"] == {"pol-Hs7opsDemoPol001": "bwong", "team-Q2opsDemoTeam001": "bwong"}
    # 09:00 in Paris is 08:00 UTC (winter time, +01:00) or 07:00 UTC (summer time, +02:00).
    assert override["start"][11:] in ("08:00:00Z", "07:00:00Z") and override["start"][:10] == start[:10]
    assert datetime.datetime.fromtimestamp(stored["start"], datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") == override["start"]
    again = run.result("away again")
    assert again["changed"] is False and again["api"]["writes"] == 0 and again["api"]["calls"] == 1, again
    assert again["override"] == override
