"""apply_plan with a scripted client: ambiguous writes confirmed applied or not, and failures mid-plan."""

import copy

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._errors import (
    AmbiguousWriteError,
    PlanError,
    PlanExecutionError,
    PolicyChangedError,
    ServerError,
    ValidationError,
)
from ansible_collections.victorops.oncall.plugins.module_utils._paging_apply import apply_plan, converge_steps
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import Write, plan_policy, simulate

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
    client, an ambiguous write calls ``confirm_write()``, and when it answers (False, None) the write is
    uncertain: a paging write is never re-sent (``_api.RESEND_SAFE``). It has ``request`` and nothing else.
    """

    def __init__(self, server, script):
        self.server = copy.deepcopy(server)  # the fake API's own copy: deleting a rule must not change the test's START
        self.script = list(script)
        self.calls = []
        self.confirmations = []

    keep_empty_steps = False  # an API that leaves a step with no rules after its last rule is deleted

    def _apply(self, operation, params, body):
        if self.keep_empty_steps and operation == "delete_rule":
            del self.server[params["step"]]["rules"][params["rule"]]
            return
        self.server = simulate(self.server, [Write(operation, params, body, "")])

    def request(self, method, template, params=None, body=None, confirm_write=None, operation=None, **kwargs):
        self.calls.append((operation, dict(params or {})))
        if operation == "get_paging_policy":
            assert method == "GET" and params == {"username": U}
            return api_body(self.server)
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        if outcome == "ok":
            self._apply(operation, params, body)
            return {}
        if outcome == "applied":
            self._apply(operation, params, body)
        answer = confirm_write()
        self.confirmations.append(answer)
        if answer[0]:
            return answer[1]
        raise AmbiguousWriteError("the write may or may not have been applied; re-run to converge", method=method, path=template)


START = [{"timeout": 5, "rules": [PUSH, EMAIL]}, {"timeout": 10, "rules": [SMS, PUSH]}]
GOAL = [{"timeout": 5, "rules": [PUSH]}, {"timeout": 15, "rules": [EMAIL]}]


def test_plan_used_by_these_tests():
    assert [(w.operation, w.params) for w in plan_policy(U, START, GOAL)] == [
        ("update_step", {"username": U, "step": 0}),
        ("update_step", {"username": U, "step": 1}),
    ]


def test_plain_success_returns_the_expected_state_without_reading():
    current = [{"timeout": 5, "rules": [PUSH]}]
    desired = [{"timeout": 5, "rules": [PUSH]}, {"timeout": 10, "rules": [SMS]}, {"timeout": 1, "rules": [EMAIL, PUSH]}]
    writes = plan_policy(U, current, desired)
    client = ScriptedClient(current, ["ok", "ok"])
    assert apply_plan(client, U, current, writes) == desired
    assert client.calls == [("create_step", {"username": U}), ("create_step", {"username": U})]
    assert client.server == desired


def test_ambiguous_post_confirmed_applied_is_not_resent():
    current = [{"timeout": 5, "rules": [PUSH]}]
    desired = [{"timeout": 5, "rules": [PUSH]}, {"timeout": 10, "rules": [SMS]}]
    writes = plan_policy(U, current, desired)
    client = ScriptedClient(current, ["applied"])
    assert apply_plan(client, U, current, writes) == desired
    assert client.calls == [("create_step", {"username": U}), ("get_paging_policy", {"username": U})]
    assert client.confirmations == [(True, None)]
    assert client.server == desired  # one step added, not two


def test_ambiguous_delete_not_visible_stops_the_plan_as_uncertain_and_is_never_resent():
    current = [{"timeout": 5, "rules": [PUSH, EMAIL, SMS]}]
    from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import plan_rule

    writes = plan_rule(U, current, 0, EMAIL, state="absent")
    client = ScriptedClient(current, ["lost"])
    with pytest.raises(PlanExecutionError) as caught:
        apply_plan(client, U, current, writes)
    assert client.calls == [("delete_rule", {"username": U, "step": 0, "rule": 1}), ("get_paging_policy", {"username": U})]
    assert client.confirmations == [(False, None)]
    assert caught.value.uncertain == writes[0].summary and caught.value.kind == "uncertain"
    assert client.server == current


def test_confirmation_uses_the_state_before_each_write():
    # The second of two deletes is ambiguous: "before" is the state after the first delete.
    current = [{"timeout": 5, "rules": [PUSH]}, {"timeout": 10, "rules": [SMS, PUSH]}]
    desired = [{"timeout": 5, "rules": [PUSH]}]
    writes = plan_policy(U, current, desired)
    assert len(writes) == 2
    client = ScriptedClient(current, ["ok", "applied"])
    assert apply_plan(client, U, current, writes) == desired
    assert client.confirmations == [(True, None)]
    assert [c[0] for c in client.calls] == ["delete_rule", "delete_rule", "get_paging_policy"]


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
    assert [c[0] for c in client.calls] == ["create_step", "get_paging_policy"]


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
    assert not isinstance(exc, PlanError)  # a failed plan is not bad input: its kind is its cause's
    assert exc.kind == "refused"
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
    assert [c[0] for c in client.calls] == ["create_step"]


# ----- converge_steps -----------------------------------------------------------------------------


def test_converge_reads_nothing_after_writes_that_remove_no_step():
    client = ScriptedClient(START, ["ok", "ok"])
    assert converge_steps(client, False, U, START, plan_policy(U, START, GOAL)) == GOAL
    assert [c[0] for c in client.calls] == ["update_step", "update_step"]


def test_converge_in_check_mode_sends_nothing():
    client = ScriptedClient(START, [])
    assert converge_steps(client, True, U, START, plan_policy(U, START, [START[0]])) == [START[0]]
    assert client.calls == []


def test_converge_reads_once_after_a_step_removal_and_stops_there_when_the_step_is_gone():
    client = ScriptedClient(START, ["ok", "ok"])
    assert converge_steps(client, False, U, START, plan_policy(U, START, [START[0]])) == [START[0]]
    assert [c[0] for c in client.calls] == ["delete_rule", "delete_rule", "get_paging_policy"]


def test_converge_removes_the_empty_step_an_api_keeps():
    client = ScriptedClient(START, ["ok", "ok", "ok"])
    client.keep_empty_steps = True
    assert converge_steps(client, False, U, START, plan_policy(U, START, [START[0]])) == [START[0]]
    assert client.calls[-2:] == [("get_paging_policy", {"username": U}), ("delete_step", {"username": U, "step": 1})]
    assert client.server == [START[0]]


def test_converge_fails_when_the_policy_is_not_as_planned_after_removals():
    client = ScriptedClient(START, ["ok", "ok"])
    original = client._apply

    def also_changed_by_someone_else(operation, params, body):
        original(operation, params, body)
        client.server[0] = {"timeout": 60, "rules": [PUSH]}

    client._apply = also_changed_by_someone_else
    with pytest.raises(PolicyChangedError) as caught:
        converge_steps(client, False, U, START, plan_policy(U, START, [START[0]]))
    assert "is not as planned after the writes" in str(caught.value)
    assert "re-run to converge" in str(caught.value)


def test_converge_settles_an_uncertain_write_with_its_own_read_and_reads_nothing_after():
    """The executor asks nothing of the client but ``request``: a write answered ambiguously is settled by its
    confirming read, and without removed steps no read follows the writes."""
    client = ScriptedClient(START, ["applied", "ok"])
    assert converge_steps(client, False, U, START, plan_policy(U, START, GOAL)) == GOAL
    assert client.confirmations == [(True, None)]
    assert [c[0] for c in client.calls] == ["update_step", "get_paging_policy", "update_step"]


def test_a_delete_that_landed_on_an_api_that_keeps_empty_steps_is_confirmed_and_converges():
    """The last rule of step 1 deleted, answered ambiguously, and the API kept the empty step: the confirming read
    equals the expected policy once empty steps are set aside, so the delete landed; the empty step is then removed."""
    client = ScriptedClient(START, ["ok", "applied", "ok"])
    client.keep_empty_steps = True
    assert converge_steps(client, False, U, START, plan_policy(U, START, [START[0]])) == [START[0]]
    assert client.confirmations == [(True, None)]
    assert [c[0] for c in client.calls] == ["delete_rule", "delete_rule", "get_paging_policy", "get_paging_policy", "delete_step"]
    assert client.server == [START[0]]
