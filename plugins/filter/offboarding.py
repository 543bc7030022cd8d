# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the role victorops.oncall.user_offboarding: input checks, identity, plan and report.

Each filter is documented in the YAML file of its name beside this file.
"""

from __future__ import annotations

from ansible_collections.victorops.oncall.plugins.plugin_utils import _offboarding


def offboarding_input_problems(people, concurrency=1):
    return _offboarding.input_problems(people or [], concurrency)


def offboarding_resolve(people, users, missing):
    return _offboarding.resolve(people or [], users or [], missing or [])


def offboarding_team_readers(entries):
    return _offboarding.team_readers(entries or [])


def offboarding_plan(entries, with_teams=None, on_call=None, overrides=None):
    return _offboarding.plan(entries or [], with_teams or [], on_call or [], overrides or [])


def offboarding_outcome(entry, results=None, check_mode=False, failure=None, not_attempted=None):
    return _offboarding.outcome(entry, results, bool(check_mode), failure, not_attempted)


class FilterModule:
    def filters(self):
        return {
            "offboarding_input_problems": offboarding_input_problems,
            "offboarding_resolve": offboarding_resolve,
            "offboarding_team_readers": offboarding_team_readers,
            "offboarding_plan": offboarding_plan,
            "offboarding_outcome": offboarding_outcome,
        }
