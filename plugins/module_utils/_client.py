# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client of the collection: authentication headers, the error taxonomy, retries within budgets and
a per-task deadline, pacing under the per-operation rate limits, and the write-safety rule.

The client classifies each exchange into an outcome (``_retry.Outcome``), asks ``_retry.decide`` what to do, and
carries it out; ``_transport.py`` sends the exchange. Behaviour by status (``docs/rate-limits.md`` has the table):

* Throttles: 429, a 403 whose own message (JSON ``error``/``message``, or a body that is not JSON) says "Too Many
  Requests", "rate limit exceeded" or "rate limited", and a 403 with no reason at all that
  arrives after the same credentials were accepted earlier by this client. The request was not processed: re-sent
  whatever it is, after ``Retry-After`` or a jittered exponential backoff, and the pacer is told. A ``Retry-After``
  longer than the budget left stops at once, naming the wait.
* Any other 401/403 (``This API key is read-only``, a wrong key): an authentication failure, at once; nothing learnt.
* Uncertain outcomes (502/503/504, a timeout, a connection dropped after sending): a read, or a write that is
  resend-safe (``_api.RESEND_SAFE``: a stable identity, idempotent), is re-sent; a request that got no answer at all
  at most ``TIMEOUT_RETRIES`` times. Any other write is never re-sent: after at least ``timeout`` seconds it is
  confirmed with a read (``confirm_write``); applied: done; not visible: an ``AmbiguousWriteError`` says it "may or
  may not have been applied; re-run to converge".
* A 2xx status whose body is lost: the write was applied; its result is read back (``confirm_write``).
* A connection that was never established sent nothing: re-sent, within a short budget of its own.
* A host name that does not resolve, 404, 400/422, a 200 whose body is only an ``error``, 500 and every other
  status: not retried (a write answered 500 is confirmed, to say whether it was applied).
* Every request, pacer wait and read is bounded by the task's ``deadline`` (wall clock, from the client's creation).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import email.utils
import json
import math
import random
import time
import traceback
from collections import namedtuple
from typing import Any, Protocol

try:
    import requests
except ImportError:
    requests = None  # type: ignore[assignment]
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR: str | None = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

# The client's errors live with every other error of the collection; re-exported here for the client's users.
from ansible_collections.victorops.oncall.plugins.module_utils._errors import (  # noqa: F401  # pylint: disable=unused-import
    AmbiguousWriteError,
    AuthenticationError,
    DeadlineError,
    NotFoundError,
    PathParameterError,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    ValidationError,
    VictorOpsError,
)
from ansible_collections.victorops.oncall.plugins.module_utils._outcomes import Classifier, refusal
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import PacingTimeout
from ansible_collections.victorops.oncall.plugins.module_utils._retry import (
    TIMEOUT_RETRIES,
    UNCERTAIN,
    UNSENT_BUDGET,
    UNSENT_RETRIES,
    Action,
    Budgets,
    Outcome,
    Reason,
    Request,
    Wait,
    decide,
)
from ansible_collections.victorops.oncall.plugins.module_utils._transport import (  # noqa: F401  # pylint: disable=unused-import
    WATCHDOG_GRACE,
    Redactor,
    Transport,
    check_api_url,
    check_credentials,
    check_settings,
    decode_text,
    fill_path,
    is_loopback_address,
    path_problem,
    path_value_problem,
    seconds_text,
    snippet,
)
from ansible_collections.victorops.oncall.plugins.module_utils._version import COLLECTION_VERSION

USER_AGENT = "victorops.oncall/%s (+https://github.com/victorops-oncall/victorops.oncall)" % COLLECTION_VERSION

MAX_RESPONSE_BYTES = 10 * 1024 * 1024
READ_METHODS = frozenset(["GET", "HEAD", "OPTIONS"])
# Statuses that say the credentials were accepted.
_ACCEPTED = frozenset([400, 404, 409, 422])

# Backoff at the production 60-second window; scaled by rate_window / 60 so that a compressed
# test world (a 1-second window) also waits compressed times.
REFERENCE_WINDOW = 60.0
BACKOFF_BASE = 2.0
BACKOFF_CAP = 60.0
BACKOFF_FLOOR = 0.1
DEFAULT_DEADLINE = 300.0


class PacerInterface(Protocol):
    """What the client (and the module's warnings) need of a pacer (``_pacing.Pacer``)."""

    waited: float  # seconds waited in acquire() so far
    waits: dict[str, float]  # the same, by operation
    fallback_reason: str | None  # why pacing is not shared with other processes, or None

    def acquire(self, operation: str, max_wait: float | None = None) -> Any:
        """Wait for a slot (``PacingTimeout`` when it would take longer than ``max_wait``); return its token."""

    def release(self, token: Any) -> None:
        """The request of ``token`` has completed (or failed) now."""

    def throttled(self, operation: str, delay: float | None = None) -> Any:
        """The API throttled ``operation``: hold back ``delay`` seconds, learn a slower table."""


# -- pure helpers ---------------------------------------------------------------------------


def parse_retry_after(value, now):
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date), or None when unusable.

    A negative delta is invalid; a date in the past means "now" (0).
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if moment is None:
            return None
        if moment.tzinfo is None:
            # "-0000" dates come back naive; HTTP dates are always GMT.
            moment = moment.replace(tzinfo=datetime.timezone.utc)  # noqa: UP017 (datetime.UTC is Python 3.11+)
        return max(0.0, moment.timestamp() - now)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def _session(session, plain_http):
    """The requests session to send with (a new one when None)."""
    if session is None:
        if not HAS_REQUESTS:
            raise ImportError("the requests Python library is required")
        session = requests.Session()
    if plain_http:
        # Over plain http the key travels in clear: no proxy from the environment (HTTP_PROXY, ALL_PROXY, .netrc)
        # may see it, whether the host is a loopback address or one allowed by allow_insecure_http.
        session.trust_env = False
        session.proxies = {}
    return session


# One request: what is sent, and what it is (a read, a resend-safe write, a write to confirm).
_Call = namedtuple("_Call", "method path url operation headers data query expected read resend_safe confirm_write with_status")


class _Attempts:
    """The bookkeeping of one ``request()``: attempts, re-sends, waits and budgets."""

    def __init__(self, start):
        self.start = start
        self.retry_until = None  # retry_timeout counts from the first answer that is not a success
        self.attempts = 0
        self.resends = 0
        self.unsent_resends = 0
        self.no_answer_resends = 0
        self.uncertain_before = False
        self.waited = 0.0


# -- the client -----------------------------------------------------------------------------


class VictorOpsClient:
    """HTTP client of the VictorOps public API; one per module run (keep-alive across its calls).

    ``deadline`` (seconds, None for none) bounds the whole life of the client, counted from its
    creation: every wait and every exchange stops in time for it. ``allow_insecure_http`` lets
    ``api_url`` use plain ``http://`` to a host that is not a literal loopback address.
    """

    def __init__(
        self,
        api_url,
        api_id,
        api_key,
        timeout=30,
        validate_certs=True,
        ca_path=None,
        retries=6,
        retry_timeout=120,
        rate_window=60.0,
        pacer: PacerInterface | None = None,
        sleep=time.sleep,
        monotonic=time.monotonic,
        warn=None,
        session=None,
        rng=None,
        wall_clock=time.time,
        max_response_bytes=MAX_RESPONSE_BYTES,
        deadline=DEFAULT_DEADLINE,
        allow_insecure_http=False,
    ):
        check_credentials(api_id, api_key)
        check_settings(timeout, retries, retry_timeout, rate_window, deadline)
        self._redact = Redactor(api_key)
        self._warn = warn
        self.allow_insecure_http = bool(allow_insecure_http)
        self.api_url, plain_http = check_api_url(api_url, self.allow_insecure_http, self._notify)
        self.timeout = timeout
        self.retries = int(retries)
        self.retry_timeout = float(retry_timeout)
        self.rate_window = float(rate_window)
        # Backoff scaled by rate_window / 60, so that a compressed test world waits compressed times.
        self.backoff_base, self.backoff_cap, self.backoff_floor = (
            value * self.rate_window / REFERENCE_WINDOW for value in (BACKOFF_BASE, BACKOFF_CAP, BACKOFF_FLOOR)
        )
        self.pacer = pacer
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._rng = rng if rng is not None else random.Random()
        self.deadline = None if deadline is None else float(deadline)
        self._deadline_at = None if deadline is None else self._monotonic() + self.deadline
        self.session = _session(session, plain_http)
        self.transport = Transport(self.session, ca_path if (validate_certs and ca_path) else bool(validate_certs), max_response_bytes, monotonic)
        self._classifier = Classifier(timeout, self.deadline, self._redact, max_response_bytes)
        self._headers = {"X-VO-Api-Id": api_id, "X-VO-Api-Key": api_key, "Accept": "application/json", "User-Agent": USER_AGENT}
        self._counters = {"calls": 0, "writes": 0, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0}
        self._operations: dict[str, int] = {}
        # Whether the API accepted these credentials at least once (any 2xx, 400, 404, 409 or 422).
        self.credentials_accepted = False

    @property
    def max_response_bytes(self):
        return self.transport.max_response_bytes

    @property
    def stats(self):
        counters = self._counters
        return {
            "calls": counters["calls"],
            "writes": counters["writes"],
            "retries": counters["retries"],
            "pacing_wait": round(counters["pacing_wait"], 3),
            "retry_wait": round(counters["retry_wait"], 3),
            "operations": dict(self._operations),
        }

    def deadline_left(self, now=None):
        """Seconds left before the deadline (infinite without one)."""
        if self._deadline_at is None:
            return float("inf")
        return self._deadline_at - (self._monotonic() if now is None else now)

    # -- one request, with retries ----------------------------------------------------------

    def request(
        self, method, template, params=None, body=None, expected=(200,), resend_safe=None, confirm_write=None, query=None, operation=None, with_status=False
    ):
        """Send ``method template`` (placeholders filled from ``params``) and return the decoded JSON body.

        ``operation`` is the operation's name (``_api.OPERATIONS``), under which the request is paced and
        counted; without it, ``"METHOD template"``. ``expected`` lists the success statuses; an empty success
        body is None. ``resend_safe`` says that a write may be re-sent after an uncertain outcome (reads always
        may; writes may not unless told). ``confirm_write()`` reads whether the write was applied: it returns
        ``(True, result)`` or ``(False, None)``, or raises. ``with_status`` returns ``(status, body)`` instead of the
        body (for a request without ``confirm_write``, whose answer always comes from the API).
        """
        if with_status and confirm_write is not None:
            raise ValueError("with_status is for requests without confirm_write: a confirmed write's result comes from a read")
        method = method.upper()
        problem = path_problem(template, params)
        if problem is not None:
            raise PathParameterError(self._redact(problem), method=method, path=template)
        path = fill_path(template, params)
        read = method in READ_METHODS
        data, headers = None, dict(self._headers)
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        call = _Call(
            method,
            path,
            self.api_url + path,
            operation or "%s %s" % (method, template),
            headers,
            data,
            query,
            tuple(expected),
            read,
            read or bool(resend_safe),
            confirm_write,
            with_status,
        )
        return self._run(call)

    def _run(self, call):
        attempts = _Attempts(self._monotonic())
        while True:
            attempts.attempts += 1
            response, failure, limit = self._send_paced(call, attempts)
            if response is not None and failure is None:
                self._note_answer(response.status)
                if response.status in call.expected:
                    return self._success(call, response, attempts)
            problem = self._classifier.classify(call, response, failure, attempts.attempts, limit, self.credentials_accepted)
            wait = self._proposed_wait(response, attempts.resends)
            decision = decide(problem.outcome, self._request_state(call, attempts), self._budgets(attempts), wait)
            if problem.outcome is Outcome.THROTTLED:
                self._teach_pacer(call.operation, wait.asked if decision.reason is Reason.RETRY_AFTER_TOO_LONG else decision.delay)
            if decision.action is Action.CONFIRM:
                return self._confirm(call, problem, decision, attempts)
            if decision.action is Action.RAISE:
                raise self._give_up(call, problem, decision, attempts)
            self._resend(call, problem, decision, attempts)

    def _request_state(self, call, attempts):
        return Request(
            call.read,
            call.resend_safe,
            call.confirm_write is not None,
            attempts.resends,
            attempts.unsent_resends,
            attempts.no_answer_resends,
            attempts.uncertain_before,
            self._monotonic() - attempts.start,
        )

    def _budgets(self, attempts):
        now = self._monotonic()
        if attempts.retry_until is None:
            attempts.retry_until = now + self.retry_timeout
        return Budgets(self.retries, attempts.retry_until - now, self.deadline_left(now), float(self.timeout or 0.0))

    def _proposed_wait(self, response, resends):
        """``Retry-After`` when usable, else a full-jitter exponential backoff."""
        if response is not None:
            seconds = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
            if seconds is not None:
                return Wait(max(seconds, 0.0), max(seconds, 0.0))
        ceiling = min(self.backoff_cap, self.backoff_base * (2**resends))
        return Wait(max(self.backoff_floor, self._rng.uniform(0, ceiling)), None)

    def _resend(self, call, problem, decision, attempts):
        if problem.outcome in UNCERTAIN:
            attempts.uncertain_before = True
        if problem.outcome is Outcome.UNSENT:
            attempts.unsent_resends += 1
        if problem.outcome is Outcome.NO_ANSWER:
            attempts.no_answer_resends += 1
        attempts.resends += 1
        self._counters["retries"] += 1
        self._notify("%s %s: %s; retry %d of %d in %.3f s" % (call.method, call.url, problem.text, attempts.resends, self.retries, decision.delay))
        attempts.waited += self._wait(decision.delay)

    def _success(self, call, response, attempts):
        result = self._decode(call, response, attempts)
        # A refusal in a success body; an answer the caller accepts with another status is its own.
        refused = refusal(result) if 200 <= response.status < 300 else None
        if refused is not None:
            refused = snippet(refused, 500, self._redact)
            raise ValidationError(
                "request refused by the API (HTTP %s with only an error in its body): %s" % (response.status, refused),
                method=call.method,
                path=call.path,
                status=response.status,
                api_message=refused,
                body=self._redact.cut(decode_text(response.content), 4096, ""),
                attempts=attempts.attempts,
                url=call.url,
            )
        return (response.status, result) if call.with_status else result

    # -- carrying decisions out -------------------------------------------------------------------

    def _confirm(self, call, problem, decision, attempts):
        """Wait, then ask ``confirm_write``: its result when the write is visible; raises otherwise."""
        attempts.waited += self._wait(decision.delay)
        applied, result = call.confirm_write()
        if applied:
            return result
        if problem.outcome is Outcome.FATAL:
            raise problem.error()
        if problem.outcome is Outcome.FAILED:
            raise problem.error("; the write was confirmed not applied")
        if problem.outcome is Outcome.BODY_LOST:
            text = (
                "; the write may or may not have been applied: the API answered it with a success status, but its answer was lost "
                "and a read does not show it; not re-sent (%s is not safe to send twice); re-run to converge" % call.operation
            )
        else:
            text = (
                "; the write may or may not have been applied: it was not visible %s s later, but the API may still carry it out, "
                "so it was not re-sent (%s is not safe to send twice); re-run to converge" % (seconds_text(decision.delay), call.operation)
            )
        raise problem.error(text, cls=AmbiguousWriteError)

    def _give_up(self, call, problem, decision, attempts):
        """The error that ends the request."""
        reason = decision.reason
        if reason is Reason.FINAL:
            text = "; the write may or may not have been applied" if problem.outcome is Outcome.FAILED and not call.read else ""
            return problem.error(text, self._network_hint())
        if reason is Reason.NOT_RESEND_SAFE:
            text = (
                "; the write may or may not have been applied: %s is not safe to send twice, so it was not re-sent; "
                "re-run to converge (the next run reads the state first)" % call.operation
            )
            return problem.error(text, cls=AmbiguousWriteError)
        budget = self._budget_text(attempts)
        if reason is Reason.NO_TIME_TO_CONFIRM and problem.outcome is Outcome.BODY_LOST:
            text = (
                "; the API answered with a success status, so the write was applied, but its answer was lost and the deadline "
                "(%g s) leaves no time to read it back; re-run to converge (%s)" % (self.deadline, budget)
            )
            return problem.error(text, cls=AmbiguousWriteError)
        if reason is Reason.NO_TIME_TO_CONFIRM:
            text = (
                "; the write may or may not have been applied: checking it safely takes waiting %s s, and only %s s are left "
                "before the deadline (%g s); re-run to converge (%s)"
                % (
                    seconds_text(decision.delay),
                    seconds_text(max(self.deadline_left(), 0.0)),
                    self.deadline,
                    budget,
                )
            )
            return problem.error(text, cls=AmbiguousWriteError)
        if reason is Reason.RETRY_AFTER_TOO_LONG:
            return problem.error(
                "; the API asked to wait %s s before re-sending (Retry-After), more than %s: stopped without waiting (%s)"
                % (seconds_text(decision.delay), self._left_text(attempts), budget),
                self._network_hint(),
            )
        text = "; gave up (%s): %s" % (budget, self._reason_text(reason))
        if problem.throttle_403:
            text += ". A 403 that persists may also mean that this API key is not allowed this operation"
        return problem.error(text, self._network_hint())

    def _reason_text(self, reason):
        return {
            Reason.NO_RETRIES_LEFT: "no retries left",
            Reason.RETRY_TIMEOUT_SPENT: "retry_timeout is spent",
            Reason.DEADLINE: "the deadline of %s s is reached" % ("%g" % self.deadline if self.deadline is not None else "none"),
            Reason.UNSENT_BUDGET: "a connection that cannot be established is tried at most %d times within %g s" % (UNSENT_RETRIES + 1, UNSENT_BUDGET),
            Reason.NO_ANSWER_BUDGET: "a request that gets no answer is sent at most %d times" % (TIMEOUT_RETRIES + 1),
        }[reason]

    def _left_text(self, attempts):
        now = self._monotonic()
        budget_left, deadline_left = attempts.retry_until - now, self.deadline_left(now)
        if budget_left <= deadline_left:
            return "the %s s left of retry_timeout (%g s)" % (seconds_text(max(budget_left, 0.0)), self.retry_timeout)
        return "the %s s left before the deadline (%g s)" % (seconds_text(max(deadline_left, 0.0)), self.deadline)

    def _network_hint(self):
        return (
            ". Check that api_url (%s) is right and reachable from this host: the network, a firewall, "
            "the proxy settings (HTTPS_PROXY, NO_PROXY)" % self.api_url
        )

    def _budget_text(self, attempts):
        now = self._monotonic()
        text = "%d attempt%s over %s s, %s s of it waiting between attempts; retries=%d, retry_timeout=%g s" % (
            attempts.attempts,
            "" if attempts.attempts == 1 else "s",
            seconds_text(max(now - attempts.start, 0.0)),
            seconds_text(attempts.waited),
            self.retries,
            self.retry_timeout,
        )
        if self.deadline is not None:
            text += ", deadline=%g s" % self.deadline
        return text

    def _note_answer(self, status):
        if 200 <= status < 300 or status in _ACCEPTED:
            self.credentials_accepted = True

    def _teach_pacer(self, operation, seconds):
        if self.pacer is not None:
            self.pacer.throttled(operation, max(min(seconds, self.deadline_left()), 0.0))

    def _wait(self, delay):
        if delay > 0:
            self._sleep(delay)
            self._counters["retry_wait"] += delay
        return delay

    def _notify(self, message):
        if self._warn is not None:
            self._warn(self._redact(message))

    # -- sending ------------------------------------------------------------------------------

    def _deadline_error(self, call, attempts, text):
        return DeadlineError(text + " (%s)" % self._budget_text(attempts), method=call.method, path=call.path, attempts=attempts.attempts - 1, url=call.url)

    def _acquire(self, call, attempts, left):
        """The pacer's token, waiting no longer than the deadline allows."""
        before = self.pacer.waited
        try:
            token = self.pacer.acquire(call.operation, None if left == float("inf") else left)
        except PacingTimeout as exc:
            self._counters["pacing_wait"] += self.pacer.waited - before
            raise self._deadline_error(
                call,
                attempts,
                "the deadline of %g s does not leave time for the rate limit of %s: the pacer would wait %s s, %s s are left; "
                "not sent. The API's rate limits are per account, shared by every run on this controller"
                % (self.deadline, call.operation, seconds_text(exc.wait), seconds_text(max(left, 0.0))),
            ) from None
        paced = self.pacer.waited - before
        self._counters["pacing_wait"] += paced
        if self.deadline_left() <= 0:
            self.pacer.release(token)
            raise self._deadline_error(
                call,
                attempts,
                "the deadline of %g s was reached while waiting %s s for the rate limit of %s; not sent" % (self.deadline, seconds_text(paced), call.operation),
            )
        return token

    def _send_paced(self, call, attempts):
        """(response, failure, limit): one exchange, paced, within the time left before the deadline."""
        left = self.deadline_left()
        if left <= 0:
            raise self._deadline_error(call, attempts, "the deadline of %g s was reached before the request could be sent" % self.deadline)
        token = self._acquire(call, attempts, left) if self.pacer is not None else None
        try:
            left = self.deadline_left()
            self._counters["calls"] += 1
            if not call.read:
                self._counters["writes"] += 1
            self._operations[call.operation] = self._operations.get(call.operation, 0) + 1
            limit = None if left == float("inf") else left
            if self.timeout is not None:
                limit = self.timeout if limit is None else min(self.timeout, limit)
            # A moment's grace lets requests report its own timeout first, when the deadline leaves room for it.
            grace = max(min(WATCHDOG_GRACE, left - limit), 0.0) if limit is not None else 0.0
            response, failure = self.transport.send(call.method, call.url, call.headers, call.data, call.query, limit, grace)
            return response, failure, limit
        finally:
            if self.pacer is not None:
                self.pacer.release(token)

    def _decode(self, call, response, attempts):
        details = dict(method=call.method, path=call.path, status=response.status, attempts=attempts.attempts, url=call.url)
        if response.too_large:
            raise ResponseError("response body larger than %d bytes (HTTP %s)" % (self.max_response_bytes, response.status), **details)
        text = decode_text(response.content)
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise ResponseError(
                "the API returned a body that is not valid JSON (HTTP %s, %s, %d bytes): %s"
                % (response.status, response.content_type, len(response.content), snippet(text, redact=self._redact) or "(blank)"),
                body=self._redact.cut(text, 4096, ""),
                **details,
            ) from None
