"""Helpers shared by the tests of the modules, end-to-end and in process (tests/unit/plugins/modules)."""

import json

import yaml

# Operation names, as the modules count them in result["api"]["operations"].
GET_POLICY = "get_paging_policy"
GET_CONTACTS = "list_contact_methods"
POST_STEP = "create_step"
PUT_STEP = "update_step"
POST_RULE = "create_rule"
PUT_RULE = "update_rule"
DELETE_RULE = "delete_rule"
DELETE_STEP = "delete_step"

# The seed's contact methods of jdoe as plans name them (the vocabulary's text form).
MOBILE = "phone +1-555-0100 (Mobile)"
WORK = "email jdoe.work@example.com (Work)"
DEFAULT = "email john.doe@example.com (Default)"
# The same contact methods as results show them beside their ids (null when the task did not read them).
MOBILE_C = {"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}
WORK_C = {"kind": "email", "value": "jdoe.work@example.com", "label": "Work"}
DEFAULT_C = {"kind": "email", "value": "john.doe@example.com", "label": "Default"}


def diff_of(result):
    """A module's diff (rendered as text, so that non-ASCII names stay readable) back as data."""
    return {side: json.loads(text) for side, text in result["diff"].items()}


def module_task(module):
    """A task builder for one module: ``task = module_task(FQCN)``, then ``task(name, **options)`` -> a task dict."""

    def task(name, **options):
        return {"name": name, module: options}

    return task


def tasks_yaml(*tasks):
    return yaml.safe_dump(list(tasks), sort_keys=False)


def assert_task(run, name, changed, operations):
    """The task's result: changed flag and the exact count of each API operation it sent."""
    result = run.result(name)
    assert run.status(name) == "ok", result
    assert result["changed"] is changed, (name, result)
    assert result["api"]["operations"] == operations, (name, result["api"])
    assert result["api"]["calls"] == sum(operations.values())
    return result


def rule(rule_type, contact=None):
    """A rule in the normalised form results use (without its index)."""
    return {"type": rule_type, "contact_id": contact}


def assert_refused_without_writes(emulator, run_tasks, cases):
    """Run every ``(task, message or messages, calls)`` case in one run of tasks (``run_tasks``); each must fail clearly, nothing written.

    ``message`` (a string or several) must appear in the failure; ``calls`` is the exact number of API calls
    the task made before refusing (0 for failures of the argument spec, which carry no counters).
    """
    tasks = []
    for entry, _message, _calls in cases:
        tasks.append(dict(entry, ignore_errors=True))
    emulator.clear_log()
    run = run_tasks(tasks_yaml(*tasks))
    assert run.rc == 0, run
    for entry, message, calls in cases:
        result = run.result(entry["name"])
        assert run.status(entry["name"]) == "failed", (entry["name"], result)
        for fragment in (message,) if isinstance(message, str) else message:
            assert fragment in result["msg"], (entry["name"], result["msg"])
        # ansible-core fills "exception" with a placeholder on every failure; a real traceback would show here.
        assert "Traceback" not in result["msg"] + result.get("exception", ""), (entry["name"], result)
        assert result.get("api", {}).get("calls", 0) == calls, (entry["name"], result.get("api"))
    assert emulator.writes() == []
    return run


def run_twice(tasks):
    """``tasks`` (a list of task dicts) followed by the same tasks again, each named ``<name> again``: a second run in one play."""
    return list(tasks) + [dict(task, name=task["name"] + " again") for task in tasks]
