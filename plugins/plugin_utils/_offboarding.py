# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logic of the role victorops.oncall.user_offboarding, as pure functions behind its filters.

* :func:`input_problems` checks the people and the concurrency before any API call.
* :func:`resolve` finds each person and replacement among the users ``victorops_user_info`` found: a username matches
  exactly; a user whose username differs in case alone stands in only where the API itself answered so (with a note),
  and two or more are a problem naming them.
* :func:`team_readers` names the users whose teams are read; :func:`plan` makes one plan per person from what was read,
  with :func:`covers`, the future absences of others the person covers, handed to their replacement.
* :func:`outcome` turns a person's registered results into their report entry (the shape of every role's report).
"""

from __future__ import annotations

from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import match_username
from ansible_collections.victorops.oncall.plugins.plugin_utils import _lifecycle


def input_problems(people, concurrency=1):
    """The problems of ``user_offboarding_people`` that span people (the argument spec checks each entry), and of
    ``concurrency`` (``user_offboarding_concurrency``), all before any API call."""
    problems, seen = [], set()
    try:
        _lifecycle.lanes([], concurrency, option="user_offboarding_concurrency")
    except ValueError as exc:
        problems.append(str(exc))
    leaving = {person["username"] for person in people}
    for person in people:
        username, replacement = person["username"], person["replacement"]
        if username in seen:
            problems.append("username %s appears more than once" % username)
        seen.add(username)
        if replacement == username:
            problems.append("%s: the replacement must be another user" % username)
        elif replacement in leaving:
            problems.append("%s: the replacement %s is offboarded too; choose a replacement who stays" % (username, replacement))
    return problems


def _find(given, usernames, missing, option):
    """``(username, note, problem)`` of ``given`` among ``usernames`` by the one rule of identity.

    ``missing`` are the names ``victorops_user_info`` found no user for: there, a user whose name differs in case alone
    stood in only when the API answered a read of ``given`` with it. So a name in ``missing`` names nobody, even when a
    user spelled in another case was read for someone else (the replacement ``jdoe`` is not the leaver ``JDoe``).
    """
    if given in missing:
        return None, None, None
    try:
        match, note = match_username(given, usernames, option)
    except OptionError as exc:
        return None, None, str(exc)
    return match, note, None


def resolve(people, users, missing):
    """One entry per person: ``username`` and ``replacement`` as given, ``user`` and ``replacement_user`` as the API spells
    them (None when not found), ``notes`` and ``problem`` (a reason that fails the person before any write, else None).

    ``users`` and ``missing`` are what ``victorops_user_info`` answered for the people and their replacements."""
    usernames = [user["username"] for user in users or []]
    missing = set(missing)
    entries = []
    for person in people:
        user, note, problem = _find(person["username"], usernames, missing, "username")
        entry = dict(
            username=person["username"], replacement=person["replacement"], user=user, replacement_user=None, notes=[note] if note else [], problem=problem
        )
        if user is not None:
            replacement, note, problem = _find(person["replacement"], usernames, missing, "replacement")
            entry.update(replacement_user=replacement, problem=problem)
            entry["notes"] += [note] if note else []
            if replacement is None and problem is None:
                entry["problem"] = "replacement %s is not a VictorOps user" % person["replacement"]
            elif replacement == user:
                entry["problem"] = "the replacement %s is %s themself: choose another user" % (person["replacement"], user)
        entries.append(entry)
    return entries


def team_readers(entries):
    """The users whose teams are read, as the API spells them: each person still to offboard, then their replacement."""
    names = []
    for entry in entries:
        for name in (entry["user"], entry["replacement_user"]):
            if name is not None and name not in names:
                names.append(name)
    return names


def _outside_teams(user, replacement, teams, theirs):
    outside = [team["name"] for team in teams if team["slug"] not in theirs]
    if not outside:
        return None
    one = len(outside) == 1
    return (
        "replacement %s is not a member of %s %s, which the API hands the team duties of %s to: add %s to %s first, or choose a"
        " replacement who is in every team of %s"
        % (replacement, "team" if one else "teams", ", ".join(outside), user, replacement, "it" if one else "them", user)
    )


def covers(user, replacement, overrides):
    """The future scheduled overrides in which ``user`` covers someone's absence, each with the assignments to hand to
    ``replacement``: ``[{id, username, start, end, label, assignments: [{policy, replacement}]}]``. Nobody covers their own
    absence, so where the replacement is the absent person the assignment is left unassigned."""
    found = []
    for override in overrides or []:
        held = [a for a in override.get("assignments") or [] if a.get("replacement") == user]
        if not held or override.get("username") == user:
            continue
        to = None if replacement == override.get("username") else replacement
        found.append(
            dict(
                id=override.get("id"),
                username=override["username"],
                start=override["start"],
                end=override["end"],
                label="%s from %s to %s" % (override["username"], override["start"], override["end"]),
                assignments=[dict(policy=a["policy"], replacement=to) for a in held],
                to=to,
            )
        )
    return found


def plan(entries, with_teams=None, on_call=None, overrides=None):
    """One plan per person: the entry of :func:`resolve` with ``exists``, ``teams`` (``[{name, slug}]``), ``policies``
    (``[{policy, name}]`` the person is on call for now) and ``covers`` (the future absences they cover, see
    :func:`covers`); a replacement outside the person's teams is a ``problem``."""
    teams_of = {user["username"]: user.get("teams") or [] for user in with_teams or []}
    plans = []
    for entry in entries:
        entry = dict(entry, exists=entry["user"] is not None, teams=[], policies=[], covers=[])
        user, replacement = entry["user"], entry["replacement_user"]
        if user is not None:
            entry["teams"] = [dict(name=team["name"], slug=team["slug"]) for team in teams_of.get(user, [])]
            entry["policies"] = [dict(policy=p["policy"], name=p["name"]) for p in on_call or [] if user in (p.get("users") or [])]
            entry["covers"] = covers(user, replacement, overrides)
        if user is not None and replacement is not None and entry["problem"] is None:
            theirs = {team["slug"] for team in teams_of.get(replacement, [])}
            entry["problem"] = _outside_teams(user, replacement, entry["teams"], theirs)
        plans.append(entry)
    # The absence of someone who leaves in this run needs no cover, whether the API drops it with its user or keeps it:
    # handing it over could only fail or race that person's removal, in whichever order the two are done.
    leaving = {entry["user"] for entry in plans if entry["user"] is not None and entry["problem"] is None}
    for entry in plans:
        dropped = [cover for cover in entry["covers"] if cover["username"] in leaving]
        entry["covers"] = [cover for cover in entry["covers"] if cover["username"] not in leaving]
        entry["notes"] = list(entry.get("notes") or []) + [
            "the cover of %s is not handed over: %s leaves in this run too" % (cover["label"], cover["username"]) for cover in dropped
        ]
    return plans


# -- the report ------------------------------------------------------------------------------------


def _steps(entry):
    """The planned steps of ``entry``, each ``(kind, key, done, would)``."""
    to = entry.get("replacement_user") or entry["replacement"]
    policies, teams = entry.get("policies") or [], entry.get("teams") or []
    steps = [
        ("policy", p["policy"], "handed the on-call shift of %s to %s" % (p["name"], to), "hand the on-call shift of %s to %s" % (p["name"], to))
        for p in policies
    ]
    for cover in entry.get("covers") or []:
        whom = "to %s" % cover["to"] if cover["to"] else "as unassigned"
        steps.append(("cover", cover["id"], "handed the cover of %s %s" % (cover["label"], whom), "hand the cover of %s %s" % (cover["label"], whom)))
    steps += [("team", t["slug"], "left team %s" % t["name"], "leave team %s" % t["name"]) for t in teams]
    if entry.get("exists"):
        steps.append(("user", None, "user removed", "remove the user"))
    return steps


_ITEM_KEYS = {"policy": ("user_offboarding_policy", "policy"), "cover": ("user_offboarding_cover", "id"), "team": ("user_offboarding_team", "slug")}


def _item_key(kind, item):
    loop_var, key = _ITEM_KEYS[kind]
    return item.get(loop_var, {}).get(key)


def _step_results(results):
    """``{(kind, key): result}`` of the registered results (``handover``, ``covers``, ``teams`` loops and ``user``)."""
    found = {}
    for kind, name in (("policy", "handover"), ("cover", "covers"), ("team", "teams")):
        for item in (results.get(name) or {}).get("results") or []:
            found[(kind, _item_key(kind, item))] = item
    user = results.get("user") or {}
    if "changed" in user or "failed" in user:
        found[("user", None)] = user
    return found


def outcome(entry, results=None, check_mode=False, failure=None, not_attempted=None):
    """The report entry of one person: what was done (or would be), what was not, and why, in every role's shape."""
    steps = _steps(entry)
    base = dict(username=entry["username"], replacement=entry["replacement"], found=entry.get("exists"), notes=list(entry.get("notes") or []))
    if not_attempted:
        return dict(base, found=None, status="not attempted", changed=[], not_done=[s[3] for s in steps] or ["everything"], failed=not_attempted, error=None)
    found = _step_results(results or {})
    changed, not_done = [], []
    for kind, key, done, would in steps:
        result = found.get((kind, key))
        if result is None or result.get("failed"):
            not_done.append(would)
        elif result.get("changed"):
            changed.append(would if check_mode else done)
    report = dict(base, changed=changed, not_done=[], failed=None, error=None)
    if failure:
        report.update(status="failed", not_done=not_done, failed=_lifecycle.failure_text(failure), error=_lifecycle.failure_kind(failure.get("result")))
    else:
        report["status"] = ("would change" if check_mode else "changed") if changed else "no change"
    return report
