"""The module tests' way to run several tasks in this process, read back like an ansible-playbook run."""

import pytest


@pytest.fixture
def run_tasks(run_module, monkeypatch):
    """run_tasks(tasks, check=False, diff=False) -> InProcessRun: tasks run in process, stopping as a play stops."""
    # Tasks in process follow each other far faster than ansible-playbook runs them: with the adaptive profile a burst
    # of reads would draw a throttle (and a retried read in the counts). Pinned to the table the emulator enforces,
    # the pacer waits instead; learning the limit is tested on its own (test_policy_info.py).
    monkeypatch.setenv("VICTOROPS_RATE_LIMIT_PROFILE", "2018")
    # Imported here: a conftest is loaded before the collection is importable as ansible_collections.
    from ansible_collections.victorops.oncall.tests.in_process import InProcessRun

    def run(tasks, check=False, diff=False):
        return InProcessRun(run_module, tasks, check=check, diff=diff, stop_at_failure=True)

    return run
