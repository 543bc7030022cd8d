"""victorops_user_info run in-process against the emulator: what it returns, and which reads it sends."""

import collections
import json

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.victorops.oncall.plugins.modules import victorops_user_info

OPERATIONS = "team-Q2opsDemoTeam001"
DATABASE = "team-Db4DemoTeamAb002"


def run(emulator, capsys, check=False, **options):
    args = dict(options, api_id="demo-api-id", api_key="demo-api-key", api_url=emulator.url, _ansible_check_mode=check)
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        victorops_user_info.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def operations(emulator):
    return dict(collections.Counter(entry["operation"] for entry in emulator.log))


def test_one_user_whole_costs_four_reads(emulator, capsys, contact_id):
    code, result = run(emulator, capsys, usernames=["jdoe"])

    assert code == 0, result
    assert result["changed"] is False
    assert result["missing"] == []
    [user] = result["users"]
    default, work = contact_id("jdoe", "Default"), contact_id("jdoe", "Work")
    mobile = contact_id("jdoe", "Mobile")
    assert {k: user[k] for k in ("username", "first_name", "last_name", "email", "verified")} == {
        "username": "jdoe",
        "first_name": "John",
        "last_name": "Doe",
        "email": "john.doe@example.com",
        "verified": True,
    }
    assert [(c["id"], c["label"], c["value"]) for c in user["contact_methods"]["emails"]] == [
        (default, "Default", "john.doe@example.com"),
        (work, "Work", "jdoe.work@example.com"),
    ]
    assert [(c["id"], c["label"], c["value"], c["verified"]) for c in user["contact_methods"]["phones"]] == [(mobile, "Mobile", "+1-555-0100", True)]
    assert all(c["ext_id"] for c in user["contact_methods"]["emails"] + user["contact_methods"]["phones"])
    assert user["teams"] == [{"name": "Operations", "slug": OPERATIONS}]
    assert user["paging_policy"] == [
        {
            "step": 0,
            "timeout": 5,
            "rules": [
                {"rule": 0, "type": "push", "contact_id": None, "contact": None},
                {"rule": 1, "type": "sms", "contact_id": mobile, "contact": {"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}},
            ],
        },
        {
            "step": 1,
            "timeout": 10,
            "rules": [
                {"rule": 0, "type": "phone", "contact_id": mobile, "contact": {"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}},
                {"rule": 1, "type": "email", "contact_id": work, "contact": {"kind": "email", "value": "jdoe.work@example.com", "label": "Work"}},
            ],
        },
    ]
    # The account email is "email"; the first phone is "phone"; any other contact by value.
    assert user["onboarding"] == {
        "username": "jdoe",
        "first_name": "John",
        "last_name": "Doe",
        "email": "john.doe@example.com",
        "phone": "+1-555-0100",
        "phone_label": "Mobile",
        "contact_methods": [{"type": "email", "value": "jdoe.work@example.com", "label": "Work"}],
        "teams": [OPERATIONS],
        "paging_steps": [
            {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": "phone"}]},
            {"timeout": 10, "rules": [{"type": "phone", "contact": "phone"}, {"type": "email", "contact": "jdoe.work@example.com"}]},
        ],
    }
    assert operations(emulator) == {
        "GET /api-public/v1/user/{user}": 1,
        "GET /api-public/v1/profile/{username}/policies": 1,
        "GET /api-public/v1/user/{user}/contact-methods": 1,
        "GET /api-public/v1/user/{user}/teams": 1,
    }
    assert result["api"]["calls"] == 4 and result["api"]["writes"] == 0
    assert emulator.writes() == []


def test_every_user_reads_the_list_once_then_per_user_parts(emulator, capsys):
    code, result = run(emulator, capsys)

    assert code == 0, result
    assert [u["username"] for u in result["users"]] == ["jdoe", "asmith", "bwong", "cnguyen"]
    assert {u["username"]: [t["slug"] for t in u["teams"]] for u in result["users"]} == {
        "jdoe": [OPERATIONS],
        "asmith": [OPERATIONS, DATABASE],
        "bwong": [OPERATIONS],
        "cnguyen": [DATABASE],
    }
    # cnguyen has no phone: no phone key, and the default policy's email rule is the placeholder.
    cnguyen = result["users"][3]["onboarding"]
    assert cnguyen == {
        "username": "cnguyen",
        "first_name": "Chloe",
        "last_name": "Nguyen",
        "email": "chloe.nguyen@example.com",
        "teams": [DATABASE],
        "paging_steps": [{"timeout": 5, "rules": [{"type": "push"}, {"type": "email", "contact": "email"}]}],
    }
    assert operations(emulator) == {
        "GET /api-public/v1/user": 1,
        "GET /api-public/v1/profile/{username}/policies": 4,
        "GET /api-public/v1/user/{user}/contact-methods": 4,
        "GET /api-public/v1/user/{user}/teams": 4,
    }


def test_only_the_parts_asked_for_are_read(emulator, capsys):
    code, result = run(emulator, capsys, usernames=["asmith", "bwong", "nosuchuser"], contact_methods=False, paging_policy=False)

    assert code == 0, result
    assert result["missing"] == ["nosuchuser"]
    assert [sorted(u) for u in result["users"]] == [sorted(["username", "first_name", "last_name", "email", "verified", "created_at", "teams"])] * 2
    assert operations(emulator) == {"GET /api-public/v1/user": 1, "GET /api-public/v1/user/{user}/teams": 2}


def test_a_paging_policy_alone_reads_the_contacts_only_when_a_rule_names_one(emulator, capsys):
    emulator.state["users"]["cnguyen"]["paging_policy"] = [{"timeout": 1, "rules": [{"type": "push", "contact_id": None}]}]
    code, result = run(emulator, capsys, usernames=["cnguyen"], contact_methods=False, teams=False)

    assert code == 0, result
    assert result["users"][0]["paging_policy"] == [{"step": 0, "timeout": 1, "rules": [{"rule": 0, "type": "push", "contact_id": None, "contact": None}]}]
    assert "contact_methods" not in result["users"][0] and "onboarding" not in result["users"][0]
    assert operations(emulator) == {"GET /api-public/v1/user/{user}": 1, "GET /api-public/v1/profile/{username}/policies": 1}

    emulator.clear_log()
    code, result = run(emulator, capsys, usernames=["asmith"], contact_methods=False, teams=False)
    assert code == 0, result
    assert result["users"][0]["paging_policy"][0]["rules"][1]["contact"] == {"kind": "email", "value": "alice.smith@example.com", "label": "Default"}
    assert operations(emulator)["GET /api-public/v1/user/{user}/contact-methods"] == 1


def test_an_unknown_single_user_is_missing_not_an_error(emulator, capsys):
    code, result = run(emulator, capsys, usernames=["ghost"])
    assert code == 0, result
    assert result == dict(result, users=[], missing=["ghost"])
    assert operations(emulator) == {"GET /api-public/v1/user/{user}": 1}


@pytest.mark.emulator(variants=["case-insensitive-users"])
def test_usernames_compare_without_case_and_repeat_once(emulator, capsys):
    code, result = run(emulator, capsys, usernames=["JDoe", "jdoe"], contact_methods=False, teams=False, paging_policy=False)
    assert code == 0, result
    assert [u["username"] for u in result["users"]] == ["jdoe"]
    assert operations(emulator) == {"GET /api-public/v1/user/{user}": 1}


def test_check_mode_reads_the_same(emulator, capsys):
    code, result = run(emulator, capsys, check=True, usernames=["bwong"])
    assert code == 0, result
    assert result["users"][0]["onboarding"]["phone"] == "+1-555-0102"
    assert result["users"][0]["onboarding"]["phone_label"] == "Desk"
    assert emulator.writes() == []


@pytest.mark.parametrize(
    "usernames, message",
    [
        ([], "usernames must not be empty: leave it out to read every user"),
        (["ok", "../x"], "usernames: '../x' is not valid: a username may only contain letters, digits, '.', '_', '-', '@' and '+'"),
    ],
)
def test_bad_usernames_fail_before_any_request(emulator, capsys, usernames, message):
    code, result = run(emulator, capsys, usernames=usernames)
    assert code == 1
    assert result["failed"] is True
    assert result["msg"] == message
    assert emulator.log == []


def test_contacts_sharing_a_value_are_named_by_id_and_a_second_phone_by_value(emulator, capsys):
    user = emulator.state["users"]["jdoe"]
    phones = user["contact_methods"]["phones"]
    # A second phone, and a third with the second's digits in another format.
    for offset, (label, value) in enumerate([("Home", "+15550100999"), ("Home 2", "+1 (555) 010-0999")]):
        phones.append(dict(phones[0], id=900001 + offset, label=label, value=value, extId="ext-%d" % offset))
    user["paging_policy"] = [{"timeout": 5, "rules": [{"type": "phone", "contact_id": 900001}, {"type": "sms", "contact_id": phones[0]["id"]}]}]

    code, result = run(emulator, capsys, usernames=["jdoe"])

    assert code == 0, result
    person = result["users"][0]["onboarding"]
    assert person["contact_methods"] == [
        {"type": "email", "value": "jdoe.work@example.com", "label": "Work"},
        {"type": "phone", "value": "+15550100999", "label": "Home"},
        {"type": "phone", "value": "+1 (555) 010-0999", "label": "Home 2"},
    ]
    assert person["paging_steps"] == [{"timeout": 5, "rules": [{"type": "phone", "contact_id": 900001}, {"type": "sms", "contact": "phone"}]}]


def test_a_page_repeated_in_a_step_is_listed_once_with_a_warning(emulator, capsys, contact_id, monkeypatch):
    warned = []
    monkeypatch.setattr(AnsibleModule, "warn", lambda module, warning, **kwargs: warned.append(warning))
    # An email rule without a contact pages as push: with a push rule beside it, the step pages push twice.
    mobile = contact_id("jdoe", "Mobile")
    emulator.state["users"]["jdoe"]["paging_policy"] = [
        {"timeout": 5, "rules": [{"type": "email", "contact_id": None}, {"type": "push", "contact_id": None}, {"type": "sms", "contact_id": mobile}]},
        {"timeout": 10, "rules": [{"type": "push", "contact_id": None}]},
    ]

    code, result = run(emulator, capsys, usernames=["jdoe"])

    assert code == 0, result
    assert [len(step["rules"]) for step in result["users"][0]["paging_policy"]] == [3, 1]
    assert result["users"][0]["onboarding"]["paging_steps"] == [
        {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": "phone"}]},
        {"timeout": 10, "rules": [{"type": "push"}]},
    ]
    assert warned == [
        (
            "jdoe: paging step 0 pages push more than once (an email, SMS or phone rule without a contact pages as push); the"
            " onboarding input lists each page once, so applying it removes the repeated rule"
        )
    ]
