"""VictorOpsClient over a real requests.Session: what goes on the wire, and real transport failures."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from ansible_collections.victorops.oncall.plugins.module_utils import _client
from ansible_collections.victorops.oncall.plugins.module_utils._client import (
    AmbiguousWriteError,
    TransportError,
    VictorOpsClient,
)
from requests.adapters import BaseAdapter

API_ID = "id-4f2a"
API_KEY = "k3y-9d8c7b6a5f4e3d2c1b0a"


class CapturingAdapter(BaseAdapter):
    """Records the prepared request exactly as requests would put it on the wire."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response._content = b'{"ok": true}'
        response._content_consumed = True
        response.request = request
        response.url = request.url
        return response

    def close(self):
        pass


def test_prepared_request_keeps_at_sign_raw_and_carries_headers():
    session = requests.Session()
    adapter = CapturingAdapter()
    session.mount("https://", adapter)
    client = VictorOpsClient("https://api.example.test/", API_ID, API_KEY, session=session)
    assert client.request(
        "PUT", "/api-public/v1/profile/{username}/policies/{step}/{rule}", params=dict(username="j.doe@example.com", step=0, rule=1), body={"type": "push"}
    ) == {"ok": True}
    (prepared,) = adapter.sent
    assert prepared.method == "PUT"
    assert prepared.url == "https://api.example.test/api-public/v1/profile/j.doe@example.com/policies/0/1"
    assert prepared.path_url == "/api-public/v1/profile/j.doe@example.com/policies/0/1"
    assert prepared.body == b'{"type":"push"}'
    assert prepared.headers["X-VO-Api-Id"] == API_ID
    assert prepared.headers["X-VO-Api-Key"] == API_KEY
    assert prepared.headers["Accept"] == "application/json"
    assert prepared.headers["Content-Type"] == "application/json"
    assert prepared.headers["User-Agent"] == _client.USER_AGENT
    assert _client.USER_AGENT.startswith("victorops.oncall/%s " % _client.COLLECTION_VERSION)


class ScriptedHandler(BaseHTTPRequestHandler):
    """Answers with the server's script: (status, headers, body, delay_seconds) per request."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, self.headers.get("X-VO-Api-Key")))
        status, headers, body, delay = self.server.script.pop(0)
        if delay:
            time.sleep(delay)
        payload = body.encode("utf-8")
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedHandler)
    httpd.daemon_threads = True
    httpd.script = []
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def make_client(url, **options):
    sleeps = []
    settings = dict(sleep=sleeps.append, retries=2)
    settings.update(options)
    client = VictorOpsClient(url, API_ID, API_KEY, **settings)
    return client, sleeps


def test_real_server_sees_raw_at_sign_and_retry_after_is_honoured(server):
    server.script = [
        (429, {"Content-Type": "application/json", "retry-after": "1"}, '{"message":"Too Many Requests"}', 0),
        (200, {"Content-Type": "application/json"}, '{"steps": []}', 0),
    ]
    client, sleeps = make_client("http://127.0.0.1:%d" % server.server_address[1])
    assert client.request("GET", "/api-public/v1/profile/{username}/policies", params=dict(username="a@b.example")) == {"steps": []}
    assert server.seen == [("GET", "/api-public/v1/profile/a@b.example/policies", API_KEY)] * 2
    assert sleeps == [1.0]


def test_read_timeout_on_get_is_retried(server):
    server.script = [
        (200, {"Content-Type": "application/json"}, '{"late": true}', 0.6),
        (200, {"Content-Type": "application/json"}, '{"late": false}', 0),
    ]
    client, sleeps = make_client("http://127.0.0.1:%d" % server.server_address[1], timeout=0.2, rate_window=1.0)
    assert client.request("GET", "/api-public/v1/policies") == {"late": False}
    assert len(server.seen) == 2
    assert len(sleeps) == 1


def test_read_timeout_on_post_is_ambiguous_and_not_resent(server):
    server.script = [(200, {"Content-Type": "application/json"}, json.dumps({"username": "jdoe"}), 0.6)]
    client, sleeps = make_client("http://127.0.0.1:%d" % server.server_address[1], timeout=0.2)
    with pytest.raises(AmbiguousWriteError) as info:
        client.request("POST", "/api-public/v1/user", body={"username": "jdoe"})
    assert "no response within 0.2 s (ReadTimeout" in str(info.value)
    assert "may or may not have been applied" in str(info.value)
    assert len(server.seen) == 1
    assert sleeps == []


def test_refused_connection_sent_nothing_so_a_post_is_resent():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on this port now
    client, sleeps = make_client("http://127.0.0.1:%d" % port, rate_window=1.0)
    with pytest.raises(TransportError) as info:
        client.request("POST", "/api-public/v1/user", body={"username": "jdoe"}, confirm_write=lambda: pytest.fail("nothing was sent"))
    assert "connection failed, request not sent" in str(info.value)
    assert "gave up (3 attempts" in str(info.value)
    assert client.stats["calls"] == 3
    assert len(sleeps) == 2
    assert API_KEY not in str(info.value)
