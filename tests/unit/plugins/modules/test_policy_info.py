"""victorops_policy_info run in process against the emulator: pacing of the policy list, the views, a read-only key,
clear errors (tests/e2e/test_policy_info.py runs it through ansible-playbook in check mode)."""

import pytest

OPS_TEAM = "team-Q2opsDemoTeam001"


# A window longer than a module's start-up, so that the second read must wait for it even on a slow machine.
@pytest.mark.emulator(window=4.0)
# A longer window than the default second: one module run can take longer than a second on a loaded machine,
# and these tests are about two runs falling within one window.
@pytest.mark.emulator(window=5.0)
def test_escalation_policy_list_is_paced_not_throttled(run_module, emulator):
    # Two runs of the module share the pacing state directory, as two tasks of a play do.
    # The table the emulator enforces (once a window), pinned; learning it is the next test.
    first = run_module("victorops_policy_info", escalation_policies=True, rate_limit_profile="2018")
    second = run_module("victorops_policy_info", escalation_policies=True, rate_limit_profile="2018")
    assert not first.get("failed") and not second.get("failed"), (first, second)
    calls = emulator.calls(operation="GET /api-public/v1/policies")
    assert [c["status"] for c in calls] == [200, 200]  # the pacer waited instead of drawing a 429
    # GET /policies is limited to once per window: the second call waited for the window.
    assert calls[1]["time"] - calls[0]["time"] >= 0.95 * emulator.window
    high_severity = {"name": "Operations High Severity", "slug": "pol-Hs7opsDemoPol001", "team": {"name": "Operations", "slug": OPS_TEAM}}
    assert high_severity in first["escalation_policies"]
    assert second["api"]["pacing_wait"] > 0


@pytest.mark.emulator(window=5.0)
def test_the_adaptive_default_paces_the_once_a_minute_list_at_that_limit_from_the_start(run_module, emulator):
    # auto starts from the fastest documented table, except for the policy list: the 2018 table allows it once a
    # minute, so it is paced so from the start; the emulator enforces the 2018 table (once a window).
    runs = [run_module("victorops_policy_info", escalation_policies=True) for _run in range(3)]
    assert not any(r.get("failed") for r in runs), runs
    statuses = [c["status"] for c in emulator.calls(operation="GET /api-public/v1/policies")]
    assert statuses == [200, 200, 200]  # paced, never throttled
    assert [r["api"]["retries"] for r in runs] == [0, 0, 0]
    assert runs[1]["api"]["pacing_wait"] > 0 and runs[2]["api"]["pacing_wait"] > 0


def test_team_and_user_views(run_module, emulator):
    result = run_module("victorops_policy_info", team_policies=OPS_TEAM, user_paging_policies="asmith", types=["notifications"])
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert sorted(p["slug"] for p in result["team_policies"]) == ["pol-Hs7opsDemoPol001", OPS_TEAM]
    assert result["user_paging_policies"]["username"] == "asmith"
    assert {p["contact_type"] for p in result["user_paging_policies"]["policies"]} <= {"email", "phone", "push", None}
    assert [t["type"] for t in result["notification_types"]] == ["push", "email", "sms", "phone"]
    assert len(emulator.calls()) == 3


def test_read_only_key_is_enough(run_module, emulator):
    result = run_module("victorops_policy_info", paging_policy="asmith", api_id="demo-readonly-id", api_key="demo-readonly-key")
    assert not result.get("failed"), result
    assert result["paging_policy"]["steps"][0]["timeout"] == 1
    # The policy and the contact methods its email rule names: two reads, both allowed to a read-only key.
    assert [(c["method"], c["status"]) for c in emulator.calls()] == [("GET", 200), ("GET", 200)]
    assert result["paging_policy"]["steps"][0]["rules"][1]["contact"] == {"kind": "email", "value": "alice.smith@example.com", "label": "Default"}


def test_errors_are_clear_and_send_nothing_needless(run_tasks, emulator):
    run = run_tasks(
        """
        - name: Nothing asked
          victorops.oncall.victorops_policy_info:
          ignore_errors: true
        - name: Unknown user
          victorops.oncall.victorops_policy_info:
            paging_policy: nobody-here
          ignore_errors: true
        - name: Path-changing username
          victorops.oncall.victorops_policy_info:
            paging_policy: ../user
          ignore_errors: true
        """
    )
    assert run.rc == 0, run
    assert "Nothing to read" in run.result("Nothing asked")["msg"]
    unknown = run.result("Unknown user")
    assert run.status("Unknown user") == "failed"
    assert "404" in unknown["msg"] and "nobody-here" in unknown["msg"]
    refused = run.result("Path-changing username")
    assert run.status("Path-changing username") == "failed" and "paging_policy" in refused["msg"]
    assert not [r for r in run.records if "Traceback" in r["result"].get("msg", "") + r["result"].get("exception", "")]
    # Only the unknown user's read reached the API.
    assert [c["path"] for c in emulator.calls()] == ["/api-public/v1/profile/nobody-here/policies"]
