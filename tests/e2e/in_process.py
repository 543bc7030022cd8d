"""Tasks of a play run in the pytest process, for the end-to-end tests whose subject is not ansible-playbook itself.

``InProcessRun(run_module, tasks, defaults)`` runs each task with the ``run_module`` fixture (tests/conftest.py),
against the test's emulator, in order, and answers like a ``PlaybookRun`` does (``result(name)``, ``status(name)``,
``records``, ``rc``, ``stdout``): a test's assertions hold for either. A failed task does not stop the ones after it,
as with ``ignore_errors: true``.
"""

import json
import textwrap

import yaml


def module_and_options(task):
    """``(module, options)`` of a task: a YAML body (``victorops.oncall.victorops_user: {...}``) or a task dict."""
    if isinstance(task, str):
        task = yaml.safe_load(textwrap.dedent(task))
    ((module, options),) = [(key, value) for key, value in task.items() if key not in ("name", "ignore_errors")]
    return module, options


class InProcessRun:
    """The results of ``tasks`` (``[(name, task)]``) run one after the other in this process, ``defaults`` given to each."""

    def __init__(self, run_module, tasks, defaults=None):
        self.rc = 0
        self.records = []
        self.stdout = self.stderr = ""
        for name, task in tasks:
            module, options = module_and_options(task)
            result = run_module(module, **dict(defaults or {}, **options))
            self.records.append({"task": name, "status": "failed" if result.get("failed") else "ok", "result": dict(result)})
            self.stdout += result.output

    def result(self, task):
        (found,) = [r["result"] for r in self.records if r["task"] == task]
        return found

    def status(self, task):
        (found,) = [r["status"] for r in self.records if r["task"] == task]
        return found

    def __repr__(self):
        return "InProcessRun %s" % json.dumps(self.records, indent=1, default=str)
