#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: planned_change
short_description: Show in check mode a change that its module cannot plan yet
version_added: 0.2.0
description:
  - Shows O(msg) and, in diff mode, the diff from O(before) to O(after), and makes no change and no API call.
  - For check mode, where a change cannot be planned by the module that makes it because what it depends on does not
    exist yet (the contact methods, teams and paging policy of a user who would be created). The roles of the
    collection compute O(msg), O(before) and O(after) with a filter and show them with this.
author:
  - victorops.oncall maintainers (@victorops-oncall)
attributes:
  check_mode:
    description: In check mode RV(ignore:changed) is true when O(before) and O(after) differ; outside check mode it is false.
    support: full
  diff_mode:
    description: Shows the diff from O(before) to O(after), each rendered as JSON text like the diffs of the modules.
    support: full
  action:
    description: Runs on the controller as an action plugin.
    support: full
options:
  msg:
    description:
      - The change, in words, one line per item. Always shown, also without C(-v).
    type: list
    elements: str
    required: true
  before:
    description:
      - The state before the change; a string is shown as it is, anything else as JSON.
    type: raw
  after:
    description:
      - The state after the change; a string is shown as it is, anything else as JSON.
    type: raw
notes:
  - Nothing is done outside check mode either; the change is then made and reported by the tasks that make it.
"""

EXAMPLES = r"""
- name: Show what would be set up for a person whose user would be created
  victorops.oncall.planned_change:
    msg: "{{ preview.changes }}"
    before: "{{ preview.before }}"
    after: "{{ preview.after }}"
  vars:
    preview: "{{ plan | victorops.oncall.onboarding_preview }}"
  when: ansible_check_mode
"""

RETURN = r"""
msg:
  description: O(msg).
  returned: always
  type: list
  elements: str
  sample: ["would add phone +15550100200 (Mobile)", "would join team Operations"]
"""
