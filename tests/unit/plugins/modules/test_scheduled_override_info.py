"""victorops.oncall.victorops_scheduled_override_info run in process against the emulator: one read, the filters, the order."""

import datetime

import pytest

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import assert_task, module_task
from ansible_collections.victorops.oncall.tests.schedule_helpers import utc_text as z

task = module_task("victorops.oncall.victorops_scheduled_override")
info = module_task("victorops.oncall.victorops_scheduled_override_info")
LIST = {"list_overrides": 1}


@pytest.fixture
def absences(emulator, run_tasks):
    """Four overrides, created out of order: cnguyen's, asmith's two (the later first) and jdoe's, which is over."""
    now = datetime.datetime.fromtimestamp(emulator.now(), datetime.UTC).replace(microsecond=0)
    day = datetime.timedelta(days=1)
    periods = {
        "c": ("cnguyen", now + 3 * day, now + 5 * day),
        "a2": ("asmith", now + 20 * day, now + 22 * day),
        "a1": ("asmith", now - day, now + 2 * day),  # under way: not over
        "j": ("jdoe", now - 9 * day, now - 2 * day),  # over
    }
    run = run_tasks([task(key, username=user, start=z(start), end=z(end)) for key, (user, start, end) in periods.items()])
    assert run.rc == 0, run
    emulator.clear_log()
    return {key: (user, z(start), z(end)) for key, (user, start, end) in periods.items()}


def shown(result):
    return [(o["username"], o["start"], o["end"]) for o in result["overrides"]]


def test_future_only_by_default_sorted_by_username_then_start(emulator, run_tasks, absences):
    result = assert_task(run_tasks([info("read")]), "read", False, LIST)
    assert shown(result) == [absences["a1"], absences["a2"], absences["c"]]
    first = result["overrides"][0]
    assert sorted(first) == ["assignments", "end", "id", "start", "timezone", "username"]
    assert first["assignments"] == [
        {"policy": "pol-Hs7opsDemoPol001", "policy_name": None, "team": "team-Q2opsDemoTeam001", "replacement": None},
        {"policy": "team-Q2opsDemoTeam001", "policy_name": None, "team": "team-Q2opsDemoTeam001", "replacement": None},
    ]
    assert first["id"] in emulator.state["overrides"]
    assert emulator.writes() == []


def test_past_ones_and_a_username_filter(emulator, run_tasks, absences):
    run = run_tasks(
        [
            info("all", future_only=False),
            info("two people", username=["jdoe", "cnguyen"], future_only=False),
            info("two people, not over", username=["jdoe", "cnguyen"]),
            info("nobody", username=[]),
            info("unknown person", username=["nobody"]),
        ],
        check=True,
    )
    assert shown(assert_task(run, "all", False, LIST)) == [absences["a1"], absences["a2"], absences["c"], absences["j"]]
    assert shown(assert_task(run, "two people", False, LIST)) == [absences["c"], absences["j"]]
    assert shown(assert_task(run, "two people, not over", False, LIST)) == [absences["c"]]
    assert shown(assert_task(run, "nobody", False, LIST)) == []
    assert shown(assert_task(run, "unknown person", False, LIST)) == []
    assert len(emulator.calls()) == 5 and emulator.writes() == []


@pytest.mark.emulator(variants=["epoch-instants"])
def test_epoch_instants_read_as_utc_text(emulator, run_tasks, absences):
    result = assert_task(run_tasks([info("read", username=["cnguyen"])]), "read", False, LIST)
    assert shown(result) == [absences["c"]]


def test_a_bad_username_is_refused_before_any_call(emulator, run_tasks):
    run = run_tasks([dict(info("bad", username=["ok", "a/b"]), ignore_errors=True)])
    assert run.status("bad") == "failed"
    assert "username 'a/b' is not a valid username" in run.result("bad")["msg"]
    assert emulator.calls() == []
