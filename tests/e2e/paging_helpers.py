"""Helpers shared by the end-to-end tests of the paging-policy modules."""

import yaml

GET_POLICY = "GET /api-public/v1/profile/{username}/policies"
GET_CONTACTS = "GET /api-public/v1/user/{username}/contact-methods"
POST_STEP = "POST /api-public/v1/profile/{username}/policies"
PUT_STEP = "PUT /api-public/v1/profile/{username}/policies/{step}"
POST_RULE = "POST /api-public/v1/profile/{username}/policies/{step}"
PUT_RULE = "PUT /api-public/v1/profile/{username}/policies/{step}/{rule}"
DELETE_RULE = "DELETE /api-public/v1/profile/{username}/policies/{step}/{rule}"


def contact_id(emulator, username, label):
    """The numeric id of the user's contact method with that label, as the emulator stores it."""
    methods = emulator.state["users"][username]["contact_methods"]
    (found,) = [c["id"] for kind in ("emails", "phones") for c in methods[kind] if c["label"] == label]
    return found


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


def assert_refused_without_writes(emulator, run_playbook, cases):
    """Run every ``(task, message or messages, calls)`` case in one playbook; each must fail clearly, nothing written.

    ``message`` (a string or several) must appear in the failure; ``calls`` is the exact number of API calls
    the task made before refusing (0 for failures of the argument spec, which carry no counters).
    """
    tasks = []
    for entry, _message, _calls in cases:
        tasks.append(dict(entry, ignore_errors=True))
    emulator.clear_log()
    run = run_playbook(tasks_yaml(*tasks))
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
