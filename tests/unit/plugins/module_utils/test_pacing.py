"""Pacer with a fake clock: sliding windows, release at completion, penalties, the state file."""

import json
import os
import stat

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer, key_digest

KEY = "https://api.example.test|id-4f2a"
GET_POLICY = "GET /api-public/v1/profile/{username}/policies"
PUT_STEP = "PUT /api-public/v1/profile/{username}/policies/{step}"


class FakeClock:
    def __init__(self, start=1_800_000_000.0):
        self.now = start
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 9))
        self.now += seconds


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


def test_placeholder_names_and_method_case_do_not_split_a_budget(make, clock):
    pacer = make(overrides={GET_POLICY: 1})
    pacer.release(pacer.acquire("get /api-public/v1/profile/{user}/policies/"))
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == [10.0]


def test_2018_profile_allows_one_policy_list_per_window(make, clock):
    pacer = make(window=60.0)
    pacer.release(pacer.acquire("GET /api-public/v1/policies"))
    pacer.acquire("GET /api-public/v1/policies")
    assert clock.sleeps == [60.0]


def test_2018_profile_allows_fifteen_of_the_rest(make, clock):
    pacer = make(window=60.0)
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
    pacer = make()
    other = make()
    pacer.penalize(GET_POLICY, 4.0)
    other.release(other.acquire(PUT_STEP))
    assert clock.sleeps == []
    other.acquire(GET_POLICY)
    assert clock.sleeps == [4.0]


def test_penalty_is_clamped_to_one_window(make, clock):
    pacer = make()
    pacer.penalize(GET_POLICY, 3600)
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == [10.0]


def test_a_wait_never_exceeds_one_window_per_look(make, clock, tmp_path):
    pacer = make(overrides={GET_POLICY: 1})
    state = {"version": 1, "ops": {"GET /api-public/v1/profile/{}/policies": [[clock.now + 5000.0, None]]}, "blocked": {}}
    os.makedirs(pacer.state_dir)
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
    pacer.penalize(GET_POLICY, 5)
    assert clock.sleeps == []
    assert not os.path.exists(str(tmp_path / "pacing"))


def test_state_files_are_private_and_free_of_the_key(make, tmp_path):
    pacer = make()
    pacer.release(pacer.acquire(GET_POLICY))
    directory = tmp_path / "pacing"
    assert stat.S_IMODE(os.stat(str(directory)).st_mode) == 0o700
    names = sorted(os.listdir(str(directory)))
    digest = key_digest(KEY)
    assert names == [digest + ".json", digest + ".lock"]
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
    assert pending == {"version": 1, "blocked": {}, "ops": {"GET /api-public/v1/profile/{}/policies": [[clock.now, token[1]]]}}
    clock.now += 2.5
    pacer.release(token)
    with open(pacer.state_path) as handle:
        released = json.load(handle)
    assert released == {"version": 1, "blocked": {}, "ops": {"GET /api-public/v1/profile/{}/policies": [[clock.now, None]]}}


def test_expired_slots_are_dropped_from_the_file(make, clock):
    pacer = make()
    pacer.release(pacer.acquire(GET_POLICY))
    clock.now += 10.0
    pacer.release(pacer.acquire(PUT_STEP))
    with open(pacer.state_path) as handle:
        assert list(json.load(handle)["ops"]) == ["PUT /api-public/v1/profile/{}/policies/{}"]


@pytest.mark.parametrize("content", [
    "{not json",
    "",
    "[]",
    '{"version": 99, "ops": {}, "blocked": {}}',
    '{"version": 1, "ops": [], "blocked": {}}',
    '{"version": 1, "ops": {"GET /x": [["soon", null], [1, 2, 3], "x"]}, "blocked": {"GET /x": "later"}}',
    "\x00\x01\x02",
])
def test_corrupt_state_file_starts_empty(make, clock, content):
    pacer = make(overrides={"default": 1})
    os.makedirs(pacer.state_dir)
    with open(pacer.state_path, "w") as handle:
        handle.write(content)
    pacer.release(pacer.acquire("GET /x"))
    assert clock.sleeps == []
    with open(pacer.state_path) as handle:
        assert json.load(handle)["version"] == 1


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


def test_unusable_state_dir_falls_back_to_this_process_only(clock, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the directory should be")
    pacer = Pacer(KEY, window=10.0, state_dir=str(blocker / "pacing"), overrides={GET_POLICY: 1}, clock=clock.time, sleep=clock.sleep)
    pacer.release(pacer.acquire(GET_POLICY))
    pacer.acquire(GET_POLICY)
    assert clock.sleeps == [10.0]
    assert "pacing this process only" in pacer.fallback_reason


def test_bad_settings_refused_at_construction(tmp_path):
    with pytest.raises(ValueError) as profile:
        Pacer(KEY, profile="2019", state_dir=str(tmp_path))
    assert "unknown rate limit profile '2019'" in str(profile.value)
    with pytest.raises(ValueError):
        Pacer(KEY, window=0, state_dir=str(tmp_path))
    with pytest.raises(ValueError):
        Pacer(KEY, overrides={"default": 0}, state_dir=str(tmp_path))
