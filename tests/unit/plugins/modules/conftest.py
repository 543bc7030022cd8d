"""The module tests' way to run several tasks in this process, read back like an ansible-playbook run.

``run_tasks(tasks, check=False, diff=False)`` takes a list of tasks (YAML text or dicts, one module each, by its
FQCN, with ``ignore_errors`` allowed) and runs them one after the other with the shared ``run_module`` fixture
(tests/conftest.py) against the test's emulator. As a play does, it stops at a failed task unless the task
ignores errors; the answer has ``rc``, ``result(task name)`` and ``status(task name)`` as ``PlaybookRun`` has.
"""

import pytest
import yaml

# The keywords of a task that are not its module's options.
TASK_KEYWORDS = ("name", "ignore_errors")


class TaskRun:
    """The outcome of tasks run in process: each task's result and status by name, and the play's return code."""

    def __init__(self):
        self.rc = 0
        self.records = []

    def result(self, task):
        matches = [r["result"] for r in self.records if r["task"] == task]
        assert matches, "task %r did not run; ran: %r" % (task, [r["task"] for r in self.records])
        return matches[-1]

    def status(self, task):
        return [r["status"] for r in self.records if r["task"] == task][-1]

    def __repr__(self):
        return "TaskRun(rc=%s) %r" % (self.rc, self.records)


@pytest.fixture
def run_tasks(run_module, monkeypatch):
    """run_tasks(tasks, check=False, diff=False) -> TaskRun: tasks run in process, as ansible-playbook would run them."""
    # Tasks in process follow each other far faster than ansible-playbook runs them: with the adaptive profile a burst
    # of reads would draw a throttle (and a retried read in the counts). Pinned to the table the emulator enforces,
    # the pacer waits instead; learning the limit is tested on its own (test_policy_info.py).
    monkeypatch.setenv("VICTOROPS_RATE_LIMIT_PROFILE", "2018")

    def run(tasks, check=False, diff=False):
        if isinstance(tasks, str):
            tasks = yaml.safe_load(tasks)
        outcome = TaskRun()
        for task in tasks:
            (module,) = [key for key in task if key not in TASK_KEYWORDS]
            result = run_module(module, check_mode=check, diff=diff, **(task[module] or {}))
            failed = bool(result.get("failed"))
            outcome.records.append({"task": task["name"], "action": module, "status": "failed" if failed else "ok", "result": dict(result)})
            if failed and not task.get("ignore_errors"):
                outcome.rc = 2  # what ansible-playbook exits with when a task failed; the play stops there
                break
        return outcome

    return run
