# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Variants of the transport: throttle-403, the 2ps rate-limit table (counted per rolling second or spaced evenly) and
late writes (variant and fault).

The emulators run on the test's clock (``clock`` in conftest.py): windows roll and late writes land when it is moved.
"""

import pytest

OPS = "team-Q2opsDemoTeam001"
POLICY = "/api-public/v1/profile/jdoe/policies"
NEW_STEP = {"timeout": 1, "rules": [{"type": "push"}]}
GATEWAY_TIMEOUT = "<html><body><h1>504 Gateway Timeout</h1></body></html>"


def statuses(call, count, method, path, body=None):
    return [call(method, path, body).status_code for dummy in range(count)]


# ----- throttle-403 ----------------------------------------------------------------------------------------
def test_throttle_403_rate_limited_answers(make_emulator):
    emulator, call = make_emulator(window=5, limits="seed", variants=["throttle-403"])
    assert call("GET", "/policies").status_code == 200
    refused = call("GET", "/policies")
    assert (refused.status_code, refused.json()) == (403, {"error": "Forbidden"})
    assert "Too Many Requests" not in refused.text and "Retry-After" not in refused.headers
    assert emulator.log[-1]["status"] == 403


def test_throttle_403_body_is_the_same_as_failed_authentication(make_emulator):
    _emulator, call = make_emulator(window=5, limits="seed", variants=["throttle-403"])
    call("GET", "/policies")
    throttled = call("GET", "/policies")
    denied = call("GET", "/user", credentials=("demo-api-id", "wrong"))
    assert (denied.status_code, denied.text) == (throttled.status_code, throttled.text)
    assert call("GET", "/user", credentials=None).status_code == 401


def test_throttle_403_with_retry_after_and_the_403_rate_fault(make_emulator):
    emulator, call = make_emulator(window=5, limits="seed", retry_after=True, variants=["throttle-403"])
    call("GET", "/policies")
    refused = call("GET", "/policies")
    assert (refused.status_code, refused.headers["Retry-After"]) == (403, "5")
    emulator.inject("GET", "/api-public/v1/user", "403-rate")
    emulator.inject("GET", "/api-public/v1/user", "429")
    assert call("GET", "/user").json() == {"error": "Forbidden"}
    assert (call("GET", "/user").status_code, call("GET", "/user").status_code) == (429, 200)


def test_default_throttle_and_authentication_bodies(make_emulator):
    emulator, call = make_emulator(window=5, limits="seed")
    call("GET", "/policies")
    assert call("GET", "/policies").json() == {"message": "Too Many Requests"}
    assert call("GET", "/user", credentials=("demo-api-id", "wrong")).json() == {"error": "Authentication failed"}
    emulator.inject("GET", "*", "403-rate")
    assert call("GET", "/user").json() == {"message": "Too Many Requests"}


# ----- the 2ps table ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", [{"variants": ["rate-2ps"]}, {"limits": "2ps"}])
def test_2ps_table_two_per_second_and_one_paging_policy_read(make_emulator, clock, how):
    # window=30: an API minute lasts 30 s, so the 2ps table's rolling second lasts 0.5 s.
    emulator, call = make_emulator(window=30, **how)
    assert (emulator.limits, emulator.limit_window) == ("2ps", 0.5)
    assert statuses(call, 3, "GET", "/user/jdoe") == [200, 200, 429]
    assert statuses(call, 2, "GET", "/profile/jdoe/policies") == [200, 429]
    assert statuses(call, 3, "GET", "/policies") == [200, 200, 429]
    assert statuses(call, 3, "POST", "/profile/jdoe/policies", NEW_STEP) == [200, 200, 429]
    clock.advance(0.5)
    assert statuses(call, 3, "GET", "/user/jdoe") == [200, 200, 429]
    assert statuses(call, 2, "GET", "/profile/asmith/policies") == [200, 429]


def test_2ps_table_rolling_window(make_emulator, clock):
    _emulator, call = make_emulator(window=60, limits="2ps")
    assert call("GET", "/user/jdoe").status_code == 200
    clock.advance(0.6)
    assert call("GET", "/user/jdoe").status_code == 200
    assert call("GET", "/user/jdoe").status_code == 429
    # The first request leaves the rolling second; the second one still holds its slot.
    clock.advance(0.45)
    assert statuses(call, 2, "GET", "/user/jdoe") == [200, 429]


def test_2ps_retry_after_is_at_least_one_second(make_emulator):
    _emulator, call = make_emulator(window=60, limits="2ps", retry_after=True)
    call("GET", "/profile/jdoe/policies")
    refused = call("GET", "/profile/jdoe/policies")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "1")


# ----- the 2ps table spaced evenly ----------------------------------------------------------------------------
@pytest.mark.parametrize("window", [60, 30])
def test_2ps_even_throttles_a_request_closer_than_the_limit_spread_evenly(make_emulator, clock, window):
    emulator, call = make_emulator(window=window, variants=["rate-2ps-even"])
    span = window / 60.0  # the rolling second, compressed with the window
    assert (emulator.limits, emulator.limit_window) == ("2ps", span)
    # Two at once, which a rolling second takes: the second is refused.
    assert statuses(call, 2, "GET", "/user/jdoe") == [200, 429]
    clock.advance(span * 3 / 8)
    assert call("GET", "/user/asmith").status_code == 429
    clock.advance(span / 8)  # half the span after the accepted one
    assert statuses(call, 2, "GET", "/user/jdoe") == [200, 429]
    # A paging-policy read: one a second, so a whole span apart.
    assert call("GET", "/profile/jdoe/policies").status_code == 200
    clock.advance(span / 2)
    assert call("GET", "/profile/jdoe/policies").status_code == 429
    clock.advance(span / 2)
    assert call("GET", "/profile/jdoe/policies").status_code == 200
    # Each operation has its own spacing.
    assert call("GET", "/policies").status_code == 200
    assert [entry["status"] for entry in emulator.log].count(429) == 4


def test_2ps_even_spacing_is_per_key_and_says_how_long_to_wait(make_emulator, clock):
    _emulator, call = make_emulator(window=60, variants=["rate-2ps-even"], retry_after=True)
    assert call("GET", "/user/jdoe").status_code == 200
    clock.advance(0.5)
    assert call("GET", "/user/jdoe").status_code == 200
    assert call("GET", "/user/jdoe", credentials=("demo-readonly-id", "demo-readonly-key")).status_code == 200  # another key
    clock.advance(0.25)
    refused = call("GET", "/user/jdoe")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "1")  # never less than a second
    clock.advance(0.25)
    assert call("GET", "/user/jdoe").status_code == 200


def test_2ps_even_is_one_of_the_rate_variants(make_emulator):
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    with pytest.raises(ValueError, match="variants name more than one rate-limit table: rate-2ps, rate-2ps-even"):
        Emulator(variants=["rate-2ps", "rate-2ps-even"])
    with pytest.raises(ValueError, match="limits='seed' conflicts with the variant selecting the 2ps table"):
        Emulator(variants=["rate-2ps-even"], limits="seed")


def test_per_minute_tables_keep_the_whole_window(make_emulator):
    for limits in ("seed", "2020", "off"):
        emulator, _call = make_emulator(window=30, limits=limits)
        assert emulator.limit_window == 30


def test_rate_2020_variant_is_the_2020_table(make_emulator):
    _emulator, call = make_emulator(window=5, variants=["rate-2020"])
    assert statuses(call, 21, "GET", "/profile/jdoe/policies") == [200] * 20 + [429]


# ----- late writes -----------------------------------------------------------------------------------------
def test_late_write_fault_answers_504_at_once_and_applies_later(emu, api, clock):
    emu.inject("POST", POLICY, "late-write", seconds=0.4)
    response = api("POST", "/profile/jdoe/policies", NEW_STEP)
    assert (response.status_code, response.headers["Content-Type"], response.text) == (504, "text/html", GATEWAY_TIMEOUT)
    assert len(emu.paging_policy("jdoe")) == 2
    assert emu.log[-1]["fault"] == "late-write"
    assert emu.log[-1]["late"] == {"delay": 0.4, "status": None, "applied": None}
    assert len(emu.pending_late_writes()) == 1
    clock.advance(0.39)
    assert not emu.settle(timeout=0) and len(emu.paging_policy("jdoe")) == 2
    clock.advance(0.01)
    assert emu.settle(timeout=0)
    assert [s["timeout"] for s in emu.paging_policy("jdoe")] == [5, 10, 1]
    assert emu.log[-1]["late"]["status"] == 200
    assert emu.pending_late_writes() == []


def test_late_write_fault_uses_the_emulator_delay_by_default(make_emulator, clock):
    emulator, call = make_emulator(limits="off", late_write_delay=0.2)
    emulator.inject("PATCH", "*/oncall/user", "late-write")
    assert call("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "jdoe", "toUser": "bwong"}).status_code == 504
    clock.advance(0.19)
    assert emulator.state["oncall"][OPS] == ["jdoe"]
    clock.advance(0.01)
    assert emulator.state["oncall"][OPS] == ["bwong"]
    assert emulator.log[-1]["late"]["delay"] == 0.2


def test_late_write_that_fails_when_applied_records_its_status(emu, api, clock):
    emu.inject("DELETE", "*", "late-write", seconds=0.2)
    assert api("DELETE", "/profile/jdoe/policies/0/0").status_code == 504
    clock.advance(0.2)
    assert emu.settle(timeout=0)
    assert emu.log[-1]["late"]["status"] == 400
    assert len(emu.paging_policy("jdoe")[0]["rules"]) == 2


def test_late_write_fault_on_a_read_is_a_plain_504(emu, api):
    emu.inject("GET", "*", "late-write", seconds=0.1)
    assert api("GET", "/user").status_code == 504
    assert "late" not in emu.log[-1]
    assert api("GET", "/user").status_code == 200


def test_reset_cancels_pending_late_writes(emu, api, clock):
    emu.inject("POST", POLICY, "late-write", seconds=0.3)
    assert api("POST", "/profile/jdoe/policies", NEW_STEP).status_code == 504
    emu.reset()
    assert [timer.state for timer in clock.timers] == ["cancelled"]
    clock.advance(0.5)
    assert len(emu.paging_policy("jdoe")) == 2


def test_late_writes_variant_delays_the_first_write_of_each_operation(make_emulator, api, clock):
    emulator, call = make_emulator(limits="off", variants=["late-writes"], late_write_delay=0.4)
    assert call("GET", "/profile/jdoe/policies").status_code == 200
    first = call("POST", "/profile/jdoe/policies", NEW_STEP)
    assert (first.status_code, first.text) == (504, GATEWAY_TIMEOUT)
    assert emulator.log[-1]["fault"] == "late-write"
    # The next write of the same operation is carried out at once, before the late one lands.
    second = call.json("POST", "/profile/jdoe/policies", dict(NEW_STEP, timeout=30))
    assert second["step"]["index"] == 2
    # Another operation has its own first write.
    assert call("PUT", "/profile/jdoe/policies/0/1", {"type": "push"}).status_code == 504
    assert call("PUT", "/profile/jdoe/policies/0/1", {"type": "push"}).status_code == 200
    assert [s["timeout"] for s in emulator.paging_policy("jdoe")] == [5, 10, 30]
    clock.advance(0.4)
    assert emulator.settle(timeout=0)
    assert [s["timeout"] for s in emulator.paging_policy("jdoe")] == [5, 10, 30, 1]
    assert [(e["method"], e["status"], e.get("late", {}).get("status")) for e in emulator.log] == [
        ("GET", 200, None),
        ("POST", 504, 200),
        ("POST", 200, None),
        ("PUT", 504, 200),
        ("PUT", 200, None),
    ]
    # After a reset every operation's first write is late again.
    emulator.reset()
    assert call("POST", "/profile/jdoe/policies", NEW_STEP).status_code == 504
    # Default: no write is late.
    assert api("POST", "/profile/jdoe/policies", NEW_STEP).status_code == 200


def test_late_writes_variant_after_the_rate_limit(make_emulator, clock):
    emulator, call = make_emulator(window=5, limits="seed", variants=["late-writes"], late_write_delay=0.1)
    codes = [call("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": a, "toUser": b}).status_code for a, b in [("jdoe", "bwong")] + [("x", "y")] * 6]
    assert codes == [504] + [404] * 5 + [429]
    clock.advance(0.1)
    assert emulator.settle(timeout=0)
    assert emulator.state["oncall"][OPS] == ["bwong"]


def test_late_write_delay_is_validated():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    for bad in (-1, "2", True):
        with pytest.raises(ValueError, match="late_write_delay must be a number of seconds, 0 or more"):
            Emulator(late_write_delay=bad)


def test_cli_parses_a_late_write_fault():
    from ansible_collections.victorops.oncall.tests.emulator.__main__ import build_parser

    args = build_parser().parse_args(["--fault", "POST:/api-public/v1/user:late-write:2:seconds=1.5", "--late-write-delay", "0.5", "--variant", "late-writes"])
    assert args.fault == [("POST", "/api-public/v1/user", "late-write", 2, {"seconds": 1.5})]
    assert (args.late_write_delay, args.variant) == (0.5, ["late-writes"])
