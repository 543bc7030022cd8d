"""Fault matrix: every write the modules make, under every fault the emulator can inject.

Each test runs all the writes below, one task per write, each aimed at its own user or object so that a
fault injected on one write's exact method and path hits that write and nothing else. The emulator's final
state is then compared with the desired state: the write happened exactly once (no duplicate step or rule,
no lost write), or it did not happen and the task says so: a 500 fails; a write that is not resend-safe
(``_api.RESEND_SAFE``) and whose lost answer a read does not confirm fails as "may or may not have been
applied", never re-sent.

The tasks run in this process with the ``run_module`` fixture (``tests/in_process.py``), against the same
emulator: what is tested is the modules' and the client's handling of the fault, which ansible-playbook does not change.
One cell of the matrix (the timeout, with ``request_timeout`` from the action group's ``module_defaults``) goes through
a real ansible-playbook.
"""

import time

import pytest

from ansible_collections.victorops.oncall.tests.in_process import InProcessRun

pytestmark = pytest.mark.slow

# -- the organisation the matrix runs against -------------------------------------------------------

POLICY_USERS = ("step-post", "step-put", "rule-post", "rule-put", "rule-delete", "contact-add", "policy-post", "policy-delete")


def contact_text(emulator, username, label):
    """A contact method as plans name it beside its id when the task read the contact methods: ``phone +1-555-0100 (Mobile)``."""
    methods = emulator.state["users"][username]["contact_methods"]
    (found,) = [(kind[:-1], m["value"]) for kind in ("emails", "phones") for m in methods[kind] if m["label"] == label]
    return "%s %s (%s)" % (found[0], found[1], label)


def matrix_seed():
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    for number, username in enumerate(POLICY_USERS):
        seed["users"].append(
            {
                "username": username,
                "firstName": "Fault",
                "lastName": username.title(),
                "email": "%s@example.com" % username,
                "contact_methods": {
                    "emails": [{"label": "Work", "value": "%s.work@example.com" % username}],
                    "phones": [{"label": "Mobile", "value": "+1-555-02%02d" % number}],
                },
                "paging_policy": [
                    {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": "Mobile"}]},
                    {"timeout": 10, "rules": [{"type": "phone", "contact": "Mobile"}, {"type": "email", "contact": "Work"}]},
                ],
            }
        )
    return seed


def ids_in(emulator):
    """``contact_id(username, label)`` over the emulator's state now (the ``contact_id`` fixture's lookup, for the
    expected states below, which are computed from whatever emulator a test passes)."""

    def contact_id(username, label):
        methods = emulator.state["users"][username]["contact_methods"]
        (found,) = [c["id"] for c in methods["emails"] + methods["phones"] if c["label"] == label]
        return found

    return contact_id


def policy(contact_id, username, *steps):
    """Normalised steps from ``(timeout, [(type, contact label or None), ...])`` pairs; ``contact_id(username, label)``."""
    return [
        {"timeout": timeout, "rules": [{"type": kind, "contact_id": None if label is None else contact_id(username, label)} for kind, label in rules]}
        for timeout, rules in steps
    ]


SEED_POLICY = ((5, [("push", None), ("sms", "Mobile")]), (10, [("phone", "Mobile"), ("email", "Work")]))


class Write:
    """One write of the matrix: the task making it, where its fault goes, and the states on each side."""

    def __init__(self, name, task, method, path, before, after, resend_safe=False, later_sends=0, applied_before=None, refused=None):
        self.name = name
        self.task = task
        self.method = method
        self.path = path
        self.before = before  # emulator -> the observed state when the faulted write did not happen (the task failed there)
        self.after = after  # emulator -> the observed state when it happened exactly once (the task converged)
        self.resend_safe = resend_safe  # re-sent after an uncertain outcome (a stable identity, idempotent)
        self.refused = refused  # the status of a resend-safe re-send that finds the write already applied
        self.later_sends = later_sends  # later writes of the same task to the same method and path
        self.applied_before = applied_before  # summary of the plan's writes before the faulted one, for multi-write plans


def paging(username):
    return lambda emulator: emulator.state["users"][username]["paging_policy"]


def on_call(policy_slug):
    return lambda emulator: emulator.state["oncall"][policy_slug]


def user_exists(username):
    return lambda emulator: username in emulator.state["users"]


def phones(username):
    return lambda emulator: sorted(c["value"] for c in emulator.state["users"][username]["contact_methods"]["phones"])


def team_members(slug):
    return lambda emulator: list(emulator.state["teams"][slug]["members"])


PROFILE = "/api-public/v1/profile/%s/policies"
DB_TEAM = "team-Db4DemoTeamAb002"
HIGH_SEVERITY = "pol-Hs7opsDemoPol001"

WRITES = [
    Write(
        "create step",
        """
      victorops.oncall.victorops_paging_step:
        username: step-post
        step: 2
        timeout: 15
        rules: [{type: email, contact: Work}]
    """,
        "POST",
        PROFILE % "step-post",
        before=lambda e: policy(ids_in(e), "step-post", *SEED_POLICY),
        after=lambda e: policy(ids_in(e), "step-post", *SEED_POLICY, (15, [("email", "Work")])),
    ),
    Write(
        "update step",
        """
      victorops.oncall.victorops_paging_step:
        username: step-put
        step: 1
        timeout: 20
        rules: [{type: phone, contact: Mobile}, {type: email, contact: Work}]
    """,
        "PUT",
        PROFILE % "step-put" + "/1",
        before=lambda e: policy(ids_in(e), "step-put", *SEED_POLICY),
        after=lambda e: policy(ids_in(e), "step-put", SEED_POLICY[0], (20, [("phone", "Mobile"), ("email", "Work")])),
    ),
    Write(
        "create rule",
        """
      victorops.oncall.victorops_paging_rule:
        username: rule-post
        step: 1
        type: sms
        contact: Mobile
    """,
        "POST",
        PROFILE % "rule-post" + "/1",
        before=lambda e: policy(ids_in(e), "rule-post", *SEED_POLICY),
        after=lambda e: policy(ids_in(e), "rule-post", SEED_POLICY[0], (10, [("phone", "Mobile"), ("email", "Work"), ("sms", "Mobile")])),
    ),
    Write(
        "update rule",
        """
      victorops.oncall.victorops_paging_rule:
        username: rule-put
        step: 1
        rule: 1
        type: email
        contact: Default
    """,
        "PUT",
        PROFILE % "rule-put" + "/1/1",
        before=lambda e: policy(ids_in(e), "rule-put", *SEED_POLICY),
        after=lambda e: policy(ids_in(e), "rule-put", SEED_POLICY[0], (10, [("phone", "Mobile"), ("email", "Default")])),
    ),
    Write(
        "delete rule",
        """
      victorops.oncall.victorops_paging_rule:
        username: rule-delete
        step: 1
        rule: 0
        type: phone
        contact: Mobile
        state: absent
    """,
        "DELETE",
        PROFILE % "rule-delete" + "/1/0",
        before=lambda e: policy(ids_in(e), "rule-delete", *SEED_POLICY),
        # Sent twice, the DELETE by index would also remove the email rule that moved up.
        after=lambda e: policy(ids_in(e), "rule-delete", SEED_POLICY[0], (10, [("email", "Work")])),
    ),
    Write(
        "take on-call",
        """
      victorops.oncall.victorops_oncall_override:
        policy: %s
        from_user: asmith
        to_user: bwong
    """
        % HIGH_SEVERITY,
        "PATCH",
        "/api-public/v1/policies/%s/oncall/user" % HIGH_SEVERITY,
        before=lambda e: ["asmith"],
        after=lambda e: ["bwong"],
    ),
    Write(
        "create user",
        """
      victorops.oncall.victorops_user:
        username: new-hire
        first_name: Nora
        last_name: Hire
        email: nora.hire@example.com
    """,
        "POST",
        "/api-public/v1/user",
        before=lambda e: False,
        after=lambda e: True,
    ),
    Write(
        "add contact method",
        """
      victorops.oncall.victorops_contact_method:
        username: contact-add
        kind: phone
        value: "+1-555-0299"
        label: Desk
        rank: 1
    """,
        "POST",
        "/api-public/v1/user/contact-add/contact-methods/phones",
        before=lambda e: ["+1-555-0205"],
        after=lambda e: ["+1-555-0205", "+1-555-0299"],
    ),
    Write(
        "add team member",
        """
      victorops.oncall.victorops_team_member:
        team: %s
        username: jdoe
    """
        % DB_TEAM,
        "POST",
        "/api-public/v1/team/%s/members" % DB_TEAM,
        before=lambda e: ["asmith", "cnguyen"],
        after=lambda e: ["asmith", "cnguyen", "jdoe"],
        resend_safe=True,
        refused=422,
    ),
    # Multi-write plans: the fault hits the second of three writes.
    Write(
        "policy with a step added mid-plan",
        """
      victorops.oncall.victorops_paging_policy:
        username: policy-post
        steps:
          - {timeout: 1, rules: [{type: push}, {type: sms, contact: Mobile}]}
          - {timeout: 10, rules: [{type: phone, contact: Mobile}, {type: email, contact: Work}]}
          - {timeout: 15, rules: [{type: email, contact: Work}]}
          - {timeout: 20, rules: [{type: phone, contact: Mobile}]}
    """,
        "POST",
        PROFILE % "policy-post",
        # update step 0, add step 2 (faulted), add step 3: the same method and path once more
        before=lambda e: policy(ids_in(e), "policy-post", (1, SEED_POLICY[0][1]), SEED_POLICY[1]),
        after=lambda e: policy(ids_in(e), "policy-post", (1, SEED_POLICY[0][1]), SEED_POLICY[1], (15, [("email", "Work")]), (20, [("phone", "Mobile")])),
        later_sends=1,
        applied_before="update step 0",
    ),
    Write(
        "policy with a step removed mid-plan",
        """
      victorops.oncall.victorops_paging_policy:
        username: policy-delete
        steps:
          - {timeout: 1, rules: [{type: push}, {type: sms, contact: Mobile}]}
    """,
        "DELETE",
        PROFILE % "policy-delete" + "/1/1",
        # update step 0, delete rule 1 of step 1 (faulted), delete rule 0 of step 1: sent twice, the
        # first DELETE would take the rule that moved up, and the third would find no rule left.
        before=lambda e: policy(ids_in(e), "policy-delete", (1, SEED_POLICY[0][1]), SEED_POLICY[1]),
        after=lambda e: policy(ids_in(e), "policy-delete", (1, SEED_POLICY[0][1])),
        applied_before="update step 0",
    ),
]
OBSERVE = {
    "create step": paging("step-post"),
    "update step": paging("step-put"),
    "create rule": paging("rule-post"),
    "update rule": paging("rule-put"),
    "delete rule": paging("rule-delete"),
    "take on-call": on_call(HIGH_SEVERITY),
    "create user": user_exists("new-hire"),
    "add contact method": phones("contact-add"),
    "add team member": team_members(DB_TEAM),
    "policy with a step added mid-plan": paging("policy-post"),
    "policy with a step removed mid-plan": paging("policy-delete"),
}

# -- the faults --------------------------------------------------------------------------------------

# The modules' request_timeout during the "timeout" fault, and the emulator's delay: longer, so the
# client gives up first, and the server applies the write after the client stopped listening.
CLIENT_TIMEOUT = 1
SERVER_DELAY = 1.5


class Fault:
    def __init__(self, name, kind, outcome, status, applied=False, **options):
        self.name = name
        self.kind = kind
        self.outcome = outcome  # "retried" | "confirmed" | "failed"
        self.status = status  # the logged status of the faulted request
        self.applied = applied  # the emulator carries the faulted request out
        self.options = options


FAULTS = [
    Fault("429", "429", "retried", 429),
    Fault("429 with Retry-After", "429", "retried", 429, retry_after=1),
    Fault("legacy 403 rate limit", "403-rate", "retried", 403),
    Fault("500", "500", "failed", 500),
    Fault("502", "502", "confirmed", 502),
    Fault("503", "503", "confirmed", 503),
    Fault("504", "504", "confirmed", 504),
    Fault("dropped connection", "drop", "confirmed", 0),
    Fault("timeout", "delay", "confirmed", 200, applied=True, seconds=SERVER_DELAY),
    Fault("apply-then-502", "apply-then-502", "confirmed", 502, applied=True),
    Fault("apply-then-drop", "apply-then-drop", "confirmed", 0, applied=True),
]


def expected_sends(fault, write):
    """The statuses the emulator logs for the faulted write (sorted: a delayed one is logged when it ends)."""
    if fault.outcome == "failed":
        return [fault.status]
    if fault.outcome == "retried":
        return sorted([fault.status, 200])
    if not write.resend_safe:
        # Never sent again: the confirming read finds it applied, or the task reports it uncertain.
        return [fault.status]
    # Resend-safe: sent again; when the first one was applied, the re-send is refused and a read confirms it.
    return sorted([fault.status, write.refused if fault.applied else 200])


def uncertain(fault, write):
    """True when the task must fail as "may or may not have been applied": lost, not visible, and not resend-safe."""
    return fault.outcome == "confirmed" and not fault.applied and not write.resend_safe


def playbook(tasks, defaults=None):
    text = "- name: fault matrix\n  hosts: localhost\n  gather_facts: false\n"
    if defaults:
        text += "  module_defaults:\n    group/victorops.oncall.victorops:\n"
        text += "".join("      %s: %s\n" % item for item in sorted(defaults.items()))
    text += "  tasks:\n"
    for name, body in tasks:
        lines = body.strip("\n").splitlines()
        indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        text += "    - name: %s\n      ignore_errors: true\n" % name
        text += "".join("      %s\n" % line[indent:] for line in lines)
    return text


def faulted_sends(emulator, write, expected=()):
    """The statuses logged for the write's method and path, once ``expected`` many are logged: a delayed request is
    logged when its answer ends, which may come after a resend-safe re-send already ended the task (and the play)."""
    deadline = time.monotonic() + SERVER_DELAY + 10
    while True:
        sends = sorted(entry["status"] for entry in emulator.calls(method=write.method, path=write.path))
        if len(sends) >= len(expected) or time.monotonic() > deadline:
            return sends
        time.sleep(0.05)


def logged_sends(fault, write):
    """Everything the emulator logs for the write's method and path: the faulted write, then later writes there."""
    sends = expected_sends(fault, write)
    if fault.outcome == "failed" or uncertain(fault, write):
        return sends
    return sorted(sends + [200] * write.later_sends)


def inject_everywhere(emulator, fault, writes):
    for write in writes:
        emulator.inject(write.method, write.path, fault.kind, **fault.options)


def fault_defaults(fault):
    return {"request_timeout": CLIENT_TIMEOUT} if fault.kind == "delay" else None


# The cell that goes through ansible-playbook; the others run in process.
PLAYBOOK_FAULT = "timeout"


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.name != PLAYBOOK_FAULT], ids=[f.name for f in FAULTS if f.name != PLAYBOOK_FAULT])
def test_every_write_converges_or_fails_clearly_under_the_fault(fault, emulator, run_module):
    emulator.reset(seed=matrix_seed())
    inject_everywhere(emulator, fault, WRITES)
    run = InProcessRun(run_module, [(w.name, w.task) for w in WRITES], fault_defaults(fault))
    check_matrix(fault, emulator, run)


def test_every_write_converges_or_fails_clearly_under_a_timeout_through_ansible_playbook(emulator, run_playbook):
    (fault,) = [f for f in FAULTS if f.name == PLAYBOOK_FAULT]
    emulator.reset(seed=matrix_seed())
    inject_everywhere(emulator, fault, WRITES)
    run = run_playbook(play=playbook([(w.name, w.task) for w in WRITES], fault_defaults(fault)))
    check_matrix(fault, emulator, run)


def check_matrix(fault, emulator, run):
    """Every write of the matrix converged exactly once, or failed clearly without changing anything."""
    assert run.rc == 0, run
    assert "Traceback" not in run.stdout + run.stderr
    problems = []
    for write in WRITES:
        result = run.result(write.name)
        observed = OBSERVE[write.name](emulator)
        sends = faulted_sends(emulator, write, logged_sends(fault, write))
        if sends != logged_sends(fault, write):
            problems.append("%s: the faulted request was logged %r, expected %r" % (write.name, sends, logged_sends(fault, write)))
        if fault.outcome == "failed":
            if run.status(write.name) != "failed":
                problems.append("%s: the task did not fail: %r" % (write.name, result))
            if observed != write.before(emulator):
                problems.append("%s: state %r, expected the untouched %r" % (write.name, observed, write.before(emulator)))
            if "HTTP 500" not in result.get("msg", "") or "Traceback" in result.get("exception", ""):
                problems.append("%s: unclear failure %r" % (write.name, result.get("msg")))
            if write.applied_before and ". Applied: %s (" % write.applied_before not in result.get("msg", ""):
                problems.append("%s: the failure does not say what was applied: %r" % (write.name, result.get("msg")))
            continue
        if uncertain(fault, write):
            msg = result.get("msg", "")
            if run.status(write.name) != "failed" or result.get("error") != "uncertain":
                problems.append("%s: expected an uncertain failure, got %s %r" % (write.name, run.status(write.name), result))
            if "may or may not have been applied" not in msg or "so it was not re-sent" not in msg or "re-run to converge" not in msg:
                problems.append("%s: unclear uncertain failure %r" % (write.name, msg))
            if observed != write.before(emulator):
                problems.append("%s: state %r, expected the untouched %r" % (write.name, observed, write.before(emulator)))
            continue
        if run.status(write.name) != "ok" or result.get("changed") is not True:
            problems.append("%s: expected changed, got %s %r" % (write.name, run.status(write.name), result.get("msg")))
        if observed != write.after(emulator):
            problems.append("%s: state %r, expected %r" % (write.name, observed, write.after(emulator)))
        # Counters: a re-send is a retry; a write confirmed applied is not.
        retries = len(expected_sends(fault, write)) - 1
        if result.get("api", {}).get("retries") != retries:
            problems.append("%s: api.retries %r, expected %d" % (write.name, result.get("api"), retries))
    assert problems == [], "\n".join(problems) + "\n%r" % run


def test_a_second_run_after_the_faults_changes_nothing(emulator, run_module):
    """After faults that were applied and confirmed, the same tasks are all unchanged: nothing was half-done."""
    emulator.reset(seed=matrix_seed())
    for write in WRITES:
        emulator.inject(write.method, write.path, "apply-then-drop")
    first = InProcessRun(run_module, [(w.name, w.task) for w in WRITES])
    assert first.rc == 0, first
    emulator.clear_log()
    second = InProcessRun(run_module, [(w.name, w.task) for w in WRITES])
    assert second.rc == 0, second
    assert [(w.name, second.status(w.name), second.result(w.name)["changed"]) for w in WRITES] == [(w.name, "ok", False) for w in WRITES]
    assert emulator.writes() == []
    for write in WRITES:
        assert OBSERVE[write.name](emulator) == write.after(emulator), write.name


def wait_for_log(emulator, method, path, count, limit=10.0):
    """Wait until ``count`` requests to ``method path`` are logged (a delayed one is logged when it ends)."""
    import time

    deadline = time.monotonic() + limit
    while len(emulator.calls(method=method, path=path)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return emulator.calls(method=method, path=path)


LATE_WRITES = [w for w in WRITES if w.name in ("create step", "delete rule", "take on-call", "create user")]


def test_a_write_still_running_after_the_wait_is_reported_uncertain_and_never_resent(emulator, run_module, contact_id):
    """The API answers nothing for longer than request_timeout twice over: the write lands late, exactly once."""
    emulator.reset(seed=matrix_seed())
    for write in LATE_WRITES:
        emulator.inject(write.method, write.path, "delay", seconds=3.0)
    run = InProcessRun(run_module, [(w.name, w.task) for w in LATE_WRITES], {"request_timeout": CLIENT_TIMEOUT})
    assert run.rc == 0, run
    for write in LATE_WRITES:
        assert run.status(write.name) == "failed", write.name
        msg = run.result(write.name)["msg"]
        assert "no response within 1.0 s (ReadTimeout" in msg, msg
        assert "the write may or may not have been applied: it was not visible 1.0 s later" in msg, msg
        assert "so it was not re-sent" in msg, msg
        assert "Traceback" not in run.result(write.name).get("exception", "")
        # Sent once; the late answer lands after the task gave up, exactly once.
        assert [e["status"] for e in wait_for_log(emulator, write.method, write.path, 1)] == [200], write.name
        assert OBSERVE[write.name](emulator) == write.after(emulator), write.name
    step_msg = run.result("create step")["msg"]
    assert step_msg.endswith(
        ". Applied: none. May or may not have been applied: add step 2 (timeout 15, rules: email to %s, contact method %d). "
        "Not applied: none." % (contact_text(emulator, "step-post", "Work"), contact_id("step-post", "Work"))
    ), step_msg


def test_a_late_write_in_the_middle_of_a_plan_stops_the_plan_and_says_which_write_is_uncertain(emulator, run_module, contact_id):
    emulator.reset(seed=matrix_seed())
    (write,) = [w for w in WRITES if w.name == "policy with a step removed mid-plan"]
    emulator.inject(write.method, write.path, "delay", seconds=3.0)
    run = InProcessRun(run_module, [(write.name, write.task)], {"request_timeout": CLIENT_TIMEOUT})
    msg = run.result(write.name)["msg"]
    assert run.status(write.name) == "failed"
    assert msg.endswith(
        ". Applied: update step 0 (timeout 1, rules: push; sms to %s, contact method %d). "
        "May or may not have been applied: delete rule 1 of step 1. "
        "Not applied: delete rule 0 of step 1 (its last rule: step 1 is removed)."
        % (contact_text(emulator, "policy-delete", "Mobile"), contact_id("policy-delete", "Mobile"))
    ), msg
    assert [e["status"] for e in wait_for_log(emulator, write.method, write.path, 1)] == [200]
    # The late DELETE landed once; the plan stopped, so nothing else was deleted by a shifted index.
    assert OBSERVE[write.name](emulator) == policy(contact_id, "policy-delete", (1, SEED_POLICY[0][1]), (10, [("phone", "Mobile")]))
    assert [(e["method"], e["path"]) for e in emulator.writes()] == [("PUT", PROFILE % "policy-delete" + "/0"), (write.method, write.path)]

    # Run again: the plan is made from what is there now and finishes the job.
    run = InProcessRun(run_module, [(write.name, write.task)])
    assert run.status(write.name) == "ok" and run.result(write.name)["changed"] is True
    assert OBSERVE[write.name](emulator) == write.after(emulator)


BUDGET_FAULTS = [("429", {}, "gave up (3 attempts"), ("403-rate", {}, "gave up (3 attempts"), ("503", {}, None), ("drop", {}, None)]


@pytest.mark.parametrize("kind, options, words", BUDGET_FAULTS, ids=[b[0] for b in BUDGET_FAULTS])
def test_every_write_fails_clearly_when_the_retry_budget_runs_out(kind, options, words, emulator, run_module):
    emulator.reset(seed=matrix_seed())
    for write in WRITES:
        emulator.inject(write.method, write.path, kind, count=3, **options)
    run = InProcessRun(run_module, [(w.name, w.task) for w in WRITES], {"retries": 2, "retry_timeout": 30})
    assert run.rc == 0, run
    for write in WRITES:
        result = run.result(write.name)
        assert run.status(write.name) == "failed", (write.name, result)
        msg = result["msg"]
        expected, sends = words, 3
        if expected is None and not write.resend_safe:
            # A write that is not resend-safe is never sent again: the read does not show it, so it is uncertain.
            expected, sends = "the write may or may not have been applied: it was not visible", 1
            assert result["error"] == "uncertain", result
        elif expected is None:
            expected = "gave up (3 attempts"  # a resend-safe write gives up like a read
        assert expected in msg, (write.name, msg)
        if sends > 1:
            assert "retries=2, retry_timeout=30 s" in msg, msg
        assert len(emulator.calls(method=write.method, path=write.path)) == sends, write.name
        assert OBSERVE[write.name](emulator) == write.before(emulator), write.name
        if write.name in ("create step", "update step", "create rule", "update rule", "delete rule"):
            failed_at = msg.split("failed at '")[1].split("'")[0]
            if sends == 1:  # never re-sent, the lost write is named apart: it may or may not have been applied
                assert msg.endswith("Applied: none. May or may not have been applied: %s. Not applied: none." % failed_at), msg
            else:  # throttled: the API did not process it
                assert msg.endswith("Applied: none. Not applied: %s." % failed_at), msg
        if write.applied_before:
            assert ". Applied: %s (" % write.applied_before in msg, msg
            applied = msg.split(". Applied: ")[1].split(". May or may not have been applied: ")[0].split(". Not applied: ")[0]
            assert result["plan"] == [applied], (msg, result["plan"])


def test_retry_after_beyond_retry_timeout_stops_at_once(emulator, run_module):
    emulator.reset(seed=matrix_seed())
    write = WRITES[0]
    emulator.inject(write.method, write.path, "429", retry_after=30)
    run = InProcessRun(run_module, [(write.name, write.task)], {"retry_timeout": 0.5})
    msg = run.result(write.name)["msg"]
    # The server's wait is longer than the budget: stopped at once, with the server's wait in the message.
    assert "rate limited (HTTP 429): Too Many Requests; the API asked to wait 30.0 s before re-sending (Retry-After), more than the " in msg, msg
    assert "left of retry_timeout (0.5 s): stopped without waiting (1 attempt over " in msg, msg
    assert [e["status"] for e in emulator.calls(method=write.method, path=write.path)] == [429]
    assert OBSERVE[write.name](emulator) == write.before(emulator)


REMOVE_STEP = """
  victorops.oncall.victorops_paging_step:
    username: step-put
    step: 1
    state: absent
"""


def test_multi_write_plan_failing_on_its_second_write_says_what_was_applied(emulator, run_module, contact_id):
    seed = matrix_seed()
    (user,) = [u for u in seed["users"] if u["username"] == "step-put"]
    user["paging_policy"][1]["rules"].append({"type": "push"})  # 3 rules: removing the step takes a PUT, then a DELETE
    emulator.reset(seed=seed)
    emulator.inject("DELETE", PROFILE % "step-put" + "/1/0", "500")
    run = InProcessRun(run_module, [("remove step", REMOVE_STEP)])
    result = run.result("remove step")
    assert run.status("remove step") == "failed"
    mobile, work = contact_id("step-put", "Mobile"), contact_id("step-put", "Work")
    assert result["msg"] == (
        "Changing the paging policy failed at 'delete rule 0 of step 1 (its last rule: step 1 is removed)': "
        "DELETE %s/api-public/v1/profile/step-put/policies/1/0: server error (HTTP 500 Internal Server Error, text/html): "
        "500 Internal Server Error; not retried; the write was confirmed not applied. "
        "Applied: reduce to one rule before removing step 1 (timeout 10, rules: phone to contact method %d). "
        "Not applied: delete rule 0 of step 1 (its last rule: step 1 is removed)." % (emulator.url, mobile)
    )
    assert result["plan"] == ["reduce to one rule before removing step 1 (timeout 10, rules: phone to contact method %d)" % mobile]
    assert emulator.state["users"]["step-put"]["paging_policy"] == policy(contact_id, "step-put", SEED_POLICY[0], (10, [("phone", "Mobile")]))
    assert work  # the email rule went with the applied PUT

    # Run again: it picks up from the half-done state and finishes, one DELETE.
    emulator.clear_log()
    run = InProcessRun(run_module, [("remove step", REMOVE_STEP)])
    assert run.status("remove step") == "ok" and run.result("remove step")["changed"] is True, run
    assert [(e["method"], e["path"]) for e in emulator.writes()] == [("DELETE", PROFILE % "step-put" + "/1/0")]
    assert emulator.state["users"]["step-put"]["paging_policy"] == policy(contact_id, "step-put", SEED_POLICY[0])
