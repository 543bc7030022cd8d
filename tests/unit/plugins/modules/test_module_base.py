"""The module base: connection options, environment fallbacks, clear failures, no secret in any output."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.victorops.oncall.plugins.module_utils import _module
from ansible_collections.victorops.oncall.plugins.modules import victorops_policy_info

SECRET = "demo-api-key"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    for name in ("VICTOROPS_API_ID", "VICTOROPS_API_KEY", "VICTOROPS_API_URL", "VICTOROPS_RETRIES", "VICTOROPS_PACING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VICTOROPS_PACING_STATE_DIR", str(tmp_path / "pacing"))
    monkeypatch.setenv("VICTOROPS_RATE_WINDOW", "1")


def run_module(args, capsys):
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        victorops_policy_info.main()
    out = capsys.readouterr().out
    return exc.value.code, json.loads(out), out


def test_credentials_and_url_from_the_environment(monkeypatch, emulator, capsys):
    monkeypatch.setenv("VICTOROPS_API_ID", "demo-api-id")
    monkeypatch.setenv("VICTOROPS_API_KEY", SECRET)
    monkeypatch.setenv("VICTOROPS_API_URL", emulator.url)
    code, result, out = run_module({"types": ["timeouts"]}, capsys)
    assert code == 0, result
    assert result["changed"] is False
    assert result["api"]["calls"] == 1 and result["api"]["writes"] == 0
    assert SECRET not in out
    assert emulator.calls()[0]["api_id"] == "demo-api-id"


def test_options_win_over_the_environment(monkeypatch, emulator, capsys):
    monkeypatch.setenv("VICTOROPS_API_ID", "wrong-id")
    monkeypatch.setenv("VICTOROPS_API_KEY", "wrong-key")
    code, result, _out = run_module({"types": ["contacts"], "api_id": "demo-api-id", "api_key": SECRET, "api_url": emulator.url}, capsys)
    assert code == 0, result


def test_missing_credentials_are_named(capsys):
    code, result, _out = run_module({"types": ["contacts"]}, capsys)
    assert code == 1
    assert "api_id" in result["msg"] and "api_key" in result["msg"]


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
def test_bad_connection_options_fail_before_any_request(option, value, message, emulator, capsys):
    args = {"types": ["contacts"], "api_id": "demo-api-id", "api_key": SECRET, "api_url": emulator.url, option: value}
    code, result, out = run_module(args, capsys)
    assert code == 1
    assert message in result["msg"]
    assert emulator.log == []
    if option != "api_key":
        assert SECRET not in out


def test_bad_api_url_is_refused(capsys):
    code, result, out = run_module({"types": ["contacts"], "api_id": "i", "api_key": SECRET, "api_url": "ftp://example.com"}, capsys)
    assert code == 1
    assert "api_url" in result["msg"]
    assert SECRET not in out


def test_wrong_key_fails_clearly_without_echoing_it(emulator, capsys):
    code, result, out = run_module({"types": ["contacts"], "api_id": "demo-api-id", "api_key": "not-the-key-123", "api_url": emulator.url}, capsys)
    assert code == 1
    assert "403" in result["msg"] and "not retried" in result["msg"]
    assert "not-the-key-123" not in out
    assert len(emulator.log) == 1  # authentication failures are never retried


def test_missing_requests_gives_the_standard_message(monkeypatch, capsys):
    monkeypatch.setattr(_module, "HAS_REQUESTS", False)
    monkeypatch.setattr(_module, "REQUESTS_IMPORT_ERROR", "ImportError: No module named 'requests'")
    code, result, _out = run_module({"types": ["contacts"], "api_id": "i", "api_key": SECRET}, capsys)
    assert code == 1
    assert "Failed to import the required Python library (requests)" in result["msg"]


def test_unexpected_errors_are_reported_not_raised(monkeypatch, emulator, capsys):
    def explode(vo):
        raise RuntimeError("boom")

    monkeypatch.setattr(victorops_policy_info, "read", explode)
    code, result, _out = run_module({"types": ["contacts"], "api_id": "demo-api-id", "api_key": SECRET, "api_url": emulator.url}, capsys)
    assert code == 1
    assert result["msg"] == "Unexpected error: RuntimeError: boom"
