"""Pacer across real processes sharing one state directory, with the real clock; a lock held by another process."""

import fcntl
import multiprocessing
import os
import signal
import time

from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer
from ansible_collections.victorops.oncall.tests.pacing_simulation import level_of

KEY = "https://api.example.test|id-4f2a"
OPERATION = "update_step"
WINDOW = 1.0
LIMIT = 5

# fork: the children inherit the import path that makes the collection importable.
CONTEXT = multiprocessing.get_context("fork")


def _pacer(state_dir):
    return Pacer(KEY, window=WINDOW, state_dir=state_dir, overrides={OPERATION: LIMIT})


def _send_paced(state_dir, count, start_at, results):
    pacer = _pacer(state_dir)
    while time.time() < start_at:  # both workers begin together
        time.sleep(0.005)
    sent = []
    for dummy in range(count):
        token = pacer.acquire(OPERATION)
        sent.append(time.time())  # the moment of "sending"
        pacer.release(token)
    results.put(sent)


def test_two_processes_never_exceed_the_limit_in_any_window(tmp_path):
    state_dir = str(tmp_path / "pacing")
    results = CONTEXT.Queue()
    start_at = time.time() + 0.3
    workers = [CONTEXT.Process(target=_send_paced, args=(state_dir, 8, start_at, results)) for dummy in range(2)]
    for worker in workers:
        worker.start()
    sends = sorted(results.get(timeout=20) + results.get(timeout=20))
    for worker in workers:
        worker.join(timeout=5)
        assert worker.exitcode == 0
    assert len(sends) == 16
    # Any LIMIT + 1 consecutive sends span at least one window, so no window holds more than LIMIT.
    for first, sixth in zip(sends, sends[LIMIT:]):
        assert sixth - first >= WINDOW - 1e-6
    # 16 sends at 5 per window need three full windows after the first burst, and no more than a little over.
    assert sends[-1] - sends[0] >= 3 * WINDOW - 1e-6
    assert sends[-1] - sends[0] < 3 * WINDOW + 1.0


def _reserve_and_hang(state_dir, ready):
    pacer = _pacer(state_dir)
    reserved = []
    for dummy in range(LIMIT):
        pacer.acquire(OPERATION)  # never released
        reserved.append(time.time())
    # Also die holding the lock, the worst moment to be killed.
    lock_fd = os.open(pacer.lock_path, os.O_RDWR)
    fcntl.flock(lock_fd, fcntl.LOCK_EX)
    ready.put(reserved[0])
    time.sleep(60)


def test_a_killed_process_blocks_others_for_at_most_one_window(tmp_path):
    state_dir = str(tmp_path / "pacing")
    ready = CONTEXT.Queue()
    victim = CONTEXT.Process(target=_reserve_and_hang, args=(state_dir, ready))
    victim.start()
    first_reservation = ready.get(timeout=10)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(timeout=5)
    assert victim.exitcode == -signal.SIGKILL

    pacer = _pacer(state_dir)
    token = pacer.acquire(OPERATION)
    granted = time.time()
    pacer.release(token)
    # The victim's five reservations fill the window until they expire, one window after the first.
    assert granted >= first_reservation + WINDOW - 1e-6
    assert granted < first_reservation + WINDOW + 0.5
    # Its other slots were made moments after the first, so the rest of the budget frees up at once too.
    for dummy in range(LIMIT - 1):
        pacer.release(pacer.acquire(OPERATION))
    assert time.time() - granted < 0.3


def _hold_the_lock(state_dir, ready, seconds):
    pacer = _pacer(state_dir)
    token = pacer.acquire(OPERATION)  # creates the directory and the lock file
    released = time.time()  # the slot's completion time is at or after this
    pacer.release(token)
    lock_fd = os.open(pacer.lock_path, os.O_RDWR)
    fcntl.flock(lock_fd, fcntl.LOCK_EX)
    ready.put(released)
    time.sleep(seconds)


def test_a_held_lock_is_waited_for_a_bounded_time_then_pacing_goes_on_in_memory(tmp_path):
    state_dir = str(tmp_path / "pacing")
    ready = CONTEXT.Queue()
    holder = CONTEXT.Process(target=_hold_the_lock, args=(state_dir, ready, 60))
    holder.start()
    try:
        holders_request = ready.get(timeout=10)
        pacer = Pacer(KEY, window=WINDOW, state_dir=state_dir, overrides={OPERATION: 2}, lock_timeout=0.5)
        started = time.monotonic()
        token = pacer.acquire(OPERATION)
        waited = time.monotonic() - started
        assert 0.5 <= waited < 2.0
        assert pacer.fallback_reason == ("the pacing lock %s was held by another process for more than 0.5 s; pacing this process only" % pacer.lock_path)
        # In memory from now on: no more waiting for the lock, and what the file held is still honoured
        # (the holder's request is in the window, so the limit of 2 leaves one slot).
        pacer.release(token)
        pacer.release(pacer.acquire(OPERATION))
        assert time.time() >= holders_request + WINDOW
    finally:
        holder.kill()
        holder.join(timeout=5)


def test_the_lock_is_taken_as_soon_as_it_is_free(tmp_path):
    state_dir = str(tmp_path / "pacing")
    ready = CONTEXT.Queue()
    holder = CONTEXT.Process(target=_hold_the_lock, args=(state_dir, ready, 0.3))
    holder.start()
    try:
        assert ready.get(timeout=10)
        pacer = _pacer(state_dir)
        pacer.release(pacer.acquire(OPERATION))
        assert pacer.fallback_reason is None
    finally:
        holder.join(timeout=5)
        assert holder.exitcode == 0


def _learn(state_dir, results):
    pacer = Pacer(KEY, window=WINDOW, state_dir=state_dir)
    for dummy in range(16):
        pacer.release(pacer.acquire("get_user"))
    results.put(pacer.throttled("get_user", 0.01))


def test_what_one_process_learns_the_next_one_uses(tmp_path):
    state_dir = str(tmp_path / "pacing")
    results = CONTEXT.Queue()
    learner = CONTEXT.Process(target=_learn, args=(state_dir, results))
    learner.start()
    assert results.get(timeout=20) == "2018"
    learner.join(timeout=5)
    later = Pacer(KEY, window=WINDOW, state_dir=state_dir)
    assert level_of(later, "list_escalation_policies") == "2018"
    assert later.fallback_reason is None
