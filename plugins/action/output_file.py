# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Writes a file of the collection (an export, a report) on the controller: see the module documentation of output_file."""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase

from ansible_collections.victorops.oncall.plugins.plugin_utils import _files

ARGUMENTS = dict(
    path=dict(type="str", required=True),
    data=dict(type="raw"),
    format=dict(type="str", default="yaml", choices=sorted(_files.RENDERERS)),
    header=dict(type="str", default=""),
    check_only=dict(type="bool", default=False),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENTS)
        # The working directory of ansible-playbook: where the person who runs it expects a relative path to land.
        try:
            path = _files.resolve(args["path"], os.getcwd())
            if args["check_only"]:
                _files.check(path)
                result.update(changed=False, path=path, msg="%s can be written" % path)
                return result
            if args["data"] is None:
                raise _files.OutputFileError("data is required to write %s" % path)
            text = _files.RENDERERS[args["format"]](args["data"], args["header"])
            if self._task.check_mode:
                _files.check(path)
                result.update(changed=_files.would_change(path, text), path=path, msg="would write %s" % path)
                return result
            result.update(changed=_files.write_private(path, text), path=path, msg="wrote %s" % path)
        except (_files.OutputFileError, OSError) as exc:
            result.update(failed=True, msg="path: %s" % (exc,))
        return result
