"""Every emulator variant x every end-to-end scenario it can affect: converge on the first run, change nothing on the second.

Each variant (tests/emulator/_variants.py, docs/emulator.md "Variants") runs the scenarios below that the
variant can affect, each aimed at its own user or team, twice: the module tasks in this process
(``tests/in_process.py``, the ``run_module`` fixture against the same emulator: the variants change what the
API answers, which the modules and their client handle, not ansible-playbook), then the role (O) through a real
``ansible-playbook``. The first run must leave the emulator's state exactly as desired; the second must
send no write and report no change. From the state and the request log the test counts duplicates
(an object or a non-idempotent write twice), lost writes (something asked for that is missing),
wrong deletions (something that was there and should have stayed, gone) and unexpected leftovers
(for example an empty step nobody asked for): all must be zero. docs/reliability.md ("Variants") has
the table of what each variant runs and why the other scenarios cannot be affected.

Scenarios (one letter each):

P  victorops_paging_policy: update step 0, replace step 1's rules, add step 2; contacts by value in another format
K  victorops_paging_policy: shrink a 3-step policy to 1 step (two step removals)
S  victorops_paging_step: remove the last step (2 rules: a PUT, then the last rule's DELETE), update step 1
R  victorops_paging_rule: delete the only rule of step 1 (the step goes), append a rule by value in another case
F  victorops_paging_policy on an email rule without a contact, which the API pages as push: nothing to write
C  victorops_contact_method: add a phone and an email in another format, remove a phone and an email named in
   another format
T  victorops_team_member: add a member, remove a member with a replacement
U  victorops_user: create a user, remove a user with a replacement
O  the role victorops.oncall.user_onboarding: a new person with a phone, a second email, a team and explicit steps
"""

import collections
import json

import pytest
import yaml

from ansible_collections.victorops.oncall.tests.in_process import InProcessRun

pytestmark = pytest.mark.slow

DATABASE = "team-Db4DemoTeamAb002"
OPERATIONS = "team-Q2opsDemoTeam001"
# late-writes: the emulator carries the first write of each operation out this late; the modules wait
# request_timeout (longer) before reading back, so the confirming read sees the write landed. Resend-safe writes
# (team members, contact-method deletes, user updates and deletes) are sent again at once instead; their late
# copy is refused (422, 404) and changes nothing. Writes by index or POSTs are sent once.
LATE_WRITE_DELAY = 0.3
REQUEST_TIMEOUT = 1.0

ALL = "PKSRFCTUO"
# variant -> the scenarios it can affect (the reasons for leaving the others out are in docs/reliability.md).
MATRIX = {
    "default": ALL,
    "reformat-contacts": "PRCUO",
    "keep-empty-steps": "KSR",
    "case-insensitive-users": "PCTUO",
    "throttle-403": "PCTU",
    "no-extid": "CO",
    "error-200": "CTU",
    "late-writes": "PKSRCTU",
    "rate-2ps": "PKRCU",
    "rate-2ps-even": "PKRCU",
    "contactless-rules": "PKSRF",
}
# throttle-403: one throttle on one write of each kind, after the task's first (accepted) read.
THROTTLES = [
    ("POST", "/api-public/v1/profile/mx-policy/policies"),
    ("PUT", "/api-public/v1/profile/mx-policy/policies/*"),
    ("POST", "/api-public/v1/user/mx-contact/contact-methods/phones"),
    ("DELETE", "/api-public/v1/user/mx-contact/contact-methods/emails/*"),
    ("POST", "/api-public/v1/team/%s/members" % DATABASE),
    ("DELETE", "/api-public/v1/user/mx-gone"),
    ("POST", "/api-public/v1/user"),
]


# -- the organisation ----------------------------------------------------------------------------


def person(username, emails=(), phones=(), policy=None):
    user = {
        "username": username,
        "firstName": "Matrix",
        "lastName": username.split("-")[1].title(),
        "email": "%s@example.com" % username,
        "contact_methods": {
            "emails": [{"label": label, "value": value} for label, value in emails],
            "phones": [{"label": label, "value": value} for label, value in phones],
        },
    }
    if policy is not None:
        user["paging_policy"] = [
            {"timeout": timeout, "rules": [dict(type=kind, **({"contact": c} if c else {})) for kind, c in rules]} for timeout, rules in policy
        ]
    return user


def matrix_seed():
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()

    def work(user):
        return [("Work", "%s.work@example.com" % user)]

    seed["users"] += [
        person(
            "mx-policy",
            work("mx-policy"),
            [("Mobile", "+15550300101")],
            [(5, [("push", None), ("sms", "Mobile")]), (10, [("phone", "Mobile"), ("email", "Work")])],
        ),
        person(
            "mx-shrink",
            work("mx-shrink"),
            [("Mobile", "+15550300201")],
            [(5, [("push", None), ("sms", "Mobile")]), (10, [("phone", "Mobile")]), (15, [("email", "Work"), ("sms", "Mobile")])],
        ),
        person(
            "mx-step",
            work("mx-step"),
            [("Mobile", "+15550300301")],
            [(5, [("push", None)]), (10, [("phone", "Mobile"), ("email", "Work")]), (15, [("sms", "Mobile"), ("email", "Work")])],
        ),
        person("mx-rule", work("mx-rule"), [("Mobile", "+15550300401")], [(5, [("push", None), ("sms", "Mobile")]), (10, [("phone", "Mobile")])]),
        person("mx-fallback", (), (), [(5, [("email", None)])]),
        person("mx-contact", work("mx-contact") + [("Old", "mx-contact.old@example.com")], [("Mobile", "+15550300501"), ("Desk", "+15550300502")]),
        person("mx-member"),
        person("mx-leaver"),
        person("mx-gone"),
    ]
    for team in seed["teams"]:
        if team["slug"] == DATABASE:
            team["members"].append("mx-leaver")
    return seed


# -- the scenarios -------------------------------------------------------------------------------


def name(username, variant):
    """Usernames as the playbook spells them: in another case where the API ignores case."""
    if variant != "case-insensitive-users":
        return username
    return "-".join(part.upper() if i == 0 else part.title() for i, part in enumerate(username.split("-")))


def module_tasks(scenarios, variant):
    """The tasks of the scenarios' module play, in order: [(scenario, task dict)]."""

    def n(username):
        return name(username, variant)

    policy = "victorops.oncall.victorops_paging_policy"
    tasks = {
        "P": [
            {
                policy: {
                    "username": n("mx-policy"),
                    "steps": [
                        {"timeout": 1, "rules": [{"type": "push"}, {"type": "sms", "contact": "+1 (555) 030-0101"}]},
                        {"timeout": 10, "rules": [{"type": "email", "contact": "MX-Policy.Work@Example.COM"}]},
                        {"timeout": 20, "rules": [{"type": "phone", "contact": "Mobile"}]},
                    ],
                }
            }
        ],
        "K": [{policy: {"username": n("mx-shrink"), "steps": [{"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": "Mobile"}]}]}}],
        "S": [
            {"victorops.oncall.victorops_paging_step": {"username": n("mx-step"), "step": 2, "state": "absent"}},
            {
                "victorops.oncall.victorops_paging_step": {
                    "username": n("mx-step"),
                    "step": 1,
                    "timeout": 20,
                    "rules": [{"type": "phone", "contact": "Mobile"}, {"type": "email", "contact": "Work"}],
                }
            },
        ],
        "R": [
            {
                "victorops.oncall.victorops_paging_rule": {
                    "username": n("mx-rule"),
                    "step": 1,
                    "rule": 0,
                    "type": "phone",
                    "contact": "Mobile",
                    "state": "absent",
                }
            },
            {"victorops.oncall.victorops_paging_rule": {"username": n("mx-rule"), "step": 0, "type": "email", "contact": "MX-Rule.Work@EXAMPLE.com"}},
        ],
        "F": [{policy: {"username": n("mx-fallback"), "steps": [{"timeout": 5, "rules": [{"type": "push"}]}]}}],
        "C": [
            {"victorops.oncall.victorops_contact_method": dict(username=n("mx-contact"), kind=kind, value=value, **extra)}
            for kind, value, extra in (
                ("phone", "+1 (555) 030-0599", {"label": "Backup", "rank": 1}),
                ("email", "MX-Contact.Alias@Example.COM", {"label": "Alias", "rank": 1}),
                ("phone", "+1 (555) 030-0502", {"state": "absent"}),
                ("email", "MX-Contact.Old@EXAMPLE.com", {"state": "absent"}),
            )
        ],
        "T": [
            {"victorops.oncall.victorops_team_member": {"team": DATABASE, "username": n("mx-member")}},
            {
                "victorops.oncall.victorops_team_member": {
                    "team": DATABASE,
                    "username": n("mx-leaver"),
                    "state": "absent",
                    "replacement": name("asmith", variant).title() if variant == "case-insensitive-users" else "asmith",
                }
            },
        ],
        "U": [
            {"victorops.oncall.victorops_user": {"username": n("mx-new"), "first_name": "Nora", "last_name": "New", "email": "MX.New@Example.com"}},
            {"victorops.oncall.victorops_user": {"username": n("mx-gone"), "state": "absent", "replacement": "asmith"}},
        ],
    }
    chosen = []
    for scenario in scenarios:
        for number, task in enumerate(tasks.get(scenario, [])):
            chosen.append((scenario, dict(name="%s%d" % (scenario, number), ignore_errors=True, **task)))
    return chosen


def onboarding_people(variant):
    return [
        {
            "username": name("mx-onboard", variant),
            "first_name": "Olga",
            "last_name": "Onboard",
            "email": "mx-onboard@example.com",
            "phone": "+15550300801",
            "phone_label": "Mobile",
            "contact_methods": [{"type": "email", "value": "MX-Onboard.Alias@Example.com", "label": "Alias"}],
            "teams": ["Operations"],
            "paging_steps": [
                {"timeout": 1, "rules": [{"type": "push"}, {"type": "sms", "contact": "phone"}, {"type": "email", "contact": "Alias"}]},
                {"timeout": 15, "rules": [{"type": "phone", "contact": "+15550300801"}, {"type": "email", "contact": "email"}]},
            ],
        }
    ]


def playbook(scenarios, variant, tmp_path):
    plays = []
    tasks = [task for _scenario, task in module_tasks(scenarios, variant)]
    if tasks:
        plays.append({"name": "variant matrix", "hosts": "localhost", "gather_facts": False, "tasks": tasks})
    if "O" in scenarios:
        plays.append(
            {
                "name": "variant matrix onboarding",
                "hosts": "localhost",
                "gather_facts": False,
                "vars": {"user_onboarding_people": onboarding_people(variant), "user_onboarding_report_file": str(tmp_path / "onboarding-report.json")},
                "roles": [{"role": "victorops.oncall.user_onboarding"}],
            }
        )
    return yaml.safe_dump(plays, sort_keys=False)


# -- the state each scenario must leave --------------------------------------------------------------


def contact_ids(emulator, username):
    """{(kind, label): id} of a user's contact methods."""
    methods = emulator.state["users"][username]["contact_methods"]
    return {(kind, m["label"]): m["id"] for kind in ("emails", "phones") for m in methods[kind]}


def policy_facts(emulator, username, steps=None):
    """A policy as a multiset of steps ``(index, timeout, rules)``; ``steps`` uses contact labels, else the emulator's state."""
    if steps is None:
        steps = [(s["timeout"], [(r["type"], r["contact_id"]) for r in s["rules"]]) for s in emulator.state["users"][username]["paging_policy"]]
        by_id = {v: k[1] for k, v in contact_ids(emulator, username).items()}
        steps = [(timeout, [(kind, by_id.get(cid, cid)) for kind, cid in rules]) for timeout, rules in steps]
    return collections.Counter(("policy", username, i, timeout, tuple(map(tuple, rules))) for i, (timeout, rules) in enumerate(steps))


def contact_facts(emulator, username, contacts=None):
    """Contact methods as a multiset of ``(kind, canonical value)``; ``contacts`` lists ``(kind, value)``."""
    from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import contact_key

    if contacts is None:
        methods = emulator.state["users"][username]["contact_methods"]
        contacts = [(kind[:-1], m["value"]) for kind in ("emails", "phones") for m in methods[kind]]
    return collections.Counter(("contact", username, kind, contact_key(kind, value)) for kind, value in contacts)


def member_facts(emulator, slug, members=None):
    from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import user_key

    members = emulator.state["teams"][slug]["members"] if members is None else members
    return collections.Counter(("member", slug, user_key(m)) for m in members)


def user_facts(emulator, username, wanted=None):
    """Whether the user exists (any case), or the users ``wanted``."""
    from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import user_key

    if wanted is not None:
        return collections.Counter(("user", user_key(u)) for u in wanted)
    stored = {user_key(u) for u in emulator.state["users"]}
    return collections.Counter([("user", user_key(username))] if user_key(username) in stored else [])


FACTS = {"policy": policy_facts, "contacts": contact_facts, "members": member_facts, "users": user_facts}
# scenario -> [(kind of facts, user or team, the desired facts)]
DESIRED = {
    "P": [("policy", "mx-policy", [(1, [("push", None), ("sms", "Mobile")]), (10, [("email", "Work")]), (20, [("phone", "Mobile")])])],
    "K": [("policy", "mx-shrink", [(5, [("push", None), ("sms", "Mobile")])])],
    "S": [("policy", "mx-step", [(5, [("push", None)]), (20, [("phone", "Mobile"), ("email", "Work")])])],
    "R": [("policy", "mx-rule", [(5, [("push", None), ("sms", "Mobile"), ("email", "Work")])])],
    # The seed's email rule without a contact pages as push: it stays as the API holds it.
    "F": [("policy", "mx-fallback", [(5, [("email", None)])])],
    "C": [
        (
            "contacts",
            "mx-contact",
            [
                ("email", "mx-contact@example.com"),
                ("email", "mx-contact.work@example.com"),
                ("email", "mx-contact.alias@example.com"),
                ("phone", "+15550300501"),
                ("phone", "+15550300599"),
            ],
        )
    ],
    "T": [("members", DATABASE, ["asmith", "cnguyen", "mx-member"])],
    "U": [("users", "mx-new", ["mx-new"]), ("users", "mx-gone", [])],
    "O": [
        ("users", "mx-onboard", ["mx-onboard"]),
        ("contacts", "mx-onboard", [("email", "mx-onboard@example.com"), ("email", "mx-onboard.alias@example.com"), ("phone", "+15550300801")]),
        ("members", OPERATIONS, ["jdoe", "asmith", "bwong", "mx-onboard"]),
        ("policy", "mx-onboard", [(1, [("push", None), ("sms", "Mobile"), ("email", "Alias")]), (15, [("phone", "Mobile"), ("email", "Default")])]),
    ],
}


def stored(emulator, username):
    """The stored form of a username (the emulator may have lower-cased it)."""
    from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import user_key

    return next((u for u in emulator.state["users"] if user_key(u) == user_key(username)), username)


def safe_facts(emulator, kind, key, wanted=None):
    """The facts of one entry, for a user that may not exist (yet, or any more)."""
    if kind in ("policy", "contacts") and wanted is None:
        key = stored(emulator, key)
        if key not in emulator.state["users"]:
            return collections.Counter()
    return FACTS[kind](emulator, key, wanted)


def count(before, wanted, after):
    """duplicates, lost writes, wrong deletions and leftovers between three multisets of facts."""
    tally = dict(duplicates=0, lost=0, wrong_deletions=0, leftovers=0)
    for fact in set(before) | set(wanted) | set(after):
        have, want, had = after[fact], wanted[fact], before[fact]
        if want and have > want:
            tally["duplicates"] += have - want
        elif not want and have:
            tally["leftovers"] += have
        if have < want:
            tally["wrong_deletions" if had else "lost"] += want - have
    return tally


def duplicated_writes(emulator):
    """Non-idempotent writes (POST, PATCH) that the emulator carried out more than once with the same path and body."""
    applied = collections.Counter()
    for entry in emulator.log:
        late = entry.get("late") or {}
        status = late.get("status") if entry.get("fault") == "late-write" else entry["status"]
        if entry["method"] in ("POST", "PATCH") and status == 200:
            applied[(entry["method"], entry["path"].lower(), json.dumps(entry["body"], sort_keys=True).lower())] += 1
    return sum(n - 1 for n in applied.values() if n > 1)


SCENARIO_KEYS = {
    "P": ["mx-policy"],
    "K": ["mx-shrink"],
    "S": ["mx-step"],
    "R": ["mx-rule"],
    "F": ["mx-fallback"],
    "C": ["mx-contact"],
    "T": [DATABASE.lower()],
    "U": ["mx-new", "mx-gone"],
    "O": ["mx-onboard", OPERATIONS.lower()],
}


def writes_by_scenario(emulator):
    """{scenario: number of writes} from the request log, attributed by the user or team in the path or body."""
    counts = collections.Counter()
    for entry in emulator.writes():
        text = (entry["path"] + " " + json.dumps(entry["body"])).lower()
        scenario = next((s for s, keys in SCENARIO_KEYS.items() if any(k in text for k in keys)), "?")
        counts[scenario] += 1
    return counts


# -- the test ------------------------------------------------------------------------------------------


def variant_options(variant):
    options = {"variants": [] if variant == "default" else [variant]}
    if variant == "late-writes":
        options["late_write_delay"] = LATE_WRITE_DELAY
    return options


def scenario_facts(emulator, scenarios, desired=False):
    """The facts of the scenarios: as the emulator holds them now, or as desired."""
    facts = collections.Counter()
    for scenario in scenarios:
        for kind, key, want in DESIRED[scenario]:
            facts += safe_facts(emulator, kind, key, want if desired else None)
    return facts


def checked_throttles(emulator, variant):
    """The throttled answers of the log: only the injected ones, each once, under throttle-403; none otherwise."""
    throttled = [e for e in emulator.log if e["status"] in (403, 429)]
    if variant == "throttle-403":
        assert len([e for e in throttled if e["fault"] == "403-rate"]) == len(THROTTLES), throttled
        assert not [e for e in throttled if e["fault"] is None], throttled
    elif variant == "rate-2ps-even":
        # Requests sent together that the limit allows are refused once; the pacer then spaces them evenly.
        assert len(throttled) <= 1 and all(e["fault"] is None for e in throttled), throttled
    else:
        assert throttled == [], throttled
    return throttled


def run_scenarios(scenarios, variant, run_module, run_playbook, tmp_path, env):
    """One run of the scenarios: the module tasks in this process, then the role (O) through ansible-playbook."""
    run = InProcessRun(run_module, [(task["name"], task) for _s, task in module_tasks(scenarios, variant)])
    if "O" in scenarios:
        role = run_playbook(play=playbook("O", variant, tmp_path), env=env)
        run.rc, run.stdout, run.stderr = role.rc, run.stdout + role.stdout, role.stderr
        run.records += role.records
    return run


@pytest.mark.parametrize("emulator", [variant_options(v) for v in MATRIX], ids=list(MATRIX), indirect=True)
def test_every_scenario_converges_then_a_second_run_changes_nothing(emulator, run_module, run_playbook, tmp_path, request, record_property, monkeypatch):
    variant = request.node.callspec.id
    scenarios = MATRIX[variant]
    emulator.reset(seed=matrix_seed())
    before = scenario_facts(emulator, scenarios)
    if variant == "throttle-403":
        for method, path in THROTTLES:
            emulator.inject(method, path, "403-rate")
    env = {"VICTOROPS_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT)} if variant == "late-writes" else None
    for variable, value in (env or {}).items():
        monkeypatch.setenv(variable, value)  # the modules run in this process read it there

    first = run_scenarios(scenarios, variant, run_module, run_playbook, tmp_path, env)
    emulator.settle()
    tasks = [task["name"] for _s, task in module_tasks(scenarios, variant)]
    assert first.rc == 0, first
    failed = [(r["task"], r["result"].get("msg")) for r in first.records if r["status"] == "failed"]
    assert failed == [], failed
    wanted = scenario_facts(emulator, scenarios, desired=True)
    after = scenario_facts(emulator, scenarios)
    tally = count(before, wanted, after)
    tally["duplicates"] += duplicated_writes(emulator)
    first_writes = writes_by_scenario(emulator)
    throttled = checked_throttles(emulator, variant)
    assert tally == dict(duplicates=0, lost=0, wrong_deletions=0, leftovers=0), (tally, sorted(after - wanted), sorted(wanted - after), first)
    assert after == wanted, (sorted(after - wanted), sorted(wanted - after))
    changed = {task for task in tasks if first.result(task).get("changed")}
    # Every task that had something to do says so; F0 has nothing to do (the API pages the contactless rule as push).
    assert changed == {task for task in tasks if task != "F0"}, changed

    emulator.clear_log()
    second = run_scenarios(scenarios, variant, run_module, run_playbook, tmp_path, env)
    emulator.settle()
    assert second.rc == 0, second
    assert [(r["task"], r["status"]) for r in second.records if r["status"] != "ok" and r["status"] != "skipped"] == []
    assert [r["task"] for r in second.records if r["result"].get("changed")] == []
    assert emulator.writes() == []
    assert scenario_facts(emulator, scenarios) == wanted
    if variant == "rate-2ps-even":
        # One refusal teaches the pacer for good: at most one in both runs together (timing decides whether the first
        # run sends two requests of an operation close enough to meet it).
        assert len(throttled) + len([e for e in emulator.log if e["status"] in (403, 429)]) <= 1
    # The figures of docs/reliability.md's table (pytest --junitxml shows them as properties).
    record_property(
        "matrix",
        json.dumps(
            dict(
                variant=variant, scenarios=scenarios, first_writes=dict(first_writes), second_writes=len(emulator.writes()), throttled=len(throttled), **tally
            ),
            sort_keys=True,
        ),
    )


REFUSALS = [
    (
        "taken email",
        {"victorops.oncall.victorops_user": {"username": "mx-taken", "first_name": "Tom", "last_name": "Taken", "email": "john.doe@example.com"}},
        "Email john.doe@example.com is unavailable",
    ),
    (
        "no replacement",
        {"victorops.oncall.victorops_team_member": {"team": DATABASE, "username": "asmith", "state": "absent"}},
        "set replacement to a member who takes over the shifts",
    ),
]


@pytest.mark.parametrize("emulator", [variant_options(v) for v in ("default", "error-200")], ids=["default", "error-200"], indirect=True)
def test_a_refusal_is_a_failure_with_the_api_text_whatever_its_status(emulator, run_module, request):
    """error-200 answers refusals with HTTP 200 {"error": ...}: still a failure, never a change, and nothing changes."""
    state = json.dumps(emulator.state, sort_keys=True)
    run = InProcessRun(run_module, [(name, task) for name, task, _words in REFUSALS])
    assert run.rc == 0, run
    status = 200 if request.node.callspec.id == "error-200" else 422
    for name, _task, words in REFUSALS:
        result = run.result(name)
        assert run.status(name) == "failed" and not result.get("changed"), (name, result)
        assert words in result["msg"], (name, result["msg"])
        assert "Traceback" not in result.get("exception", "")
    assert [entry["status"] for entry in emulator.writes()] == [status, status]
    assert json.dumps(emulator.state, sort_keys=True) == state


@pytest.mark.parametrize("emulator", [variant_options("late-writes")], ids=["late-writes"], indirect=True)
def test_a_late_step_update_never_lands_on_the_step_that_moved_up(emulator, run_module, monkeypatch):
    """late-writes, a step removal in the middle of a policy: "reduce to one rule" (a PUT by index) answers 504 and lands late.

    Re-sent, the PUT could be followed by the DELETE of the step's last rule, which moves the next step up; a late
    copy would then land on the index the next step now has and overwrite it. A PUT by index is not resend-safe: it
    is never sent again. One request_timeout after the 504 the confirming read finds it landed (0.3 s late), and the
    plan goes on: one PUT in the log, where the client used to re-send it (504, then 200).
    """
    seed = matrix_seed()
    seed["users"].append(
        person(
            "mx-late",
            [("Work", "mx-late.work@example.com")],
            [("Mobile", "+15550300901")],
            [(5, [("push", None)]), (10, [("sms", "Mobile"), ("email", "Work"), ("push", None)]), (15, [("phone", "Mobile")])],
        )
    )
    emulator.reset(seed=seed)
    tasks = [
        # An earlier rule deletion takes the late first delete_rule, so that the plan's DELETE below is carried out at once.
        {
            "name": "earlier",
            "victorops.oncall.victorops_paging_rule": {"username": "mx-rule", "step": 1, "rule": 0, "type": "phone", "contact": "Mobile", "state": "absent"},
        },
        {"name": "remove step 1", "victorops.oncall.victorops_paging_step": {"username": "mx-late", "step": 1, "state": "absent"}},
    ]
    monkeypatch.setenv("VICTOROPS_REQUEST_TIMEOUT", str(REQUEST_TIMEOUT))
    run = InProcessRun(run_module, [(task["name"], task) for task in tasks])
    emulator.settle()
    assert run.rc == 0, run
    assert run.result("remove step 1")["changed"] is True
    assert policy_facts(emulator, "mx-late") == policy_facts(emulator, "mx-late", [(5, [("push", None)]), (15, [("phone", "Mobile")])])
    # (No second run here: removing step 1 by index again would remove the step that moved up, by design.)
    assert [entry["status"] for entry in emulator.calls(method="PUT", path="/api-public/v1/profile/mx-late/policies/1")] == [504]
