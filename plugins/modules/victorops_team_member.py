#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_team_member
short_description: Add a user to a VictorOps team or remove them from it
version_added: 0.1.0
description:
  - Ensures a user is, or is not, a member of a team.
  - Reads the team's members once (operation C(list_team_members)), then adds the user
    (C(add_team_member)) or removes them (C(remove_team_member)) when needed.
  - O(username) names the member spelled exactly so. Only when no member is may one member whose username differs in
    case alone stand in, and only when the API says they are one user (it answers a read of O(username), operation
    C(get_user), with that spelling, as an API that stores usernames in its own case does); RV(notes) then says so. Two or
    more such members are an error naming them. Writes always send O(username) as given.
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
      - A name (anything else) costs one more read, of the team list (operation C(list_teams)), to find the slug.
        It is matched against the slugs first, then the names exactly, then the names ignoring case; a name that matches
        nothing fails, suggesting the nearest known name.
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
      - Sent only when given. The 2020 spec marks it required, but public clients remove members without one; when
        the API insists, the task fails with the API's refusal and asks for a replacement.
    type: str
"""

EXAMPLES = r"""
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
"""

RETURN = r"""
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
notes:
  description: What the module assumed (empty when nothing), for example a member whose username differs from O(username) in case alone.
  returned: success (empty when there is nothing to say)
  type: list
  elements: str
  sample: ["username 'JDoe' matched the username 'jdoe', which differs only in case (the API answered it so)"]
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._module import STATE_OPTION, VictorOpsModule


def manage_membership(vo):
    p = vo.params
    username = p["username"]
    slug = _api.resolve_team(vo.client, p["team"])
    member, note = _api.team_member(vo.client, slug, username)
    is_member = member is not None
    wanted = p["state"] == "present"
    before = dict(team=slug, username=username, member=is_member)
    after = dict(before, member=wanted)
    extra = dict(team_member=after, notes=[note] if note else [])
    if is_member == wanted:
        return False, before, after, extra
    if not vo.check_mode:
        if wanted:
            _api.add_team_member(vo.client, slug, username)
        else:
            _api.remove_team_member(vo.client, slug, username, p["replacement"])
    return True, before, after, extra


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            team=dict(type="str", required=True),
            username=dict(type="str", required=True),
            state=STATE_OPTION,
            replacement=dict(type="str"),
        ),
        usernames=("username", "replacement"),
        names=("team",),
        different=[("replacement", "username")],
    )
    vo.run(manage_membership)


if __name__ == "__main__":
    main()
