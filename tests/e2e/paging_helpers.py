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
