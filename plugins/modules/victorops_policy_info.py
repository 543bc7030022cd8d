#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_policy_info
short_description: Read VictorOps escalation policies, paging policies and paging-policy values
version_added: 0.1.0
description:
  - Reads only what the options ask for, one API call per item, because the API is rate limited
    (the escalation policy list may be read only once a minute).
  - Values are normalised the same way in every module of the collection, whatever form the API
    answers in (timeouts as integers, contact types in lower case, push rules without a contact).
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.read_only
options:
  escalation_policies:
    description:
      - Read every escalation policy of the organisation, with its team (operation C(list_escalation_policies)).
      - The API allows this once a minute.
    type: bool
    default: false
  team_policies:
    description:
      - Slug of a team whose escalation policies to read (operation C(list_team_policies)).
    type: str
  paging_policy:
    description:
      - Username whose personal paging policy (steps and rules) to read (operation C(get_paging_policy)).
      - Each rule shows its contact method beside its id, which costs one more read (C(list_contact_methods)) when a
        rule names a contact method.
    type: str
  user_paging_policies:
    description:
      - Username whose flattened paging policy view to read (operation C(list_user_paging_policies)).
    type: str
  types:
    description:
      - Which lists of paging-policy values to read (operations C(list_contact_types), C(list_notification_types), C(list_timeout_types)).
    type: list
    elements: str
    choices: [contacts, notifications, timeouts]
    default: []
  on_call:
    description:
      - Read who is on call now, per escalation policy (operation C(get_oncall_current)).
    type: bool
    default: false
  teams:
    description:
      - Read the organisation's teams, with their names and slugs (operation C(list_teams)).
    type: bool
    default: false
notes:
  - At least one of O(escalation_policies), O(team_policies), O(paging_policy), O(user_paging_policies), O(on_call), O(teams) or O(types) must be set.
"""

EXAMPLES = r"""
- name: Read a user's paging policy and the allowed timeouts
  victorops.oncall.victorops_policy_info:
    paging_policy: jdoe
    types: [timeouts]
  register: info

- name: Read every escalation policy (at most once a minute)
  victorops.oncall.victorops_policy_info:
    escalation_policies: true
  register: policies

- name: Show the slugs of the escalation policies
  ansible.builtin.debug:
    msg: "{{ policies.escalation_policies | map(attribute='slug') | list }}"
"""

RETURN = r"""
escalation_policies:
  description: Every escalation policy with its team. Returned when O(escalation_policies=true).
  returned: when requested
  type: list
  elements: dict
  contains:
    name:
      description: Name of the policy.
      type: str
      returned: always
    slug:
      description: Slug of the policy.
      type: str
      returned: always
    team:
      description: Name and slug of the team owning the policy.
      type: dict
      returned: always
  sample: [{"name": "Ops primary", "slug": "pol-abcdefghijklmnop", "team": {"name": "Ops", "slug": "team-abcdefghijklmnop"}}]
team_policies:
  description: The escalation policies of the team given in O(team_policies), in the same form as RV(escalation_policies).
  returned: when requested
  type: list
  elements: dict
  sample: [{"name": "Ops primary", "slug": "pol-abcdefghijklmnop", "team": {"name": "Ops", "slug": "team-abcdefghijklmnop"}}]
paging_policy:
  description: The personal paging policy of the user given in O(paging_policy), normalised.
  returned: when requested
  type: dict
  contains:
    username:
      description: The user.
      type: str
      returned: always
    steps:
      description:
        - The steps in order; each has its 0-based C(step) index, its C(timeout) in minutes and its C(rules).
        - Each rule has its 0-based C(rule) index, its C(type), its C(contact_id) and C(contact), the contact method as
          C(kind), C(value) and C(label) (null for push rules).
      type: list
      elements: dict
      returned: always
  sample:
    username: jdoe
    steps:
      - step: 0
        timeout: 5
        rules:
          - {rule: 0, type: push, contact_id: null, contact: null}
          - {rule: 1, type: email, contact_id: 1234, contact: {kind: email, value: john.doe@example.com, label: Default}}
user_paging_policies:
  description: The flattened paging policy view of the user given in O(user_paging_policies).
  returned: when requested
  type: dict
  sample:
    username: jdoe
    user_id: 42
    policies:
      - {order: 1, timeout: 5, contact_type: email, ext_id: 0e318016-75c8-11ea-b690-3c970e75c219}
on_call:
  description: Who is on call now, one entry per escalation policy that has someone on call, sorted by policy slug.
  returned: when O(on_call=true)
  type: list
  elements: dict
  contains:
    policy:
      description: Slug of the escalation policy.
      type: str
      returned: always
    name:
      description: Name of the escalation policy.
      type: str
      returned: always
    team:
      description: Name and slug of the team owning the policy.
      type: dict
      returned: always
    users:
      description: Usernames on call now for the policy.
      type: list
      elements: str
      returned: always
  sample: [{"policy": "pol-abcdefghijklmnop", "name": "Ops primary", "team": {"name": "Ops", "slug": "team-abcdefghijklmnop"}, "users": ["jdoe"]}]
teams:
  description: Every team of the organisation, in the API's order.
  returned: when O(teams) is true
  type: list
  elements: dict
  contains:
    name:
      description: The team's name.
      type: str
      returned: always
    slug:
      description: The team's slug, which paths and other modules use.
      type: str
      returned: always
  sample: [{"name": "Operations", "slug": "team-Q2opsDemoTeam001"}]
contact_types:
  description: The contact method kinds paging rules can target, in lower case.
  returned: when O(types) contains V(contacts)
  type: list
  elements: dict
  sample: [{"type": "email", "description": "Email Address"}, {"type": "phone", "description": "Phone Number"}]
notification_types:
  description: The paging rule types, in lower case.
  returned: when O(types) contains V(notifications)
  type: list
  elements: dict
  sample: [{"type": "push", "description": "Send a push notification to all my devices"}]
timeout_types:
  description: The allowed step timeouts in minutes, as integers.
  returned: when O(types) contains V(timeouts)
  type: list
  elements: dict
  sample: [{"type": 1, "description": "If still unacked after 1 minute"}]
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 0, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import render_steps

READ_OPTIONS = ("escalation_policies", "team_policies", "paging_policy", "user_paging_policies", "on_call", "teams", "types")


def paging_policy(client, username):
    """The user's steps, each rule with its contact method (read only when a rule names one)."""
    steps = _api.get_paging_policy(client, username)
    named = any(rule["contact_id"] is not None for step in steps for rule in step["rules"])
    contacts = _api.list_contact_methods(client, username).contacts if named else None
    return dict(username=username, steps=render_steps(steps, contacts))


def read(vo):
    p = vo.params
    client = vo.client
    result = {}
    if p["escalation_policies"]:
        result["escalation_policies"] = _api.list_escalation_policies(client)
    if p["team_policies"]:
        result["team_policies"] = _api.list_team_policies(client, p["team_policies"])
    if p["paging_policy"]:
        result["paging_policy"] = paging_policy(client, p["paging_policy"])
    if p["user_paging_policies"]:
        result["user_paging_policies"] = _api.list_user_paging_policies(client, p["user_paging_policies"])
    if p["on_call"]:
        result["on_call"] = [
            dict(policy=slug, name=entry["name"], team=entry["team"], users=entry["users"]) for slug, entry in sorted(_api.get_oncall_current(client).items())
        ]
    if p["teams"]:
        result["teams"] = _api.list_teams(client)
    for kind in sorted(set(p["types"])):
        result[_api.TYPE_LISTS[kind][2]] = _api.list_types(client, kind)
    return False, None, None, result


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            escalation_policies=dict(type="bool", default=False),
            team_policies=dict(type="str"),
            paging_policy=dict(type="str"),
            user_paging_policies=dict(type="str"),
            on_call=dict(type="bool", default=False),
            teams=dict(type="bool", default=False),
            types=dict(type="list", elements="str", choices=["contacts", "notifications", "timeouts"], default=[]),
        ),
        usernames=("paging_policy", "user_paging_policies"),
        slugs=("team_policies",),
        one_of=READ_OPTIONS,
    )
    vo.run(read)


if __name__ == "__main__":
    main()
