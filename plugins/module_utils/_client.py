# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client of the collection: authentication headers, path safety, JSON, the error
taxonomy, retries within budgets and a per-task deadline, and pacing under the per-operation rate limits.

Behaviour by status and method (``docs/rate-limits.md`` has the full table):

* 429, a 403 whose body says "Too Many Requests" or "rate limit" (the API's older signal), and a
  403 that arrives after the same credentials were accepted earlier by this client: the request was
  not processed, so it is re-sent whatever the method, after ``Retry-After`` or a jittered
  exponential backoff. A ``Retry-After`` longer than the budget left stops at once, naming the wait.
* 502/503/504, timeouts and dropped connections: re-sent only when the request is idempotent (GET
  and PUT, or ``idempotent=True``). A non-idempotent write (POST, PATCH, DELETE: a rule DELETE is by
  index and re-indexes) is never blindly re-sent: the client waits at least ``timeout`` seconds (a
  gateway that answered 504 may still be carrying the write out), then asks ``confirm_write()``.
  Applied: done. Not applied after an answered failure (5xx, dropped connection): re-sent once.
  Not visible after a timeout (no answer at all, the write may still be in flight): not re-sent,
  an ``AmbiguousWriteError`` says "may or may not have been applied; re-run to converge".
  Without ``confirm_write`` the error is an ``AmbiguousWriteError``.
* A connection that was never established (refused, connect timeout) sent nothing: re-sent for
  every method, within a short budget of its own (a few attempts, about 10 seconds).
* A host name that does not resolve, 401/403 on the first request (authentication), 404,
  400/422, a 200 whose body is only an ``error`` (a refusal), 500 and every other status: not retried.
* Every request, wait and read is bounded by the task's ``deadline`` (wall clock, from the
  client's creation): a server that accepts and never answers, or trickles its answer, cannot hold
  a request longer than ``min(timeout, time left before the deadline)``.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import email.utils
import json
import math
import ipaddress
import random
import re
import socket
import threading
import time
import traceback
import unicodedata
from http.client import responses as HTTP_REASONS
from urllib.parse import urlsplit

try:
    import requests
    from urllib3.exceptions import NewConnectionError
except ImportError:
    requests = None  # type: ignore[assignment]
    NewConnectionError = None  # type: ignore[assignment,misc]
    NameResolutionError = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR: str | None = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
    try:
        from urllib3.exceptions import NameResolutionError  # type: ignore[assignment]  # urllib3 2.x
    except ImportError:  # urllib3 1.x: recognised by its socket.gaierror text
        NameResolutionError = None

# The client's errors live with every other error of the collection; re-exported here for the client's users.
from ansible_collections.victorops.oncall.plugins.module_utils._version import COLLECTION_VERSION
from ansible_collections.victorops.oncall.plugins.module_utils._errors import (
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

USER_AGENT = "victorops.oncall/%s (+https://github.com/victorops-oncall/victorops.oncall)" % COLLECTION_VERSION

MAX_RESPONSE_BYTES = 10 * 1024 * 1024
MAX_PATH_PARAMETER_LENGTH = 255
SNIPPET_LENGTH = 200
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "OPTIONS", "PUT"])
TRANSIENT_STATUSES = frozenset([502, 503, 504])

# Backoff at the production 60-second window; scaled by rate_window / 60 so that a compressed
# test world (a 1-second window) also waits compressed times.
REFERENCE_WINDOW = 60.0
BACKOFF_BASE = 2.0
BACKOFF_CAP = 60.0
BACKOFF_FLOOR = 0.1

REDACTED = "********"

# Connections that cannot be established are retried briefly: a restarting load balancer comes
# back within seconds, a wrong host or a firewall does not.
UNSENT_RETRIES = 2
UNSENT_BUDGET = 10.0
CONNECT_TIMEOUT = 10.0
WATCHDOG_GRACE = 0.25
DEFAULT_DEADLINE = 300.0
API_DOMAIN = "victorops.com"
# Keys of a 200 body that is a refusal, not an answer ({"error": "User name X is unavailable"}).
_REFUSAL_KEYS = frozenset(["error", "status", "message", "code", "errorCode", "errorMessage", "details", "timestamp", "path"])
_GAI_TEXT = re.compile(
    r"name or service not known|nodename nor servname|getaddrinfo failed|no address associated|"
    r"temporary failure in name resolution|name resolution",
    re.IGNORECASE,
)

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PATH_FORBIDDEN = ("/", "\\", "?", "#", "%")
_LEGACY_RATE_LIMIT = re.compile(r"too many requests|rate[ _-]?limit", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_DROP = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


# -- pure helpers ---------------------------------------------------------------------------


def _value_for_message(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def path_value_problem(value):
    """Why ``value`` cannot be a path segment (it could change the path or is empty), or None when it can."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return "it must be a string or an integer, not %s" % type(value).__name__
    text = str(value)
    if text == "":
        return "it is empty"
    if len(text) > MAX_PATH_PARAMETER_LENGTH:
        return "it is longer than %d characters" % MAX_PATH_PARAMETER_LENGTH
    for forbidden in _PATH_FORBIDDEN:
        if forbidden in text:
            return "it contains %r" % forbidden
    if ".." in text or text == ".":
        return "it contains a dot path segment"
    for char in text:
        if char.isspace():
            return "it contains whitespace"
        if unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            return "it contains a control character"
    return None


def check_path_parameter(name, value):
    """The value as it goes into the path, raw; ``PathParameterError`` when it is unsafe there."""
    problem = path_value_problem(value)
    if problem is not None:
        raise PathParameterError("path parameter %r refused: %s (value %s)" % (name, problem, _value_for_message(value)))
    return str(value)


def fill_path(template, params=None):
    """Fill ``{name}`` placeholders of ``template`` with checked, raw (never percent-encoded) values."""
    if not template.startswith("/") or "?" in template or "#" in template:
        raise ValueError("path template must start with '/' and have no query or fragment: %r" % template)
    params = params or {}
    names = _PLACEHOLDER.findall(template)
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise PathParameterError("path parameters %s are not in the template" % ", ".join(unknown))
    values = {}
    for name in names:
        if name not in params:
            raise PathParameterError("path parameter %r refused: it is missing" % name)
        values[name] = check_path_parameter(name, params[name])
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


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


def _snippet(text, limit=SNIPPET_LENGTH):
    """A short, single-line, readable excerpt of a body (HTML tags dropped)."""
    if "<" in text and ">" in text:
        title = _HTML_TITLE.search(text)
        text = _one_line(_HTML_TAG.sub(" ", _HTML_DROP.sub(" ", text)))
        title = _one_line(_HTML_TAG.sub(" ", title.group(1))) if title else ""
        if title and not text.startswith(title):
            text = "%s: %s" % (title, text) if text else title
    text = _one_line(text)
    return text if len(text) <= limit else text[:limit] + "..."


def _one_line(text):
    return " ".join("".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text).split())


def _decode_text(content):
    return content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content or "")


def _api_message(content):
    """The API's own message from an error body: JSON ``error`` / ``message``, else a text excerpt."""
    text = _decode_text(content)
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return _snippet(text)
    if isinstance(data, dict):
        for field in ("error", "message", "errorMessage"):
            if isinstance(data.get(field), str) and data[field].strip():
                return _snippet(data[field], 500)
    return _snippet(json.dumps(data, sort_keys=True))


def _is_legacy_rate_limit(content):
    return bool(_LEGACY_RATE_LIMIT.search(_decode_text(content)[:4096]))


def _causes(exc):
    """``exc`` and every exception it wraps (requests wraps urllib3's MaxRetryError, whose reason is the cause)."""
    seen = []
    stack = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or any(item is known for known in seen):
            continue
        seen.append(item)
        stack.extend(arg for arg in getattr(item, "args", ()) if isinstance(arg, BaseException))
        stack.extend([getattr(item, "reason", None), item.__cause__])
    return seen


def _unresolved(exc):
    """True when a host name (the API's or the proxy's) did not resolve."""
    for cause in _causes(exc):
        if NameResolutionError is not None and isinstance(cause, NameResolutionError):
            return True
        if isinstance(cause, socket.gaierror):
            return True
        if NewConnectionError is not None and isinstance(cause, NewConnectionError) and _GAI_TEXT.search(str(cause)):
            return True
    return False


def _never_sent(exc):
    """True when the connection was never established, so the server cannot have seen the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    return any(NewConnectionError is not None and isinstance(cause, NewConnectionError) for cause in _causes(exc))


def _is_loopback(host):
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refusal(data):
    """The API's text when a success body is only an ``error`` (a refusal answered 200), else None."""
    if not isinstance(data, dict) or "error" not in data or not set(data) <= _REFUSAL_KEYS:
        return None
    error = data["error"]
    if error in (None, "", False) or (isinstance(error, (list, dict)) and not error):
        return None
    if isinstance(error, dict):
        error = error.get("message") or json.dumps(error, sort_keys=True)
    return _snippet(error if isinstance(error, str) else json.dumps(error, sort_keys=True), 500)


def _seconds(value):
    """A duration for a message: 157 s, 6.4 s, 0.041 s."""
    if value >= 100:
        return "%.0f" % value
    if value >= 1:
        return "%.1f" % value
    return "%.3f" % value


def _abort(raw):
    """Best effort: shut the socket of an abandoned exchange, so that its worker thread stops reading."""
    connection = getattr(getattr(raw, "raw", None), "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _WallClockTimeout(requests.exceptions.ReadTimeout if requests is not None else Exception):  # type: ignore[misc]
    """The whole exchange (headers and body) took longer than the request's wall-clock limit."""


def _status_text(status, reason=None):
    reason = reason or HTTP_REASONS.get(status)
    return "HTTP %s %s" % (status, reason) if reason else "HTTP %s" % status


class _Response:
    """What the client keeps of an HTTP response."""

    def __init__(self, status, reason, headers, content, too_large=False):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content = content
        self.too_large = too_large

    @property
    def content_type(self):
        return self.headers.get("content-type", "").split(";")[0].strip() or "no content type"


# -- the client -----------------------------------------------------------------------------


class _Run:
    """The bookkeeping of one ``request()``: attempts, re-sends, waits and budgets."""

    def __init__(self, start):
        self.start = start
        self.attempts = 0
        self.resends = 0
        self.unsent_resends = 0
        self.confirmed_resend = False
        self.waited = 0.0
        self.retry_until = None


class VictorOpsClient:
    """HTTP client of the VictorOps public API; one per module run (keep-alive across its calls).

    ``deadline`` (seconds, None for none) bounds the whole life of the client, counted from its
    creation: every wait and every exchange stops in time for it. ``allow_insecure_http`` lets
    ``api_url`` use plain ``http://`` to a host that is not a loopback address.
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
        pacer=None,
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
        for name, value in (("api_id", api_id), ("api_key", api_key)):
            # Checked here, without ever repeating the value: requests would otherwise quote the header
            # value in its error, or fail with a UnicodeEncodeError showing part of it.
            if not isinstance(value, str) or not value.strip():
                raise ValueError("%s must be a non-empty string" % name)
            if value != value.strip():
                raise ValueError("%s must not have leading or trailing whitespace (the value is not shown)" % name)
            if any(not " " <= char <= "~" for char in value):
                raise ValueError(
                    "%s must contain only printable ASCII characters (letters, digits, punctuation); it contains another "
                    "character, such as a control character, a line break or a typographic quote (the value is not shown): "
                    "copy it again from VictorOps" % name
                )
        self._api_key = api_key
        self._warn = warn
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be greater than 0, got %s" % timeout)
        if retries < 0:
            raise ValueError("retries must be 0 or more, got %s" % retries)
        if retry_timeout < 0:
            raise ValueError("retry_timeout must be 0 or more, got %s" % retry_timeout)
        if rate_window <= 0:
            raise ValueError("rate_window must be greater than 0, got %s" % rate_window)
        if deadline is not None and (math.isnan(deadline) or deadline <= 0):
            raise ValueError("deadline must be greater than 0, got %s" % deadline)
        self.allow_insecure_http = bool(allow_insecure_http)
        self.api_url = self._check_api_url(api_url)
        self.timeout = timeout
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.retries = int(retries)
        self.retry_timeout = float(retry_timeout)
        self.rate_window = float(rate_window)
        scale = self.rate_window / REFERENCE_WINDOW
        self.backoff_base = BACKOFF_BASE * scale
        self.backoff_cap = BACKOFF_CAP * scale
        self.backoff_floor = BACKOFF_FLOOR * scale
        self.max_response_bytes = max_response_bytes
        self.pacer = pacer
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._rng = rng if rng is not None else random.Random()
        self.deadline = None if deadline is None else float(deadline)
        self._deadline_at = None if deadline is None else self._monotonic() + self.deadline
        if session is None:
            if not HAS_REQUESTS:
                raise ImportError("the requests Python library is required")
            session = requests.Session()
        self.session = session
        self._headers = {
            "X-VO-Api-Id": api_id,
            "X-VO-Api-Key": api_key,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        self._calls = 0
        self._writes = 0
        self._retries = 0
        self._pacing_wait = 0.0
        self._retry_wait = 0.0
        self._operations = {}
        # Whether the API accepted these credentials at least once (any 2xx, 400, 404, 409 or 422).
        self.credentials_accepted = False
        # How many writes ended, at least once, in an outcome that leaves their effect unknown (5xx,
        # dropped connection, timeout), whether then confirmed, re-sent or failed. A module does one
        # final confirming read only when this is not 0.
        self.uncertain_writes = 0
        # How many writes were sent again after an outcome that left them unknown: such a write may land
        # twice if the first one lands late, so the paging executor reads the final state once after any.
        self.resent_writes = 0

    def _check_api_url(self, api_url):
        if not isinstance(api_url, str) or not api_url.strip():
            raise ValueError("api_url must be a non-empty URL")
        text = api_url.strip()
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https"):
            raise ValueError("api_url must use http or https, got %r" % (parts.scheme or text))
        if not parts.hostname:
            raise ValueError("api_url must name a host")
        if parts.username is not None or parts.password is not None:
            raise ValueError("api_url must not contain credentials; use api_id and api_key")
        if parts.query or parts.fragment or "?" in text or "#" in text:
            raise ValueError("api_url must not have a query or fragment")
        try:
            port = parts.port
        except ValueError:  # out of range
            port = -1
        if port is not None and not 0 < port < 65536:
            raise ValueError("api_url has an invalid port")
        base = "%s://%s" % (parts.scheme, parts.netloc)
        if parts.path.strip("/"):
            raise ValueError(
                "api_url must be the base URL of the API, without a path (it has %r): give the base URL only, "
                "e.g. %s or https://api.victorops.com; the collection adds /api-public/v1/... itself" % (parts.path, base)
            )
        host = parts.hostname.rstrip(".").lower()
        loopback = _is_loopback(host)
        if parts.scheme == "http" and not loopback:
            if not self.allow_insecure_http:
                raise ValueError(
                    "api_url %s uses plain http to %s, which is not a loopback address: the API ID and key would travel "
                    "unencrypted. Use https://, or set allow_insecure_http to true if that network path is trusted" % (base, host)
                )
            self._notify(
                "api_url %s uses plain http to a host that is not a loopback address (allow_insecure_http is true): "
                "the API ID and key travel unencrypted" % base
            )
        if not loopback and host != API_DOMAIN and not host.endswith("." + API_DOMAIN):
            self._notify(
                "api_url %s is not under %s: the API ID and key are sent to %s; make sure that host is meant to receive them" % (base, API_DOMAIN, host)
            )
        return base

    @property
    def stats(self):
        return {
            "calls": self._calls,
            "writes": self._writes,
            "retries": self._retries,
            "pacing_wait": round(self._pacing_wait, 3),
            "retry_wait": round(self._retry_wait, 3),
            "operations": dict(self._operations),
        }

    def deadline_left(self, now=None):
        """Seconds left before the deadline (infinite without one)."""
        if self._deadline_at is None:
            return float("inf")
        return self._deadline_at - (self._monotonic() if now is None else now)

    # -- one request, with retries ----------------------------------------------------------

    def request(self, method, template, params=None, body=None, expected=(200,), idempotent=None, confirm_write=None, query=None, operation=None):
        """Send ``method template`` (placeholders filled from ``params``) and return the decoded JSON body.

        ``operation`` is the operation's name (``_api.OPERATIONS``), under which the request is paced and
        counted; without it, ``"METHOD template"``.

        ``expected`` lists the success statuses; an empty success body is None. ``idempotent``
        overrides the method's default (GET and PUT are idempotent). ``confirm_write()`` is asked,
        after an ambiguous failure of a non-idempotent write, whether it was applied: it returns
        ``(True, result)`` or ``(False, None)``, or raises. It is asked no sooner than ``timeout``
        seconds after the failure, so that a write the API is still carrying out has landed.
        """
        method = method.upper()
        try:
            path = fill_path(template, params)
        except PathParameterError as exc:
            exc.method, exc.path = method, template
            exc.message = self._redact(exc.message)
            raise
        url = self.api_url + path
        try:
            return self._request(method, template, path, url, params, body, expected, idempotent, confirm_write, query, operation)
        except VictorOpsError as exc:
            if exc.url is None:
                exc.url = url
            if isinstance(exc, TransportError) and not getattr(exc, "hinted", False):
                exc.hinted = True
                exc.message += (
                    ". Check that api_url (%s) is right and reachable from this host: the network, a firewall, "
                    "the proxy settings (HTTPS_PROXY, NO_PROXY)" % self.api_url
                )
            raise

    def _request(self, method, template, path, url, params, body, expected, idempotent, confirm_write, query, operation):
        operation = operation or "%s %s" % (method, template)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        is_write = method not in ("GET", "HEAD", "OPTIONS")
        data = None
        headers = dict(self._headers)
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"

        run = _Run(self._monotonic())
        while True:
            run.attempts += 1
            response, failure, limit = self._send_paced(operation, method, path, url, headers, data, query, run)
            if response is not None:
                self._note_answer(response.status)
            if response is not None and response.status in expected:
                result = self._decode(method, path, response, run.attempts)
                refused = _refusal(result)
                if refused is not None:
                    raise ValidationError(
                        "request refused by the API (HTTP %s with only an error in its body): %s" % (response.status, self._redact(refused)),
                        method=method,
                        path=path,
                        status=response.status,
                        api_message=self._redact(refused),
                        body=self._redact(_decode_text(response.content)[:4096]),
                        attempts=run.attempts,
                    )
                return result

            kind, error = self._classify(method, path, url, response, failure, run.attempts, limit)
            if is_write and kind in ("ambiguous", "failed"):
                self.uncertain_writes += 1
            if not idempotent and kind in ("ambiguous", "failed"):
                applied, result = self._settle_write(method, path, kind, error, response, failure, run, confirm_write)
                if applied:
                    return result
                run.resends += 1
                run.confirmed_resend = True
                self.resent_writes += 1
                self._retries += 1
                self._notify(
                    "%s %s: %s; the write was confirmed not applied; re-sending (retry %d of %d)" % (method, url, error.message, run.resends, self.retries)
                )
                continue
            if kind in ("fatal", "failed"):
                raise error

            # A lost write (a PUT: idempotent, so re-sent) may still land: re-sent sooner than request_timeout, it could
            # land after the next write of a plan had re-indexed the steps, on the step that moved up.
            floor = self.timeout if is_write and kind == "ambiguous" and self.timeout else 0.0
            delay = self._retry_delay(kind, error, response, run, operation, floor)
            if is_write and kind == "ambiguous":
                self.resent_writes += 1
            run.resends += 1
            self._retries += 1
            self._notify("%s %s: %s; retry %d of %d in %.3f s" % (method, url, error.message, run.resends, self.retries, delay))
            run.waited += self._wait(delay)

    def _retry_delay(self, kind, error, response, run, operation, floor=0.0):
        """The wait (at least ``floor``) before re-sending a retryable outcome; raises ``error`` when no budget is left for it."""
        now = self._monotonic()
        if run.retry_until is None:
            run.retry_until = now + self.retry_timeout
        budget_left = run.retry_until - now
        deadline_left = self.deadline_left(now)
        delay, asked = self._delay(response, run.resends)
        if asked is not None and asked > 0 and asked > min(budget_left, deadline_left) and run.resends < self.retries:
            if kind == "rate_limited":
                self._penalize(operation, asked, deadline_left)
            if budget_left <= deadline_left:
                left = "the %s s left of retry_timeout (%g s)" % (_seconds(max(budget_left, 0.0)), self.retry_timeout)
            else:
                left = "the %s s left before the deadline (%g s)" % (_seconds(max(deadline_left, 0.0)), self.deadline)
            error.message += "; the API asked to wait %s s before re-sending (Retry-After), more than %s: stopped without waiting (%s)" % (
                _seconds(asked),
                left,
                self._budget_text(run, now),
            )
            raise error
        if asked is None:
            delay = min(delay, max(min(budget_left, deadline_left), 0.0))
        delay = max(delay, floor)
        if kind == "rate_limited":
            self._penalize(operation, delay, deadline_left)

        reason = None
        if run.resends >= self.retries:
            reason = "no retries left"
        elif budget_left <= 0:
            reason = "retry_timeout is spent"
        elif deadline_left <= delay:
            reason = "the deadline of %g s is reached" % self.deadline
        elif kind == "unsent" and (run.unsent_resends >= UNSENT_RETRIES or now - run.start + delay > UNSENT_BUDGET):
            reason = "a connection that cannot be established is tried at most %d times within %g s" % (UNSENT_RETRIES + 1, UNSENT_BUDGET)
        if reason is not None:
            error.message += "; gave up (%s): %s" % (self._budget_text(run, now), reason)
            if getattr(error, "throttle_403", False):
                error.message += ". A 403 that persists may also mean that this API key is not allowed this operation"
            raise error
        if kind == "unsent":
            run.unsent_resends += 1
        return delay

    def _settle_write(self, method, path, kind, error, response, failure, run, confirm_write):
        """After an uncertain outcome of a non-idempotent write: (True, result) when confirmed applied,
        (False, None) when it is to be re-sent; raises otherwise."""
        if confirm_write is None:
            if kind == "failed":
                error.message += "; the write may or may not have been applied"
                raise error
            raise self._ambiguous(method, path, error, run.attempts)
        # No answer at all: the API may still be carrying the write out.
        in_flight = isinstance(failure, requests.exceptions.Timeout)
        # Look no sooner than one request_timeout later: a gateway's 504 (or our own timeout) may come
        # before the API applies the write, and a read taken too early would have it sent twice.
        delay, _asked = self._delay(response, run.resends)
        wait = max(delay, self.timeout or 0.0)
        deadline_left = self.deadline_left()
        if wait >= deadline_left:
            raise AmbiguousWriteError(
                "%s; the write may or may not have been applied: checking it safely takes waiting %s s, and only %s s are left before "
                "the deadline (%g s); re-run to converge (%s)"
                % (error.message, _seconds(wait), _seconds(max(deadline_left, 0.0)), self.deadline, self._budget_text(run)),
                method=method,
                path=path,
                status=error.status,
                api_message=error.api_message,
                body=error.body,
                attempts=run.attempts,
            )
        run.waited += self._wait(wait)
        applied, result = confirm_write()
        if applied:
            return True, result
        if kind == "failed":
            error.message += "; the write was confirmed not applied"
            raise error
        if in_flight:
            raise AmbiguousWriteError(
                "%s; the write may or may not have been applied: it was not visible %s s later, but the API may still carry it out, "
                "so it was not re-sent (%s is not idempotent); re-run to converge" % (error.message, _seconds(wait), method),
                method=method,
                path=path,
                attempts=run.attempts,
            )
        if run.confirmed_resend:
            error.message += (
                "; the write was confirmed not applied again after it had been re-sent once; not re-sent a second time; "
                "re-run to converge (%s)" % self._budget_text(run)
            )
            raise error
        if run.resends >= self.retries or self.retry_timeout <= 0 or self.deadline_left() <= 0:
            error.message += "; the write was confirmed not applied, and the retry budget is spent (%s)" % self._budget_text(run)
            raise error
        return False, None

    def _budget_text(self, run, now=None):
        now = self._monotonic() if now is None else now
        text = "%d attempt%s over %s s, %s s of it waiting between attempts; retries=%d, retry_timeout=%g s" % (
            run.attempts,
            "" if run.attempts == 1 else "s",
            _seconds(max(now - run.start, 0.0)),
            _seconds(run.waited),
            self.retries,
            self.retry_timeout,
        )
        if self.deadline is not None:
            text += ", deadline=%g s" % self.deadline
        return text

    def _note_answer(self, status):
        if 200 <= status < 300 or status in (400, 404, 409, 422):
            self.credentials_accepted = True

    def _penalize(self, operation, seconds, deadline_left):
        if self.pacer is not None and hasattr(self.pacer, "penalize"):
            self.pacer.penalize(operation, max(min(seconds, deadline_left), 0.0))

    def _wait(self, delay):
        if delay > 0:
            self._sleep(delay)
            self._retry_wait += delay
        return delay

    def _notify(self, message):
        if self._warn is not None:
            self._warn(self._redact(message))

    def _redact(self, text):
        if text is None or not self._api_key:
            return text
        return str(text).replace(self._api_key, REDACTED)

    def _delay(self, response, resends):
        """(seconds, asked): ``Retry-After`` when usable (then ``asked`` is that wait), else full-jitter exponential backoff."""
        if response is not None:
            seconds = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
            if seconds is not None:
                return max(seconds, 0.0), max(seconds, 0.0)
        ceiling = min(self.backoff_cap, self.backoff_base * (2**resends))
        return max(self.backoff_floor, self._rng.uniform(0, ceiling)), None

    # -- sending ------------------------------------------------------------------------------

    def _send_paced(self, operation, method, path, url, headers, data, query, run):
        """(response, failure, limit): one exchange, paced, within the time left before the deadline."""
        left = self.deadline_left()
        if left <= 0:
            raise DeadlineError(
                "the deadline of %g s was reached before the request could be sent (%s)" % (self.deadline, self._budget_text(run)),
                method=method,
                path=path,
                attempts=run.attempts - 1,
            )
        token = None
        if self.pacer is not None:
            before = getattr(self.pacer, "waited", 0.0)
            token = self.pacer.acquire(operation)
            paced = getattr(self.pacer, "waited", 0.0) - before
            self._pacing_wait += paced
            left = self.deadline_left()
            if left <= 0:
                self.pacer.release(token)
                raise DeadlineError(
                    "the deadline of %g s was reached while waiting %s s for the rate limit of %s; not sent (%s)"
                    % (self.deadline, _seconds(paced), operation, self._budget_text(run)),
                    method=method,
                    path=path,
                    attempts=run.attempts - 1,
                )
        try:
            self._calls += 1
            if method != "GET":
                self._writes += 1
            self._operations[operation] = self._operations.get(operation, 0) + 1
            limit = None if left == float("inf") else left
            if self.timeout is not None:
                limit = self.timeout if limit is None else min(self.timeout, limit)
            response, failure = self._send(method, path, url, headers, data, query, limit)
            return response, failure, limit
        finally:
            if self.pacer is not None:
                self.pacer.release(token)

    def _send(self, method, path, url, headers, data, query, limit):
        """(response, None) or (None, exception) for a transport failure; TLS failures raise.

        The exchange runs in a worker thread so that the wall clock bounds all of it (name
        resolution, connecting, headers, body): requests' own timeouts bound each socket read,
        which a server trickling one byte at a time never trips. An abandoned exchange's socket is
        shut once its headers are in, which ends its worker; before that, the worker (a daemon
        thread) ends with its socket's own timeout, or with the process.
        """
        timeout = None if limit is None else (min(CONNECT_TIMEOUT, limit), limit)
        box = {}
        done = threading.Event()
        abandoned = threading.Event()

        def exchange():
            try:
                box["result"] = self._exchange(method, path, url, headers, data, query, timeout, limit, box, abandoned)
            except BaseException as exc:  # noqa: BLE001  (handed over to the calling thread)
                box["error"] = exc
            finally:
                done.set()

        if limit is None:
            exchange()
        else:
            worker = threading.Thread(target=exchange, name="victorops-request", daemon=True)
            worker.start()
            # A moment's grace lets requests report its own timeout first, when the deadline leaves room for it.
            grace = max(min(WATCHDOG_GRACE, self.deadline_left() - limit), 0.0)
            if not done.wait(limit + grace):
                abandoned.set()
                _abort(box.get("raw"))
                return None, _WallClockTimeout("no complete answer within %g s" % limit)
        if "error" in box:
            raise box["error"]
        return box["result"]

    def _exchange(self, method, path, url, headers, data, query, timeout, limit, box, abandoned):
        started = self._monotonic()
        try:
            raw = self.session.request(
                method, url, headers=headers, data=data, params=query, timeout=timeout, verify=self.verify, allow_redirects=False, stream=True
            )
        except requests.exceptions.SSLError as exc:
            error = TransportError(
                self._redact(
                    "TLS failure: %s; not retried. Check the certificate of the API, set ca_path to the CA bundle "
                    "that signs it, or (against a local emulator only) set validate_certs to false" % _snippet(str(exc), 300)
                ),
                method=method,
                path=path,
            )
            error.hinted = True
            raise error from None
        except requests.exceptions.RequestException as exc:
            return None, exc
        box["raw"] = raw
        try:
            if abandoned.is_set():
                return None, _WallClockTimeout("abandoned")
            content, too_large = self._read(raw, started, limit)
        except requests.exceptions.RequestException as exc:
            return None, exc
        finally:
            close = getattr(raw, "close", None)
            if close is not None:
                close()
        headers_lower = {str(k).lower(): str(v) for k, v in (raw.headers or {}).items()}
        return _Response(raw.status_code, getattr(raw, "reason", None), headers_lower, content, too_large), None

    def _read(self, raw, started=None, limit=None):
        """The body, read no further than the size limit, and no longer than ``limit`` seconds from ``started``."""
        size_limit = self.max_response_bytes
        length = {str(k).lower(): v for k, v in (raw.headers or {}).items()}.get("content-length")
        try:
            if length is not None and int(length) > size_limit:
                return b"", True
        except ValueError:
            pass
        iter_content = getattr(raw, "iter_content", None)
        if iter_content is None:
            content = raw.content or b""
            return (b"", True) if len(content) > size_limit else (content, False)
        chunks = []
        size = 0
        for chunk in iter_content(65536):
            if limit is not None and started is not None and self._monotonic() - started > limit:
                raise _WallClockTimeout("the answer took longer than %g s to arrive" % limit)
            size += len(chunk)
            if size > size_limit:
                return b"", True
            chunks.append(chunk)
        return b"".join(chunks), False

    # -- outcomes -------------------------------------------------------------------------------

    def _classify(self, method, path, url, response, failure, attempts, limit=None):
        """(kind, error to raise if the request is not re-sent).

        Kinds: "rate_limited" and "unsent" (re-sent for every method), "ambiguous" (re-sent when
        idempotent, else confirmed), "failed" (a server failure not retried, confirmed for writes),
        "fatal".
        """
        if failure is not None:
            summary = self._redact("%s: %s" % (type(failure).__name__, _snippet(str(failure), 300)))
            if _unresolved(failure):
                if isinstance(failure, requests.exceptions.ProxyError):
                    text = "the proxy's host name does not resolve (%s); not retried" % summary
                else:
                    text = "the host name %r does not resolve (%s); not retried" % (urlsplit(url).hostname, summary)
                return "fatal", TransportError(text, method=method, path=path, attempts=attempts)
            if _never_sent(failure):
                return "unsent", TransportError("connection failed, request not sent (%s)" % summary, method=method, path=path, attempts=attempts)
            if isinstance(failure, _WallClockTimeout):
                if self.timeout is not None and limit is not None and limit >= self.timeout:
                    text = "no complete answer within %s s (request_timeout)" % self.timeout
                else:
                    text = "no complete answer within %s s, the time left before the deadline (%g s)" % (_seconds(limit or 0.0), self.deadline)
            elif isinstance(failure, requests.exceptions.Timeout):
                within = self.timeout if limit is None or limit == self.timeout else _seconds(limit)
                text = "no response within %s s (%s)" % (within, summary)
            else:
                text = "connection failed or dropped (%s)" % summary
            return "ambiguous", TransportError(text, method=method, path=path, attempts=attempts)

        status = response.status
        api_message = self._redact(_api_message(response.content))
        body = self._redact(_decode_text(response.content)[:4096]) or None
        details = dict(method=method, path=path, status=status, api_message=api_message, body=body, attempts=attempts)
        said = ": %s" % api_message if api_message else ""

        if response.too_large:
            return "fatal", ResponseError("response body larger than %d bytes (%s)" % (self.max_response_bytes, _status_text(status)), **details)
        if status == 429 or (status == 403 and _is_legacy_rate_limit(response.content)):
            return "rate_limited", RateLimitError("rate limited (HTTP %s)%s" % (status, said), **details)
        if status == 403 and self.credentials_accepted:
            # The API's older throttling signal is a bare 403; these credentials were accepted earlier.
            error = RateLimitError("rate limited (HTTP 403, taken for throttling: these credentials were accepted earlier in this task)%s" % said, **details)
            error.throttle_403 = True
            return "rate_limited", error
        if status in (401, 403):
            return "fatal", AuthenticationError("authentication failed (HTTP %s); check api_id/api_key; not retried%s" % (status, said), **details)
        if status == 404:
            return "fatal", NotFoundError("not found (HTTP 404)%s" % said, **details)
        if status in (400, 422):
            return "fatal", ValidationError("request refused by the API (HTTP %s)%s" % (status, said), **details)
        if status in TRANSIENT_STATUSES:
            return "ambiguous", ServerError("server error (%s, %s)%s" % (_status_text(status, response.reason), response.content_type, said), **details)
        if status >= 500:
            return "failed", ServerError(
                "server error (%s, %s)%s; not retried" % (_status_text(status, response.reason), response.content_type, said), **details
            )
        return "fatal", VictorOpsError("unexpected response (%s)%s" % (_status_text(status, response.reason), said), **details)

    def _ambiguous(self, method, path, error, attempts):
        return AmbiguousWriteError(
            "%s; the write may or may not have been applied: %s is not idempotent, so it was not re-sent; "
            "re-run to converge (the next run reads the state first)" % (error.message, method),
            method=method,
            path=path,
            status=error.status,
            api_message=error.api_message,
            body=error.body,
            attempts=attempts,
        )

    def _decode(self, method, path, response, attempts):
        if response.too_large:
            raise ResponseError(
                "response body larger than %d bytes (HTTP %s)" % (self.max_response_bytes, response.status),
                method=method,
                path=path,
                status=response.status,
                attempts=attempts,
            )
        text = _decode_text(response.content)
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise ResponseError(
                self._redact(
                    "the API returned a body that is not valid JSON (HTTP %s, %s, %d bytes): %s"
                    % (response.status, response.content_type, len(response.content), _snippet(text) or "(blank)")
                ),
                method=method,
                path=path,
                status=response.status,
                body=self._redact(text[:4096]),
                attempts=attempts,
            ) from None
