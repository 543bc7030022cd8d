"""Fault matrix: every write the modules make, under every fault the emulator can inject.

Each test runs one real ansible-playbook that makes all the writes below, one task per write, each
aimed at its own user or object so that a fault injected on one write's exact method and path hits
that write and nothing else. The emulator's final state is then compared with the desired state:
the write happened exactly once (no duplicate step or rule, no lost write), or, for the faults that
are not retried by design, did not happen and the task says so.
"""

import pytest

pytestmark = pytest.mark.slow

# -- the organisation the matrix runs against -------------------------------------------------------

POLICY_USERS = ("step-post", "step-put", "rule-post", "rule-put", "rule-delete", "contact-add", "whole-policy")


def matrix_seed():
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    for number, username in enumerate(POLICY_USERS):
        seed["users"].append({
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
        })
    return seed


def contact_id(emulator, username, label):
    methods = emulator.state["users"][username]["contact_methods"]
    (found,) = [c["id"] for c in methods["emails"] + methods["phones"] if c["label"] == label]
    return found


def policy(emulator, username, *steps):
    """Normalised steps from ``(timeout, [(type, contact label or None), ...])`` pairs."""
    return [
        {"timeout": timeout, "rules": [{"type": kind, "contact_id": None if label is None else contact_id(emulator, username, label)}
                                       for kind, label in rules]}
        for timeout, rules in steps
    ]


SEED_POLICY = ((5, [("push", None), ("sms", "Mobile")]), (10, [("phone", "Mobile"), ("email", "Work")]))


class Write:
    """One write of the matrix: the task making it, where its fault goes, and the states on each side."""

    def __init__(self, name, task, method, path, before, after, idempotent=False, writes=1):
        self.name = name
        self.task = task
        self.method = method
        self.path = path
        self.before = before  # emulator -> the observed state when the write did not happen
        self.after = after  # emulator -> the observed state when it happened exactly once
        self.idempotent = idempotent  # PUT: re-sent blindly after an ambiguous failure
        self.writes = writes  # writes the task sends without faults


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
    Write("create step", """
      victorops.oncall.victorops_paging_step:
        username: step-post
        step: 2
        timeout: 15
        rules: [{type: email, contact: Work}]
    """, "POST", PROFILE % "step-post",
        before=lambda e: policy(e, "step-post", *SEED_POLICY),
        after=lambda e: policy(e, "step-post", *SEED_POLICY, (15, [("email", "Work")]))),
    Write("update step", """
      victorops.oncall.victorops_paging_step:
        username: step-put
        step: 1
        timeout: 20
        rules: [{type: phone, contact: Mobile}, {type: email, contact: Work}]
    """, "PUT", PROFILE % "step-put" + "/1",
        before=lambda e: policy(e, "step-put", *SEED_POLICY),
        after=lambda e: policy(e, "step-put", SEED_POLICY[0], (20, [("phone", "Mobile"), ("email", "Work")])),
        idempotent=True),
    Write("create rule", """
      victorops.oncall.victorops_paging_rule:
        username: rule-post
        step: 1
        type: sms
        contact: Mobile
    """, "POST", PROFILE % "rule-post" + "/1",
        before=lambda e: policy(e, "rule-post", *SEED_POLICY),
        after=lambda e: policy(e, "rule-post", SEED_POLICY[0], (10, [("phone", "Mobile"), ("email", "Work"), ("sms", "Mobile")]))),
    Write("update rule", """
      victorops.oncall.victorops_paging_rule:
        username: rule-put
        step: 1
        rule: 1
        type: email
        contact: Default
    """, "PUT", PROFILE % "rule-put" + "/1/1",
        before=lambda e: policy(e, "rule-put", *SEED_POLICY),
        after=lambda e: policy(e, "rule-put", SEED_POLICY[0], (10, [("phone", "Mobile"), ("email", "Default")])),
        idempotent=True),
    Write("delete rule", """
      victorops.oncall.victorops_paging_rule:
        username: rule-delete
        step: 1
        rule: 0
        type: phone
        contact: Mobile
        state: absent
    """, "DELETE", PROFILE % "rule-delete" + "/1/0",
        before=lambda e: policy(e, "rule-delete", *SEED_POLICY),
        # Sent twice, the DELETE by index would also remove the email rule that moved up.
        after=lambda e: policy(e, "rule-delete", SEED_POLICY[0], (10, [("email", "Work")]))),
    Write("take on-call", """
      victorops.oncall.victorops_oncall_override:
        policy: %s
        from_user: asmith
        to_user: bwong
    """ % HIGH_SEVERITY, "PATCH", "/api-public/v1/policies/%s/oncall/user" % HIGH_SEVERITY,
        before=lambda e: ["asmith"], after=lambda e: ["bwong"]),
    Write("create user", """
      victorops.oncall.victorops_user:
        username: new-hire
        first_name: Nora
        last_name: Hire
        email: nora.hire@example.com
    """, "POST", "/api-public/v1/user",
        before=lambda e: False, after=lambda e: True),
    Write("add contact method", """
      victorops.oncall.victorops_contact_method:
        username: contact-add
        kind: phone
        value: "+1-555-0299"
        label: Desk
        rank: 1
    """, "POST", "/api-public/v1/user/contact-add/contact-methods/phones",
        before=lambda e: ["+1-555-0205"], after=lambda e: ["+1-555-0205", "+1-555-0299"]),
    Write("add team member", """
      victorops.oncall.victorops_team_member:
        team: %s
        username: jdoe
    """ % DB_TEAM, "POST", "/api-public/v1/team/%s/members" % DB_TEAM,
        before=lambda e: ["asmith", "cnguyen"], after=lambda e: ["asmith", "cnguyen", "jdoe"]),
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
    """The statuses the emulator logs for the faulted write, in order."""
    if fault.outcome == "failed":
        return [fault.status]
    if fault.outcome == "retried":
        return [fault.status, 200]
    if fault.applied and not write.idempotent:
        # The confirming read finds the write applied: it is not sent again.
        return [fault.status]
    # Not applied (confirmed by a re-read, so re-sent), or idempotent (re-sent blindly).
    return [fault.status, 200]


def playbook(tasks, defaults=None):
    text = "- name: fault matrix\n  hosts: localhost\n  gather_facts: false\n"
    if defaults:
        text += "  module_defaults:\n    group/victorops.oncall.victorops:\n"
        text += "".join("      %s: %s\n" % item for item in sorted(defaults.items()))
    text += "  tasks:\n"
    for name, body in tasks:
        lines = [line for line in body.strip("\n").splitlines()]
        indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        text += "    - name: %s\n      ignore_errors: true\n" % name
        text += "".join("      %s\n" % line[indent:] for line in lines)
    return text


def faulted_sends(emulator, write):
    return [entry["status"] for entry in emulator.calls(method=write.method, path=write.path)]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_every_write_converges_or_fails_clearly_under_the_fault(fault, emulator, run_playbook):
    emulator.reset(seed=matrix_seed())
    for write in WRITES:
        emulator.inject(write.method, write.path, fault.kind, **fault.options)
    defaults = {"request_timeout": CLIENT_TIMEOUT} if fault.kind == "delay" else None
    run = run_playbook(play=playbook([(w.name, w.task) for w in WRITES], defaults))
    assert run.rc == 0, run
    assert "Traceback" not in run.stdout + run.stderr

    problems = []
    for write in WRITES:
        result = run.result(write.name)
        observed = OBSERVE[write.name](emulator)
        sends = faulted_sends(emulator, write)
        if sends != expected_sends(fault, write):
            problems.append("%s: the faulted request was logged %r, expected %r" % (write.name, sends, expected_sends(fault, write)))
        if fault.outcome == "failed":
            if run.status(write.name) != "failed":
                problems.append("%s: the task did not fail: %r" % (write.name, result))
            if observed != write.before(emulator):
                problems.append("%s: state %r, expected the untouched %r" % (write.name, observed, write.before(emulator)))
            if "HTTP 500" not in result.get("msg", "") or "Traceback" in result.get("exception", ""):
                problems.append("%s: unclear failure %r" % (write.name, result.get("msg")))
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


def test_a_second_run_after_the_faults_changes_nothing(emulator, run_playbook):
    """After faults that were applied and confirmed, the same tasks are all unchanged: nothing was half-done."""
    emulator.reset(seed=matrix_seed())
    for write in WRITES:
        emulator.inject(write.method, write.path, "apply-then-drop")
    first = run_playbook(play=playbook([(w.name, w.task) for w in WRITES]))
    assert first.rc == 0, first
    emulator.clear_log()
    second = run_playbook(play=playbook([(w.name, w.task) for w in WRITES]))
    assert second.rc == 0, second
    assert [(w.name, second.status(w.name), second.result(w.name)["changed"]) for w in WRITES] == [(w.name, "ok", False) for w in WRITES]
    assert emulator.writes() == []
    for write in WRITES:
        assert OBSERVE[write.name](emulator) == write.after(emulator), write.name
