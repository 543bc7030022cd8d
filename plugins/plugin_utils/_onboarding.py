# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logic of the role victorops.oncall.user_onboarding, as pure functions behind its filters.

* :func:`paging_steps` expands one person's paging template or explicit steps into the steps given to
  ``victorops_paging_policy`` (placeholders and the person's own contact-method labels become values).
* :func:`onboarding_plan` checks every person before any API call and returns one plan per person.
* :func:`resolve_teams` turns team names into slugs from one read of the team list.
* :func:`estimate` gives the calls a run costs per operation and the time they take at the documented limits.
* :func:`outcome` turns a person's registered task results into their report entry; :func:`report_lines`
  renders the report.

Input errors that can be found without the API raise :class:`OnboardingInputError`, with every problem found.
"""

from __future__ import annotations

import re

from ansible_collections.victorops.oncall.plugins.module_utils._normalize import contact_key, user_key
from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import LEVELS, MINUTE, estimate_seconds, table_limit

TIMEOUTS = (1, 5, 10, 15, 20, 25, 30, 45, 60)
RULE_TYPES = ("push", "email", "sms", "phone")
CONTACT_KIND = {"email": "email", "sms": "phone", "phone": "phone", "push": None}
PLACEHOLDERS = ("email", "phone")
CONTACT_TYPES = ("phone", "email")
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._@+-]+$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ().\t-]+$")
# The documented team slug format; anything else is a team name, looked up in the team list.
TEAM_SLUG = re.compile(r"^team-[A-Za-z0-9_]{16}$")
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
        if kind == "phone" and not (PHONE_PATTERN.match(value) and 3 <= len(contact_key("phone", value)) <= 20):
            problems.append("%s: %r is not a phone number: expected 3 to 20 digits with an optional leading +" % (where, value))
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


def paging_steps(person, templates, default_template="standard", phone_label="Mobile"):
    """The person's paging policy as ``victorops_paging_policy`` steps.

    Returns ``(steps, problems, missing_phone)``: ``problems`` are input errors of the steps or template;
    ``missing_phone`` is True when a rule uses the ``phone`` placeholder and the person has no phone.
    """
    problems = []
    if person.get("paging_steps") is not None:
        source, option = person["paging_steps"], "paging_steps"
        if not isinstance(source, list) or not source:
            return [], ["paging_steps is empty: give at least one step, or leave paging_steps out to use a template"], False
    else:
        name = person.get("paging_template")
        name = default_template if _blank(name) else name
        if not isinstance(templates, dict) or name not in templates:
            known = ", ".join(sorted(templates)) if isinstance(templates, dict) else "none"
            return [], ["unknown paging template %r (known templates: %s)" % (name, known)], False
        source, option = templates[name], "template %s" % name
        if not isinstance(source, list) or not source:
            return [], ["%s has no steps" % option], False
    contacts = person_contacts(person, phone_label)
    steps = []
    missing_phone = False
    for i, step in enumerate(source):
        where = "%s[%d]" % (option, i)
        if not isinstance(step, dict):
            problems.append("%s: expected a dictionary with timeout and rules, got %r" % (where, step))
            continue
        timeout = step.get("timeout")
        try:
            timeout = int(timeout) if not isinstance(timeout, bool) else None
        except (TypeError, ValueError):
            timeout = None
        if timeout not in TIMEOUTS:
            problems.append("%s.timeout: %r is not one of the API's timeouts (%s minutes)" % (where, step.get("timeout"), ", ".join(str(t) for t in TIMEOUTS)))
        rules = step.get("rules")
        if not isinstance(rules, list) or not rules:
            problems.append("%s.rules: a step needs at least one rule" % where)
            continue
        out_rules, keys = [], {}
        for j, rule in enumerate(rules):
            rwhere = "%s.rules[%d]" % (where, j)
            if not isinstance(rule, dict):
                problems.append("%s: expected a dictionary with type and contact, got %r" % (rwhere, rule))
                continue
            rule_type = rule.get("type")
            if rule_type not in RULE_TYPES:
                problems.append("%s.type: %r is not one of %s" % (rwhere, rule_type, ", ".join(RULE_TYPES)))
                continue
            contact, contact_id = rule.get("contact"), rule.get("contact_id")
            if rule_type == "push":
                if contact is not None or contact_id is not None:
                    problems.append("%s: a push rule pages every device of the person and takes no contact or contact_id" % rwhere)
                    continue
                out, key = dict(type="push"), ("push",)
            elif contact is not None and contact_id is not None:
                problems.append("%s: give either contact or contact_id, not both" % rwhere)
                continue
            elif contact_id is not None:
                try:
                    contact_id = int(contact_id)
                except (TypeError, ValueError):
                    problems.append("%s.contact_id: %r is not a number" % (rwhere, contact_id))
                    continue
                out, key = dict(type=rule_type, contact_id=contact_id), (rule_type, "id", contact_id)
            elif _blank(contact) or not isinstance(contact, str):
                problems.append(
                    "%s: %s %s rule needs a contact (a value, a label, or the placeholder %s)"
                    % (rwhere, "an" if rule_type in ("email", "sms") else "a", rule_type, CONTACT_KIND[rule_type])
                )
                continue
            else:
                value, problem = _resolve_contact(rule_type, contact.strip(), person, contacts)
                if problem == "missing-phone":
                    missing_phone = True
                    value = "phone"
                elif problem:
                    problems.append("%s.contact: %s" % (rwhere, problem))
                    continue
                kind = CONTACT_KIND[rule_type]
                out, key = dict(type=rule_type, contact=value), (rule_type, kind, contact_key(kind, value) if problem is None else "phone")
            if key in keys:
                problems.append(
                    "%s and %s are the same rule (%s%s): a step pages each contact once, remove one of them"
                    % (keys[key][0], rwhere, rule_type, "" if rule_type == "push" else " to %s" % keys[key][1])
                )
                continue
            keys[key] = (rwhere, rule.get("contact", rule.get("contact_id")))
            out_rules.append(out)
        steps.append(dict(timeout=timeout, rules=out_rules))
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
        who = username if isinstance(username, str) and username.strip() else "person %d" % index
        mine = []
        unknown = sorted(set(person) - set(PERSON_FIELDS))
        if unknown:
            mine.append("unknown field%s %s (known fields: %s)" % ("s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(PERSON_FIELDS)))
        if _blank(username) or not isinstance(username, str):
            mine.append("username is missing")
        elif not USERNAME_PATTERN.match(username.strip()):
            mine.append("username %r may only contain letters, digits, '.', '_', '-', '@' and '+'" % username)
        elif user_key(username) in seen:
            problems.append("username %s appears more than once (people %d and %d)" % (username, seen[user_key(username)], index))
        else:
            seen[user_key(username)] = index
        email = person.get("email")
        if _blank(email) or not isinstance(email, str):
            mine.append("email is missing")
        elif not EMAIL_PATTERN.match(email.strip()):
            mine.append("email %r is not an email address" % email)
        for name in ("first_name", "last_name", "phone_label", "paging_template"):
            if person.get(name) is not None and not isinstance(person[name], str):
                mine.append("%s must be a string, got %r" % (name, person[name]))
        if person.get("paging_steps") is not None and not _blank(person.get("paging_template")):
            mine.append("give either paging_template or paging_steps, not both")
        if person.get("contact_methods") is not None and not isinstance(person["contact_methods"], list):
            mine.append("contact_methods: expected a list of {type, value, label}, got %r" % (person["contact_methods"],))
            person = dict(person, contact_methods=[])
        contacts = person_contacts(person, phone_label)
        mine.extend(_contact_problems(person, contacts))
        mine.extend(_team_problems(person.get("teams")))
        steps, step_problems, missing_phone = [], [], False
        if not any(p.startswith("give either") for p in mine):
            steps, step_problems, missing_phone = paging_steps(person, templates, default_template, phone_label)
        mine.extend(step_problems)
        problems.extend("%s: %s" % (who, p) for p in mine)
        if mine:
            continue
        teams = [t.strip() for t in person.get("teams") or []]
        error = None
        if missing_phone:
            error = (
                "%s has no phone, but their paging policy (%s) sends SMS or calls to their phone: give them a phone, "
                "or a policy without one such as the template email_only." % (username, policy_source(person, default_template))
            )
        plans.append(
            dict(
                username=username.strip(),
                first_name=person.get("first_name"),
                last_name=person.get("last_name"),
                email=email.strip(),
                contact_methods=[dict(kind=c["kind"], value=c["value"], label=c["label"], option=c["option"]) for c in contacts],
                teams=teams,
                teams_by_name=[t for t in teams if not TEAM_SLUG.match(t)],
                team_slugs=[t for t in teams if TEAM_SLUG.match(t)] if all(TEAM_SLUG.match(t) for t in teams) else None,
                steps=steps,
                policy_source=policy_source(person, default_template),
                needs_contacts=any(rule.get("contact") is not None or rule.get("contact_id") is not None for step in steps for rule in step["rules"]),
                error=error,
            )
        )
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


def resolve_teams(plans, teams=None):
    """The plans with ``team_slugs`` filled from ``teams`` (the team list, ``[{name, slug}]``).

    A team that cannot be resolved sets the person's ``error`` (unless one is set already), so that person
    fails before their user is created. Slug-shaped values are taken as they are.
    """
    teams = teams or []
    result = []
    for plan in plans:
        plan = dict(plan)
        slugs, errors = [], []
        for team in plan["teams"]:
            if TEAM_SLUG.match(team):
                slugs.append(team)
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


# -- the run's cost ----------------------------------------------------------------------------


def person_calls(plan, new=True):
    """The API calls onboarding ``plan`` costs, per operation: for a new person, or for a re-run that changes nothing.

    A new user's default paging policy has one step (push and email), so a policy of N steps costs one
    ``update_step`` and N - 1 ``create_step``.
    """
    calls = {"get_user": 1}
    adds = {"phone": 0, "email": 0}
    for contact in plan["contact_methods"]:
        adds[contact["kind"]] += 1
    if plan["contact_methods"] or plan["needs_contacts"]:
        calls["list_contact_methods"] = 1
    if plan["teams"]:
        calls["list_team_members"] = len(plan["teams"])
    calls["get_paging_policy"] = 1
    if new:
        calls["create_user"] = 1
        if adds["phone"]:
            calls["add_phone"] = adds["phone"]
        if adds["email"]:
            calls["add_email"] = adds["email"]
        if plan["teams"]:
            calls["add_team_member"] = len(plan["teams"])
        calls["update_step"] = 1
        if len(plan["steps"]) > 1:
            calls["create_step"] = len(plan["steps"]) - 1
    return calls


def run_calls(plans, new=True):
    """Calls per operation for onboarding every plan (plus one read of the team list when a team is named)."""
    total = {}
    for plan in plans:
        for operation, count in person_calls(plan, new).items():
            total[operation] = total.get(operation, 0) + count
    if any(plan["teams_by_name"] for plan in plans):
        total["list_teams"] = 1
    return total


def duration_text(seconds):
    if seconds < 90:
        return "%d s" % max(1, round(seconds))
    if seconds < 90 * 60:
        return "%d min" % round(seconds / 60.0)
    return "%.1f h" % (seconds / 3600.0)


def estimate(plans, rate_window=MINUTE):
    """The run's cost before it starts: calls per operation and seconds at the fastest and at the strictest documented tables.

    The pacing starts at the fastest documented table (``2ps``) and slows down to what the API enforces, never
    below the 2018 table, so the run takes between the two. Seconds are real seconds for ``rate_window``.
    Only the rate limits are counted, not the time of the requests themselves.
    """
    calls = run_calls(plans, new=True)
    seconds = {level: estimate_seconds(calls, lambda operation, level=level: (table_limit(level, operation),), float(rate_window)) for level in LEVELS}
    fastest, slowest = LEVELS[0], LEVELS[-1]
    people = len(plans)
    if people == 0:
        message = "Nobody to onboard."
    else:
        message = (
            "Onboarding %d %s makes at most %d API calls (%d if nothing changes): about %s at the API's rate limits "
            "if it enforces the 2018 limits (%s per operation), %s at the current documented limits (%s)."
            % (
                people,
                "person" if people == 1 else "people",
                sum(calls.values()),
                sum(run_calls(plans, new=False).values()),
                duration_text(seconds[slowest]),
                table_limit(slowest, "default").describe(),
                duration_text(seconds[fastest]),
                _describe_level(fastest),
            )
        )
    return dict(calls=calls, seconds={level: round(value, 1) for level, value in seconds.items()}, message=message)


def _describe_level(level):
    limit = table_limit(level, "default")
    if limit.seconds < MINUTE:
        return "%g requests a second per operation" % (limit.count * 1.0 / limit.seconds)
    return limit.describe() + " per operation"


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


def outcome(plan, results=None, check_mode=False, failure=None, user_pending=False, policy_pending=False, not_attempted=None):
    """The report entry of one person from the results their tasks registered.

    ``results``: ``user`` (victorops_user), ``contacts`` (the victorops_contact_method results, in the order of
    the plan's contact methods), ``teams`` (the loop result of victorops_team_member), ``policy``
    (victorops_paging_policy). ``failure``: ``{task, result}`` of the failed task, if any. ``user_pending``:
    check mode with a user that would be created, whose contact methods and paging policy cannot be read yet
    and count as changes to come. ``policy_pending``: check mode with contact methods that would be added,
    whose ids the paging policy would need. ``not_attempted``: the reason this person was not attempted.
    """
    if not_attempted:
        return dict(username=plan["username"], status="not attempted", changed=[], failed="not attempted: %s" % not_attempted)
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
        if _changed(item):
            changes.append(("would join team %s" if check_mode else "joined team %s") % plan["teams"][i])
    policy = results.get("policy") or {}
    if _changed(policy) or ((user_pending or policy_pending) and not failure):
        changes.append(WORDS["policy"][1 if check_mode else 0])
    entry = dict(username=plan["username"], status="no change", changed=changes, failed=None)
    if changes:
        entry["status"] = "would change" if check_mode else "changed"
    if failure:
        entry["status"] = "failed"
        entry["failed"] = failure_text(failure)
    return entry


def failure_text(failure):
    """``<task name>: <reason>``; a failed loop (teams) gives the messages of its failed items."""
    result = failure.get("result") or {}
    items = [item for item in result.get("results") or [] if isinstance(item, dict) and item.get("failed")]
    if items:
        reason = "; ".join(str(item.get("msg", "failed without a message")) for item in items)
    else:
        reason = str(result.get("msg") or "failed without a message")
    task = failure.get("task")
    return "%s: %s" % (task, reason) if task else reason


# What ends a run: the API cannot be reached or refuses the credentials, so every later person would fail too.
_STOP_MESSAGES = (
    "Invalid connection options",
    "authentication failed",
    "connection failed",
    "could not connect",
    "name or service not known",
    "failed to resolve",
    "deadline",
    "timed out",
)


def stops_run(failure):
    """True when ``failure`` is a connectivity or authentication failure, after which no other person is attempted.

    Recognised by the HTTP status (401, 403 without a throttle) or, for failures without a response, by the
    client's messages. Input errors, refusals (400/404/409/422) and uncertain writes do not stop the run.
    """
    result = (failure or {}).get("result") or {}
    items = [item for item in result.get("results") or [] if isinstance(item, dict) and item.get("failed")]
    candidates = items or [result]
    for item in candidates:
        if item.get("error") in ("connection", "authentication", "deadline"):
            return True
        message = str(item.get("msg") or "")
        status = item.get("status")
        if status in (401, 403) and "authentication" in message.lower():
            return True
        if message.startswith("Invalid connection options"):
            return True
        if "status" in item and status is None and any(text.lower() in message.lower() for text in _STOP_MESSAGES):
            return True
    return False


def report_lines(report):
    """One line per report entry, as the role prints them."""
    lines = []
    for entry in report:
        status = entry.get("status")
        if status == "not attempted":
            line = "%s: NOT ATTEMPTED: %s" % (entry["username"], entry["failed"][len("not attempted: ") :])
        elif entry.get("failed") is not None:
            line = "%s: FAILED: %s" % (entry["username"], entry["failed"])
            if entry.get("changed"):
                line += " (changed before the failure: %s)" % ", ".join(entry["changed"])
        elif entry.get("changed"):
            line = "%s: %s: %s" % (entry["username"], "would change" if status == "would change" else "changed", ", ".join(entry["changed"]))
        else:
            line = "%s: no change" % entry["username"]
        lines.append(line)
    return lines
