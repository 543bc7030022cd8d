"""Pacer across real processes sharing one state directory, with the real clock."""

import fcntl
import multiprocessing
import os
import signal
import time

from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer

KEY = "https://api.example.test|id-4f2a"
OPERATION = "PUT /api-public/v1/profile/{username}/policies/{step}"
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
