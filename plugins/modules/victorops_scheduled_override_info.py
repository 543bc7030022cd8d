#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_scheduled_override_info
short_description: Read VictorOps scheduled overrides (absences and who covers them)
version_added: 0.2.0
description:
  - Reads every scheduled override in one call (operation C(list_overrides)) and returns those asked for,
    normalised (instants in UTC, assignments sorted by policy slug) and sorted by username, then start.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.read_only
options:
  username:
    description:
      - Keep only the overrides of these usernames (the people who are away). All when not set; none for an empty list.
      - Each is matched exactly; only when no override's user is spelled so may one whose username differs in case alone
        stand in, when the API says they are one user (it answers a read of the name with that spelling, one C(get_user));
        RV(notes) then says so.
    type: list
    elements: str
  future_only:
    description:
      - Keep only the overrides that are not over yet (whose end is after now).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Read the absences of Alice and Bob that are not over yet
  victorops.oncall.victorops_scheduled_override_info:
    username: [asmith, bwong]
  register: absences

- name: Show who covers what
  ansible.builtin.debug:
    msg: "{{ absences.overrides }}"

- name: Read every override, past ones included
  victorops.oncall.victorops_scheduled_override_info:
    future_only: false
"""

RETURN = r"""
overrides:
  description: The overrides kept, sorted by username, then start.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The override's publicId.
      type: str
    username:
      description: Who is away.
      type: str
    start:
      description: The start, in UTC (C(YYYY-MM-DDTHH:MM:SSZ)).
      type: str
    end:
      description: The end, in UTC.
      type: str
    timezone:
      description: The time zone the override was created with.
      type: str
    assignments:
      description: One per escalation policy of the absence, sorted by policy slug.
      type: list
      elements: dict
      contains:
        policy:
          description: The escalation policy's slug.
          type: str
        policy_name:
          description: The policy's name when the API gives it, else V(null).
          type: str
        team:
          description: The team's slug when the API gives it, else V(null).
          type: str
        replacement:
          description: Who covers the policy, V(null) for nobody (a gap).
          type: str
  sample:
    - id: "ovr-5b1f0f2a"
      username: asmith
      start: "2027-03-01T08:00:00Z"
      end: "2027-03-08T08:00:00Z"
      timezone: Europe/Paris
      assignments: [{"policy": "pol-Hs7opsDemoPol001", "policy_name": null, "team": "team-Q2opsDemoTeam001", "replacement": "bwong"}]
notes:
  description: What the module assumed (empty when nothing), for example a username that differs from a given one in case alone.
  returned: success
  type: list
  elements: str
  sample: []
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 1, "writes": 0, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

import datetime

from ansible_collections.victorops.oncall.plugins.module_utils import _api, _overrides
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import UTC, instant_text


def read(vo):
    p = vo.params
    overrides = _overrides.list_overrides(vo.client)
    notes = []
    if p["username"] is not None:
        # Each name as the API spells it (a name differing in case alone stands in only when the API says so).
        held = sorted({o["username"] for o in overrides})
        wanted = set()
        for given in p["username"]:
            match, note = _api.find_username(vo.client, given, held, "username")
            wanted.add(match or given)
            notes += [note] if note else []
        overrides = [o for o in overrides if o["username"] in wanted]
    if p["future_only"]:
        now = instant_text(datetime.datetime.now(UTC))
        overrides = [o for o in overrides if o["end"] > now]
    overrides.sort(key=lambda o: (o["username"], o["start"], o["end"], o["id"]))
    return False, None, None, dict(overrides=overrides, notes=notes)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="list", elements="str"),
            future_only=dict(type="bool", default=True),
        ),
        usernames=("username",),
    )
    vo.run(read)


if __name__ == "__main__":
    main()
