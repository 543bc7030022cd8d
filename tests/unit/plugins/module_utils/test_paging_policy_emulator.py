"""Plans sent over HTTP to the emulator: the policy read back is the desired one, and planning again yields no writes.

Contacts are named by value in the seed and resolved through the user's contact methods read
from the emulator, so resolution, planning, the client and apply_plan are exercised together.
"""

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._errors import PlanExecutionError
from ansible_collections.victorops.oncall.plugins.module_utils._paging_apply import apply_plan
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import (
    TIMEOUTS,
    desired_step,
    normalize_steps,
    plan_policy,
    plan_rule,
    plan_step,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:
    from ansible_collections.victorops.oncall.tests.emulator import Emulator
except ImportError as exc:  # the emulator lives beside the tests and may be absent from a trimmed checkout
    Emulator = None
    EMULATOR_IMPORT_ERROR = str(exc)

pytestmark = pytest.mark.skipif(Emulator is None, reason="tests/emulator is not importable: %s" % (globals().get("EMULATOR_IMPORT_ERROR"),))

API_ID, API_KEY = "planner-id", "planner-key"
USER = "jdoe"
EMAILS = ["jdoe@example.com", "jd@work.example", "jd@home.example"]  # the first is the signup ("Default") email
PHONES = ["+15551230001", "+15551230002"]

rule_specs = st.one_of(
    st.just({"type": "push"}),
    st.builds(lambda v: {"type": "email", "contact": v}, st.sampled_from(EMAILS)),
    st.builds(lambda t, v: {"type": t, "contact": v}, st.sampled_from(["sms", "phone"]), st.sampled_from(PHONES)),
)
step_specs = st.builds(
    lambda t, r: {"timeout": t, "rules": r},
    st.sampled_from(TIMEOUTS),
    st.lists(rule_specs, min_size=1, max_size=3, unique_by=lambda r: (r["type"], r.get("contact"))),
)
policy_specs = st.lists(step_specs, min_size=1, max_size=4)


def seed(policy):
    return {
        "api_keys": [{"api_id": API_ID, "api_key": API_KEY}],
        "users": [
            {
                "username": USER,
                "firstName": "John",
                "lastName": "Doe",
                "email": EMAILS[0],
                "contact_methods": {
                    "emails": [{"label": "Work", "value": EMAILS[1]}, {"label": "Home", "value": EMAILS[2]}],
                    "phones": [{"label": "Mobile", "value": PHONES[0]}, {"label": "Desk", "value": PHONES[1]}],
                },
                "paging_policy": policy,
            }
        ],
    }


@pytest.fixture(scope="module")
def emulator():
    emu = Emulator(seed=seed(None), window=1.0, limits="off")
    emu.start()
    yield emu
    emu.stop()


def make_client(emulator):
    from ansible_collections.victorops.oncall.plugins.module_utils._client import VictorOpsClient

    return VictorOpsClient(emulator.url, API_ID, API_KEY, pacer=None, rate_window=1.0, retries=2, sleep=lambda seconds: None)


def read(client):
    return _api.get_paging_policy(client, USER)


def directory_of(client):
    return _api.list_contact_methods(client, USER)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(current=policy_specs, wanted=policy_specs)
def test_plan_policy_converges_on_the_emulator(emulator, current, wanted):
    emulator.reset(seed(current))
    client = make_client(emulator)
    directory = directory_of(client)
    desired = [desired_step(spec, directory, "steps[%d]" % i) for i, spec in enumerate(wanted)]
    before = read(client)
    writes = plan_policy(USER, before, desired)
    emulator.clear_log()
    assert apply_plan(client, USER, before, writes) == desired
    assert [(e["method"], e["status"]) for e in emulator.writes()] == [(_api.OPERATIONS[w.operation][0], 200) for w in writes]
    after = read(client)
    assert after == desired
    assert normalize_steps({"steps": emulator.paging_policy(USER)}) == desired
    assert plan_policy(USER, after, desired) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(current=policy_specs, spec=step_specs, data=st.data())
def test_plan_step_and_rule_converge_on_the_emulator(emulator, current, spec, data):
    emulator.reset(seed(current))
    client = make_client(emulator)
    directory = directory_of(client)
    before = read(client)
    index = data.draw(st.integers(min_value=0, max_value=len(before)), label="step")
    wanted = desired_step(spec, directory, "step")
    apply_plan(client, USER, before, plan_step(USER, before, index, wanted))
    after = read(client)
    assert after[index] == wanted
    assert plan_step(USER, after, index, wanted) == []

    # Remove every rule equal to the step's first rule (unless that is rule 0 of step 0).
    rule = wanted["rules"][0]
    if index == 0 and after[0]["rules"][0] == rule:
        return
    apply_plan(client, USER, after, plan_rule(USER, after, index, rule, state="absent"))
    remaining = [r for r in after[index]["rules"] if r != rule]
    expected = after[:index] + ([{"timeout": after[index]["timeout"], "rules": remaining}] if remaining else []) + after[index + 1 :]
    final = read(client)
    assert final == expected
    if remaining:
        assert plan_rule(USER, final, index, rule, state="absent") == []


@pytest.mark.parametrize(
    "fault, applied",
    [
        ("apply-then-502", True),  # the rule was deleted before the 502: confirmed applied, not resent
        # Refused before any change: not visible, but an index-addressed delete is never re-sent (a late landing
        # would delete the rule that moved up): the uncertainty is reported and the next run converges.
        ("502", False),
        ("apply-then-drop", True),
    ],
)
def test_ambiguous_delete_is_confirmed_by_reading_back(emulator, fault, applied):
    emulator.reset(seed([{"timeout": 5, "rules": [{"type": "push"}, {"type": "email", "contact": EMAILS[1]}, {"type": "sms", "contact": PHONES[0]}]}]))
    client = make_client(emulator)
    before = read(client)
    email_rule = before[0]["rules"][1]
    writes = plan_rule(USER, before, 0, email_rule, state="absent")
    assert [(w.operation, w.params) for w in writes] == [("delete_rule", {"username": USER, "step": 0, "rule": 1})]
    emulator.inject("DELETE", "/api-public/v1/profile/%s/policies/0/1" % USER, fault)
    emulator.clear_log()
    expected = [{"timeout": 5, "rules": [before[0]["rules"][0], before[0]["rules"][2]]}]
    if applied:
        assert apply_plan(client, USER, before, writes) == expected
        assert read(client) == expected  # the sms rule that moved up to index 1 is still there
    else:
        with pytest.raises(PlanExecutionError, match="may or may not have been applied"):
            apply_plan(client, USER, before, writes)
        assert read(client) == before
    assert len(emulator.calls(method="DELETE")) == 1
