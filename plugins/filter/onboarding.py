# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the role victorops.oncall.user_onboarding: input checks, template expansion, cost estimate, report entry and check-mode preview.

Each filter is documented in the YAML file of its name beside this file.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.victorops.oncall.plugins.plugin_utils import _onboarding, _onboarding_cost, _onboarding_teams


def _checked(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except _onboarding.OnboardingInputError as exc:
        raise AnsibleFilterError(str(exc)) from None


def paging_steps(person, templates, default_template="standard", phone_label="Mobile"):
    if not isinstance(person, dict):
        raise AnsibleFilterError("paging_steps expects a person (a dictionary), got %s" % type(person).__name__)
    steps, problems, missing_phone = _onboarding.paging_steps(person, templates, default_template, phone_label)
    if missing_phone:
        problems.append("the paging policy (%s) uses the placeholder phone, but the person has no phone" % _onboarding.policy_source(person, default_template))
    if problems:
        raise AnsibleFilterError("Invalid paging policy of %s: %s" % (person.get("username", "the person"), "; ".join(problems)))
    return steps


def onboarding_plan(people, templates, default_template="standard", phone_label="Mobile"):
    return _checked(_onboarding.onboarding_plan, people, templates, default_template, phone_label)


def onboarding_problems(people, templates, default_template="standard", phone_label="Mobile"):
    try:
        _onboarding.onboarding_plan(people, templates, default_template, phone_label)
    except _onboarding.OnboardingInputError as exc:
        return exc.problems
    return []


def onboarding_teams(plans, teams=None, pending=None):
    return _onboarding.resolve_teams(plans, teams, pending)


def onboarding_team_problems(teams, people=None):
    return _onboarding_teams.team_problems(teams, people)


def onboarding_team_tasks(teams, people=None):
    return _onboarding_teams.team_tasks(teams, people)


def onboarding_estimate(plans, rate_window=60, lanes=1):
    try:
        window = float(rate_window)
    except (TypeError, ValueError):
        raise AnsibleFilterError("onboarding_estimate: rate_window must be a number of seconds, got %r" % (rate_window,)) from None
    try:
        at_once = int(lanes)
    except (TypeError, ValueError):
        raise AnsibleFilterError("onboarding_estimate: lanes must be a whole number, got %r" % (lanes,)) from None
    return _onboarding_cost.estimate(plans, window, at_once)


def onboarding_outcome(plan, results=None, check_mode=False, failure=None, user_pending=False, policy_pending=False, not_attempted=None):
    return _onboarding.outcome(plan, results, bool(check_mode), failure, bool(user_pending), bool(policy_pending), not_attempted)


def onboarding_preview(plan):
    if not isinstance(plan, dict) or not all(key in plan for key in ("username", "email", "contact_methods", "teams", "steps")):
        raise AnsibleFilterError("onboarding_preview expects one plan from victorops.oncall.onboarding_plan, got %r" % (plan,))
    return _onboarding.preview(plan)


class FilterModule:
    def filters(self):
        return {
            "paging_steps": paging_steps,
            "onboarding_plan": onboarding_plan,
            "onboarding_problems": onboarding_problems,
            "onboarding_teams": onboarding_teams,
            "onboarding_team_problems": onboarding_team_problems,
            "onboarding_team_tasks": onboarding_team_tasks,
            "onboarding_estimate": onboarding_estimate,
            "onboarding_outcome": onboarding_outcome,
            "onboarding_preview": onboarding_preview,
        }
