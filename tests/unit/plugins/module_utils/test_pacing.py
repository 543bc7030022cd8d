"""Pacer with a fake clock: sliding windows, release at completion, penalties, the state file."""

import json
import os
import stat

import pytest
import yaml
from ansible_collections.victorops.oncall.plugins.doc_fragments._connection import ModuleDocFragment
from ansible_collections.victorops.oncall.plugins.module_utils import _pacing
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer, PacingTimeout, key_digest, pacing_key
from ansible_collections.victorops.oncall.tests.pacing_simulation import FakeClock, level_of

KEY = "https://api.example.test|id-4f2a"
GET_POLICY = "get_paging_policy"
PUT_STEP = "update_step"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make(clock, tmp_path):
    def build(**options):
        settings = dict(window=10.0, state_dir=str(tmp_path / "pacing"), clock=clock.time, sleep=clock.sleep)
        settings.update(options)
        return Pacer(KEY, **settings)

    return build


def test_sends_up_to_the_limit_then_waits_for_the_oldest_slot(make, clock):
    pacer = make(overrides={GET_POLICY: 3})
    start = clock.now
    for offset in (0.0, 1.0, 2.0):
        clock.now = start + offset
        pacer.release(pacer.acquire(GET_POLICY))
    assert clock.sleeps == []
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == [8.0]  # the slot sent at +0 expires at +10; it is now +2
    assert clock.now == start + 10.0
    assert pacer.waited == 8.0
    assert pacer.waits == {GET_POLICY: 8.0}


def test_release_moves_the_slot_to_the_completion_time(make, clock):
    pacer = make(overrides={GET_POLICY: 1})
    start = clock.now
    token = pacer.acquire(GET_POLICY)
    clock.now = start + 4.0  # the request took 4 s
    pacer.release(token)
    pacer.acquire(GET_POLICY)
    assert clock.now == start + 14.0
    assert clock.sleeps == [10.0]


def test_unreleased_reservation_expires_one_window_after_it_was_made(make, clock, tmp_path):
    start = clock.now
    crashed = make(overrides={GET_POLICY: 1})
    crashed.acquire(GET_POLICY)  # never released: its process died
    survivor = make(overrides={GET_POLICY: 1})
    clock.now = start + 3.0
    survivor.acquire(GET_POLICY)
    assert clock.now == start + 10.0
    assert clock.sleeps == [7.0]


def test_operations_have_separate_budgets(make, clock):
    pacer = make(overrides={GET_POLICY: 1, PUT_STEP: 1})
    pacer.release(pacer.acquire(GET_POLICY))
    pacer.release(pacer.acquire(PUT_STEP))
    assert clock.sleeps == []


def test_2018_profile_allows_one_policy_list_per_window(make, clock):
    pacer = make(window=60.0, profile="2018")
    pacer.release(pacer.acquire("list_escalation_policies"))
    pacer.acquire("list_escalation_policies")
    assert clock.sleeps == [60.0]


def test_2018_profile_allows_fifteen_of_the_rest(make, clock):
    pacer = make(window=60.0, profile="2018")
    for dummy in range(15):
        pacer.release(pacer.acquire(GET_POLICY))
    assert clock.sleeps == []
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == [60.0]


def test_2020_profile(make, clock):
    pacer = make(window=60.0, profile="2020")
    for dummy in range(20):
        pacer.release(pacer.acquire(GET_POLICY))
    assert clock.sleeps == []
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == [60.0]


def test_2ps_profile_sends_two_a_second_at_once_and_one_paging_policy_read(make, clock):
    pacer = make(window=60.0, profile="2ps")
    for dummy in range(5):
        pacer.release(pacer.acquire(PUT_STEP))
    # Two at once, then the next two once the first pair has left the second.
    assert clock.sleeps == [1.0, 1.0]
    for dummy in range(3):
        pacer.release(pacer.acquire(GET_POLICY))
    assert clock.sleeps == [1.0, 1.0, 1.0, 1.0]


def test_2ps_profile_is_compressed_with_the_rate_window(make, clock):
    pacer = make(window=1.0, profile="2ps")
    for dummy in range(3):
        pacer.release(pacer.acquire(PUT_STEP))
    assert clock.sleeps == [pytest.approx(1.0 / 60, abs=1e-6)]  # the fake clock's epoch rounds to 2.4e-7 s


def test_auto_starts_at_the_fastest_table(make, clock):
    pacer = make(window=60.0)
    assert pacer.profile == "auto"
    for dummy in range(40):
        pacer.release(pacer.acquire(PUT_STEP))
    assert clock.sleeps == [1.0] * 19
    assert level_of(pacer, PUT_STEP) == "2ps"


def test_auto_paces_the_once_a_minute_policy_list_at_its_limit_from_the_start(make, clock):
    pacer = make(window=60.0)
    pacer.release(pacer.acquire("list_escalation_policies"))
    pacer.release(pacer.acquire("list_escalation_policies"))
    assert clock.sleeps == [60.0]
    assert pacer.learnt() == {"level": "2ps", "operations": {}, "even": False}
    # A fixed profile keeps its table, and an override wins.
    fixed = make(window=60.0, profile="2ps", state_dir=pacer.state_dir + "-fixed")
    for dummy in range(2):
        fixed.release(fixed.acquire("list_escalation_policies"))
    overridden = make(window=60.0, overrides={"list_escalation_policies": 2}, state_dir=pacer.state_dir + "-override")
    for dummy in range(2):
        overridden.release(overridden.acquire("list_escalation_policies"))
    assert clock.sleeps == [60.0]


def test_instances_sharing_a_key_share_the_budget(make, clock, tmp_path):
    first = make(overrides={"default": 2})
    second = make(overrides={"default": 2})
    first.release(first.acquire(PUT_STEP))
    second.release(second.acquire(PUT_STEP))
    first.acquire(PUT_STEP)
    assert clock.sleeps == [10.0]
    assert second.waited == 0.0 and first.waited == 10.0


def test_different_keys_do_not_share(clock, tmp_path):
    settings = dict(window=10.0, state_dir=str(tmp_path), clock=clock.time, sleep=clock.sleep, overrides={"default": 1})
    Pacer("https://api.example.test|id-a", **settings).acquire(PUT_STEP)
    Pacer("https://api.example.test|id-b", **settings).acquire(PUT_STEP)
    assert clock.sleeps == []


def test_penalty_holds_everyone_back_for_that_operation_only(make, clock):
    pacer = make(profile="2018")
    other = make(profile="2018")
    pacer.throttled(GET_POLICY, 4.0)
    other.release(other.acquire(PUT_STEP))
    assert clock.sleeps == []
    other.acquire(GET_POLICY)
    assert clock.sleeps == [4.0]


def test_penalty_is_clamped_to_one_window(make, clock):
    pacer = make(profile="2018")
    pacer.throttled(GET_POLICY, 3600)
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == [10.0]


@pytest.mark.parametrize("delay", [float("nan"), float("inf"), -5, None])
def test_a_senseless_delay_blocks_nothing(make, clock, delay):
    pacer = make(profile="2018")
    pacer.throttled(GET_POLICY, delay)
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == []


def test_a_wait_never_exceeds_one_window_per_look(make, clock, tmp_path):
    pacer = make(overrides={GET_POLICY: 1})
    state = {"version": 2, "ops": {GET_POLICY: [[clock.now + 5000.0, None]]}, "blocked": {}}
    os.makedirs(pacer.state_dir, mode=0o700)
    with open(pacer.state_path, "w") as handle:
        json.dump(state, handle)
    # A slot far in the future (the wall clock went back) is pulled back to now: one window, not 5000 s.
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == [10.0]


def test_disabled_pacer_does_no_io_and_never_waits(make, clock, tmp_path):
    pacer = make(enabled=False, overrides={GET_POLICY: 1})
    for dummy in range(5):
        token = pacer.acquire(GET_POLICY)
        assert token is None
        pacer.release(token)
    pacer.throttled(GET_POLICY, 5)
    assert clock.sleeps == []
    assert not os.path.exists(str(tmp_path / "pacing"))


def test_state_files_are_private_and_free_of_the_key(make, tmp_path):
    pacer = make()
    pacer.release(pacer.acquire(GET_POLICY))
    pacer.throttled(GET_POLICY, 1.0)
    directory = tmp_path / "pacing"
    assert stat.S_IMODE(os.stat(str(directory)).st_mode) == 0o700
    names = sorted(os.listdir(str(directory)))
    digest = key_digest(KEY)
    assert names == [digest + ".json", digest + ".lock"]  # no temporary file left behind
    for name in names:
        path = directory / name
        assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
        content = path.read_text()
        assert "id-4f2a" not in content and "api.example.test" not in content
    assert "id-4f2a" not in digest


def test_state_file_content(make, clock, tmp_path):
    pacer = make()
    token = pacer.acquire(GET_POLICY)
    with open(pacer.state_path) as handle:
        pending = json.load(handle)
    assert pending == {"version": 2, "blocked": {}, "learnt": {}, "op_levels": {}, "even": {}, "ops": {GET_POLICY: [[clock.now, token[1]]]}}
    clock.now += 2.5
    pacer.release(token)
    with open(pacer.state_path) as handle:
        released = json.load(handle)
    assert released == {"version": 2, "blocked": {}, "learnt": {}, "op_levels": {}, "even": {}, "ops": {GET_POLICY: [[clock.now, None]]}}


def test_expired_slots_are_dropped_from_the_file(make, clock):
    pacer = make()
    pacer.release(pacer.acquire(GET_POLICY))
    clock.now += 10.0
    pacer.release(pacer.acquire(PUT_STEP))
    with open(pacer.state_path) as handle:
        assert list(json.load(handle)["ops"]) == [PUT_STEP]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "",
        "[]",
        '{"version": 99, "ops": {}, "blocked": {}}',
        '{"version": 1, "ops": {"GET /x": [[1, null]]}, "blocked": {}}',
        '{"version": 2, "ops": [], "blocked": {}}',
        '{"version": 2, "ops": {"get_user": [["soon", null], [1, 2, 3], "x"]}, "blocked": {"get_user": "later"}}',
        '{"version": 2, "ops": {}, "blocked": {}, "learnt": {"level": "1999", "until": 1e12}}',
        "\x00\x01\x02",
    ],
)
def test_corrupt_state_file_starts_empty(make, clock, content):
    pacer = make(overrides={"default": 1})
    os.makedirs(pacer.state_dir, mode=0o700)
    with open(pacer.state_path, "w") as handle:
        handle.write(content)
    pacer.release(pacer.acquire("get_user"))
    assert clock.sleeps == []
    assert pacer.fallback_reason is None
    with open(pacer.state_path) as handle:
        assert json.load(handle)["version"] == 2


def test_default_state_dir_comes_from_the_environment(clock, tmp_path, monkeypatch):
    monkeypatch.setenv("VICTOROPS_PACING_STATE_DIR", str(tmp_path / "from-env"))
    pacer = Pacer(KEY, clock=clock.time, sleep=clock.sleep)
    pacer.release(pacer.acquire(GET_POLICY))
    assert pacer.state_dir == str(tmp_path / "from-env")
    assert os.path.exists(str(tmp_path / "from-env" / (key_digest(KEY) + ".json")))


def test_default_state_dir_is_under_the_user_cache(clock, tmp_path, monkeypatch):
    monkeypatch.delenv("VICTOROPS_PACING_STATE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    pacer = Pacer(KEY, clock=clock.time, sleep=clock.sleep)
    pacer.release(pacer.acquire(GET_POLICY))
    assert pacer.state_dir == str(tmp_path / ".cache" / "victorops_oncall" / "pacing")
    assert os.path.isdir(pacer.state_dir)
    assert pacer.fallback_reason is None


def test_unusable_state_dir_falls_back_to_this_process_only(clock, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the directory should be")
    pacer = Pacer(KEY, window=10.0, state_dir=str(blocker / "pacing"), overrides={GET_POLICY: 1}, clock=clock.time, sleep=clock.sleep)
    pacer.release(pacer.acquire(GET_POLICY))
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == [10.0]
    assert "pacing this process only" in pacer.fallback_reason


def test_a_file_in_place_of_the_directory_falls_back(clock, tmp_path):
    blocker = tmp_path / "pacing"
    blocker.write_text("a file where the directory should be")
    pacer = Pacer(KEY, window=10.0, state_dir=str(blocker), clock=clock.time, sleep=clock.sleep)
    pacer.release(pacer.acquire(GET_POLICY))
    assert str(blocker) in pacer.fallback_reason
    assert blocker.read_text() == "a file where the directory should be"


def test_bad_settings_refused_at_construction(tmp_path):
    with pytest.raises(ValueError) as profile:
        Pacer(KEY, profile="2019", state_dir=str(tmp_path))
    assert "unknown rate limit profile '2019'" in str(profile.value)
    with pytest.raises(ValueError):
        Pacer(KEY, window=0, state_dir=str(tmp_path))


def test_waits_are_counted_by_operation(make, clock):
    pacer = make(window=60.0, profile="2018")
    for dummy in range(2):
        pacer.release(pacer.acquire("list_escalation_policies"))
    for dummy in range(16):
        pacer.release(pacer.acquire(GET_POLICY))
    pacer.release(pacer.acquire("get_user"))
    assert pacer.waits == {"list_escalation_policies": 60.0, GET_POLICY: pytest.approx(60.0)}
    assert pacer.waited == pytest.approx(120.0)


def test_a_wait_longer_than_allowed_is_refused_at_once_and_reserves_nothing(make, clock):
    pacer = make(window=60.0, profile="2018")
    pacer.release(pacer.acquire("list_escalation_policies"))
    with pytest.raises(PacingTimeout) as info:
        pacer.acquire("list_escalation_policies", max_wait=3.0)
    assert (info.value.operation, info.value.wait, info.value.allowed) == ("list_escalation_policies", 60.0, 3.0)
    assert clock.sleeps == []
    pacer.acquire("list_escalation_policies", max_wait=60.0)  # the refused call took no slot
    assert clock.sleeps == [60.0]


def test_learnt_state_is_kept_per_api_key():
    # What one key learns (a throttle) can never slow another key, even of the same API ID.
    first = pacing_key("https://api.victorops.com", "id", "read-only-key")
    second = pacing_key("https://api.victorops.com/", "id", "read-write-key")
    assert first != second and key_digest(first) != key_digest(second)
    assert pacing_key("https://api.victorops.com/", "id", "k") == pacing_key("https://api.victorops.com", "id", "k")
    assert "read-only-key" not in first


def test_the_documentation_names_what_the_pacing_state_is_kept_for():
    """The state is named by pacing_key (API URL, API ID and API key): the texts say so, and that two keys of one
    account pace independently."""
    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]["pacing"]["description"]
    text = " ".join(fragment)
    assert "the same O(api_url), O(api_id) and O(api_key)" in text
    assert "Two API keys of one account pace independently" in text and "can never slow another key" in text
    docstring = " ".join(_pacing.__doc__.split())
    assert "one per API key (named by a hash of the API URL, the API ID and the API key" in docstring
    assert "Two keys of one account therefore pace independently" in docstring


# -- (c) a pacer slot lasts a whole window ------------------------------------------------------------


@pytest.mark.parametrize("window", [1.0, 10.0, 60.0])
def test_a_slot_taken_at_t_is_still_taken_at_t_plus_six_tenths_of_a_window(window, tmp_path):
    clock = FakeClock()
    pacer = Pacer(
        "https://api.example.test|id",
        window=window,
        overrides={"get_paging_policy": 1},
        state_dir=str(tmp_path / "pacing"),
        clock=clock.time,
        sleep=clock.sleep,
    )
    start = clock.now
    pacer.release(pacer.acquire("get_paging_policy"))
    clock.now = start + 0.6 * window
    pacer.release(pacer.acquire("get_paging_policy"))
    assert sum(clock.sleeps) == pytest.approx(0.4 * window)
    assert clock.now == pytest.approx(start + window)


def test_a_slot_is_free_again_after_a_whole_window(tmp_path):
    clock = FakeClock()
    pacer = Pacer(
        "https://api.example.test|id", window=10.0, overrides={"get_paging_policy": 1}, state_dir=str(tmp_path / "pacing"), clock=clock.time, sleep=clock.sleep
    )
    pacer.release(pacer.acquire("get_paging_policy"))
    clock.now += 10.0
    pacer.release(pacer.acquire("get_paging_policy"))
    assert clock.sleeps == []
