# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the role victorops.oncall.oncall_cover (checks, plan, report) and of the on-call calendar.

Each filter is documented in the YAML file of its name beside this file.
"""

from __future__ import annotations

from ansible_collections.victorops.oncall.plugins.plugin_utils import _calendar, _cover


def cover_input_problems(absences, now=None):
    return _cover.input_problems(absences or [], now)


def cover_usernames(absences):
    return _cover.usernames(absences or [])


def cover_plan(absences, users=None, missing=None, overrides=None, exclusive=False, now=None, policies=None):
    return _cover.plan(absences or [], users or [], missing or [], overrides or [], bool(exclusive), now, policies or [])


def cover_needs_policy_names(absences):
    return _cover.needs_policy_names(absences or [])


def cover_concurrency_problems(concurrency):
    return _cover.concurrency_problems(concurrency)


def cover_lanes(entries, concurrency=1, lead_host="localhost", limited=False):
    return _cover.lanes(entries or [], concurrency, lead_host, bool(limited))


def cover_outcome(entry, results=None, check_mode=False, failure=None, not_attempted=None):
    return _cover.outcome(entry, results, bool(check_mode), failure, not_attempted)


def cover_report_lines(report):
    return _cover.report_lines(report or [])


def cover_teams(report):
    return _cover.teams(report or [])


def calendar_schedules(results):
    return _calendar.schedules(results or [])


def calendar_html(schedule, start=None, days=14, title="Who is on call"):
    return _calendar.render_html(schedule or [], start, days, title)


def calendar_markdown(schedule, start=None, days=14, title="Who is on call"):
    return _calendar.render_markdown(schedule or [], start, days, title)


def calendar_problems(days, teams=None):
    return _calendar.input_problems(days, teams)


def calendar_markdown_path(path):
    return _calendar.markdown_path(path)


class FilterModule:
    def filters(self):
        return {
            "cover_input_problems": cover_input_problems,
            "cover_usernames": cover_usernames,
            "cover_plan": cover_plan,
            "cover_needs_policy_names": cover_needs_policy_names,
            "cover_concurrency_problems": cover_concurrency_problems,
            "cover_lanes": cover_lanes,
            "cover_outcome": cover_outcome,
            "cover_report_lines": cover_report_lines,
            "cover_teams": cover_teams,
            "calendar_schedules": calendar_schedules,
            "calendar_html": calendar_html,
            "calendar_markdown": calendar_markdown,
            "calendar_markdown_path": calendar_markdown_path,
            "calendar_problems": calendar_problems,
        }
