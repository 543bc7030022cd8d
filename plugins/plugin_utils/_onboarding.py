# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logic of the role victorops.oncall.user_onboarding, as pure functions behind its filters.

* :func:`paging_steps` expands one person's paging template or explicit steps into the steps given to
  ``victorops_paging_policy`` (placeholders and the person's own contact-method labels become values).
* :func:`onboarding_plan` checks every person before any API call and returns one plan per person.
* :func:`resolve_teams` turns team names into slugs from one read of the team list.
* :func:`outcome` turns a person's registered task results into their report entry (rendered by
  ``_lifecycle.report_lines``, like every role's).
* :func:`preview` says, in check mode, what would be set up for a person whose user does not exist yet.

Input errors that can be found without the API raise :class:`OnboardingInputError`, with every problem found.
"""

from __future__ import annotations

from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import (
    CONTACT_KIND,
    EMAIL_PATTERN,
    RULE_TYPES,
    TEAM_SLUG,
    TIMEOUTS,
    USERNAME_PATTERN,
    contact_key,
    contact_text,
    phone_problem,
)
from ansible_collections.victorops.oncall.plugins.plugin_utils import _lifecycle

PLACEHOLDERS = ("email", "phone")
CONTACT_TYPES = ("phone", "email")
PERSON_FIELDS = ("username", "first_name", "last_name", "email", "phone", "phone_label", "contact_methods", "teams", "paging_template", "paging_steps")


class OnboardingInputError(ValueError):
    """Input that cannot be onboarded; ``problems`` lists every problem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("Invalid user_onboarding_people: " + "; ".join(self.problems))


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value):
    return value.strip() if isinstance(value, str) else value


def person_contacts(person, phone_label="Mobile"):
    """The contact methods the person declares, ``[{kind, value, label, option}]``: the phone first, then ``contact_methods``.

    The account email is not in the list: VictorOps creates it with the user.
    """
    contacts = []
    if not _blank(person.get("phone")):
        label = person.get("phone_label")
        contacts.append(dict(kind="phone", value=_text(person["phone"]), label=label if not _blank(label) else phone_label, option="phone"))
    for i, item in enumerate(person.get("contact_methods") or []):
        if isinstance(item, dict):
            contacts.append(dict(kind=item.get("type"), value=_text(item.get("value")), label=item.get("label"), option="contact_methods[%d]" % i))
    return contacts


def _contact_problems(person, contacts):
    """Problems of the declared contact methods (type, value format, duplicates)."""
    problems = []
    seen = {}
    email = person.get("email")
    if isinstance(email, str) and email.strip():
        seen[("email", contact_key("email", email))] = "email"
    for i, item in enumerate(person.get("contact_methods") or []):
        if not isinstance(item, dict):
            problems.append("contact_methods[%d]: expected a dictionary with type, value and label, got %r" % (i, item))
    for contact in contacts:
        option, kind, value = contact["option"], contact["kind"], contact["value"]
        if option != "phone" and kind not in CONTACT_TYPES:
            problems.append("%s.type: %r is not one of phone, email" % (option, kind))
            continue
        where = option if option == "phone" else option + ".value"
        if not isinstance(value, str) or not value:
            problems.append("%s: a %s contact method needs a value" % (where, kind))
            continue
        if kind == "email" and not EMAIL_PATTERN.match(value):
            problems.append("%s: %r is not an email address" % (where, value))
            continue
        if kind == "phone" and phone_problem(value):
            problems.append("%s: %r %s" % (where, value, phone_problem(value)))
            continue
        if option != "phone" and contact["label"] is not None and (not isinstance(contact["label"], str) or not contact["label"].strip()):
            problems.append("%s.label must be a non-empty string when given" % option)
        key = (kind, contact_key(kind, value))
        if key in seen:
            if seen[key] == "email":
                problems.append(
                    "%s: %r is the person's email, which VictorOps adds as a contact method itself: remove it from contact_methods" % (where, value)
                )
            else:
                problems.append("%s and %s are the same %s %r: list each contact method once" % (seen[key], where, kind, value))
            continue
        seen[key] = where
    return problems


def _resolve_contact(rule_type, contact, person, contacts):
    """``(value or label, problem)`` for a rule's ``contact``: placeholders and the person's own labels become values."""
    kind = CONTACT_KIND[rule_type]
    if contact in PLACEHOLDERS:
        if contact != kind:
            return None, "the placeholder %r is the person's %s; %s %s rule needs a %s" % (
                contact,
                contact,
                "an" if rule_type in ("email", "sms") else "a",
                rule_type,
                kind,
            )
        if contact == "email":
            return _text(person.get("email")), None
        phone = person.get("phone")
        if _blank(phone):
            return None, "missing-phone"
        return _text(phone), None
    own = [c for c in contacts if c["kind"] == kind and isinstance(c["value"], str)]
    key = contact_key(kind, contact)
    if kind == "email" and isinstance(person.get("email"), str) and key == contact_key("email", person["email"]):
        return _text(person["email"]), None
    for c in own:
        if key and contact_key(kind, c["value"]) == key:
            return c["value"], None
    labelled = [c for c in own if isinstance(c["label"], str) and c["label"] == contact] or [
        c for c in own if isinstance(c["label"], str) and c["label"].lower() == contact.lower()
    ]
    if len(labelled) == 1:
        return labelled[0]["value"], None
    if len(labelled) > 1:
        return None, "the label %r names several of the person's %s contact methods (%s): give the value" % (
            contact,
            kind,
            ", ".join(c["option"] for c in labelled),
        )
    return contact, None  # a value or label of a contact method the user already has: the paging policy module resolves it


def policy_source(person, default_template):
    if person.get("paging_steps") is not None:
        return "paging_steps"
    template = person.get("paging_template")
    return "template %s" % (template if not _blank(template) else default_template)


def _policy_steps(person, templates, default_template):
    """``(source, option, problem)``: the steps the person's policy comes from, and what names them in messages."""
    if person.get("paging_steps") is not None:
        source = person["paging_steps"]
        if not isinstance(source, list) or not source:
            return None, None, "paging_steps is empty: give at least one step, or leave paging_steps out to use a template"
        return source, "paging_steps", None
    name = person.get("paging_template")
    name = default_template if _blank(name) else name
    if not isinstance(templates, dict) or name not in templates:
        known = ", ".join(sorted(templates)) if isinstance(templates, dict) else "none"
        return None, None, "unknown paging template %r (known templates: %s)" % (name, known)
    option = "template %s" % name
    if not isinstance(templates[name], list) or not templates[name]:
        return None, None, "%s has no steps" % option
    return templates[name], option, None


def _timeout(value):
    """The step timeout as an int, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _contact_rule(rule_type, contact, rwhere, person, contacts):
    """``(rule, key, problem, missing_phone)`` of an email, SMS or phone rule that names its contact by value, label or placeholder."""
    if _blank(contact) or not isinstance(contact, str):
        article = "an" if rule_type in ("email", "sms") else "a"
        return (
            None,
            None,
            "%s: %s %s rule needs a contact (a value, a label, or the placeholder %s)" % (rwhere, article, rule_type, CONTACT_KIND[rule_type]),
            False,
        )
    value, problem = _resolve_contact(rule_type, contact.strip(), person, contacts)
    if problem == "missing-phone":
        return dict(type=rule_type, contact="phone"), (rule_type, "phone", "phone"), None, True
    if problem:
        return None, None, "%s.contact: %s" % (rwhere, problem), False
    kind = CONTACT_KIND[rule_type]
    return dict(type=rule_type, contact=value), (rule_type, kind, contact_key(kind, value)), None, False


def _rule(rule, rwhere, person, contacts):
    """``(rule, key, problem, missing_phone)``: one rule as ``victorops_paging_policy`` takes it, and the key two equal rules share."""
    if not isinstance(rule, dict):
        return None, None, "%s: expected a dictionary with type and contact, got %r" % (rwhere, rule), False
    rule_type = rule.get("type")
    if rule_type not in RULE_TYPES:
        return None, None, "%s.type: %r is not one of %s" % (rwhere, rule_type, ", ".join(RULE_TYPES)), False
    contact, contact_id = rule.get("contact"), rule.get("contact_id")
    if rule_type == "push":
        if contact is not None or contact_id is not None:
            return None, None, "%s: a push rule pages every device of the person and takes no contact or contact_id" % rwhere, False
        return dict(type="push"), ("push",), None, False
    if contact is not None and contact_id is not None:
        return None, None, "%s: give either contact or contact_id, not both" % rwhere, False
    if contact_id is not None:
        try:
            contact_id = int(contact_id)
        except (TypeError, ValueError):
            return None, None, "%s.contact_id: %r is not a number" % (rwhere, contact_id), False
        return dict(type=rule_type, contact_id=contact_id), (rule_type, "id", contact_id), None, False
    return _contact_rule(rule_type, contact, rwhere, person, contacts)


def _step(step, where, person, contacts):
    """``(step, problems, missing_phone)``: one step as ``victorops_paging_policy`` takes it (None when it cannot be)."""
    if not isinstance(step, dict):
        return None, ["%s: expected a dictionary with timeout and rules, got %r" % (where, step)], False
    problems = []
    timeout = _timeout(step.get("timeout"))
    if timeout not in TIMEOUTS:
        problems.append("%s.timeout: %r is not one of the API's timeouts (%s minutes)" % (where, step.get("timeout"), ", ".join(str(t) for t in TIMEOUTS)))
    rules = step.get("rules")
    if not isinstance(rules, list) or not rules:
        return None, problems + ["%s.rules: a step needs at least one rule" % where], False
    out_rules, keys, missing_phone = [], {}, False
    for j, rule in enumerate(rules):
        rwhere = "%s.rules[%d]" % (where, j)
        out, key, problem, missing = _rule(rule, rwhere, person, contacts)
        if problem:
            problems.append(problem)
            continue
        if key in keys:
            target = "" if key == ("push",) else " to %s" % keys[key][1]
            problems.append(
                "%s and %s are the same rule (%s%s): a step pages each contact once, remove one of them" % (keys[key][0], rwhere, out["type"], target)
            )
            continue
        keys[key] = (rwhere, rule.get("contact", rule.get("contact_id")))
        missing_phone = missing_phone or missing
        out_rules.append(out)
    return dict(timeout=timeout, rules=out_rules), problems, missing_phone


def paging_steps(person, templates, default_template="standard", phone_label="Mobile"):
    """The person's paging policy as ``victorops_paging_policy`` steps.

    Returns ``(steps, problems, missing_phone)``: ``problems`` are input errors of the steps or template;
    ``missing_phone`` is True when a rule uses the ``phone`` placeholder and the person has no phone.
    """
    source, option, problem = _policy_steps(person, templates, default_template)
    if problem:
        return [], [problem], False
    contacts = person_contacts(person, phone_label)
    steps, problems, missing_phone = [], [], False
    for i, step in enumerate(source):
        out, step_problems, missing = _step(step, "%s[%d]" % (option, i), person, contacts)
        problems.extend(step_problems)
        missing_phone = missing_phone or missing
        if out is not None:
            steps.append(out)
    return steps, problems, missing_phone


def _team_problems(teams):
    if teams is None:
        return []
    if not isinstance(teams, list):
        return ["teams: expected a list of team names or slugs, got %r" % (teams,)]
    problems, seen = [], {}
    for i, team in enumerate(teams):
        if _blank(team) or not isinstance(team, str):
            problems.append("teams[%d]: expected a team name or slug, got %r" % (i, team))
            continue
        key = team.strip().lower()
        if key in seen:
            problems.append("teams[%d] and teams[%d] are the same team %r" % (seen[key], i, team))
            continue
        seen[key] = i
    return problems


def _identity_problems(person):
    """Problems of the person's username, email and plain fields (not the duplicates, which span people)."""
    mine = []
    unknown = sorted(set(person) - set(PERSON_FIELDS))
    if unknown:
        mine.append("unknown field%s %s (known fields: %s)" % ("s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(PERSON_FIELDS)))
    username, email = person.get("username"), person.get("email")
    if _blank(username) or not isinstance(username, str):
        mine.append("username is missing")
    elif not USERNAME_PATTERN.match(username.strip()):
        mine.append("username %r may only contain letters, digits, '.', '_', '-', '@' and '+'" % username)
    if _blank(email) or not isinstance(email, str):
        mine.append("email is missing")
    elif not EMAIL_PATTERN.match(email.strip()):
        mine.append("email %r is not an email address" % email)
    for name in ("first_name", "last_name", "phone_label", "paging_template"):
        if person.get(name) is not None and not isinstance(person[name], str):
            mine.append("%s must be a string, got %r" % (name, person[name]))
    return mine


def _person_problems(person, templates, default_template, phone_label):
    """``(problems, contacts, steps, missing_phone)`` of one person, each problem without the person's name."""
    mine = _identity_problems(person)
    both = person.get("paging_steps") is not None and not _blank(person.get("paging_template"))
    if both:
        mine.append("give either paging_template or paging_steps, not both")
    if person.get("contact_methods") is not None and not isinstance(person["contact_methods"], list):
        mine.append("contact_methods: expected a list of {type, value, label}, got %r" % (person["contact_methods"],))
        person = dict(person, contact_methods=[])
    contacts = person_contacts(person, phone_label)
    mine.extend(_contact_problems(person, contacts))
    mine.extend(_team_problems(person.get("teams")))
    steps, missing_phone = [], False
    if not both:
        steps, step_problems, missing_phone = paging_steps(person, templates, default_template, phone_label)
        mine.extend(step_problems)
    return mine, contacts, steps, missing_phone


def _plan(person, contacts, steps, missing_phone, default_template):
    username, source = person["username"].strip(), policy_source(person, default_template)
    teams = [t.strip() for t in person.get("teams") or []]
    error = None
    if missing_phone:
        error = (
            "%s has no phone, but their paging policy (%s) sends SMS or calls to their phone: give them a phone, "
            "or a policy without one such as the template email_only." % (person["username"], source)
        )
    return dict(
        username=username,
        first_name=person.get("first_name"),
        last_name=person.get("last_name"),
        email=person["email"].strip(),
        contact_methods=[dict(kind=c["kind"], value=c["value"], label=c["label"], option=c["option"]) for c in contacts],
        teams=teams,
        teams_by_name=[t for t in teams if not TEAM_SLUG.match(t)],
        team_slugs=[t for t in teams if TEAM_SLUG.match(t)] if all(TEAM_SLUG.match(t) for t in teams) else None,
        steps=steps,
        policy_source=source,
        needs_contacts=any(rule.get("contact") is not None or rule.get("contact_id") is not None for step in steps for rule in step["rules"]),
        error=error,
    )


def onboarding_plan(people, templates, default_template="standard", phone_label="Mobile"):
    """One plan per person, or :class:`OnboardingInputError` listing every input problem of everyone.

    A plan: ``username``, ``first_name``, ``last_name``, ``email``, ``contact_methods`` (``[{kind, value, label}]``,
    the phone first), ``teams`` (as given), ``teams_by_name`` (those that are not slugs), ``steps`` (for
    ``victorops_paging_policy``), ``policy_source``, ``needs_contacts`` (whether the steps name a contact), and
    ``error``: a problem that fails this person alone before any API call for them (no phone for a policy that
    uses the placeholder ``phone``), else None.
    """
    if not isinstance(people, list):
        raise OnboardingInputError(["expected a list of people, got %s" % type(people).__name__])
    problems, plans, seen = [], [], {}
    for index, person in enumerate(people):
        if not isinstance(person, dict):
            problems.append("person %d: expected a dictionary, got %r" % (index, person))
            continue
        username = person.get("username")
        named = isinstance(username, str) and bool(username.strip())
        # Exact: on an API that tells jdoe from JDoe they are two people.
        if named and username.strip() in seen:
            problems.append("username %s appears more than once (people %d and %d)" % (username, seen[username.strip()], index))
        elif named:
            seen[username.strip()] = index
        mine, contacts, steps, missing_phone = _person_problems(person, templates, default_template, phone_label)
        problems.extend("%s: %s" % (username if named else "person %d" % index, p) for p in mine)
        if not mine:
            plans.append(_plan(person, contacts, steps, missing_phone, default_template))
    if problems:
        raise OnboardingInputError(problems)
    return plans


def _team_slug(team, teams):
    """``(slug, problem)``: slugs first, then names exactly, then names ignoring case (as victorops_team_member does)."""
    for matches in (
        [t for t in teams if t.get("slug") == team],
        [t for t in teams if t.get("name") == team],
        [t for t in teams if (t.get("name") or "").lower() == team.lower()],
    ):
        if len(matches) == 1:
            return matches[0]["slug"], None
        if len(matches) > 1:
            return None, "team %r is ambiguous: it names the teams %s; give the slug instead" % (team, ", ".join(sorted(t["slug"] for t in matches)))
    return None, "team %r: no team has that name or slug; known teams: %s" % (
        team,
        ", ".join("%s (%s)" % (t.get("name"), t.get("slug")) for t in teams) or "none",
    )


def resolve_teams(plans, teams=None, pending=None):
    """The plans with ``team_slugs`` filled from ``teams`` (the team list, ``[{name, slug}]``).

    A team that cannot be resolved sets the person's ``error`` (unless one is set already), so that person
    fails before their user is created. Slug-shaped values are taken as they are. ``pending``: the names of the
    teams that a check-mode run would create (``user_onboarding_teams``); a person's team that names one of them
    stays a name, in ``teams_pending`` too, since it has no slug yet.
    """
    teams = teams or []
    waiting = {name.casefold(): name for name in pending or []}
    result = []
    for plan in plans:
        plan = dict(plan, teams_pending=[])
        slugs, errors = [], []
        for team in plan["teams"]:
            if TEAM_SLUG.match(team):
                slugs.append(team)
                continue
            if team.casefold() in waiting and not [t for t in teams if (t.get("name") or "").casefold() == team.casefold()]:
                slugs.append(team)
                plan["teams_pending"].append(team)
                continue
            slug, problem = _team_slug(team, teams)
            if problem:
                errors.append(problem)
            elif slug in slugs:
                errors.append("team %r is the team %s, which is listed already" % (team, slug))
            else:
                slugs.append(slug)
        plan["team_slugs"] = slugs
        if errors and not plan.get("error"):
            plan["error"] = "; ".join(errors)
        result.append(plan)
    return result


# -- the report -----------------------------------------------------------------------------------


WORDS = {
    # key: (done, would)
    "user created": ("user created", "would create user"),
    "user updated": ("user updated", "would update user"),
    "policy": ("paging policy set", "would set paging policy"),
}


def _changed(result):
    return isinstance(result, dict) and bool(result.get("changed")) and not result.get("failed") and not result.get("skipped")


def _contact_phrase(contact, check_mode):
    """``phone added`` / ``email added (Team alias)``: never the number or address itself."""
    label = "" if contact.get("option") == "phone" or not contact.get("label") else " (%s)" % contact["label"]
    return ("would add %s%s" if check_mode else "%s added%s") % (contact["kind"], label)


def _planned(plan):
    """The steps of a plan, as the report lists those not done."""
    steps = ["create or update the user"]
    steps += [_contact_phrase(contact, True)[len("would ") :] for contact in plan["contact_methods"]]
    steps += ["join team %s" % team for team in plan["teams"]]
    return steps + ["set the paging policy"]


def _not_done(plan, results):
    """The planned steps without a successful result, after a failure."""

    def ok(result):
        return isinstance(result, dict) and ("changed" in result or result.get("skipped")) and not result.get("failed")

    steps = _planned(plan)
    done = [ok(results.get("user") or {})]
    contacts = results.get("contacts") or []
    done += [i < len(contacts) and ok(contacts[i]) for i in range(len(plan["contact_methods"]))]
    teams = (results.get("teams") or {}).get("results") or []
    done += [i < len(teams) and ok(teams[i]) for i in range(len(plan["teams"]))]
    done.append(ok(results.get("policy") or {}))
    return [step for step, finished in zip(steps, done) if not finished]


def outcome(plan, results=None, check_mode=False, failure=None, user_pending=False, policy_pending=False, not_attempted=None):
    """The report entry of one person from the results their tasks registered, in the shape of every role's report.

    ``results``: ``user`` (victorops_user), ``contacts`` (the victorops_contact_method results, in the order of
    the plan's contact methods), ``teams`` (the loop result of victorops_team_member), ``policy``
    (victorops_paging_policy). ``failure``: ``{task, result}`` of the failed task, if any. ``user_pending``:
    check mode with a user that would be created, whose contact methods and paging policy cannot be read yet
    and count as changes to come. ``policy_pending``: check mode with contact methods that would be added,
    whose ids the paging policy would need. ``not_attempted``: the reason this person was not attempted.
    """
    if not_attempted:
        return dict(username=plan["username"], status="not attempted", changed=[], not_done=_planned(plan), failed=not_attempted, error=None, notes=[])
    results = results or {}
    changes = []
    user = results.get("user") or {}
    if _changed(user):
        key = "user created" if user.get("created") else "user updated"
        changes.append(WORDS[key][1 if check_mode else 0])
    contact_results = results.get("contacts") or []
    for i, contact in enumerate(plan["contact_methods"]):
        result = contact_results[i] if i < len(contact_results) else {}
        if _changed(result) or (user_pending and not failure):
            changes.append(_contact_phrase(contact, check_mode))
    team_results = (results.get("teams") or {}).get("results") or []
    for i, item in enumerate(team_results):
        # A team that check mode would create first: its membership task was skipped, and would join it.
        if _changed(item) or (check_mode and plan["teams"][i] in plan.get("teams_pending", []) and not failure):
            changes.append(("would join team %s" if check_mode else "joined team %s") % plan["teams"][i])
    policy = results.get("policy") or {}
    if _changed(policy) or ((user_pending or policy_pending) and not failure):
        changes.append(WORDS["policy"][1 if check_mode else 0])
    entry = dict(username=plan["username"], status="no change", changed=changes, not_done=[], failed=None, error=None, notes=[])
    if changes:
        entry["status"] = "would change" if check_mode else "changed"
    if failure:
        failed, kind = _lifecycle.failure_text(failure), _lifecycle.failure_kind(failure.get("result"))
        entry.update(status="failed", not_done=_not_done(plan, results), failed=failed, error=kind)
    return entry


# -- check mode: the setup of a person who does not exist yet ---------------------------------------


def _preview_contact(kind, value, plan, contacts):
    """The contact method a rule pages, as diffs show it: ``{kind, value, label}`` (the label when the plan gives it)."""
    if kind == "email" and contact_key("email", value) == contact_key("email", plan["email"]):
        return dict(kind="email", value=value, label=None)
    for contact in contacts:
        if contact["kind"] == kind and contact_key(kind, contact["value"]) == contact_key(kind, value):
            return dict(contact)
    return dict(kind=kind, value=value, label=None)


def _preview_rule_text(rule):
    if rule["contact"] is not None:
        return "%s %s" % (rule["type"], rule["contact"]["value"])
    if rule["contact_id"] is not None:
        return "%s to contact method %s" % (rule["type"], rule["contact_id"])
    return rule["type"]


def preview(plan):
    """What onboarding would set up for ``plan``'s person when their user does not exist yet (check mode).

    The contact methods, teams and paging policy of a user who does not exist cannot be read, so the modules cannot
    plan them; this says what they would be, from the plan alone. Returns ``changes`` (the role's words, with the
    values: ``would add phone +15550100200 (Mobile)``, ``would join team Operations``, ``would set the paging policy:
    step 1: push, email jane@example.com, then wait 5 min; ...``), and ``before`` and ``after`` for a diff: nothing
    before, and after the contact methods to add, the teams (by slug once resolved) and the steps in the shape of
    every paging policy diff (each rule's ``contact_id`` null until the contact method exists).
    """
    contacts = [dict(kind=c["kind"], value=c["value"], label=c["label"] if not _blank(c["label"]) else c["kind"].capitalize()) for c in plan["contact_methods"]]
    steps = []
    for i, step in enumerate(plan["steps"]):
        rules = []
        for j, rule in enumerate(step["rules"]):
            contact = None
            if rule.get("contact") is not None:
                contact = _preview_contact(CONTACT_KIND[rule["type"]], rule["contact"], plan, contacts)
            rules.append(dict(rule=j, type=rule["type"], contact_id=rule.get("contact_id"), contact=contact))
        steps.append(dict(step=i, timeout=step["timeout"], rules=rules))
    changes = ["would add %s" % contact_text(contact) for contact in contacts]
    changes += ["would join team %s" % team for team in plan["teams"]]
    if steps:
        changes.append(
            "would set the paging policy: "
            + "; ".join(
                "step %d: %s, then wait %s min" % (step["step"] + 1, ", ".join(_preview_rule_text(rule) for rule in step["rules"]), step["timeout"])
                for step in steps
            )
        )
    teams = plan.get("team_slugs") or plan["teams"]
    after = dict(username=plan["username"], contact_methods=contacts, teams=list(teams), paging_policy=dict(username=plan["username"], steps=steps))
    return dict(changes=changes, before={}, after=after)
