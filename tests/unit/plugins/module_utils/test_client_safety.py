"""VictorOpsClient, scripted: where the key may go, bounded failures, the deadline, throttle-403, refusals with 200, late writes.

Each test drives the client with a scripted session and a fake clock (no real waiting); the same
behaviours against real sockets are in test_client_timing.py.
"""

import contextlib

import pytest
import requests
from ansible_collections.victorops.oncall.plugins.module_utils._client import (
    AmbiguousWriteError,
    AuthenticationError,
    DeadlineError,
    NotFoundError,
    RateLimitError,
    TransportError,
    ValidationError,
    VictorOpsClient,
)
from ansible_collections.victorops.oncall.tests.unit.plugins.module_utils.client_fakes import (
    FakeResponse,
    FakeSession,
    FakeTime,
    RecordingPacer,
    TopOfRangeRng,
)
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

API_URL = "https://api.victorops.com"
API_ID = "id-4f2a"
API_KEY = "k3y-9d8c7b6a5f4e3d2c1b0a"
USERS = "/api-public/v1/user"
POLICY = "/api-public/v1/profile/{username}/policies"
RULE = "/api-public/v1/profile/{username}/policies/{step}/{rule}"


def ok(body=None, headers=None):
    return FakeResponse(200, body if body is not None else {}, headers)


def refused():
    return requests.exceptions.ConnectionError(
        MaxRetryError(None, "/", NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused"))
    )


@pytest.fixture
def clock():
    return FakeTime()


@pytest.fixture
def warnings():
    return []


@pytest.fixture
def make(clock, warnings):
    def build(*script, **options):
        session = FakeSession(*script, clock=clock)
        settings = dict(sleep=clock.sleep, monotonic=clock.monotonic, wall_clock=clock.wall, rng=TopOfRangeRng(), warn=warnings.append, session=session)
        settings.update(options)
        url = settings.pop("api_url", API_URL)
        return VictorOpsClient(url, API_ID, API_KEY, **settings), session

    return build


def no_key(*texts):
    return all(API_KEY not in str(text) and API_KEY[:8] not in str(text) for text in texts)


# -- where the key may go ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://api.victorops.com",
        "http://192.0.2.10:8080",
        "http://[2001:db8::1]:8080",
        "http://emulator.example.test",
    ],
)
def test_plain_http_to_a_host_that_is_not_loopback_is_refused(url, warnings):
    with pytest.raises(ValueError) as info:
        VictorOpsClient(url, API_ID, API_KEY, session=FakeSession(clock=FakeTime()), warn=warnings.append)
    message = str(info.value)
    assert "plain http" in message and "not a loopback address" in message
    assert "allow_insecure_http" in message and "https://" in message


def test_plain_http_with_allow_insecure_http_is_sent_with_a_warning(make, warnings):
    client, session = make(ok(), api_url="http://192.0.2.10:8080", allow_insecure_http=True)
    client.request("GET", "/api-public/v1/policies")
    assert session.calls[0]["url"] == "http://192.0.2.10:8080/api-public/v1/policies"
    assert len(warnings) == 2
    assert "travel unencrypted" in warnings[0]
    assert "is not under victorops.com" in warnings[1]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://127.8.9.10", "http://[::1]:8080", "https://localhost"])
def test_loopback_is_allowed_over_http_and_silent(url, make, warnings):
    client, session = make(ok(), api_url=url)
    client.request("GET", "/api-public/v1/policies")
    assert len(session.calls) == 1
    assert warnings == []


@pytest.mark.parametrize("url", ["https://api.victorops.com", "https://VictorOps.com", "https://eu.api.victorops.com:443"])
def test_victorops_hosts_are_silent(url, make, warnings):
    make(api_url=url)
    assert warnings == []


@pytest.mark.parametrize("url", ["https://victorops.com.attacker.test", "https://api.victorops.con", "https://notvictorops.com", "https://proxy.example.test"])
def test_any_other_host_is_warned_about(url, make, warnings):
    make(api_url=url)
    (warning,) = warnings
    assert "is not under victorops.com" in warning
    assert "make sure that host is meant to receive them" in warning


@pytest.mark.parametrize(
    "url, path",
    [
        ("https://api.victorops.com/api-public/v1", "/api-public/v1"),
        ("https://api.victorops.com/api-public/v1/", "/api-public/v1/"),
        ("https://api.victorops.com/api-public", "/api-public"),
        ("https://proxy.example.test/victorops/", "/victorops/"),
        ("http://127.0.0.1:8080/x", "/x"),
    ],
)
def test_api_url_with_a_path_is_an_error_naming_the_fix(url, path):
    with pytest.raises(ValueError) as info:
        VictorOpsClient(url, API_ID, API_KEY, session=FakeSession(clock=FakeTime()))
    message = str(info.value)
    assert "without a path (it has %r)" % path in message
    assert "give the base URL only, e.g. %s" % url[: url.index(path)] in message


@pytest.mark.parametrize("name", ["api_id", "api_key"])
@pytest.mark.parametrize(
    "bad",
    [
        API_KEY[:6] + "\u00e9" + API_KEY[6:],  # é
        API_KEY[:6] + "\u2019" + API_KEY[6:],  # typographic apostrophe
        API_KEY[:6] + "\u00a0" + API_KEY[6:],  # no-break space
        API_KEY[:6] + "\t" + API_KEY[6:],
        API_KEY[:6] + "\x7f" + API_KEY[6:],
        "\U0001f511" + API_KEY,
    ],
)
def test_credentials_outside_printable_ascii_are_refused_up_front_without_echo(name, bad):
    values = dict(api_id=API_ID, api_key=API_KEY)
    values[name] = bad
    session = FakeSession(clock=FakeTime())
    with pytest.raises(ValueError) as info:
        VictorOpsClient(API_URL, values["api_id"], values["api_key"], session=session)
    message = str(info.value)
    assert message.startswith("%s must contain only printable ASCII characters" % name)
    assert API_KEY[:6] not in message and API_KEY[7:] not in message and API_ID not in message
    assert session.calls == []


def test_printable_ascii_punctuation_is_accepted(clock):
    session = FakeSession(ok(), clock=clock)
    client = VictorOpsClient(API_URL, "id ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", API_KEY, session=session)
    client.request("GET", "/api-public/v1/policies")
    assert session.calls[0]["headers"]["X-VO-Api-Id"] == "id ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./"


# -- error messages: the full URL of the failing request, never the key -----------------------------


def test_errors_name_the_full_url_without_query_or_key(make):
    client, _session = make(FakeResponse(404, {"error": "User not found"}))
    with pytest.raises(NotFoundError) as info:
        client.request("GET", "/api-public/v1/user/{username}", params=dict(username="ghost"), query={"email": "g@example.test"})
    assert str(info.value) == "GET https://api.victorops.com/api-public/v1/user/ghost: not found (HTTP 404): User not found"
    assert info.value.path == "/api-public/v1/user/ghost"
    assert info.value.url == "https://api.victorops.com/api-public/v1/user/ghost"


# -- transport: fail fast ---------------------------------------------------------------------------


def test_a_host_name_that_does_not_resolve_fails_at_once(make, clock):
    gaierror = OSError(-2, "Name or service not known")
    failure = requests.exceptions.ConnectionError(MaxRetryError(None, "/", NameResolutionError("api.victorops.con", None, gaierror)))
    client, session = make(failure, ok(), api_url="https://api.victorops.con")
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/policies")
    message = str(info.value)
    assert message.startswith("GET https://api.victorops.con/api-public/v1/policies: the host name 'api.victorops.con' does not resolve")
    assert "not retried" in message
    assert "Check that api_url (https://api.victorops.con) is right" in message and "proxy" in message
    assert len(session.calls) == 1
    assert clock.sleeps == []


def test_a_refused_connection_is_tried_three_times_in_a_few_seconds_at_default_settings(make, clock):
    client, session = make(*[refused()] * 10)
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert len(session.calls) == 3
    assert clock.sleeps == [2.0, 4.0]  # the top of the jitter ranges: never more than 6 s of waiting
    assert clock.now < 15
    message = str(info.value)
    assert "connection failed, request not sent" in message
    assert "gave up (3 attempts over 6.0 s" in message
    assert "a connection that cannot be established is tried at most 3 times within 10 s" in message
    assert "Check that api_url (https://api.victorops.com) is right and reachable from this host" in message


def test_connect_timeouts_stop_within_the_connection_budget(make, clock):
    client, session = make(*[(10.0, requests.exceptions.ConnectTimeout("connect timed out"))] * 5)
    with pytest.raises(TransportError):
        client.request("GET", "/api-public/v1/policies")
    assert session.calls[0]["timeout"] == (10.0, 30)
    assert len(session.calls) == 1  # 10 s spent connecting: the 10 s budget for connections is used up
    assert clock.now <= 15


def test_refused_then_answered_is_a_success(make):
    client, session = make(refused(), ok({"policies": []}))
    assert client.request("GET", "/api-public/v1/policies") == {"policies": []}
    assert len(session.calls) == 2


# -- the deadline -------------------------------------------------------------------------------


def test_deadline_bounds_the_timeout_passed_for_each_exchange(make, clock):
    hang = requests.exceptions.ReadTimeout("read timed out")
    client, session = make(*[(30.0, hang)] * 20, deadline=100, retries=50, retry_timeout=1000)
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/policies")
    for call in session.calls:
        connect, read = call["timeout"]
        assert read <= 100 - call["at"] + 1e-9
        assert connect <= read
    assert clock.now <= 100 + 1e-9
    message = str(info.value)
    assert "the deadline of 100 s is reached" in message
    # The true time is reported, not only the time slept between attempts.
    assert "attempts over %s s" % ("%.1f" % clock.now if clock.now < 100 else "%.0f" % clock.now) in message


def test_deadline_counts_from_the_client_creation_across_requests(make, clock):
    client, session = make(ok(), ok(), deadline=50)
    client.request("GET", "/api-public/v1/policies")
    clock.now = 49.5
    client.request("GET", "/api-public/v1/policies")
    assert session.calls[1]["timeout"] == (0.5, 0.5)
    clock.now = 50.0
    with pytest.raises(DeadlineError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert "the deadline of 50 s was reached before the request could be sent" in str(info.value)
    assert len(session.calls) == 2


def test_a_pacer_wait_longer_than_the_deadline_leaves_ends_at_once_naming_the_rate_limit(make, clock):
    pacer = RecordingPacer(clock, wait=58.0)
    client, session = make(ok(), pacer=pacer, deadline=3)
    with pytest.raises(DeadlineError) as info:
        client.request("GET", "/api-public/v1/policies", operation="list_escalation_policies")
    message = str(info.value)
    assert "the deadline of 3 s does not leave time for the rate limit of list_escalation_policies: the pacer would wait 58.0 s" in message
    assert "not sent" in message and "network" not in message and "api_url" not in message
    assert clock.now <= 3.0  # the deadline counts the pacer's wait: nothing waited past it
    assert session.calls == []
    assert pacer.events == [("acquire", "list_escalation_policies")]
    assert info.value.kind == "deadline"


def test_the_pacer_is_given_the_time_left_before_the_deadline(make, clock):
    class Recording(RecordingPacer):
        def acquire(self, operation, max_wait=None):
            self.events.append(("max_wait", max_wait))
            return super().acquire(operation, max_wait)

    pacer = Recording()
    client, _session = make(ok(), pacer=pacer, deadline=3)
    clock.now = 1.0
    client.request("GET", "/api-public/v1/policies")
    assert pacer.events[0] == ("max_wait", 2.0)


def test_backoff_is_cut_to_the_deadline_and_the_penalty_too(make, clock):
    pacer = RecordingPacer()
    client, session = make(FakeResponse(429, {"message": "Too Many Requests"}), ok(), pacer=pacer, deadline=1.5)
    with pytest.raises(RateLimitError) as info:
        client.request("GET", "/api-public/v1/policies", operation="list_escalation_policies")
    assert clock.sleeps == []
    assert ("throttled", "list_escalation_policies", 1.5) in pacer.events
    assert "gave up (1 attempt over 0.000 s" in str(info.value) and "the deadline of 1.5 s is reached" in str(info.value)
    assert len(session.calls) == 1


@pytest.mark.parametrize("deadline", [0, -1])
def test_deadline_must_be_positive(deadline):
    with pytest.raises(ValueError) as info:
        VictorOpsClient(API_URL, API_ID, API_KEY, session=FakeSession(clock=FakeTime()), deadline=deadline)
    assert "deadline must be greater than 0" in str(info.value)


def test_no_deadline_is_possible(make, clock):
    client, session = make(ok(), deadline=None, timeout=None)
    clock.now = 10_000
    client.request("GET", "/api-public/v1/policies")
    assert session.calls[0]["timeout"] is None


# -- Retry-After beyond the budget ------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, left, penalty",
    [
        (dict(), "the 120 s left of retry_timeout (120 s)", 300.0),
        (dict(retry_timeout=1000, deadline=200), "the 200 s left before the deadline (200 s)", 200.0),
    ],
)
def test_retry_after_longer_than_the_budget_stops_at_once_naming_the_wait(make, clock, options, left, penalty):
    pacer = RecordingPacer()
    client, session = make(FakeResponse(429, {"message": "Too Many Requests"}, {"Retry-After": "300"}), ok(), pacer=pacer, **options)
    with pytest.raises(RateLimitError) as info:
        client.request("POST", USERS, body={"username": "jdoe"}, operation="create_user")
    message = str(info.value)
    assert "the API asked to wait 300 s before re-sending (Retry-After), more than %s: stopped without waiting" % left in message
    assert clock.sleeps == []
    assert len(session.calls) == 1
    # Other processes are held back for the time the server asked, cut to this task's deadline (the pacer caps it to its window).
    assert ("throttled", "create_user", penalty) in pacer.events


def test_retry_after_within_the_budget_is_honoured_in_full(make, clock):
    client, session = make(FakeResponse(429, {"message": "Too Many Requests"}, {"Retry-After": "100"}), ok())
    client.request("GET", "/api-public/v1/policies")
    assert clock.sleeps == [100.0]
    assert len(session.calls) == 2


# -- 403: authentication at first, throttling once the credentials were accepted ---------------------


def test_403_on_the_first_request_is_an_authentication_failure(make, clock):
    client, session = make(FakeResponse(403, {"error": "Forbidden"}), ok())
    with pytest.raises(AuthenticationError):
        client.request("GET", "/api-public/v1/policies")
    assert len(session.calls) == 1
    assert clock.sleeps == []
    assert client.credentials_accepted is False


@pytest.mark.parametrize(
    "earlier",
    [ok({"policies": []}), FakeResponse(404, {"error": "User not found"}), FakeResponse(400, {"error": "bad"}), FakeResponse(422, {"error": "taken"})],
)
def test_403_after_the_credentials_were_accepted_is_a_throttle(make, clock, warnings, earlier):
    pacer = RecordingPacer()
    client, session = make(earlier, FakeResponse(403, {"error": "Forbidden"}), FakeResponse(403, {"error": "Forbidden"}), ok({"username": "jdoe"}), pacer=pacer)
    # The earlier answer may be an error; only that it accepted the credentials matters.
    with contextlib.suppress(Exception):
        client.request("GET", "/api-public/v1/policies", operation="list_escalation_policies")
    assert client.credentials_accepted is True
    assert client.request("POST", USERS, body={"username": "jdoe"}, operation="create_user") == {"username": "jdoe"}
    assert len(session.calls) == 4
    assert clock.sleeps == [2.0, 4.0]
    assert [e for e in pacer.events if e[0] == "throttled"] == [("throttled", "create_user", 2.0), ("throttled", "create_user", 4.0)]
    assert "taken for throttling: these credentials were accepted earlier in this task" in warnings[0]


def test_a_persisting_403_after_acceptance_gives_up_within_budget_and_says_why(make, clock):
    client, session = make(ok(), *[FakeResponse(403, {"error": "Forbidden"})] * 3, retries=2)
    client.request("GET", "/api-public/v1/policies")
    with pytest.raises(RateLimitError) as info:
        client.request("DELETE", RULE, params=dict(username="jdoe", step=0, rule=1))
    message = str(info.value)
    assert "rate limited (HTTP 403, taken for throttling" in message
    assert "gave up (3 attempts" in message and "no retries left" in message
    assert "may also mean that this API key is not allowed this operation" in message
    assert len(session.calls) == 4


def test_401_after_acceptance_is_still_an_authentication_failure(make):
    client, session = make(ok(), FakeResponse(401, {"error": "Unauthorized"}))
    client.request("GET", "/api-public/v1/policies")
    with pytest.raises(AuthenticationError):
        client.request("GET", "/api-public/v1/policies")
    assert len(session.calls) == 2


# -- a 200 that is a refusal -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"error": "User name jdoe is unavailable"},
        {"error": "User name jdoe is unavailable", "status": 200},
        {"error": {"message": "User name jdoe is unavailable"}},
    ],
)
def test_a_200_with_only_an_error_is_a_refusal_with_the_api_text(make, body):
    client, session = make(ok(body))
    with pytest.raises(ValidationError) as info:
        client.request("POST", USERS, body={"username": "jdoe"}, confirm_write=lambda: pytest.fail("a refusal is certain"))
    assert info.value.api_message == "User name jdoe is unavailable"
    assert info.value.status == 200
    assert str(info.value) == (
        "POST https://api.victorops.com/api-public/v1/user: request refused by the API (HTTP 200 with only an error in its body): User name jdoe is unavailable"
    )
    assert len(session.calls) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"error": None, "users": []},
        {"error": "", "status": "ok"},
        {"username": "jdoe", "error": "partial"},
        {"incidentNumber": "1", "error": "none"},
        [{"error": "x"}],
    ],
)
def test_a_200_with_an_answer_beside_an_error_field_is_an_answer(make, body):
    client, _session = make(ok(body))
    assert client.request("GET", USERS) == body


def test_a_refusal_with_200_never_echoes_the_key(make):
    client, _session = make(ok({"error": "key %s is read-only" % API_KEY}))
    with pytest.raises(ValidationError) as info:
        client.request("POST", USERS, body={})
    assert no_key(info.value, info.value.api_message, info.value.body)


# -- uncertain writes: wait before confirming, re-send at most once, never after a timeout --------------


class LateWriteApi:
    """A write the API applies ``late`` seconds after its gateway answered 504; confirm_write reads the state."""

    def __init__(self, clock, late):
        self.clock = clock
        self.late = late
        self.applied_at = None
        self.reads = []

    def gateway_504(self):
        self.applied_at = self.clock.now + self.late
        return FakeResponse(504, "<html><title>504 Gateway Time-out</title></html>", {"Content-Type": "text/html"})

    def confirm(self):
        self.reads.append(self.clock.now)
        applied = self.applied_at is not None and self.clock.now >= self.applied_at
        return (True, {"stepRule": {"index": 1}}) if applied else (False, None)


def test_a_late_write_after_a_504_is_confirmed_not_resent(clock, make):
    api = LateWriteApi(clock, late=20.0)

    class Session(FakeSession):
        def request(self, method, url, **kwargs):
            self.calls.append(dict(kwargs, method=method, url=url, at=self.clock.now))
            return api.gateway_504()

    session = Session(clock=clock)
    client, _session = make(session=session)
    result = client.request(
        "POST", POLICY + "/{step}", params=dict(username="jdoe", step=0), body={"type": "push"}, confirm_write=api.confirm, operation="create_rule"
    )
    assert result == {"stepRule": {"index": 1}}
    assert len(session.calls) == 1  # with a 2 s backoff before the read, the write was sent a second time and landed twice
    assert api.reads == [30.0]  # one request_timeout after the 504


def test_a_write_not_visible_after_an_answered_failure_is_never_resent(make, clock, warnings):
    confirmations = []

    def confirm():
        confirmations.append(clock.now)
        return False, None

    client, session = make(FakeResponse(502, b""), FakeResponse(502, b""), ok(), timeout=5)
    with pytest.raises(AmbiguousWriteError) as info:
        client.request("POST", POLICY, params=dict(username="jdoe"), body={}, confirm_write=confirm, operation="create_step")
    assert len(session.calls) == 1
    assert confirmations == [5.0]
    message = str(info.value)
    assert "may or may not have been applied: it was not visible 5.0 s later" in message and "re-run to converge" in message
    assert warnings == []


def test_a_write_confirmed_not_applied_after_a_timeout_is_not_resent(make, clock):
    """Issue 11: a read timeout on a POST whose confirmation says "not applied" must not send it again."""
    confirmations = []

    def confirm():
        confirmations.append(clock.now)
        return False, None

    client, session = make((30.0, requests.exceptions.ReadTimeout("read timed out")), ok())
    with pytest.raises(AmbiguousWriteError) as info:
        client.request(
            "POST",
            "/api-public/v1/user/{username}/contact-methods/phones",
            params=dict(username="jdoe"),
            body={"phone": "+15550100"},
            confirm_write=confirm,
            operation="add_phone",
        )
    assert len(session.calls) == 1
    assert confirmations == [60.0]  # 30 s without an answer, then 30 s more before looking
    message = str(info.value)
    assert "may or may not have been applied" in message and "re-run to converge" in message


def test_no_time_to_confirm_safely_before_the_deadline_is_ambiguous(make, clock):
    client, session = make(FakeResponse(503, b""), ok(), deadline=20)
    with pytest.raises(AmbiguousWriteError) as info:
        client.request(
            "DELETE", RULE, params=dict(username="jdoe", step=0, rule=1), confirm_write=lambda: pytest.fail("a read taken now could miss a write still landing")
        )
    assert "checking it safely takes waiting 30.0 s, and only 20.0 s are left before the deadline (20 s); re-run to converge" in str(info.value)
    assert len(session.calls) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("padding", [470, 480, 490, 4070, 4080, 4090])
def test_an_error_body_echoing_the_key_leaks_none_of_it_wherever_a_cut_falls(make, padding):
    """The key is redacted before any text is cut short (the message's 500 characters, the body's 4096), and a piece
    of it left at a cut is redacted too: not even 31 of its characters remain."""
    client, _session = make(FakeResponse(422, {"error": "x" * padding + API_KEY + " was refused"}))
    with pytest.raises(ValidationError) as info:
        client.request("POST", USERS, body={})
    pieces = [API_KEY[i:j] for i in range(len(API_KEY)) for j in range(i + 4, len(API_KEY) + 1)]
    for text in (str(info.value), info.value.api_message, info.value.body):
        assert not [piece for piece in pieces if piece in text], text[-80:]


def test_plain_http_to_a_loopback_address_goes_through_no_proxy(monkeypatch):
    """The key may travel in clear only to a literal loopback address, so nothing may stand between: no proxy."""
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("http_proxy", "http://proxy.example.test:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = VictorOpsClient("http://127.0.0.1:8080", API_ID, API_KEY)
    url = client.api_url + "/api-public/v1/policies"
    assert client.session.merge_environment_settings(url, {}, None, None, None)["proxies"] == {}
    # Over https the environment's proxy settings still apply (the key is encrypted end to end).
    tls = VictorOpsClient("https://127.0.0.1:8443", API_ID, API_KEY)
    assert tls.session.trust_env is True


def test_plain_http_allowed_to_another_host_goes_through_no_proxy_either(monkeypatch):
    """With allow_insecure_http the key travels in clear to that host; a proxy from the environment must not see it."""
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("http_proxy", "http://proxy.example.test:3128")
    monkeypatch.setenv("ALL_PROXY", "http://proxy.example.test:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = VictorOpsClient("http://victorops-gateway.internal.example:8080", API_ID, API_KEY, allow_insecure_http=True)
    url = client.api_url + "/api-public/v1/policies"
    assert client.session.trust_env is False
    assert client.session.merge_environment_settings(url, {}, None, None, None)["proxies"] == {}
    # allow_insecure_http changes nothing for https: the environment's proxies still apply.
    tls = VictorOpsClient("https://api.victorops.com", API_ID, API_KEY, allow_insecure_http=True)
    assert tls.session.trust_env is True


@pytest.mark.parametrize("url", ["http://localhost:8080", "http://app.localhost", "http://127.0.0.1.example.test"])
def test_plain_http_to_a_name_is_refused_even_one_that_usually_means_loopback(url):
    with pytest.raises(ValueError) as info:
        VictorOpsClient(url, API_ID, API_KEY)
    assert "only a literal 127.0.0.1 or ::1 is" in str(info.value)
