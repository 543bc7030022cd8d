"""Fault matrix, removals: deleting a user, a contact method and a team member under every fault of test_faults.py.

Each removal is a DELETE by a stable identity (a username, a contact method's id, a team and a username):
resend-safe, so after a lost answer it is sent again, and a late copy can change nothing else. When the
first one was applied, the re-send is refused (404) and a read confirms the removal: a confirmation that
always answered "applied" would hide a refused re-send of something never removed; one that always
answered "not applied" would fail a removal that happened. Each test runs the three removals, each aimed at
its own object so that a fault on one's exact method and path hits it alone, and then checks the emulator's
request log (what was sent, how many times) and its state (removed exactly once, or untouched when the task
failed). The tasks run in this process (``tests/in_process.py``) against the same emulator; test_faults.py
runs the fault matrix's writes through a real ansible-playbook.
"""

import pytest

from ansible_collections.victorops.oncall.tests.in_process import InProcessRun
from ansible_collections.victorops.oncall.tests.e2e.test_faults import FAULTS, expected_sends, faulted_sends

pytestmark = pytest.mark.slow

DATABASE = "team-Db4DemoTeamAb002"
# Short enough to keep the waits before the confirming reads small; the "timeout" fault's delay is longer.
REQUEST_TIMEOUT = 1


def removal_seed():
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    for username in ("rm-user", "rm-contact", "rm-member"):
        seed["users"].append(
            {
                "username": username,
                "firstName": "Removal",
                "lastName": username[3:].title(),
                "email": "%s@example.com" % username,
                "contact_methods": {"phones": [{"label": "Desk", "value": "+1-555-0399"}]},
            }
        )
    for team in seed["teams"]:
        if team["slug"] == DATABASE:
            team["members"].append("rm-member")
    return seed


class Removal:
    def __init__(self, name, task, path, present):
        self.name = name
        self.task = task
        self.method = "DELETE"
        self.path = path  # an fnmatch glob of the faulted request's path
        self.present = present  # emulator -> whether the object is still there
        self.resend_safe = True
        self.refused = 404  # a re-send after the removal was applied finds nothing to remove
        self.later_sends = 0


REMOVALS = [
    Removal(
        "delete user",
        """
      victorops.oncall.victorops_user:
        username: rm-user
        state: absent
        replacement: asmith
    """,
        "/api-public/v1/user/rm-user",
        lambda e: "rm-user" in e.state["users"],
    ),
    Removal(
        "delete contact method",
        """
      victorops.oncall.victorops_contact_method:
        username: rm-contact
        kind: phone
        value: "+1 (555) 039-9"
        state: absent
    """,
        "/api-public/v1/user/rm-contact/contact-methods/phones/*",
        lambda e: [c["label"] for c in e.state["users"]["rm-contact"]["contact_methods"]["phones"]] == ["Desk"],
    ),
    Removal(
        "remove team member",
        """
      victorops.oncall.victorops_team_member:
        team: %s
        username: rm-member
        state: absent
        replacement: asmith
    """
        % DATABASE,
        "/api-public/v1/team/%s/members/rm-member" % DATABASE,
        lambda e: "rm-member" in e.state["teams"][DATABASE]["members"],
    ),
]


def untouched(emulator):
    """What the removals must never touch: the other members of the team, the replacement, the other users' phones."""
    return (
        [m for m in emulator.state["teams"][DATABASE]["members"] if m != "rm-member"],
        "asmith" in emulator.state["users"],
        sorted(c["value"] for u in ("jdoe", "asmith", "bwong") for c in emulator.state["users"][u]["contact_methods"]["phones"]),
    )


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_every_removal_happens_exactly_once_or_fails_clearly_under_the_fault(fault, emulator, run_module):
    emulator.reset(seed=removal_seed())
    keep = untouched(emulator)
    for removal in REMOVALS:
        emulator.inject(removal.method, removal.path, fault.kind, **fault.options)
    run = InProcessRun(run_module, [(r.name, r.task) for r in REMOVALS], {"request_timeout": REQUEST_TIMEOUT})
    assert run.rc == 0, run
    assert "Traceback" not in run.stdout + run.stderr

    problems = []
    for removal in REMOVALS:
        result = run.result(removal.name)
        sends = faulted_sends(emulator, removal, expected_sends(fault, removal))
        if sends != expected_sends(fault, removal):
            problems.append("%s: the DELETE was logged %r, expected %r" % (removal.name, sends, expected_sends(fault, removal)))
        if fault.outcome == "failed":
            if run.status(removal.name) != "failed" or "HTTP 500" not in result.get("msg", ""):
                problems.append("%s: expected a clear failure, got %s %r" % (removal.name, run.status(removal.name), result.get("msg")))
            if not removal.present(emulator):
                problems.append("%s: removed although the task failed" % removal.name)
            continue
        if run.status(removal.name) != "ok" or result.get("changed") is not True:
            problems.append("%s: expected changed, got %s %r" % (removal.name, run.status(removal.name), result.get("msg")))
        if removal.present(emulator):
            problems.append("%s: still there (a lost DELETE taken for applied)" % removal.name)
        retries = len(expected_sends(fault, removal)) - 1
        if result.get("api", {}).get("retries") != retries:
            problems.append("%s: api.retries %r, expected %d" % (removal.name, result.get("api"), retries))
    if untouched(emulator) != keep:
        problems.append("something else was removed: %r, expected %r" % (untouched(emulator), keep))
    assert problems == [], "\n".join(problems) + "\n%r" % run


def test_a_second_run_after_applied_then_lost_removals_changes_nothing(emulator, run_module):
    emulator.reset(seed=removal_seed())
    for removal in REMOVALS:
        emulator.inject(removal.method, removal.path, "apply-then-drop")
    first = InProcessRun(run_module, [(r.name, r.task) for r in REMOVALS], {"request_timeout": REQUEST_TIMEOUT})
    assert first.rc == 0, first
    assert [(r.name, first.status(r.name), first.result(r.name)["changed"], r.present(emulator)) for r in REMOVALS] == [
        (r.name, "ok", True, False) for r in REMOVALS
    ]
    emulator.clear_log()
    second = InProcessRun(run_module, [(r.name, r.task) for r in REMOVALS])
    assert second.rc == 0, second
    assert [(r.name, second.status(r.name), second.result(r.name)["changed"]) for r in REMOVALS] == [(r.name, "ok", False) for r in REMOVALS]
    assert emulator.writes() == []
