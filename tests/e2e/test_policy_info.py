"""victorops_policy_info against the emulator: reads only what is asked, normalises, never changes."""

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
    # Fewest calls: one per requested read.
    assert [c["operation"] for c in emulator.calls()] == [
        "GET /api-public/v1/profile/{username}/policies",
        "GET /api-public/v1/policies/types/contacts",
        "GET /api-public/v1/policies/types/timeouts",
    ]
    assert result["api"]["calls"] == 3 and result["api"]["writes"] == 0
    assert [t["type"] for t in result["timeout_types"]] == [1, 5, 10, 15, 20, 25, 30, 45, 60]
    assert {t["type"] for t in result["contact_types"]} == {"email", "phone"}
    steps = result["paging_policy"]["steps"]
    assert result["paging_policy"]["username"] == "jdoe"
    assert [(s["step"], s["timeout"], [r["type"] for r in s["rules"]]) for s in steps] == [
        (0, 5, ["push", "sms"]),
        (1, 10, ["phone", "email"]),
    ]
    assert steps[0]["rules"][0]["contact_id"] is None  # push: whatever contact the API attached is dropped
    assert all(isinstance(r["contact_id"], int) for s in steps for r in s["rules"][1 if s["step"] == 0 else 0:])
    assert "escalation_policies" not in result and "team_policies" not in result


def test_escalation_policy_list_is_paced_not_throttled(run_playbook, emulator):
    run = run_playbook(
        """
        - name: First read
          victorops.oncall.victorops_policy_info:
            escalation_policies: true
        - name: Second read, inside the same one-call-per-window budget
          victorops.oncall.victorops_policy_info:
            escalation_policies: true
        """
    )
    assert run.rc == 0, run
    calls = emulator.calls(operation="GET /api-public/v1/policies")
    assert [c["status"] for c in calls] == [200, 200]  # the pacer waited instead of drawing a 429
    # GET /policies is limited to once per window (1 s here): the second call waited for the window.
    assert calls[1]["time"] - calls[0]["time"] >= 0.95
    first = run.result("First read")
    assert {"name": "Operations High Severity", "slug": "pol-Hs7opsDemoPol001",
            "team": {"name": "Operations", "slug": OPS_TEAM}} in first["escalation_policies"]
    assert run.result("Second read, inside the same one-call-per-window budget")["api"]["pacing_wait"] > 0


def test_team_and_user_views(run_playbook, emulator):
    run = run_playbook(
        """
        - name: Team policies and flattened user view
          victorops.oncall.victorops_policy_info:
            team_policies: %s
            user_paging_policies: asmith
            types: [notifications]
        """ % OPS_TEAM
    )
    assert run.rc == 0, run
    result = run.result("Team policies and flattened user view")
    assert sorted(p["slug"] for p in result["team_policies"]) == ["pol-Hs7opsDemoPol001", OPS_TEAM]
    assert result["user_paging_policies"]["username"] == "asmith"
    assert {p["contact_type"] for p in result["user_paging_policies"]["policies"]} <= {"email", "phone", "push", None}
    assert [t["type"] for t in result["notification_types"]] == ["push", "email", "sms", "phone"]
    assert len(emulator.calls()) == 3


def test_read_only_key_is_enough(run_playbook, emulator):
    run = run_playbook(
        """
        - name: Read with a read-only key
          victorops.oncall.victorops_policy_info:
            paging_policy: asmith
        """,
        env={"VICTOROPS_API_ID": "demo-readonly-id", "VICTOROPS_API_KEY": "demo-readonly-key"},
    )
    assert run.rc == 0, run
    assert run.result("Read with a read-only key")["paging_policy"]["steps"][0]["timeout"] == 1


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
