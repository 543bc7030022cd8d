#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_oncall_override
short_description: Take on-call for a VictorOps escalation policy from another user
version_added: 0.1.0
description:
  - Makes O(to_user) on call for the escalation policy O(policy) in place of O(from_user)
    (operation C(take_on_call)).
  - Reads who is on call now once (operation C(get_oncall_current)) and only takes on-call when needed.
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
      - The escalation policy, by slug (V(pol-) followed by 16 letters or digits, or V(team-...) for a team's default policy)
        or by name.
      - A name is looked up in the one read of who is on call now, which lists every team's policies with their names;
        it is matched exactly, then ignoring case. Only a name that read does not hold costs a read of the escalation policy
        list (operation C(list_escalation_policies), allowed once a minute in the 2018 limits). An unknown name fails,
        listing the known policies.
    type: str
    required: true
  from_user:
    description:
      - Username of the user currently on call for O(policy) who hands over.
      - Matched exactly. Only when nobody on call is spelled so may one user whose username differs in case alone
        stand in, and only when the API says they are one user (it answers a read of O(from_user) with that spelling,
        which costs one more read, C(get_user)); RV(notes) then says so. Two or more such users are an error naming them.
    type: str
    required: true
  to_user:
    description:
      - Username of the user who takes on-call, matched against who is on call as O(from_user) is.
    type: str
    required: true
notes:
  - The task fails, before any change, when neither O(to_user) nor O(from_user) is on call for O(policy);
    the message names who is on call for it, or says that nobody is (which is also what an unknown policy looks like).
  - The API allows taking on-call 6 times a minute (2018 limits); pacing keeps to it.
  - RV(on_call.users) after a change is computed from the one read (O(from_user) replaced by O(to_user)),
    because the API's answer to the override does not list who is on call.
  - The override sends O(from_user) and O(to_user) as given, so the API, not a guess, decides who they are.
"""

EXAMPLES = r"""
- name: Hand the Operations high-severity on-call from Alice to Bob
  victorops.oncall.victorops_oncall_override:
    policy: pol-Hs7opsDemoPol001
    from_user: asmith
    to_user: bwong
  register: handover

- name: Hand the policy named "Database Primary" from Chloe to Alice (found by name in the on-call read)
  victorops.oncall.victorops_oncall_override:
    policy: Database Primary
    from_user: cnguyen
    to_user: asmith

- name: Show who is on call now
  ansible.builtin.debug:
    msg: "{{ handover.on_call.users }}"
"""

RETURN = r"""
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
notes:
  description: What the module assumed (empty when nothing), for example an on-call user whose username differs from O(from_user) in case alone.
  returned: success (empty when there is nothing to say)
  type: list
  elements: str
  sample: ["from_user 'ASmith' matched the username 'asmith', which differs only in case (the API answered it so)"]
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule


def take_on_call(vo):
    p = vo.params
    from_user, to_user = p["from_user"], p["to_user"]
    current = _api.get_oncall_current(vo.client)
    policy = _api.resolve_escalation_policy(vo.client, p["policy"], known=current)
    users = list(current[policy]["users"]) if policy in current else None
    before = dict(policy=policy, users=users or [])
    taker, note = _api.find_username(vo.client, to_user, users or [], "to_user")
    if taker is not None:
        return False, before, before, dict(on_call=before, notes=[note] if note else [])
    holder, note = _api.find_username(vo.client, from_user, users or [], "from_user")
    if holder is None:
        if not users:
            raise OptionError(
                "from_user %r is not on call for policy %r: nobody is on call for it now "
                "(or it is not a known escalation policy slug)" % (from_user, p["policy"])
            )
        raise OptionError("from_user %r is not on call for policy %r; on call now: %s" % (from_user, p["policy"], ", ".join(users)))
    after = dict(policy=policy, users=[to_user if user == holder else user for user in users])
    if not vo.check_mode:
        _api.take_on_call(vo.client, policy, from_user, to_user)
    return True, before, after, dict(on_call=after, notes=[note] if note else [])


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            policy=dict(type="str", required=True),
            from_user=dict(type="str", required=True),
            to_user=dict(type="str", required=True),
        ),
        usernames=("from_user", "to_user"),
        policies=("policy",),
    )
    vo.run(take_on_call)


if __name__ == "__main__":
    main()
