# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-key, per-operation sliding-window rate limits."""

OPS = "team-Q2opsDemoTeam001"
LIMITED = {"message": "Too Many Requests"}
READ_ONLY = ("demo-readonly-id", "demo-readonly-key")


def statuses(call, count, method, path, body=None, **kwargs):
    return [call(method, path, body, **kwargs).status_code for dummy in range(count)]


def test_seed_table_get_policies_once_per_window_without_retry_after(make_emulator, clock):
    emulator, call = make_emulator(window=0.5, limits="seed")
    first = call("GET", "/policies")
    second = call("GET", "/policies")
    assert first.status_code == 200
    assert (second.status_code, second.json()) == (429, LIMITED)
    assert "Retry-After" not in second.headers
    assert emulator.log[-1]["status"] == 429
    assert emulator.log[-1]["operation"] == "GET /api-public/v1/policies"
    clock.advance(0.49)
    assert call("GET", "/policies").status_code == 429
    clock.advance(0.01)
    assert call("GET", "/policies").status_code == 200


def test_seed_table_take_oncall_six_per_window(make_emulator):
    _emulator, call = make_emulator(window=5, limits="seed")
    swaps = [("jdoe", "bwong"), ("bwong", "jdoe")] * 4
    codes = [call("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": a, "toUser": b}).status_code for a, b in swaps[:7]]
    assert codes == [200] * 6 + [429]


def test_seed_table_other_operations_fifteen_shared_by_all_users_per_key(make_emulator):
    _emulator, call = make_emulator(window=5, limits="seed")
    assert statuses(call, 15, "GET", "/profile/jdoe/policies") == [200] * 15
    assert call("GET", "/profile/asmith/policies").status_code == 429
    # Another operation and another key have their own windows.
    assert call("GET", "/profile/jdoe/policies/0").status_code == 200
    assert call("GET", "/profile/jdoe/policies", credentials=READ_ONLY).status_code == 200


def test_refused_requests_do_not_consume_a_slot(make_emulator, clock):
    _emulator, call = make_emulator(window=0.5, limits="seed")
    assert call("GET", "/policies").status_code == 200
    clock.advance(0.3)
    assert call("GET", "/policies").status_code == 429
    # The window counts from the accepted request only.
    clock.advance(0.2)
    assert call("GET", "/policies").status_code == 200


def test_failed_authentication_and_unknown_paths_do_not_consume_slots(make_emulator):
    _emulator, call = make_emulator(window=5, limits="seed")
    assert call("GET", "/policies", credentials=("demo-api-id", "bad")).status_code == 403
    assert statuses(call, 20, "GET", "/nothing") == [404] * 20
    assert call("GET", "/policies").status_code == 200


def test_validation_errors_consume_slots(make_emulator):
    _emulator, call = make_emulator(window=5, limits="seed")
    assert statuses(call, 6, "PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "asmith", "toUser": "bwong"}) == [400] * 6
    assert call("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "jdoe", "toUser": "bwong"}).status_code == 429


def test_retry_after_header_when_enabled(make_emulator):
    _emulator, call = make_emulator(window=60, limits="seed", retry_after=True)
    call("GET", "/policies")
    refused = call("GET", "/policies")
    assert (refused.status_code, refused.json(), refused.headers["Retry-After"]) == (429, LIMITED, "60")
    _emulator2, call2 = make_emulator(window=0.2, limits="seed", retry_after=True)
    call2("GET", "/policies")
    assert call2("GET", "/policies").headers["Retry-After"] == "1"  # never less than a second


def test_legacy_403_status(make_emulator):
    _emulator, call = make_emulator(window=5, limits="seed", rate_limit_status=403)
    call("GET", "/policies")
    refused = call("GET", "/policies")
    assert (refused.status_code, refused.json()) == (403, LIMITED)


def test_2020_table(make_emulator):
    _emulator, call = make_emulator(window=5, limits="2020")
    assert statuses(call, 20, "GET", "/profile/jdoe/policies") == [200] * 20
    assert call("GET", "/profile/jdoe/policies").status_code == 429
    assert statuses(call, 60, "GET", "/policies") == [200] * 60
    assert call("GET", "/policies").status_code == 429
    assert statuses(call, 60, "GET", "/policies/types/timeouts") == [200] * 60
    assert call("GET", "/policies/types/timeouts").status_code == 429


def test_2020_table_default_is_sixty(make_emulator):
    _emulator, call = make_emulator(window=5, limits="2020")
    assert statuses(call, 60, "GET", "/user/jdoe") == [200] * 60
    assert call("GET", "/user/jdoe").status_code == 429


def test_limits_off(make_emulator):
    _emulator, call = make_emulator(window=5, limits="off")
    assert statuses(call, 30, "GET", "/policies") == [200] * 30
