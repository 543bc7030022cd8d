# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What one exchange means: the outcome (``_retry.Outcome``) of an answer or a transport failure, and the error
it raises if the request is given up, built once with its final text. Pure: no I/O, no clock."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import json
import re
import socket
from http.client import responses as HTTP_REASONS
from urllib.parse import urlsplit

try:
    import requests
    from urllib3.exceptions import NewConnectionError
except ImportError:
    requests = None  # type: ignore[assignment]
    NewConnectionError = None  # type: ignore[assignment,misc]
    NameResolutionError = None
else:
    try:
        from urllib3.exceptions import NameResolutionError  # type: ignore[assignment]  # urllib3 2.x
    except ImportError:  # urllib3 1.x: recognised by its socket.gaierror text
        NameResolutionError = None

from ansible_collections.victorops.oncall.plugins.module_utils._errors import (
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    ValidationError,
    VictorOpsError,
)
from ansible_collections.victorops.oncall.plugins.module_utils._retry import Outcome
from ansible_collections.victorops.oncall.plugins.module_utils._transport import (
    WallClockTimeout,
    api_message,
    decode_text,
    seconds_text,
    snippet,
)

TRANSIENT_STATUSES = frozenset([502, 503, 504])
# Keys of a 200 body that is a refusal, not an answer ({"error": "User name X is unavailable"}).
_REFUSAL_KEYS = frozenset(["error", "status", "message", "code", "errorCode", "errorMessage", "details", "timestamp", "path"])
_GAI_TEXT = re.compile(
    r"name or service not known|nodename nor servname|getaddrinfo failed|no address associated|"
    r"temporary failure in name resolution|name resolution",
    re.IGNORECASE,
)
# What a throttled answer says: "Too Many Requests", "rate limit exceeded", "rate limited", "API rate-limit reached".
# Not the mere words "rate limit", nor a link (a refusal may point to the rate-limit documentation: .../api-rate-limits).
_THROTTLE_TEXT = re.compile(
    r"\btoo[ _]many[ _]requests\b|(?<![/-])\brate[ _-]?limit(?:ed\b|s?[ _](?:exceeded|reached)\b)|\bthrottled\b",
    re.IGNORECASE,
)
_MESSAGE_KEYS = ("error", "message", "errorMessage")


def _own_messages(content):
    """The API's own words in an error body: the JSON ``error``/``message`` texts, or the text of a body that is not JSON."""
    text = decode_text(content)
    try:
        data = json.loads(text)
    except ValueError:
        return [snippet(text, 4096)]
    if isinstance(data, str):
        return [data]
    if not isinstance(data, dict):
        return []
    messages = []
    for key in _MESSAGE_KEYS:
        value = data.get(key)
        if isinstance(value, dict):  # {"error": {"message": "..."}}
            value = value.get("message")
        if isinstance(value, str):
            messages.append(value[:4096])
    return messages


def _is_rate_limit_text(content):
    """True when the API's own message says the request was throttled."""
    return any(_THROTTLE_TEXT.search(message) for message in _own_messages(content))


def _has_no_reason(content):
    """True when a body says nothing at all (empty, or a bare "Forbidden"): a 403 without a reason."""
    text = decode_text(content).strip()
    if not text:
        return True
    try:
        data = json.loads(text)
    except ValueError:
        return text.lower().strip(" .") in ("forbidden", "403 forbidden")
    values = list(data.values()) if isinstance(data, dict) else [data]
    return all(value in (None, "", "Forbidden", "forbidden", 403, "403") for value in values)


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


def refusal(data):
    """The API's text when a success body is only an ``error`` (a refusal answered 200), else None."""
    if not isinstance(data, dict) or "error" not in data or not set(data) <= _REFUSAL_KEYS:
        return None
    error = data["error"]
    if error in (None, "", False) or (isinstance(error, (list, dict)) and not error):
        return None
    if isinstance(error, dict):
        error = error.get("message") or json.dumps(error, sort_keys=True)
    return error if isinstance(error, str) else json.dumps(error, sort_keys=True)


def status_text(status, reason=None):
    reason = reason or HTTP_REASONS.get(status)
    return "HTTP %s %s" % (status, reason) if reason else "HTTP %s" % status


class Problem:
    """An outcome and the error it raises if the request is given up: class, text and details, built once."""

    def __init__(self, outcome, cls, text, details, hint=False, throttle_403=False):
        self.outcome = outcome
        self.cls = cls
        self.text = text
        self.details = details
        self.hint = hint  # a network failure: the error names what to check
        self.throttle_403 = throttle_403  # a bare 403 taken for throttling

    def error(self, suffix="", hint_text="", cls=None):
        text = self.text + suffix + (hint_text if self.hint else "")
        return (cls or self.cls)(text, **self.details)


class Classifier:
    """Classifies exchanges for a client with these settings (its request timeout and deadline, its redaction)."""

    def __init__(self, timeout, deadline, redact, max_response_bytes):
        self.timeout = timeout
        self.deadline = deadline
        self.redact = redact
        self.max_response_bytes = max_response_bytes

    def classify(self, call, response, failure, attempts, limit, accepted):
        """The outcome of one exchange that did not succeed, with the error it raises if given up."""
        details = dict(method=call.method, path=call.path, attempts=attempts, url=call.url)
        if failure is None:
            return self._classify_answer(response, details, accepted)
        summary = self.redact("%s: %s" % (type(failure).__name__, snippet(str(failure), 300, self.redact)))
        if response is None:
            return self._classify_failure(call, failure, summary, details, limit)
        if 200 <= response.status < 300 and not call.read:
            return Problem(
                Outcome.BODY_LOST,
                TransportError,
                "the API answered %s, then its answer was lost (%s)" % (status_text(response.status, response.reason), summary),
                dict(details, status=response.status),
                hint=True,
            )
        if 200 <= response.status < 300:
            return self._classify_failure(call, failure, summary, details, limit)  # a read: as if nothing had arrived
        # Another status line arrived before the body was lost: the status says what happened.
        response.content = b""
        return self._classify_answer(response, details, accepted)

    def _classify_failure(self, call, failure, summary, details, limit):
        """A transport failure (no status line): DNS, TLS, never connected, no answer, dropped."""
        if isinstance(failure, requests.exceptions.SSLError):
            text = (
                "TLS failure: %s; not retried. Check the certificate of the API, set ca_path to the CA bundle "
                "that signs it, or (against a local emulator only) set validate_certs to false" % snippet(str(failure), 300, self.redact)
            )
            return Problem(Outcome.FATAL, TransportError, text, details)
        if _unresolved(failure):
            if isinstance(failure, requests.exceptions.ProxyError):
                text = "the proxy's host name does not resolve (%s); not retried" % summary
            else:
                text = "the host name %r does not resolve (%s); not retried" % (urlsplit(call.url).hostname, summary)
            return Problem(Outcome.FATAL, TransportError, text, details, hint=True)
        if _never_sent(failure):
            return Problem(Outcome.UNSENT, TransportError, "connection failed, request not sent (%s)" % summary, details, hint=True)
        if isinstance(failure, WallClockTimeout):
            if self.timeout is not None and limit is not None and limit >= self.timeout:
                text = "no complete answer within %s s (request_timeout)" % self.timeout
            else:
                text = "no complete answer within %s s, the time left before the deadline (%g s)" % (seconds_text(limit or 0.0), self.deadline)
            return Problem(Outcome.NO_ANSWER, TransportError, text, details, hint=True)
        if isinstance(failure, requests.exceptions.Timeout):
            within = self.timeout if limit is None or limit == self.timeout else seconds_text(limit)
            return Problem(Outcome.NO_ANSWER, TransportError, "no response within %s s (%s)" % (within, summary), details, hint=True)
        return Problem(Outcome.LOST, TransportError, "connection failed or dropped (%s)" % summary, details, hint=True)

    def _classify_answer(self, response, details, accepted):
        """An answer with a status that is not a success: what it says, and the error it raises if given up."""
        status = response.status
        said_text = api_message(response.content, self.redact)
        details = dict(details, status=status, api_message=said_text, body=self.redact.cut(decode_text(response.content), 4096, "") or None)
        said = ": %s" % said_text if said_text else ""
        if response.too_large:
            return Problem(Outcome.FATAL, ResponseError, "response body larger than %d bytes (%s)" % (self.max_response_bytes, status_text(status)), details)
        if status == 429 or (status == 403 and _is_rate_limit_text(response.content)):
            return Problem(Outcome.THROTTLED, RateLimitError, "rate limited (HTTP %s)%s" % (status, said), details)
        if status == 403 and accepted and _has_no_reason(response.content):
            # The API's older throttling signal is a bare 403; these credentials were accepted earlier.
            text = "rate limited (HTTP 403, taken for throttling: these credentials were accepted earlier in this task)%s" % said
            return Problem(Outcome.THROTTLED, RateLimitError, text, details, throttle_403=True)
        if status == 403 and accepted:
            text = "refused (HTTP 403)%s; these credentials were accepted earlier in this task, so the key is not allowed this request; not retried" % said
            return Problem(Outcome.FATAL, AuthenticationError, text, details)
        if status in (401, 403):
            return Problem(Outcome.FATAL, AuthenticationError, "authentication failed (HTTP %s); check api_id/api_key; not retried%s" % (status, said), details)
        if status == 404:
            return Problem(Outcome.FATAL, NotFoundError, "not found (HTTP 404)%s" % said, details)
        if status in (400, 422):
            return Problem(Outcome.FATAL, ValidationError, "request refused by the API (HTTP %s)%s" % (status, said), details)
        if status in TRANSIENT_STATUSES:
            return Problem(Outcome.LOST, ServerError, "server error (%s, %s)%s" % (status_text(status, response.reason), response.content_type, said), details)
        if status >= 500:
            text = "server error (%s, %s)%s; not retried" % (status_text(status, response.reason), response.content_type, said)
            return Problem(Outcome.FAILED, ServerError, text, details)
        return Problem(Outcome.FATAL, VictorOpsError, "unexpected response (%s)%s" % (status_text(status, response.reason), said), details)
