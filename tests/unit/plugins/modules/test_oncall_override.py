"""victorops.oncall.victorops_oncall_override run in process against the emulator (default seed): the four-step check-mode test,
refusals and uncertain writes, with the exact requests."""

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import diff_of


POLICY = "pol-Hs7opsDemoPol001"  # asmith on call (Operations High Severity)
ONCALL_READ = "GET /api-public/v1/oncall/current"
TAKE = "PATCH /api-public/v1/policies/{policy}/oncall/user"

HANDOVER = """
- name: hand over
  victorops.oncall.victorops_oncall_override:
    policy: pol-Hs7opsDemoPol001
    from_user: asmith
    to_user: bwong
"""


def failure(run, task):
    """The result of ``task``, which must have failed."""
    assert run.status(task) == "failed", run
    return run.result(task)


def operations(emulator):
    return [entry["operation"] for entry in emulator.calls()]


def test_handover_check_run_check_run(emulator, run_tasks):
    untouched = dict(emulator.state["oncall"])

    # 1. check mode: predicts the change, sends no write.
    run = run_tasks(HANDOVER, check=True, diff=True)
    assert run.rc == 0, run
    result = run.result("hand over")
    assert result["changed"] is True
    assert result["on_call"] == {"policy": POLICY, "users": ["bwong"]}
    assert diff_of(result) == {"before": {"policy": POLICY, "users": ["asmith"]}, "after": {"policy": POLICY, "users": ["bwong"]}}
    assert result["api"]["calls"] == 1  # fewest possible: the one read of who is on call
    assert result["api"]["writes"] == 0
    assert operations(emulator) == [ONCALL_READ]
    assert emulator.writes() == []
    assert emulator.state["oncall"] == untouched

    # 2. real run: one PATCH with the exact body; only this policy changes.
    emulator.clear_log()
    run = run_tasks(HANDOVER, diff=True)
    assert run.rc == 0, run
    result = run.result("hand over")
    assert result["changed"] is True
    assert result["on_call"] == {"policy": POLICY, "users": ["bwong"]}
    assert diff_of(result)["after"] == {"policy": POLICY, "users": ["bwong"]}
    assert result["api"]["calls"] == 2  # fewest possible: read + take on-call
    assert result["api"]["writes"] == 1
    assert operations(emulator) == [ONCALL_READ, TAKE]
    (write,) = emulator.writes()
    assert write["path"] == "/api-public/v1/policies/%s/oncall/user" % POLICY
    assert write["body"] == {"fromUser": "asmith", "toUser": "bwong"}
    assert emulator.state["oncall"] == dict(untouched, **{POLICY: ["bwong"]})

    # 3. check mode again: nothing to do.
    emulator.clear_log()
    run = run_tasks(HANDOVER, check=True)
    result = run.result("hand over")
    assert result["changed"] is False
    assert result["on_call"] == {"policy": POLICY, "users": ["bwong"]}
    assert result["api"]["calls"] == 1  # fewest possible: the read
    assert operations(emulator) == [ONCALL_READ]

    # 4. real run again: no write.
    emulator.clear_log()
    run = run_tasks(HANDOVER)
    result = run.result("hand over")
    assert result["changed"] is False
    assert result["api"]["calls"] == 1  # fewest possible: the read
    assert result["api"]["writes"] == 0
    assert operations(emulator) == [ONCALL_READ]
    assert emulator.state["oncall"] == dict(untouched, **{POLICY: ["bwong"]})


def test_to_user_already_on_call_is_no_change_whoever_from_user_is(emulator, run_tasks):
    run = run_tasks(
        """
    - name: already on call
      victorops.oncall.victorops_oncall_override:
        policy: team-Q2opsDemoTeam001
        from_user: asmith
        to_user: jdoe
    """,
        diff=True,
    )
    result = run.result("already on call")
    assert result["changed"] is False
    assert result["on_call"] == {"policy": "team-Q2opsDemoTeam001", "users": ["jdoe"]}
    assert diff_of(result)["before"] == diff_of(result)["after"] == {"policy": "team-Q2opsDemoTeam001", "users": ["jdoe"]}
    assert result["api"]["calls"] == 1  # fewest possible: the read
    assert operations(emulator) == [ONCALL_READ]


def test_bad_input_fails_clearly_without_writing(emulator, run_tasks):
    untouched = dict(emulator.state["oncall"])
    run = run_tasks("""
    - name: from_user not on call
      victorops.oncall.victorops_oncall_override:
        policy: pol-Hs7opsDemoPol001
        from_user: jdoe
        to_user: bwong
      ignore_errors: true
    - name: unknown policy
      victorops.oncall.victorops_oncall_override:
        policy: pol-NoSuchPolicy0000
        from_user: jdoe
        to_user: bwong
      ignore_errors: true
    - name: empty to_user
      victorops.oncall.victorops_oncall_override:
        policy: pol-Hs7opsDemoPol001
        from_user: asmith
        to_user: " "
      ignore_errors: true
    - name: path-unsafe policy
      victorops.oncall.victorops_oncall_override:
        policy: pol-a/b
        from_user: asmith
        to_user: bwong
      ignore_errors: true
    """)
    assert run.rc == 0, run

    result = failure(run, "from_user not on call")
    assert result["msg"] == "from_user 'jdoe' is not on call for policy 'pol-Hs7opsDemoPol001'; on call now: asmith"
    assert result["api"]["calls"] == 1  # the read that shows who is on call

    result = failure(run, "unknown policy")
    assert result["msg"] == (
        "from_user 'jdoe' is not on call for policy 'pol-NoSuchPolicy0000': nobody is on call for it now (or it is not a known escalation policy slug)"
    )
    assert result["api"]["calls"] == 1

    result = failure(run, "empty to_user")
    assert result["msg"] == "to_user must not be empty"
    assert result["api"]["calls"] == 0

    # A slug that would change the path is refused before any request.
    result = failure(run, "path-unsafe policy")
    assert "pol-a/b" in result["msg"]
    assert result["api"]["calls"] == 0

    assert emulator.writes() == []
    assert len(emulator.calls()) == 2
    assert emulator.state["oncall"] == untouched


def test_ambiguous_take_is_confirmed_by_rereading_not_resent(emulator, run_tasks):
    # The PATCH is applied, then the gateway answers 502: the module re-reads instead of re-sending.
    emulator.inject("PATCH", "/api-public/v1/policies/*/oncall/user", "apply-then-502")
    run = run_tasks(HANDOVER)
    assert run.rc == 0, run
    result = run.result("hand over")
    assert result["changed"] is True
    assert result["api"]["calls"] == 3  # read, take (502), confirming read
    assert result["api"]["writes"] == 1
    assert operations(emulator) == [ONCALL_READ, TAKE, ONCALL_READ]
    assert emulator.state["oncall"][POLICY] == ["bwong"]


def test_take_lost_before_reaching_the_api_is_reported_uncertain_not_resent(emulator, run_tasks):
    # A 502 without the write applied: the confirming read shows asmith still on call. A take is not sent twice (a
    # lost one that lands late would hand over the shift of whoever is on call then): the task says so and a re-run converges.
    emulator.inject("PATCH", "/api-public/v1/policies/*/oncall/user", "502")
    run = run_tasks(HANDOVER)
    assert run.rc != 0
    result = run.result("hand over")
    assert run.status("hand over") == "failed" and result.get("error") == "uncertain", result
    assert "may or may not have been applied" in result["msg"]
    assert result["api"]["writes"] == 1
    assert operations(emulator) == [ONCALL_READ, TAKE, ONCALL_READ]
    assert emulator.state["oncall"][POLICY] == ["asmith"]
    run = run_tasks(HANDOVER)
    assert run.rc == 0, run
    assert emulator.state["oncall"][POLICY] == ["bwong"]
