# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters shared by the roles and playbooks of the lifecycle, and those of the playbook victorops.oncall.export.

Each filter is documented in the YAML file of its name beside this file.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.victorops.oncall.plugins.plugin_utils import _export, _lifecycle


def connection_problems(api_url=None, api_key=None):
    return _lifecycle.connection_problems(api_url, api_key)


def lifecycle_stop_reason(failure, username):
    return _lifecycle.stop_reason(failure or {}, username)


def lifecycle_not_attempted(failure):
    return _lifecycle.not_attempted_reason(failure or {})


def lifecycle_report_lines(report):
    return _lifecycle.report_lines(report or [])


def lifecycle_lanes(items, concurrency=1, host_prefix="lane", option="concurrency", lead_host="localhost", limited=False):
    try:
        return _lifecycle.lanes(items, concurrency, host_prefix, option, lead_host, bool(limited))
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None


def lifecycle_gather(fallback, lanes, lane_reports, key=None):
    return _lifecycle.gather(fallback, lanes, lane_reports, key)


def lifecycle_at_once(lanes, forks=None):
    return _lifecycle.lanes_at_once(lanes, forks)


def lifecycle_first_stop(stops):
    return _lifecycle.first_stop(stops)


def export_usernames(value=None):
    return _export.requested_usernames(value)


def export_problems(export_file=None, usernames=None):
    return _export.input_problems(export_file, usernames)


def export_read_problems(result):
    return _export.read_problems(result or {})


def export_people(users):
    return _export.export(users or [])


def export_teams(teams, users=None, every_user=True):
    return _export.export_teams(users or [], teams or [], bool(every_user))


class FilterModule:
    def filters(self):
        return {
            "connection_problems": connection_problems,
            "lifecycle_stop_reason": lifecycle_stop_reason,
            "lifecycle_not_attempted": lifecycle_not_attempted,
            "lifecycle_report_lines": lifecycle_report_lines,
            "lifecycle_lanes": lifecycle_lanes,
            "lifecycle_gather": lifecycle_gather,
            "lifecycle_at_once": lifecycle_at_once,
            "lifecycle_first_stop": lifecycle_first_stop,
            "export_usernames": export_usernames,
            "export_problems": export_problems,
            "export_read_problems": export_read_problems,
            "export_people": export_people,
            "export_teams": export_teams,
        }
