"""VictorOpsClient against real local sockets that refuse, hang, trickle or throttle: measured, with generous upper bounds."""

import socket
import threading
import time

import pytest
import requests
from ansible_collections.victorops.oncall.plugins.module_utils._client import (
    AmbiguousWriteError,
    RateLimitError,
    TransportError,
    VictorOpsClient,
)

API_ID = "id-4f2a"
API_KEY = "k3y-9d8c7b6a5f4e3d2c1b0a"


class ShiftedClock:
    """The real monotonic clock, moved forward by every sleep instead of sleeping: default settings, measured fast."""

    def __init__(self):
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)

    def monotonic(self):
        return time.monotonic() + sum(self.slept)


def unused_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on this port now
    return port


def plain_session():
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment between the client and the local server
    return session


class RawServer:
    """A TCP server on 127.0.0.1 whose every connection is handled by ``behaviour(conn, stop)``."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.requests = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            conn.settimeout(5)
            self.requests.append(conn.recv(65536))
            self.behaviour(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


def silent(conn, stop):
    """Accepts, reads the request, never answers."""
    stop.wait(30)


def trickle(data, every=0.05, at_once=b""):
    """Sends ``at_once`` at once, then ``data`` one byte every ``every`` seconds."""

    def behaviour(conn, stop):
        conn.sendall(at_once)
        for byte in data:
            if stop.wait(every):
                return
            conn.sendall(bytes([byte]))
        stop.wait(30)

    return behaviour


HEADERS_FOREVER = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Filler-%d: %s\r\n" % (i, b"x" * 40) for i in range(100))
BODY_HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
BODY_FOREVER = b'{"users": [' + b" " * 99000


@pytest.fixture
def raw_server():
    servers = []

    def start(behaviour):
        server = RawServer(behaviour)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_refused_connection_fails_within_15_seconds_at_default_settings():
    clock = ShiftedClock()
    url = "http://127.0.0.1:%d" % unused_port()
    client = VictorOpsClient(url, API_ID, API_KEY, session=plain_session(), sleep=clock.sleep, monotonic=clock.monotonic)
    started = clock.monotonic()
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/policies", operation="list_escalation_policies")
    elapsed = clock.monotonic() - started  # real time spent plus every wait the client asked for
    assert elapsed < 15, elapsed
    assert client.stats["calls"] == 3
    message = str(info.value)
    assert message.startswith("GET %s/api-public/v1/policies: connection failed, request not sent" % url)
    assert "3 attempts over" in message and "Check that api_url (%s) is right and reachable" % url in message


def test_a_name_that_does_not_resolve_fails_at_once_without_retrying():
    clock = ShiftedClock()
    client = VictorOpsClient(
        "https://api.victorops.invalid",
        API_ID,
        API_KEY,
        session=plain_session(),
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        warn=lambda message: None,
        deadline=10,
    )
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/policies")
    if "does not resolve" not in str(info.value):
        pytest.skip("this machine's resolver does not refuse the .invalid domain: %s" % info.value)
    assert time.monotonic() - started < 11
    assert client.stats["calls"] == 1
    assert clock.slept == []
    assert "the host name 'api.victorops.invalid' does not resolve" in str(info.value)


def test_a_server_that_never_answers_is_bounded_by_the_deadline_and_the_message_tells_the_true_time(raw_server):
    server = raw_server(silent)
    client = VictorOpsClient(server.url, API_ID, API_KEY, session=plain_session(), timeout=0.5, deadline=1.2, rate_window=1.0)
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/policies")
    elapsed = time.monotonic() - started
    # The deadline bounds it (plus the watchdog's grace, at most 0.25 s, and scheduling): however loaded the machine.
    assert elapsed < 1.2 + 0.25 + 1.0, elapsed
    message = str(info.value)
    assert "no response within" in message or "no complete answer within" in message
    assert "the deadline of 1.2 s is reached" in message or "the time left before the deadline (1.2 s)" in message
    # The message tells the time really spent (not only the waits between attempts): what was measured, give or take
    # its rounding (to a tenth of a second from 1 s on: 1.156 s is shown as 1.2 s).
    shown = float(message.split(" over ")[1].split(" s,")[0])
    assert shown <= elapsed + (0.05 if shown >= 1 else 0.0005) + 0.001
    assert shown >= min(elapsed, 1.2) - 0.3
    waited = float(message.split(" s of it waiting", maxsplit=1)[0].rsplit(", ", 1)[1])
    assert waited < shown


def test_a_server_that_accepts_and_never_answers_ends_a_task_within_20_s_at_default_settings(raw_server):
    """Issue 19: 7 attempts and 67 s of back-off at request_timeout 2 made 81 s; a read without an answer is re-sent twice."""
    server = raw_server(silent)
    clock = ShiftedClock()  # the back-off is counted, not slept
    client = VictorOpsClient(server.url, API_ID, API_KEY, session=plain_session(), timeout=2, sleep=clock.sleep, monotonic=clock.monotonic)
    started = clock.monotonic()
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert clock.monotonic() - started < 20
    assert client.stats["calls"] == 3
    assert "a request that gets no answer is sent at most 3 times" in str(info.value)


@pytest.mark.parametrize("data, at_once", [(HEADERS_FOREVER, b""), (BODY_FOREVER, BODY_HEADERS)], ids=["headers", "body"])
def test_a_trickling_server_cannot_hold_a_request_past_request_timeout(raw_server, data, at_once):
    server = raw_server(trickle(data, every=0.05, at_once=at_once))
    client = VictorOpsClient(server.url, API_ID, API_KEY, session=plain_session(), timeout=0.6, retries=0)
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/user")
    elapsed = time.monotonic() - started
    assert elapsed < 1.6, elapsed  # one byte every 0.05 s never trips a per-read timeout of 0.6 s
    assert "within 0.6 s" in str(info.value)


def test_a_trickling_server_cannot_hold_a_task_past_its_deadline(raw_server):
    server = raw_server(trickle(BODY_FOREVER, every=0.05, at_once=BODY_HEADERS))
    client = VictorOpsClient(server.url, API_ID, API_KEY, session=plain_session(), timeout=30, deadline=1.0)
    before = set(threading.enumerate())
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/user")
    assert time.monotonic() - started < 2.0
    assert "the time left before the deadline (1 s)" in str(info.value)
    # Once the headers are in, the abandoned exchange's socket is shut, so its worker thread stops too instead of reading on.
    workers = [t for t in threading.enumerate() if t not in before and t.name == "victorops-request"]
    for worker in workers:
        worker.join(2.0)
    assert not any(worker.is_alive() for worker in workers)


def test_a_post_whose_body_trickles_past_request_timeout_is_applied_and_never_resent(raw_server):
    server = raw_server(trickle(BODY_FOREVER, every=0.05, at_once=BODY_HEADERS))
    client = VictorOpsClient(server.url, API_ID, API_KEY, session=plain_session(), timeout=0.5, deadline=0.8)
    reads = []

    def read_back():
        reads.append(1)
        return True, {"username": "jdoe"}

    started = time.monotonic()
    # The 200 status line arrived: the write was applied; its result is read back when the deadline leaves time for it.
    try:
        assert client.request("POST", "/api-public/v1/user", body={"username": "jdoe"}, confirm_write=read_back) == {"username": "jdoe"}
        assert reads == [1]
    except AmbiguousWriteError as error:  # a machine so loaded that the deadline passed first
        assert "so the write was applied, but its answer was lost" in str(error) and "re-run to converge" in str(error)
        assert reads == []
    assert time.monotonic() - started < 1.8
    assert len(server.requests) == 1


def throttle_with_retry_after(seconds):
    def behaviour(conn, stop):
        body = b'{"message":"Too Many Requests"}'
        conn.sendall(
            b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: %d\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (seconds, len(body), body)
        )

    return behaviour


def test_retry_after_300_stops_at_once_with_the_server_wait(raw_server):
    server = raw_server(throttle_with_retry_after(300))
    client = VictorOpsClient(server.url, API_ID, API_KEY, session=plain_session())
    started = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert time.monotonic() - started < 2.0
    assert len(server.requests) == 1
    assert "the API asked to wait 300 s before re-sending (Retry-After)" in str(info.value)


# -- plain http to an address that is not loopback ----------------------------------------------------


def outward_address():
    """An address of this machine that is not loopback, or None."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.123", 9))  # no packet is sent for a UDP connect
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


class CaptureServer:
    def __init__(self, host):
        self.seen = []
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(4)
        self.sock.settimeout(0.1)
        self.url = "http://%s:%d" % (host, self.sock.getsockname()[1])
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                self.seen.append(conn.recv(65536))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")

    def close(self):
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def capture():
    host = outward_address()
    if host is None:
        pytest.skip("this machine has no address other than loopback to listen on")
    server = CaptureServer(host)
    yield server
    server.close()


def test_plain_http_to_a_non_loopback_address_never_carries_the_key(capture):
    with pytest.raises(ValueError) as info:
        client = VictorOpsClient(capture.url, API_ID, API_KEY, session=plain_session())
        client.request("GET", "/api-public/v1/policies")
    assert "plain http" in str(info.value)
    time.sleep(0.3)
    assert capture.seen == []


def test_plain_http_to_a_non_loopback_address_with_allow_insecure_http(capture):
    warnings = []
    client = VictorOpsClient(capture.url, API_ID, API_KEY, session=plain_session(), allow_insecure_http=True, warn=warnings.append)
    assert client.request("GET", "/api-public/v1/policies") == {}
    assert len(capture.seen) == 1 and API_KEY.encode() in capture.seen[0]
    assert any("travel unencrypted" in warning for warning in warnings)
