"""victorops.oncall.victorops_user run in process against the emulator (default seed): the four-step check-mode test,
refusals and uncertain writes, with the exact requests. The warnings, which ansible-playbook shows, are checked in
tests/e2e/test_user.py.
"""

import copy

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import diff_of


GET_USER = "GET /api-public/v1/user/{user}"
POST_USER = "POST /api-public/v1/user"
PUT_USER = "PUT /api-public/v1/user/{user}"
DELETE_USER = "DELETE /api-public/v1/user/{user}"

CREATE = """
- name: create
  victorops.oncall.victorops_user:
    username: newhire
    first_name: Nora
    last_name: Hire
    email: nora.hire@example.com
    expiration_hours: 48
"""

# Two independent scenarios in one run of tasks: rename an existing user, remove another one.
RENAME_AND_REMOVE = """
- name: rename
  victorops.oncall.victorops_user:
    username: jdoe
    first_name: Johnny
    last_name: Doe
- name: remove
  victorops.oncall.victorops_user:
    username: cnguyen
    state: absent
    replacement: asmith
"""


def failure(run, task):
    """The result of ``task``, which must have failed."""
    assert run.status(task) == "failed", run
    return run.result(task)


def operations(emulator):
    return [entry["operation"] for entry in emulator.calls()]


def public_user(emulator, username):
    user = emulator.state["users"][username]
    return {key: user[key] for key in ("username", "firstName", "lastName", "email", "verified")}


def test_create_check_run_check_run(emulator, run_tasks):
    # 1. check mode: predicts the new user, sends no write.
    run = run_tasks(CREATE, check=True, diff=True)
    assert run.rc == 0, run
    result = run.result("create")
    predicted = {
        "username": "newhire",
        "first_name": "Nora",
        "last_name": "Hire",
        "email": "nora.hire@example.com",
        "verified": False,
    }
    # No created_at or password_last_updated: the API sets them when it creates the user.
    assert result["changed"] is True
    assert result["user"] == predicted
    assert diff_of(result) == {"before": {}, "after": predicted}
    assert result["api"]["calls"] == 1  # fewest possible: the read (404)
    assert operations(emulator) == [GET_USER]
    assert emulator.calls()[0]["status"] == 404
    assert emulator.writes() == []
    assert "newhire" not in emulator.state["users"]

    # 2. real run: one POST with the exact payload; the answer is the user, not re-read.
    emulator.clear_log()
    run = run_tasks(CREATE, diff=True)
    assert run.rc == 0, run
    result = run.result("create")
    stored = emulator.state["users"]["newhire"]
    assert result["changed"] is True
    assert result["user"] == dict(predicted, created_at=stored["createdAt"], password_last_updated=stored["passwordLastUpdated"])
    assert diff_of(result)["after"] == result["user"]
    assert result["api"]["calls"] == 2  # fewest possible: read + create
    assert result["api"]["writes"] == 1
    assert operations(emulator) == [GET_USER, POST_USER]
    (write,) = emulator.writes()
    assert write["body"] == {"firstName": "Nora", "lastName": "Hire", "username": "newhire", "email": "nora.hire@example.com", "expirationHours": 48}
    assert public_user(emulator, "newhire") == {
        "username": "newhire",
        "firstName": "Nora",
        "lastName": "Hire",
        "email": "nora.hire@example.com",
        "verified": False,
    }

    # 3. check mode again: nothing to do (expiration_hours only matters on create).
    emulator.clear_log()
    run = run_tasks(CREATE, check=True)
    result = run.result("create")
    assert result["changed"] is False
    assert result["api"]["calls"] == 1  # fewest possible: the read
    assert operations(emulator) == [GET_USER]

    # 4. real run again: no write.
    emulator.clear_log()
    run = run_tasks(CREATE)
    result = run.result("create")
    assert result["changed"] is False
    assert result["user"]["first_name"] == "Nora"
    assert result["api"]["calls"] == 1  # fewest possible: the read
    assert result["api"]["writes"] == 0
    assert emulator.writes() == []


def test_rename_and_remove_check_run_check_run(emulator, run_tasks):
    seeded = copy.deepcopy(emulator.state)
    jdoe_before = {"username": "jdoe", "first_name": "John", "last_name": "Doe", "email": "john.doe@example.com", "verified": True}

    # 1. check mode: both predicted, no write.
    run = run_tasks(RENAME_AND_REMOVE, check=True, diff=True)
    assert run.rc == 0, run
    rename, remove = run.result("rename"), run.result("remove")
    assert rename["changed"] is True
    assert {k: diff_of(rename)["before"][k] for k in jdoe_before} == jdoe_before
    assert {k: diff_of(rename)["after"][k] for k in jdoe_before} == dict(jdoe_before, first_name="Johnny")
    assert rename["api"]["calls"] == 1  # fewest possible: the read
    assert remove["changed"] is True
    assert remove["user"] == {}
    assert diff_of(remove)["before"]["username"] == "cnguyen"
    assert diff_of(remove)["after"] == {}
    assert remove["api"]["calls"] == 1  # fewest possible: the read
    assert emulator.writes() == []
    assert emulator.state == seeded

    # 2. real run: one PUT (names, email unchanged) and one DELETE with the replacement.
    emulator.clear_log()
    run = run_tasks(RENAME_AND_REMOVE)
    assert run.rc == 0, run
    rename, remove = run.result("rename"), run.result("remove")
    assert rename["changed"] is True
    assert {k: rename["user"][k] for k in jdoe_before} == dict(jdoe_before, first_name="Johnny")
    assert rename["api"]["calls"] == 2  # fewest possible: read + update
    assert remove["changed"] is True
    assert remove["api"]["calls"] == 2  # fewest possible: read + delete
    assert operations(emulator) == [GET_USER, PUT_USER, GET_USER, DELETE_USER]
    put, delete = emulator.writes()
    assert put["path"] == "/api-public/v1/user/jdoe"
    assert put["body"] == {"firstName": "Johnny", "lastName": "Doe", "username": "jdoe", "email": "john.doe@example.com"}
    assert delete["path"] == "/api-public/v1/user/cnguyen"
    assert delete["body"] == {"replacement": "asmith"}
    assert public_user(emulator, "jdoe") == {"username": "jdoe", "firstName": "Johnny", "lastName": "Doe", "email": "john.doe@example.com", "verified": True}
    assert "cnguyen" not in emulator.state["users"]
    # The replacement took over cnguyen's on-call place; the team lost the member.
    assert emulator.state["oncall"]["pol-Db9DemoPrimary02"] == ["asmith"]
    assert emulator.state["teams"]["team-Db4DemoTeamAb002"]["members"] == ["asmith"]

    # 3. check mode again: nothing to do.
    emulator.clear_log()
    run = run_tasks(RENAME_AND_REMOVE, check=True)
    assert run.result("rename")["changed"] is False
    assert run.result("remove")["changed"] is False
    assert run.result("remove")["user"] == {}
    assert operations(emulator) == [GET_USER, GET_USER]  # fewest possible: one read each

    # 4. real run again: no write.
    emulator.clear_log()
    run = run_tasks(RENAME_AND_REMOVE)
    assert run.result("rename")["changed"] is False
    assert run.result("remove")["changed"] is False
    assert run.result("rename")["api"]["calls"] == 1
    assert run.result("remove")["api"]["calls"] == 1
    assert emulator.writes() == []
    assert len(emulator.calls()) == 2


def test_different_email_of_existing_user_is_left_unchanged(emulator, run_tasks):
    run = run_tasks("""
    - name: other email
      victorops.oncall.victorops_user:
        username: jdoe
        first_name: John
        email: JOHN.DOE@example.com
    - name: changed email
      victorops.oncall.victorops_user:
        username: jdoe
        email: john@example.org
    """)
    assert run.rc == 0, run
    # The same address in another case is the same address (the warning on the other one: tests/e2e/test_user.py).
    same = run.result("other email")
    assert same["changed"] is False
    changed = run.result("changed email")
    assert changed["changed"] is False
    assert changed["user"]["email"] == "john.doe@example.com"
    assert changed["api"]["calls"] == 1  # the read
    assert emulator.writes() == []


def test_bad_input_fails_clearly_without_writing(emulator, run_tasks):
    seeded = copy.deepcopy(emulator.state)
    run = run_tasks("""
    - name: create without email
      victorops.oncall.victorops_user:
        username: newhire
        first_name: Nora
        last_name: Hire
      ignore_errors: true
    - name: malformed email
      victorops.oncall.victorops_user:
        username: newhire
        first_name: Nora
        last_name: Hire
        email: nora.example.com
      ignore_errors: true
    - name: absent without replacement
      victorops.oncall.victorops_user:
        username: jdoe
        state: absent
      ignore_errors: true
    - name: replacement is the user
      victorops.oncall.victorops_user:
        username: jdoe
        state: absent
        replacement: jdoe
      ignore_errors: true
    - name: zero expiration
      victorops.oncall.victorops_user:
        username: newhire
        first_name: Nora
        last_name: Hire
        email: nora@example.com
        expiration_hours: 0
      ignore_errors: true
    - name: empty first name
      victorops.oncall.victorops_user:
        username: jdoe
        first_name: ""
      ignore_errors: true
    """)
    assert run.rc == 0, run
    result = failure(run, "create without email")
    assert result["msg"] == "user 'newhire' does not exist; creating it needs email"
    assert result["api"]["calls"] == 1  # the read that shows the user is missing

    assert failure(run, "malformed email")["msg"] == "email 'nora.example.com' is not an email address"
    assert failure(run, "absent without replacement")["msg"] == "state is absent but all of the following are missing: replacement"
    assert failure(run, "replacement is the user")["msg"] == "replacement must be another user than username 'jdoe'"
    assert failure(run, "zero expiration")["msg"] == "expiration_hours must be 1 or more, got 0"
    assert failure(run, "empty first name")["msg"] == "first_name must not be empty"
    for task in ("malformed email", "replacement is the user", "zero expiration", "empty first name"):
        assert failure(run, task)["api"]["calls"] == 0
    assert operations(emulator) == [GET_USER]
    assert emulator.state == seeded


def test_unknown_replacement_is_refused_by_the_api_and_reported(emulator, run_tasks):
    run = run_tasks("""
    - name: remove
      victorops.oncall.victorops_user:
        username: cnguyen
        state: absent
        replacement: nobody
      ignore_errors: true
    """)
    result = failure(run, "remove")
    assert "422" in result["msg"]
    assert "Replacement user nobody was not found" in result["msg"]
    assert result["api"]["calls"] == 2  # read + refused delete
    assert "cnguyen" in emulator.state["users"]


def test_ambiguous_create_is_confirmed_by_rereading_not_resent(emulator, run_tasks):
    # The POST is applied, then the gateway answers 502: the re-read finds the user, so no second POST.
    emulator.inject("POST", "/api-public/v1/user", "apply-then-502")
    run = run_tasks(CREATE)
    assert run.rc == 0, run
    result = run.result("create")
    assert result["changed"] is True
    assert result["user"]["username"] == "newhire"
    assert result["user"]["email"] == "nora.hire@example.com"
    assert result["api"]["calls"] == 3  # read (404), create (502), confirming read
    assert result["api"]["writes"] == 1
    assert operations(emulator) == [GET_USER, POST_USER, GET_USER]
    assert [entry["status"] for entry in emulator.calls()] == [404, 502, 200]
