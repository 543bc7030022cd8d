"""victorops_api in process against the emulator: reads, writes, check mode, status_code, refused paths, pacing names,
what is re-sent after an uncertain outcome, and no key in any output."""

import pytest

SECRET = "demo-api-key"
START = "/api-public/v1/maintenancemode/start"
ROUTING_KEYS = "/api-public/v1/org/routing-keys"
START_BODY = {"type": "RoutingKeys", "names": ["database"], "purpose": "upgrade"}


@pytest.fixture
def api_task(run_module, emulator):
    """api_task(check_mode=False, **options) -> the result of victorops_api; no result ever carries the key."""

    def run(check_mode=False, **options):
        result = run_module("victorops_api", check_mode=check_mode, **options)
        assert SECRET not in result.output
        return result

    return run


def test_a_get_is_never_a_change(api_task, emulator):
    result = api_task(path=ROUTING_KEYS)
    assert result.exit_code == 0, result
    assert result["changed"] is False and result["status"] == 200
    assert [key["routingKey"] for key in result["json"]["routingKeys"]] == ["everything", "database", "web"]
    assert result["operation"] == "general" and result["api"]["operations"] == {"general": 1}
    assert result["request"] == {"method": "GET", "path": ROUTING_KEYS, "query": None, "body": None, "sent": True}
    assert [(entry["method"], entry["path"]) for entry in emulator.log] == [("GET", ROUTING_KEYS)]


def test_a_post_is_a_change_and_reaches_the_api(api_task, emulator):
    result = api_task(method="POST", path=START, body=START_BODY)
    assert result.exit_code == 0, result
    assert result["changed"] is True and result["status"] == 200
    (instance,) = emulator.state["maintenance"]
    assert result["json"]["activeInstances"] == [instance]
    assert instance["targets"] == [{"type": "RoutingKeys", "names": ["database"]}]
    assert [entry["body"] for entry in emulator.writes()] == [START_BODY]
    ended = api_task(method="PUT", path="/api-public/v1/maintenancemode/%s/end" % instance["instanceId"])
    assert ended["changed"] is True and ended["json"]["activeInstances"] == []
    assert emulator.state["maintenance"] == []


def test_check_mode_sends_no_write_and_says_what_would_be_sent(api_task, emulator):
    result = api_task(check_mode=True, method="POST", path=START, body=START_BODY, query={"force": True})
    assert result.exit_code == 0, result
    assert result["changed"] is True and result["status"] is None and result["json"] is None
    assert result["request"] == {"method": "POST", "path": START, "query": {"force": "true"}, "body": START_BODY, "sent": False}
    assert result["operation"] == "general" and result["api"]["calls"] == 0
    assert emulator.log == [] and emulator.state["maintenance"] == []
    read = api_task(check_mode=True, path="/api-public/v1/maintenancemode")
    assert read["changed"] is False and read["json"]["activeInstances"] == []
    assert [entry["method"] for entry in emulator.log] == ["GET"]


def test_query_parameters_are_sent_as_given(api_task, emulator):
    result = api_task(path=ROUTING_KEYS, query={"limit": 20, "verbose": False, "team": "ops"})
    assert result.exit_code == 0, result
    assert emulator.log[0]["query"] == {"limit": "20", "verbose": "false", "team": "ops"}


def test_status_code_lists_the_acceptable_answers(api_task, emulator):
    missing = "/api-public/v1/maintenancemode/no-such-id/end"
    failed = api_task(method="PUT", path=missing)
    assert failed["failed"] is True and failed["status"] == 404 and failed["error"] == "refused"
    assert "is not active" in failed["msg"]
    accepted = api_task(method="PUT", path=missing, status_code=[200, 404])
    assert accepted.exit_code == 0, accepted
    assert accepted["status"] == 404 and accepted["json"] == {"error": "Maintenance mode no-such-id is not active"}
    assert len(emulator.calls(method="PUT")) == 2


@pytest.mark.parametrize(
    "path,problem",
    [
        ("https://api.victorops.com/api-public/v1/user", "without scheme or host"),
        ("api-public/v1/user", "without scheme or host"),
        ("/api-public/v1/user?limit=1", "give the query parameters in query"),
        ("/api-public/v1/user#top", "must not carry a query or a fragment"),
        ("/api-public/v1/../../_emulator/state", "dot segment"),
        ("/api-public/v1/user/.", "dot segment"),
        ("/api-public/v1//user", "empty segment"),
        ("/api-public/v1/user/", "empty segment"),
        ("/api-public/v1/user/jdoe%2Fpolicies", "contains '%'"),
        ("/api-public/v1/user/j doe", "contains ' '"),
        ("/api-public/v1/user/jdoe;x=1", "contains ';'"),
        ("/api-public/v1/user/{username}", "contains '{'"),
        ("/api-public/v1/user/j\u00f6", "contains '\u00f6'"),
        ("/_emulator/state", "must start with /api-public/ or /api-reporting/"),
        ("/api-publicity/v1", "must start with /api-public/ or /api-reporting/"),
        ("", "path must be a path under"),
    ],
)
def test_bad_paths_are_refused_before_any_request(api_task, emulator, path, problem):
    result = api_task(method="DELETE", path=path)
    assert result["failed"] is True and result["error"] == "option"
    assert result["msg"].startswith("path ") and problem in result["msg"]
    assert emulator.log == [] and result["api"]["calls"] == 0


@pytest.mark.parametrize(
    "options,problem",
    [
        (dict(body="{}"), "body must be a mapping or a list"),
        (dict(query={"team": {"slug": "x"}}), "query['team'] must be a string"),
        (dict(status_code=[200, 429]), "status_code must not list 429"),
        (dict(status_code=[99]), "status_code 99 is not an HTTP status"),
        (dict(status_code=[]), "status_code must list at least one status"),
        (dict(method="HEAD"), "value of method must be one of"),
    ],
)
def test_bad_options_are_refused_before_any_request(api_task, emulator, options, problem):
    result = api_task(**dict(dict(method="POST", path=START), **options))
    assert result["failed"] is True and problem in result["msg"]
    assert emulator.log == []


@pytest.mark.parametrize(
    "method,path,operation",
    [
        ("GET", "/api-public/v1/user/jdoe", "get_user"),
        ("PUT", "/api-public/v1/user/jdoe", "update_user"),
        ("GET", "/api-public/v1/user/jdoe/teams", "list_user_teams"),
        ("GET", "/api-public/v1/policies/types/timeouts", "list_timeout_types"),
        ("GET", "/api-public/v1/maintenancemode", "general"),
        ("POST", "/api-public/v1/user/jdoe", "general"),
    ],
)
def test_a_known_path_is_paced_as_its_operation_and_any_other_as_general(api_task, emulator, method, path, operation):
    result = api_task(method=method, path=path, body={"firstName": "John"} if method == "PUT" else None, status_code=[200, 404])
    assert result.exit_code == 0, result
    assert result["operation"] == operation and result["api"]["operations"] == {operation: 1}


def test_general_has_its_own_rate_limit(api_task, emulator):
    result = api_task(path=ROUTING_KEYS, rate_limits={"general": 30})
    assert result.exit_code == 0, result
    refused = api_task(path=ROUTING_KEYS, rate_limits={"generl": 30})
    assert refused["failed"] is True and "'generl' names no known operation" in refused["msg"]


def test_an_uncertain_post_is_not_re_sent(api_task, emulator):
    emulator.inject("POST", START, "502")
    result = api_task(method="POST", path=START, body=START_BODY)
    assert result["failed"] is True and result["error"] == "uncertain"
    assert "may or may not have been applied" in result["msg"]
    assert len(emulator.calls(method="POST")) == 1


def test_a_post_answered_500_is_not_re_sent(api_task, emulator):
    emulator.inject("POST", START, "500")
    result = api_task(method="POST", path=START, body=START_BODY)
    assert result["failed"] is True and "may or may not have been applied" in result["msg"]
    assert len(emulator.calls(method="POST")) == 1


def test_a_throttled_post_is_re_sent(api_task, emulator):
    emulator.inject("POST", START, "429")
    result = api_task(method="POST", path=START, body=START_BODY)
    assert result.exit_code == 0, result
    assert result["api"]["retries"] == 1 and len(emulator.calls(method="POST")) == 2
    assert len(emulator.state["maintenance"]) == 1


@pytest.mark.parametrize("method,path", [("GET", ROUTING_KEYS), ("PUT", "/api-public/v1/maintenancemode/{id}/end")])
def test_an_uncertain_get_or_put_is_re_sent(api_task, emulator, method, path):
    if method == "PUT":
        api_task(method="POST", path=START, body=START_BODY)
        path = path.replace("{id}", emulator.state["maintenance"][0]["instanceId"])
    emulator.inject(method, path, "502")
    result = api_task(method=method, path=path)
    assert result.exit_code == 0, result
    assert result["api"]["retries"] == 1 and len(emulator.calls(method=method, path=path)) == 2


def test_an_uncertain_index_addressed_delete_is_not_re_sent(api_task, emulator):
    # A DELETE of a known operation that is not safe to send twice: a second copy would remove the next rule.
    path = "/api-public/v1/profile/jdoe/policies/0/1"
    rules_before = len(emulator.state["users"]["jdoe"]["paging_policy"][0]["rules"])
    emulator.inject("DELETE", path, "apply-then-502")
    result = api_task(method="DELETE", path=path)
    assert result["failed"] is True and result["error"] == "uncertain"
    assert result["api"]["operations"] == {"delete_rule": 1}
    assert len(emulator.calls(method="DELETE")) == 1
    assert len(emulator.state["users"]["jdoe"]["paging_policy"][0]["rules"]) == rules_before - 1


def test_the_key_is_never_in_a_failure(api_task, emulator):
    result = api_task(path="/api-public/v1/user/%s" % SECRET)
    assert result["failed"] is True and result["status"] == 404
    assert "********" in result["msg"]
