# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cross-process pacing under the API's per-operation rate limits.

Every loop item and every fork runs the module in a separate process, so the budget cannot live in
memory: it lives in a small JSON state file, one per API account (a hash of the API URL and API ID),
read and rewritten under an exclusive ``flock`` on a companion lock file.

For each operation the state holds the times of the requests sent in the last window. ``acquire``
reserves a slot at the send time (waiting, without holding the lock, while the window is full);
``release`` moves the slot to the completion time, because the server saw the request at or before
completion, so the slot can safely expire one window later. A process killed mid-request leaves its
reservation behind; it expires one window after it was made, so nothing is blocked for longer and
no budget is lost for good. The kernel drops the lock of a killed process.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import fcntl
import hashlib
import json
import os
import random
import time

from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import (
    DEFAULT_PROFILE,
    limit_for,
    normalize_operation,
)

STATE_DIR_ENV = "VICTOROPS_PACING_STATE_DIR"
DEFAULT_STATE_DIR = os.path.join("~", ".cache", "victorops_oncall", "pacing")
STATE_VERSION = 1
# Shortest sleep between two looks at a full window: avoids a busy loop on clock rounding.
MIN_WAIT = 0.001


def default_state_dir():
    return os.path.expanduser(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR)


def key_digest(key):
    """File-name-safe digest of the account key; the key itself never reaches the disk."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _empty_state():
    return {"version": STATE_VERSION, "ops": {}, "blocked": {}}


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _sanitize(state):
    """The state as loaded, or an empty one when it is not the shape this code writes."""
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return _empty_state()
    ops = state.get("ops")
    blocked = state.get("blocked")
    if not isinstance(ops, dict) or not isinstance(blocked, dict):
        return _empty_state()
    clean = _empty_state()
    for op, entries in ops.items():
        if not isinstance(entries, list):
            continue
        kept = [[float(e[0]), e[1]] for e in entries
                if isinstance(e, list) and len(e) == 2 and _is_number(e[0]) and (e[1] is None or isinstance(e[1], str))]
        if kept:
            clean["ops"][op] = kept
    for op, until in blocked.items():
        if _is_number(until):
            clean["blocked"][op] = float(until)
    return clean


class Pacer:
    """Keeps the requests of every process sharing ``key`` within the per-operation limits."""

    def __init__(self, key, window=60.0, profile=DEFAULT_PROFILE, overrides=None, state_dir=None, enabled=True,
                 clock=time.time, sleep=time.sleep):
        if window <= 0:
            raise ValueError("the rate window must be greater than 0, got %s" % window)
        limit_for("default", profile, overrides)  # unknown profile or bad override: fail now, not mid-run
        self.window = float(window)
        self.profile = profile
        self.overrides = overrides
        self.enabled = enabled
        self.waited = 0.0
        self._clock = clock
        self._sleep = sleep
        self._digest = key_digest(key)
        self._state_dir = state_dir
        # State kept in memory when the state file cannot be used (read-only home, ...): pacing
        # then covers this process only, which is better than failing the task.
        self._memory = None
        self.fallback_reason = None
        self._counter = 0
        self._token_prefix = "%d-%s" % (os.getpid(), "%08x" % random.SystemRandom().getrandbits(32))

    # -- public API ----------------------------------------------------------------------

    def limit(self, operation):
        return limit_for(operation, self.profile, self.overrides)

    def acquire(self, operation):
        """Wait until ``operation`` may be sent, reserve a slot and return its token."""
        if not self.enabled:
            return None
        op = normalize_operation(operation)
        limit = self.limit(op)
        self._counter += 1
        reservation = "%s-%d" % (self._token_prefix, self._counter)
        while True:
            wait = self._update(lambda state, now: self._try_reserve(state, now, op, limit, reservation))
            if wait is None:
                return (op, reservation)
            wait = min(max(wait, MIN_WAIT), self.window)
            self._sleep(wait)
            self.waited += wait

    def release(self, token):
        """Record that the request of ``token`` has completed (or failed) now."""
        if not self.enabled or token is None:
            return
        op, reservation = token

        def move_to_completion(state, now):
            for entry in state["ops"].get(op, []):
                if entry[1] == reservation:
                    entry[0] = max(entry[0], now)
                    entry[1] = None
                    return True
            return False

        self._update(move_to_completion)

    def penalize(self, operation, seconds):
        """Hold every process back from ``operation`` for ``seconds`` (the API said it was throttling)."""
        if not self.enabled:
            return
        op = normalize_operation(operation)
        seconds = min(max(float(seconds), 0.0), self.window)

        def block(state, now):
            state["blocked"][op] = max(state["blocked"].get(op, 0.0), now + seconds)
            return True

        self._update(block)

    @property
    def state_dir(self):
        return os.path.expanduser(self._state_dir) if self._state_dir else default_state_dir()

    @property
    def state_path(self):
        return os.path.join(self.state_dir, self._digest + ".json")

    @property
    def lock_path(self):
        return os.path.join(self.state_dir, self._digest + ".lock")

    # -- internals -----------------------------------------------------------------------

    def _prune(self, state, now):
        """Drop expired slots and blocks; pull back times in the future (the wall clock went back)."""
        for op in list(state["ops"]):
            entries = []
            for t, reservation in state["ops"][op]:
                if t > now + self.window:
                    t = now
                if t + self.window > now:
                    entries.append([t, reservation])
            entries.sort(key=lambda e: e[0])
            if entries:
                state["ops"][op] = entries
            else:
                del state["ops"][op]
        for op in list(state["blocked"]):
            until = min(state["blocked"][op], now + self.window)
            if until > now:
                state["blocked"][op] = until
            else:
                del state["blocked"][op]

    def _try_reserve(self, state, now, op, limit, reservation):
        """Reserve a slot (returns None) or return the seconds until one may be free."""
        entries = state["ops"].get(op, [])
        blocked_for = state["blocked"].get(op, 0.0) - now
        if len(entries) < limit and blocked_for <= 0:
            state["ops"][op] = entries + [[now, reservation]]
            return None
        full_for = 0.0
        if len(entries) >= limit:
            # The oldest slot that must expire before the count drops below the limit.
            full_for = entries[len(entries) - limit][0] + self.window - now
        return max(full_for, blocked_for)

    def _update(self, change):
        """Run ``change(state, now)`` on the pruned state under the lock and save it; return its result."""
        if self._memory is None:
            try:
                return self._update_file(change)
            except OSError as exc:
                self.fallback_reason = "pacing state in %s unusable (%s); pacing this process only" % (self.state_dir, exc)
                self._memory = _empty_state()
        now = self._clock()
        self._prune(self._memory, now)
        return change(self._memory, now)

    def _update_file(self, change):
        directory = self.state_dir
        try:
            os.makedirs(directory, mode=0o700)
        except OSError as exc:
            if exc.errno != errno.EEXIST or not os.path.isdir(directory):
                raise
        lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            state = self._load()
            now = self._clock()
            self._prune(state, now)
            result = change(state, now)
            self._save(state)
            return result
        finally:
            # Closing the descriptor releases the lock.
            os.close(lock_fd)

    def _load(self):
        try:
            with open(self.state_path, "r") as handle:
                return _sanitize(json.load(handle))
        except (OSError, ValueError):
            # Missing, unreadable or corrupt: start afresh rather than fail the task; the save replaces it.
            return _empty_state()

    def _save(self, state):
        # Write then rename, so a process killed mid-write never leaves a truncated file behind.
        temporary = "%s.%d.tmp" % (self.state_path, os.getpid())
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(state, handle, separators=(",", ":"), sort_keys=True)
        os.rename(temporary, self.state_path)
