"""Property-based tests of the planners: plans reach the desired state, are minimal when nothing changes, and stay within their bounds.

``simulate`` refuses every write the API would refuse (index out of range, rule 0 of step 0),
so a plan that reaches the desired state through ``simulate`` was valid write by write.
"""

import copy

from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import (
    TIMEOUTS,
    PlanError,
    plan_policy,
    plan_rule,
    plan_step,
    simulate,
)
from hypothesis import given
from hypothesis import strategies as st

U = "jdoe"

rules = st.one_of(
    st.just({"type": "push", "contact_id": None}),
    st.builds(lambda t, i: {"type": t, "contact_id": i}, st.sampled_from(["email"]), st.sampled_from([11, 12])),
    st.builds(lambda t, i: {"type": t, "contact_id": i}, st.sampled_from(["sms", "phone"]), st.sampled_from([21, 22])),
)
steps = st.builds(lambda t, r: {"timeout": t, "rules": r}, st.sampled_from(TIMEOUTS), st.lists(rules, min_size=1, max_size=4))
policies = st.lists(steps, min_size=1, max_size=5)


def policy_bound(current, desired):
    """The documented bound of plan_policy: one write per changed or added step, two per removed step."""
    return len(desired) + 2 * max(0, len(current) - len(desired))


@given(policies, policies)
def test_plan_policy_reaches_desired_within_bound(current, desired):
    snapshot = copy.deepcopy(current)
    writes = plan_policy(U, current, desired)
    assert simulate(current, writes) == desired
    assert len(writes) <= policy_bound(current, desired)
    assert current == snapshot
    assert plan_policy(U, desired, desired) == []


@given(policies, policies)
def test_plan_policy_touches_only_changed_steps(current, desired):
    writes = plan_policy(U, current, desired)
    changed = sum(1 for a, b in zip(current, desired) if a != b)
    removed = current[len(desired) :]
    expected = changed + sum(min(len(s["rules"]), 2) for s in removed) + max(0, len(desired) - len(current))
    assert len(writes) == expected


@given(policies, st.data())
def test_plan_step_present(current, data):
    index = data.draw(st.integers(min_value=0, max_value=len(current)))
    desired_step = data.draw(steps)
    writes = plan_step(U, current, index, desired_step)
    after = simulate(current, writes)
    expected = copy.deepcopy(current)
    if index == len(current):
        expected.append(desired_step)
    else:
        expected[index] = desired_step
    assert after == expected
    assert len(writes) <= 1
    assert plan_step(U, after, index, desired_step) == []


@given(policies, st.data())
def test_plan_step_absent(current, data):
    index = data.draw(st.integers(min_value=1, max_value=len(current) + 1))
    writes = plan_step(U, current, index, None)
    after = simulate(current, writes)
    assert after == current[:index] + current[index + 1 :]
    assert len(writes) <= 2
    # Removal is by index: again, it removes the step that moved up, unless the step is matched.
    assert (plan_step(U, after, index, None) == []) == (index >= len(after))
    if index < len(current):
        assert plan_step(U, after, index, None, match=current[index]) == [] or after[index] == current[index]


@given(policies, st.data())
def test_plan_rule_present_without_index(current, data):
    step = data.draw(st.integers(min_value=0, max_value=len(current) - 1))
    rule = data.draw(rules)
    writes = plan_rule(U, current, step, rule)
    after = simulate(current, writes)
    assert rule in after[step]["rules"]
    assert len(writes) == (0 if rule in current[step]["rules"] else 1)
    assert after[:step] + after[step + 1 :] == current[:step] + current[step + 1 :]
    assert plan_rule(U, after, step, rule) == []


@given(policies, st.data())
def test_plan_rule_absent_without_index(current, data):
    step = data.draw(st.integers(min_value=0, max_value=len(current) - 1))
    rule = data.draw(rules)
    matches = [j for j, r in enumerate(current[step]["rules"]) if r == rule]
    if step == 0 and 0 in matches:
        try:
            plan_rule(U, current, step, rule, state="absent")
        except PlanError:
            return
        raise AssertionError("rule 0 of step 0 was planned for deletion")
    writes = plan_rule(U, current, step, rule, state="absent")
    after = simulate(current, writes)
    assert len(writes) == len(matches)
    remaining = [r for r in current[step]["rules"] if r != rule]
    if remaining:
        assert after == current[:step] + [{"timeout": current[step]["timeout"], "rules": remaining}] + current[step + 1 :]
        assert plan_rule(U, after, step, rule, state="absent") == []
    else:
        assert after == current[:step] + current[step + 1 :]


@given(policies, st.data())
def test_plan_rule_with_index(current, data):
    step = data.draw(st.integers(min_value=0, max_value=len(current) - 1))
    count = len(current[step]["rules"])
    index = data.draw(st.integers(min_value=0, max_value=count))
    rule = data.draw(rules)
    writes = plan_rule(U, current, step, rule, rule=index)
    after = simulate(current, writes)
    assert after[step]["rules"][index] == rule
    assert len(writes) <= 1
    assert plan_rule(U, after, step, rule, rule=index) == []
    if (step, index) != (0, 0) and index < count:
        gone = simulate(current, plan_rule(U, current, step, None, rule=index, state="absent"))
        left = current[step]["rules"][:index] + current[step]["rules"][index + 1 :]
        if left:
            assert gone[step]["rules"] == left
        else:
            assert gone == current[:step] + current[step + 1 :]
