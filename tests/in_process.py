"""Tasks of a play run in the pytest process, read back as an ``ansible-playbook`` run is.

``InProcessRun(run_module, tasks, defaults=None, check=False, diff=False, stop_at_failure=False)`` runs each task
with the ``run_module`` fixture (tests/conftest.py) against the test's emulator, in order, and answers as a
``PlaybookRun`` does (``rc``, ``records``, ``result(name)``, ``status(name)``, ``stdout``), so that a test's
assertions hold for either. ``tasks`` is a list of ``(name, task)`` pairs or of task dicts with a ``name``; a task
is a YAML body (``victorops.oncall.victorops_user: {...}``) or a dict. With ``stop_at_failure`` a failed task ends
the run (rc 2, as a play stops) unless it has ``ignore_errors``; without it every task runs.
"""

import json
import textwrap

import yaml

# The keywords of a task that are not its module's options.
TASK_KEYWORDS = ("name", "ignore_errors")


def named_tasks(tasks):
    """``[(name, task dict)]`` from a YAML list, task dicts with a name, or ``(name, task)`` pairs."""
    if isinstance(tasks, str):
        tasks = yaml.safe_load(tasks)
    pairs = [task if isinstance(task, tuple) else (task["name"], task) for task in tasks]
    return [(name, yaml.safe_load(textwrap.dedent(task)) if isinstance(task, str) else task) for name, task in pairs]


class InProcessRun:
    """The results of ``tasks`` run one after the other in this process, ``defaults`` given to each."""

    def __init__(self, run_module, tasks, defaults=None, check=False, diff=False, stop_at_failure=False):
        self.rc = 0
        self.records = []
        self.stdout = self.stderr = ""
        for name, task in named_tasks(tasks):
            ((module, options),) = [(key, value) for key, value in task.items() if key not in TASK_KEYWORDS]
            result = run_module(module, check_mode=check, diff=diff, **dict(defaults or {}, **(options or {})))
            failed = bool(result.get("failed"))
            self.records.append({"task": name, "action": module, "status": "failed" if failed else "ok", "result": dict(result)})
            self.stdout += result.output
            if failed and stop_at_failure and not task.get("ignore_errors"):
                self.rc = 2  # what ansible-playbook exits with when a task failed; the play stops there
                break

    def result(self, task):
        """The result of the task named ``task`` (its last run, when a run lists it twice)."""
        matches = [r["result"] for r in self.records if r["task"] == task]
        assert matches, "task %r did not run; ran: %r" % (task, [r["task"] for r in self.records])
        return matches[-1]

    def status(self, task):
        return [r["status"] for r in self.records if r["task"] == task][-1]

    def __repr__(self):
        return "InProcessRun(rc=%s) %s" % (self.rc, json.dumps(self.records, indent=1, default=str))
