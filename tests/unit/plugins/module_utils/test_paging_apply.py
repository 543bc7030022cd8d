"""apply_plan with a scripted client: ambiguous writes confirmed applied or not, and failures mid-plan."""

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._client import ServerError, ValidationError
from ansible_collections.victorops.oncall.plugins.module_utils._paging_apply import PlanExecutionError, PolicyChangedError, apply_plan
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import POLICY, PlanError, plan_policy, simulate

U = "jdoe"
PUSH = {"type": "push", "contact_id": None}
EMAIL = {"type": "email", "contact_id": 11}
SMS = {"type": "sms", "contact_id": 21}


def api_body(steps):
    """Steps rendered the way the API answers a GET of the policy (capitalised contact types, push with a device)."""
    rendered = []
    for i, step in enumerate(steps):
        rules = []
        for j, rule in enumerate(step["rules"]):
            if rule["type"] == "push":
                contact = {"id": 0, "type": "Device"}
            else:
                contact = {"id": rule["contact_id"], "type": "Email" if rule["type"] == "email" else "Phone"}
            rules.append({"index": j, "type": rule["type"], "contact": contact})
        rendered.append({"index": i, "timeout": str(step["timeout"]), "rules": rules})
    return {"steps": rendered}


class ScriptedClient:
    """Plays a script of outcomes, one per write: "ok", "lost" (ambiguous, not applied), "applied" (ambiguous, applied) or an exception.

    ``server`` is the policy the fake API holds; GETs of the policy answer it. Like the real
    client, an ambiguous write calls ``confirm_write()`` and resends when it answers (False, None).
    """

    def __init__(self, server, script):
        self.server = server
        self.script = list(script)
        self.calls = []
        self.confirmations = []

    def _apply(self, method, template, params, body):
        from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import Write

        self.server = simulate(self.server, [Write(method, template, params, body, "")])

    def request(self, method, template, params=None, body=None, confirm_write=None, **kwargs):
        self.calls.append((method, template, dict(params or {})))
        if method == "GET":
            assert template == POLICY and params == {"username": U}
            return api_body(self.server)
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        if outcome == "ok":
            self._apply(method, template, params, body)
            return {}
        if outcome == "applied":
            self._apply(method, template, params, body)
        answer = confirm_write()
        self.confirmations.append(answer)
        if answer[0]:
            return answer[1]
        return self.request(method, template, params=params, body=body, confirm_write=confirm_write)


START = [{"timeout": 5, "rules": [PUSH, EMAIL]}, {"timeout": 10, "rules": [SMS, PUSH]}]
GOAL = [{"timeout": 5, "rules": [PUSH]}, {"timeout": 15, "rules": [EMAIL]}]


def test_plan_used_by_these_tests():
    assert [(w.method, w.template, w.params) for w in plan_policy(U, START, GOAL)] == [
        ("PUT", POLICY + "/{step}", {"username": U, "step": 0}),
        ("PUT", POLICY + "/{step}", {"username": U, "step": 1}),
    ]


def test_plain_success_returns_the_expected_state_without_reading():
    current = [{"timeout": 5, "rules": [PUSH]}]
    desired = [{"timeout": 5, "rules": [PUSH]}, {"timeout": 10, "rules": [SMS]}, {"timeout": 1, "rules": [EMAIL, PUSH]}]
    writes = plan_policy(U, current, desired)
    client = ScriptedClient(current, ["ok", "ok"])
    assert apply_plan(client, U, current, writes) == desired
    assert client.calls == [("POST", POLICY, {"username": U}), ("POST", POLICY, {"username": U})]
    assert client.server == desired


def test_ambiguous_post_confirmed_applied_is_not_resent():
    current = [{"timeout": 5, "rules": [PUSH]}]
    desired = [{"timeout": 5, "rules": [PUSH]}, {"timeout": 10, "rules": [SMS]}]
    writes = plan_policy(U, current, desired)
    client = ScriptedClient(current, ["applied"])
    assert apply_plan(client, U, current, writes) == desired
    assert client.calls == [("POST", POLICY, {"username": U}), ("GET", POLICY, {"username": U})]
    assert client.confirmations == [(True, None)]
    assert client.server == desired  # one step added, not two


def test_ambiguous_delete_confirmed_not_applied_is_resent_once():
    current = [{"timeout": 5, "rules": [PUSH, EMAIL, SMS]}]
    desired = [{"timeout": 5, "rules": [PUSH, SMS]}]
    from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import plan_rule

    writes = plan_rule(U, current, 0, EMAIL, state="absent")
    client = ScriptedClient(current, ["lost", "ok"])
    assert apply_plan(client, U, current, writes) == desired
    rule_path = POLICY + "/{step}/{rule}"
    assert client.calls == [
        ("DELETE", rule_path, {"username": U, "step": 0, "rule": 1}),
        ("GET", POLICY, {"username": U}),
        ("DELETE", rule_path, {"username": U, "step": 0, "rule": 1}),
    ]
    assert client.confirmations == [(False, None)]
    assert client.server == desired


def test_confirmation_uses_the_state_before_each_write():
    # The second of two deletes is ambiguous: "before" is the state after the first delete.
    current = [{"timeout": 5, "rules": [PUSH]}, {"timeout": 10, "rules": [SMS, PUSH]}]
    desired = [{"timeout": 5, "rules": [PUSH]}]
    writes = plan_policy(U, current, desired)
    assert len(writes) == 2
    client = ScriptedClient(current, ["ok", "applied"])
    assert apply_plan(client, U, current, writes) == desired
    assert client.confirmations == [(True, None)]
    assert [c[0] for c in client.calls] == ["DELETE", "DELETE", "GET"]


def test_unexpected_policy_on_confirmation_is_an_error():
    current = [{"timeout": 5, "rules": [PUSH]}]
    writes = plan_policy(U, current, [{"timeout": 5, "rules": [PUSH]}, {"timeout": 10, "rules": [SMS]}])
    client = ScriptedClient(current, ["lost"])
    client.server = [{"timeout": 60, "rules": [EMAIL]}]  # someone else changed the policy meanwhile
    with pytest.raises(PlanExecutionError) as caught:
        apply_plan(client, U, current, writes)
    assert isinstance(caught.value.error, PolicyChangedError)
    assert str(caught.value.error) == (
        "The paging policy of jdoe changed unexpectedly while 'add step 1 (timeout 10, rules: sms to contact method 21)' was being sent: "
        "it is neither the state before nor the state after that change. Read it again and re-run."
    )
    assert [c[0] for c in client.calls] == ["POST", "GET"]


def test_failure_mid_plan_says_what_was_applied():
    error = ValidationError("request refused by the API (HTTP 400): Invalid contact id", method="PUT", path="/x", status=400)
    client = ScriptedClient(START, ["ok", error])
    writes = plan_policy(U, START, GOAL)
    with pytest.raises(PlanExecutionError) as caught:
        apply_plan(client, U, START, writes)
    exc = caught.value
    assert exc.applied == ["update step 0 (timeout 5, rules: push)"]
    assert exc.pending == ["update step 1 (timeout 15, rules: email to contact method 11)"]
    assert exc.error is error
    assert exc.status == 400
    assert isinstance(exc, PlanError)
    assert str(exc) == (
        "Changing the paging policy failed at 'update step 1 (timeout 15, rules: email to contact method 11)': %s. "
        "Applied: update step 0 (timeout 5, rules: push). Not applied: update step 1 (timeout 15, rules: email to contact method 11)." % error
    )
    assert len(client.calls) == 2


def test_failure_on_first_write_reports_none_applied():
    error = ServerError("server error (HTTP 500)", method="PUT", path="/x", status=500)
    client = ScriptedClient(START, [error])
    with pytest.raises(PlanExecutionError) as caught:
        apply_plan(client, U, START, plan_policy(U, START, GOAL))
    assert caught.value.applied == []
    assert len(caught.value.pending) == 2
    assert "Applied: none. Not applied: update step 0" in str(caught.value)


def test_custom_reader_is_used_for_confirmation():
    current = [{"timeout": 5, "rules": [PUSH]}]
    desired = [{"timeout": 5, "rules": [PUSH]}, {"timeout": 10, "rules": [SMS]}]
    reads = []

    def reader():
        reads.append(1)
        return desired

    client = ScriptedClient(current, ["applied"])
    assert apply_plan(client, U, current, plan_policy(U, current, desired), reader=reader) == desired
    assert reads == [1]
    assert [c[0] for c in client.calls] == ["POST"]
