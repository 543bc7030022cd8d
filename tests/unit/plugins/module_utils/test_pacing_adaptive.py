"""The adaptive profile: what a throttled answer teaches the pacer, where it is kept, and for how long.

The last tests drive the pacer against a simulated server that enforces one documented table (a sliding window
per operation, counting the requests it accepts, like the emulator) with a fake clock, and check the issue's
targets for throttled answers: at most 5 in a first run, none once the table is known.
"""

import json
import os
import shutil
import tempfile

import pytest
from ansible_collections.victorops.oncall.tests.pacing_simulation import level_of
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import LEARN_TTL, Pacer
from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import LEVELS, limits_for
from ansible_collections.victorops.oncall.tests.pacing_simulation import FakeClock, Server, run

KEY = "https://api.example.test|id-4f2a"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def state_root(tmp_path):
    """A directory for state files, in memory when the machine has /dev/shm: the simulations rewrite the file thousands of times."""
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        root = tempfile.mkdtemp(dir="/dev/shm", prefix="pacing-test-")
        yield root
        shutil.rmtree(root, ignore_errors=True)
    else:
        yield str(tmp_path)


@pytest.fixture
def make(clock, state_root):
    def build(**options):
        settings = dict(window=60.0, state_dir=os.path.join(state_root, "pacing"), clock=clock.time, sleep=clock.sleep)
        settings.update(options)
        return Pacer(KEY, **settings)

    return build


def send(pacer, clock, operation, count, duration=0.0):
    for dummy in range(count):
        token = pacer.acquire(operation)
        clock.now += duration
        pacer.release(token)


def test_throttle_after_fifteen_calls_in_a_minute_means_the_2018_table_for_every_operation(make, clock):
    pacer = make()
    send(pacer, clock, "get_user", 16)  # the 16th is the one the server refused
    assert pacer.throttled("get_user", 1.0) == "2018"
    assert pacer.learnt() == {"level": "2018", "operations": {}}
    # Every operation now keeps the 2018 limits too: the server's limits are per account.
    assert level_of(pacer, "list_escalation_policies") == "2018"
    assert pacer.limits("get_paging_policy")[-1].count == 15
    assert pacer.throttles == {"get_user": 1}


def test_throttle_after_twenty_paging_policy_reads_means_the_2020_table(make, clock):
    pacer = make()
    send(pacer, clock, "get_paging_policy", 21)
    assert pacer.throttled("get_paging_policy", 1.0) == "2020"
    assert level_of(pacer, "get_user") == "2020"
    start = clock.now
    send(pacer, clock, "get_user", 61)
    # 2 a second still, and 60 a minute: the 61st waits for the first to leave the window.
    assert clock.now - start == pytest.approx(60.0, abs=1e-3)


def test_the_next_request_waits_for_the_window_the_server_counts(make, clock):
    pacer = make()
    start = clock.now
    send(pacer, clock, "get_user", 16)
    pacer.throttled("get_user", 0.5)
    clock.sleeps.clear()
    pacer.acquire("get_user")
    # 16 requests sit in the window (the refused one included, conservatively): the 2nd, sent at +0.5 s, must expire.
    assert clock.now == pytest.approx(start + 60.5)


def test_a_throttle_no_documented_table_explains_steps_that_operation_down_one_table(make, clock):
    pacer = make()
    send(pacer, clock, "create_user", 3)
    assert pacer.throttled("create_user", 0.5) == "2020"
    assert pacer.learnt() == {"level": "2ps", "operations": {"create_user": "2020"}}
    assert level_of(pacer, "get_user") == "2ps"
    send(pacer, clock, "create_user", 1)
    assert pacer.throttled("create_user", 0.5) == "2018"
    assert level_of(pacer, "create_user") == "2018"


def test_never_below_the_2018_table(make, clock):
    pacer = make()
    send(pacer, clock, "list_escalation_policies", 2)
    assert pacer.throttled("list_escalation_policies", 1.0) == "2018"
    for dummy in range(3):
        send(pacer, clock, "list_escalation_policies", 1)
        assert pacer.throttled("list_escalation_policies", 1.0) == "2018"
    assert pacer.limits("list_escalation_policies") == limits_for("list_escalation_policies", "2018")
    assert pacer.learnt() == {"level": "2018", "operations": {}}


def test_what_was_learnt_is_shared_through_the_state_file(make, clock):
    first, second = make(), make()
    send(first, clock, "get_user", 16)
    first.throttled("get_user", 1.0)
    assert level_of(second, "add_phone") == "2018"
    with open(first.state_path) as handle:
        learnt = json.load(handle)["learnt"]
    assert learnt == {"level": "2018", "until": pytest.approx(clock.now + LEARN_TTL)}


def test_what_was_learnt_expires_so_a_raised_limit_is_found_again(make, clock):
    pacer = make()
    send(pacer, clock, "get_user", 16)
    pacer.throttled("get_user", 1.0)
    clock.now += LEARN_TTL - 1
    assert level_of(make(), "get_user") == "2018"
    clock.now += 2
    assert level_of(make(), "get_user") == "2ps"


def test_deleting_the_state_file_forgets(make, clock):
    pacer = make()
    send(pacer, clock, "get_user", 16)
    pacer.throttled("get_user", 1.0)
    os.unlink(pacer.state_path)
    assert level_of(make(), "get_user") == "2ps"


def test_a_fixed_table_learns_nothing(make, clock):
    pacer = make(profile="2ps")
    send(pacer, clock, "get_user", 16)
    assert pacer.throttled("get_user", 1.0) == "2ps"
    assert pacer.limits("get_user") == limits_for("get_user", "2ps")
    assert make().learnt() == {"level": "2ps", "operations": {}}
    assert level_of(make(profile="auto"), "get_user") == "2ps"


def test_an_overridden_operation_keeps_its_limit(make, clock):
    pacer = make(overrides={"get_user": 100})
    send(pacer, clock, "get_user", 5)
    pacer.throttled("get_user", 1.0)
    assert pacer.limits("get_user") == limits_for("get_user", "auto", None, {"get_user": 100})
    assert pacer.learnt() == {"level": "2ps", "operations": {}}


# ----- against a simulated server (tests/pacing_simulation.py) -----------------------------------------------


@pytest.mark.parametrize("table", LEVELS)
@pytest.mark.parametrize("people", [10, 50])
def test_throttled_answers_and_time_against_each_table(make, clock, state_root, table, people):
    server = Server(clock, table)
    first = run(make(), server, clock, people, overhead=0.5)
    assert sum(server.throttled.values()) <= 5, server.throttled
    server.throttled.clear()
    clock.now += 120.0
    again = run(make(), server, clock, people, overhead=0.5)
    assert sum(server.throttled.values()) == 0, server.throttled
    # The same run paced at the server's own table from the start: the best a pacer that knew it could do.
    clock.now += 120.0
    known = run(make(profile=table, state_dir=os.path.join(state_root, "known")), Server(clock, table), clock, people, overhead=0.5)
    assert first <= 1.15 * known, (first, known)
    assert again <= 1.01 * known, (again, known)


@pytest.mark.parametrize("table", LEVELS)
def test_back_to_back_calls_learn_the_servers_table(make, clock, table):
    server = Server(clock, table)
    pacer = make()
    run(pacer, server, clock, 50, overhead=0.0)
    assert sum(server.throttled.values()) <= 5, server.throttled
    assert pacer.learnt() == {"level": table, "operations": {}}
    server.throttled.clear()
    clock.now += 120.0
    run(make(), server, clock, 50, overhead=0.0)
    assert sum(server.throttled.values()) == 0, server.throttled
