# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client's transport: filling paths safely, sending one exchange within a wall-clock limit, reading a body
no longer and no further than allowed, aborting an abandoned exchange, and the text helpers of its messages
(excerpts, the API's own message, redaction of the key). No retry decision is taken here (see ``_retry.py``).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress
import json
import math
import re
import socket
import threading
import unicodedata
from collections import namedtuple
from urllib.parse import urlsplit

from ansible_collections.victorops.oncall.plugins.module_utils._errors import PathParameterError

try:
    import requests
except ImportError:
    requests = None  # type: ignore[assignment]

MAX_PATH_PARAMETER_LENGTH = 255
SNIPPET_LENGTH = 200
CONNECT_TIMEOUT = 10.0
WATCHDOG_GRACE = 0.25
REDACTED = "********"
API_DOMAIN = "victorops.com"
# The shortest piece of the key, at the start or the end of a text, that is taken for a cut key and redacted.
MIN_KEY_OVERLAP = 4

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PATH_FORBIDDEN = ("/", "\\", "?", "#", "%")
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_DROP = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


# -- paths ------------------------------------------------------------------------------------


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


def path_problem(template, params=None):
    """Why ``params`` cannot fill ``template``, or None (then ``fill_path`` succeeds)."""
    params = params or {}
    names = _PLACEHOLDER.findall(template)
    unknown = sorted(set(params) - set(names))
    if unknown:
        return "path parameters %s are not in the template" % ", ".join(unknown)
    for name in names:
        if name not in params:
            return "path parameter %r refused: it is missing" % name
        problem = path_value_problem(params[name])
        if problem is not None:
            return "path parameter %r refused: %s (value %s)" % (name, problem, _value_for_message(params[name]))
    return None


def fill_path(template, params=None):
    """Fill ``{name}`` placeholders of ``template`` with checked, raw (never percent-encoded) values."""
    if not template.startswith("/") or "?" in template or "#" in template:
        raise ValueError("path template must start with '/' and have no query or fragment: %r" % template)
    problem = path_problem(template, params)
    if problem is not None:
        raise PathParameterError(problem)
    params = params or {}
    return _PLACEHOLDER.sub(lambda match: str(params[match.group(1)]), template)


# -- text ---------------------------------------------------------------------------------------


class Redactor:
    """Removes a secret from texts: whole, and cut (a text that begins with its end or ends with its beginning)."""

    def __init__(self, secret):
        self.secret = secret or ""

    def __call__(self, text):
        if text is None or not self.secret:
            return text
        text = str(text).replace(self.secret, REDACTED)
        return self._cut_edges(text)

    def _cut_edges(self, text):
        secret = self.secret
        for size in range(min(len(secret) - 1, len(text)), MIN_KEY_OVERLAP - 1, -1):
            if text.endswith(secret[:size]):
                text = text[:-size] + REDACTED
                break
        for size in range(min(len(secret) - 1, len(text)), MIN_KEY_OVERLAP - 1, -1):
            if text.startswith(secret[-size:]):
                text = REDACTED + text[size:]
                break
        return text

    def cut(self, text, limit, mark="..."):
        """``text`` redacted, then cut to ``limit`` characters (the cut redacted too)."""
        text = self(text)
        if text is None or len(text) <= limit:
            return text
        return self(text[:limit]) + mark


def _one_line(text):
    return " ".join("".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text).split())


def decode_text(content):
    return content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content or "")


def snippet(text, limit=SNIPPET_LENGTH, redact=None):
    """A short, single-line, readable excerpt of a body (HTML tags dropped), redacted before it is cut."""
    if "<" in text and ">" in text:
        title = _HTML_TITLE.search(text)
        text = _one_line(_HTML_TAG.sub(" ", _HTML_DROP.sub(" ", text)))
        title = _one_line(_HTML_TAG.sub(" ", title.group(1))) if title else ""
        if title and not text.startswith(title):
            text = "%s: %s" % (title, text) if text else title
    text = _one_line(text)
    redact = redact or Redactor(None)
    return redact.cut(text, limit)


def api_message(content, redact=None):
    """The API's own message from an error body: JSON ``error`` / ``message``, else a text excerpt."""
    text = decode_text(content)
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return snippet(text, redact=redact)
    if isinstance(data, dict):
        for field in ("error", "message", "errorMessage"):
            if isinstance(data.get(field), str) and data[field].strip():
                return snippet(data[field], 500, redact)
    return snippet(json.dumps(data, sort_keys=True), redact=redact)


def seconds_text(value):
    """A duration for a message: 157 s, 6.4 s, 0.041 s."""
    if value >= 100:
        return "%.0f" % value
    if value >= 1:
        return "%.1f" % value
    return "%.3f" % value


# -- one exchange -------------------------------------------------------------------------------


class Response:
    """What the client keeps of an HTTP response; ``content`` is None when the body was lost after the status line."""

    def __init__(self, status, reason, headers, content, too_large=False):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content = content
        self.too_large = too_large

    @property
    def content_type(self):
        return self.headers.get("content-type", "").split(";")[0].strip() or "no content type"


# ``response``: what arrived (None when no status line did); ``failure``: the exception that ended the exchange, or None.
Exchange = namedtuple("Exchange", "response failure")


class WallClockTimeout(requests.exceptions.ReadTimeout if requests is not None else Exception):  # type: ignore[misc]
    """The whole exchange (headers and body) took longer than the request's wall-clock limit."""


def _abort(raw):
    """Best effort: shut the socket of an abandoned exchange, so that its worker thread stops reading."""
    connection = getattr(getattr(raw, "raw", None), "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _response(raw, content, too_large=False):
    headers = {str(k).lower(): str(v) for k, v in (raw.headers or {}).items()}
    return Response(raw.status_code, getattr(raw, "reason", None), headers, content, too_large)


class Transport:
    """Sends one exchange through a requests session, bounded by a wall-clock limit."""

    def __init__(self, session, verify, max_response_bytes, monotonic):
        self.session = session
        self.verify = verify
        self.max_response_bytes = max_response_bytes
        self._monotonic = monotonic

    def send(self, method, url, headers, data, query, limit, grace=WATCHDOG_GRACE):
        """One exchange, within ``limit`` seconds (None: no limit) plus ``grace``.

        The exchange runs in a worker thread so that the wall clock bounds all of it (name resolution,
        connecting, headers, body): requests' own timeouts bound each socket read, which a server trickling
        one byte at a time never trips. An abandoned exchange's socket is shut once its headers are in, which
        ends its worker; before that, the worker (a daemon thread) ends with its socket's own timeout.
        """
        timeout = None if limit is None else (min(CONNECT_TIMEOUT, limit), limit)
        box = {}
        done = threading.Event()
        abandoned = threading.Event()

        def exchange():
            try:
                box["result"] = self._exchange(method, url, headers, data, query, timeout, limit, box, abandoned)
            except BaseException as exc:  # noqa: BLE001  (handed over to the calling thread)
                box["error"] = exc
            finally:
                done.set()

        if limit is None:
            exchange()
        else:
            worker = threading.Thread(target=exchange, name="victorops-request", daemon=True)
            worker.start()
            if not done.wait(limit + max(grace, 0.0)):
                abandoned.set()
                raw = box.get("raw")
                _abort(raw)
                failure = WallClockTimeout("no complete answer within %g s" % limit)
                return Exchange(None if raw is None else _response(raw, None), failure)
        if "error" in box:
            raise box["error"]
        return box["result"]

    def _exchange(self, method, url, headers, data, query, timeout, limit, box, abandoned):
        started = self._monotonic()
        try:
            raw = self.session.request(
                method, url, headers=headers, data=data, params=query, timeout=timeout, verify=self.verify, allow_redirects=False, stream=True
            )
        except requests.exceptions.RequestException as exc:
            return Exchange(None, exc)
        box["raw"] = raw
        try:
            if abandoned.is_set():
                return Exchange(_response(raw, None), WallClockTimeout("abandoned"))
            content, too_large = self.read(raw, started, limit)
        except requests.exceptions.RequestException as exc:
            return Exchange(_response(raw, None), exc)
        finally:
            close = getattr(raw, "close", None)
            if close is not None:
                close()
        return Exchange(_response(raw, content, too_large), None)

    def read(self, raw, started=None, limit=None):
        """(body, too large): read no further than the size limit, and no longer than ``limit`` seconds from ``started``."""
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
            # Checked between chunks: a body trickling in must not outlive the request's limit.
            if limit is not None and started is not None and self._monotonic() - started > limit:
                raise WallClockTimeout("the answer took longer than %g s to arrive" % limit)
            size += len(chunk)
            if size > size_limit:
                return b"", True
            chunks.append(chunk)
        return b"".join(chunks), False


# -- where and how to send ------------------------------------------------------------------


def check_credentials(api_id, api_key):
    """ValueError, never repeating the value, when the API ID or key cannot go into a header."""
    for name, value in (("api_id", api_id), ("api_key", api_key)):
        # requests would otherwise quote the header value in its error, or fail with a UnicodeEncodeError showing part of it.
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


def check_settings(timeout, retries, retry_timeout, rate_window, deadline):
    for problem, text in (
        (timeout is not None and timeout <= 0, "timeout must be greater than 0, got %s" % timeout),
        (retries < 0, "retries must be 0 or more, got %s" % retries),
        (retry_timeout < 0, "retry_timeout must be 0 or more, got %s" % retry_timeout),
        (rate_window <= 0, "rate_window must be greater than 0, got %s" % rate_window),
        (deadline is not None and (math.isnan(deadline) or deadline <= 0), "deadline must be greater than 0, got %s" % deadline),
    ):
        if problem:
            raise ValueError(text)


def is_loopback_address(host):
    """True for a literal loopback address (127.0.0.0/8, ::1): the only hosts plain http may carry the key to."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_local_name(host):
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost") or is_loopback_address(host)


def check_api_url(api_url, allow_insecure_http, notify):
    """(the base URL, True when it is plain http); ValueError when unusable.

    ``notify(text)`` receives the warnings: plain http allowed to another host, a host outside the API's domain."""
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
    loopback = is_loopback_address(host)
    if parts.scheme == "http" and not loopback:
        if not allow_insecure_http:
            raise ValueError(
                "api_url %s uses plain http to %s, which is not a loopback address (only a literal 127.0.0.1 or ::1 is): the API ID "
                "and key would travel unencrypted. Use https://, or set allow_insecure_http to true if that network "
                "path is trusted" % (base, host)
            )
        notify(
            "api_url %s uses plain http to a host that is not a loopback address (allow_insecure_http is true): the API ID and key travel unencrypted" % base
        )
    if not _is_local_name(host) and host != API_DOMAIN and not host.endswith("." + API_DOMAIN):
        notify("api_url %s is not under %s: the API ID and key are sent to %s; make sure that host is meant to receive them" % (base, API_DOMAIN, host))
    return base, parts.scheme == "http"
