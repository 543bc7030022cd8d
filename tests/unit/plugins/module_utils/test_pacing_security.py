"""The pacer's state directory and files on a shared host: who owns them, what they point at, what they hold."""

import itertools
import json
import os
import pwd
import stat

import pytest
from ansible_collections.victorops.oncall.tests.pacing_simulation import level_of
from ansible_collections.victorops.oncall.plugins.module_utils import _pacing, _pacing_state
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer, key_digest
from ansible_collections.victorops.oncall.tests.pacing_simulation import FakeClock

KEY = "https://api.example.test|id-4f2a"
DIGEST = key_digest(KEY)
PRECIOUS = "precious content that must survive\n"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def directory(tmp_path):
    path = tmp_path / "pacing"
    path.mkdir(mode=0o700)
    return path


def pacer_in(path, clock, **options):
    settings = dict(window=10.0, state_dir=str(path), clock=clock.time, sleep=clock.sleep, overrides={"get_user": 1})
    settings.update(options)
    return Pacer(KEY, **settings)


def victim(tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text(PRECIOUS)
    target.chmod(0o644)
    return target


def assert_untouched(target):
    assert target.read_text() == PRECIOUS
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def assert_paces_in_memory(pacer, clock):
    pacer.release(pacer.acquire("get_user"))
    pacer.acquire("get_user")
    assert clock.sleeps == [10.0]  # still paced, within this process


# ----- the directory -----------------------------------------------------------------------------------


def test_a_new_directory_is_created_0700_under_any_umask(tmp_path, clock):
    old = os.umask(0)
    try:
        pacer = pacer_in(tmp_path / "new" / "pacing", clock)
        pacer.release(pacer.acquire("get_user"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(str(tmp_path / "new" / "pacing")).st_mode) == 0o700
    assert pacer.fallback_reason is None


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user needs root (os.chown)")
def test_a_directory_owned_by_another_user_is_not_used(directory, clock):
    nobody = pwd.getpwnam("nobody")
    os.chown(str(directory), nobody.pw_uid, nobody.pw_gid)
    pacer = pacer_in(directory, clock)
    assert_paces_in_memory(pacer, clock)
    assert os.listdir(str(directory)) == []
    assert pacer.fallback_reason == (
        "the pacing state directory %s is owned by uid %d, not by uid 0 that runs the module; use a directory of your own "
        "with mode 0700; pacing this process only" % (directory, nobody.pw_uid)
    )


@pytest.mark.parametrize("mode", [0o770, 0o702, 0o777, 0o1777])
def test_a_directory_writable_by_group_or_others_is_not_used(directory, clock, mode):
    directory.chmod(mode)
    pacer = pacer_in(directory, clock)
    assert_paces_in_memory(pacer, clock)
    assert os.listdir(str(directory)) == []
    assert pacer.fallback_reason == (
        "the pacing state directory %s is writable by group or others (mode %04o); make it mode 0700; pacing this process only" % (directory, mode)
    )


def test_a_readable_directory_of_ones_own_is_used(directory, clock):
    directory.chmod(0o755)
    pacer = pacer_in(directory, clock)
    pacer.release(pacer.acquire("get_user"))
    assert pacer.fallback_reason is None
    assert sorted(os.listdir(str(directory))) == [DIGEST + ".json", DIGEST + ".lock"]


def test_the_checked_directory_is_the_one_written_even_if_its_path_is_swapped(tmp_path, directory, clock):
    pacer = pacer_in(directory, clock)
    pacer.release(pacer.acquire("get_user"))
    # Another directory is put in its place after the check: writes still go to the checked one.
    directory.rename(tmp_path / "moved")
    planted = tmp_path / "pacing"
    planted.mkdir()
    pacer.release(pacer.acquire("update_user"))
    assert os.listdir(str(planted)) == []
    with open(str(tmp_path / "moved" / (DIGEST + ".json"))) as handle:
        assert "update_user" in json.load(handle)["ops"]


# ----- symbolic links at every name the pacer uses ----------------------------------------------------------


def test_a_symlink_in_place_of_the_state_file_is_replaced_not_followed(tmp_path, directory, clock):
    target = victim(tmp_path)
    # The target holds a state that would block get_user for a while, were it read.
    target.write_text(json.dumps({"version": 2, "ops": {}, "blocked": {"get_user": clock.now + 9.0}, "learnt": {}, "op_levels": {}}))
    target.chmod(0o644)
    content = target.read_text()
    os.symlink(str(target), str(directory / (DIGEST + ".json")))
    pacer = pacer_in(directory, clock)
    pacer.release(pacer.acquire("get_user"))
    assert clock.sleeps == []  # not read
    assert target.read_text() == content  # not written
    state_file = directory / (DIGEST + ".json")
    assert not state_file.is_symlink() and state_file.is_file()
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    assert pacer.fallback_reason is None


def test_a_symlink_in_place_of_the_lock_is_refused(tmp_path, directory, clock):
    target = victim(tmp_path)
    os.symlink(str(target), str(directory / (DIGEST + ".lock")))
    pacer = pacer_in(directory, clock)
    assert_paces_in_memory(pacer, clock)
    assert_untouched(target)
    assert pacer.fallback_reason == "the pacing lock %s is a symbolic link; pacing this process only" % (directory / (DIGEST + ".lock"))
    assert not (directory / (DIGEST + ".json")).exists()


def test_a_dangling_symlink_in_place_of_the_lock_creates_nothing(tmp_path, directory, clock):
    os.symlink(str(tmp_path / "created-by-the-pacer"), str(directory / (DIGEST + ".lock")))
    pacer = pacer_in(directory, clock)
    assert_paces_in_memory(pacer, clock)
    assert not (tmp_path / "created-by-the-pacer").exists()


def test_symlinks_at_temporary_names_are_never_opened(tmp_path, directory, clock, monkeypatch):
    target = victim(tmp_path)
    # The old predictable name, and the first random names the pacer will draw.
    os.symlink(str(target), str(directory / ("%s.json.%d.tmp" % (DIGEST, os.getpid()))))
    drawn = itertools.chain(["aaaa", "bbbb", "cccc"], iter(_pacing._random_suffix, None))
    monkeypatch.setattr(_pacing, "_random_suffix", lambda: next(drawn))
    for suffix in ("aaaa", "bbbb"):
        os.symlink(str(target), str(directory / ("%s.%s.tmp" % (DIGEST, suffix))))
    pacer = pacer_in(directory, clock)
    pacer.release(pacer.acquire("get_user"))
    assert_untouched(target)
    assert pacer.fallback_reason is None
    # Written through the first free name, then renamed: nothing of the pacer's own is left behind.
    assert not (directory / ("%s.cccc.tmp" % DIGEST)).exists()
    with open(str(directory / (DIGEST + ".json"))) as handle:
        assert "get_user" in json.load(handle)["ops"]


def test_a_fifo_in_place_of_the_state_file_does_not_hang(directory, clock):
    os.mkfifo(str(directory / (DIGEST + ".json")))
    pacer = pacer_in(directory, clock)
    pacer.release(pacer.acquire("get_user"))
    assert (directory / (DIGEST + ".json")).is_file()


# ----- content ------------------------------------------------------------------------------------------


def write_state(directory, content):
    path = directory / (DIGEST + ".json")
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def assert_ignored_and_rewritten(directory, clock):
    pacer = pacer_in(directory, clock)
    pacer.release(pacer.acquire("get_user"))
    assert clock.sleeps == []
    assert pacer.fallback_reason is None
    path = directory / (DIGEST + ".json")
    assert path.stat().st_size < 1000
    with open(str(path)) as handle:
        state = json.load(handle)
    assert state["version"] == 2 and list(state["ops"]) == ["get_user"]


def test_a_400_digit_integer_is_ignored_and_rewritten(directory, clock):
    write_state(directory, '{"version": 2, "ops": {"get_user": [[1%s, null]]}, "blocked": {}}' % ("0" * 399))
    assert_ignored_and_rewritten(directory, clock)


def test_a_list_nested_100000_deep_is_ignored_and_rewritten(directory, clock):
    write_state(directory, "[" * 100000 + "]" * 100000)
    assert_ignored_and_rewritten(directory, clock)


def test_an_object_nested_100000_deep_inside_the_state_is_ignored_and_rewritten(directory, clock):
    write_state(directory, '{"version": 2, "ops": ' + '{"a": ' * 100000 + "1" + "}" * 100000 + ', "blocked": {}}')
    assert_ignored_and_rewritten(directory, clock)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_non_finite_numbers_are_ignored(directory, clock, number):
    write_state(
        directory,
        '{"version": 2, "ops": {"get_user": [[%s, null]]}, "blocked": {"get_user": %s}, "learnt": {"level": "2018", "until": %s}}' % (number, number, number),
    )
    assert_ignored_and_rewritten(directory, clock)


@pytest.mark.parametrize(
    "state",
    [
        {"version": 2, "ops": {"get_user": [[True, None]]}, "blocked": {"get_user": True}},
        {"version": 2, "ops": {"get_user": [[1.0, 5]]}, "blocked": {}},
        {"version": 2, "ops": {"get_user": [[1.0, None, 3]]}, "blocked": {}},
        {"version": 2, "ops": {"x" * 500: [[1.0, None]]}, "blocked": {}},
        {"version": 2, "ops": {}, "blocked": {}, "learnt": []},
        {"version": 2, "ops": {}, "blocked": {}, "learnt": {"level": 2018, "until": 1e12}},
        {"version": 2, "ops": {}, "blocked": {}, "op_levels": {"get_user": "2018"}},
        {"version": "2", "ops": {}, "blocked": {}},
        {"version": 2, "ops": {}, "blocked": {}, "even": []},
        {"version": 2, "ops": {}, "blocked": {}, "even": {"until": "later"}},
        {"version": 2, "ops": {}, "blocked": {}, "even": {"until": True}},
    ],
)
def test_wrong_types_are_ignored(directory, clock, state):
    write_state(directory, json.dumps(state))
    assert_ignored_and_rewritten(directory, clock)
    assert Pacer(KEY, state_dir=str(directory), clock=clock.time).learnt() == {"level": "2ps", "operations": {}, "even": False}


def test_a_learnt_table_further_than_one_ttl_ahead_is_dropped(directory, clock):
    write_state(directory, json.dumps({"version": 2, "ops": {}, "blocked": {}, "learnt": {"level": "2018", "until": clock.now + 1e9}}))
    assert level_of(pacer_in(directory, clock), "get_user") == "2ps"
    write_state(directory, json.dumps({"version": 2, "ops": {}, "blocked": {}, "learnt": {"level": "2018", "until": clock.now + 10}}))
    assert level_of(pacer_in(directory, clock), "get_user") == "2018"


def test_a_file_over_1_mb_is_not_parsed(directory, clock, monkeypatch):
    # Valid JSON that would block get_user, padded past the limit.
    state = json.dumps({"version": 2, "ops": {}, "blocked": {"get_user": clock.now + 9.0}, "learnt": {}, "op_levels": {}})
    write_state(directory, state[:-1] + " " * (1024 * 1024) + "}")
    parsed = []
    original = _pacing.parse_state
    monkeypatch.setattr(_pacing, "parse_state", lambda data: parsed.append(len(data)) or original(data))
    assert_ignored_and_rewritten(directory, clock)
    assert parsed and max(parsed) < 1000  # only the files the pacer rewrote were parsed


def test_parse_state_refuses_oversize_input():
    with pytest.raises(ValueError):
        _pacing_state.parse_state(b" " * (1024 * 1024 + 1) + b"{}")
