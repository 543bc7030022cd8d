# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cross-process pacing under the API's per-operation rate limits, and learning which limits apply.

Every loop item and every fork runs the module in a separate process, so the budget cannot live in
memory: it lives in a small JSON state file, one per API key (named by a hash of the API URL, the API ID
and the API key: ``pacing_key``), read and rewritten under an exclusive ``flock`` on a companion lock file.
Two keys of one account therefore pace independently, each within the account's limits as far as it
knows them: a refused key (read-only, revoked) is not throttled, and what it meets must never slow a key
that works.

For each operation the state holds the times of the requests sent in the last rate window. ``acquire``
reserves a slot at the send time (waiting, without holding the lock, while a limit is reached);
``release`` moves the slot to the completion time, because the server saw the request at or before
completion, so the slot can safely expire one window later. A process killed mid-request leaves its
reservation behind; it expires one window after it was made. The kernel drops the lock of a killed process.

Adaptive profile (``auto``): pacing starts at the fastest documented table (``2ps``). When the API throttles
an operation, :meth:`Pacer.throttled` looks at the requests of that operation in the state and picks the
fastest slower table that those requests exceed: that table is the account's (the server's limits are per
account, so every operation of this key's state moves to it). When no documented table explains the throttle, that operation
alone steps down one table, unless its last two requests were closer than its limit spread evenly (``seconds /
count`` apart): then the server is taken to space requests evenly (a token bucket of one, not a count per rolling
second), and the whole account paces every limit evenly instead (``even``). Never below ``2018``. What was learnt is
kept in the state file for ``learn_ttl`` seconds (a day), so later runs start from it and a raised limit is found again.

The state directory must belong to the effective user and must not be writable by group or others; files are
opened relative to a descriptor of that directory, never following a symbolic link; the state is written
to a fresh temporary file (random name, ``O_EXCL``) and renamed over the old one; any content that is not
what this code writes (oversize, not JSON, non-finite or out-of-range numbers, deep nesting) is ignored and
rewritten. When the directory cannot be trusted or the lock is held too long, pacing goes on in memory for
this process only and :attr:`Pacer.fallback_reason` says why.
"""

from __future__ import annotations

import binascii
import errno
import fcntl
import hashlib
import json
import os
import random
import stat
import time
from typing import Any
from collections.abc import Callable, Mapping

from ansible_collections.victorops.oncall.plugins.module_utils._pacing_state import (
    LEARN_TTL,
    MAX_ENTRIES,
    MAX_KEPT,
    MAX_STATE_BYTES,
    empty_state,
    finite,
    learnt_until,
    level_entry,
    parse_state,
    sanitize,
)
from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import (
    AUTO,
    DEFAULT_PROFILE,
    LEVELS,
    Limit,
    check_profile,
    limits_for,
    slower,
    start_level,
    table_limit,
)

STATE_DIR_ENV = "VICTOROPS_PACING_STATE_DIR"
DEFAULT_STATE_DIR = os.path.join("~", ".cache", "victorops_oncall", "pacing")
# Shortest sleep between two looks at a full window: avoids a busy loop on clock rounding.
MIN_WAIT = 0.001
# Longest wait for the lock before pacing in memory.
LOCK_TIMEOUT = 10.0

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class _Unusable(Exception):
    """The state directory or its files cannot be used safely; the message says why."""


def default_state_dir() -> str:
    return os.path.expanduser(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR)


def key_digest(key: str) -> str:
    """File-name-safe digest of the account key; the key itself never reaches the disk."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def pacing_key(api_url: str, api_id: str, api_key: str) -> str:
    """The key a pacer shares its state under: the API, the API ID and the API key.

    The key is part of it so that what one key learns (a throttle, a slower table) can never slow another key,
    even one of the same API ID: a key that is refused is not throttled, and must not poison the state of a key
    that works. Only a digest of it reaches the disk (``key_digest``).
    """
    return "%s|%s|%s" % (api_url.rstrip("/"), api_id, hashlib.sha256(api_key.encode("utf-8")).hexdigest())


class PacingTimeout(Exception):
    """The rate limit of ``operation`` would make the request wait ``wait`` seconds, longer than the time allowed."""

    def __init__(self, operation: str, wait: float, allowed: float) -> None:
        super().__init__("%s: a rate-limit wait of %.3f s, more than the %.3f s allowed" % (operation, wait, allowed))
        self.operation = operation
        self.wait = wait
        self.allowed = allowed


class Pacer:
    """Keeps the requests of every process sharing ``key`` within the per-operation limits.

    Public surface: ``acquire(operation, max_wait) -> token``, ``release(token)``, ``throttled(operation, delay)``
    on a throttled answer (the client's ``PacerInterface``); ``limits``, ``learnt`` and the counters ``waited``
    (seconds), ``waits`` (seconds per operation), ``throttles`` (throttled answers per operation) and
    ``fallback_reason`` (why pacing is not shared with other processes, or None).

    ``overrides`` are calls per rate window by operation name, as ``_rate_limits.check_rate_limits`` returns them
    (checked once, at module start).
    """

    def __init__(
        self,
        key: str,
        window: float = 60.0,
        profile: str = DEFAULT_PROFILE,
        overrides: Mapping | None = None,
        state_dir: str | None = None,
        enabled: bool = True,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        lock_timeout: float = LOCK_TIMEOUT,
        learn_ttl: float = LEARN_TTL,
    ):
        if not window or window <= 0:
            raise ValueError("the rate window must be greater than 0, got %s" % window)
        check_profile(profile)  # unknown profile: fail now, not mid-run
        self.overrides = dict(overrides or {})
        self.window = float(window)
        self.profile = profile
        self.enabled = enabled
        self.lock_timeout = float(lock_timeout)
        self.learn_ttl = float(learn_ttl)
        # Requests kept per operation: enough for the largest count of any limit (and one more, the refused one).
        self._keep = min(MAX_ENTRIES, max([MAX_KEPT] + [count + 1 for count in self.overrides.values()]))
        self.waited = 0.0
        self.waits: dict[str, float] = {}
        self.throttles: dict[str, int] = {}
        self.fallback_reason: str | None = None
        self._clock = clock
        self._sleep = sleep
        self._digest = key_digest(key)
        self._state_dir = state_dir
        self._dir_fd: int | None = None
        # State kept in memory when the state file cannot be used: pacing then covers this process only,
        # which is better than failing the task.
        self._memory: dict[str, Any] | None = None
        self._counter = 0
        self._token_prefix = "%d-%s" % (os.getpid(), "%08x" % random.SystemRandom().getrandbits(32))

    # -- public API ----------------------------------------------------------------------

    def limits(self, operation: str, state: dict[str, Any] | None = None) -> tuple[Limit, ...]:
        """The limits pacing keeps for ``operation`` now (what was learnt included, read from the state when not given)."""
        if self.profile != AUTO:
            return limits_for(operation, self.profile, None, self.overrides)
        if state is None:
            state = self._read_state()
        return limits_for(operation, AUTO, self._level(state, operation), self.overrides, even=bool(state["even"]))

    def learnt(self) -> dict[str, Any]:
        """What the adaptive profile knows now: the account's table, the operations stepped down on their own, and
        whether the account's server spaces requests evenly (``even``)."""
        state = self._read_state()
        if self.profile != AUTO:
            return {"level": self.profile, "operations": {}, "even": False}
        account = state["learnt"].get("level", LEVELS[0])
        operations = {op: e["level"] for op, e in sorted(state["op_levels"].items())}
        return {"level": account, "operations": operations, "even": bool(state["even"])}

    def acquire(self, operation: str, max_wait: float | None = None):
        """Wait until ``operation`` may be sent, reserve a slot and return its token.

        ``PacingTimeout`` (nothing reserved) as soon as the wait needed would take this call past ``max_wait`` seconds.
        """
        if not self.enabled:
            return None
        op = operation
        self._counter += 1
        reservation = "%s-%d" % (self._token_prefix, self._counter)
        waited = 0.0
        while True:
            wait = self._update(lambda state, now: self._try_reserve(state, now, op, reservation))
            if wait is None:
                return (op, reservation)
            if max_wait is not None and waited + wait > max_wait:
                raise PacingTimeout(op, waited + wait, max_wait)
            wait = min(max(wait, MIN_WAIT), self.window)
            waited += wait
            self._sleep(wait)
            self.waited += wait
            self.waits[op] = self.waits.get(op, 0.0) + wait

    def release(self, token) -> None:
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

    def throttled(self, operation: str, delay: float | None = None) -> str | None:
        """The API throttled ``operation`` (call after releasing the request's token).

        Every process holds back from the operation for ``delay`` seconds (at most one window; the server's
        ``Retry-After`` or the client's backoff), and the adaptive profile learns a slower table or even spacing (see
        the module's docstring). Returns the table the operation is paced at from now on, or None when disabled.
        """
        if not self.enabled:
            return None
        op = operation
        self.throttles[op] = self.throttles.get(op, 0) + 1
        seconds = min(max(float(delay or 0.0), 0.0), self.window) if finite(delay or 0.0) else 0.0

        def learn(state, now):
            if seconds > 0:
                state["blocked"][op] = max(state["blocked"].get(op, 0.0), now + seconds)
            if self.profile != AUTO:
                return self.profile
            if op not in self.overrides:
                self._learn(state, now, op)
            return self._level(state, op)

        return self._update(learn)

    def close(self) -> None:
        fd = getattr(self, "_dir_fd", None)
        self._dir_fd = None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def __del__(self):
        self.close()

    @property
    def state_dir(self) -> str:
        return os.path.expanduser(self._state_dir) if self._state_dir else default_state_dir()

    @property
    def state_name(self) -> str:
        return self._digest + ".json"

    @property
    def lock_name(self) -> str:
        return self._digest + ".lock"

    @property
    def state_path(self) -> str:
        return os.path.join(self.state_dir, self.state_name)

    @property
    def lock_path(self) -> str:
        return os.path.join(self.state_dir, self.lock_name)

    # -- pacing --------------------------------------------------------------------------

    def _level(self, state, op) -> str:
        level = slower(state["learnt"].get("level", LEVELS[0]), start_level(op))
        entry = state["op_levels"].get(op)
        return slower(level, entry["level"]) if entry else level

    def _learn(self, state, now, op) -> None:
        """What a throttle of ``op`` teaches: a slower table that explains it, else even spacing when its last two
        requests came closer than that, else ``op`` alone one table down (never below the slowest)."""
        current = self._level(state, op)
        until = now + self.learn_ttl
        explained = self._explaining_level(state, now, op, current)
        if explained is not None:
            account = state["learnt"].get("level", LEVELS[0])
            state["learnt"] = {"level": slower(account, explained), "until": until}
        elif not state["even"] and self._bursting(state, op):
            state["even"] = {"until": until}
        elif current != LEVELS[-1]:
            state["op_levels"][op] = {"level": LEVELS[LEVELS.index(current) + 1], "until": until}

    def _bursting(self, state, op) -> bool:
        """Whether the last two requests of ``op`` were closer than its limits spread evenly would send them."""
        times = [t for t, _reservation in state["ops"].get(op, [])][-2:]
        spacing = max(limit.evenly().span(self.window) for limit in self.limits(op, state))
        return len(times) == 2 and times[1] - times[0] < spacing

    def _explaining_level(self, state, now, op, current):
        """The fastest table slower than ``current`` whose limit the recent requests of ``op`` reached, or None."""
        entries = state["ops"].get(op, [])
        for level in LEVELS[LEVELS.index(current) + 1 :]:
            limit = table_limit(level, op)
            span = limit.span(self.window)
            # The throttled request is among the entries (released before this call); the server did not count it.
            sent = sum(1 for t, _reservation in entries if t > now - span) - 1
            if sent >= limit.count:
                return level
        return None

    def _prune(self, state, now):
        """Drop expired slots, blocks and learnt tables; pull back times in the future (the wall clock went back)."""
        for op in list(state["ops"]):
            entries = []
            for t, reservation in state["ops"][op]:
                if t > now + self.window:
                    t = now
                if t + self.window > now:
                    entries.append([t, reservation])
            entries.sort(key=lambda e: e[0])
            if entries:
                state["ops"][op] = entries[-self._keep :]
            else:
                del state["ops"][op]
        for op in list(state["blocked"]):
            until = min(state["blocked"][op], now + self.window)
            if until > now:
                state["blocked"][op] = until
            else:
                del state["blocked"][op]
        if state["learnt"] and level_entry(state["learnt"], now, self.learn_ttl) is None:
            state["learnt"] = {}
        for op in list(state["op_levels"]):
            if level_entry(state["op_levels"][op], now, self.learn_ttl) is None:
                del state["op_levels"][op]
        if state["even"] and learnt_until(state["even"], now, self.learn_ttl) is None:
            state["even"] = {}

    def _try_reserve(self, state, now, op, reservation):
        """Reserve a slot (returns None) or return the seconds until one may be free."""
        entries = state["ops"].get(op, [])
        wait = state["blocked"].get(op, 0.0) - now
        for limit in self.limits(op, state):
            span = limit.span(self.window)
            recent = [e[0] for e in entries if e[0] > now - span]
            if len(recent) >= limit.count:
                # The oldest slot that must expire before the count drops below the limit.
                wait = max(wait, recent[len(recent) - limit.count] + span - now)
        if wait <= 0:
            state["ops"][op] = entries + [[now, reservation]]
            return None
        return wait

    # -- state ---------------------------------------------------------------------------

    def _read_state(self):
        """The pruned state, for reading only."""
        if not self.enabled:
            return empty_state()
        return self._update(lambda state, now: json.loads(json.dumps(state)), write=False)

    def _fall_back(self, reason, seed=None):
        self.fallback_reason = "%s; pacing this process only" % reason
        self._memory = seed if seed is not None else empty_state()
        self.close()

    def _update(self, change, write=True):
        """Run ``change(state, now)`` on the pruned state under the lock and save it; return its result."""
        if self._memory is None:
            try:
                return self._update_file(change, write)
            except _Unusable as exc:
                self._fall_back(str(exc), self._load_unlocked())
            except (OSError, NotImplementedError) as exc:
                self._fall_back("pacing state in %s unusable (%s)" % (self.state_dir, exc), self._load_unlocked())
        now = self._clock()
        self._prune(self._memory, now)
        return change(self._memory, now)

    def _directory(self) -> int:
        """A descriptor of the state directory, created 0700 when missing, refused unless the effective user owns it
        and neither group nor others may write to it."""
        if self._dir_fd is not None:
            return self._dir_fd
        directory = self.state_dir
        if not os.path.isdir(directory):
            try:
                os.makedirs(directory, mode=0o700)
            except FileExistsError:
                pass
        fd = os.open(directory, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)
        try:
            info = os.fstat(fd)
            if not stat.S_ISDIR(info.st_mode):
                raise _Unusable("the pacing state directory %s is not a directory" % directory)
            if info.st_uid != os.geteuid():
                raise _Unusable(
                    "the pacing state directory %s is owned by uid %d, not by uid %d that runs the module; use a "
                    "directory of your own with mode 0700" % (directory, info.st_uid, os.geteuid())
                )
            if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                raise _Unusable(
                    "the pacing state directory %s is writable by group or others (mode %04o); make it mode 0700" % (directory, stat.S_IMODE(info.st_mode))
                )
        except BaseException:
            os.close(fd)
            raise
        self._dir_fd = fd
        return fd

    def _lock(self, dir_fd) -> int:
        """The lock file's descriptor, locked; waits at most ``lock_timeout`` seconds."""
        try:
            fd = os.open(self.lock_name, os.O_RDWR | os.O_CREAT | _O_NOFOLLOW | _O_CLOEXEC | _O_NONBLOCK, 0o600, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK):
                raise _Unusable("the pacing lock %s is a symbolic link" % self.lock_path) from None
            raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                raise _Unusable("the pacing lock %s is not a regular file of uid %d" % (self.lock_path, os.geteuid()))
            deadline = time.monotonic() + self.lock_timeout
            pause = 0.001
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                        raise
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Unusable("the pacing lock %s was held by another process for more than %g s" % (self.lock_path, self.lock_timeout))
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.02)
        except BaseException:
            os.close(fd)
            raise

    def _update_file(self, change, write):
        dir_fd = self._directory()
        lock_fd = self._lock(dir_fd)
        try:
            now = self._clock()
            state = self._load(dir_fd, now)
            self._prune(state, now)
            result = change(state, now)
            if write:
                self._save(dir_fd, state)
            return result
        finally:
            # Closing the descriptor releases the lock.
            os.close(lock_fd)

    def _load(self, dir_fd, now):
        """The state file's content when it is sound; an empty state otherwise (the next save replaces it)."""
        try:
            fd = os.open(self.state_name, os.O_RDONLY | _O_NOFOLLOW | _O_CLOEXEC | _O_NONBLOCK, dir_fd=dir_fd)
        except OSError:
            # Missing, a symbolic link, unreadable: start afresh rather than fail the task.
            return empty_state()
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STATE_BYTES:
                return empty_state()
            chunks, size = [], 0
            while size <= MAX_STATE_BYTES:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return sanitize(parse_state(b"".join(chunks)), now, self.learn_ttl)
        except (OSError, ValueError):
            return empty_state()
        finally:
            os.close(fd)

    def _load_unlocked(self):
        """What the state file says, read without the lock (files are replaced whole), for pacing in memory."""
        if self._dir_fd is None:
            return None
        try:
            return self._load(self._dir_fd, self._clock())
        except (OSError, NotImplementedError):
            return None

    def _save(self, dir_fd, state):
        # Write a new file under a random name, then rename it over the old one: a process killed mid-write never
        # leaves a truncated file, and no name another user could predict is ever opened.
        payload = json.dumps(state, separators=(",", ":"), sort_keys=True, allow_nan=False).encode("utf-8")
        for dummy in range(100):
            temporary = "%s.%s.tmp" % (self._digest, _random_suffix())
            try:
                fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, 0o600, dir_fd=dir_fd)
                break
            except FileExistsError:
                continue
        else:
            raise OSError(errno.EEXIST, "no free temporary file name in %s" % self.state_dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            os.replace(temporary, self.state_name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            try:
                os.unlink(temporary, dir_fd=dir_fd)
            except OSError:
                pass
            raise


def _random_suffix() -> str:
    return binascii.hexlify(os.urandom(8)).decode("ascii")
