#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_team
short_description: Create, rename or remove a VictorOps team and keep its members in step with a list
version_added: 0.2.0
description:
  - Ensures a team exists with the given name (or does not exist), and optionally that its members are those listed.
  - Reads the team list once (operation C(list_teams)) and, for a team that exists, its members once
    (C(list_team_members)); then sends only the writes needed, in this order, C(create_team) or C(rename_team),
    C(add_team_member) for each missing member, C(remove_team_member) for each member to remove, C(delete_team).
  - A new team is taken to have no members, so creating one with N members costs N + 2 calls, with no read of its members.
  - Team names are compared exactly first. Whether the API tells team names apart by case is unknown, so when no team
    has exactly the name O(name), the one team whose name differs in case alone is the team (it is not renamed, and
    RV(notes) says so); two teams matched the same way are an error naming their slugs. Either way no second team
    is created for a name that differs in case alone.
  - Members are compared as in M(victorops.oncall.victorops_team_member), exactly, and a member whose username differs
    in case alone stands for a listed username only when the API says they are one user (one read, C(get_user)).
  - Members the team has but O(members) does not list are removed only with O(purge_members=true).
  - With O(state=absent), a team that still has members is not removed unless O(purge_members=true), when its members are
    removed first (each with O(replacement)). Before any removal the team's escalation policies are read
    (C(list_team_policies)); a team that owns any is not touched, since removing it would fail or take its policies
    with it. A removal the API refuses fails the task with the API's answer and the writes already applied.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
options:
  name:
    description:
      - The team's name. Without O(slug), the team is found by this name (see above) and created when none has it.
      - With O(slug), the name the team of that slug is given (a rename when it differs, compared exactly).
      - One of O(name) and O(slug) is required.
    type: str
  slug:
    description:
      - The team's slug (V(team-) followed by 16 letters, digits or V(_)), as the API chose it.
      - The team must exist when O(state=present); a slug cannot be chosen for a new team.
    type: str
  state:
    description:
      - V(present) makes the team exist; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  members:
    description:
      - Usernames of the team's members. Missing ones are added.
      - Left out, the members are not changed (they are still read and returned).
    type: list
    elements: str
  purge_members:
    description:
      - Remove the members that O(members) does not list (with O(state=present)), or every member before the team
        (with O(state=absent)).
      - Without O(members), nothing is purged with O(state=present).
    type: bool
    default: false
  replacement:
    description:
      - Username of the user who takes over what a removed member held in the team (their on-call shifts).
      - Required when a member is to be removed; it must not be one of the members removed. Checked before any write.
    type: str
"""

EXAMPLES = r"""
- name: The Platform team exists with Chloe and Bob (other members are kept)
  victorops.oncall.victorops_team:
    name: Platform
    members: [cnguyen, bwong]
  register: platform

- name: The Database team has exactly these members; John takes over what the others held
  victorops.oncall.victorops_team:
    name: Database
    members: [asmith, jdoe]
    purge_members: true
    replacement: jdoe

- name: Rename a team, found by its slug
  victorops.oncall.victorops_team:
    slug: team-Db4DemoTeamAb002
    name: Databases

- name: Remove the Platform team, its members first (John takes over what they held)
  victorops.oncall.victorops_team:
    name: Platform
    state: absent
    purge_members: true
    replacement: jdoe
"""

RETURN = r"""
team:
  description: The team after the task (empty when it does not exist). In check mode, a team to be created has no slug yet.
  returned: success
  type: dict
  contains:
    slug:
      description: The team's slug, chosen by the API.
      type: str
      returned: when the team exists
    name:
      description: The team's name.
      type: str
      returned: when the team exists
    members:
      description: The usernames of its members, as the API spells them.
      type: list
      elements: str
      returned: when the team exists
  sample: {"slug": "team-abcdefghijklmnop", "name": "Platform", "members": ["cnguyen", "bwong"]}
added:
  description: The usernames added to the team (to be added, in check mode).
  returned: success
  type: list
  elements: str
  sample: ["bwong"]
removed:
  description: The members removed from the team (to be removed, in check mode).
  returned: success
  type: list
  elements: str
  sample: ["asmith"]
notes:
  description: What the module assumed (empty when nothing), for example a team name that differs in case alone.
  returned: success
  type: list
  elements: str
  sample: ["name 'platform' matched the team 'Platform' (team-abcdefghijklmnop), whose name differs only in case; it is not renamed"]
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 3, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api, _team
from ansible_collections.victorops.oncall.plugins.module_utils._errors import CollectionError, OptionError, PlanExecutionError
from ansible_collections.victorops.oncall.plugins.module_utils._module import STATE_OPTION, VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import TEAM_SLUG


def apply(vo, subject, writes):
    """Send ``writes`` (``[(summary, send)]``) in order; a failure names the writes applied before it."""
    if vo.check_mode:
        return
    summaries = [summary for summary, _send in writes]
    for position, (_summary, send) in enumerate(writes):
        try:
            send()
        except CollectionError as exc:
            raise PlanExecutionError(summaries[:position], summaries[position:], exc, subject=subject) from None


def member_writes(vo, slug, add, remove):
    client, replacement = vo.client, vo.params["replacement"]
    writes = [("add member %s" % user, lambda user=user: _api.add_team_member(client, slug(), user)) for user in add]
    writes += [("remove member %s" % user, lambda user=user: _api.remove_team_member(client, slug(), user, replacement)) for user in remove]
    return writes


def stand_ins(vo, current, wanted):
    """``({listed username: current member}, notes)`` for listed usernames that a member spelled otherwise stands for."""
    found, notes = {}, []
    for username in wanted or []:
        if username not in current:
            match, note = _api.find_username(vo.client, username, current, "members")
            if match is not None:
                found[username] = match
                notes.append(note)
    return found, notes


def result(changed, before, after, notes, add=(), remove=()):
    return changed, before, after, dict(team=after, added=list(add), removed=list(remove), notes=notes)


def create(vo, teams, notes):
    p = vo.params
    wanted = _team.unique(p["members"]) or []
    created = {}

    def send_create():
        created.update(_api.create_team(vo.client, p["name"], [team["slug"] for team in teams]))

    writes = [("create team %r" % p["name"], send_create)] + member_writes(vo, lambda: created["slug"], wanted, [])
    apply(vo, "team %r" % p["name"], writes)
    after = dict(slug=created.get("slug"), name=created.get("name") or p["name"], members=wanted)
    return result(True, {}, after, notes, add=wanted)


def update(vo, teams, team, notes):
    p = vo.params
    slug, name = team["slug"], team["name"]
    writes = []
    if p["slug"] and p["name"] and p["name"] != name:
        problem = _team.rename_problem(teams, slug, p["name"])
        if problem:
            raise OptionError(problem)
        name = p["name"]
        writes.append(("rename team %s to %r" % (slug, name), lambda: _api.rename_team(vo.client, slug, p["name"])))
    current = _api.list_team_members(vo.client, slug)
    wanted = _team.unique(p["members"])
    found, member_notes = stand_ins(vo, current, wanted)
    add, remove, after_members = _team.plan_members(current, wanted, p["purge_members"], found)
    problem = _team.removal_problem(remove, p["replacement"])
    if problem:
        raise OptionError(problem)
    writes += member_writes(vo, lambda: slug, add, remove)
    apply(vo, "team %r (%s)" % (name, slug), writes)
    before = dict(slug=slug, name=team["name"], members=current)
    after = dict(slug=slug, name=name, members=after_members)
    return result(bool(writes), before, after, notes + member_notes, add, remove)


def remove_team(vo, team, notes):
    p = vo.params
    if team is None:
        return result(False, {}, {}, notes)
    slug, name = team["slug"], team["name"]
    current = _api.list_team_members(vo.client, slug)
    if current and not p["purge_members"]:
        raise OptionError(
            "team %r (%s) still has the members %s: it is not removed; set purge_members to remove them first (with a replacement)"
            % (name, slug, ", ".join(current))
        )
    problem = _team.removal_problem(current, p["replacement"])
    if problem:
        raise OptionError(problem)
    # Checked before any write, members or not: a team that owns policies is left as it was (removing it would fail,
    # or take its policies with it).
    policies = _api.list_team_policies(vo.client, slug)
    if policies:
        raise OptionError(
            "team %r (%s) owns the escalation policies %s: removing it would fail or take them with it; nothing was changed"
            % (name, slug, ", ".join("%s (%s)" % (policy["name"], policy["slug"]) for policy in policies))
        )
    writes = member_writes(vo, lambda: slug, [], current)
    writes.append(("remove team %r (%s)" % (name, slug), lambda: _api.delete_team(vo.client, slug)))
    apply(vo, "team %r (%s)" % (name, slug), writes)
    return result(True, dict(slug=slug, name=name, members=current), {}, notes, remove=current)


def manage_team(vo):
    p = vo.params
    if p["slug"] is not None and not TEAM_SLUG.match(p["slug"]):
        raise OptionError("slug %r is not a team slug: team- followed by 16 letters, digits or '_', as the API shows it" % p["slug"])
    teams = _api.list_teams(vo.client)
    team, note = _team.find_team(teams, p["name"], p["slug"])
    notes = [note] if note else []
    if p["state"] == "absent":
        return remove_team(vo, team, notes)
    if team is None and p["slug"]:
        raise OptionError(
            "slug %r: no team has that slug (a new team's slug is chosen by the API: give its name alone); known teams: %s"
            % (p["slug"], ", ".join("%s (%s)" % (t["name"], t["slug"]) for t in teams) or "none")
        )
    if team is None:
        return create(vo, teams, notes)
    return update(vo, teams, team, notes)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            name=dict(type="str"),
            slug=dict(type="str"),
            state=STATE_OPTION,
            members=dict(type="list", elements="str"),
            purge_members=dict(type="bool", default=False),
            replacement=dict(type="str"),
        ),
        usernames=("members", "replacement"),
        slugs=("slug",),
        names=("name",),
        required_one_of=[("name", "slug")],
    )
    vo.run(manage_team)


if __name__ == "__main__":
    main()
