#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_paging_rule
short_description: Manage one notification rule within a step of a VictorOps user's personal paging policy
version_added: 0.1.0
description:
  - Adds, replaces or deletes one notification rule of a step of a user's primary personal paging policy.
  - Without O(rule), a rule is identified by its O(type) and contact. With O(state=present) it is appended
    to the step when the step has no such rule; with O(state=absent) every such rule of the step is deleted.
  - With O(rule), the rule at that 0-based index is replaced when it differs (or appended when O(rule) equals the
    number of rules of the step), or deleted with O(state=absent).
  - The policy is read once, the difference is planned in memory, and only the writes that differ are sent.
  - Contacts named by value or label are resolved with one read of the user's contact methods, only when needed.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
  - victorops.oncall._paging.rule
options:
  username:
    description:
      - The user whose paging policy holds the rule.
    type: str
    required: true
  step:
    description:
      - The 0-based index of the step holding the rule. With O(state=present), the step must exist.
    type: int
    required: true
  rule:
    description:
      - The 0-based index of the rule within the step.
      - If not set, the rule is identified by O(type) and O(contact) or O(contact_id).
      - With O(state=absent), the rule at that index is deleted only when it has O(type) and the contact,
        so that running the task again does not delete the rule that moved up into its place.
      - Rule V(0) of step V(0) cannot be deleted.
    type: int
  state:
    description:
      - Whether the rule should exist.
      - Deleting the only rule of a step other than step V(0) removes that step, and the later steps move up one index.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Deleting a rule moves the later rules of its step up one index.
  - With O(state=absent), a step that does not exist is not a change, since none of its rules exist.
  - The result is computed from the plan and the API's known semantics, so there is no read after the writes.
seealso:
  - module: victorops.oncall.victorops_paging_step
  - module: victorops.oncall.victorops_paging_policy
"""

EXAMPLES = r"""
- name: Make sure jdoe's first step also calls the mobile phone
  victorops.oncall.victorops_paging_rule:
    username: jdoe
    step: 0
    type: phone
    contact: Mobile
  register: call_rule

- name: Show where the rule landed
  ansible.builtin.debug:
    msg: "step {{ call_rule.rule.step }}, rule {{ call_rule.rule.rule }}"

- name: Make the second rule of the second step an email to the signup address
  victorops.oncall.victorops_paging_rule:
    username: jdoe
    step: 1
    rule: 1
    type: email
    contact: john.doe@example.com

- name: Stop calling the mobile phone in the first step
  victorops.oncall.victorops_paging_rule:
    username: jdoe
    step: 0
    type: phone
    contact: Mobile
    state: absent
"""

RETURN = r"""
rule:
  description:
    - The rule after the task (planned in check mode), with the indexes of its step and of itself. V(null) when absent.
    - Without O(rule), the first rule of the step matching O(type) and the contact.
  returned: always
  type: dict
  contains:
    step:
      description: The 0-based index of the step.
      type: int
      returned: success
    rule:
      description: The 0-based index of the rule within the step.
      type: int
      returned: success
    type:
      description: The notification type.
      type: str
      returned: success
    contact_id:
      description: The numeric id of the contact method, V(null) for push.
      type: int
      returned: success
    contact:
      description: The contact method as C(kind), C(value) and C(label); V(null) for push, and when the task did not read the contact methods.
      type: dict
      returned: success
  sample: {step: 0, rule: 2, type: phone, contact_id: 100012, contact: {kind: phone, value: "+1 555 0100", label: Mobile}}
step:
  description:
    - The step holding the rule after the task, in indexed form. V(null) when deleting its only rule removed the step.
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
    step: 0
    timeout: 5
    rules:
      - {rule: 0, type: push, contact_id: null, contact: null}
      - {rule: 1, type: email, contact_id: 100011, contact: {kind: email, value: john.doe@example.com, label: Default}}
      - {rule: 2, type: phone, contact_id: 100012, contact: {kind: phone, value: "+1 555 0100", label: Mobile}}
plan:
  description:
    - A summary of each write, in order. In check mode the writes that would be sent; otherwise the writes sent.
    - Each rule is named by its contact method and its id when the task read the contact methods, else by its id.
  returned: always
  type: list
  elements: str
  sample: ["add rule 2 to step 0 (phone to phone +1 555 0100 (Mobile), contact method 100012)"]
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 3, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._module import RULE_OPTIONS, STATE_OPTION, VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._paging_apply import converge_steps
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import (
    NOT_READ,
    check_step_exists,
    desired_rule,
    needs_directory,
    plan_rule,
)
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import render_steps


def manage(vo):
    p = vo.params
    username, step, rule, present = p["username"], p["step"], p["rule"], p["state"] == "present"
    current = _api.get_paging_policy(vo.client, username)
    if step >= len(current) and not present:
        # The rules of a missing step are absent; this also keeps a task that removed a step by
        # deleting its only rule from failing when it runs again.
        return False, None, None, dict(rule=None, step=None, plan=[])
    check_step_exists(current, step)  # before the contact methods are read
    spec = dict(type=p["type"], contact=p["contact"], contact_id=p["contact_id"])
    directory = _api.list_contact_methods(vo.client, username) if needs_directory([spec], current if present else None) else NOT_READ
    wanted = desired_rule(spec, directory, "")
    writes = plan_rule(username, current, step, desired_rule=wanted, rule=rule, state=p["state"], contacts=directory.contacts)
    after = converge_steps(vo.client, vo.check_mode, username, current, writes)
    result_step = None if len(after) < len(current) else render_steps(after, directory.contacts)[step]
    result_rule = None
    if present and result_step is not None:
        index = rule if rule is not None else after[step]["rules"].index(wanted)
        result_rule = dict(step=step, **result_step["rules"][index])
    before = render_steps(current, directory.contacts)[step]
    return bool(writes), before, result_step, dict(rule=result_rule, step=result_step, plan=[w.summary for w in writes])


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            step=dict(type="int", required=True),
            rule=dict(type="int"),
            state=STATE_OPTION,
            **RULE_OPTIONS,
        ),
        mutually_exclusive=[("contact", "contact_id")],
        usernames=("username",),
        non_negative=("step", "rule"),
    )
    vo.run(manage)


if __name__ == "__main__":
    main()
