"""The adaptive pacer against the emulator's 2ps table, in process: counted per rolling second (``rate-2ps``) and
spaced evenly (``rate-2ps-even``: 2 requests a second per operation only when they come half a second apart).

Against the rolling second nothing is throttled. Against even spacing the first run draws one throttled answer,
learns even spacing for the account and waits from then on; the next run draws none."""

import glob
import json
import os

import pytest

CONTACT_METHODS = "GET /api-public/v1/user/{user}/contact-methods"
USERS = ["jdoe", "asmith", "bwong", "cnguyen"]


def read_contact_methods(run_module, emulator):
    """One user list, then each user's contact methods one after the other in one process; the statuses of those."""
    result = run_module("victorops_user_info", usernames=USERS, teams=False, paging_policy=False)
    assert not result.get("failed"), result
    assert [user["username"] for user in result["users"]] == USERS
    statuses = [entry["status"] for entry in emulator.calls(operation=CONTACT_METHODS)]
    emulator.clear_log()
    return result, statuses


def pacing_state():
    (path,) = glob.glob(os.path.join(os.environ["VICTOROPS_PACING_STATE_DIR"], "*.json"))
    with open(path) as handle:
        return json.load(handle)


# The API's own 60-second window: the half second between two requests is far longer than an answer on loopback.
@pytest.mark.emulator(window=60.0, variants=["rate-2ps-even"])
def test_the_adaptive_pacer_learns_an_evenly_spacing_server_from_one_throttle(run_module, emulator):
    first, statuses = read_contact_methods(run_module, emulator)
    assert statuses.count(429) == 1 and statuses.count(200) == len(USERS), statuses
    assert first["api"]["retries"] == 1
    state = pacing_state()
    assert state["even"] and state["learnt"] == {} and state["op_levels"] == {}
    second, statuses = read_contact_methods(run_module, emulator)
    assert statuses == [200] * len(USERS)
    assert second["api"]["retries"] == 0 and second["api"]["pacing_wait"] > 0


@pytest.mark.emulator(window=60.0, variants=["rate-2ps"])
def test_a_rolling_second_takes_the_whole_allowance_without_a_throttle(run_module, emulator):
    result, statuses = read_contact_methods(run_module, emulator)
    assert statuses == [200] * len(USERS)
    assert result["api"]["retries"] == 0
    assert pacing_state()["even"] == {}
