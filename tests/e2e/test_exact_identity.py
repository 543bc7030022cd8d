"""Identity is exact: with users ``jdoe`` (John) and ``JDoe`` (Jane) on a case-sensitive API, every module acting on
``JDoe`` acts on Jane only, through real ``ansible-playbook`` runs against the emulator (its default, case-sensitive form); the error for a
username that matches several users in another case is checked in process.

The case-insensitive API (the emulator's ``case-insensitive-users`` variant) is in test_variants.py: there the one
username in another case stands in, with a note.
"""

import copy

import pytest

from ansible_collections.victorops.oncall.tests.emulator import load_seed

pytestmark = pytest.mark.slow

OPS = "team-Q2opsDemoTeam001"


def collision_seed():
    """The demo organisation with Jane Doe as ``JDoe`` beside John Doe as ``jdoe``: both in Operations, both on call for it."""
    seed = load_seed()
    seed["users"].append(
        dict(
            username="JDoe",
            firstName="Jane",
            lastName="Doe",
            email="jane.doe@example.com",
            contact_methods=dict(phones=[dict(label="Mobile", value="+1-555-0199")]),
            paging_policy=[dict(timeout=5, rules=[dict(type="push")])],
        )
    )
    for team in seed["teams"]:
        if team["slug"] == OPS:
            team["members"].append("JDoe")
    for entry in seed["oncall"]:
        if entry["policy"] == OPS:
            entry["users"] = ["jdoe", "JDoe"]
    return seed


JANE = """
- name: override
  victorops.oncall.victorops_oncall_override:
    policy: team-Q2opsDemoTeam001
    from_user: JDoe
    to_user: bwong
- name: policy
  victorops.oncall.victorops_paging_policy:
    username: JDoe
    steps:
      - timeout: 10
        rules:
          - {type: sms, contact: Mobile}
- name: member
  victorops.oncall.victorops_team_member:
    team: team-Q2opsDemoTeam001
    username: JDoe
    state: absent
    replacement: asmith
- name: user
  victorops.oncall.victorops_user:
    username: JDoe
    state: absent
    replacement: asmith
"""


def john(state):
    user = copy.deepcopy(state["users"]["jdoe"])
    return {key: user[key] for key in ("firstName", "lastName", "email", "contact_methods", "paging_policy")}


@pytest.mark.emulator(seed=collision_seed())
def test_every_module_acting_on_jdoe_in_another_case_acts_on_that_user_only(emulator, run_playbook, contact_id):
    johns = john(emulator.state)
    jane_mobile = contact_id("JDoe", "Mobile")

    run = run_playbook(JANE)
    assert run.rc == 0, run
    for task in ("override", "policy", "member", "user"):
        assert run.result(task)["changed"] is True, task
        assert run.result(task).get("notes", []) == [], task
    # Jane handed her shift over; John is still on call.
    assert emulator.state["oncall"][OPS] == ["jdoe", "bwong"]
    assert [entry["body"] for entry in emulator.calls(operation="PATCH /api-public/v1/policies/{policy}/oncall/user")] == [
        {"fromUser": "JDoe", "toUser": "bwong"}
    ]
    # Jane's policy was written with Jane's phone, before she was removed; John's member, policy and user are untouched.
    assert run.result("policy")["paging_policy"]["steps"] == [
        {
            "step": 0,
            "timeout": 10,
            "rules": [{"rule": 0, "type": "sms", "contact_id": jane_mobile, "contact": {"kind": "phone", "value": "+1-555-0199", "label": "Mobile"}}],
        }
    ]
    assert [entry["path"] for entry in emulator.writes()] == [
        "/api-public/v1/policies/%s/oncall/user" % OPS,
        "/api-public/v1/profile/JDoe/policies/0",
        "/api-public/v1/team/%s/members/JDoe" % OPS,
        "/api-public/v1/user/JDoe",
    ]
    assert emulator.state["teams"][OPS]["members"] == ["jdoe", "asmith", "bwong"]
    assert "JDoe" not in emulator.state["users"]
    assert john(emulator.state) == johns

    # Again (without the policy of a user who is gone): no change, and John is not taken for Jane. The member task
    # sees jdoe, in another case, and asks the API, which knows no JDoe: one more read, no write.
    emulator.clear_log()
    run = run_playbook(JANE[: JANE.index("- name: policy")] + JANE[JANE.index("- name: member") :])
    assert run.rc == 0, run
    for task in ("override", "member", "user"):
        assert run.result(task)["changed"] is False, task
    assert run.result("member")["api"]["operations"] == {"list_team_members": 1, "get_user": 1}
    assert emulator.writes() == []
    assert john(emulator.state) == johns


@pytest.mark.emulator(seed=collision_seed())
def test_a_username_in_another_case_stands_in_only_when_no_user_has_it_exactly(emulator, run_module):
    """On-call lists ``jdoe`` and ``JDoe``; ``JDOE`` names neither exactly and both in another case: an error naming them.

    The modules' own logic, run in process (the playbook run above shows the same modules through ansible-playbook).
    """
    ambiguous = run_module("victorops_oncall_override", policy=OPS, from_user="JDOE", to_user="bwong")
    ambiguous_member = run_module("victorops_team_member", team=OPS, username="JDOE", state="absent")

    assert ambiguous["failed"] is True and ambiguous_member["failed"] is True
    assert ambiguous["msg"] == (
        "from_user 'JDOE' matches no username exactly and several in another case: JDoe, jdoe; give the username exactly as the API spells it"
    )
    assert ambiguous_member["msg"].startswith("username 'JDOE' matches no username exactly and several in another case: JDoe, jdoe")
    assert emulator.writes() == []
