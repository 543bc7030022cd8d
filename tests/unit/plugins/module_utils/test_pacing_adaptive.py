"""The adaptive profile: what a throttled answer teaches the pacer, where it is kept, and for how long.

The last tests drive the pacer against a simulated server that enforces one documented table (a sliding window
per operation, counting the requests it accepts, like the emulator) with a fake clock, and check the issue's
targets for throttled answers: at most 5 in a first run, none once the table is known.
"""

import json
import os
import random
import shutil
import tempfile

import pytest
from ansible_collections.victorops.oncall.tests.pacing_simulation import level_of
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import LEARN_TTL, Pacer
from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import LEVELS, Limit, limits_for
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
    assert pacer.learnt() == {"level": "2018", "operations": {}, "even": False}
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
    # Three back to back: two at once, the third a second later, as 2 a second allows; no closer than evenly.
    send(pacer, clock, "create_user", 3)
    assert pacer.throttled("create_user", 0.5) == "2020"
    assert pacer.learnt() == {"level": "2ps", "operations": {"create_user": "2020"}, "even": False}
    assert level_of(pacer, "get_user") == "2ps"
    clock.now += 1.0  # 60 a minute spread evenly: one a second
    send(pacer, clock, "create_user", 1)
    assert pacer.throttled("create_user", 0.5) == "2018"
    assert level_of(pacer, "create_user") == "2018"
    assert pacer.learnt()["even"] is False


def test_never_below_the_2018_table(make, clock):
    pacer = make()
    send(pacer, clock, "get_user", 16)
    assert pacer.throttled("get_user", 1.0) == "2018"
    for dummy in range(3):
        clock.now += 10.0  # 6 a minute spread evenly: the throttle is not the spacing's
        send(pacer, clock, "take_on_call", 1)
        assert pacer.throttled("take_on_call", 1.0) == "2018"
    assert pacer.limits("take_on_call") == limits_for("take_on_call", "2018")
    assert pacer.learnt() == {"level": "2018", "operations": {}, "even": False}


def test_a_throttle_of_the_once_a_minute_policy_list_teaches_nothing(make, clock):
    # Paced at its strictest documented limit from the start: already at the floor.
    pacer = make()
    send(pacer, clock, "list_escalation_policies", 2)
    assert clock.sleeps == [60.0]
    assert pacer.throttled("list_escalation_policies", 1.0) == "2018"
    assert pacer.learnt() == {"level": "2ps", "operations": {}, "even": False}
    assert pacer.limits("list_escalation_policies") == limits_for("list_escalation_policies", "2018")
    assert level_of(pacer, "get_user") == "2ps"


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
    assert make().learnt() == {"level": "2ps", "operations": {}, "even": False}
    assert level_of(make(profile="auto"), "get_user") == "2ps"


def test_an_overridden_operation_keeps_its_limit(make, clock):
    pacer = make(overrides={"get_user": 100})
    send(pacer, clock, "get_user", 5)
    pacer.throttled("get_user", 1.0)
    assert pacer.limits("get_user") == limits_for("get_user", "auto", None, {"get_user": 100})
    assert pacer.learnt() == {"level": "2ps", "operations": {}, "even": False}


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
    assert pacer.learnt() == {"level": table, "operations": {}, "even": False}
    server.throttled.clear()
    clock.now += 120.0
    run(make(), server, clock, 50, overhead=0.0)
    assert sum(server.throttled.values()) == 0, server.throttled


# ----- the whole allowance, and a server that spaces requests evenly ------------------------------------------


def test_back_to_back_requests_use_the_whole_allowance_of_a_rolling_second(make, clock):
    server = Server(clock, "2ps")
    pacer = make()
    start = clock.now
    for dummy in range(20):
        pacer.release(pacer.acquire("update_step"))
        assert server.request("update_step")
    # Two at once every second: the 20th goes 9 s after the first (one every half second took 9.5 s).
    assert clock.now - start == pytest.approx(9.0)
    assert server.throttled == {}


@pytest.mark.parametrize("seed", range(5))
def test_a_rolling_second_server_never_counts_more_than_its_limit(make, clock, seed):
    """Random request durations and gaps: the server counts each request when it arrives (mid-request), the pacer
    from its completion, so the pacer's window always holds every request the server's does."""
    rng = random.Random(seed)
    server = Server(clock, "2ps")
    pacer = make()
    for dummy in range(300):
        operation = rng.choice(("update_step", "get_paging_policy", "get_user"))
        clock.now += rng.choice((0.0, 0.0, rng.uniform(0.0, 0.6)))
        token = pacer.acquire(operation)
        duration = rng.uniform(0.0, 0.4)
        clock.now += duration * rng.random()
        assert server.request(operation), (operation, clock.now)
        clock.now += duration
        pacer.release(token)
    assert sum(server.calls.values()) == 300 and not server.throttled


@pytest.mark.parametrize("people", [10, 50])
def test_an_evenly_spacing_server_is_learnt_from_one_throttle(make, clock, people):
    server = Server(clock, "2ps", even=True)
    pacer = make()
    run(pacer, server, clock, people, overhead=0.0)
    assert sum(server.throttled.values()) == 1, server.throttled
    assert pacer.learnt() == {"level": "2ps", "operations": {}, "even": True}
    # Learnt for the account: every operation paced one every half second (one a second for a paging policy).
    assert pacer.limits("create_step") == (Limit(1, 0.5),)
    assert pacer.limits("get_paging_policy") == (Limit(1, 1.0),)
    server.throttled.clear()
    clock.now += 120.0
    run(make(), server, clock, people, overhead=0.0)
    assert sum(server.throttled.values()) == 0, server.throttled


def test_even_spacing_is_kept_in_the_state_file_and_expires(make, clock):
    pacer = make()
    send(pacer, clock, "create_step", 2)  # two at once: the whole allowance of a rolling second
    assert pacer.throttled("create_step", 0.5) == "2ps"
    with open(pacer.state_path) as handle:
        assert json.load(handle)["even"] == {"until": pytest.approx(clock.now + LEARN_TTL)}
    assert make().learnt() == {"level": "2ps", "operations": {}, "even": True}
    clock.now += LEARN_TTL + 1
    assert make().learnt() == {"level": "2ps", "operations": {}, "even": False}
    assert make().limits("create_step") == limits_for("create_step", "2ps")


def test_a_throttle_a_slower_table_explains_still_moves_to_that_table(make, clock):
    # 15 back to back in pairs, then the 16th refused: the 2018 table explains it, even spacing is not learnt.
    pacer = make()
    send(pacer, clock, "get_user", 16)
    assert pacer.throttled("get_user", 0.5) == "2018"
    assert pacer.learnt() == {"level": "2018", "operations": {}, "even": False}


def test_once_even_a_further_unexplained_throttle_steps_the_operation_down(make, clock):
    pacer = make()
    send(pacer, clock, "create_step", 2)
    pacer.throttled("create_step", 0.5)
    send(pacer, clock, "create_step", 2)  # paced one every half second now
    assert pacer.throttled("create_step", 0.5) == "2020"
    assert pacer.learnt() == {"level": "2ps", "operations": {"create_step": "2020"}, "even": True}
    assert pacer.limits("create_step") == (Limit(1, 1.0),)  # 60 a minute, evenly


def test_a_fixed_profile_and_an_override_ignore_even_spacing(make, clock):
    pacer = make()
    send(pacer, clock, "create_step", 2)
    pacer.throttled("create_step", 0.5)
    assert make(profile="2ps").limits("create_step") == limits_for("create_step", "2ps")
    assert make(profile="2ps").learnt()["even"] is False
    assert make(overrides={"create_step": 30}).limits("create_step") == limits_for("create_step", "auto", None, {"create_step": 30})


def test_a_state_file_without_even_spacing_keeps_what_it_learnt(make, clock):
    pacer = make()
    os.makedirs(pacer.state_dir, mode=0o700)
    with open(pacer.state_path, "w") as handle:
        json.dump({"version": 2, "ops": {}, "blocked": {}, "learnt": {"level": "2020", "until": clock.now + 60.0}, "op_levels": {}}, handle)
    assert pacer.learnt() == {"level": "2020", "operations": {}, "even": False}
    pacer.release(pacer.acquire("get_user"))


def test_even_spacing_further_than_one_ttl_ahead_is_dropped(make, clock):
    pacer = make()
    os.makedirs(pacer.state_dir, mode=0o700)
    for until, even in ((clock.now + 10 * LEARN_TTL, False), (clock.now + 10.0, True)):
        with open(pacer.state_path, "w") as handle:
            json.dump({"version": 2, "ops": {}, "blocked": {}, "learnt": {}, "op_levels": {}, "even": {"until": until}}, handle)
        assert make().learnt()["even"] is even
