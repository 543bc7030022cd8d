"""Bad input for every module: the cases, shared by the in-process tests (every value, test_bad_input.py beside this
file) and the end-to-end test (a few of them through ansible-playbook, tests/e2e/test_bad_input.py)."""

LONG = "x" * 10240
STEP = "victorops.oncall.victorops_paging_step"
RULE = "victorops.oncall.victorops_paging_rule"
POLICY = "victorops.oncall.victorops_paging_policy"
USER = "victorops.oncall.victorops_user"
CONTACT = "victorops.oncall.victorops_contact_method"
MEMBER = "victorops.oncall.victorops_team_member"
OVERRIDE = "victorops.oncall.victorops_oncall_override"
INFO = "victorops.oncall.victorops_policy_info"
PUSH = [{"type": "push"}]
TEAM = "team-Q2opsDemoTeam001"


class Case:
    """One bad input: the task, and words its failure message must contain (the option's name first)."""

    def __init__(self, name, module, args, *words, **kwargs):
        self.name = name
        self.module = module
        self.args = args
        self.words = words
        # The API alone knows which users exist; where no read shows it before the write, the one
        # write is sent and refused, changing nothing (see docs/reliability.md): (method, status) of that write.
        self.refused_write = kwargs.get("refused_write")

    def __repr__(self):
        return self.name


# Values that would change the request's path, tried in every option that goes into a path.
PATH_VALUES = [
    ("dot-dot", "../x"),
    ("slash", "a/b"),
    ("query", "a?b"),
    ("encoded dot-dot", "%2e%2e"),
    ("fragment", "a#b"),
    ("newline", "a\nb"),
    ("10 kB", LONG),
    ("zero-width space", "a\u200bb"),
]
PATH_OPTIONS = [
    (STEP, "username", dict(step=0, timeout=5, rules=PUSH)),
    (RULE, "username", dict(step=0, type="push")),
    (POLICY, "username", dict(steps=[{"timeout": 5, "rules": PUSH}])),
    (USER, "username", dict(first_name="A", last_name="B", email="a.b@example.com")),
    (CONTACT, "username", dict(kind="phone", value="+15550100999", rank=1)),
    (MEMBER, "username", dict(team=TEAM)),
    (OVERRIDE, "to_user", dict(policy="pol-Hs7opsDemoPol001", from_user="asmith")),
    (INFO, "paging_policy", {}),
    (INFO, "user_paging_policies", {}),
    (INFO, "team_policies", {}),
]
PATH_CASES = [
    Case("%s %s %s" % (module.rsplit(".", 1)[1], option, label), module, dict(args, **{option: value}), option)
    for module, option, args in PATH_OPTIONS
    for label, value in PATH_VALUES
]

# Every other kind of bad input. None of them may lead to a write.
CASES = [
    # wrong types
    Case("step not a number", STEP, dict(username="jdoe", step="first", timeout=5, rules=PUSH), "step", "int"),
    # Ansible words this one itself, without naming the option.
    Case("rules not a list of rules", STEP, dict(username="jdoe", step=0, timeout=5, rules="push"), "dictionary requested"),
    Case("rank not a number", CONTACT, dict(username="jdoe", kind="phone", value="+15550100999", rank="high"), "rank", "int"),
    Case("escalation_policies not a boolean", INFO, dict(escalation_policies="maybe"), "escalation_policies"),
    Case("steps not a list", POLICY, dict(username="jdoe", steps={"timeout": 5}), "steps"),
    Case("contact_id not a number", RULE, dict(username="jdoe", step=0, type="email", contact_id="mine"), "contact_id", "int"),
    Case("retries negative", INFO, dict(types=["timeouts"], retries=-1), "retries"),
    Case("request_timeout zero", INFO, dict(types=["timeouts"], request_timeout=0), "request_timeout"),
    # out-of-range indexes
    Case("step negative", STEP, dict(username="jdoe", step=-1, timeout=5, rules=PUSH), "step", "-1"),
    Case("step beyond the end", STEP, dict(username="jdoe", step=9, timeout=5, rules=PUSH), "step", "9"),
    Case("rule step beyond the end", RULE, dict(username="jdoe", step=9, type="push"), "step", "9"),
    Case("rule index negative", RULE, dict(username="jdoe", step=0, rule=-1, type="push"), "rule", "-1"),
    Case("rule index beyond the end", RULE, dict(username="jdoe", step=0, rule=9, type="push"), "rule", "9"),
    Case("step 0 removed", STEP, dict(username="jdoe", step=0, state="absent"), "step 0"),
    Case("rule 0 of step 0 removed", RULE, dict(username="jdoe", step=0, rule=0, type="push", state="absent"), "rule 0 of step 0"),
    # outside the choices
    Case("paging timeout not allowed", STEP, dict(username="jdoe", step=0, timeout=7, rules=PUSH), "timeout", "7"),
    Case("rule type unknown", RULE, dict(username="jdoe", step=0, type="pager"), "type", "pager"),
    Case("policy rule type unknown", POLICY, dict(username="jdoe", steps=[{"timeout": 5, "rules": [{"type": "fax"}]}]), "type", "fax"),
    Case("state unknown", USER, dict(username="jdoe", state="gone"), "state", "gone"),
    Case("contact kind unknown", CONTACT, dict(username="jdoe", kind="fax", value="+15550100999"), "kind", "fax"),
    Case("info type unknown", INFO, dict(types=["colours"]), "types", "colours"),
    Case("rate limit profile unknown", INFO, dict(types=["timeouts"], rate_limit_profile="2030"), "rate_limit_profile", "2030"),
    # unknown users and policies
    Case("step unknown user", STEP, dict(username="nobody", step=0, timeout=5, rules=PUSH), "nobody", "not found"),
    Case("rule unknown user", RULE, dict(username="nobody", step=0, type="push"), "nobody", "not found"),
    Case("policy unknown user", POLICY, dict(username="nobody", steps=[{"timeout": 5, "rules": PUSH}]), "nobody", "not found"),
    Case("contact unknown user", CONTACT, dict(username="nobody", kind="phone", value="+15550100999", rank=1), "username", "nobody"),
    Case(
        "member unknown user", MEMBER, dict(team=TEAM, username="nobody"), "username 'nobody' could not be added", "User not found", refused_write=("POST", 404)
    ),
    Case("member unknown team", MEMBER, dict(team="No Such Team", username="jdoe"), "team", "No Such Team"),
    Case("override unknown policy", OVERRIDE, dict(policy="pol-NoSuchPolicy0000", from_user="asmith", to_user="bwong"), "pol-NoSuchPolicy0000"),
    Case(
        "override unknown to_user",
        OVERRIDE,
        dict(policy="pol-Hs7opsDemoPol001", from_user="asmith", to_user="nobody"),
        "to_user 'nobody' could not take",
        "not found",
        refused_write=("PATCH", 404),
    ),
    Case("override from_user not on call", OVERRIDE, dict(policy="pol-Hs7opsDemoPol001", from_user="jdoe", to_user="bwong"), "from_user", "jdoe"),
    Case("info unknown user", INFO, dict(paging_policy="nobody"), "nobody"),
    Case("user removed without replacement", USER, dict(username="bwong", state="absent"), "replacement"),
    Case(
        "user removed for an unknown replacement",
        USER,
        dict(username="bwong", state="absent", replacement="nobody"),
        "replacement 'nobody'",
        "Replacement user nobody was not found",
        refused_write=("DELETE", 422),
    ),
    # contacts of the wrong kind, or unknown
    Case("sms to an email address", RULE, dict(username="jdoe", step=0, type="sms", contact="jdoe.work@example.com"), "contact"),
    Case("email to a phone number", STEP, dict(username="jdoe", step=0, timeout=5, rules=[{"type": "email", "contact": "+1-555-0100"}]), "rules[0]", "contact"),
    Case("push with a contact", RULE, dict(username="jdoe", step=0, type="push", contact="Mobile"), "contact"),
    Case("unknown contact label", POLICY, dict(username="jdoe", steps=[{"timeout": 5, "rules": [{"type": "sms", "contact": "Pager"}]}]), "steps[0]", "Pager"),
    Case("contact id of another user", RULE, dict(username="jdoe", step=0, type="email", contact_id=999999), "contact_id", "999999"),
    Case("email contact that is not an address", CONTACT, dict(username="jdoe", kind="email", value="jdoe at example"), "value"),
    Case("phone contact that is not a number", CONTACT, dict(username="jdoe", kind="phone", value="call me", rank=1), "value"),
    Case("contact and contact_id together", RULE, dict(username="jdoe", step=0, type="email", contact="Work", contact_id=1), "contact"),
    # empty strings
    Case("empty username", STEP, dict(username="", step=0, timeout=5, rules=PUSH), "username", "empty"),
    Case("blank username", USER, dict(username="  ", first_name="A", last_name="B", email="a.b@example.com"), "username", "empty"),
    Case("empty contact value", CONTACT, dict(username="jdoe", kind="email", value=""), "value", "empty"),
    Case("empty team", MEMBER, dict(team="", username="jdoe"), "team", "empty"),
    Case("empty policy", OVERRIDE, dict(policy="", from_user="asmith", to_user="bwong"), "policy", "empty"),
    Case("no steps", POLICY, dict(username="jdoe", steps=[]), "steps"),
    Case("step without rules", STEP, dict(username="jdoe", step=0, timeout=5, rules=[]), "rules"),
    Case("nothing to read", INFO, {}, "Nothing to read"),
    # very long and Unicode values outside paths
    Case("10 kB email", USER, dict(username="long-mail", first_name="A", last_name="B", email=LONG), "email"),
    Case("10 kB contact value", CONTACT, dict(username="jdoe", kind="phone", value=LONG, rank=1), "value"),
    Case("10 kB contact name", RULE, dict(username="jdoe", step=0, type="sms", contact=LONG), "contact"),
    # VictorOps usernames are ASCII: refused before any request, whatever the API would say.
    Case("Unicode username", STEP, dict(username="j\u00f6hn-\u6771\u4eac", step=0, timeout=5, rules=PUSH), "username", "not a valid username"),
    Case("Unicode phone", CONTACT, dict(username="jdoe", kind="phone", value="\u0661\u0662\u0663-\u0664\u0665\u0666", rank=1), "value"),
    # Booleans are not ids or numbers: the argument spec would take true for 1.
    Case("contact_id true", RULE, dict(username="jdoe", step=0, type="email", contact_id=True), "contact_id must be a number, got the boolean true"),
    Case(
        "nested contact_id true",
        POLICY,
        dict(username="jdoe", steps=[{"timeout": 5, "rules": [{"type": "email", "contact_id": True}]}]),
        "steps[0].rules[0].contact_id must be a number, got the boolean true",
    ),
    Case(
        "contact_methods id true",
        POLICY,
        dict(username="jdoe", steps=[{"timeout": 5, "rules": PUSH}], contact_methods=[{"id": True, "kind": "email", "value": "a@example.com"}]),
        "contact_methods[0].id must be a number, got the boolean true",
    ),
    Case("rank true", CONTACT, dict(username="jdoe", kind="phone", value="+15550100999", rank=True), "rank must be a number, got the boolean true"),
    # E.164: a phone number without its country code is refused with the fix.
    Case(
        "phone without country code",
        CONTACT,
        dict(username="jdoe", kind="phone", value="5550107011"),
        "value '5550107011' (kind=phone) has no country code",
        "E.164",
    ),
    Case("team name typo", MEMBER, dict(team="Databse", username="jdoe"), "team 'Databse'", "did you mean 'Database'?"),
]


def problems_of(case, status, result):
    """What is wrong with the outcome of one case: it must fail, clearly, naming the option, without a needless write."""
    if status != "failed":
        return ["%s: not refused: %r" % (case.name, result)]
    problems = []
    msg = result.get("msg", "")
    if "Traceback" in msg or "Traceback" in result.get("exception", "") or "Unexpected error" in msg:
        problems.append("%s: traceback or unexpected error: %r" % (case.name, result))
    missing = [word for word in case.words if word not in msg]
    if missing:
        problems.append("%s: message %r lacks %r" % (case.name, msg[:600], missing))
    if result.get("api", {}).get("writes", 0) != (1 if case.refused_write else 0):
        problems.append("%s: writes were sent: %r" % (case.name, result["api"]))
    return problems


def policy_name_cases():
    """victorops_oncall_override takes a policy by name too: values that are not slug-shaped are names looked up (in the
    on-call read, then, as no policy has such a name, in the policy list), those no name can have (control characters,
    10 kB) are refused before any request."""
    looked_up = [(label, value) for label, value in PATH_VALUES if label in ("dot-dot", "slash", "query", "encoded dot-dot", "fragment")]
    refused = [(label, value) for label, value in PATH_VALUES if (label, value) not in looked_up]
    cases = [
        Case(
            "policy name %s" % label,
            OVERRIDE,
            dict(policy=value, from_user="asmith", to_user="bwong"),
            "policy",
            "no escalation policy has that name or slug; known escalation policies: ",
        )
        for label, value in looked_up
    ]
    cases += [
        Case("policy %s" % label, OVERRIDE, dict(policy=value, from_user="asmith", to_user="bwong"), "policy", "is not a valid name or slug")
        for label, value in refused
    ]
    return cases


POLICY_NAME_CASES = policy_name_cases()
