# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection."""

import json
import time

import pytest
import requests

OPS = "team-Q2opsDemoTeam001"
POLICY = "/api-public/v1/profile/jdoe/policies"
NEW_STEP = {"timeout": 1, "rules": [{"type": "push"}]}


@pytest.mark.parametrize(
    ("kind", "title"), [("500", "Internal Server Error"), ("502", "Bad Gateway"), ("503", "Service Unavailable"), ("504", "Gateway Timeout")]
)
def test_server_errors_answer_html_without_carrying_out_the_write(emu, api, kind, title):
    emu.inject("POST", POLICY, kind)
    response = api("POST", "/profile/jdoe/policies", NEW_STEP)
    assert response.status_code == int(kind)
    assert response.headers["Content-Type"] == "text/html"
    assert response.text == "<html><body><h1>%s %s</h1></body></html>" % (kind, title)
    assert len(emu.paging_policy("jdoe")) == 2
    assert (emu.log[-1]["status"], emu.log[-1]["fault"]) == (int(kind), kind)
    assert api("POST", "/profile/jdoe/policies", NEW_STEP).status_code == 200


def test_count_method_and_glob_matching(emu, api):
    emu.inject("GET", "/api-public/v1/profile/*/policies", "503", count=2)
    assert api("POST", "/profile/jdoe/policies", NEW_STEP).status_code == 200
    assert api("GET", "/user").status_code == 200
    assert [api("GET", "/profile/%s/policies" % u).status_code for u in ("jdoe", "asmith", "bwong")] == [503, 503, 200]
    emu.inject("*", "*", "500")
    assert api("DELETE", "/profile/jdoe/policies/2/0").status_code == 500
    assert api("DELETE", "/profile/jdoe/policies/2/0").status_code == 200


def test_faults_apply_in_injection_order(emu, api):
    emu.inject("GET", "*", "502")
    emu.inject("GET", "*", "504")
    assert [api("GET", "/user").status_code for dummy in range(3)] == [502, 504, 200]


def test_faults_are_checked_after_authentication(emu, api):
    emu.inject("GET", "*", "500")
    assert api("GET", "/user", credentials=("demo-api-id", "bad")).status_code == 403
    assert api("GET", "/user", credentials=None).status_code == 401
    assert api("GET", "/user").status_code == 500


def test_faults_come_before_rate_limiting_and_take_no_slot(make_emulator):
    emulator, call = make_emulator(window=5, limits="seed")
    emulator.inject("GET", "/api-public/v1/policies", "429", count=2, retry_after=7)
    emulator.inject("GET", "/api-public/v1/policies", "403-rate")
    first, second, third = (call("GET", "/policies") for dummy in range(3))
    assert (first.status_code, first.json(), first.headers["Retry-After"]) == (429, {"message": "Too Many Requests"}, "7")
    assert second.status_code == 429
    assert (third.status_code, third.json(), "Retry-After" in third.headers) == (403, {"message": "Too Many Requests"}, False)
    assert call("GET", "/policies").status_code == 200
    assert [(e["status"], e["fault"]) for e in emulator.log] == [(429, "429"), (429, "429"), (403, "403-rate"), (200, None)]


def test_429_fault_without_retry_after(emu, api):
    emu.inject("GET", "*", "429")
    response = api("GET", "/user")
    assert response.status_code == 429
    assert "Retry-After" not in response.headers


def test_drop_closes_the_connection_without_carrying_out_the_write(emu, api):
    emu.inject("POST", POLICY, "drop")
    with pytest.raises(requests.ConnectionError):
        api("POST", "/profile/jdoe/policies", NEW_STEP)
    assert len(emu.paging_policy("jdoe")) == 2
    assert (emu.log[-1]["status"], emu.log[-1]["fault"]) == (0, "drop")


def test_apply_then_drop_carries_out_the_write(emu, api):
    emu.inject("PATCH", "*/oncall/user", "apply-then-drop")
    with pytest.raises(requests.ConnectionError):
        api("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "jdoe", "toUser": "bwong"})
    assert emu.state["oncall"][OPS] == ["bwong"]
    assert (emu.log[-1]["status"], emu.log[-1]["fault"]) == (0, "apply-then-drop")


def test_apply_then_502_carries_out_the_write(emu, api):
    emu.inject("POST", POLICY, "apply-then-502")
    response = api("POST", "/profile/jdoe/policies", NEW_STEP)
    assert (response.status_code, response.text) == (502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
    assert [s["timeout"] for s in emu.paging_policy("jdoe")] == [5, 10, 1]
    assert (emu.log[-1]["status"], emu.log[-1]["fault"]) == (502, "apply-then-502")


def test_delay_then_normal_answer(emu, api):
    emu.inject("GET", POLICY, "delay", seconds=0.3)
    started = time.monotonic()
    response = api("GET", "/profile/jdoe/policies")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.json()["steps"] == emu.paging_policy("jdoe")
    assert 0.3 <= elapsed < 30  # held for the delay; the bound only catches a hang
    assert (emu.log[-1]["status"], emu.log[-1]["fault"]) == (200, "delay")
    with pytest.raises(requests.Timeout):
        emu.inject("GET", POLICY, "delay", seconds=0.5)
        api("GET", "/profile/jdoe/policies", timeout=0.2)


def test_truncated_json(emu, api):
    emu.inject("GET", POLICY, "truncated-json")
    response = api("GET", "/profile/jdoe/policies")
    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/json")
    assert response.text == '{"steps": [{"index": 0, "timeout": 5, "rules": [{"index": 0, "type": "em'
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_html_200(emu, api):
    emu.inject("GET", POLICY, "html-200")
    response = api("GET", "/profile/jdoe/policies")
    assert (response.status_code, response.headers["Content-Type"]) == (200, "text/html")
    assert response.text == "<html><body><h1>Service temporarily unavailable</h1></body></html>"


def test_missing_keys_does_not_carry_out_the_write(emu, api):
    emu.inject("POST", POLICY, "missing-keys")
    response = api("POST", "/profile/jdoe/policies", NEW_STEP)
    assert (response.status_code, response.json()) == (200, {})
    assert len(emu.paging_policy("jdoe")) == 2


def test_huge(emu, api):
    emu.inject("GET", POLICY, "huge")
    response = api("GET", "/profile/jdoe/policies")
    assert response.status_code == 200
    assert len(response.content) == 5 * 1024 * 1024 + len('{"padding": ""}')
    emu.inject("GET", POLICY, "huge", size=10)
    assert api("GET", "/profile/jdoe/policies").json() == {"padding": "x" * 10}
