#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: victorops_team_member
short_description: Add a user to a VictorOps team or remove them from it
version_added: 0.1.0
description:
  - Ensures a user is, or is not, a member of a team.
  - Reads the team's members once (C(GET /api-public/v1/team/{team}/members)), then adds the user
    (C(POST /api-public/v1/team/{team}/members)) or removes them (C(DELETE /api-public/v1/team/{team}/members/{user})) when needed.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
options:
  team:
    description:
      - The team, by slug (V(team-) followed by 16 letters or digits) or by name.
      - A name (anything else) costs one more read, of the team list (C(GET /api-public/v1/team)), to find the slug.
        It is matched against the slugs first, then the names exactly, then the names ignoring case.
    type: str
    required: true
  username:
    description:
      - The user to add or remove.
    type: str
    required: true
  state:
    description:
      - V(present) makes the user a member; V(absent) removes them from the team.
    type: str
    choices: [present, absent]
    default: present
  replacement:
    description:
      - Username of the team member who takes over the removed user's on-call shifts in the team.
      - Required when O(state=absent), because the API refuses to remove a member without one.
    type: str
'''

EXAMPLES = r'''
- name: Add Chloe to the Operations team (by slug)
  victorops.oncall.victorops_team_member:
    team: team-Q2opsDemoTeam001
    username: cnguyen

- name: Add Bob to the Database team (by name)
  victorops.oncall.victorops_team_member:
    team: Database
    username: bwong
  register: membership

- name: Remove Bob from the Operations team, handing his shifts to John
  victorops.oncall.victorops_team_member:
    team: team-Q2opsDemoTeam001
    username: bwong
    state: absent
    replacement: jdoe
'''

RETURN = r'''
team_member:
  description: The membership after the task.
  returned: success
  type: dict
  contains:
    team:
      description: Slug of the team (resolved when O(team) was a name).
      type: str
      returned: success
    username:
      description: The user.
      type: str
      returned: success
    member:
      description: Whether the user is a member of the team.
      type: bool
      returned: success
  sample: {"team": "team-abcdefghijklmnop", "username": "jdoe", "member": true}
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
'''

import re

from ansible_collections.victorops.oncall.plugins.module_utils._client import NotFoundError
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import team_list, team_member_list
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import PlanError

TEAMS = "/api-public/v1/team"
MEMBERS = "/api-public/v1/team/{team}/members"
MEMBER = "/api-public/v1/team/{team}/members/{user}"
# The documented team slug format, team-[\w\d]{16}.
TEAM_SLUG = re.compile(r"^team-[A-Za-z0-9_]{16}$")


def resolve_team(client, team):
    """The slug of ``team``; a value that is not slug-shaped is looked up in the team list."""
    if TEAM_SLUG.match(team):
        return team
    teams = team_list(client.request("GET", TEAMS), "GET %s" % TEAMS)
    for matches in ([t for t in teams if t["slug"] == team],
                    [t for t in teams if t["name"] == team],
                    [t for t in teams if (t["name"] or "").lower() == team.lower()]):
        if len(matches) == 1:
            return matches[0]["slug"]
        if len(matches) > 1:
            raise PlanError("team %r is ambiguous: it names the teams %s; give the slug instead"
                            % (team, ", ".join(sorted(t["slug"] for t in matches))))
    raise PlanError("team %r: no team has that name or slug; known teams: %s"
                    % (team, ", ".join("%s (%s)" % (t["name"], t["slug"]) for t in teams) or "none"))


def read_members(client, slug, given):
    try:
        body = client.request("GET", MEMBERS, params=dict(team=slug))
    except NotFoundError:
        raise PlanError("team %r: the API knows no such team" % given)
    return team_member_list(body, "GET %s" % MEMBERS)


def manage_membership(vo):
    p = vo.params
    client = vo.client
    username = p["username"]
    slug = resolve_team(client, p["team"])
    is_member = username in read_members(client, slug, p["team"])
    wanted = p["state"] == "present"
    before = dict(team=slug, username=username, member=is_member)
    after = dict(before, member=wanted)
    if is_member == wanted:
        vo.exit(False, before=before, after=after, team_member=after)
        return
    if not vo.check_mode:
        def confirm_write():
            now_member = username in read_members(client, slug, p["team"])
            return (True, None) if now_member == wanted else (False, None)

        if wanted:
            try:
                client.request("POST", MEMBERS, params=dict(team=slug), body=dict(username=username), confirm_write=confirm_write)
            except NotFoundError as exc:
                # The API checks the user only when the write arrives; the refusal changed nothing.
                raise PlanError("username %r could not be added to team %r: %s" % (username, p["team"], exc))
        else:
            client.request("DELETE", MEMBER, params=dict(team=slug, user=username), body=dict(replacement=p["replacement"]),
                           confirm_write=confirm_write)
    vo.exit(True, before=before, after=after, team_member=after)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            team=dict(type="str", required=True),
            username=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            replacement=dict(type="str"),
        ),
        required_if=[("state", "absent", ("replacement",))],
    )
    p = vo.params
    problems = ["%s must not be empty" % name for name in ("team", "username", "replacement") if p[name] is not None and not p[name].strip()]
    if p["state"] == "absent" and p["replacement"] and p["replacement"] == p["username"]:
        problems.append("replacement must be another user than username %r" % p["username"])
    if problems:
        vo.fail("; ".join(problems))
    vo.run(manage_membership)


if __name__ == "__main__":
    main()
