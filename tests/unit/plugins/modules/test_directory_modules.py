"""The user, contact-method, team-member, on-call and info modules, run in-process against the emulator.

Each module gets the four-step check-mode test (check mode predicts the change and sends no write;
the real run makes it; check mode and a real run again change nothing and send no write) and its
refusals, with the API calls counted by operation.
"""

import json

import pytest

OPS = "team-Q2opsDemoTeam001"
HIGH_SEVERITY = "pol-Hs7opsDemoPol001"  # asmith on call (Operations High Severity)


@pytest.fixture
def run(run_module, emulator):
    """run(module name, check=False, diff=True, **options) -> (exit code, result), by the shared ``run_module`` fixture."""

    def run_one(module, check=False, diff=True, **options):
        result = run_module(module, check_mode=check, diff=diff, **options)
        return result.exit_code, result

    return run_one


def four_steps(run, emulator, module, **options):
    """The four runs of the check-mode test; returns the results of the real first run and of the repeat."""
    writes = len(emulator.writes())
    code, predicted = run(module, check=True, **options)
    assert code == 0, predicted
    assert predicted["changed"] is True
    assert len(emulator.writes()) == writes, "check mode sent a write"
    code, first = run(module, **options)
    assert code == 0, first
    assert first["changed"] is True
    assert len(emulator.writes()) > writes
    writes = len(emulator.writes())
    code, checked = run(module, check=True, **options)
    assert code == 0 and checked["changed"] is False, checked
    code, again = run(module, **options)
    assert code == 0 and again["changed"] is False, again
    assert again["api"]["writes"] == 0
    assert len(emulator.writes()) == writes
    return predicted, first, again


def test_user_four_steps_and_created_flag(run, emulator):
    options = dict(username="newhire", first_name="Nora", last_name="Hire", email="nora@example.com")
    predicted, first, again = four_steps(run, emulator, "victorops_user", **options)
    assert predicted["created"] is True and first["created"] is True and again["created"] is False
    assert first["api"]["operations"] == {"get_user": 1, "create_user": 1}
    assert emulator.state["users"]["newhire"]["firstName"] == "Nora"
    assert json.loads(first["diff"]["before"]) == {}
    assert json.loads(first["diff"]["after"])["username"] == "newhire"


def test_user_rename_and_removal(run, emulator):
    _predicted, renamed, _again = four_steps(run, emulator, "victorops_user", username="jdoe", first_name="Johnny")
    assert renamed["created"] is False
    assert renamed["api"]["operations"] == {"get_user": 1, "update_user": 1}
    assert emulator.state["users"]["jdoe"]["firstName"] == "Johnny"
    _predicted, removed, _again = four_steps(run, emulator, "victorops_user", username="cnguyen", state="absent", replacement="jdoe")
    assert removed["api"]["operations"] == {"get_user": 1, "delete_user": 1}
    assert "cnguyen" not in emulator.state["users"]


def test_user_diff_keeps_non_ascii_names_readable(run, emulator):
    code, result = run("victorops_user", check=True, username="jdoe", first_name="Jürgen", last_name="Doé")
    assert code == 0, result
    assert "Jürgen" in result["diff"]["after"] and "\\u00fc" not in result["diff"]["after"]


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(username="victim;x", first_name="A"), "username 'victim;x' is not a valid username: it may only contain letters, digits"),
        (dict(username="jdoe", email="not-an-address"), "email 'not-an-address' is not an email address"),
        (dict(username="jdoe", state="absent", replacement="jdoe"), "replacement must be another user than username 'jdoe'"),
        (dict(username="jdoe", expiration_hours=True), "expiration_hours must be a number, got the boolean true: give the number itself"),
        (dict(username="nobody", first_name="No"), "user 'nobody' does not exist; creating it needs last_name, email"),
    ],
)
def test_user_refusals_send_no_write(run, emulator, options, message):
    code, result = run("victorops_user", **options)
    assert code == 1
    assert result["msg"].startswith(message), result["msg"]
    assert emulator.writes() == []


def test_contact_method_four_steps_in_any_format(run, emulator):
    _predicted, first, again = four_steps(run, emulator, "victorops_contact_method", username="asmith", kind="phone", value="+1 (555) 010-0999", label="Desk")
    assert first["api"]["operations"] == {"list_phones": 1, "add_phone": 1}
    assert again["api"]["operations"] == {"list_phones": 1}
    assert first["contact_method"]["ext_id"]
    # The same number in another format is the same contact method.
    code, result = run("victorops_contact_method", username="asmith", kind="phone", value="+15550100999")
    assert code == 0 and result["changed"] is False, result
    _predicted, removed, _again = four_steps(
        run, emulator, "victorops_contact_method", username="asmith", kind="phone", value="+1 555-010-0999", state="absent"
    )
    assert removed["api"]["operations"] == {"list_phones": 1, "delete_phone": 1}


def test_contact_method_unknown_user_is_an_option_error(run, emulator):
    code, result = run("victorops_contact_method", username="nosuchuser", kind="email", value="x@example.com")
    assert code == 1
    assert result["msg"] == "username 'nosuchuser': the API knows no such user"


def test_team_member_four_steps_by_name_and_case(run, emulator):
    _predicted, first, _again = four_steps(run, emulator, "victorops_team_member", team="operations", username="cnguyen")
    assert first["api"]["operations"] == {"list_teams": 1, "list_team_members": 1, "add_team_member": 1}
    assert first["team_member"] == {"team": OPS, "username": "cnguyen", "member": True}
    # On this (case-sensitive) API, CNguyen is not the member cnguyen: the API says so when asked (one read), and the
    # removal of CNguyen is no change.
    code, result = run("victorops_team_member", team=OPS, username="CNguyen", state="absent")
    assert code == 0 and result["changed"] is False and result["notes"] == [], result
    assert result["api"]["operations"] == {"list_team_members": 1, "get_user": 1}
    _predicted, removed, _again = four_steps(run, emulator, "victorops_team_member", team=OPS, username="cnguyen", state="absent", replacement="jdoe")
    assert removed["api"]["operations"] == {"list_team_members": 1, "remove_team_member": 1}


def test_oncall_override_four_steps(run, emulator):
    _predicted, first, again = four_steps(run, emulator, "victorops_oncall_override", policy=HIGH_SEVERITY, from_user="asmith", to_user="bwong")
    assert first["api"]["operations"] == {"get_oncall_current": 1, "take_on_call": 1}
    assert again["api"]["operations"] == {"get_oncall_current": 1}
    assert first["on_call"] == {"policy": HIGH_SEVERITY, "users": ["bwong"]}


def test_oncall_override_by_policy_name(run, emulator):
    code, listed = run("victorops_policy_info", escalation_policies=True)
    assert code == 0, listed
    (name,) = [p["name"] for p in listed["escalation_policies"] if p["slug"] == HIGH_SEVERITY]
    # The name (here in another case) is found in the on-call read the task makes anyway: the list is not read again.
    code, result = run("victorops_oncall_override", policy=name.upper(), from_user="asmith", to_user="bwong", rate_limit_profile="2018")
    assert code == 0, result
    assert result["changed"] is True
    assert result["api"]["operations"] == {"get_oncall_current": 1, "take_on_call": 1}
    assert result["on_call"]["policy"] == HIGH_SEVERITY


def test_oncall_override_unknown_policy_name_lists_the_known_ones(run, emulator):
    code, result = run("victorops_oncall_override", policy="No Such Policy", from_user="asmith", to_user="bwong")
    assert code == 1
    assert result["msg"].startswith("policy 'No Such Policy': no escalation policy has that name or slug; known escalation policies: ")
    assert HIGH_SEVERITY in result["msg"]
    assert emulator.writes() == []


def test_policy_info_reads_only_what_is_asked(run, emulator):
    code, result = run("victorops_policy_info", on_call=True, types=["timeouts"], paging_policy="jdoe")
    assert code == 0, result
    # jdoe's rules name contact methods, shown beside their ids: one read of them.
    assert result["api"]["operations"] == {"get_oncall_current": 1, "list_timeout_types": 1, "get_paging_policy": 1, "list_contact_methods": 1}
    (entry,) = [e for e in result["on_call"] if e["policy"] == HIGH_SEVERITY]
    assert entry["users"] == ["asmith"] and entry["team"]["slug"] == OPS
    assert result["paging_policy"]["username"] == "jdoe" and result["paging_policy"]["steps"][0]["step"] == 0
    assert all(isinstance(t["type"], int) for t in result["timeout_types"])


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(rate_limits={"get_paging_polcy": 3}), "rate_limits: 'get_paging_polcy' names no known operation; known operations: "),
        (dict(rate_limits={"get_paging_policy": 0}), "rate_limits['get_paging_policy'] must be a whole number"),
        (dict(api_key="kéy"), "api_key must be printable ASCII"),
        (dict(deadline=0), "deadline must be greater than 0"),
        (dict(team_policies="team;x"), "team_policies 'team;x' is not a valid slug"),
    ],
)
def test_bad_connection_and_identifier_options_fail_before_any_request(run, emulator, options, message):
    args = dict(dict(types=["timeouts"]), **options)
    code, result = run("victorops_policy_info", **args)
    assert code == 1
    assert message in result["msg"], result["msg"]
    assert "kéy" not in json.dumps(result)
    assert emulator.calls() == []


def test_rate_limits_accept_operation_names(run, emulator):
    code, result = run("victorops_policy_info", types=["timeouts"], rate_limits={"list_timeout_types": 30, "list_escalation_policies": 1})
    assert code == 0, result


@pytest.mark.parametrize(
    "value, problem",
    [
        ("victim;x", "it may only contain"),  # a servlet path parameter: ;x is dropped and victim addressed
        ("victim,x", "it may only contain"),
        ("a*b", "it may only contain"),
        ("a=b", "it may only contain"),
        ("a'b", "it may only contain"),
        ('a"b', "it may only contain"),
        ("jürgen", "it may only contain"),  # letters outside ASCII
        ("a/b", "it contains '/'"),  # would change the path
        ("a%2fb", "it contains '%'"),
        ("a?b", "it contains '?'"),
        ("a#b", "it contains '#'"),
        ("..", "it contains a dot path segment"),
        ("a b", "it contains whitespace"),
        ("a\u0007b", "it contains a control character"),  # (a NUL makes ansible-core 2.21 fail first, logging the arguments)
    ],
)
def test_every_class_of_character_outside_the_username_alphabet_is_refused(run, emulator, value, problem):
    code, result = run("victorops_user", username=value, first_name="A", last_name="B", email="a@example.com")
    assert code == 1
    assert result["msg"].startswith("username %r is not a valid username: %s" % (value, problem)), result["msg"]
    assert emulator.calls() == []


@pytest.mark.parametrize("value", ["jane.doe", "jane_doe", "jane-doe", "jane@example.com", "jane+oncall", "JaneDoe42"])
def test_the_characters_victorops_allows_in_usernames_are_accepted(run, emulator, value):
    code, result = run("victorops_user", check=True, username=value, first_name="A", last_name="B", email="a@example.com")
    assert code == 0, result


@pytest.mark.parametrize("value", ["team.x", "team@x", "team+x", "team;x", "team x"])
def test_slugs_take_letters_digits_dash_and_underscore_only(run, emulator, value):
    code, result = run("victorops_policy_info", team_policies=value)
    assert code == 1
    assert result["msg"].startswith("team_policies %r is not a valid slug: " % value), result["msg"]
    assert emulator.calls() == []


def test_failed_results_say_what_kind_of_failure_they_are(run, emulator):
    import socket

    with socket.socket() as probe:  # a port with nothing listening: the connection is refused
        probe.bind(("127.0.0.1", 0))
        closed = "http://127.0.0.1:%d" % probe.getsockname()[1]
    kinds = {
        "connection": run("victorops_policy_info", types=["timeouts"], api_url=closed)[1],
        "authentication": run("victorops_policy_info", types=["timeouts"], api_key="wrong-key")[1],
        "option": run("victorops_contact_method", username="nosuchuser", kind="email", value="x@example.com")[1],
        # The API refuses to delete the account's own email address.
        "refused": run("victorops_contact_method", username="cnguyen", kind="email", value="chloe.nguyen@example.com", state="absent")[1],
    }
    assert {kind: result.get("error") for kind, result in kinds.items()} == {kind: kind for kind in kinds}
    assert all(result["failed"] for result in kinds.values())
