"""What one throttled answer teaches the adaptive pacer, at the exact boundary of every documented limit.

A server that refuses the request after ``count`` accepted ones in its window enforces a table whose limit is
``count``: with exactly a table's limit accepted the throttle is explained by that table (the whole account moves
to it); with one fewer accepted it is not (a server of that table would have accepted one more), so only a slower
table, or none, explains it. Each case is checked against this rule written out in the test, not against the
pacer's own arithmetic.
"""

import os
import shutil
import tempfile

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer
from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import LEVELS, TABLES, DEFAULT_KEY, table_limit
from ansible_collections.victorops.oncall.tests.pacing_simulation import FakeClock, level_of

KEY = "https://api.example.test|id-boundaries"

# Every distinct limit of every table slower than the fastest, as (table, operation): the operations a table names
# with a limit of their own, and get_user for the table's default.
LIMITS = sorted(
    {(level, op) for level in LEVELS[1:] for op in TABLES[level] if op != DEFAULT_KEY and TABLES[level][op] != TABLES[level][DEFAULT_KEY]}
    | {(level, "get_user") for level in LEVELS[1:]}
)


def explaining_table(current, operation, accepted):
    """The rule: the fastest table slower than ``current`` whose limit for ``operation`` is at most ``accepted``."""
    for level in LEVELS[LEVELS.index(current) + 1 :]:
        if accepted >= table_limit(level, operation).count:
            return level
    return None


@pytest.fixture
def state_dir(tmp_path):
    """The pacing state directory, in memory when the machine has /dev/shm (each case rewrites the file a hundred times)."""
    root = tempfile.mkdtemp(dir="/dev/shm", prefix="pacing-test-") if os.access("/dev/shm", os.W_OK) else str(tmp_path)
    yield os.path.join(root, "pacing")
    shutil.rmtree(root, ignore_errors=True)


def throttle_after(state_dir, operation, accepted, start_level):
    """A fresh pacer at ``start_level`` sends ``accepted`` requests, then one more that the server refuses."""
    clock = FakeClock()
    pacer = Pacer(KEY, window=60.0, state_dir=state_dir, clock=clock.time, sleep=clock.sleep)
    if start_level != LEVELS[0]:
        # Teach the start level first (a throttle its own limit explains), then let that minute pass.
        teacher = "get_paging_policy" if start_level == "2020" else "get_user"
        for dummy in range(table_limit(start_level, teacher).count + 1):
            pacer.release(pacer.acquire(teacher))
        assert pacer.throttled(teacher, 0.0) == start_level
        clock.now += 61.0
    for dummy in range(accepted + 1):
        pacer.release(pacer.acquire(operation))
    return pacer, pacer.throttled(operation, 0.0)


# A throttle only ever teaches a table slower than the one in use.
CASES = [(start, level, op) for start in LEVELS[:-1] for level, op in LIMITS if LEVELS.index(level) > LEVELS.index(start)]


@pytest.mark.parametrize("start_level, level, operation", CASES)
@pytest.mark.parametrize("short_by", [0, 1], ids=["at-the-limit", "one-below"])
def test_a_throttle_is_explained_by_a_table_only_when_its_limit_was_reached(state_dir, level, operation, short_by, start_level):
    accepted = table_limit(level, operation).count - short_by
    pacer, now_at = throttle_after(state_dir, operation, accepted, start_level)
    expected = explaining_table(start_level, operation, accepted)
    if short_by == 0:
        assert expected == level  # the rule itself, at the limit
    else:
        assert expected != level
    if expected is not None:
        # Explained: the account moves to the table, every operation with it.
        assert pacer.learnt() == {"level": expected, "operations": {}}
        assert now_at == expected
        assert level_of(pacer, "get_user" if operation != "get_user" else "list_users") == expected
    else:
        # Unexplained: this operation alone steps down one table.
        step = LEVELS[LEVELS.index(start_level) + 1]
        assert now_at == step
        assert pacer.learnt() == {"level": start_level, "operations": {operation: step}}


def test_the_limits_checked_include_each_table_s_default_and_its_named_operations():
    assert LIMITS == [
        ("2018", "get_user"),
        ("2018", "list_escalation_policies"),
        ("2018", "take_on_call"),
        ("2020", "get_paging_policy"),
        ("2020", "get_user"),
    ]
