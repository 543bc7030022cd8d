"""The export's conversion of users to onboarding input (plugin_utils/_export.py, behind the filters of plugins/filter/lifecycle.py).

The users are read by victorops_user_info in-process from the emulator, as the export playbook reads them.
"""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.victorops.oncall.plugins.filter import lifecycle
from ansible_collections.victorops.oncall.plugins.modules import victorops_user_info
from ansible_collections.victorops.oncall.plugins.plugin_utils import _export

OPERATIONS = "team-Q2opsDemoTeam001"
DATABASE = "team-Db4DemoTeamAb002"


def read(emulator, capsys, **options):
    args = dict(options, api_id="demo-api-id", api_key="demo-api-key", api_url=emulator.url)
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        victorops_user_info.main()
    assert exc.value.code == 0
    return json.loads(capsys.readouterr().out)


def test_the_account_email_and_first_phone_are_placeholders_any_other_contact_by_value(emulator, capsys):
    converted = lifecycle.export_people(read(emulator, capsys, usernames=["jdoe"])["users"])

    assert converted == {
        "people": [
            {
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
        ],
        "notes": [],
    }


def test_a_person_without_a_phone_has_no_phone_key(emulator, capsys):
    people = lifecycle.export_people(read(emulator, capsys)["users"])["people"]

    assert [p["username"] for p in people] == ["jdoe", "asmith", "bwong", "cnguyen"]
    assert people[3] == {
        "username": "cnguyen",
        "first_name": "Chloe",
        "last_name": "Nguyen",
        "email": "chloe.nguyen@example.com",
        "teams": [DATABASE],
        "paging_steps": [{"timeout": 5, "rules": [{"type": "push"}, {"type": "email", "contact": "email"}]}],
    }
    assert (people[2]["phone"], people[2]["phone_label"]) == ("+1-555-0102", "Desk")


def test_contacts_sharing_a_value_are_named_by_id_and_a_second_phone_by_value(emulator, capsys):
    user = emulator.state["users"]["jdoe"]
    phones = user["contact_methods"]["phones"]
    # A second phone, and a third with the second's digits in another format.
    for offset, (label, value) in enumerate([("Home", "+15550100999"), ("Home 2", "+1 (555) 010-0999")]):
        phones.append(dict(phones[0], id=900001 + offset, label=label, value=value, extId="ext-%d" % offset))
    user["paging_policy"] = [{"timeout": 5, "rules": [{"type": "phone", "contact_id": 900001}, {"type": "sms", "contact_id": phones[0]["id"]}]}]

    [person] = lifecycle.export_people(read(emulator, capsys, usernames=["jdoe"])["users"])["people"]

    assert person["contact_methods"] == [
        {"type": "email", "value": "jdoe.work@example.com", "label": "Work"},
        {"type": "phone", "value": "+15550100999", "label": "Home"},
        {"type": "phone", "value": "+1 (555) 010-0999", "label": "Home 2"},
    ]
    assert person["paging_steps"] == [{"timeout": 5, "rules": [{"type": "phone", "contact_id": 900001}, {"type": "sms", "contact": "phone"}]}]


def test_a_page_repeated_in_a_step_is_listed_once_with_a_note(emulator, capsys, contact_id):
    # An email rule without a contact pages as push: with a push rule beside it, the step pages push twice.
    mobile = contact_id("jdoe", "Mobile")
    emulator.state["users"]["jdoe"]["paging_policy"] = [
        {"timeout": 5, "rules": [{"type": "email", "contact_id": None}, {"type": "push", "contact_id": None}, {"type": "sms", "contact_id": mobile}]},
        {"timeout": 10, "rules": [{"type": "push", "contact_id": None}]},
    ]
    users = read(emulator, capsys, usernames=["jdoe"])["users"]

    converted = lifecycle.export_people(users)

    assert [len(step["rules"]) for step in users[0]["paging_policy"]] == [3, 1]
    assert converted["people"][0]["paging_steps"] == [
        {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": "phone"}]},
        {"timeout": 10, "rules": [{"type": "push"}]},
    ]
    assert converted["notes"] == [
        (
            "jdoe: paging step 0 pages push more than once (an email, SMS or phone rule without a contact pages as push); the"
            " onboarding input lists each page once, so applying it removes the repeated rule"
        )
    ]


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("jdoe,asmith", ["jdoe", "asmith"]),
        ("[bwong, 'asmith']", ["bwong", "asmith"]),
        (["jdoe"], ["jdoe"]),
        ("", []),
    ],
)
def test_export_usernames_as_a_list(value, expected):
    assert lifecycle.export_usernames(value) == expected


def test_the_export_variables_are_checked_with_the_fix():
    assert lifecycle.export_problems("people.yml", None) == []
    assert lifecycle.export_problems(None, []) == [
        "export_file is required: the path of the YAML file to write, for example -e export_file=people.yml",
        "export_usernames must be a non-empty list of usernames (leave it out to export every user)",
    ]


def test_what_was_read_is_checked():
    result = {"missing": ["ghost"], "users": [{"username": "a", "paging_policy": []}, {"username": "b", "paging_policy": [{"rules": []}]}]}
    assert _export.read_problems(result) == [
        "export_usernames: no VictorOps user is named ghost",
        (
            "a has no paging policy step, which the onboarding input cannot express (without paging_steps the default template applies);"
            " give them a step in VictorOps first"
        ),
    ]
    assert _export.read_problems({"missing": [], "users": []}) == []
