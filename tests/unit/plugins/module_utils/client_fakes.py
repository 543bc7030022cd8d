"""The fakes of the client's unit tests, in one place: a scripted session and responses, a clock that moves only
when told, random generators with fixed answers, and a pacer that records what the client asks of it."""

import contextlib
import json

from ansible_collections.victorops.oncall.plugins.module_utils._client import VictorOpsClient
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import PacingTimeout

WALL_START = 1_800_000_000.0
# The emulator's demo credentials (tests/emulator/seeds/default.yml).
API_ID = "demo-api-id"
API_KEY = "demo-api-key"


@contextlib.contextmanager
def running_emulator():
    """The emulator in this process: the demo organisation, a one-second window, no rate limits."""
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    emulator = Emulator(window=1.0, limits="off")
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def client_for(emulator, **options):
    """The real client against ``emulator``: no pacer, a short request_timeout (the wait before a confirming read)."""
    settings = dict(timeout=0.2, retries=2, retry_timeout=5, rate_window=1.0, pacer=None)
    settings.update(options)
    return VictorOpsClient(emulator.url, API_ID, API_KEY, **settings)


class FakeResponse:
    """What requests returns: a status, headers and a body (dict/list as JSON, str as UTF-8, bytes as they are)."""

    def __init__(self, status, body=None, headers=None, reason=None):
        self.status_code = status
        self.reason = reason
        self.headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            self.content = json.dumps(body).encode("utf-8")
            self.headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            self.content = body.encode("utf-8")
        else:
            self.content = body or b""
        self.closed = False

    def iter_content(self, chunk_size):
        for start in range(0, len(self.content), chunk_size):
            yield self.content[start : start + chunk_size]

    def close(self):
        self.closed = True


class TricklingResponse(FakeResponse):
    """A 200 whose body arrives in chunks, each ``seconds`` after the last on ``clock``."""

    def __init__(self, clock, chunks, seconds, status=200):
        super().__init__(status, b"".join(chunks), {"Content-Type": "application/json"})
        self.clock = clock
        self.chunks = chunks
        self.seconds = seconds

    def iter_content(self, chunk_size):
        for chunk in self.chunks:
            self.clock.now += self.seconds
            yield chunk


class FakeTime:
    """Monotonic and wall clocks that advance only when the client sleeps (or a scripted exchange takes time)."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now

    def wall(self):
        return WALL_START + self.now


class FakeSession:
    """Returns (or raises) the scripted outcomes in order and records every request.

    An outcome may be ``(seconds, outcome)``: an exchange that takes that long on ``clock``.
    """

    def __init__(self, *script, clock=None):
        self.clock = clock
        self.script = list(script)
        self.calls = []

    def request(self, method, url, **kwargs):
        self.calls.append(dict(kwargs, method=method, url=url, at=self.clock.now if self.clock else None))
        if not self.script:
            raise AssertionError("unexpected extra request: %s %s" % (method, url))
        outcome = self.script.pop(0)
        if isinstance(outcome, tuple):
            seconds, outcome = outcome
            self.clock.now += seconds
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class TopOfRangeRng:
    """uniform(a, b) returns b, so the backoff ceilings themselves are asserted."""

    def __init__(self):
        self.ranges = []

    def uniform(self, low, high):
        self.ranges.append((low, high))
        return high


class FixedRng:
    def __init__(self, value):
        self.value = value

    def uniform(self, low, high):
        return self.value


class RecordingPacer:
    """The pacer interface: records acquire/release/throttled; each acquire waits ``wait`` seconds (moving ``clock``),
    or raises ``PacingTimeout`` as the real pacer does when that wait is longer than allowed."""

    def __init__(self, clock=None, wait=0.0):
        self.events = []
        self.waited = 0.0
        self.waits = {}
        self.fallback_reason = None
        self.clock = clock
        self.wait = wait

    def acquire(self, operation, max_wait=None):
        self.events.append(("acquire", operation))
        if self.wait and max_wait is not None and self.wait > max_wait:
            raise PacingTimeout(operation, self.wait, max_wait)
        if self.wait:
            self.waited += self.wait
            if self.clock is not None:
                self.clock.now += self.wait
        return len(self.events)

    def release(self, token):
        self.events.append(("release", token))

    def throttled(self, operation, delay=None):
        self.events.append(("throttled", operation, delay))
