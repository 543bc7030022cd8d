#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_paging_step
short_description: Manage one step of a VictorOps user's personal paging policy
version_added: 0.1.0
description:
  - Creates, updates or removes one step (a timeout and its notification rules) of a user's primary personal paging policy.
  - The policy is read once, the difference is planned in memory, and only the writes that differ are sent.
  - A step is created when O(step) equals the number of existing steps, replaced with one call when its timeout or
    rules differ, and left alone otherwise.
  - The API has no call to delete a step; a step disappears when its last rule is deleted. The module removes a step
    with the fewest rule deletions possible (at most two calls).
  - Contacts named by value or label are resolved with one read of the user's contact methods, only when a rule needs it.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
  - victorops.oncall._paging.rules
options:
  username:
    description:
      - The user whose paging policy holds the step.
    type: str
    required: true
  step:
    description:
      - The 0-based index of the step.
      - With O(state=present), at most the number of existing steps (that value appends a new step).
      - Step V(0) cannot be removed.
    type: int
    required: true
  state:
    description:
      - Whether the step should exist.
    type: str
    choices: [present, absent]
    default: present
notes:
  - O(timeout) and O(rules) are required when O(state=present).
  - Removing a step that does not exist is not a change.
  - The result is computed from the plan and the API's known semantics, so there is no read after the writes.
seealso:
  - module: victorops.oncall.victorops_paging_policy
  - module: victorops.oncall.victorops_paging_rule
"""

EXAMPLES = r"""
- name: Make the first step of jdoe's policy a push, then an email to the signup address, for 5 minutes
  victorops.oncall.victorops_paging_step:
    username: jdoe
    step: 0
    timeout: 5
    rules:
      - type: push
      - type: email
        contact: Default

- name: Append a third step that texts and calls the mobile phone
  victorops.oncall.victorops_paging_step:
    username: jdoe
    step: 2
    timeout: 15
    rules:
      - type: sms
        contact: Mobile
      - type: phone
        contact: "+1 555 0100"
  register: third_step

- name: Show the contact id the new step calls
  ansible.builtin.debug:
    msg: "{{ third_step.step.rules[1].contact_id }}"

- name: Remove the third step again
  victorops.oncall.victorops_paging_step:
    username: jdoe
    step: 2
    state: absent
"""

RETURN = r"""
step:
  description:
    - The step after the task (planned in check mode), in indexed form. V(null) when the step is absent.
  returned: always
  type: dict
  contains:
    step:
      description: The 0-based index of the step.
      type: int
      returned: success
    timeout:
      description: Minutes before the next step runs.
      type: int
      returned: success
    rules:
      description:
        - The rules in order, each with its 0-based C(rule) index and its C(type).
        - Each rule has its C(contact_id) (V(null) for push) and, beside it, C(contact), the contact method as C(kind),
          C(value) and C(label); V(null) for push, and when the task did not read the contact methods because every rule
          gave a C(contact_id) the policy already uses.
      type: list
      elements: dict
      returned: success
  sample:
    step: 1
    timeout: 10
    rules:
      - {rule: 0, type: sms, contact_id: 100012, contact: {kind: phone, value: "+1 555 0100", label: Mobile}}
      - {rule: 1, type: phone, contact_id: 100012, contact: {kind: phone, value: "+1 555 0100", label: Mobile}}
plan:
  description:
    - A summary of each write, in order. In check mode the writes that would be sent; otherwise the writes sent.
    - Each rule is named by its contact method and its id when the task read the contact methods, else by its id.
  returned: always
  type: list
  elements: str
  sample:
    - "add step 1 (timeout 10, rules: sms to phone +1 555 0100 (Mobile), contact method 100012; phone to phone +1 555 0100 (Mobile), contact method 100012)"
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._module import RULES_OPTION, STATE_OPTION, TIMEOUT_OPTION, VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._paging_apply import converge_steps
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import (
    NOT_READ,
    check_step_reachable,
    desired_step,
    needs_directory,
    plan_step,
)
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import render_steps


def one_step(steps, index, directory):
    return render_steps(steps, directory.contacts)[index] if index < len(steps) else None


def manage(vo):
    p = vo.params
    username, index, present = p["username"], p["step"], p["state"] == "present"
    current = _api.get_paging_policy(vo.client, username)
    directory = NOT_READ
    desired = None
    if present:
        check_step_reachable(current, index)  # before the contact methods are read
        if needs_directory(p["rules"], current):
            directory = _api.list_contact_methods(vo.client, username)
        desired = desired_step(dict(timeout=p["timeout"], rules=p["rules"]), directory, "")
    writes = plan_step(username, current, index, desired, contacts=directory.contacts)
    after = converge_steps(vo.client, vo.check_mode, username, current, writes)
    shown = None if not present and len(after) < len(current) else one_step(after, index, directory)
    return bool(writes), one_step(current, index, directory), shown, dict(step=shown, plan=[w.summary for w in writes])


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            step=dict(type="int", required=True),
            timeout=TIMEOUT_OPTION,
            rules=RULES_OPTION,
            state=STATE_OPTION,
        ),
        required_if=[("state", "present", ("timeout", "rules"))],
        usernames=("username",),
        non_negative=("step",),
        non_empty=[("rules", "must list at least one rule")],
    )
    vo.run(manage)


if __name__ == "__main__":
    main()
