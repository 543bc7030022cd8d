#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_paging_policy
short_description: Manage a VictorOps user's whole personal paging policy
version_added: 0.1.0
description:
  - Makes a user's primary personal paging policy exactly the list of steps given, in one task.
  - The policy is read once and the difference is planned in memory; only the changed steps are replaced
    (one call each), missing steps are appended, and steps beyond the list are removed.
  - The API has no call to delete a step; a step disappears when its last rule is deleted. Each extra step is
    removed with the fewest rule deletions possible (at most two calls), the last step first.
  - Contacts named by value or label are resolved with one read of the user's contact methods, only when a rule needs it
    and O(contact_methods) does not give them.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
  - victorops.oncall._paging.steps
  - victorops.oncall._paging.contact_methods
options:
  username:
    description:
      - The user whose paging policy to manage.
    type: str
    required: true
  contact_methods:
    description:
      - The user's email and phone contact methods when an earlier task has them already, for example the
        RV(victorops.oncall.victorops_contact_method#module:contact_methods) result of
        M(victorops.oncall.victorops_contact_method) on the same user. When given, contacts and contact ids are
        resolved against this list and the user's contact methods are not read.
      - Contact methods without an id (not created yet, in check mode) are left out.
notes:
  - The result is computed from the plan and the API's known semantics, so there is no read after the writes.
seealso:
  - module: victorops.oncall.victorops_paging_step
  - module: victorops.oncall.victorops_paging_rule
  - module: victorops.oncall.victorops_policy_info
"""

EXAMPLES = r"""
- name: Give jdoe a three-step paging policy
  victorops.oncall.victorops_paging_policy:
    username: jdoe
    steps:
      - timeout: 5
        rules:
          - type: push
          - type: email
            contact: Default
      - timeout: 10
        rules:
          - type: sms
            contact: Mobile
      - timeout: 15
        rules:
          - type: phone
            contact: Mobile
  register: policy

- name: Show the contact id the second step texts
  ansible.builtin.debug:
    msg: "{{ policy.paging_policy.steps[1].rules[0].contact_id }}"

- name: Shrink it back to a single step (the extra steps are removed)
  victorops.oncall.victorops_paging_policy:
    username: jdoe
    steps:
      - timeout: 5
        rules:
          - type: push
          - type: email
            contact: Default
"""

RETURN = r"""
paging_policy:
  description:
    - The user's paging policy after the task (planned in check mode), normalised.
  returned: always
  type: dict
  contains:
    username:
      description: The user.
      type: str
      returned: always
    steps:
      description:
        - The steps in order; each has its 0-based C(step) index, its C(timeout) in minutes and its C(rules),
          each rule with its 0-based C(rule) index and its C(type).
        - Each rule has its C(contact_id) (V(null) for push) and, beside it, C(contact), the contact method as C(kind),
          C(value) and C(label); V(null) for push, and when the task did not read the contact methods because every rule
          gave a C(contact_id) the policy already uses.
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
          - {rule: 1, type: email, contact_id: 100011, contact: {kind: email, value: john.doe@example.com, label: Default}}
      - step: 1
        timeout: 10
        rules:
          - {rule: 0, type: sms, contact_id: 100012, contact: {kind: phone, value: "+1 555 0100", label: Mobile}}
plan:
  description:
    - A summary of each write, in order. In check mode the writes that would be sent; otherwise the writes sent.
    - Each rule is named by its contact method and its id when the task read the contact methods, else by its id.
  returned: always
  type: list
  elements: str
  sample: ["update step 0 (timeout 5, rules: push; email to email john.doe@example.com (Default), contact method 100011)",
           "add step 1 (timeout 10, rules: sms to phone +1 555 0100 (Mobile), contact method 100012)"]
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 3, "writes": 2, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._module import CONTACT_METHODS_OPTION, STEP_OPTIONS, VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._paging_apply import converge_steps
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import (
    NOT_READ,
    ContactDirectory,
    desired_step,
    needs_directory,
    plan_policy,
)
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import render_steps


def manage(vo):
    p = vo.params
    username = p["username"]
    current = _api.get_paging_policy(vo.client, username)
    all_rules = [rule for step in p["steps"] for rule in step["rules"]]
    if p["contact_methods"] is not None:
        directory = ContactDirectory.from_contacts(p["contact_methods"])
    else:
        directory = _api.list_contact_methods(vo.client, username) if needs_directory(all_rules, current) else NOT_READ
    desired = [desired_step(step, directory, "steps[%d]" % i) for i, step in enumerate(p["steps"])]
    writes = plan_policy(username, current, desired, directory.contacts)
    after = dict(username=username, steps=render_steps(converge_steps(vo.client, vo.check_mode, username, current, writes), directory.contacts))
    return (
        bool(writes),
        dict(username=username, steps=render_steps(current, directory.contacts)),
        after,
        dict(paging_policy=after, plan=[w.summary for w in writes]),
    )


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            steps=dict(type="list", elements="dict", required=True, options=STEP_OPTIONS),
            contact_methods=CONTACT_METHODS_OPTION,
        ),
        usernames=("username",),
        non_empty=[
            ("steps", "must list at least one step: the first step of a paging policy cannot be removed"),
            ("steps[].rules", "must list at least one rule"),
        ],
    )
    vo.run(manage)


if __name__ == "__main__":
    main()
