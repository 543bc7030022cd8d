"""The module base: connection options, environment fallbacks, check and diff mode, clear failures, no secret in any output.

Modules run in-process through the shared ``run_module`` fixture (tests/conftest.py). The tests of connection options
pass ``connect_to_emulator=False`` so that only the options they give, and the environment, count.
"""

import json

import pytest

from ansible_collections.victorops.oncall.plugins.module_utils import _module
from ansible_collections.victorops.oncall.plugins.modules import victorops_policy_info

SECRET = "demo-api-key"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    for name in ("VICTOROPS_API_ID", "VICTOROPS_API_KEY", "VICTOROPS_API_URL", "VICTOROPS_RETRIES", "VICTOROPS_PACING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VICTOROPS_PACING_STATE_DIR", str(tmp_path / "pacing"))
    monkeypatch.setenv("VICTOROPS_RATE_WINDOW", "1")


@pytest.fixture
def policy_info(run_module):
    """policy_info(**options) -> the result of victorops_policy_info run with exactly these options."""

    def run(**options):
        return run_module("victorops_policy_info", connect_to_emulator=False, **options)

    return run


def test_credentials_and_url_from_the_environment(monkeypatch, emulator, policy_info):
    monkeypatch.setenv("VICTOROPS_API_ID", "demo-api-id")
    monkeypatch.setenv("VICTOROPS_API_KEY", SECRET)
    monkeypatch.setenv("VICTOROPS_API_URL", emulator.url)
    result = policy_info(types=["timeouts"])
    assert result.exit_code == 0, result
    assert result["changed"] is False
    assert result["api"]["calls"] == 1 and result["api"]["writes"] == 0
    assert SECRET not in result.output
    assert emulator.calls()[0]["api_id"] == "demo-api-id"


def test_options_win_over_the_environment(monkeypatch, emulator, policy_info):
    monkeypatch.setenv("VICTOROPS_API_ID", "wrong-id")
    monkeypatch.setenv("VICTOROPS_API_KEY", "wrong-key")
    result = policy_info(types=["contacts"], api_id="demo-api-id", api_key=SECRET, api_url=emulator.url)
    assert result.exit_code == 0, result
    assert [call["api_id"] for call in emulator.calls()] == ["demo-api-id"]


def test_missing_credentials_are_named(policy_info):
    result = policy_info(types=["contacts"])
    assert result.exit_code == 1 and result["failed"] is True
    assert "api_id" in result["msg"] and "api_key" in result["msg"]


def test_credentials_come_only_from_options_or_environment(monkeypatch, emulator, policy_info):
    # Set but empty, as an unset AWX credential leaves them: no built-in credential is tried instead.
    monkeypatch.setenv("VICTOROPS_API_ID", "")
    monkeypatch.setenv("VICTOROPS_API_KEY", "")
    monkeypatch.setenv("VICTOROPS_API_URL", emulator.url)
    result = policy_info(types=["timeouts"])
    assert result.exit_code == 1 and result["failed"] is True
    assert result["msg"] == (
        "Invalid connection options: api_id must not be empty: set the api_id option, the VICTOROPS_API_ID environment variable "
        "(an AWX VictorOps credential sets it), or the victorops_api_id variable of the collection's roles; api_key must not be empty: "
        "set the api_key option, the VICTOROPS_API_KEY environment variable (an AWX VictorOps credential sets it), or the "
        "victorops_api_key variable of the collection's roles"
    )
    assert emulator.log == []


@pytest.mark.parametrize(
    "option,value,message",
    [
        ("request_timeout", 0, "request_timeout must be greater than 0"),
        ("retries", -1, "retries must be 0 or more"),
        ("retry_timeout", -5, "retry_timeout must be 0 or more"),
        ("rate_window", 0, "rate_window must be greater than 0"),
        ("rate_limits", {"default": 0}, "rate_limits['default'] must be a whole number"),
        ("api_key", "   ", "api_key must not be empty"),
    ],
)
def test_bad_connection_options_fail_before_any_request(option, value, message, emulator, policy_info):
    options = {"types": ["contacts"], "api_id": "demo-api-id", "api_key": SECRET, "api_url": emulator.url, option: value}
    result = policy_info(**options)
    assert result.exit_code == 1
    assert message in result["msg"]
    assert emulator.log == []
    if option != "api_key":
        assert SECRET not in result.output


def test_bad_api_url_is_refused(policy_info):
    result = policy_info(types=["contacts"], api_id="i", api_key=SECRET, api_url="ftp://example.com")
    assert result.exit_code == 1
    assert "api_url" in result["msg"]
    assert SECRET not in result.output


def test_wrong_key_fails_clearly_without_echoing_it(emulator, policy_info):
    result = policy_info(types=["contacts"], api_id="demo-api-id", api_key="not-the-key-123", api_url=emulator.url)
    assert result.exit_code == 1
    assert "403" in result["msg"] and "not retried" in result["msg"]
    assert "not-the-key-123" not in result.output
    assert len(emulator.log) == 1  # authentication failures are never retried


def test_missing_requests_gives_the_standard_message(monkeypatch, policy_info):
    monkeypatch.setattr(_module, "HAS_REQUESTS", False)
    monkeypatch.setattr(_module, "REQUESTS_IMPORT_ERROR", "ImportError: No module named 'requests'")
    result = policy_info(types=["contacts"], api_id="i", api_key=SECRET)
    assert result.exit_code == 1
    assert "Failed to import the required Python library (requests)" in result["msg"]


def test_unexpected_errors_are_reported_not_raised(monkeypatch, emulator, policy_info):
    def explode(vo):
        raise RuntimeError("boom")

    monkeypatch.setattr(victorops_policy_info, "read", explode)
    result = policy_info(types=["contacts"], api_id="demo-api-id", api_key=SECRET, api_url=emulator.url)
    assert result.exit_code == 1
    assert result["msg"] == "Unexpected error: RuntimeError: boom"


# ----- check and diff mode, through the shared runner ---------------------------------------------------------
NEW_USER = dict(username="newhire", first_name="Nora", last_name="Hire", email="nora@example.com")


def test_check_mode_predicts_without_writing_and_diff_mode_shows_both_sides(run_module, emulator):
    predicted = run_module("victorops_user", check_mode=True, diff=True, **NEW_USER)
    assert predicted.exit_code == 0, predicted
    assert predicted["changed"] is True
    assert emulator.writes() == []
    assert "newhire" not in emulator.state["users"]
    assert json.loads(predicted["diff"]["before"]) == {}
    assert json.loads(predicted["diff"]["after"])["username"] == "newhire"
    assert predicted["api"]["operations"] == {"get_user": 1}


def test_without_diff_mode_there_is_no_diff_and_a_real_run_writes_once(run_module, emulator):
    created = run_module("victorops_user", **NEW_USER)
    assert created.exit_code == 0, created
    assert created["changed"] is True and "diff" not in created
    assert [call["operation"] for call in emulator.writes()] == ["POST /api-public/v1/user"]
    again = run_module("victorops_user", check_mode=True, diff=True, **NEW_USER)
    assert again["changed"] is False and again["api"]["writes"] == 0
    assert json.loads(again["diff"]["before"]) == json.loads(again["diff"]["after"])


def test_a_failed_module_is_returned_not_raised(run_module, emulator):
    result = run_module("victorops_user", username="newhire", first_name="Nora")
    assert result.exit_code == 1 and result["failed"] is True
    assert "email" in result["msg"]
    assert emulator.writes() == []
