# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reports, in check mode, a change that cannot be planned by the module that would make it: see the module documentation of planned_change."""

from __future__ import annotations

import json

from ansible.plugins.action import ActionBase

ARGUMENTS = dict(
    msg=dict(type="list", elements="str", required=True),
    before=dict(type="raw", default=None),
    after=dict(type="raw", default=None),
)


def render(value):
    """A side of the diff as the modules of the collection render it: JSON text, non-ASCII kept readable."""
    if value is None or isinstance(value, str):
        return value or ""
    return json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENTS)
        before, after = render(args["before"]), render(args["after"])
        # Nothing is done here: outside check mode the change is made (and reported) by the tasks that make it.
        result.update(changed=bool(self._task.check_mode) and before != after, msg=args["msg"], _ansible_verbose_always=True)
        if self._task.diff:
            result["diff"] = dict(before=before, after=after)
        return result
