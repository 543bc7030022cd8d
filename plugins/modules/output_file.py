#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: output_file
short_description: Write an export or a report privately and atomically on the controller
version_added: 0.2.0
description:
  - Writes O(data) as YAML or JSON to O(path) on the controller, the way the roles and playbooks of the collection write
    their exports and reports.
  - The file is never visible at another mode and never half written. A private temporary file is created in the same
    directory with mode C(0600) (C(O_EXCL|O_NOFOLLOW)), written, synced, and renamed over O(path).
  - An existing O(path) that belongs to another user, is a symbolic link or is not a regular file is refused, and so is a
    directory that does not exist or cannot be written.
  - In YAML, every string that could hold a template is tagged C(!unsafe), so that Ansible reads it back
    (C(-e @file)) as data and never evaluates the template markers C({{), C({%) or C({#) in it.
author:
  - victorops.oncall maintainers (@victorops-oncall)
attributes:
  check_mode:
    description: In check mode nothing is written; the path is checked and RV(ignore:changed) says whether the content would change.
    support: full
  diff_mode:
    description: No diff is shown.
    support: none
  action:
    description: Runs on the controller as an action plugin.
    support: full
options:
  path:
    description:
      - The file to write. A relative path is relative to the directory where C(ansible-playbook) was started; C(~) is expanded.
    type: str
    required: true
  data:
    description:
      - What to write. Required unless O(check_only=true).
    type: raw
  format:
    description:
      - V(yaml) writes O(data) as YAML with its strings tagged C(!unsafe); V(json) writes indented JSON; V(text) writes O(data),
        a string (an HTML page, a Markdown table), as it is.
    type: str
    choices: [json, text, yaml]
    default: yaml
  header:
    description:
      - Lines written as a YAML comment above the data (ignored for V(json) and V(text)).
    type: str
    default: ""
  check_only:
    description:
      - Only check that O(path) can be written (before a run's first API write), and write nothing.
    type: bool
    default: false
notes:
  - A run that writes the same content again reports no change.
"""

EXAMPLES = r"""
- name: Check, before any change, that the report can be written
  victorops.oncall.output_file:
    path: reports/onboarding.json
    check_only: true

- name: Write the report
  victorops.oncall.output_file:
    path: reports/onboarding.json
    format: json
    data: "{{ report }}"
"""

RETURN = r"""
path:
  description: The absolute path written (or checked).
  returned: success
  type: str
  sample: /home/ops/reports/onboarding.json
"""
