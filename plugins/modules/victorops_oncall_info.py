#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_oncall_info
short_description: Read who is on call in VictorOps, now, at a given instant, and in the days ahead
version_added: 0.2.0
description:
  - Reads the on-call schedule of a team (operation C(get_team_schedule)) or of a user (operation C(get_user_schedule)),
    one read in either case, and returns its shifts per escalation policy with the scheduled overrides applied.
  - A shift covered by a scheduled override splits into the regular person before and after the absence and, inside it,
    the replacement (a shift with C(override=true)) or a gap (no username) when nobody covers that policy.
  - Also returns who is on call at one instant, O(at) (now by default), per escalation policy.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.read_only
options:
  team:
    description:
      - The team whose schedule to read, by slug (V(team-) followed by 16 letters or digits) or by name.
      - A name costs one more read, of the team list (operation C(list_teams)), to find the slug; it is matched exactly,
        then ignoring case.
      - Exactly one of O(team) and O(username) is required.
    type: str
  username:
    description:
      - The user whose schedule to read; RV(schedule) then holds only the shifts this user is on call in (their own and
        those they cover), per escalation policy of their teams.
      - Exactly one of O(team) and O(username) is required.
    type: str
  days_forward:
    description:
      - How many days ahead of now RV(schedule) reaches, V(0) to V(30) (the API looks at most 30 days ahead).
      - V(0) means now only, the shifts covering the present moment; the read still asks the API for one day.
    type: int
    default: 0
  at:
    description:
      - The instant RV(on_call_now) is about, ISO 8601 (with an offset or V(Z); without one it is UTC) or epoch milliseconds.
      - From now to 30 days ahead; the read covers it even when it lies beyond O(days_forward). An instant up to
        5 minutes in the past counts as now (clocks differ).
      - If not set, now.
    type: str
notes:
  - Costs one API call (the schedule read), two when O(team) is a name. The schedule reads are allowed 60 times a minute
    in the 2020 limits; pacing keeps to them.
  - C(changed) is always V(false).
"""

EXAMPLES = r"""
- name: Who is on call for the Operations team now
  victorops.oncall.victorops_oncall_info:
    team: team-Q2opsDemoTeam001
  register: ops

- name: Show the usernames per escalation policy
  ansible.builtin.debug:
    msg: "{{ ops.on_call_now }}"

- name: The Operations schedule of the next two weeks, by team name (one more read)
  victorops.oncall.victorops_oncall_info:
    team: Operations
    days_forward: 14
  register: fortnight

- name: The shifts of one person for the coming month, and where they are on call in three days at 09:00 UTC
  victorops.oncall.victorops_oncall_info:
    username: asmith
    days_forward: 30
    at: "{{ '%Y-%m-%dT09:00:00Z' | strftime(now(utc=true).timestamp() + 3 * 86400, utc=true) }}"
  register: asmith
"""

RETURN = r"""
schedule:
  description:
    - Per escalation policy, the shifts from now to O(days_forward) days ahead, cut to that window, in time order;
      sorted by team then policy name. With O(days_forward=0), the shifts covering now, from now to their end.
  returned: always
  type: list
  elements: dict
  contains:
    policy:
      description: Slug of the escalation policy.
      type: str
      returned: always
    policy_name:
      description: Name of the escalation policy.
      type: str
      returned: always
    team:
      description: Slug of the team owning the policy.
      type: str
      returned: always
    shifts:
      description:
        - Each shift has C(policy), C(policy_name), C(team), C(username) (null in a gap, an absence nobody covers),
          C(start) and C(end) (UTC, C(YYYY-MM-DDTHH:MM:SSZ)) and C(override), true when the person is on call by a
          scheduled override (a replacement) or in a gap.
      type: list
      elements: dict
      returned: always
  sample:
    - policy: pol-Hs7opsDemoPol001
      policy_name: Operations High Severity
      team: team-Q2opsDemoTeam001
      shifts:
        - {policy: pol-Hs7opsDemoPol001, policy_name: Operations High Severity, team: team-Q2opsDemoTeam001,
           username: asmith, start: "2026-03-02T09:00:00Z", end: "2026-03-04T00:00:00Z", override: false}
        - {policy: pol-Hs7opsDemoPol001, policy_name: Operations High Severity, team: team-Q2opsDemoTeam001,
           username: bwong, start: "2026-03-04T00:00:00Z", end: "2026-03-06T00:00:00Z", override: true}
on_call_now:
  description:
    - The usernames on call at RV(on_call_at), per escalation policy slug of RV(schedule).
    - With O(team), an empty list is a gap (nobody on call, as during an unassigned absence).
    - With O(username), only the user's own shifts are read, so a policy lists the user when they are on call for it
      at that instant and is empty otherwise (someone else may be on call for it).
  returned: always
  type: dict
  sample: {"pol-Hs7opsDemoPol001": ["asmith"], "pol-Lo7opsDemoPol002": []}
on_call_at:
  description: The instant RV(on_call_now) is about (O(at), or the moment of the read), UTC.
  returned: always
  type: str
  sample: "2026-03-02T09:00:00Z"
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 1, "writes": 0, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {"get_team_schedule": 1}}
"""

import datetime

from ansible_collections.victorops.oncall.plugins.module_utils import _api, _schedule
from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import MAX_DAYS_FORWARD, UTC, instant_text


def read(vo):
    p = vo.params
    days = p["days_forward"]
    if not 0 <= days <= MAX_DAYS_FORWARD:
        raise OptionError("days_forward must be 0 to %d, got %d" % (MAX_DAYS_FORWARD, days))
    now = datetime.datetime.now(UTC)
    at = _schedule.instant_option(p["at"], now)
    read_days = _schedule.days_to_read(now, days, at)
    if p["team"]:
        schedule = _schedule.get_team_schedule(vo.client, _api.resolve_team(vo.client, p["team"]), read_days)
    else:
        schedule = _schedule.get_user_schedule(vo.client, p["username"], read_days)
    # The API's schedule starts at the moment it answered: now is taken after the read, and an earlier ``at`` is now.
    now = datetime.datetime.now(UTC)
    at = max(at, now)
    window = _schedule.clip(schedule, now, now + days * _schedule.DAY if days else None)
    return False, None, None, dict(schedule=window, on_call_now=_schedule.on_call_at(schedule, at), on_call_at=instant_text(at))


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            team=dict(type="str"),
            username=dict(type="str"),
            days_forward=dict(type="int", default=0),
            at=dict(type="str"),
        ),
        usernames=("username",),
        names=("team",),
        mutually_exclusive=[("team", "username")],
        required_one_of=[("team", "username")],
    )
    vo.run(read)


if __name__ == "__main__":
    main()
