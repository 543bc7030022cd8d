#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
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
attributes:
  check_mode:
    description: The module never changes anything and runs normally in check mode.
    support: full
  diff_mode:
    description: The module never changes anything, so there is no diff.
    support: none
options:
  escalation_policies:
    description:
      - Read every escalation policy of the organisation, with its team (C(GET /api-public/v1/policies)).
      - The API allows this once a minute.
    type: bool
    default: false
  team_policies:
    description:
      - Slug of a team whose escalation policies to read (C(GET /api-public/v1/team/{team}/policies)).
    type: str
  paging_policy:
    description:
      - Username whose personal paging policy (steps and rules) to read (C(GET /api-public/v1/profile/{username}/policies)).
    type: str
  user_paging_policies:
    description:
      - Username whose flattened paging policy view to read (C(GET /api-public/v1/user/{user}/policies)).
    type: str
  types:
    description:
      - Which lists of paging-policy values to read (C(GET /api-public/v1/policies/types/...)).
    type: list
    elements: str
    choices: [contacts, notifications, timeouts]
    default: []
notes:
  - At least one of O(escalation_policies), O(team_policies), O(paging_policy), O(user_paging_policies) or O(types) must be set.
'''

EXAMPLES = r'''
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
'''

RETURN = r'''
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
      description: The steps in order; each has its 0-based C(step) index, its C(timeout) in minutes and its C(rules).
      type: list
      elements: dict
      returned: always
  sample:
    username: jdoe
    steps:
      - step: 0
        timeout: 5
        rules:
          - {rule: 0, type: push, contact_id: null}
          - {rule: 1, type: email, contact_id: 1234}
user_paging_policies:
  description: The flattened paging policy view of the user given in O(user_paging_policies).
  returned: when requested
  type: dict
  sample:
    username: jdoe
    user_id: 42
    policies:
      - {order: 1, timeout: 5, contact_type: email, ext_id: 0e318016-75c8-11ea-b690-3c970e75c219}
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
'''

from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import (
    escalation_policy_list,
    paging_policy_result,
    type_list,
    user_paging_policies,
)
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import POLICY

TYPE_READS = {
    # option value: (path, response key, result key)
    "contacts": ("/api-public/v1/policies/types/contacts", "contactTypes", "contact_types"),
    "notifications": ("/api-public/v1/policies/types/notifications", "notificationTypes", "notification_types"),
    "timeouts": ("/api-public/v1/policies/types/timeouts", "timeoutTypes", "timeout_types"),
}


def read(vo):
    p = vo.params
    client = vo.client
    result = {}
    if p["escalation_policies"]:
        body = client.request("GET", "/api-public/v1/policies")
        result["escalation_policies"] = escalation_policy_list(body, "GET /api-public/v1/policies")
    if p["team_policies"]:
        body = client.request("GET", "/api-public/v1/team/{team}/policies", params=dict(team=p["team_policies"]))
        result["team_policies"] = escalation_policy_list(body, "GET /api-public/v1/team/{team}/policies")
    if p["paging_policy"]:
        body = client.request("GET", POLICY, params=dict(username=p["paging_policy"]))
        result["paging_policy"] = paging_policy_result(p["paging_policy"], body)
    if p["user_paging_policies"]:
        body = client.request("GET", "/api-public/v1/user/{user}/policies", params=dict(user=p["user_paging_policies"]))
        result["user_paging_policies"] = user_paging_policies(body)
    for kind in sorted(set(p["types"])):
        path, key, result_key = TYPE_READS[kind]
        result[result_key] = type_list(client.request("GET", path), key, as_int=(kind == "timeouts"))
    vo.exit(changed=False, **result)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            escalation_policies=dict(type="bool", default=False),
            team_policies=dict(type="str"),
            paging_policy=dict(type="str"),
            user_paging_policies=dict(type="str"),
            types=dict(type="list", elements="str", choices=["contacts", "notifications", "timeouts"], default=[]),
        ),
    )
    p = vo.params
    if not (p["escalation_policies"] or p["team_policies"] or p["paging_policy"] or p["user_paging_policies"] or p["types"]):
        vo.fail("Nothing to read: set at least one of escalation_policies, team_policies, paging_policy, user_paging_policies or types.")
    vo.run(read)


if __name__ == "__main__":
    main()
