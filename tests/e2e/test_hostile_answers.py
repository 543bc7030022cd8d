"""Hostile answers to the reads each module makes: truncated JSON, a 200 with an HTML page, a body
missing the expected keys, an enormous body. Each must end in a clear failure: never a traceback,
never a wrong "no change", never a write decided on a misread state.

The tasks run in this process (``tests/in_process.py``, the ``run_module`` fixture against the same emulator),
except the confirming read answered with truncated JSON, which goes through a real ansible-playbook.
"""

import pytest
import yaml

from ansible_collections.victorops.oncall.tests.in_process import InProcessRun

pytestmark = pytest.mark.slow

API = "/api-public/v1"
TEAM = "team-Q2opsDemoTeam001"

HOSTILE_USERS = ["hostile%d" % n for n in range(1, 10)]


def hostile_seed():
    """The demo seed plus one user per read of a paging policy or contact methods, so each fault hits one task."""
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    for number, username in enumerate(HOSTILE_USERS):
        seed["users"].append(
            {
                "username": username,
                "firstName": "Hos",
                "lastName": "Tile",
                "email": "%s@example.com" % username,
                "contact_methods": {
                    "emails": [{"label": "Work", "value": "%s.work@example.com" % username}],
                    "phones": [{"label": "Mobile", "value": "+1-555-04%02d" % number}],
                },
                "paging_policy": [{"timeout": 5, "rules": [{"type": "push"}]}, {"timeout": 10, "rules": [{"type": "email", "contact": "Work"}]}],
            }
        )
    return seed


# (task name, module, arguments, the read answered with the hostile body). Every task would change
# something or return data when the answer is sound; no two tasks make the same read.
MOBILE = [{"type": "push"}, {"type": "sms", "contact": "Mobile"}]
READS = [
    ("info escalation policies", "victorops_policy_info", dict(escalation_policies=True), API + "/policies"),
    ("info team policies", "victorops_policy_info", dict(team_policies=TEAM), API + "/team/%s/policies" % TEAM),
    ("info paging policy", "victorops_policy_info", dict(paging_policy="hostile1"), API + "/profile/hostile1/policies"),
    ("info user paging policies", "victorops_policy_info", dict(user_paging_policies="hostile2"), API + "/user/hostile2/policies"),
    ("info timeout types", "victorops_policy_info", dict(types=["timeouts"]), API + "/policies/types/timeouts"),
    (
        "step reads the policy",
        "victorops_paging_step",
        dict(username="hostile3", step=0, timeout=10, rules=[{"type": "push"}]),
        API + "/profile/hostile3/policies",
    ),
    ("step reads the contacts", "victorops_paging_step", dict(username="hostile4", step=1, timeout=15, rules=MOBILE), API + "/user/hostile4/contact-methods"),
    ("rule reads the policy", "victorops_paging_rule", dict(username="hostile5", step=0, type="push", rule=1), API + "/profile/hostile5/policies"),
    (
        "rule reads the contacts",
        "victorops_paging_rule",
        dict(username="hostile6", step=1, type="sms", contact="Mobile"),
        API + "/user/hostile6/contact-methods",
    ),
    (
        "override reads who is on call",
        "victorops_oncall_override",
        dict(policy="pol-Hs7opsDemoPol001", from_user="asmith", to_user="bwong"),
        API + "/oncall/current",
    ),
    ("user reads the user", "victorops_user", dict(username="jdoe", first_name="Johnny"), API + "/user/jdoe"),
    (
        "contact reads the phones",
        "victorops_contact_method",
        dict(username="hostile7", kind="phone", value="+15550109999", rank=1),
        API + "/user/hostile7/contact-methods/phones",
    ),
    ("member reads the teams", "victorops_team_member", dict(team="Database", username="jdoe"), API + "/team"),
    ("member reads the members", "victorops_team_member", dict(team=TEAM, username="cnguyen"), API + "/team/%s/members" % TEAM),
]
POLICY_READS = [
    (
        "policy reads the policy",
        "victorops_paging_policy",
        dict(username="hostile8", steps=[{"timeout": 1, "rules": [{"type": "push"}]}]),
        API + "/profile/hostile8/policies",
    ),
    (
        "policy reads the contacts",
        "victorops_paging_policy",
        dict(username="hostile9", steps=[{"timeout": 1, "rules": MOBILE}]),
        API + "/user/hostile9/contact-methods",
    ),
]
# A re-read confirming an ambiguous write is a read too: a hostile answer there must not be taken for "not applied".
CONFIRMING_READ = (
    "override confirms its take",
    "victorops_oncall_override",
    dict(policy="pol-Db9DemoPrimary02", from_user="cnguyen", to_user="asmith"),
    API + "/oncall/current",
)

HOSTILE = [
    ("truncated-json", {}, "not valid JSON"),
    ("html-200", {}, "not valid JSON"),
    ("missing-keys", {}, "Unexpected answer from GET"),
    ("huge", {}, "Unexpected answer from GET"),  # 5 MiB of valid JSON with none of the expected keys
    ("huge", {"size": 12 * 1024 * 1024}, "larger than 10485760 bytes"),
]


def playbook(reads):
    tasks = [{"name": name, "victorops.oncall." + module: args, "ignore_errors": True} for name, module, args, _path in reads]
    return yaml.safe_dump([{"name": "hostile answers", "hosts": "localhost", "gather_facts": False, "tasks": tasks}], sort_keys=False)


def in_process(run_module, reads):
    return InProcessRun(run_module, [(name, {module: args}) for name, module, args, _path in reads])


@pytest.mark.parametrize("kind, options, words", HOSTILE, ids=["truncated-json", "html-200", "missing-keys", "huge-5MiB", "huge-12MiB"])
def test_every_read_answered_with_garbage_fails_clearly(kind, options, words, emulator, run_module):
    reads = READS + POLICY_READS
    untouched = serve_garbage(emulator, kind, options, reads)
    check_clear_failures(emulator, kind, words, reads, in_process(run_module, reads), untouched)


def serve_garbage(emulator, kind, options, reads):
    """Reset the emulator, inject the hostile answer on every read: the state that must stay untouched."""
    import copy

    emulator.reset(seed=hostile_seed())
    untouched = copy.deepcopy(emulator.state)
    for _name, _module, _args, path in reads:
        emulator.inject("GET", path, kind, **options)
    return untouched


def check_clear_failures(emulator, kind, words, reads, run, untouched):
    assert run.rc == 0, run
    assert "Traceback" not in run.stdout + run.stderr

    problems = []
    for name, _module, _args, path in reads:
        status, result = run.status(name), run.result(name)
        msg = result.get("msg", "")
        if status != "failed":
            problems.append("%s: %s, changed=%r: a hostile answer was taken for a sound one" % (name, status, result.get("changed")))
            continue
        if result.get("changed"):
            problems.append("%s: failed but changed" % name)
        if "Traceback" in result.get("exception", "") or "Unexpected error" in msg:
            problems.append("%s: not a clear failure: %r" % (name, msg[:300]))
        if len(msg) > 1500:
            problems.append("%s: message of %d characters" % (name, len(msg)))
        if path not in msg and path.replace("/api-public/v1", "") not in msg and "GET " not in msg:
            problems.append("%s: the message does not say which read failed: %r" % (name, msg[:300]))
        if words and words not in msg:
            problems.append("%s: %r lacks %r" % (name, msg[:300], words))
        if result.get("api", {}).get("writes", 0) != 0:
            problems.append("%s: a write was sent after a hostile read: %r" % (name, result["api"]))
    assert problems == [], "\n".join(problems)
    assert emulator.writes() == []
    assert emulator.state == untouched
    assert [e["fault"] for e in emulator.log].count(kind) == len(reads)  # every hostile answer was served


# The kind of hostile confirming read that goes through ansible-playbook; the others run in process.
PLAYBOOK_KIND = "truncated-json"


@pytest.mark.parametrize("kind", ["truncated-json", "html-200", "missing-keys"])
def test_a_hostile_answer_to_a_confirming_read_is_not_taken_for_not_applied(kind, emulator, run_module, run_playbook):
    name, _module, _args, path = CONFIRMING_READ
    # Faults apply in order: the first read (before the take) is answered soundly after no delay,
    # the take is applied but its answer lost, and the read that would confirm it gets garbage.
    emulator.inject("GET", path, "delay", seconds=0)
    emulator.inject("GET", path, kind)
    emulator.inject("PATCH", API + "/policies/pol-Db9DemoPrimary02/oncall/user", "apply-then-502")
    run = run_playbook(play=playbook([CONFIRMING_READ])) if kind == PLAYBOOK_KIND else in_process(run_module, [CONFIRMING_READ])
    result = run.result(name)
    assert run.status(name) == "failed", result
    assert "Traceback" not in result.get("exception", "")
    assert "/api-public/v1/oncall/current" in result["msg"]  # the read named, as a URL or as the operation's path
    # Sent once: an unreadable confirmation is not taken for "not applied", so the take is not sent again.
    assert [(e["method"], e["status"]) for e in emulator.writes()] == [("PATCH", 502)]
    assert [e["fault"] for e in emulator.log] == ["delay", "apply-then-502", kind]
    assert emulator.state["oncall"]["pol-Db9DemoPrimary02"] == ["asmith"]
