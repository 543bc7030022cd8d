# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What an onboarding run costs, before it starts: the API calls per person and per operation, and the time they
take at the documented rate limits (the role prints it before the first person, behind the filter
``victorops.oncall.onboarding_estimate``). Pure: plans in (from ``_onboarding.onboarding_plan``), numbers and text out.
"""

from __future__ import annotations

import os

from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import LEVELS, MINUTE, estimate_seconds, table_limit

# Ansible's own time, measured (docs/performance.md, "Cost of one task"): a module task, and the rest of a person's
# tasks (the include, the facts, the report entry) together.
TASK_SECONDS = 0.4
PERSON_OVERHEAD_SECONDS = 0.3


def person_calls(plan, new=True):
    """The API calls onboarding ``plan`` costs, per operation: for a new person, or for a re-run that changes nothing.

    A new user's default paging policy has one step (push and email), so a policy of N steps costs one
    ``update_step`` and N - 1 ``create_step``.
    """
    calls = {"get_user": 1}
    adds = {"phone": 0, "email": 0}
    for contact in plan["contact_methods"]:
        adds[contact["kind"]] += 1
    if plan["contact_methods"] or plan["needs_contacts"]:
        calls["list_contact_methods"] = 1
    if plan["teams"]:
        calls["list_team_members"] = len(plan["teams"])
    calls["get_paging_policy"] = 1
    if new:
        calls["create_user"] = 1
        if adds["phone"]:
            calls["add_phone"] = adds["phone"]
        if adds["email"]:
            calls["add_email"] = adds["email"]
        if plan["teams"]:
            calls["add_team_member"] = len(plan["teams"])
        calls["update_step"] = 1
        if len(plan["steps"]) > 1:
            calls["create_step"] = len(plan["steps"]) - 1
    return calls


def run_calls(plans, new=True):
    """Calls per operation for onboarding every plan (plus one read of the team list when a team is named)."""
    total = {}
    for plan in plans:
        for operation, count in person_calls(plan, new).items():
            total[operation] = total.get(operation, 0) + count
    if any(plan["teams_by_name"] for plan in plans):
        total["list_teams"] = 1
    return total


def module_tasks(plan):
    """The module tasks of onboarding ``plan``: the user, each contact method, each team and the paging policy."""
    return 2 + len(plan["contact_methods"]) + len(plan["teams"])


def person_seconds(plan):
    return module_tasks(plan) * TASK_SECONDS + PERSON_OVERHEAD_SECONDS


def task_seconds(plans, lanes=1, cores=None):
    """Ansible's own time for ``plans`` with ``lanes`` people at once: the longest lane, its tasks sharing the cores.

    As the roles run it (``_lifecycle.lanes``): with more than one lane, the first person alone, then the others dealt
    round robin into the lanes, which run at once but no faster than the controller's cores allow.
    """
    if not plans:
        return 0.0
    lanes = max(1, min(int(lanes), len(plans) - 1))
    if lanes == 1:
        return sum(person_seconds(plan) for plan in plans)
    per_lane = [sum(person_seconds(plan) for plan in plans[1 + lane :: lanes]) for lane in range(lanes)]
    cores = max(1, cores or os.cpu_count() or 1)
    return person_seconds(plans[0]) + max(*per_lane, sum(per_lane) / min(lanes, cores))


def duration_text(seconds):
    if seconds < 90:
        return "%d s" % max(1, round(seconds))
    if seconds < 90 * 60:
        return "%d min" % round(seconds / 60.0)
    return "%.1f h" % (seconds / 3600.0)


def estimate(plans, rate_window=MINUTE, lanes=1, cores=None):
    """The run's cost before it starts: calls per operation, and seconds if the API enforces each documented table.

    The pacing starts at the fastest documented table (``2ps``) and slows down to what the API enforces, never below
    the 2018 table, so the run takes between the two. A table's seconds are the larger of its rate-limit floor (for
    ``rate_window``) and Ansible's own time for the run's tasks with ``lanes`` people at once (``task_seconds``); a
    stricter table is never shown shorter than a faster one.
    """
    calls = run_calls(plans, new=True)
    own = task_seconds(plans, lanes, cores)
    seconds = {}
    at_least = own
    for level in LEVELS:
        floor = estimate_seconds(calls, lambda operation, level=level: (table_limit(level, operation),), float(rate_window))
        at_least = max(at_least, floor)
        seconds[level] = at_least
    fastest, slowest = LEVELS[0], LEVELS[-1]
    people = len(plans)
    if people == 0:
        message = "Nobody to onboard."
    else:
        message = (
            "Onboarding %d %s (%d at once) makes at most %d API calls (%d if nothing changes): about %s at the current "
            "documented limits (%s), %s if the API enforces the 2018 limits (%s per operation)."
            % (
                people,
                "person" if people == 1 else "people",
                max(1, min(int(lanes), people - 1)),
                sum(calls.values()),
                sum(run_calls(plans, new=False).values()),
                duration_text(seconds[fastest]),
                _describe_level(fastest),
                duration_text(seconds[slowest]),
                table_limit(slowest, "default").describe(),
            )
        )
    return dict(calls=calls, seconds={level: round(value, 1) for level, value in seconds.items()}, task_seconds=round(own, 1), message=message)


def _describe_level(level):
    limit = table_limit(level, "default")
    if limit.seconds < MINUTE:
        return "%g requests a second per operation" % (limit.count * 1.0 / limit.seconds)
    return limit.describe() + " per operation"
