# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP front of the emulator: authentication, fault injection, rate limits, request log and control endpoints."""

import collections
import copy
import fnmatch
import http.server
import json
import math
import os
import ssl
import threading
import time
from urllib.parse import parse_qsl, urlsplit

from . import _operations
from ._model import ApiError, Organisation, load_seed
from ._variants import RATE_VARIANTS, Variant, check_variants

LIMIT_TABLES = {
    # The 2018 figures: GET /policies once a window, take on-call 6, every other operation 15.
    "seed": ({"GET /api-public/v1/policies": 1, "PATCH /api-public/v1/policies/{policy}/oncall/user": 6}, 15),
    "2020": (
        {
            "GET /api-public/v1/policies": 60,
            "GET /api-public/v1/policies/types/contacts": 60,
            "GET /api-public/v1/policies/types/notifications": 60,
            "GET /api-public/v1/policies/types/timeouts": 60,
            "PATCH /api-public/v1/policies/{policy}/oncall/user": 60,
            "GET /api-public/v1/profile/{username}/policies": 20,
            # The Scheduled Overrides and On-call tags: 60 a minute for each call (the other tables' defaults cover them).
            "GET /api-public/v1/overrides": 60,
            "POST /api-public/v1/overrides": 60,
            "GET /api-public/v1/overrides/{publicId}": 60,
            "DELETE /api-public/v1/overrides/{publicId}": 60,
            "GET /api-public/v1/overrides/{publicId}/assignments": 60,
            "GET /api-public/v1/overrides/{publicId}/assignments/{policySlug}": 60,
            "PUT /api-public/v1/overrides/{publicId}/assignments/{policySlug}": 60,
            "DELETE /api-public/v1/overrides/{publicId}/assignments/{policySlug}": 60,
            "GET /api-public/v2/team/{team}/oncall/schedule": 60,
            "GET /api-public/v2/user/{user}/oncall/schedule": 60,
        },
        60,
    ),
    # The current live documentation: 2 requests per rolling second per operation, 1 for reading a paging policy.
    "2ps": ({"GET /api-public/v1/profile/{username}/policies": 1}, 2),
    "off": ({}, None),
}
# Length of each table's rolling window in seconds of the real API (the others count per minute). The emulator's
# `window` is the length of one API minute, so a table's window lasts window * LIMIT_PERIODS[table] / 60 seconds.
LIMIT_PERIODS = {"seed": 60, "2020": 60, "2ps": 1, "off": 60}
RATE_LIMIT_BODY = {"message": "Too Many Requests"}
# The throttle-403 variant's rate-limited (and failed-authentication) body.
FORBIDDEN_BODY = {"error": "Forbidden"}
DEFAULT_LATE_WRITE_DELAY = 1.0
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
HTML_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
FAULT_OPTIONS = {
    "429": ("retry_after",),
    "403-rate": ("retry_after",),
    "500": (),
    "502": (),
    "503": (),
    "504": (),
    "drop": (),
    "delay": ("seconds",),
    "apply-then-502": (),
    "apply-then-drop": (),
    "late-write": ("seconds",),
    "truncated-json": (),
    "html-200": (),
    "missing-keys": (),
    "huge": ("size",),
}
FAULT_KINDS = tuple(FAULT_OPTIONS)
TRUNCATED_JSON = b'{"steps": [{"index": 0, "timeout": 5, "rules": [{"index": 0, "type": "em'
HUGE_SIZE = 5 * 1024 * 1024


def _html(status, title):
    return ("<html><body><h1>%d %s</h1></body></html>" % (status, title)).encode()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, emulator, ssl_context):
        self.emulator = emulator
        self.ssl_context = ssl_context
        http.server.ThreadingHTTPServer.__init__(self, address, handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the request's own thread so a slow client cannot stall accept().
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address):
        # Clients that hang up mid-answer are expected (timeouts, dropped connections); stay quiet.
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "victorops-emulator"

    def log_message(self, *args):
        # The emulator keeps its own request log; stderr stays quiet.
        pass

    def do_GET(self):
        self.server.emulator._handle(self, "GET")

    def do_POST(self):
        self.server.emulator._handle(self, "POST")

    def do_PUT(self):
        self.server.emulator._handle(self, "PUT")

    def do_PATCH(self):
        self.server.emulator._handle(self, "PATCH")

    def do_DELETE(self):
        self.server.emulator._handle(self, "DELETE")


class _Answer:
    """One HTTP answer: status, headers and raw body; ``drop`` closes the connection instead."""

    def __init__(self, status, body=None, content_type="application/json", headers=None, drop=False):
        self.status = status
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.body = body if body is not None else b""
        self.content_type = content_type
        self.headers = headers or {}
        self.drop = drop


class Emulator:
    """A stateful VictorOps public API v1 on a local port. See docs/emulator.md."""

    def __init__(
        self,
        seed=None,
        window=None,
        limits=None,
        rate_limit_status=429,
        retry_after=False,
        tls=None,
        host="127.0.0.1",
        port=0,
        variants=(),
        late_write_delay=DEFAULT_LATE_WRITE_DELAY,
        clock=None,
    ):
        if limits is not None and limits not in LIMIT_TABLES:
            raise ValueError("limits must be one of %s" % ", ".join(sorted(LIMIT_TABLES)))
        if rate_limit_status not in (429, 403):
            raise ValueError("rate_limit_status must be 429 or 403")
        if isinstance(late_write_delay, bool) or not isinstance(late_write_delay, (int, float)) or late_write_delay < 0:
            raise ValueError("late_write_delay must be a number of seconds, 0 or more")
        self.window = float(os.environ.get("VICTOROPS_RATE_WINDOW", "60")) if window is None else float(window)
        self._limits_argument = limits
        self._base_variants = check_variants(variants, "variants")
        self.late_write_delay = float(late_write_delay)
        if clock is not None and not callable(clock):
            raise ValueError("clock must be a callable returning epoch seconds")
        # Rotations, overrides and schedules live on this clock: the real one unless a test passes its own.
        self.clock = clock
        self.rate_limit_status = rate_limit_status
        self.retry_after = retry_after
        self.tls = tls
        self.host = host
        self.port = port
        self._lock = threading.RLock()
        self._seed = load_seed(seed)
        self._server = None
        self._thread = None
        self._log = []
        self._faults = []
        self._windows = collections.defaultdict(collections.deque)
        self._late_timers = []
        self._late_seen = set()
        self.variants, self.limits = self._configuration(self._seed)
        self._restore()

    # ----- lifecycle ---------------------------------------------------------------------------------
    def _configuration(self, seed):
        """``(variants, limits)`` for a seed: the constructor's variants plus the seed's ``variants`` list."""
        variants = check_variants(list(self._base_variants) + list(check_variants(seed.get("variants"), "the seed's variants")), "variants")
        tables = [RATE_VARIANTS[name] for name in variants if name in RATE_VARIANTS]
        if tables and self._limits_argument not in (None, tables[0]):
            raise ValueError("limits=%r conflicts with the variant selecting the %s table" % (self._limits_argument, tables[0]))
        return variants, tables[0] if tables else (self._limits_argument or "seed")

    def _restore(self):
        self._org = Organisation(self._seed, self.variants, clock=self.now)
        self._keys = {}
        for entry in self._seed.get("api_keys") or []:
            self._keys[str(entry["api_id"])] = (str(entry["api_key"]), bool(entry.get("read_only", False)))

    def start(self):
        context = None
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.tls[0], self.tls[1])
        self._server = _Server((self.host, self.port), _Handler, self, context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="victorops-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._cancel_late_writes()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        return "%s://%s:%d" % ("https" if self.tls else "http", self.host, self.port)

    def reset(self, seed=None):
        """Restore the seed state (a new seed when given) and clear the log, faults and rate-limit windows."""
        with self._lock:
            if seed is not None:
                new_seed = load_seed(seed)
                configuration = self._configuration(new_seed)
                self._seed = new_seed
                self.variants, self.limits = configuration
            self._cancel_late_writes()
            self._restore()
            self._log = []
            self._faults = []
            self._windows.clear()
            self._late_seen = set()

    # ----- inspection ----------------------------------------------------------------------------------
    def now(self):
        """The instant (epoch seconds, a float) rotations, overrides and schedules are computed at."""
        return time.time() if self.clock is None else self.clock()

    @property
    def state(self):
        return self._org.state

    @property
    def log(self):
        with self._lock:
            return [dict(entry) for entry in self._log]

    def calls(self, method=None, operation=None, path=None):
        return [
            entry
            for entry in self.log
            if (method is None or entry["method"] == method)
            and (operation is None or entry["operation"] == operation)
            and (path is None or fnmatch.fnmatchcase(entry["path"], path))
        ]

    def writes(self):
        return [entry for entry in self.log if entry["method"] in WRITE_METHODS]

    def clear_log(self):
        with self._lock:
            self._log = []

    def paging_policy(self, username):
        with self._lock:
            return self._org.render_steps(self._org.state["users"][username])

    # ----- late writes ---------------------------------------------------------------------------------
    def _apply_late(self, organisation, operation, params, body, entry):
        with self._lock:
            if self._org is not organisation:
                return  # reset() since the request: the write belongs to a state that is gone.
            try:
                operation(organisation, params, body)
                status = 200
            except ApiError as error:
                status = error.status
            entry["late"] = dict(entry["late"], status=status, applied=time.time())

    def _schedule_late(self, route, entry, body, seconds):
        """Carry the request out ``seconds`` from now; record the outcome in the log entry's ``late``."""
        _template, params, operation = route
        entry["late"] = {"delay": seconds, "status": None, "applied": None}
        timer = threading.Timer(seconds, self._apply_late, args=(self._org, operation, params, body, entry))
        timer.daemon = True
        with self._lock:
            self._late_timers = [t for t in self._late_timers if t.is_alive()] + [timer]
        timer.start()
        return _Answer(504, _html(504, HTML_ERRORS[504]), content_type="text/html")

    def _cancel_late_writes(self):
        with self._lock:
            timers, self._late_timers = self._late_timers, []
        for timer in timers:
            timer.cancel()

    def settle(self, timeout=30.0):
        """Wait until every late write scheduled so far has been carried out; True when none is left pending."""
        deadline = time.monotonic() + timeout
        with self._lock:
            timers = list(self._late_timers)
        for timer in timers:
            timer.join(max(0.0, deadline - time.monotonic()))
        return not any(timer.is_alive() for timer in timers)

    def pending_late_writes(self):
        """Log entries of late writes not carried out yet."""
        return [entry for entry in self.log if entry.get("late") and entry["late"]["status"] is None]

    # ----- faults --------------------------------------------------------------------------------------
    def inject(self, method, path, kind, count=1, **options):
        """Answer the next ``count`` requests matching ``method`` ("*" for any) and the glob ``path`` with a fault."""
        if kind not in FAULT_OPTIONS:
            raise ValueError("unknown fault kind %r (known: %s)" % (kind, ", ".join(FAULT_KINDS)))
        unknown = set(options) - set(FAULT_OPTIONS[kind])
        if unknown:
            raise ValueError("fault %s takes no option(s) %s" % (kind, ", ".join(sorted(unknown))))
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        with self._lock:
            self._faults.append({"method": method.upper(), "path": path, "kind": kind, "remaining": count, "options": dict(options)})

    def _take_fault(self, method, path):
        with self._lock:
            for fault in self._faults:
                if fault["method"] in ("*", method) and fnmatch.fnmatchcase(path, fault["path"]):
                    fault["remaining"] -= 1
                    if fault["remaining"] == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _fault_answer(self, fault):
        kind, options = fault["kind"], fault["options"]
        if kind in ("429", "403-rate"):
            headers = {}
            if options.get("retry_after") is not None:
                headers["Retry-After"] = str(int(options["retry_after"]))
            if kind == "403-rate" and Variant.THROTTLE_403 in self.variants:
                return _Answer(403, FORBIDDEN_BODY, headers=headers)
            return _Answer(429 if kind == "429" else 403, RATE_LIMIT_BODY, headers=headers)
        if kind in ("500", "502", "503", "504"):
            status = int(kind)
            return _Answer(status, _html(status, HTML_ERRORS[status]), content_type="text/html")
        if kind == "drop":
            return _Answer(0, drop=True)
        if kind == "truncated-json":
            return _Answer(200, TRUNCATED_JSON)
        if kind == "html-200":
            return _Answer(200, b"<html><body><h1>Service temporarily unavailable</h1></body></html>", content_type="text/html")
        if kind == "missing-keys":
            return _Answer(200, {})
        if kind == "huge":
            size = int(options.get("size", HUGE_SIZE))
            return _Answer(200, b'{"padding": "' + b"x" * size + b'"}')
        return None

    # ----- rate limits ---------------------------------------------------------------------------------
    def _limit_for(self, operation):
        table, default = LIMIT_TABLES[self.limits]
        return table.get(operation, default)

    @property
    def limit_window(self):
        """Seconds of the rolling window of the current table: ``window`` for per-minute tables, window/60 for 2ps."""
        return self.window * LIMIT_PERIODS[self.limits] / 60.0

    def _consume_slot(self, api_id, operation):
        """Take a slot in the operation's sliding window; return None, or the seconds until a slot frees."""
        limit = self._limit_for(operation)
        if limit is None:
            return None
        span = self.limit_window
        with self._lock:
            bucket = self._windows[(api_id, operation)]
            now = time.monotonic()
            while bucket and bucket[0] <= now - span:
                bucket.popleft()
            if len(bucket) >= limit:
                return max(1, math.ceil(bucket[0] + span - now))
            # rate-2ps-even: the limit spread evenly, as a token bucket of one refills it.
            if Variant.RATE_2PS_EVEN in self.variants and bucket and now - bucket[-1] < span / limit:
                return max(1, math.ceil(bucket[-1] + span / limit - now))
            bucket.append(now)
            return None

    # ----- request handling ----------------------------------------------------------------------------
    def _handle(self, handler, method):
        parts = urlsplit(handler.path)
        path = parts.path
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length > 0 else b""
        body, body_invalid = None, False
        if raw.strip():
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body_invalid = True
        if path.startswith("/_emulator/"):
            self._send(handler, self._control(method, path, body))
            return
        entry = {
            "time": time.time(),
            "method": method,
            "path": path,
            "query": dict(parse_qsl(parts.query, keep_blank_values=True)),
            "status": None,
            "body": body,
            "api_id": handler.headers.get("X-VO-Api-Id"),
            "operation": None,
            "fault": None,
        }
        route = _operations.match(method, path, self.variants)
        if route is not None:
            entry["operation"] = "%s %s" % (method, route[0])
        answer = self._answer(method, route, entry, handler.headers.get("X-VO-Api-Key"), body, body_invalid)
        entry["status"] = answer.status
        with self._lock:
            self._log.append(entry)
        self._send(handler, answer)

    def _authenticate(self, method, api_id, api_key):
        if not api_id or not api_key:
            return _Answer(401, {"error": "Authentication parameters missing"})
        known = self._keys.get(api_id)
        if known is None or known[0] != api_key:
            return _Answer(403, FORBIDDEN_BODY if Variant.THROTTLE_403 in self.variants else {"error": "Authentication failed"})
        if known[1] and method != "GET":
            return _Answer(403, {"error": "This API key is read-only: only GET requests are allowed"})
        return None

    def _answer(self, method, route, entry, api_key, body, body_invalid):
        refused = self._authenticate(method, entry["api_id"], api_key)
        if refused is not None:
            return refused
        fault = self._take_fault(method, entry["path"])
        if fault is not None:
            entry["fault"] = fault["kind"]
            if fault["kind"] == "late-write":
                if route is None or method not in WRITE_METHODS:
                    return _Answer(504, _html(504, HTML_ERRORS[504]), content_type="text/html")
                return self._schedule_late(route, entry, body, float(fault["options"].get("seconds", self.late_write_delay)))
            answer = self._fault_answer(fault)
            if answer is not None:
                return answer
            if fault["kind"] == "delay":
                time.sleep(float(fault["options"].get("seconds", 1.0)))
        if route is None:
            answer = _Answer(404, {"error": "Path not found"})
        else:
            answer = self._operate(method, route, entry, body, body_invalid)
        if fault is not None and fault["kind"] == "apply-then-502":
            return _Answer(502, _html(502, HTML_ERRORS[502]), content_type="text/html")
        if fault is not None and fault["kind"] == "apply-then-drop":
            return _Answer(0, drop=True)
        return answer

    def _operate(self, method, route, entry, body, body_invalid):
        _template, params, operation = route
        wait = self._consume_slot(entry["api_id"], entry["operation"])
        if wait is not None:
            extra = {"Retry-After": str(wait)} if self.retry_after else {}
            if Variant.THROTTLE_403 in self.variants:
                return _Answer(403, FORBIDDEN_BODY, headers=extra)
            return _Answer(self.rate_limit_status, RATE_LIMIT_BODY, headers=extra)
        if body_invalid and method in WRITE_METHODS:
            return _Answer(400, {"error": "The request body is not valid JSON"})
        with self._lock:
            if Variant.LATE_WRITES in self.variants and method in WRITE_METHODS and entry["operation"] not in self._late_seen:
                self._late_seen.add(entry["operation"])
                entry["fault"] = "late-write"
                return self._schedule_late(route, entry, body, self.late_write_delay)
            try:
                # Path parameters and, for the reads that take them, the query string (daysForward).
                return _Answer(200, operation(self._org, dict(params, query=entry["query"]), body))
            except ApiError as error:
                if error.refusal and Variant.ERROR_200 in self.variants:
                    return _Answer(200, {"error": error.message})
                return _Answer(error.status, {"error": error.message})

    def _control(self, method, path, body):
        try:
            if path == "/_emulator/log" and method == "GET":
                return _Answer(200, self.log)
            if path == "/_emulator/log" and method == "DELETE":
                self.clear_log()
                return _Answer(200, {"result": "ok"})
            if path == "/_emulator/state" and method == "GET":
                with self._lock:
                    return _Answer(200, copy.deepcopy(self.state))
            if path == "/_emulator/reset" and method == "POST":
                self.reset((body or {}).get("seed") if isinstance(body, dict) else None)
                return _Answer(200, {"result": "ok"})
            if path == "/_emulator/faults" and method == "POST":
                if not isinstance(body, dict):
                    raise ValueError("the body must be a JSON object")
                options = dict(body)
                self.inject(options.pop("method", "*"), options.pop("path", "*"), options.pop("kind", None), options.pop("count", 1), **options)
                return _Answer(200, {"result": "ok"})
        except (ValueError, TypeError, OSError) as error:
            return _Answer(400, {"error": str(error)})
        return _Answer(404, {"error": "Path not found"})

    @staticmethod
    def _send(handler, answer):
        if answer.drop:
            handler.close_connection = True
            return
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(answer.body)
