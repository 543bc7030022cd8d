#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: victorops_oncall_override
short_description: Take on-call for a VictorOps escalation policy from another user
version_added: 0.1.0
description:
  - Makes O(to_user) on call for the escalation policy O(policy) in place of O(from_user)
    (C(PATCH /api-public/v1/policies/{policy}/oncall/user)).
  - Reads who is on call now once (C(GET /api-public/v1/oncall/current)) and only takes on-call when needed.
    If O(to_user) is already on call for the policy nothing is sent.
  - The override is a one-shot replacement in the current shift, not a stored object; scheduled overrides are
    not managed by this module.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
options:
  policy:
    description:
      - Slug of the escalation policy (V(pol-...), or V(team-...) for a team's default policy).
    type: str
    required: true
  from_user:
    description:
      - Username of the user currently on call for O(policy) who hands over.
    type: str
    required: true
  to_user:
    description:
      - Username of the user who takes on-call.
    type: str
    required: true
notes:
  - The task fails, before any change, when neither O(to_user) nor O(from_user) is on call for O(policy);
    the message names who is on call for it, or says that nobody is (which is also what an unknown policy looks like).
  - The API allows taking on-call 6 times a minute (2018 limits); pacing keeps to it.
  - RV(on_call.users) after a change is computed from the one read (O(from_user) replaced by O(to_user)),
    because the API's answer to the override does not list who is on call.
'''

EXAMPLES = r'''
- name: Hand the Operations high-severity on-call from Alice to Bob
  victorops.oncall.victorops_oncall_override:
    policy: pol-Hs7opsDemoPol001
    from_user: asmith
    to_user: bwong
  register: handover

- name: Show who is on call now
  ansible.builtin.debug:
    msg: "{{ handover.on_call.users }}"
'''

RETURN = r'''
on_call:
  description: Who is on call for the policy after the task.
  returned: success
  type: dict
  contains:
    policy:
      description: Slug of the escalation policy.
      type: str
      returned: success
    users:
      description: Usernames on call for the policy, in the API's order.
      type: list
      elements: str
      returned: success
  sample: {"policy": "pol-abcdefghijklmnop", "users": ["bob"]}
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
'''

from ansible_collections.victorops.oncall.plugins.module_utils._client import NotFoundError
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import oncall_users_by_policy
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import PlanError

ONCALL_CURRENT = "/api-public/v1/oncall/current"
TAKE_ONCALL = "/api-public/v1/policies/{policy}/oncall/user"


def read_on_call(client, policy):
    """Usernames on call for ``policy`` now, or None when the policy is not in the answer at all."""
    entry = oncall_users_by_policy(client.request("GET", ONCALL_CURRENT)).get(policy)
    return None if entry is None else list(entry["users"])


def take_on_call(vo):
    p = vo.params
    policy, from_user, to_user = p["policy"], p["from_user"], p["to_user"]
    client = vo.client
    users = read_on_call(client, policy)
    before = dict(policy=policy, users=users or [])
    if users and to_user in users:
        vo.exit(False, before=before, after=before, on_call=before)
        return
    if not users or from_user not in users:
        if not users:
            raise PlanError("from_user %r is not on call for policy %r: nobody is on call for it now "
                            "(or it is not a known escalation policy slug)" % (from_user, policy))
        raise PlanError("from_user %r is not on call for policy %r; on call now: %s" % (from_user, policy, ", ".join(users)))

    after = dict(policy=policy, users=[to_user if user == from_user else user for user in users])
    if not vo.check_mode:
        def confirm_write():
            now = read_on_call(client, policy) or []
            return (True, None) if to_user in now else (False, None)

        try:
            client.request("PATCH", TAKE_ONCALL, params=dict(policy=policy), body=dict(fromUser=from_user, toUser=to_user),
                           confirm_write=confirm_write)
        except NotFoundError as exc:
            # The policy and from_user were just read, so the unknown party is to_user; the refusal changed nothing.
            raise PlanError("to_user %r could not take the on-call shift of %r: %s" % (to_user, from_user, exc))
    vo.exit(True, before=before, after=after, on_call=after)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            policy=dict(type="str", required=True),
            from_user=dict(type="str", required=True),
            to_user=dict(type="str", required=True),
        ),
    )
    empty = [name for name in ("policy", "from_user", "to_user") if not vo.params[name].strip()]
    if empty:
        vo.fail("%s must not be empty" % " and ".join(empty))
    vo.run(take_on_call)


if __name__ == "__main__":
    main()
