"""VictorOpsClient against a scripted session: headers, paths, errors, retries, budgets, stats."""

import email.utils

import pytest
import requests
from ansible_collections.victorops.oncall.plugins.module_utils import _client
from ansible_collections.victorops.oncall.plugins.module_utils._client import (
    AmbiguousWriteError,
    AuthenticationError,
    NotFoundError,
    PathParameterError,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    ValidationError,
    VictorOpsClient,
    VictorOpsError,
    parse_retry_after,
)
from ansible_collections.victorops.oncall.tests.unit.plugins.module_utils.client_fakes import (
    FakeResponse,
    FakeSession,
    FakeTime,
    FixedRng,
    RecordingPacer,
    TopOfRangeRng,
)
from urllib3.exceptions import NewConnectionError

API_URL = "https://api.victorops.com"
API_ID = "id-4f2a"
API_KEY = "k3y-9d8c7b6a5f4e3d2c1b0a"
WALL_START = 1_800_000_000.0
POLICY = "/api-public/v1/profile/{username}/policies"
STEP = "/api-public/v1/profile/{username}/policies/{step}"
RULE = "/api-public/v1/profile/{username}/policies/{step}/{rule}"
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>"


def ok(body=None, headers=None):
    return FakeResponse(200, body, headers)


def throttled(headers=None):
    return FakeResponse(429, {"message": "Too Many Requests"}, headers)


@pytest.fixture
def clock():
    return FakeTime()


@pytest.fixture
def warnings():
    return []


@pytest.fixture
def make(clock, warnings):
    def build(*script, **options):
        session = FakeSession(*script)
        settings = dict(sleep=clock.sleep, monotonic=clock.monotonic, wall_clock=clock.wall, rng=TopOfRangeRng(), warn=warnings.append, session=session)
        settings.update(options)
        client = VictorOpsClient(API_URL, API_ID, API_KEY, **settings)
        return client, session

    return build


def assert_no_key(*texts):
    for text in texts:
        assert API_KEY not in str(text)


# -- construction, headers, URLs ------------------------------------------------------------


def test_get_sends_auth_headers_without_content_type(make):
    client, session = make(ok({"steps": []}))
    assert client.request("GET", POLICY, params=dict(username="jdoe")) == {"steps": []}
    assert len(session.calls) == 1
    call = session.calls[0]
    assert call["method"] == "GET"
    assert call["url"] == "https://api.victorops.com/api-public/v1/profile/jdoe/policies"
    assert call["headers"] == {
        "X-VO-Api-Id": API_ID,
        "X-VO-Api-Key": API_KEY,
        "Accept": "application/json",
        "User-Agent": _client.USER_AGENT,
    }
    assert call["data"] is None
    assert call["timeout"] == (10.0, 30)  # (connect, read): a connection that cannot be made fails in 10 s
    assert call["verify"] is True
    assert call["allow_redirects"] is False


def test_body_is_compact_json_with_content_type(make):
    client, session = make(ok({"step": {"index": 1}}))
    client.request("POST", POLICY, params=dict(username="jdoe"), body={"timeout": 5, "rules": []})
    call = session.calls[0]
    assert call["data"] == b'{"timeout":5,"rules":[]}'
    assert call["headers"]["Content-Type"] == "application/json"


def test_user_agent_carries_the_collection_version():
    from ansible_collections.victorops.oncall.plugins.module_utils._version import COLLECTION_VERSION

    assert _client.COLLECTION_VERSION == COLLECTION_VERSION  # generated from galaxy.yml
    assert _client.USER_AGENT == "victorops.oncall/%s (+https://github.com/victorops-oncall/victorops.oncall)" % COLLECTION_VERSION


@pytest.mark.parametrize(
    "validate_certs, ca_path, verify",
    [
        (True, None, True),
        (True, "/etc/ssl/vo-ca.pem", "/etc/ssl/vo-ca.pem"),
        (False, "/etc/ssl/vo-ca.pem", False),
        (False, None, False),
    ],
)
def test_certificate_verification_settings(make, validate_certs, ca_path, verify):
    client, session = make(ok(), validate_certs=validate_certs, ca_path=ca_path, timeout=7.5)
    client.request("GET", "/api-public/v1/policies")
    assert session.calls[0]["verify"] == verify
    assert session.calls[0]["timeout"] == (7.5, 7.5)


@pytest.mark.parametrize(
    "url, base",
    [
        ("https://api.victorops.com", "https://api.victorops.com"),
        ("https://api.victorops.com/", "https://api.victorops.com"),
        ("http://127.0.0.1:8080//", "http://127.0.0.1:8080"),
    ],
)
def test_api_url_trailing_slash_stripped(url, base):
    client = VictorOpsClient(url, API_ID, API_KEY, session=FakeSession(ok()))
    assert client.api_url == base
    client.request("GET", "/api-public/v1/policies")
    assert client.session.calls[0]["url"] == base + "/api-public/v1/policies"


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("ftp://api.victorops.com", "http or https"),
        ("api.victorops.com", "http or https"),
        ("https://", "host"),
        ("https://api.victorops.com/?x=1", "query or fragment"),
        ("https://api.victorops.com/#top", "query or fragment"),
        ("https://user:pw@api.victorops.com", "credentials"),
        ("https://api.victorops.com:99999", "port"),
        ("", "non-empty"),
    ],
)
def test_api_url_refused(url, fragment):
    with pytest.raises(ValueError) as info:
        VictorOpsClient(url, API_ID, API_KEY, session=FakeSession())
    assert fragment in str(info.value)


@pytest.mark.parametrize("api_key", ["", "   ", API_KEY + "\n", " " + API_KEY, API_KEY[:5] + "\x00" + API_KEY[5:]])
def test_api_key_with_control_characters_refused_without_echo(api_key):
    with pytest.raises(ValueError) as info:
        VictorOpsClient(API_URL, API_ID, api_key, session=FakeSession())
    assert "api_key" in str(info.value)
    assert API_KEY not in str(info.value)


@pytest.mark.parametrize("option, value", [("timeout", 0), ("retries", -1), ("retry_timeout", -0.5), ("rate_window", 0)])
def test_numeric_options_refused(option, value):
    with pytest.raises(ValueError) as info:
        VictorOpsClient(API_URL, API_ID, API_KEY, session=FakeSession(), **{option: value})
    assert option in str(info.value)


def test_query_is_passed_separately_and_kept_out_of_errors(make):
    client, session = make(FakeResponse(404, {"error": "User not found"}))
    with pytest.raises(NotFoundError) as info:
        client.request("GET", "/api-public/v2/user", query={"email": "jdoe@example.test"})
    assert session.calls[0]["params"] == {"email": "jdoe@example.test"}
    assert session.calls[0]["url"] == "https://api.victorops.com/api-public/v2/user"
    assert str(info.value) == "GET https://api.victorops.com/api-public/v2/user: not found (HTTP 404): User not found"


# -- path parameters --------------------------------------------------------------------------


def test_at_sign_sent_raw_and_integers_accepted(make):
    client, session = make(ok({"stepRule": {}}))
    client.request("GET", RULE, params=dict(username="j.doe+ops@example.com", step=0, rule=12))
    assert session.calls[0]["url"] == "https://api.victorops.com/api-public/v1/profile/j.doe+ops@example.com/policies/0/12"
    assert "%40" not in session.calls[0]["url"]


@pytest.mark.parametrize(
    "value, reason",
    [
        ("", "empty"),
        ("a/b", "'/'"),
        ("a\\b", "'\\\\'"),
        ("a?b", "'?'"),
        ("a#b", "'#'"),
        ("a%40b", "'%'"),
        ("..", "dot path segment"),
        ("a..b", "dot path segment"),
        (".", "dot path segment"),
        ("a b", "whitespace"),
        ("a\tb", "whitespace"),
        ("a\nb", "whitespace"),
        ("a\u00a0b", "whitespace"),
        ("a\x00b", "control character"),
        ("a\x7fb", "control character"),
        ("a\u200bb", "control character"),
        ("x" * 256, "longer than 255"),
        (None, "string or an integer"),
        (True, "string or an integer"),
        (1.5, "string or an integer"),
    ],
)
def test_bad_path_parameter_refused_before_pacing_and_sending(make, value, reason):
    pacer = RecordingPacer()
    client, session = make(pacer=pacer)
    with pytest.raises(PathParameterError) as info:
        client.request("DELETE", RULE, params=dict(username=value, step=0, rule=1))
    message = str(info.value)
    assert message.startswith("DELETE /api-public/v1/profile/{username}/policies/{step}/{rule}: path parameter 'username' refused: ")
    assert reason in message
    assert session.calls == []
    assert pacer.events == []
    assert client.stats["calls"] == 0


def test_path_parameter_of_255_characters_accepted(make):
    client, session = make(ok())
    client.request("GET", POLICY, params=dict(username="u" * 255))
    assert session.calls[0]["url"].endswith("/profile/" + "u" * 255 + "/policies")


def test_missing_and_unknown_path_parameters_refused(make):
    client, session = make()
    with pytest.raises(PathParameterError) as missing:
        client.request("GET", STEP, params=dict(username="jdoe"))
    assert "'step' refused: it is missing" in str(missing.value)
    with pytest.raises(PathParameterError) as unknown:
        client.request("GET", POLICY, params=dict(username="jdoe", team="t"))
    assert "team" in str(unknown.value)
    assert session.calls == []


def test_path_parameter_equal_to_the_key_is_redacted(make):
    client, session = make()
    with pytest.raises(PathParameterError) as info:
        client.request("GET", POLICY, params=dict(username=API_KEY + "/x"))
    assert_no_key(info.value, repr(info.value))
    assert "********" in str(info.value)
    assert session.calls == []


# -- success bodies ---------------------------------------------------------------------------


def test_empty_success_body_is_none(make):
    client, _session = make(ok(b""))
    assert client.request("DELETE", RULE, params=dict(username="jdoe", step=0, rule=1)) is None


def test_expected_statuses_can_be_widened(make):
    client, _session = make(FakeResponse(204, b""))
    assert client.request("DELETE", "/api-public/v1/policies/{policy}", params=dict(policy="pol-1"), expected=(200, 204)) is None


def test_html_success_body_is_a_readable_response_error(make):
    page = "<!DOCTYPE html><html><head><title>Maintenance</title><style>p {}</style></head><body><p>Back soon</p></body></html>"
    client, session = make(FakeResponse(200, page, {"Content-Type": "text/html; charset=utf-8"}))
    with pytest.raises(ResponseError) as info:
        client.request("GET", "/api-public/v1/policies")
    message = str(info.value)
    assert message == (
        "GET https://api.victorops.com/api-public/v1/policies: the API returned a body that is not valid JSON "
        "(HTTP 200, text/html, %d bytes): Maintenance: Back soon" % len(page)
    )
    assert len(session.calls) == 1


def test_truncated_json_is_a_response_error(make):
    client, _session = make(FakeResponse(200, '{"steps": [{"index": 0, "timeo', {"Content-Type": "application/json"}))
    with pytest.raises(ResponseError) as info:
        client.request("GET", POLICY, params=dict(username="jdoe"))
    assert 'not valid JSON (HTTP 200, application/json, 30 bytes): {"steps": [{"index": 0, "timeo' in str(info.value)
    assert "Expecting" not in str(info.value)


def test_body_over_the_size_limit_is_refused(make):
    client, _session = make(ok({"users": ["x" * 100]}), max_response_bytes=64)
    with pytest.raises(ResponseError) as info:
        client.request("GET", "/api-public/v1/user")
    assert str(info.value) == "GET https://api.victorops.com/api-public/v1/user: response body larger than 64 bytes (HTTP 200)"


def test_declared_length_over_the_limit_is_refused_unread(make):
    response = FakeResponse(200, b"{}", {"Content-Length": str(20 * 1024 * 1024)})
    client, _session = make(response)
    with pytest.raises(ResponseError) as info:
        client.request("GET", "/api-public/v1/user")
    assert "larger than 10485760 bytes" in str(info.value)
    assert response.closed is True


# -- errors that are never retried -------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_authentication_failure_not_retried(make, clock, status):
    client, session = make(FakeResponse(status, {"error": "Forbidden"}), FakeResponse(200, {}))
    with pytest.raises(AuthenticationError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert str(info.value) == (
        "GET https://api.victorops.com/api-public/v1/policies: authentication failed (HTTP %d); check api_id/api_key; not retried: Forbidden" % status
    )
    assert info.value.status == status
    assert info.value.attempts == 1
    assert len(session.calls) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("status", [400, 422])
def test_validation_error_carries_the_server_error_text(make, status):
    client, session = make(FakeResponse(status, {"error": "User name jdoe is unavailable"}))
    with pytest.raises(ValidationError) as info:
        client.request("POST", "/api-public/v1/user", body={"username": "jdoe"})
    assert info.value.api_message == "User name jdoe is unavailable"
    assert info.value.body == '{"error": "User name jdoe is unavailable"}'
    assert str(info.value) == "POST https://api.victorops.com/api-public/v1/user: request refused by the API (HTTP %d): User name jdoe is unavailable" % status
    assert len(session.calls) == 1


def test_not_found(make):
    client, session = make(FakeResponse(404, {"error": "User not found"}))
    with pytest.raises(NotFoundError) as info:
        client.request("GET", "/api-public/v1/user/{user}", params=dict(user="ghost@example.test"))
    assert str(info.value) == "GET https://api.victorops.com/api-public/v1/user/ghost@example.test: not found (HTTP 404): User not found"
    assert (info.value.method, info.value.path, info.value.status) == ("GET", "/api-public/v1/user/ghost@example.test", 404)
    assert len(session.calls) == 1


def test_internal_server_error_not_retried(make, clock):
    client, session = make(FakeResponse(500, {"error": "boom"}), ok())
    with pytest.raises(ServerError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert str(info.value) == (
        "GET https://api.victorops.com/api-public/v1/policies: server error (HTTP 500 Internal Server Error, application/json): boom; not retried"
    )
    assert len(session.calls) == 1
    assert clock.sleeps == []


def test_internal_server_error_on_a_write_is_confirmed_not_resent(make):
    confirmations = []

    def confirm():
        confirmations.append(1)
        return True, {"step": {"index": 2}}

    client, session = make(FakeResponse(500, b""))
    assert client.request("POST", POLICY, params=dict(username="jdoe"), body={}, confirm_write=confirm) == {"step": {"index": 2}}
    assert confirmations == [1]
    assert len(session.calls) == 1


def test_internal_server_error_on_a_write_without_confirmation_says_unknown(make):
    client, session = make(FakeResponse(500, b""))
    with pytest.raises(ServerError) as info:
        client.request("PATCH", "/api-public/v1/policies/{policy}/oncall/user", params=dict(policy="pol-1"), body={})
    assert str(info.value).endswith("not retried; the write may or may not have been applied")
    assert len(session.calls) == 1


def test_redirect_is_not_followed_and_is_an_error(make):
    client, session = make(FakeResponse(301, b"", {"Location": "https://elsewhere.test/"}))
    with pytest.raises(VictorOpsError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert info.type is VictorOpsError
    assert str(info.value) == "GET https://api.victorops.com/api-public/v1/policies: unexpected response (HTTP 301 Moved Permanently)"
    assert len(session.calls) == 1


def test_tls_failure_is_readable_and_not_retried(make, clock):
    client, session = make(requests.exceptions.SSLError("certificate verify failed: self-signed certificate"), ok())
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/policies")
    message = str(info.value)
    assert message.startswith(
        "GET https://api.victorops.com/api-public/v1/policies: TLS failure: certificate verify failed: self-signed certificate; not retried."
    )
    assert "ca_path" in message and "validate_certs" in message
    assert len(session.calls) == 1
    assert clock.sleeps == []


# -- rate limiting ------------------------------------------------------------------------------


def test_429_sequence_backs_off_exponentially_then_succeeds(make, clock, warnings):
    client, session = make(throttled(), throttled(), throttled(), ok({"policies": []}))
    assert client.request("GET", "/api-public/v1/policies") == {"policies": []}
    assert client._rng.ranges == [(0, 2.0), (0, 4.0), (0, 8.0)]
    assert clock.sleeps == [2.0, 4.0, 8.0]
    assert len(session.calls) == 4
    assert warnings == [
        "GET https://api.victorops.com/api-public/v1/policies: rate limited (HTTP 429): Too Many Requests; retry 1 of 6 in 2.000 s",
        "GET https://api.victorops.com/api-public/v1/policies: rate limited (HTTP 429): Too Many Requests; retry 2 of 6 in 4.000 s",
        "GET https://api.victorops.com/api-public/v1/policies: rate limited (HTTP 429): Too Many Requests; retry 3 of 6 in 8.000 s",
    ]


def test_backoff_ceiling_caps_at_sixty_seconds(make, clock):
    client, _session = make(*([throttled()] * 7 + [ok()]), retries=7, retry_timeout=1000)
    client.request("GET", "/api-public/v1/policies")
    assert clock.sleeps == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]


def test_backoff_scales_with_the_rate_window(make, clock):
    client, _session = make(*([throttled()] * 6 + [ok()]), rate_window=1.0)
    client.request("GET", "/api-public/v1/policies")
    assert client._rng.ranges == [(0, 2 / 60), (0, 4 / 60), (0, 8 / 60), (0, 16 / 60), (0, 32 / 60), (0, 1.0)]
    assert clock.sleeps == pytest.approx([2 / 60, 4 / 60, 8 / 60, 16 / 60, 32 / 60, 1.0], abs=1e-12)


def test_full_jitter_has_a_floor(make, clock):
    client, _session = make(throttled(), throttled(), ok(), rng=FixedRng(0.0))
    client.request("GET", "/api-public/v1/policies")
    assert clock.sleeps == [0.1, 0.1]


def test_seeded_random_backoff_is_reproducible(make, clock):
    import random

    client, _session = make(throttled(), throttled(), ok(), rng=random.Random(20261126))
    client.request("GET", "/api-public/v1/policies")
    reference = random.Random(20261126)
    assert clock.sleeps == [max(0.1, reference.uniform(0, 2.0)), max(0.1, reference.uniform(0, 4.0))]
    assert 0.1 <= clock.sleeps[0] <= 2.0 and 0.1 <= clock.sleeps[1] <= 4.0


@pytest.mark.parametrize(
    "name, value, expected_sleep",
    [
        ("Retry-After", "3", 3.0),
        ("Retry-After", "1.5", 1.5),
        ("retry-after", "4", 4.0),
        ("RETRY-AFTER", "0.25", 0.25),
        ("Retry-After", email.utils.formatdate(WALL_START + 7, usegmt=True), 7.0),
        ("Retry-After", "90", 90.0),  # honoured as asked when the budget allows it
        ("Retry-After", "soon", 2.0),
        ("Retry-After", "-5", 2.0),
        ("Retry-After", "nan", 2.0),
        ("Retry-After", "", 2.0),
    ],
)
def test_retry_after_forms(make, clock, name, value, expected_sleep):
    client, session = make(throttled({name: value}), ok(), retry_timeout=600)
    client.request("GET", "/api-public/v1/policies")
    assert clock.sleeps == [expected_sleep]
    assert len(session.calls) == 2


def test_retry_after_date_in_the_past_means_now(make, clock):
    client, session = make(throttled({"Retry-After": email.utils.formatdate(WALL_START - 30, usegmt=True)}), ok())
    client.request("GET", "/api-public/v1/policies")
    assert clock.sleeps == []
    assert len(session.calls) == 2
    assert client.stats["retries"] == 1


def test_retry_after_beyond_the_retry_budget_stops_at_once_with_the_server_wait(make, clock):
    client, session = make(throttled({"Retry-After": "300"}), ok(), rate_window=1.0)
    with pytest.raises(RateLimitError) as info:
        client.request("GET", "/api-public/v1/policies")
    message = str(info.value)
    assert "the API asked to wait 300 s before re-sending (Retry-After), more than the 120 s left of retry_timeout (120 s)" in message
    assert "stopped without waiting (1 attempt over 0.000 s" in message
    assert clock.sleeps == []
    assert len(session.calls) == 1


def test_retry_after_honoured_on_503(make, clock):
    client, _session = make(FakeResponse(503, b"", {"Retry-After": "5"}), ok())
    client.request("GET", "/api-public/v1/policies")
    assert clock.sleeps == [5.0]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("10", 10.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("Wed, 26 Nov 2026 07:00:10 GMT", 10.0),
        ("Wed, 26 Nov 2026 07:00:10 -0000", 10.0),
        ("Wed, 26 Nov 2026 06:59:00 GMT", 0.0),
        ("-1", None),
        ("inf", None),
        ("tomorrow", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, expected):
    now = email.utils.parsedate_to_datetime("Wed, 26 Nov 2026 07:00:00 GMT").timestamp()
    assert parse_retry_after(value, now) == expected


@pytest.mark.parametrize(
    "body",
    [
        {"message": "Too Many Requests"},
        {"error": "API rate-limit reached"},
        "Rate limit exceeded",
        {"message": "too many requests, slow down"},
    ],
)
def test_legacy_403_rate_limit_is_retried(make, clock, body):
    client, session = make(FakeResponse(403, body), ok({"ok": True}))
    assert client.request("GET", POLICY, params=dict(username="jdoe")) == {"ok": True}
    assert len(session.calls) == 2
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize(
    "body",
    [
        {"error": "This API key is read-only; see https://help.victorops.com/api-rate-limits"},
        {"message": "Forbidden: read the rate limit documentation before writing"},
        {"error": "Forbidden", "docs": "https://help.victorops.com/too-many-requests-and-rate-limit-exceeded"},
        {"error": "This API key is read-only; see https://help.victorops.com/rate-limited-requests"},
        "This API key is read-only (rate limits: https://help.victorops.com/api-rate-limits)",
    ],
)
def test_a_403_that_only_mentions_rate_limits_is_an_authentication_failure(make, clock, body):
    """Only the API's own message is read, and only for what a throttle says: a refusal that links to the rate-limit
    documentation is not retried and teaches the pacer nothing."""
    pacer = RecordingPacer()
    client, session = make(FakeResponse(403, body), ok({"ok": True}), pacer=pacer)
    with pytest.raises(AuthenticationError) as info:
        client.request("GET", POLICY, params=dict(username="jdoe"))
    assert info.value.status == 403
    assert len(session.calls) == 1
    assert clock.sleeps == []
    assert not [event for event in pacer.events if event[0] == "throttled"]


@pytest.mark.parametrize("body", [{"error": "Too Many Requests"}, {"error": {"message": "Rate limited"}}, "Too many requests"])
def test_a_403_whose_own_message_is_a_throttle_is_retried_and_taught(make, clock, body):
    pacer = RecordingPacer()
    client, session = make(FakeResponse(403, body), ok({"ok": True}), pacer=pacer)
    assert client.request("GET", POLICY, params=dict(username="jdoe"), operation="get_paging_policy") == {"ok": True}
    assert len(session.calls) == 2
    assert ("throttled", "get_paging_policy", 2.0) in pacer.events


def test_legacy_403_rate_limit_exhausted_is_a_rate_limit_error(make):
    client, session = make(*[FakeResponse(403, {"message": "Too Many Requests"})] * 3, retries=2)
    with pytest.raises(RateLimitError) as info:
        client.request("PATCH", "/api-public/v1/policies/{policy}/oncall/user", params=dict(policy="pol-1"), body={})
    assert info.value.status == 403
    assert len(session.calls) == 3


def test_rate_limited_writes_are_resent_whatever_the_method(make):
    client, session = make(throttled(), ok({"stepRule": {"index": 0}}))
    assert client.request("DELETE", RULE, params=dict(username="jdoe", step=1, rule=0)) == {"stepRule": {"index": 0}}
    assert [c["method"] for c in session.calls] == ["DELETE", "DELETE"]


def test_count_budget_exhausted(make, clock):
    client, session = make(*[throttled()] * 3, retries=2)
    with pytest.raises(RateLimitError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert str(info.value) == (
        "GET https://api.victorops.com/api-public/v1/policies: rate limited (HTTP 429): Too Many Requests; "
        "gave up (3 attempts over 6.0 s, 6.0 s of it waiting between attempts; "
        "retries=2, retry_timeout=120 s, deadline=300 s): no retries left"
    )
    assert info.value.attempts == 3
    assert len(session.calls) == 3
    assert clock.sleeps == [2.0, 4.0]


def test_time_budget_stops_before_a_retry_after_that_does_not_fit(make, clock):
    client, session = make(*[throttled({"Retry-After": "2"})] * 5, retry_timeout=5)
    with pytest.raises(RateLimitError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert clock.sleeps == [2.0, 2.0]
    assert len(session.calls) == 3
    assert (
        "the API asked to wait 2.0 s before re-sending (Retry-After), more than the 1.0 s left of retry_timeout (5 s): "
        "stopped without waiting (3 attempts over 4.0 s, 4.0 s of it waiting between attempts; retries=6, retry_timeout=5 s"
    ) in str(info.value)


def test_time_budget_clamps_backoff_to_what_is_left(make, clock):
    client, session = make(*[throttled()] * 5, retry_timeout=5)
    with pytest.raises(RateLimitError):
        client.request("GET", "/api-public/v1/policies")
    assert clock.sleeps == [2.0, 3.0]
    assert len(session.calls) == 3


def test_time_budget_counts_time_spent_in_requests(make, clock):
    class SlowSession(FakeSession):
        def request(self, method, url, **kwargs):
            clock.now += 10.0  # each response takes 10 s
            return super().request(method, url, **kwargs)

    session = SlowSession(*[throttled()] * 5)
    client = VictorOpsClient(API_URL, API_ID, API_KEY, session=session, sleep=clock.sleep, monotonic=clock.monotonic, rng=TopOfRangeRng(), retry_timeout=15)
    with pytest.raises(RateLimitError):
        client.request("GET", "/api-public/v1/policies")
    # After the first 429 at t=10: wait 2 (t=12), resend (t=22), remaining 3: wait 3 (t=25), resend (t=35), nothing left.
    assert clock.sleeps == [2.0, 3.0]
    assert len(session.calls) == 3


def test_retries_zero_disables_retrying(make, clock):
    client, session = make(throttled(), ok(), retries=0)
    with pytest.raises(RateLimitError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert "gave up (1 attempt over 0.000 s, 0.000 s of it waiting between attempts; retries=0" in str(info.value)
    assert len(session.calls) == 1
    assert clock.sleeps == []


def test_retry_timeout_zero_disables_retrying(make, clock):
    client, session = make(throttled(), ok(), retry_timeout=0)
    with pytest.raises(RateLimitError):
        client.request("GET", "/api-public/v1/policies")
    assert len(session.calls) == 1
    assert clock.sleeps == []


# -- transient failures: idempotent requests ------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT"])
@pytest.mark.parametrize("status", [502, 503, 504])
def test_reads_and_resend_safe_writes_are_retried_after_a_transient_status(make, clock, method, status):
    client, session = make(FakeResponse(status, b""), ok({"user": {}}))
    body = {} if method == "PUT" else None
    assert client.request(method, "/api-public/v1/user/{username}", params=dict(username="jdoe"), body=body, resend_safe=True) == {"user": {}}
    assert [c["method"] for c in session.calls] == [method, method]
    # Addressed by a stable identity and idempotent: a lost copy landing later changes nothing more.
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_put_by_index_is_never_resent_after_a_transient_status(make, clock, status):
    client, session = make(FakeResponse(status, b""), ok({"step": {}}))
    with pytest.raises(AmbiguousWriteError) as info:
        client.request("PUT", STEP, params=dict(username="jdoe", step=0), body={}, operation="update_step")
    assert "update_step is not safe to send twice, so it was not re-sent" in str(info.value)
    assert [c["method"] for c in session.calls] == ["PUT"]


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"),
        requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
    ],
)
def test_idempotent_request_retried_after_timeout_or_drop(make, clock, failure):
    client, session = make(failure, ok({"policies": []}))
    assert client.request("GET", "/api-public/v1/policies") == {"policies": []}
    assert len(session.calls) == 2
    assert clock.sleeps == [2.0]


def test_resend_safe_delete_retried_after_503(make):
    client, session = make(FakeResponse(503, b""), ok({}))
    client.request(
        "DELETE", "/api-public/v1/team/{team}/members/{user}", params=dict(team="team-1", user="jdoe"), body={"replacement": "admin"}, resend_safe=True
    )
    assert [c["method"] for c in session.calls] == ["DELETE", "DELETE"]


def test_html_502_exhausted_gives_a_readable_server_error(make, clock):
    client, session = make(*[FakeResponse(502, HTML_502, {"Content-Type": "text/html"})] * 3, retries=2)
    with pytest.raises(ServerError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert str(info.value) == (
        "GET https://api.victorops.com/api-public/v1/policies: server error (HTTP 502 Bad Gateway, text/html): 502 Bad Gateway nginx; "
        "gave up (3 attempts over 6.0 s, 6.0 s of it waiting between attempts; "
        "retries=2, retry_timeout=120 s, deadline=300 s): no retries left"
    )
    assert info.value.api_message == "502 Bad Gateway nginx"
    assert len(session.calls) == 3


def test_timeouts_exhausted_give_a_transport_error(make):
    client, session = make(*[requests.exceptions.ReadTimeout("read timed out. (read timeout=30)")] * 2, retries=1)
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api-public/v1/policies")
    assert str(info.value).startswith(
        "GET https://api.victorops.com/api-public/v1/policies: no response within 30 s (ReadTimeout: read timed out. (read timeout=30)); gave up"
    )
    assert info.value.status is None
    assert len(session.calls) == 2


# -- transient failures: non-idempotent writes ----------------------------------------------------


@pytest.mark.parametrize(
    "method, template, params",
    [
        ("POST", POLICY, dict(username="jdoe")),
        ("PATCH", "/api-public/v1/policies/{policy}/oncall/user", dict(policy="pol-1")),
        ("DELETE", RULE, dict(username="jdoe", step=1, rule=2)),
    ],
)
def test_write_after_502_without_confirmation_is_ambiguous_and_sent_once(make, clock, warnings, method, template, params):
    client, session = make(FakeResponse(502, HTML_502, {"Content-Type": "text/html"}), ok())
    with pytest.raises(AmbiguousWriteError) as info:
        client.request(method, template, params=params, body={})
    message = str(info.value)
    assert "may or may not have been applied" in message
    assert "%s %s is not safe to send twice, so it was not re-sent" % (method, template) in message
    assert info.value.status == 502
    assert len(session.calls) == 1
    assert clock.sleeps == []
    assert warnings == []


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_write_after_502_confirmed_applied_is_not_resent(make, clock, method):
    confirmations = []

    def confirm():
        confirmations.append(clock.now)
        return True, {"stepRule": {"index": 3}}

    client, session = make(FakeResponse(502, b""), ok())
    result = client.request(
        method,
        RULE if method == "DELETE" else STEP,
        params=dict(username="jdoe", step=1, rule=3) if method == "DELETE" else dict(username="jdoe", step=1),
        body={},
        confirm_write=confirm,
    )
    assert result == {"stepRule": {"index": 3}}
    assert len(session.calls) == 1
    assert clock.sleeps == [30.0]
    assert confirmations == [30.0]  # asked one request_timeout later: a write the API is still carrying out has landed
    assert client.stats["retries"] == 0


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_write_after_502_not_visible_is_uncertain_and_never_resent(make, clock, warnings, method):
    confirmations = []

    def confirm():
        confirmations.append(1)
        return False, None

    template, params = (RULE, dict(username="jdoe", step=1, rule=3)) if method == "DELETE" else (STEP, dict(username="jdoe", step=1))
    client, session = make(FakeResponse(502, b""), ok({"done": True}))
    # The lost one may still land at any time: re-sent, a DELETE by index would remove the rule that moved up.
    with pytest.raises(AmbiguousWriteError) as info:
        client.request(method, template, params=params, body={}, confirm_write=confirm)
    assert "may or may not have been applied: it was not visible 30.0 s later" in str(info.value)
    assert "so it was not re-sent" in str(info.value) and "re-run to converge" in str(info.value)
    assert len(session.calls) == 1
    assert confirmations == [1]
    assert clock.sleeps == [30.0]
    assert client.stats["retries"] == 0
    assert warnings == []


def test_write_timeout_is_the_same_ambiguous_case(make):
    client, session = make(requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(AmbiguousWriteError) as info:
        client.request("POST", "/api-public/v1/user", body={"username": "jdoe"})
    assert info.value.status is None
    assert "no response within 30 s" in str(info.value)
    assert len(session.calls) == 1


def test_write_drop_confirmed_applied(make):
    client, session = make(requests.exceptions.ConnectionError("Connection aborted"))
    result = client.request("POST", "/api-public/v1/user", body={"username": "jdoe"}, confirm_write=lambda: (True, {"username": "jdoe"}))
    assert result == {"username": "jdoe"}
    assert len(session.calls) == 1


def test_confirm_write_exception_propagates(make):
    class Undecidable(Exception):
        pass

    def confirm():
        raise Undecidable("cannot tell")

    client, session = make(FakeResponse(504, b""), ok())
    with pytest.raises(Undecidable):
        client.request("POST", POLICY, params=dict(username="jdoe"), body={}, confirm_write=confirm)
    assert len(session.calls) == 1


def test_write_answered_500_and_not_visible_is_confirmed_not_applied(make, clock):
    client, session = make(FakeResponse(500, b""), ok(), retries=0)
    with pytest.raises(ServerError) as info:
        client.request("POST", POLICY, params=dict(username="jdoe"), body={}, confirm_write=lambda: (False, None))
    assert "not retried; the write was confirmed not applied" in str(info.value)
    assert len(session.calls) == 1
    assert clock.sleeps == [30.0]  # confirmed only once a late write would have landed


def test_write_never_sent_is_resent_without_confirmation(make, clock):
    refused = requests.exceptions.ConnectionError(NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused"))
    client, session = make(refused, ok({"created": True}))
    assert client.request("POST", "/api-public/v1/user", body={}, confirm_write=lambda: pytest.fail("must not be asked")) == {"created": True}
    assert len(session.calls) == 2
    assert clock.sleeps == [2.0]


def test_connect_timeout_write_is_resent_without_confirmation(make):
    client, session = make(requests.exceptions.ConnectTimeout("connect timed out"), ok({}))
    client.request("PATCH", "/api-public/v1/policies/{policy}/oncall/user", params=dict(policy="pol-1"), body={})
    assert len(session.calls) == 2


# -- pacing and counters ----------------------------------------------------------------------------


def test_every_send_is_paced_and_throttling_is_reported_to_the_pacer(make):
    pacer = RecordingPacer()
    client, _session = make(throttled({"Retry-After": "3"}), ok(), pacer=pacer)
    client.request("GET", POLICY, params=dict(username="jdoe"))
    operation = "GET /api-public/v1/profile/{username}/policies"
    assert pacer.events == [
        ("acquire", operation),
        ("release", 1),
        ("throttled", operation, 3.0),
        ("acquire", operation),
        ("release", 4),
    ]


def test_pacer_released_when_the_transport_fails(make):
    pacer = RecordingPacer()
    client, _session = make(requests.exceptions.SSLError("bad cert"), pacer=pacer)
    with pytest.raises(TransportError):
        client.request("GET", "/api-public/v1/policies")
    assert pacer.events == [("acquire", "GET /api-public/v1/policies"), ("release", 1)]


def test_stats(make):
    pacer = RecordingPacer(wait=0.3333)
    client, _session = make(ok({}), throttled(), ok({}), FakeResponse(502, b""), ok(), FakeResponse(404, b""), pacer=pacer)
    assert client.stats == {"calls": 0, "writes": 0, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
    client.request("GET", POLICY, params=dict(username="a"))
    client.request("GET", POLICY, params=dict(username="b"))
    # The POST answered 502 is confirmed applied by its read (a lambda here, no request): never sent twice.
    client.request("POST", STEP, params=dict(username="a", step=0), body={}, confirm_write=lambda: (True, {}))
    client.request("DELETE", RULE, params=dict(username="a", step=0, rule=0))
    with pytest.raises(NotFoundError):
        client.request("GET", POLICY, params=dict(username="c"))
    assert client.stats == {
        "calls": 6,
        "writes": 2,
        "retries": 1,
        "pacing_wait": 2.0,
        "retry_wait": 32.0,  # 2 s of backoff after the 429, 30 s (request_timeout) before confirming the POST
        "operations": {
            "GET /api-public/v1/profile/{username}/policies": 4,
            "POST /api-public/v1/profile/{username}/policies/{step}": 1,
            "DELETE /api-public/v1/profile/{username}/policies/{step}/{rule}": 1,
        },
    }


def test_stats_is_a_copy(make):
    client, _session = make(ok())
    client.request("GET", "/api-public/v1/policies")
    snapshot = client.stats
    snapshot["operations"]["GET /api-public/v1/policies"] = 99
    assert client.stats["operations"] == {"GET /api-public/v1/policies": 1}


# -- the key never leaks ------------------------------------------------------------------------------


def test_key_never_in_errors_or_warnings(make, warnings):
    echo = {"error": "bad key %s" % API_KEY, "message": "Too Many Requests for %s" % API_KEY}
    scenarios = [
        ([FakeResponse(403, {"error": "key %s refused" % API_KEY})], AuthenticationError, "GET"),
        ([FakeResponse(429, echo)] * 2, RateLimitError, "GET"),
        ([FakeResponse(422, echo)], ValidationError, "POST"),
        ([FakeResponse(502, "proxy saw X-VO-Api-Key: %s" % API_KEY)] * 2, ServerError, "GET"),
        ([FakeResponse(502, "<p>%s</p>" % API_KEY)], AmbiguousWriteError, "POST"),
        ([FakeResponse(200, "<html>%s</html>" % API_KEY)], ResponseError, "GET"),
        ([requests.exceptions.ConnectionError("header X-VO-Api-Key: %s rejected" % API_KEY)] * 2, TransportError, "GET"),
        ([requests.exceptions.SSLError("handshake for %s" % API_KEY)], TransportError, "GET"),
    ]
    for script, error_class, method in scenarios:
        client, _session = make(*script, retries=1)
        with pytest.raises(error_class) as info:
            client.request(method, "/api-public/v1/user", body={} if method == "POST" else None)
        error = info.value
        assert_no_key(error, error.message, error.api_message, error.body, repr(error.args))
    assert len(warnings) == 3
    assert_no_key(*warnings)
    assert all("********" in w for w in warnings)
