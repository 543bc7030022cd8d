"""victorops_policy_info against the emulator: reads only what is asked, normalises, never changes.

Tests of one task run the module in-process (``run_module``, through pytest-ansible); the check-mode test and
the multi-task error test run a real ``ansible-playbook`` (``run_playbook``).
"""

import pytest

OPS_TEAM = "team-Q2opsDemoTeam001"


def test_reads_only_what_is_asked_and_normalises(run_playbook, emulator):
    run = run_playbook(
        """
        - name: Read jdoe's policy and two value lists
          victorops.oncall.victorops_policy_info:
            paging_policy: jdoe
            types: [timeouts, contacts]
          register: info
        """,
        check=True,  # an info module runs normally in check mode
    )
    assert run.rc == 0, run
    result = run.result("Read jdoe's policy and two value lists")
    assert result["changed"] is False
    # Fewest calls: one per requested read, and one of the contact methods the rules name (shown beside their ids).
    assert [c["operation"] for c in emulator.calls()] == [
        "GET /api-public/v1/profile/{username}/policies",
        "GET /api-public/v1/user/{user}/contact-methods",
        "GET /api-public/v1/policies/types/contacts",
        "GET /api-public/v1/policies/types/timeouts",
    ]
    assert result["api"]["calls"] == 4 and result["api"]["writes"] == 0
    assert [t["type"] for t in result["timeout_types"]] == [1, 5, 10, 15, 20, 25, 30, 45, 60]
    assert {t["type"] for t in result["contact_types"]} == {"email", "phone"}
    steps = result["paging_policy"]["steps"]
    assert result["paging_policy"]["username"] == "jdoe"
    assert [(s["step"], s["timeout"], [r["type"] for r in s["rules"]]) for s in steps] == [
        (0, 5, ["push", "sms"]),
        (1, 10, ["phone", "email"]),
    ]
    assert steps[0]["rules"][0]["contact_id"] is None  # push: whatever contact the API attached is dropped
    assert all(isinstance(r["contact_id"], int) for s in steps for r in s["rules"][1 if s["step"] == 0 else 0 :])
    # One picture of a policy: the contact method beside its id, as victorops_user_info and the paging modules show it.
    assert [[r["contact"] for r in s["rules"]] for s in steps] == [
        [None, {"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}],
        [{"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}, {"kind": "email", "value": "jdoe.work@example.com", "label": "Work"}],
    ]
    assert "escalation_policies" not in result and "team_policies" not in result


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
def test_the_adaptive_default_learns_the_limit_from_one_throttle(run_module, emulator):
    # auto starts from the fastest documented table; the emulator enforces the 2018 one (once a window).
    runs = [run_module("victorops_policy_info", escalation_policies=True) for _run in range(3)]
    assert not any(r.get("failed") for r in runs), runs
    statuses = [c["status"] for c in emulator.calls(operation="GET /api-public/v1/policies")]
    assert statuses == [200, 429, 200, 200]  # one throttled answer, retried, then paced
    assert [r["api"]["retries"] for r in runs] == [0, 1, 0]
    assert runs[2]["api"]["pacing_wait"] > 0


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


def test_errors_are_clear_and_send_nothing_needless(run_playbook, emulator):
    run = run_playbook(
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
    assert "Traceback" not in run.stdout + run.stderr
    # Only the unknown user's read reached the API.
    assert [c["path"] for c in emulator.calls()] == ["/api-public/v1/profile/nobody-here/policies"]
