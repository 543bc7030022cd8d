# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client of the collection: authentication headers, path safety, JSON, the error
taxonomy, retries within two budgets, and pacing under the per-operation rate limits.

Behaviour by status and method (``docs/rate-limits.md`` has the full table):

* 429, and a 403 whose body says "Too Many Requests" or "rate limit" (the API's older signal): the
  request was not processed, so it is re-sent whatever the method, after ``Retry-After`` or a
  jittered exponential backoff.
* 502/503/504, timeouts and dropped connections: re-sent only when the request is idempotent (GET
  and PUT, or ``idempotent=True``). A non-idempotent write (POST, PATCH, DELETE: a rule DELETE is by
  index and re-indexes) is never blindly re-sent: ``confirm_write()`` decides, and without it the
  error is an ``AmbiguousWriteError``.
* A connection that was never established (refused, connect timeout) sent nothing: re-sent for
  every method.
* 401/403 (authentication), 404, 400/422, 500 and every other status: not retried.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import email.utils
import json
import math
import random
import re
import time
import traceback
import unicodedata
from http.client import responses as HTTP_REASONS
from urllib.parse import urlsplit

try:
    import requests
    from urllib3.exceptions import NewConnectionError
except ImportError:
    requests = None
    NewConnectionError = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = "0.1.0"
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

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PATH_FORBIDDEN = ("/", "\\", "?", "#", "%")
_LEGACY_RATE_LIMIT = re.compile(r"too many requests|rate[ _-]?limit", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_DROP = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


# -- errors -------------------------------------------------------------------------------

class VictorOpsError(Exception):
    """An API call failed. ``str()`` names the method, the filled path and the HTTP status."""

    def __init__(self, message, method=None, path=None, status=None, api_message=None, body=None, attempts=0):
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        self.body = body
        self.attempts = attempts

    @property
    def message(self):
        return self._message

    @message.setter
    def message(self, value):
        # Kept in step with args, so that repr() and pickling show the final (redacted) text.
        self._message = value
        self.args = (value,)

    def __str__(self):
        where = " ".join(part for part in (self.method, self.path) if part)
        text = self.message
        if self.status is not None and ("HTTP %s" % self.status) not in text:
            text = "%s (HTTP %s)" % (text, self.status)
        return "%s: %s" % (where, text) if where else text


class AuthenticationError(VictorOpsError):
    """401/403: the API ID or key was refused. Never retried."""


class NotFoundError(VictorOpsError):
    """404."""


class ValidationError(VictorOpsError):
    """400/422: the API refused the request's arguments; ``api_message`` holds its ``error`` text."""


class RateLimitError(VictorOpsError):
    """Still rate limited when the retry budget ran out."""


class ServerError(VictorOpsError):
    """5xx."""


class TransportError(VictorOpsError):
    """No usable HTTP response: connection failure, timeout, TLS failure."""


class ResponseError(VictorOpsError):
    """The response body was not the JSON expected (an HTML error page, truncated JSON, too large)."""


class AmbiguousWriteError(VictorOpsError):
    """A non-idempotent write failed in a way that leaves its effect unknown, and it could not be confirmed."""


class PathParameterError(VictorOpsError):
    """A path parameter was refused before any request was sent."""


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


def _never_sent(exc):
    """True when the connection was never established, so the server cannot have seen the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError) or isinstance(exc, requests.exceptions.ProxyError):
        return False
    cause = exc.args[0] if exc.args else None
    # requests wraps urllib3's MaxRetryError, whose reason is the NewConnectionError.
    return isinstance(cause, NewConnectionError) or isinstance(getattr(cause, "reason", None), NewConnectionError)


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

class VictorOpsClient:
    """HTTP client of the VictorOps public API; one per module run (keep-alive across its calls)."""

    def __init__(self, api_url, api_id, api_key, timeout=30, validate_certs=True, ca_path=None,
                 retries=6, retry_timeout=120, rate_window=60.0, pacer=None,
                 sleep=time.sleep, monotonic=time.monotonic, warn=None, session=None,
                 rng=None, wall_clock=time.time, max_response_bytes=MAX_RESPONSE_BYTES):
        self.api_url = self._check_api_url(api_url)
        for name, value in (("api_id", api_id), ("api_key", api_key)):
            # Checked here because requests would otherwise quote the header value in its error.
            if not isinstance(value, str) or not value.strip():
                raise ValueError("%s must be a non-empty string" % name)
            if value != value.strip() or any(unicodedata.category(ch)[0] in ("C", "Z") and ch != " " for ch in value):
                raise ValueError("%s must not contain control characters or leading/trailing whitespace" % name)
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be greater than 0, got %s" % timeout)
        if retries < 0:
            raise ValueError("retries must be 0 or more, got %s" % retries)
        if retry_timeout < 0:
            raise ValueError("retry_timeout must be 0 or more, got %s" % retry_timeout)
        if rate_window <= 0:
            raise ValueError("rate_window must be greater than 0, got %s" % rate_window)
        self._api_key = api_key
        self.timeout = timeout
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.retries = int(retries)
        self.retry_timeout = float(retry_timeout)
        self.rate_window = float(rate_window)
        scale = self.rate_window / REFERENCE_WINDOW
        self.backoff_base = BACKOFF_BASE * scale
        self.backoff_cap = BACKOFF_CAP * scale
        self.backoff_floor = BACKOFF_FLOOR * scale
        self.retry_max_delay = self.backoff_cap
        self.max_response_bytes = max_response_bytes
        self.pacer = pacer
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._warn = warn
        self._rng = rng if rng is not None else random.Random()
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

    @staticmethod
    def _check_api_url(api_url):
        if not isinstance(api_url, str) or not api_url.strip():
            raise ValueError("api_url must be a non-empty URL")
        parts = urlsplit(api_url.strip())
        if parts.scheme not in ("http", "https"):
            raise ValueError("api_url must use http or https, got %r" % (parts.scheme or api_url))
        if not parts.hostname:
            raise ValueError("api_url must name a host")
        if parts.username is not None or parts.password is not None:
            raise ValueError("api_url must not contain credentials; use api_id and api_key")
        if parts.query or parts.fragment or "?" in api_url or "#" in api_url:
            raise ValueError("api_url must not have a query or fragment")
        try:
            port = parts.port
        except ValueError:  # out of range
            port = -1
        if port is not None and not 0 < port < 65536:
            raise ValueError("api_url has an invalid port")
        return api_url.strip().rstrip("/")

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

    # -- one request, with retries ----------------------------------------------------------

    def request(self, method, template, params=None, body=None, expected=(200,), idempotent=None, confirm_write=None, query=None):
        """Send ``method template`` (placeholders filled from ``params``) and return the decoded JSON body.

        ``expected`` lists the success statuses; an empty success body is None. ``idempotent``
        overrides the method's default (GET and PUT are idempotent). ``confirm_write()`` is asked,
        after an ambiguous failure of a non-idempotent write, whether it was applied: it returns
        ``(True, result)`` or ``(False, None)``, or raises.
        """
        method = method.upper()
        try:
            path = fill_path(template, params)
        except PathParameterError as exc:
            exc.method, exc.path = method, template
            exc.message = self._redact(exc.message)
            raise
        operation = "%s %s" % (method, template)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        data = None
        headers = dict(self._headers)
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        url = self.api_url + path

        attempts = 0
        resends = 0
        waited = 0.0
        deadline = None
        while True:
            attempts += 1
            response, failure = self._send_paced(operation, method, path, url, headers, data, query)
            if response is not None and response.status in expected:
                return self._decode(method, path, response, attempts)

            kind, error = self._classify(method, path, response, failure, attempts)
            if kind == "failed" and not idempotent:
                # A 500 on a write is not retried, but whether the write took effect is unknown.
                if confirm_write is not None:
                    applied, result = confirm_write()
                    if applied:
                        return result
                    error.message += "; the write was confirmed not applied"
                else:
                    error.message += "; the write may or may not have been applied"
                raise error
            if kind in ("fatal", "failed"):
                raise error

            # A retryable outcome: is there budget left for another send?
            if deadline is None:
                deadline = self._monotonic() + self.retry_timeout
            remaining = deadline - self._monotonic()
            delay, from_header = self._delay(response, resends)
            if not from_header:
                delay = min(delay, max(remaining, 0.0))
            can_resend = resends < self.retries and remaining > 0 and delay <= remaining

            if kind == "rate_limited" and self.pacer is not None and hasattr(self.pacer, "penalize"):
                self.pacer.penalize(operation, delay)

            if kind == "ambiguous" and not idempotent:
                if confirm_write is None:
                    raise self._ambiguous(method, path, response, error, attempts)
                # After a read timeout the server may still be carrying the write out: look only after
                # waiting as long again, and never re-send it, or a late write would land twice.
                in_flight = isinstance(failure, requests.exceptions.Timeout) and self.timeout is not None
                if in_flight:
                    waited += self._wait(max(delay, self.timeout))
                elif can_resend:
                    waited += self._wait(delay)
                applied, result = confirm_write()
                if applied:
                    return result
                if in_flight:
                    raise AmbiguousWriteError(
                        "%s; the write may or may not have been applied: it was not visible %.3g s later, but the API may still "
                        "carry it out, so it was not re-sent (%s is not idempotent); check the current state before running again"
                        % (error.message, self.timeout, method),
                        method=method, path=path, attempts=attempts)
                if not can_resend:
                    error.message += "; the write was confirmed not applied, and the retry budget is spent (%s)" % (
                        self._budget_text(attempts, waited))
                    raise error
                resends += 1
                self._retries += 1
                self._notify("%s %s: %s; the write was confirmed not applied; re-sending (retry %d of %d)" % (
                    method, path, error.message, resends, self.retries))
                continue

            if not can_resend:
                error.message += "; gave up (%s)" % self._budget_text(attempts, waited)
                raise error
            resends += 1
            self._retries += 1
            self._notify("%s %s: %s; retry %d of %d in %.3f s" % (method, path, error.message, resends, self.retries, delay))
            waited += self._wait(delay)

    def _budget_text(self, attempts, waited):
        return "%d attempt%s, %.3f s waited; retries=%d, retry_timeout=%g s" % (
            attempts, "" if attempts == 1 else "s", waited, self.retries, self.retry_timeout)

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
        """(seconds, from_header): ``Retry-After`` when usable, else full-jitter exponential backoff."""
        if response is not None:
            seconds = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
            if seconds is not None:
                return min(max(seconds, 0.0), self.retry_max_delay), True
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** resends))
        return max(self.backoff_floor, self._rng.uniform(0, ceiling)), False

    # -- sending ------------------------------------------------------------------------------

    def _send_paced(self, operation, method, path, url, headers, data, query):
        token = None
        if self.pacer is not None:
            before = getattr(self.pacer, "waited", 0.0)
            token = self.pacer.acquire(operation)
            self._pacing_wait += getattr(self.pacer, "waited", 0.0) - before
        try:
            self._calls += 1
            if method != "GET":
                self._writes += 1
            self._operations[operation] = self._operations.get(operation, 0) + 1
            return self._send(method, path, url, headers, data, query)
        finally:
            if self.pacer is not None:
                self.pacer.release(token)

    def _send(self, method, path, url, headers, data, query):
        """(response, None) or (None, exception) for a transport failure; TLS failures raise."""
        try:
            raw = self.session.request(method, url, headers=headers, data=data, params=query, timeout=self.timeout,
                                       verify=self.verify, allow_redirects=False, stream=True)
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                self._redact("TLS failure: %s; not retried. Check the certificate of the API, set ca_path to the CA bundle "
                             "that signs it, or (against a local emulator only) set validate_certs to false" % _snippet(str(exc), 300)),
                method=method, path=path) from None
        except requests.exceptions.RequestException as exc:
            return None, exc
        try:
            content, too_large = self._read(raw)
        except requests.exceptions.RequestException as exc:
            return None, exc
        finally:
            close = getattr(raw, "close", None)
            if close is not None:
                close()
        headers_lower = {str(k).lower(): str(v) for k, v in (raw.headers or {}).items()}
        return _Response(raw.status_code, getattr(raw, "reason", None), headers_lower, content, too_large), None

    def _read(self, raw):
        """The body, read no further than the size limit."""
        limit = self.max_response_bytes
        length = {str(k).lower(): v for k, v in (raw.headers or {}).items()}.get("content-length")
        try:
            if length is not None and int(length) > limit:
                return b"", True
        except ValueError:
            pass
        iter_content = getattr(raw, "iter_content", None)
        if iter_content is None:
            content = raw.content or b""
            return (b"", True) if len(content) > limit else (content, False)
        chunks = []
        size = 0
        for chunk in iter_content(65536):
            size += len(chunk)
            if size > limit:
                return b"", True
            chunks.append(chunk)
        return b"".join(chunks), False

    # -- outcomes -------------------------------------------------------------------------------

    def _classify(self, method, path, response, failure, attempts):
        """(kind, error to raise if the request is not re-sent).

        Kinds: "rate_limited" and "unsent" (re-sent for every method), "ambiguous" (re-sent when
        idempotent, else confirmed), "failed" (a server failure not retried, confirmed for writes),
        "fatal".
        """
        if failure is not None:
            summary = self._redact("%s: %s" % (type(failure).__name__, _snippet(str(failure), 300)))
            if _never_sent(failure):
                return "unsent", TransportError("connection failed, request not sent (%s)" % summary,
                                                method=method, path=path, attempts=attempts)
            if isinstance(failure, requests.exceptions.Timeout):
                text = "no response within %s s (%s)" % (self.timeout, summary)
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
        if status in (401, 403):
            return "fatal", AuthenticationError("authentication failed (HTTP %s); check api_id/api_key; not retried%s" % (status, said), **details)
        if status == 404:
            return "fatal", NotFoundError("not found (HTTP 404)%s" % said, **details)
        if status in (400, 422):
            return "fatal", ValidationError("request refused by the API (HTTP %s)%s" % (status, said), **details)
        if status in TRANSIENT_STATUSES:
            return "ambiguous", ServerError("server error (%s, %s)%s" % (_status_text(status, response.reason), response.content_type, said), **details)
        if status >= 500:
            return "failed", ServerError("server error (%s, %s)%s; not retried" % (_status_text(status, response.reason), response.content_type, said),
                                         **details)
        return "fatal", VictorOpsError("unexpected response (%s)%s" % (_status_text(status, response.reason), said), **details)

    def _ambiguous(self, method, path, response, error, attempts):
        return AmbiguousWriteError(
            "%s; the write may or may not have been applied: %s is not idempotent, so it was not re-sent; "
            "check the current state before running again" % (error.message, method),
            method=method, path=path, status=error.status, api_message=error.api_message, body=error.body, attempts=attempts)

    def _decode(self, method, path, response, attempts):
        if response.too_large:
            raise ResponseError("response body larger than %d bytes (HTTP %s)" % (self.max_response_bytes, response.status),
                                method=method, path=path, status=response.status, attempts=attempts)
        text = _decode_text(response.content)
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise ResponseError(
                self._redact("the API returned a body that is not valid JSON (HTTP %s, %s, %d bytes): %s" % (
                    response.status, response.content_type, len(response.content), _snippet(text) or "(blank)")),
                method=method, path=path, status=response.status, body=self._redact(text[:4096]), attempts=attempts) from None
