#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_scheduled_override
short_description: Manage a VictorOps scheduled override (an absence covered per escalation policy)
version_added: 0.2.0
description:
  - A scheduled override says that O(username) is away from O(start) to O(end). The API gives it one assignment per
    escalation policy whose rotation O(username) is part of, each unassigned (a gap) until someone covers it.
  - An override has no name; it is found by O(username) and the same O(start) and O(end) instants, in one read of
    every override (operation C(list_overrides)).
  - With O(state=present) a missing override is created (operation C(create_override)); then only the assignments
    that differ from the input are written, one call each (C(assign_override), C(unassign_override)).
    With O(state=absent) a found override is deleted (C(delete_override)).
  - The API cannot change an override's period. Another O(start) or O(end) is another override; the module creates
    it and says in RV(notes) which overrides of the same person overlap it; it deletes none of them (use O(state=absent)
    with the old period).
  - Calls, fewest possible. A new override covered by one O(replacement), for an absence with N policies,
    costs 3 + N calls (the list, one C(get_user) of the replacement, the create, N assignments); per-policy
    O(assignments) cost one C(get_user) per distinct replacement and one write per policy that differs.
    A run with nothing to change costs 1 call (the list). A policy given by name, when the API's assignments
    carry only slugs, costs one read of the escalation policy list (C(list_escalation_policies), once a minute in
    the 2018 limits). Deleting costs 2 calls.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
options:
  username:
    description:
      - Username of the person who is away, matched against the overrides' users exactly. Only when none is spelled so may
        one user whose username differs in case alone stand in, and only when the API says they are one user (it answers
        a read of O(username) with that spelling, one more read, C(get_user)); RV(notes) then says so.
      - Each replacement is read once (C(get_user)) before it is written, and compared as the API spells it.
    type: str
    required: true
  start:
    description:
      - When the absence starts, in ISO 8601 (V(2026-03-02T09:00), V(2026-03-02T09:00:00+01:00), V(2026-03-02T08:00:00Z))
        or as epoch milliseconds. A date alone is refused.
      - Without an offset it is wall-clock time in O(timezone). A time the clocks skip when daylight saving time
        starts is refused; in the hour repeated when it ends, the first occurrence is meant.
    type: str
    required: true
  end:
    description:
      - When the absence ends, in the same forms as O(start); it must be after O(start).
    type: str
    required: true
  timezone:
    description:
      - IANA time zone (V(Europe/Paris), V(America/New_York)) in which O(start) and O(end) without an offset are read,
        and which the override is created with. It does not take part in finding the override.
    type: str
    default: UTC
  replacement:
    description:
      - Username of the person who covers every policy of the absence.
      - Checked to be a user (one C(get_user)) before the first write; it must be another user than O(username).
      - Without O(replacement) and O(assignments) the assignments are left as they are (a new override's are all unassigned).
    type: str
  assignments:
    description:
      - Who covers each policy, for the policies listed; the policies not listed are left as they are.
      - Each O(assignments[].policy) must be a policy of the absence (the API decides which policies an absence has);
        otherwise the task fails, listing the policies it has. For a new override that is known only once it is
        created; the override is then deleted again and the task fails.
    type: list
    elements: dict
    suboptions:
      policy:
        description:
          - The escalation policy, by slug, or by name (matched exactly, then ignoring case).
        type: str
        required: true
      replacement:
        description:
          - Username of the person who covers this policy; V(null) (or left out) leaves it unassigned, a gap.
        type: str
  state:
    description:
      - V(present) makes the override exist with the assignments asked for; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Instants are compared and returned in UTC, to the second (C(YYYY-MM-DDTHH:MM:SSZ)), whichever form the API answers in
    (ISO 8601 or epoch milliseconds).
  - A create whose answer is lost is confirmed by listing the overrides and finding the same person and period; it is
    never sent twice.
  - The API takes an assignment either as C({policy, username}) (its specification) or as C({username, acceptOverlap})
    (Splunk's SDK); the module sends the first and, when the API refuses it (HTTP 400, which changes nothing), the second
    for the rest of the task.
  - In check mode a new override's policies cannot be known (the API chooses them when it creates the override);
    RV(override.assignments) then lists the O(assignments) asked for, or none with O(replacement), and RV(notes) says so.
"""

EXAMPLES = r"""
- name: Alice is away for a week; Bob covers every policy she is on call for
  victorops.oncall.victorops_scheduled_override:
    username: asmith
    start: "2027-03-01T09:00"
    end: "2027-03-08T09:00"
    timezone: Europe/Paris
    replacement: bwong

- name: Alice is away on another day; John covers Operations High Severity, nobody covers Operations
  victorops.oncall.victorops_scheduled_override:
    username: asmith
    start: "2027-04-05T00:00:00Z"
    end: "2027-04-06T00:00:00Z"
    assignments:
      - policy: Operations High Severity
        replacement: jdoe
      - policy: team-Q2opsDemoTeam001
        replacement: null

- name: The first absence is cancelled
  victorops.oncall.victorops_scheduled_override:
    username: asmith
    start: "2027-03-01T09:00"
    end: "2027-03-08T09:00"
    timezone: Europe/Paris
    state: absent
"""

RETURN = r"""
override:
  description: The override after the task (in check mode, as it would be); V({}) when there is none.
  returned: success
  type: dict
  contains:
    id:
      description: The override's publicId; V(null) in check mode for an override not created yet.
      type: str
      returned: when the override exists
    username:
      description: Who is away.
      type: str
      returned: when the override exists
    start:
      description: The start, in UTC (C(YYYY-MM-DDTHH:MM:SSZ)).
      type: str
      returned: when the override exists
    end:
      description: The end, in UTC.
      type: str
      returned: when the override exists
    timezone:
      description: The time zone the override was created with.
      type: str
      returned: when the override exists
    assignments:
      description: One per escalation policy of the absence, sorted by policy slug.
      type: list
      elements: dict
      returned: when the override exists
      contains:
        policy:
          description: The escalation policy's slug (as given, in check mode for a new override).
          type: str
        policy_name:
          description: The policy's name when known, else V(null).
          type: str
        team:
          description: The team's slug when the API gives it, else V(null).
          type: str
        replacement:
          description: Who covers the policy, V(null) for nobody (a gap).
          type: str
  sample:
    id: "ovr-5b1f0f2a"
    username: asmith
    start: "2027-03-01T08:00:00Z"
    end: "2027-03-08T08:00:00Z"
    timezone: Europe/Paris
    assignments: [{"policy": "pol-Hs7opsDemoPol001", "policy_name": null, "team": "team-Q2opsDemoTeam001", "replacement": "bwong"}]
created:
  description: Whether the task created the override (or would, in check mode).
  returned: success
  type: bool
notes:
  description: What the module noticed and did not change, for example another override of the same person that overlaps this one.
  returned: success (empty when there is nothing to say)
  type: list
  elements: str
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 1, "writes": 0, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api, _overrides
from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError, VictorOpsError
from ansible_collections.victorops.oncall.plugins.module_utils._module import STATE_OPTION, VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import OBJECT_SLUG, instant_text, parse_instant, timezone_problem


def period(params):
    """``(start, end)`` as UTC texts, checked: the time zone is known and the end is after the start."""
    problem = timezone_problem(params["timezone"])
    if problem:
        raise OptionError("timezone: %s" % problem)
    moments = {}
    for option in ("start", "end"):
        try:
            moments[option] = parse_instant(params[option], params["timezone"])
        except ValueError as exc:
            raise OptionError("%s: %s" % (option, exc)) from None
    if moments["end"] <= moments["start"]:
        raise OptionError("end %r must be after start %r" % (params["end"], params["start"]))
    for i, entry in enumerate(params["assignments"] or []):
        if entry.get("replacement") == params["username"]:
            raise OptionError("assignments[%d].replacement must be another user than username %r" % (i, params["username"]))
    return instant_text(moments["start"]), instant_text(moments["end"])


def replacements(params):
    """The replacement usernames the input names (each must be a user)."""
    if params["assignments"] is None:
        return [params["replacement"]] if params["replacement"] else []
    return [entry["replacement"] for entry in params["assignments"] if entry.get("replacement")]


def overlap_notes(overrides, username, start, end, other_than):
    return [
        "%s has another override, %s, from %s to %s, that overlaps this period; it is not changed (an override's period "
        "cannot change: delete it with state=absent and its own start and end if it is no longer wanted)" % (username, o["id"], o["start"], o["end"])
        for o in _overrides.overlapping(overrides, username, start, end, other_than)
    ]


def policy_names(vo):
    """``{slug: name}`` of every escalation policy, read once, when a policy is given by something else than a slug."""
    if all(OBJECT_SLUG.match(entry["policy"]) for entry in vo.params["assignments"] or []):
        return None
    return {p["slug"]: p["name"] for p in _api.list_escalation_policies(vo.client)}


def with_policy_names(vo, override, names=None):
    """The override with its policies' names (``names`` when already read), read once when a policy is given by a name
    the assignments do not carry."""
    given = [entry["policy"] for entry in vo.params["assignments"] or []]
    slugs = {a["policy"] for a in override["assignments"]}
    if all(policy in slugs or OBJECT_SLUG.match(policy) for policy in given) or all(a["policy_name"] for a in override["assignments"]):
        return override
    names = names if names is not None else policy_names(vo) or {}
    assignments = [dict(a, policy_name=a["policy_name"] or names.get(a["policy"])) for a in override["assignments"]]
    return dict(override, assignments=assignments)


def assign(vo, override, writes):
    style = _overrides.AssignmentBody()
    for policy, replacement in writes:
        if replacement is None:
            _overrides.unassign_override(vo.client, override["id"], policy)
        else:
            _overrides.assign_override(vo.client, override["id"], policy, replacement, style)


def would_create(vo, start, end, notes):
    """The override a check-mode run would create: its policies are the API's choice, so only the requested ones show."""
    p = vo.params
    requested = [dict(policy=e["policy"], policy_name=None, team=None, replacement=e.get("replacement")) for e in p["assignments"] or []]
    if p["replacement"]:
        notes.append("check mode: the API chooses the absence's policies when it creates the override; %s would cover each of them" % p["replacement"])
    elif requested:
        notes.append("check mode: the API chooses the absence's policies when it creates the override; the requested assignments would be checked then")
    return dict(id=None, username=p["username"], start=start, end=end, timezone=p["timezone"], assignments=sorted(requested, key=lambda a: a["policy"]))


def spelled(params, names):
    """``replacement`` and ``assignments`` with each replacement as the API spells it (``names``: given -> API's)."""
    assignments = params["assignments"]
    if assignments is not None:
        assignments = [dict(entry, replacement=names.get(entry.get("replacement"), entry.get("replacement"))) for entry in assignments]
    return names.get(params["replacement"], params["replacement"]), assignments


def create(vo, start, end, notes, known_ids):
    """Create the override, then write the assignments that differ from the API's."""
    p = vo.params
    names = _overrides.replacements_exist(vo.client, replacements(p))
    if vo.check_mode:
        return would_create(vo, start, end, notes)
    # Read before the create (a read that fails or waits for its rate limit must not leave an override with gaps).
    policies = policy_names(vo)
    override = _overrides.create_override(vo.client, p["username"], start, end, p["timezone"], known_ids)
    try:
        override = with_policy_names(vo, override, policies)
        writes = _overrides.plan_assignments(override["assignments"], *spelled(p, names))
    except OptionError as exc:
        # The policies of an absence are known only once it exists: the override asked for cannot be made, so none is left.
        try:
            _overrides.delete_override(vo.client, override["id"])
        except VictorOpsError as cleanup:
            raise OptionError(
                "%s; the override created to learn them, %s, is left unassigned: deleting it failed (%s)" % (exc, override["id"], cleanup)
            ) from None
        raise OptionError("%s (the override created to learn them, %s, was deleted again)" % (exc, override["id"])) from None
    assign(vo, override, writes)
    return _overrides.applied(override, writes)


def update(vo, current):
    """Write the assignments that differ; ``(changed, after)``."""
    p = vo.params
    current = with_policy_names(vo, current)
    writes = _overrides.plan_assignments(current["assignments"], p["replacement"], p["assignments"])
    if writes:
        # Each replacement to write is read once (it must be a user); as the API spells it, it may already be in place.
        names = _overrides.replacements_exist(vo.client, [replacement for _policy, replacement in writes if replacement])
        writes = _overrides.plan_assignments(current["assignments"], *spelled(p, names))
    if not writes:
        return False, current
    if not vo.check_mode:
        assign(vo, current, writes)
    return True, _overrides.applied(current, writes)


def manage(vo):
    p = vo.params
    start, end = period(p)
    overrides = _overrides.list_overrides(vo.client)
    # The person as the API spells them: exact, else one whose username differs in case alone, when a read of the
    # given name answers with that spelling (an API that folds case).
    username, note = _api.find_username(vo.client, p["username"], sorted({o["username"] for o in overrides}), "username")
    username = username or p["username"]
    current = _overrides.find_override(overrides, username, start, end)
    if current is not None:
        current = with_policy_names(vo, current)
    before = current or {}
    if p["state"] == "absent":
        if current is None:
            return False, {}, {}, dict(override={}, created=False, notes=[note] if note else [])
        if not vo.check_mode:
            _overrides.delete_override(vo.client, current["id"])
        return True, before, {}, dict(override={}, created=False, notes=[note] if note else [])
    notes = ([note] if note else []) + overlap_notes(overrides, username, start, end, current["id"] if current else None)
    if current is None:
        after = create(vo, start, end, notes, frozenset(o["id"] for o in overrides))
        return True, {}, after, dict(override=after, created=True, notes=notes)
    changed, after = update(vo, current)
    return changed, before, after, dict(override=after, created=False, notes=notes)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            start=dict(type="str", required=True),
            end=dict(type="str", required=True),
            timezone=dict(type="str", default="UTC"),
            replacement=dict(type="str"),
            assignments=dict(
                type="list",
                elements="dict",
                options=dict(policy=dict(type="str", required=True), replacement=dict(type="str")),
            ),
            state=STATE_OPTION,
        ),
        mutually_exclusive=[("replacement", "assignments")],
        usernames=("username", "replacement", "assignments[].replacement"),
        non_empty=("start", "end", "timezone", "assignments[].policy"),
        different=(("replacement", "username"),),
    )
    vo.run(manage)


if __name__ == "__main__":
    main()
