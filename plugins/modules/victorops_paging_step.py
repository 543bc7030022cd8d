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
  timeout:
    description:
      - Minutes to wait for an acknowledgement before the next step runs.
      - Required when O(state=present).
    type: int
    choices: [1, 5, 10, 15, 20, 25, 30, 45, 60]
  rules:
    description:
      - The notification rules of the step, in order. At least one.
      - Required when O(state=present).
    type: list
    elements: dict
    suboptions:
      type:
        description:
          - How to notify. V(push) notifies every device of the user and takes no contact.
          - V(email) needs an email contact method; V(sms) and V(phone) need a phone contact method.
        type: str
        required: true
        choices: [push, email, sms, phone]
      contact:
        description:
          - The contact method, by its value (an email address or phone number) or by its label.
          - Email addresses are compared without regard to case; phone numbers ignoring spaces, dashes, dots and parentheses.
          - Mutually exclusive with O(rules[].contact_id).
        type: str
      contact_id:
        description:
          - The contact method's numeric id, as the API uses it in paging rules.
          - An id the policy already uses needs no read; a new one is checked against the user's contact methods (one read) before it is written.
          - Mutually exclusive with O(rules[].contact).
        type: int
  state:
    description:
      - Whether the step should exist.
    type: str
    choices: [present, absent]
    default: present
notes:
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
      description: The rules in order, each with its 0-based C(rule) index, its C(type) and its C(contact_id) (V(null) for push).
      type: list
      elements: dict
      returned: success
  sample:
    step: 1
    timeout: 10
    rules:
      - {rule: 0, type: sms, contact_id: 100012}
      - {rule: 1, type: phone, contact_id: 100012}
plan:
  description:
    - A summary of each write, in order. In check mode the writes that would be sent; otherwise the writes sent.
  returned: always
  type: list
  elements: str
  sample: ["add step 1 (timeout 10, rules: sms to contact method 100012; phone to contact method 100012)"]
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._paging_apply import converge_steps
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import (
    NOT_READ,
    RULE_TYPES,
    TIMEOUTS,
    check_step_reachable,
    desired_step,
    needs_directory,
    plan_step,
    render_steps,
)

RULE_OPTIONS = dict(
    type=dict(type="str", required=True, choices=list(RULE_TYPES)),
    contact=dict(type="str"),
    contact_id=dict(type="int"),
)


def one_step(steps, index, directory=None):
    return render_steps(steps, directory)[index] if index < len(steps) else None


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
    writes = plan_step(username, current, index, desired)
    after = converge_steps(vo.client, vo.check_mode, username, current, writes)
    removed = not present and len(after) < len(current)
    return (
        bool(writes),
        one_step(current, index, directory),
        None if removed else one_step(after, index, directory),
        dict(step=None if removed else one_step(after, index), plan=[w.summary for w in writes]),
    )


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            step=dict(type="int", required=True),
            timeout=dict(type="int", choices=list(TIMEOUTS)),
            rules=dict(type="list", elements="dict", options=RULE_OPTIONS, mutually_exclusive=[("contact", "contact_id")]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ("timeout", "rules"))],
        usernames=("username",),
        non_negative=("step",),
    )
    if vo.params["state"] == "present" and not vo.params["rules"]:
        vo.fail("rules must list at least one rule")
    vo.run(manage)


if __name__ == "__main__":
    main()
