"""A role run driven through the real pacer against a simulated server, on a fake clock.

The server enforces one documented limit table the way the emulator does (a sliding window per operation that
counts the requests it accepts, refusing the rest; ``even=True`` also refuses a request closer than ``span / count``
to the one accepted before it, like the emulator's ``rate-2ps-even`` variant); the run makes the calls of the onboarding role in order,
with the client's retry loop. Nothing sleeps: the clock only moves. Used by the adaptive-pacing unit tests and by
``benchmarks/pacing_simulation.py``, which measures the adaptive profile at the API's real 60-second window.
"""

import collections
import math

from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import limits_for

# The calls one new person costs in the onboarding role, in the order it makes them.
PERSON = ("get_user", "create_user", "list_contact_methods", "add_phone", "get_paging_policy", "update_step", "create_step", "create_step", "add_team_member")
# The calls the role makes once per run, before the first person.
RUN = ("list_teams", "list_escalation_policies")


class FakeClock:
    """Time that moves only when told to: ``sleep`` records the wait (rounded, for exact comparisons) and advances."""

    def __init__(self, start=1_800_000_000.0):
        self.now = start
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 9))
        self.now += seconds


class Server:
    """Accepts at most a table's count of requests per operation in any span of that limit; ``level=None`` accepts all.

    ``even``: a server that spaces requests evenly (a token bucket of one): it also refuses a request less than
    ``span / count`` after the one it accepted before it.
    """

    def __init__(self, clock, level, window=60.0, even=False):
        self.clock = clock
        self.level = level
        self.window = window
        self.even = even
        self.accepted = collections.defaultdict(collections.deque)
        self.throttled = collections.Counter()
        self.calls = collections.Counter()

    def request(self, operation):
        self.calls[operation] += 1
        if self.level is None:
            return True
        limit = limits_for(operation, self.level)[0]
        span = limit.span(self.window)
        bucket = self.accepted[operation]
        while bucket and bucket[0] <= self.clock.now - span:
            bucket.popleft()
        if len(bucket) >= limit.count or (self.even and bucket and self.clock.now - bucket[-1] < span / limit.count):
            self.throttled[operation] += 1
            return False
        bucket.append(self.clock.now)
        return True


def calls_for(people):
    return list(RUN) + list(PERSON) * people


def run(pacer, server, clock, people, overhead, duration=0.05, backoff=0.5):
    """One role run for ``people`` new people, the client's retry loop included; returns the seconds it took.

    ``overhead``: seconds between two calls (a module process starting); 0 sends every call as soon as the pacer
    allows, the hardest case for the pacer. ``backoff``: the client's wait after a throttled answer.
    """
    start = clock.now
    for operation in calls_for(people):
        clock.now += overhead
        while True:
            token = pacer.acquire(operation)
            clock.now += duration / 2
            accepted = server.request(operation)
            clock.now += duration / 2
            pacer.release(token)
            if accepted:
                break
            pacer.throttled(operation, backoff)
            clock.sleep(backoff)
    return clock.now - start


def floor_seconds(people, level, window=60.0):
    """The least time the run's calls need at ``level``'s limits: per operation, the first ``count`` calls go at
    once and each further ``count`` waits one span; the slowest operation sets the floor."""
    counts = collections.Counter(calls_for(people))
    floor = 0.0
    for operation, calls in counts.items():
        limit = limits_for(operation, level)[0]
        floor = max(floor, math.ceil(calls / limit.count - 1) * limit.span(window))
    return floor


def level_of(pacer, operation):
    """The table ``operation`` is paced at, from what the pacer says it has learnt."""
    from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import slower

    learnt = pacer.learnt()
    own = learnt["operations"].get(operation)
    return slower(learnt["level"], own) if own else learnt["level"]
