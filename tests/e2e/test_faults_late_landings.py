"""Late landings: a write answered 504 that the API carries out later, at 0.3 s, 2x and 10x ``request_timeout``.

The write-safety rule (docs/reliability.md): a write whose outcome is uncertain is re-sent only when re-sending
cannot change anything but its own object, however late the lost one lands. Each test runs every write of the
fault matrix (paging steps and rules, a user, a contact method, a team member, an on-call handover) plus the
resend-safe removals, with the emulator's ``late-write`` fault on each write's exact method and path, waits until
every late write has landed, and checks the emulator's state: only the asked-for change, or the task said it may or
may not have been applied; never a second change. The tasks run in this process (``tests/in_process.py``)
against the same emulator, with the same ``request_timeout``; the read-only key's test, which also checks what
ansible-playbook prints, runs a real ansible-playbook.
"""

import pytest

from ansible_collections.victorops.oncall.tests.in_process import InProcessRun
from ansible_collections.victorops.oncall.tests.e2e.test_faults import (
    OBSERVE,
    PROFILE,
    SEED_POLICY,
    WRITES,
    ids_in,
    matrix_seed,
    playbook,
    policy,
)
from ansible_collections.victorops.oncall.tests.e2e.test_faults_removals import REMOVALS, removal_seed, untouched

pytestmark = pytest.mark.slow

REQUEST_TIMEOUT = 1.0
# The late landings: before the confirming read (taken one request_timeout after the 504), and well after it.
LANDINGS = [0.3, 2 * REQUEST_TIMEOUT, 10 * REQUEST_TIMEOUT]


def seed():
    combined = matrix_seed()
    extra = removal_seed()
    known = {user["username"] for user in combined["users"]}
    combined["users"].extend(user for user in extra["users"] if user["username"] not in known)
    combined["teams"] = extra["teams"]  # the removal's member added to the database team
    return combined


# A plan stopped by its uncertain second write: what it asked for up to and including that write, which lands late.
PARTIAL = {
    "policy with a step added mid-plan": lambda e: policy(ids_in(e), "policy-post", (1, SEED_POLICY[0][1]), SEED_POLICY[1], (15, [("email", "Work")])),
    "policy with a step removed mid-plan": lambda e: policy(ids_in(e), "policy-delete", (1, SEED_POLICY[0][1]), (10, [("phone", "Mobile")])),
}


def check_write(write, run, emulator, late):
    """The problems of one write of the matrix after its late landing."""
    result, status = run.result(write.name), run.status(write.name)
    problems = []
    uncertain = status == "failed"
    if uncertain and (
        write.resend_safe or late < REQUEST_TIMEOUT or result.get("error") != "uncertain" or "may or may not have been applied" not in result["msg"]
    ):
        problems.append("failed unexpectedly: %r" % result)
    if not uncertain and (status != "ok" or result.get("changed") is not True):
        problems.append("expected changed, got %s %r" % (status, result.get("msg")))
    if not uncertain and not write.resend_safe and late >= REQUEST_TIMEOUT:
        problems.append("reported done although the write was not visible yet: %r" % result)
    # Whatever the task said, the late write landed exactly once: only the asked-for change.
    expected = (PARTIAL.get(write.name) or write.after) if uncertain else write.after
    if OBSERVE[write.name](emulator) != expected(emulator):
        problems.append("state %r, expected only the asked-for change %r" % (OBSERVE[write.name](emulator), expected(emulator)))
    sends = len(emulator.calls(method=write.method, path=write.path))
    if not write.resend_safe and sends != (1 if uncertain else 1 + write.later_sends):
        problems.append("sent %d times: a write that is not resend-safe is never sent again" % sends)
    return ["%s: %s" % (write.name, problem) for problem in problems]


@pytest.mark.parametrize("late", LANDINGS, ids=["0.3s", "2x", "10x"])
def test_a_late_landing_makes_only_the_asked_for_change_or_the_task_says_it_is_uncertain(late, emulator, run_module):
    emulator.reset(seed=seed())
    keep = untouched(emulator)[1:]
    writes = WRITES + REMOVALS
    for write in writes:
        emulator.inject(write.method, write.path, "late-write", seconds=late)
    run = InProcessRun(run_module, [(w.name, w.task) for w in writes], {"request_timeout": REQUEST_TIMEOUT})
    assert run.rc == 0, run
    assert emulator.settle(timeout=late + 30)
    assert "Traceback" not in run.stdout + run.stderr

    problems = []
    for write in WRITES:
        problems += check_write(write, run, emulator, late)
    for removal in REMOVALS:
        if run.status(removal.name) != "ok" or removal.present(emulator):
            problems.append("%s: %s, present %s" % (removal.name, run.status(removal.name), removal.present(emulator)))
    if untouched(emulator)[1:] != keep:
        problems.append("something else was removed: %r, expected %r" % (untouched(emulator), keep))
    assert problems == [], "\n".join(problems) + "\n%r" % run


DELETE_PHONE_RULE = """
  victorops.oncall.victorops_paging_rule:
    username: rule-delete
    step: 1
    rule: 0
    type: phone
    contact: Mobile
    state: absent
"""


def test_a_rule_delete_answered_504_and_applied_3_s_later_leaves_the_rule_that_moved_up(emulator, run_module, contact_id):
    """Issue 19: DELETE rule 0 of [phone, email, sms], 504, applied 3 s later. Re-sent, the email rule went too."""
    scenario = matrix_seed()
    (user,) = [u for u in scenario["users"] if u["username"] == "rule-delete"]
    user["paging_policy"][1]["rules"].append({"type": "sms", "contact": "Mobile"})
    emulator.reset(seed=scenario)
    path = PROFILE % "rule-delete" + "/1/0"
    emulator.inject("DELETE", path, "late-write", seconds=3.0)
    run = InProcessRun(run_module, [("delete the phone rule", DELETE_PHONE_RULE)], {"request_timeout": REQUEST_TIMEOUT})
    assert emulator.settle(timeout=30)
    result = run.result("delete the phone rule")
    assert run.status("delete the phone rule") == "failed" and result["error"] == "uncertain", result
    assert "may or may not have been applied" in result["msg"] and "re-run to converge" in result["msg"]
    assert [e["status"] for e in emulator.calls(method="DELETE", path=path)] == [504]
    expected = policy(contact_id, "rule-delete", ((5, [("push", None), ("sms", "Mobile")])), (10, [("email", "Work"), ("sms", "Mobile")]))
    assert emulator.state["users"]["rule-delete"]["paging_policy"] == expected

    # The next run reads the state and has nothing left to do.
    emulator.clear_log()
    again = InProcessRun(run_module, [("delete the phone rule", DELETE_PHONE_RULE)])
    assert again.status("delete the phone rule") == "ok" and again.result("delete the phone rule")["changed"] is False
    assert emulator.writes() == []


READ_ONLY_ID = "demo-readonly-id"
READ_ONLY_KEY = "demo-readonly-key"
UPDATE_USER = """
  victorops.oncall.victorops_user:
    username: jdoe
    first_name: Johnny
    last_name: Doe
    email: john.doe@example.com
    api_id: demo-readonly-id
    api_key: demo-readonly-key
"""


def test_a_read_only_key_fails_at_once_as_authentication_and_teaches_the_pacer_nothing(emulator, run_playbook, tmp_path):
    """Issue 19: "This API key is read-only" after an accepted read was retried as a throttle (7 PUTs, 64 s) and learnt."""
    import json
    import time

    state_dir = tmp_path / "pacing-read-only"
    started = time.monotonic()
    run = run_playbook(play=playbook([("update with a read-only key", UPDATE_USER)], {"pacing_state_dir": str(state_dir)}))
    elapsed = time.monotonic() - started
    result = run.result("update with a read-only key")
    assert run.status("update with a read-only key") == "failed"
    assert result["error"] == "authentication", result
    assert "This API key is read-only" in result["msg"] and "not retried" in result["msg"], result["msg"]
    puts = emulator.calls(method="PUT", path="/api-public/v1/user/jdoe")
    assert [e["status"] for e in puts] == [403]
    assert result["api"]["retries"] == 0 and result["api"]["retry_wait"] == 0.0
    # Fails within 5 s of its first refusal: the refusal is the last thing the task waited for.
    assert time.time() - puts[0]["time"] < 5, elapsed
    # Nothing learnt: no table, no operation stepped down, nothing blocked.
    states = [json.loads(path.read_text()) for path in state_dir.glob("*.json")]
    assert states, list(state_dir.iterdir())
    for state in states:
        assert (state["learnt"], state["op_levels"], state["blocked"]) == ({}, {}, {}), state
    assert READ_ONLY_KEY not in run.stdout + run.stderr
