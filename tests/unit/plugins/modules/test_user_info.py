"""victorops_user_info run in-process against the emulator: what it returns, and which reads it sends."""

import collections

import pytest

OPERATIONS = "team-Q2opsDemoTeam001"
DATABASE = "team-Db4DemoTeamAb002"


@pytest.fixture
def run(run_module, emulator):
    """run(check=False, **options) -> (exit code, result) of victorops_user_info, by the shared ``run_module`` fixture."""

    def run_one(check=False, **options):
        result = run_module("victorops_user_info", check_mode=check, **options)
        return result.exit_code, result

    return run_one


def operations(emulator):
    return dict(collections.Counter(entry["operation"] for entry in emulator.log))


def test_one_user_whole_costs_four_reads(run, emulator, contact_id):
    code, result = run(usernames=["jdoe"])

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
    assert operations(emulator) == {
        "GET /api-public/v1/user/{user}": 1,
        "GET /api-public/v1/profile/{username}/policies": 1,
        "GET /api-public/v1/user/{user}/contact-methods": 1,
        "GET /api-public/v1/user/{user}/teams": 1,
    }
    assert result["api"]["calls"] == 4 and result["api"]["writes"] == 0
    assert emulator.writes() == []


def test_every_user_reads_the_list_once_then_per_user_parts(run, emulator):
    code, result = run()

    assert code == 0, result
    assert [u["username"] for u in result["users"]] == ["jdoe", "asmith", "bwong", "cnguyen"]
    assert {u["username"]: [t["slug"] for t in u["teams"]] for u in result["users"]} == {
        "jdoe": [OPERATIONS],
        "asmith": [OPERATIONS, DATABASE],
        "bwong": [OPERATIONS],
        "cnguyen": [DATABASE],
    }
    assert operations(emulator) == {
        "GET /api-public/v1/user": 1,
        "GET /api-public/v1/profile/{username}/policies": 4,
        "GET /api-public/v1/user/{user}/contact-methods": 4,
        "GET /api-public/v1/user/{user}/teams": 4,
    }


def test_only_the_parts_asked_for_are_read(run, emulator):
    code, result = run(usernames=["asmith", "bwong", "nosuchuser"], contact_methods=False, paging_policy=False)

    assert code == 0, result
    assert result["missing"] == ["nosuchuser"]
    assert [sorted(u) for u in result["users"]] == [sorted(["username", "first_name", "last_name", "email", "verified", "created_at", "teams"])] * 2
    assert operations(emulator) == {"GET /api-public/v1/user": 1, "GET /api-public/v1/user/{user}/teams": 2}


def test_a_paging_policy_alone_reads_the_contacts_only_when_a_rule_names_one(run, emulator):
    emulator.state["users"]["cnguyen"]["paging_policy"] = [{"timeout": 1, "rules": [{"type": "push", "contact_id": None}]}]
    code, result = run(usernames=["cnguyen"], contact_methods=False, teams=False)

    assert code == 0, result
    assert result["users"][0]["paging_policy"] == [{"step": 0, "timeout": 1, "rules": [{"rule": 0, "type": "push", "contact_id": None, "contact": None}]}]
    assert "contact_methods" not in result["users"][0]
    assert operations(emulator) == {"GET /api-public/v1/user/{user}": 1, "GET /api-public/v1/profile/{username}/policies": 1}

    emulator.clear_log()
    code, result = run(usernames=["asmith"], contact_methods=False, teams=False)
    assert code == 0, result
    assert result["users"][0]["paging_policy"][0]["rules"][1]["contact"] == {"kind": "email", "value": "alice.smith@example.com", "label": "Default"}
    assert operations(emulator)["GET /api-public/v1/user/{user}/contact-methods"] == 1


def test_an_unknown_single_user_is_missing_not_an_error(run, emulator):
    code, result = run(usernames=["ghost"])
    assert code == 0, result
    assert result == dict(result, users=[], missing=["ghost"])
    assert operations(emulator) == {"GET /api-public/v1/user/{user}": 1}


@pytest.mark.emulator(variants=["case-insensitive-users"])
def test_a_username_in_another_case_stands_in_with_a_note_and_is_listed_once(run, emulator):
    code, result = run(usernames=["JDoe", "jdoe"], contact_methods=False, teams=False, paging_policy=False)
    assert code == 0, result
    assert [u["username"] for u in result["users"]] == ["jdoe"]
    assert result["notes"] == ["usernames 'JDoe' matched the username 'jdoe', which differs only in case (the API answered it so)"]
    # The list, then one read of JDoe: the API itself says it is jdoe.
    assert operations(emulator) == {"GET /api-public/v1/user": 1, "GET /api-public/v1/user/{user}": 1}


def test_a_username_in_another_case_is_missing_where_the_api_does_not_answer_it_so(run, emulator):
    # On a case-sensitive API, JDoe is not jdoe: a read of JDoe finds nobody, whoever else is read in the same task.
    code, result = run(usernames=["JDoe", "jdoe"], contact_methods=False, teams=False, paging_policy=False)
    assert code == 0, result
    assert [u["username"] for u in result["users"]] == ["jdoe"]
    assert (result["missing"], result["notes"]) == (["JDoe"], [])
    assert operations(emulator) == {"GET /api-public/v1/user": 1, "GET /api-public/v1/user/{user}": 1}


def collision_seed():
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    seed["users"].append(dict(username="JDoe", firstName="Jane", lastName="Doe", email="jane.doe@example.com"))
    return seed


@pytest.mark.emulator(seed=collision_seed())
def test_usernames_that_differ_in_case_are_two_users(run, emulator):
    code, result = run(usernames=["JDoe", "jdoe"], contact_methods=False, teams=False, paging_policy=False)
    assert code == 0, result
    assert [(u["username"], u["first_name"]) for u in result["users"]] == [("JDoe", "Jane"), ("jdoe", "John")]
    assert result["notes"] == [] and result["missing"] == []
    code, result = run(usernames=["JDoe"], contact_methods=False, teams=False, paging_policy=False)
    assert [(u["username"], u["first_name"]) for u in result["users"]] == [("JDoe", "Jane")]


@pytest.mark.emulator(seed=collision_seed())
def test_two_users_in_another_case_and_none_exact_is_an_error_naming_them(run, emulator):
    code, result = run(usernames=["JDOE", "asmith"], contact_methods=False, teams=False, paging_policy=False)
    assert code == 1
    assert result["msg"] == (
        "usernames 'JDOE' matches no username exactly and several in another case: JDoe, jdoe; give the username exactly as the API spells it"
    )


def test_check_mode_reads_the_same(run, emulator):
    code, result = run(check=True, usernames=["bwong"])
    assert code == 0, result
    assert [(c["label"], c["value"]) for c in result["users"][0]["contact_methods"]["phones"]] == [("Desk", "+1-555-0102")]
    assert emulator.writes() == []


@pytest.mark.parametrize(
    "usernames, message",
    [
        ([], "usernames must not be empty: leave it out to read every user"),
        (["ok", "a;x"], "usernames 'a;x' is not a valid username: it may only contain letters, digits, '.', '_', '-', '@' and '+'"),
    ],
)
def test_bad_usernames_fail_before_any_request(run, emulator, usernames, message):
    code, result = run(usernames=usernames)
    assert code == 1
    assert result["failed"] is True
    assert result["msg"] == message
    assert emulator.log == []
