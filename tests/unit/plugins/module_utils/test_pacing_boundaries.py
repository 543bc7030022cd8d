"""What one throttled answer teaches the adaptive pacer, at the exact boundary of every documented limit.

A server that refuses the request after ``count`` accepted ones in its window enforces a table whose limit is
``count``: with exactly a table's limit accepted the throttle is explained by that table (the whole account moves
to it); with one fewer accepted it is not (a server of that table would have accepted one more), so only a slower
table, or none, explains it. A throttle no table explains, after two requests closer than the limit spread evenly
(``seconds / count``), means a server that spaces requests evenly (the account learns even spacing); after requests
spaced at least that far apart, the operation alone steps down one table. Each case is checked against these rules
written out in the test, from the times the test saw the requests go, not against the pacer's own arithmetic.
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


def paced_at(start_level, operation):
    """The table ``operation`` is paced at: the start table, or the slowest one for an operation some table limits to
    once a minute (paced at that limit from the start)."""
    if any(table_limit(level, operation).count == 1 and table_limit(level, operation).seconds >= 60.0 for level in LEVELS):
        return LEVELS[-1]
    return start_level


def even_spacing(level, operation):
    """Seconds between two requests of ``operation`` at ``level``'s limit spread evenly (a 60-second window)."""
    limit = table_limit(level, operation)
    return limit.seconds / limit.count


def lesson(current, operation, accepted, last_gap):
    """The rules: ("table", level), ("even", None), ("step", level) or ("nothing", None)."""
    explained = explaining_table(current, operation, accepted)
    if explained is not None:
        return "table", explained
    if last_gap < even_spacing(current, operation):
        return "even", None
    if current == LEVELS[-1]:
        return "nothing", None
    return "step", LEVELS[LEVELS.index(current) + 1]


@pytest.fixture
def state_dir(tmp_path):
    """The pacing state directory, in memory when the machine has /dev/shm (each case rewrites the file a hundred times)."""
    root = tempfile.mkdtemp(dir="/dev/shm", prefix="pacing-test-") if os.access("/dev/shm", os.W_OK) else str(tmp_path)
    yield os.path.join(root, "pacing")
    shutil.rmtree(root, ignore_errors=True)


def throttle_after(state_dir, operation, accepted, start_level, spacing=0.0):
    """A fresh pacer at ``start_level`` sends ``accepted`` requests, then one more that the server refuses, each at
    least ``spacing`` seconds after the one before. Returns the pacer, what ``throttled`` returned and the seconds
    between the last two requests."""
    clock = FakeClock()
    pacer = Pacer(KEY, window=60.0, state_dir=state_dir, clock=clock.time, sleep=clock.sleep)
    if start_level != LEVELS[0]:
        # Teach the start level first (a throttle its own limit explains), then let that minute pass.
        teacher = "get_paging_policy" if start_level == "2020" else "get_user"
        for dummy in range(table_limit(start_level, teacher).count + 1):
            pacer.release(pacer.acquire(teacher))
        assert pacer.throttled(teacher, 0.0) == start_level
        clock.now += 61.0
    times = []
    for dummy in range(accepted + 1):
        if times:
            clock.now = max(clock.now, times[-1] + spacing)
        pacer.release(pacer.acquire(operation))
        times.append(clock.now)
    return pacer, pacer.throttled(operation, 0.0), times[-1] - times[-2] if len(times) > 1 else float("inf")


# A throttle only ever teaches a table slower than the one in use.
CASES = [(start, level, op) for start in LEVELS[:-1] for level, op in LIMITS if LEVELS.index(level) > LEVELS.index(start)]


@pytest.mark.parametrize("start_level, level, operation", CASES)
@pytest.mark.parametrize("short_by", [0, 1], ids=["at-the-limit", "one-below"])
@pytest.mark.parametrize("evenly", [False, True], ids=["back-to-back", "evenly"])
def test_a_throttle_is_explained_by_a_table_only_when_its_limit_was_reached(state_dir, level, operation, short_by, start_level, evenly):
    current = paced_at(start_level, operation)
    accepted = table_limit(level, operation).count - short_by
    spacing = even_spacing(current, operation) if evenly else 0.0
    pacer, now_at, last_gap = throttle_after(state_dir, operation, accepted, start_level, spacing)
    kind, expected = lesson(current, operation, accepted, last_gap)
    explained = explaining_table(current, operation, accepted)
    if current != start_level:
        # Paced at the slowest table from the start: nothing slower explains a throttle.
        assert explained is None
    elif short_by == 0:
        assert (kind, explained) == ("table", level)  # the rule itself, at the limit
    else:
        assert explained != level
    if evenly:
        assert kind != "even"
    if kind == "table":
        # Explained: the account moves to the table, every operation with it.
        assert pacer.learnt() == {"level": expected, "operations": {}, "even": False}
        assert now_at == expected
        assert level_of(pacer, "get_user" if operation != "get_user" else "list_users") == expected
    elif kind == "even":
        # Requests closer than evenly: the account's server spaces them evenly; no table is learnt.
        assert pacer.learnt() == {"level": start_level, "operations": {}, "even": True}
        assert now_at == current
    elif kind == "step":
        # Unexplained: this operation alone steps down one table.
        assert now_at == expected
        assert pacer.learnt() == {"level": start_level, "operations": {operation: expected}, "even": False}
    else:
        assert now_at == current
        assert pacer.learnt() == {"level": start_level, "operations": {}, "even": False}


def test_every_lesson_is_among_the_cases():
    """The cases reach each outcome of the rules, so none of the branches above goes untested."""
    seen = set()
    for start_level, level, operation in CASES:
        current = paced_at(start_level, operation)
        for short_by in (0, 1):
            accepted = table_limit(level, operation).count - short_by
            seen.add(lesson(current, operation, accepted, 0.0)[0])
            seen.add(lesson(current, operation, accepted, even_spacing(current, operation))[0])
    assert seen == {"table", "even", "step", "nothing"}


def test_the_limits_checked_include_each_table_s_default_and_its_named_operations():
    assert LIMITS == [
        ("2018", "get_user"),
        ("2018", "list_escalation_policies"),
        ("2018", "take_on_call"),
        ("2020", "get_paging_policy"),
        ("2020", "get_user"),
    ]
