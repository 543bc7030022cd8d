"""The documented per-operation limits, keyed on operation names, and the checks of user overrides."""

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._api import OPERATIONS
from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import (
    LEVELS,
    PROFILE_CHOICES,
    TABLES,
    Limit,
    check_rate_limits,
    estimate_seconds,
    floor_seconds,
    limits_for,
    per_minute,
    start_level,
)


def test_every_table_key_is_a_known_operation():
    for table in TABLES.values():
        assert set(table) - {"default"} <= set(OPERATIONS)


@pytest.mark.parametrize(
    "operation, limit_2018, limit_2020, limit_2ps",
    [
        ("list_escalation_policies", per_minute(1), per_minute(60), Limit(2, 1.0)),
        ("take_on_call", per_minute(6), per_minute(60), Limit(2, 1.0)),
        ("get_paging_policy", per_minute(15), per_minute(20), Limit(1, 1.0)),
        ("update_rule", per_minute(15), per_minute(60), Limit(2, 1.0)),
        ("list_timeout_types", per_minute(15), per_minute(60), Limit(2, 1.0)),
        ("remove_team_member", per_minute(15), per_minute(60), Limit(2, 1.0)),
    ],
)
def test_documented_limits(operation, limit_2018, limit_2020, limit_2ps):
    assert limits_for(operation, "2018") == (limit_2018,)
    assert limits_for(operation, "2020") == (limit_2020,)
    assert limits_for(operation, "2ps") == (limit_2ps,)


def test_2ps_is_two_a_second_and_one_for_a_paging_policy():
    assert limits_for("get_user", "2ps")[0].rate == 2.0
    assert limits_for("get_paging_policy", "2ps")[0].rate == 1.0


def test_tables_get_slower_from_the_first_level_to_the_last():
    assert LEVELS == ("2ps", "2020", "2018")
    for operation in list(OPERATIONS) + ["default"]:
        rates = [limits_for(operation, level)[0].rate for level in LEVELS]
        assert rates == sorted(rates, reverse=True), operation


def test_auto_gives_the_limit_of_the_learnt_table():
    assert limits_for("get_user", "auto") == (Limit(2, 1.0),)
    assert limits_for("get_user", "auto", "2020") == (per_minute(60),)
    assert limits_for("get_paging_policy", "auto", "2018") == (per_minute(15),)


def test_the_whole_allowance_of_the_2ps_table_may_go_at_once():
    # 2 a second: both requests of a second together, not one every half second.
    assert limits_for("take_on_call", "2ps") == (Limit(2, 1.0),)
    assert limits_for("get_paging_policy", "2ps") == (Limit(1, 1.0),)
    assert floor_seconds(3, limits_for("update_step", "2ps")) == 1.0


def test_only_operations_documented_at_once_a_minute_start_at_their_strictest_table():
    once_a_minute = {op for op in OPERATIONS if min(limits_for(op, level)[0].rate for level in LEVELS) <= 1 / 60.0}
    assert once_a_minute == {"list_escalation_policies"}  # today's tables: the 2018 spec's policy list
    for operation in list(OPERATIONS) + ["default"]:
        assert start_level(operation) == ("2018" if operation in once_a_minute else "2ps"), operation


def test_auto_paces_a_once_a_minute_operation_at_that_limit_from_the_start():
    assert limits_for("list_escalation_policies", "auto") == (per_minute(1),)
    assert limits_for("list_escalation_policies", "auto", "2020") == (per_minute(1),)
    # Fixed profiles are unchanged, and an override still wins.
    assert limits_for("list_escalation_policies", "2ps") == (Limit(2, 1.0),)
    assert limits_for("list_escalation_policies", "2020") == (per_minute(60),)
    assert limits_for("list_escalation_policies", "auto", None, {"list_escalation_policies": 5}) == (per_minute(5),)
    assert limits_for("list_escalation_policies", "auto", None, {"default": 5}) == (per_minute(1),)


def test_a_once_a_minute_limit_is_found_in_any_table(monkeypatch):
    from ansible_collections.victorops.oncall.plugins.module_utils import _rate_limits

    tables = {level: dict(table) for level, table in TABLES.items()}
    tables["2020"]["take_on_call"] = per_minute(1)
    monkeypatch.setattr(_rate_limits, "TABLES", tables)
    assert start_level("take_on_call") == "2020"
    assert limits_for("take_on_call", "auto") == (per_minute(1),)
    assert limits_for("take_on_call", "auto", "2018") == (per_minute(6),)


def test_even_pacing_spreads_each_limit_over_its_stretch():
    assert Limit(2, 1.0).evenly() == Limit(1, 0.5)
    assert per_minute(60).evenly() == Limit(1, 1.0)
    assert limits_for("get_user", "auto", None, None, even=True) == (Limit(1, 0.5),)
    assert limits_for("get_paging_policy", "auto", None, None, even=True) == (Limit(1, 1.0),)
    assert limits_for("get_user", "auto", "2018", None, even=True) == (Limit(1, 4.0),)
    # Overrides are kept as given.
    assert limits_for("get_user", "auto", None, {"get_user": 30}, even=True) == (per_minute(30),)


def test_limits_scale_with_the_rate_window():
    # Every limit, the per-second ones included, is compressed by rate_window / 60.
    assert per_minute(15).span(60.0) == 60.0
    assert per_minute(15).span(1.0) == 1.0
    assert Limit(2, 1.0).span(60.0) == 1.0
    assert Limit(2, 1.0).span(1.0) == pytest.approx(1.0 / 60)


def test_overrides_win_and_default_covers_only_operations_no_table_names():
    overrides = {"get_paging_policy": 4, "default": 30}
    assert limits_for("get_paging_policy", "auto", None, overrides) == (per_minute(4),)
    assert limits_for("get_user", "2018", None, overrides) == (per_minute(30),)
    assert limits_for("list_escalation_policies", "2018", None, overrides) == (per_minute(1),)
    assert limits_for("take_on_call", "auto", None, overrides) == (Limit(2, 1.0),)


@pytest.mark.parametrize(
    "spelling",
    ["PATCH /api-public/v1/policies/{slug}/oncall/user", "patch /api-public/v1/policies/{policy}/oncall/user/"],
)
def test_the_old_path_form_is_no_longer_a_rate_limits_key(spelling):
    with pytest.raises(ValueError) as refused:
        check_rate_limits({spelling: 3}, OPERATIONS)
    assert "names no known operation" in str(refused.value)


def test_names_are_kept_and_values_made_whole_numbers():
    assert check_rate_limits({"get_user": "3", "DEFAULT": 40}, OPERATIONS) == {"get_user": 3, "default": 40}
    assert check_rate_limits(None, OPERATIONS) == {}


@pytest.mark.parametrize("key", ["get_usr", "GET /api-public/v1/nowhere", "GET /api-public/v1/user/{u}/contact-methods/faxes", ""])
def test_unknown_key_is_refused_with_the_known_operations(key):
    with pytest.raises(ValueError) as refused:
        check_rate_limits({key: 3, "get_user": 2}, OPERATIONS)
    message = str(refused.value)
    assert message.startswith("rate_limits: %r names no known operation; known operations: " % key)
    for name in OPERATIONS:
        assert name in message
    assert message.endswith(", or default")


def test_several_unknown_keys_are_named_together():
    with pytest.raises(ValueError) as refused:
        check_rate_limits({"a": 1, "b": 1}, OPERATIONS)
    assert str(refused.value).startswith("rate_limits: 'a', 'b' name no known operation")


@pytest.mark.parametrize("value", [0, -1, "x", 1.5, True, None])
def test_bad_values_are_refused(value):
    with pytest.raises(ValueError) as refused:
        check_rate_limits({"get_user": value}, OPERATIONS)
    assert "rate_limits['get_user'] must be a whole number of calls of 1 or more" in str(refused.value)


def test_the_same_operation_twice_with_different_limits_is_refused():
    with pytest.raises(ValueError) as refused:
        check_rate_limits({"get_user": 2, " get_user": 3}, OPERATIONS)
    assert "names get_user twice" in str(refused.value)


def test_unknown_profile_refused():
    with pytest.raises(ValueError) as profile:
        limits_for("get_user", "2021")
    assert str(profile.value) == "unknown rate limit profile '2021'; expected one of auto, 2ps, 2020, 2018"
    assert PROFILE_CHOICES == ("auto", "2ps", "2020", "2018")


@pytest.mark.parametrize(
    "count, limits, window, seconds",
    [
        (0, (per_minute(15),), 60.0, 0.0),
        (1, (per_minute(1),), 60.0, 0.0),
        (15, (per_minute(15),), 60.0, 0.0),
        (16, (per_minute(15),), 60.0, 60.0),
        (50, (per_minute(15),), 60.0, 180.0),
        (50, (per_minute(15),), 1.0, 3.0),
        (50, (Limit(2, 1.0),), 60.0, 24.0),
        (50, (Limit(1, 0.5),), 60.0, 24.5),
        (50, (Limit(1, 1.0), per_minute(20)), 60.0, 120.0),
    ],
)
def test_floor_seconds(count, limits, window, seconds):
    assert floor_seconds(count, limits, window) == pytest.approx(seconds)


def test_estimate_is_set_by_the_slowest_operation():
    counts = {"get_paging_policy": 50, "get_user": 50, "list_escalation_policies": 1}
    assert estimate_seconds(counts, lambda op: limits_for(op, "2018")) == 180.0
    assert estimate_seconds(counts, lambda op: limits_for(op, "2020")) == 120.0
    assert estimate_seconds(counts, lambda op: limits_for(op, "2ps")) == 49.0
    assert estimate_seconds({"get_user": 50}, lambda op: limits_for(op, "2ps")) == 24.0
