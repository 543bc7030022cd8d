"""victorops.oncall.victorops_contact_method run in process against the emulator (default seed): the four-step
check-mode test, matching of values, refusals and uncertain writes, with the exact requests. The warnings, which
ansible-playbook shows, are checked in tests/e2e/test_contact_method.py.
"""

import copy

from ansible_collections.victorops.oncall.tests.e2e.paging_helpers import diff_of


GET_EMAILS = "GET /api-public/v1/user/{user}/contact-methods/emails"
GET_PHONES = "GET /api-public/v1/user/{user}/contact-methods/phones"
POST_EMAIL = "POST /api-public/v1/user/{user}/contact-methods/emails"
POST_PHONE = "POST /api-public/v1/user/{user}/contact-methods/phones"
DELETE_PHONE = "DELETE /api-public/v1/user/{user}/contact-methods/phones/{contactId}"

ADD = """
- name: add phone
  victorops.oncall.victorops_contact_method:
    username: asmith
    kind: phone
    value: "+1 (555) 010-9999"
    label: Backup
    rank: 10
- name: add email
  victorops.oncall.victorops_contact_method:
    username: asmith
    kind: email
    value: Alice.Ops@Example.com
"""

REMOVE = """
- name: remove phone
  victorops.oncall.victorops_contact_method:
    username: bwong
    kind: phone
    value: "+1 555 0102"
    state: absent
- name: remove missing email
  victorops.oncall.victorops_contact_method:
    username: cnguyen
    kind: email
    value: nobody@example.com
    state: absent
"""


def failure(run, task):
    """The result of ``task``, which must have failed."""
    assert run.status(task) == "failed", run
    return run.result(task)


def operations(emulator):
    return [entry["operation"] for entry in emulator.calls()]


def stored(emulator, username, kind):
    return [{key: c[key] for key in ("label", "value", "rank", "verified")} for c in emulator.state["users"][username]["contact_methods"][kind]]


def test_add_check_run_check_run(emulator, run_tasks):
    seeded = copy.deepcopy(emulator.state)
    phone_after = {"id": None, "ext_id": None, "label": "Backup", "value": "+1 (555) 010-9999", "kind": "phone", "rank": 10, "verified": False}
    email_after = {"id": None, "ext_id": None, "label": "Email", "value": "Alice.Ops@Example.com", "kind": "email", "rank": None, "verified": False}

    # 1. check mode: both predicted, no write; only the kind needed is read.
    run = run_tasks(ADD, check=True, diff=True)
    assert run.rc == 0, run
    phone, email = run.result("add phone"), run.result("add email")
    assert phone["changed"] is True
    assert phone["contact_method"] == phone_after
    assert diff_of(phone) == {"before": {}, "after": phone_after}
    assert phone["api"]["calls"] == 1  # fewest possible: the phones read
    assert email["changed"] is True
    assert email["contact_method"] == email_after
    assert email["api"]["calls"] == 1  # fewest possible: the emails read
    assert operations(emulator) == [GET_PHONES, GET_EMAILS]
    assert emulator.writes() == []
    assert emulator.state == seeded

    # 2. real run: one POST each with the exact body; the answer is the contact, not re-read.
    emulator.clear_log()
    run = run_tasks(ADD, diff=True)
    assert run.rc == 0, run
    phone, email = run.result("add phone"), run.result("add email")
    new_phone = emulator.state["users"]["asmith"]["contact_methods"]["phones"][-1]
    new_email = emulator.state["users"]["asmith"]["contact_methods"]["emails"][-1]
    assert phone["changed"] is True
    assert phone["contact_method"] == dict(phone_after, id=new_phone["id"], ext_id=new_phone["extId"])
    assert diff_of(phone)["after"] == phone["contact_method"]
    assert phone["api"]["calls"] == 2  # fewest possible: read + create
    assert email["contact_method"] == dict(email_after, id=new_email["id"], ext_id=new_email["extId"], rank=new_email["rank"])
    assert email["api"]["calls"] == 2  # fewest possible: read + create
    assert operations(emulator) == [GET_PHONES, POST_PHONE, GET_EMAILS, POST_EMAIL]
    post_phone, post_email = emulator.writes()
    assert post_phone["path"] == "/api-public/v1/user/asmith/contact-methods/phones"
    assert post_phone["body"] == {"label": "Backup", "phone": "+1 (555) 010-9999", "rank": 10}
    assert post_email["body"] == {"label": "Email", "email": "Alice.Ops@Example.com"}
    assert stored(emulator, "asmith", "phones") == [
        {"label": "Mobile", "value": "+1-555-0101", "rank": seeded["users"]["asmith"]["contact_methods"]["phones"][0]["rank"], "verified": "verified"},
        {"label": "Backup", "value": "+1 (555) 010-9999", "rank": 10, "verified": "unverified"},
    ]
    assert stored(emulator, "asmith", "emails")[1:] == [
        {"label": "Email", "value": "Alice.Ops@Example.com", "rank": new_email["rank"], "verified": "unverified"}
    ]
    after_run = copy.deepcopy(emulator.state)

    # 3. check mode again: nothing to do.
    emulator.clear_log()
    run = run_tasks(ADD, check=True)
    assert run.result("add phone")["changed"] is False
    assert run.result("add email")["changed"] is False
    assert run.result("add phone")["contact_method"]["ext_id"] == new_phone["extId"]
    assert operations(emulator) == [GET_PHONES, GET_EMAILS]  # fewest possible: one read each

    # 4. real run again: no write.
    emulator.clear_log()
    run = run_tasks(ADD)
    assert run.result("add phone")["changed"] is False
    assert run.result("add email")["changed"] is False
    assert run.result("add phone")["api"]["calls"] == 1
    assert run.result("add email")["api"]["calls"] == 1
    assert emulator.writes() == []
    assert emulator.state == after_run


def test_remove_check_run_check_run(emulator, run_tasks):
    seeded = copy.deepcopy(emulator.state)
    desk = seeded["users"]["bwong"]["contact_methods"]["phones"][0]
    desk_result = {"id": desk["id"], "ext_id": desk["extId"], "label": "Desk", "value": "+1-555-0102", "kind": "phone", "rank": desk["rank"], "verified": False}

    # 1. check mode: the phone written differently is the same phone; no write.
    run = run_tasks(REMOVE, check=True, diff=True)
    assert run.rc == 0, run
    remove, missing = run.result("remove phone"), run.result("remove missing email")
    assert remove["changed"] is True
    assert remove["contact_method"] == {}
    assert diff_of(remove) == {"before": desk_result, "after": {}}
    assert remove["api"]["calls"] == 1  # fewest possible: the phones read
    assert missing["changed"] is False
    assert missing["api"]["calls"] == 1  # fewest possible: the emails read
    assert operations(emulator) == [GET_PHONES, GET_EMAILS]
    assert emulator.state == seeded

    # 2. real run: one DELETE addressed by the extId.
    emulator.clear_log()
    run = run_tasks(REMOVE)
    assert run.rc == 0, run
    assert run.result("remove phone")["changed"] is True
    assert run.result("remove phone")["api"]["calls"] == 2  # fewest possible: read + delete
    assert run.result("remove missing email")["changed"] is False
    assert operations(emulator) == [GET_PHONES, DELETE_PHONE, GET_EMAILS]
    (delete,) = emulator.writes()
    assert delete["path"] == "/api-public/v1/user/bwong/contact-methods/phones/%s" % desk["extId"]
    assert emulator.state["users"]["bwong"]["contact_methods"]["phones"] == []
    assert emulator.state["users"]["cnguyen"] == seeded["users"]["cnguyen"]

    # 3. check mode again: nothing to do.
    emulator.clear_log()
    run = run_tasks(REMOVE, check=True)
    assert run.result("remove phone")["changed"] is False
    assert run.result("remove missing email")["changed"] is False
    assert operations(emulator) == [GET_PHONES, GET_EMAILS]  # fewest possible: one read each

    # 4. real run again: no write.
    emulator.clear_log()
    run = run_tasks(REMOVE)
    assert run.result("remove phone")["changed"] is False
    assert run.result("remove phone")["api"]["calls"] == 1
    assert emulator.writes() == []
    assert len(emulator.calls()) == 2


def test_existing_values_match_despite_case_punctuation_and_label_differences(emulator, run_tasks):
    seeded = copy.deepcopy(emulator.state)
    run = run_tasks("""
    - name: same phone
      victorops.oncall.victorops_contact_method:
        username: jdoe
        kind: phone
        value: "+1.555.0100"
    - name: same email other case
      victorops.oncall.victorops_contact_method:
        username: jdoe
        kind: email
        value: JDOE.Work@Example.COM
        label: Work
    - name: other label
      victorops.oncall.victorops_contact_method:
        username: jdoe
        kind: email
        value: jdoe.work@example.com
        label: Personal
    """)
    assert run.rc == 0, run
    phone = run.result("same phone")
    assert phone["changed"] is False
    assert phone["contact_method"]["label"] == "Mobile"
    assert phone["contact_method"]["value"] == "+1-555-0100"
    email = run.result("same email other case")
    assert email["changed"] is False
    # The label differs: left as it is (the warning that says so: tests/e2e/test_contact_method.py).
    other = run.result("other label")
    assert other["changed"] is False
    assert other["contact_method"]["label"] == "Work"
    assert emulator.writes() == []
    assert len(emulator.calls()) == 3  # one read per task
    assert emulator.state == seeded


def test_bad_input_fails_clearly_without_writing(emulator, run_tasks):
    seeded = copy.deepcopy(emulator.state)
    run = run_tasks("""
    - name: malformed email
      victorops.oncall.victorops_contact_method:
        username: jdoe
        kind: email
        value: jdoe.example.com
      ignore_errors: true
    - name: malformed phone
      victorops.oncall.victorops_contact_method:
        username: jdoe
        kind: phone
        value: call me
      ignore_errors: true
    - name: negative rank
      victorops.oncall.victorops_contact_method:
        username: jdoe
        kind: phone
        value: "+15550100"
        rank: -1
      ignore_errors: true
    - name: empty label
      victorops.oncall.victorops_contact_method:
        username: jdoe
        kind: phone
        value: "+15550100"
        label: ""
      ignore_errors: true
    - name: unknown user
      victorops.oncall.victorops_contact_method:
        username: nosuchuser
        kind: email
        value: someone@example.com
      ignore_errors: true
    """)
    assert run.rc == 0, run
    assert failure(run, "malformed email")["msg"] == "value 'jdoe.example.com' (kind=email) is not an email address"
    assert failure(run, "malformed phone")["msg"] == (
        "value 'call me' (kind=phone) is not a phone number: give it in E.164 form, a + and 4 to 15 digits (for example +1 555 010 0100)"
    )
    assert failure(run, "negative rank")["msg"] == "rank must be 0 or more, got -1"
    assert failure(run, "empty label")["msg"] == "label must not be empty"
    for task in ("malformed email", "malformed phone", "negative rank", "empty label"):
        assert failure(run, task)["api"]["calls"] == 0
    unknown = failure(run, "unknown user")
    assert unknown["msg"] == "username 'nosuchuser': the API knows no such user"
    assert unknown["api"]["calls"] == 1
    assert operations(emulator) == [GET_EMAILS]
    assert emulator.state == seeded


def test_api_refusal_to_remove_the_account_email_is_reported(emulator, run_tasks):
    run = run_tasks("""
    - name: remove account email
      victorops.oncall.victorops_contact_method:
        username: cnguyen
        kind: email
        value: chloe.nguyen@example.com
        state: absent
      ignore_errors: true
    """)
    result = failure(run, "remove account email")
    ext_id = emulator.state["users"]["cnguyen"]["contact_methods"]["emails"][0]["extId"]
    # The message names the full URL of the refused request, and the API's own reason.
    assert result["msg"] == (
        "DELETE %s/api-public/v1/user/cnguyen/contact-methods/emails/%s: request refused by the API (HTTP 400): "
        "The user's account email (Default) cannot be deleted" % (emulator.url, ext_id)
    )
    assert result["api"]["calls"] == 2  # read + refused delete
    assert len(emulator.state["users"]["cnguyen"]["contact_methods"]["emails"]) == 1


def test_ambiguous_create_is_confirmed_by_rereading_not_resent(emulator, run_tasks):
    emulator.inject("POST", "/api-public/v1/user/asmith/contact-methods/phones", "apply-then-502")
    run = run_tasks(ADD)
    assert run.rc == 0, run
    phone = run.result("add phone")
    new_phone = emulator.state["users"]["asmith"]["contact_methods"]["phones"][-1]
    assert phone["changed"] is True
    assert phone["contact_method"]["ext_id"] == new_phone["extId"]
    assert phone["contact_method"]["id"] == new_phone["id"]
    assert phone["api"]["calls"] == 3  # read, create (502), confirming read
    assert phone["api"]["writes"] == 1
    assert [c["value"] for c in emulator.state["users"]["asmith"]["contact_methods"]["phones"]] == ["+1-555-0101", "+1 (555) 010-9999"]
    assert operations(emulator)[:3] == [GET_PHONES, POST_PHONE, GET_PHONES]
