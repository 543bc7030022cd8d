"""Unit tests of the onboarding filters (plugins/filter/onboarding.py) and their logic (plugins/plugin_utils/_onboarding.py)."""

import copy
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.victorops.oncall.plugins.filter import cover, lifecycle, offboarding
from ansible_collections.victorops.oncall.plugins.filter import onboarding as filters
from ansible_collections.victorops.oncall.plugins.plugin_utils import _onboarding, _onboarding_cost

DEFAULTS = Path(__file__).resolve().parents[4] / "roles" / "user_onboarding" / "defaults" / "main.yml"
TEMPLATES = yaml.safe_load(DEFAULTS.read_text())["user_onboarding_templates"]

PAT = {
    "username": "pstone",
    "first_name": "Pat",
    "last_name": "Stone",
    "email": "pat.stone@example.com",
    "phone": "+15550109001",
    "phone_label": "Work mobile",
    "contact_methods": [{"type": "email", "value": "pat.alias@example.com", "label": "Alias"}, {"type": "phone", "value": "+15550109099"}],
    "teams": ["Operations", "team-Db4DemoTeamAb002"],
}
TEAMS = [{"name": "Operations", "slug": "team-Q2opsDemoTeam001"}, {"name": "Database", "slug": "team-Db4DemoTeamAb002"}]


def person(**changes):
    result = copy.deepcopy(PAT)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def problems_of(people):
    with pytest.raises(AnsibleFilterError) as caught:
        filters.onboarding_plan(people, TEMPLATES)
    message = str(caught.value)
    assert message.startswith("Invalid user_onboarding_people: ")
    return message[len("Invalid user_onboarding_people: ") :].split("; ")


# -- paging_steps -------------------------------------------------------------------------------


def test_the_default_template_with_the_persons_own_contacts():
    assert filters.paging_steps(person(), TEMPLATES) == [
        {"timeout": 5, "rules": [{"type": "push"}, {"type": "email", "contact": "pat.stone@example.com"}]},
        {"timeout": 5, "rules": [{"type": "sms", "contact": "+15550109001"}]},
        {"timeout": 10, "rules": [{"type": "phone", "contact": "+15550109001"}]},
    ]


def test_a_named_template_and_a_different_default():
    assert filters.paging_steps(person(paging_template="email_only"), TEMPLATES)[1] == {
        "timeout": 10,
        "rules": [{"type": "email", "contact": "pat.stone@example.com"}],
    }
    assert filters.paging_steps(person(), TEMPLATES, "phone_first")[0]["rules"] == [{"type": "push"}, {"type": "sms", "contact": "+15550109001"}]


def test_explicit_steps_labels_values_and_ids():
    steps = [
        {
            "timeout": "15",
            "rules": [
                {"type": "sms", "contact": "work MOBILE"},  # the phone's label, without regard to case
                {"type": "email", "contact": "Alias"},  # a contact method's label
                {"type": "phone", "contact": "+1 555 010 9099"},  # a contact method's value in another format
                {"type": "email", "contact": "Desk"},  # unknown here: left for the module to resolve
                {"type": "email", "contact_id": "42"},
            ],
        }
    ]
    assert filters.paging_steps(person(paging_steps=steps), TEMPLATES) == [
        {
            "timeout": 15,
            "rules": [
                {"type": "sms", "contact": "+15550109001"},
                {"type": "email", "contact": "pat.alias@example.com"},
                {"type": "phone", "contact": "+15550109099"},
                {"type": "email", "contact": "Desk"},
                {"type": "email", "contact_id": 42},
            ],
        }
    ]


def test_the_phone_label_default_names_the_phone():
    steps = [{"timeout": 5, "rules": [{"type": "sms", "contact": "Mobile"}]}]
    assert filters.paging_steps(person(phone_label=None, paging_steps=steps), TEMPLATES)[0]["rules"] == [{"type": "sms", "contact": "+15550109001"}]
    assert filters.paging_steps(person(phone_label=None, paging_steps=steps), TEMPLATES, phone_label="Cell")[0]["rules"] == [
        {"type": "sms", "contact": "Mobile"}
    ]


@pytest.mark.parametrize(
    "steps, message",
    [
        ([], "paging_steps is empty: give at least one step, or leave paging_steps out to use a template"),
        (
            [{"timeout": 7, "rules": [{"type": "push"}]}],
            "paging_steps[0].timeout: 7 is not one of the API's timeouts (1, 5, 10, 15, 20, 25, 30, 45, 60 minutes)",
        ),
        ([{"timeout": 5, "rules": []}], "paging_steps[0].rules: a step needs at least one rule"),
        ([{"timeout": 5}], "paging_steps[0].rules: a step needs at least one rule"),
        ([{"timeout": 5, "rules": [{"type": "fax"}]}], "paging_steps[0].rules[0].type: 'fax' is not one of push, email, sms, phone"),
        (
            [{"timeout": 5, "rules": [{"type": "push", "contact": "phone"}]}],
            "paging_steps[0].rules[0]: a push rule pages every device of the person and takes no contact or contact_id",
        ),
        ([{"timeout": 5, "rules": [{"type": "sms"}]}], "paging_steps[0].rules[0]: an sms rule needs a contact (a value, a label, or the placeholder phone)"),
        (
            [{"timeout": 5, "rules": [{"type": "sms", "contact": "phone", "contact_id": 3}]}],
            "paging_steps[0].rules[0]: give either contact or contact_id, not both",
        ),
        (
            [{"timeout": 5, "rules": [{"type": "email", "contact": "phone"}]}],
            "paging_steps[0].rules[0].contact: the placeholder 'phone' is the person's phone; an email rule needs a email",
        ),
        (
            [{"timeout": 5, "rules": [{"type": "push"}, {"type": "push"}]}],
            "paging_steps[0].rules[0] and paging_steps[0].rules[1] are the same rule (push): a step pages each contact once, remove one of them",
        ),
        (
            [{"timeout": 5, "rules": [{"type": "sms", "contact": "Work mobile"}, {"type": "sms", "contact": "+1 (555) 010-9001"}]}],
            "paging_steps[0].rules[0] and paging_steps[0].rules[1] are the same rule (sms to Work mobile): a step pages each contact once, remove one of them",
        ),
        (
            [{"timeout": 5, "rules": [{"type": "email", "contact": "email"}, {"type": "email", "contact": "PAT.STONE@example.com"}]}],
            "paging_steps[0].rules[0] and paging_steps[0].rules[1] are the same rule (email to email): a step pages each contact once, remove one of them",
        ),
        (
            [{"timeout": 5, "rules": [{"type": "email", "contact_id": 4}, {"type": "email", "contact_id": "4"}]}],
            "paging_steps[0].rules[0] and paging_steps[0].rules[1] are the same rule (email to 4): a step pages each contact once, remove one of them",
        ),
    ],
)
def test_bad_steps_are_refused_naming_the_step_and_rule(steps, message):
    with pytest.raises(AnsibleFilterError) as caught:
        filters.paging_steps(person(paging_steps=steps), TEMPLATES)
    assert str(caught.value) == "Invalid paging policy of pstone: " + message


def test_the_same_rule_in_two_steps_is_allowed():
    steps = [{"timeout": 5, "rules": [{"type": "push"}]}, {"timeout": 5, "rules": [{"type": "push"}]}]
    assert len(filters.paging_steps(person(paging_steps=steps), TEMPLATES)) == 2


def test_the_phone_placeholder_without_a_phone():
    with pytest.raises(AnsibleFilterError) as caught:
        filters.paging_steps(person(phone=None), TEMPLATES)
    assert "the paging policy (template standard) uses the placeholder phone, but the person has no phone" in str(caught.value)


def test_an_unknown_template():
    with pytest.raises(AnsibleFilterError) as caught:
        filters.paging_steps(person(paging_template="nope"), TEMPLATES)
    assert str(caught.value) == "Invalid paging policy of pstone: unknown paging template 'nope' (known templates: email_only, phone_first, standard)"


def test_a_broken_template_is_named():
    with pytest.raises(AnsibleFilterError) as caught:
        filters.paging_steps(person(paging_template="bad"), {"bad": [{"timeout": 3, "rules": [{"type": "push"}]}]})
    assert "template bad[0].timeout: 3 is not one of the API's timeouts" in str(caught.value)


def test_paging_steps_needs_a_person():
    with pytest.raises(AnsibleFilterError, match="expects a person"):
        filters.paging_steps(["pstone"], TEMPLATES)


# -- onboarding_plan ------------------------------------------------------------------------------


def test_a_plan_per_person():
    plans = filters.onboarding_plan(
        [person(), {"username": "eonly", "email": " emil.only@example.com ", "teams": ["database"], "paging_template": "email_only"}], TEMPLATES
    )
    assert plans[0]["contact_methods"] == [
        {"kind": "phone", "value": "+15550109001", "label": "Work mobile", "option": "phone"},
        {"kind": "email", "value": "pat.alias@example.com", "label": "Alias", "option": "contact_methods[0]"},
        {"kind": "phone", "value": "+15550109099", "label": None, "option": "contact_methods[1]"},
    ]
    assert plans[0]["teams_by_name"] == ["Operations"] and plans[0]["team_slugs"] is None
    assert plans[0]["policy_source"] == "template standard" and plans[0]["needs_contacts"] is True and plans[0]["error"] is None
    assert plans[1]["email"] == "emil.only@example.com"
    assert plans[1]["contact_methods"] == [] and plans[1]["teams_by_name"] == ["database"]


def test_only_slugs_need_no_team_list():
    plan = filters.onboarding_plan([person(teams=["team-Db4DemoTeamAb002"])], TEMPLATES)[0]
    assert plan["teams_by_name"] == [] and plan["team_slugs"] == ["team-Db4DemoTeamAb002"]


def test_a_person_without_a_phone_fails_alone():
    plans = filters.onboarding_plan([{"username": "nophone", "email": "no.phone@example.com"}, person()], TEMPLATES)
    assert plans[0]["error"] == (
        "nophone has no phone, but their paging policy (template standard) sends SMS or calls to their phone: "
        "give them a phone, or a policy without one such as the template email_only."
    )
    assert plans[1]["error"] is None


def test_usernames_that_differ_in_case_are_two_people():
    # On an API that tells them apart, pstone and PStone are two users: identity is exact.
    plans = filters.onboarding_plan([person(), person(username="PStone", email="p.stone@example.com", phone=None, contact_methods=None)], TEMPLATES)
    assert [plan["username"] for plan in plans] == ["pstone", "PStone"]


def test_push_only_steps_need_no_contacts():
    plan = filters.onboarding_plan([person(phone=None, contact_methods=None, paging_steps=[{"timeout": 5, "rules": [{"type": "push"}]}])], TEMPLATES)[0]
    assert plan["needs_contacts"] is False and plan["contact_methods"] == []


@pytest.mark.parametrize(
    "people, expected",
    [
        ([person(), person(username="pstone")], ["username pstone appears more than once (people 0 and 1)"]),
        ([person(username=None)], ["person 0: username is missing"]),
        ([person(username="victim;x")], ["victim;x: username 'victim;x' may only contain letters, digits, '.', '_', '-', '@' and '+'"]),
        ([person(email=None)], ["pstone: email is missing"]),
        ([person(email="pat")], ["pstone: email 'pat' is not an email address"]),
        (
            [person(phone="call me")],
            ["pstone: phone: 'call me' is not a phone number: give it in E.164 form, a + and 4 to 15 digits (for example +1 555 010 0100)"],
        ),
        (
            [person(phone="5550107011")],
            ["pstone: phone: '5550107011' has no country code: give the number in E.164 form, a + and the country code first (for example +1 555 010 0100)"],
        ),
        ([person(nickname="P")], ["pstone: unknown field nickname (known fields: %s)" % ", ".join(_onboarding.PERSON_FIELDS)]),
        (
            [person(paging_template="standard", paging_steps=[{"timeout": 5, "rules": [{"type": "push"}]}])],
            ["pstone: give either paging_template or paging_steps, not both"],
        ),
        ([person(paging_steps=[])], ["pstone: paging_steps is empty: give at least one step, or leave paging_steps out to use a template"]),
        ([person(contact_methods=[{"type": "fax", "value": "1"}])], ["pstone: contact_methods[0].type: 'fax' is not one of phone, email"]),
        ([person(contact_methods=[{"type": "email"}])], ["pstone: contact_methods[0].value: a email contact method needs a value"]),
        ([person(contact_methods=[{"type": "email", "value": "x"}])], ["pstone: contact_methods[0].value: 'x' is not an email address"]),
        (
            [person(contact_methods=[{"type": "phone", "value": "+1 (555) 010-9001"}])],
            ["pstone: phone and contact_methods[0].value are the same phone '+1 (555) 010-9001': list each contact method once"],
        ),
        (
            [person(contact_methods=[{"type": "email", "value": "Pat.Stone@example.com"}])],
            [
                (
                    "pstone: contact_methods[0].value: 'Pat.Stone@example.com' is the person's email, which VictorOps adds as a contact method itself: "
                    "remove it from contact_methods"
                )
            ],
        ),
        (
            [person(contact_methods=[{"type": "email", "value": "a@example.com", "label": " "}])],
            ["pstone: contact_methods[0].label must be a non-empty string when given"],
        ),
        ([person(contact_methods="a@example.com")], ["pstone: contact_methods: expected a list of {type, value, label}, got 'a@example.com'"]),
        ([person(teams=["Operations", "operations"])], ["pstone: teams[0] and teams[1] are the same team 'operations'"]),
        ([person(teams=[""])], ["pstone: teams[0]: expected a team name or slug, got ''"]),
        (
            [
                person(
                    contact_methods=[
                        {"type": "email", "value": "a@example.com", "label": "Alias"},
                        {"type": "email", "value": "b@example.com", "label": "alias"},
                    ],
                    paging_steps=[{"timeout": 5, "rules": [{"type": "email", "contact": "ALIAS"}]}],
                )
            ],
            [
                (
                    "pstone: paging_steps[0].rules[0].contact: the label 'ALIAS' names several of the person's email contact methods "
                    "(contact_methods[0], contact_methods[1]): give the value"
                )
            ],
        ),
        (["pstone"], ["person 0: expected a dictionary, got 'pstone'"]),
    ],
)
def test_input_problems(people, expected):
    assert problems_of(people) == expected


def test_every_problem_of_everyone_at_once():
    assert problems_of([person(email=None, paging_steps=[]), person(username="x", paging_template="nope")]) == [
        "pstone: email is missing",
        "pstone: paging_steps is empty: give at least one step, or leave paging_steps out to use a template",
        "x: unknown paging template 'nope' (known templates: email_only, phone_first, standard)",
    ]


def test_people_must_be_a_list():
    assert problems_of({"username": "pstone"}) == ["expected a list of people, got dict"]


# -- onboarding_teams -------------------------------------------------------------------------------


def test_team_names_become_slugs():
    plans = filters.onboarding_plan([person(teams=["operations", "team-Db4DemoTeamAb002"]), person(username="x", teams=[])], TEMPLATES)
    resolved = filters.onboarding_teams(plans, TEAMS)
    assert resolved[0]["team_slugs"] == ["team-Q2opsDemoTeam001", "team-Db4DemoTeamAb002"] and resolved[0]["error"] is None
    assert resolved[1]["team_slugs"] == []
    assert plans[0]["team_slugs"] is None  # the input is not changed


def test_an_unknown_team_fails_the_person():
    plans = filters.onboarding_plan([person(teams=["No Such Team"]), person(username="x", teams=["Database"])], TEMPLATES)
    resolved = filters.onboarding_teams(plans, TEAMS)
    assert resolved[0]["error"] == (
        "team 'No Such Team': no team has that name or slug; known teams: Operations (team-Q2opsDemoTeam001), Database (team-Db4DemoTeamAb002)"
    )
    assert resolved[1]["error"] is None and resolved[1]["team_slugs"] == ["team-Db4DemoTeamAb002"]


def test_an_ambiguous_name_and_a_name_for_a_slug_already_listed():
    teams = TEAMS + [{"name": "operations", "slug": "team-Q2opsDemoTeam009"}]
    plan = filters.onboarding_plan([person(teams=["OPERATIONS"])], TEMPLATES)
    assert (
        "team 'OPERATIONS' is ambiguous: it names the teams team-Q2opsDemoTeam001, team-Q2opsDemoTeam009" in filters.onboarding_teams(plan, teams)[0]["error"]
    )
    plan = filters.onboarding_plan([person(teams=["team-Db4DemoTeamAb002", "Database"])], TEMPLATES)
    assert filters.onboarding_teams(plan, TEAMS)[0]["error"] == "team 'Database' is the team team-Db4DemoTeamAb002, which is listed already"


# -- onboarding_estimate -----------------------------------------------------------------------------


def fifty_people():
    return [{"username": "u%d" % i, "email": "u%d@example.com" % i, "phone": "+1555010%04d" % i, "teams": ["Operations"]} for i in range(50)]


def test_fifty_people_take_about_six_minutes_at_the_2018_limits():
    estimate = _onboarding_cost.estimate(filters.onboarding_plan(fifty_people(), TEMPLATES), 60, lanes=1, cores=2)
    # standard template: 3 steps, so 2 create_step per new person: 100 calls at 15 a minute set the pace.
    assert estimate["calls"] == {
        "get_user": 50,
        "create_user": 50,
        "list_contact_methods": 50,
        "add_phone": 50,
        "list_team_members": 50,
        "add_team_member": 50,
        "get_paging_policy": 50,
        "update_step": 50,
        "create_step": 100,
        "list_teams": 1,
    }
    # One after another, Ansible's own time (4 module tasks of 0.4 s and 0.3 s more a person: 95 s) is longer than
    # the 2ps floor, so it is the 2ps line; the 2020 and 2018 floors are longer still.
    assert estimate["task_seconds"] == 95.0
    assert estimate["seconds"] == {"2018": 360.0, "2020": 120.0, "2ps": 95.0}
    assert estimate["message"] == (
        "Onboarding 50 people (1 at once) makes at most 501 API calls (201 if nothing changes): about 2 min at the current "
        "documented limits (2 requests a second per operation), 6 min if the API enforces the 2018 limits (15 a minute per operation)."
    )


def test_lanes_share_the_cores_and_the_rate_limits_still_bound_the_run():
    plans = filters.onboarding_plan(fifty_people(), TEMPLATES)
    # The first person alone (1.9 s), then four lanes of 12 or 13 people on two cores: their 93.1 s of tasks take
    # half that, more than the longest lane (24.7 s).
    four = _onboarding_cost.estimate(plans, 60, lanes=4, cores=2)
    assert four["task_seconds"] == pytest.approx(48.45, abs=0.06)  # 48.45 s, rounded to a tenth either way by float error
    assert four["seconds"]["2020"] == 120.0 and four["seconds"]["2018"] == 360.0
    assert 48.4 <= four["seconds"]["2ps"] < 95.0
    # On eight cores the longest lane sets Ansible's own time.
    assert _onboarding_cost.estimate(plans, 60, lanes=4, cores=8)["task_seconds"] == 26.6
    assert "(4 at once)" in filters.onboarding_estimate(plans, 60, 4)["message"]


def test_a_stricter_table_is_never_shown_shorter_than_a_faster_one():
    # Three people fit in the first minute of every per-minute table (floor 0 s), but their tasks still take time.
    for people in (1, 3, 50):
        for lanes in (1, 4):
            estimate = _onboarding_cost.estimate(filters.onboarding_plan(fifty_people()[:people], TEMPLATES), 60, lanes=lanes, cores=2)
            seconds = estimate["seconds"]
            assert estimate["task_seconds"] > 0
            assert seconds["2ps"] >= estimate["task_seconds"]
            assert seconds["2ps"] <= seconds["2020"] <= seconds["2018"], (people, lanes, estimate)
    three = _onboarding_cost.estimate(filters.onboarding_plan(fifty_people()[:3], TEMPLATES), 60, lanes=1, cores=2)
    assert three["seconds"] == {"2ps": 5.7, "2020": 5.7, "2018": 5.7}


def test_the_estimate_follows_the_rate_window():
    estimate = filters.onboarding_estimate(filters.onboarding_plan(fifty_people(), TEMPLATES), "1.0")
    # The 2018 floor is 6 s with a one-second window; Ansible's own time does not shrink with it.
    assert estimate["seconds"]["2018"] == estimate["task_seconds"] == 95.0


def test_the_calls_of_a_person_without_contacts_or_teams():
    plan = filters.onboarding_plan(
        [person(phone=None, contact_methods=None, teams=None, paging_steps=[{"timeout": 5, "rules": [{"type": "push"}]}])], TEMPLATES
    )[0]
    assert _onboarding_cost.person_calls(plan) == {"get_user": 1, "create_user": 1, "get_paging_policy": 1, "update_step": 1}
    assert _onboarding_cost.person_calls(plan, new=False) == {"get_user": 1, "get_paging_policy": 1}


def test_nobody_to_onboard():
    assert filters.onboarding_estimate([])["message"] == "Nobody to onboard."


def test_a_bad_rate_window_or_lane_count():
    with pytest.raises(AnsibleFilterError, match="rate_window must be a number"):
        filters.onboarding_estimate([], "soon")
    with pytest.raises(AnsibleFilterError, match="lanes must be a whole number"):
        filters.onboarding_estimate([], 60, "many")


# -- onboarding_outcome, and the shared lifecycle_stop_reason and lifecycle_report_lines ---------------------------


def plan_of(**changes):
    return filters.onboarding_teams(filters.onboarding_plan([person(**changes)], TEMPLATES), TEAMS)[0]


CHANGED = {"changed": True}
SAME = {"changed": False}


def test_outcome_of_a_new_person_says_no_number():
    results = {"user": {"changed": True, "created": True}, "contacts": [CHANGED, CHANGED, SAME], "teams": {"results": [CHANGED, SAME]}, "policy": CHANGED}
    entry = filters.onboarding_outcome(plan_of(), results)
    assert entry == {
        "username": "pstone",
        "status": "changed",
        "failed": None,
        "changed": ["user created", "phone added", "email added (Alias)", "joined team Operations", "paging policy set"],
        "not_done": [],
        "error": None,
        "notes": [],
    }


def test_outcome_in_check_mode_says_would():
    results = {"user": {"changed": True, "created": True}, "contacts": [], "teams": {"results": [CHANGED, CHANGED]}, "policy": {"skipped": True}}
    entry = filters.onboarding_outcome(plan_of(), results, True, user_pending=True)
    assert entry["status"] == "would change"
    assert entry["changed"] == [
        "would create user",
        "would add phone",
        "would add email (Alias)",
        "would add phone",
        "would join team Operations",
        "would join team team-Db4DemoTeamAb002",
        "would set paging policy",
    ]
    entry = filters.onboarding_outcome(plan_of(), {"user": {"changed": True, "created": False}, "contacts": [CHANGED]}, True, policy_pending=True)
    assert entry["changed"] == ["would update user", "would add phone", "would set paging policy"]


def test_outcome_of_no_change_and_of_a_failure():
    assert filters.onboarding_outcome(plan_of(), {"user": SAME, "contacts": [SAME], "teams": {"results": [SAME]}, "policy": SAME}) == {
        "username": "pstone",
        "status": "no change",
        "changed": [],
        "not_done": [],
        "failed": None,
        "error": None,
        "notes": [],
    }
    failure = {
        "task": "Add the team memberships of pstone",
        "result": {"failed": True, "msg": "One or more items failed", "results": [CHANGED, {"failed": True, "msg": "refused", "error": "refused"}]},
    }
    entry = filters.onboarding_outcome(plan_of(), {"user": {"changed": True, "created": True}, "teams": {"results": [CHANGED]}}, False, failure)
    assert entry == {
        "username": "pstone",
        "status": "failed",
        "changed": ["user created", "joined team Operations"],
        # The failed team, and what comes after it; the contact methods, whose tasks never ran.
        "not_done": ["add phone", "add email (Alias)", "add phone", "join team team-Db4DemoTeamAb002", "set the paging policy"],
        "failed": "Add the team memberships of pstone: refused",
        "error": "refused",
        "notes": [],
    }
    assert filters.onboarding_outcome(plan_of(), not_attempted="the API is down") == {
        "username": "pstone",
        "status": "not attempted",
        "changed": [],
        "not_done": [
            "create or update the user",
            "add phone",
            "add email (Alias)",
            "add phone",
            "join team Operations",
            "join team team-Db4DemoTeamAb002",
            "set the paging policy",
        ],
        "failed": "the API is down",
        "error": None,
        "notes": [],
    }


def test_preview_of_a_new_person_names_their_contact_methods_teams_and_steps():
    plan = plan_of(
        paging_steps=[
            {"timeout": 1, "rules": [{"type": "push"}, {"type": "sms", "contact": "phone"}, {"type": "email", "contact": "Alias"}]},
            {"timeout": 15, "rules": [{"type": "phone", "contact": "+15550109099"}, {"type": "email", "contact": "email"}]},
        ]
    )

    preview = filters.onboarding_preview(plan)

    assert preview["changes"] == [
        "would add phone +15550109001 (Work mobile)",
        "would add email pat.alias@example.com (Alias)",
        # A contact method without a label gets the one victorops_contact_method gives it.
        "would add phone +15550109099 (Phone)",
        "would join team Operations",
        "would join team team-Db4DemoTeamAb002",
        (
            "would set the paging policy: step 1: push, sms +15550109001, email pat.alias@example.com, then wait 1 min;"
            " step 2: phone +15550109099, email pat.stone@example.com, then wait 15 min"
        ),
    ]
    assert preview["before"] == {}
    after = preview["after"]
    assert after["username"] == "pstone"
    assert after["contact_methods"] == [
        {"kind": "phone", "value": "+15550109001", "label": "Work mobile"},
        {"kind": "email", "value": "pat.alias@example.com", "label": "Alias"},
        {"kind": "phone", "value": "+15550109099", "label": "Phone"},
    ]
    assert after["teams"] == ["team-Q2opsDemoTeam001", "team-Db4DemoTeamAb002"]
    # The steps in the shape of every paging policy diff; no contact method has an id yet.
    assert after["paging_policy"] == {
        "username": "pstone",
        "steps": [
            {
                "step": 0,
                "timeout": 1,
                "rules": [
                    {"rule": 0, "type": "push", "contact_id": None, "contact": None},
                    {"rule": 1, "type": "sms", "contact_id": None, "contact": {"kind": "phone", "value": "+15550109001", "label": "Work mobile"}},
                    {"rule": 2, "type": "email", "contact_id": None, "contact": {"kind": "email", "value": "pat.alias@example.com", "label": "Alias"}},
                ],
            },
            {
                "step": 1,
                "timeout": 15,
                "rules": [
                    {"rule": 0, "type": "phone", "contact_id": None, "contact": {"kind": "phone", "value": "+15550109099", "label": "Phone"}},
                    # The account email, which VictorOps adds with the user under a label of its own.
                    {"rule": 1, "type": "email", "contact_id": None, "contact": {"kind": "email", "value": "pat.stone@example.com", "label": None}},
                ],
            },
        ],
    }


def test_preview_of_a_template_a_contact_id_and_no_contacts_or_teams():
    plan = plan_of(phone=None, contact_methods=None, teams=None, paging_template="email_only")
    assert filters.onboarding_preview(plan)["changes"] == [
        "would set the paging policy: step 1: push, email pat.stone@example.com, then wait 10 min; step 2: email pat.stone@example.com, then wait 10 min"
    ]
    plan = plan_of(contact_methods=None, teams=None, paging_steps=[{"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact_id": 100006}]}])
    preview = filters.onboarding_preview(plan)
    assert preview["changes"] == [
        "would add phone +15550109001 (Work mobile)",
        "would set the paging policy: step 1: push, sms to contact method 100006, then wait 5 min",
    ]
    assert preview["after"]["paging_policy"]["steps"][0]["rules"][1] == {"rule": 1, "type": "sms", "contact_id": 100006, "contact": None}
    assert preview["after"]["teams"] == []


def test_the_preview_in_the_lifecycle_guide_is_what_the_filter_says():
    guide = (DEFAULTS.parents[3] / "docs" / "lifecycle.md").read_text()
    people = yaml.safe_load(guide.split("# people.yml\n", 1)[1].split("```", 1)[0])["user_onboarding_people"]
    shown = guide.split('"Show what would be set up for mgarcia"', 1)[1].split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    plan = filters.onboarding_teams(filters.onboarding_plan(people, TEMPLATES), TEAMS)[0]
    assert filters.onboarding_preview(plan)["changes"] == shown


@pytest.mark.parametrize("plan", [None, "pstone", {"username": "pstone"}])
def test_preview_needs_a_plan(plan):
    with pytest.raises(AnsibleFilterError, match="onboarding_preview expects one plan from victorops.oncall.onboarding_plan"):
        filters.onboarding_preview(plan)


@pytest.mark.parametrize(
    "result, stops",
    [
        ({"msg": "GET http://127.0.0.1:9/api-public/v1/user/x: connection failed, request not sent (refused)", "error": "connection"}, True),
        ({"msg": "GET https://api.victorops.con/...: the host name does not resolve", "error": "connection"}, True),
        ({"msg": "GET .../user/x: authentication failed (HTTP 401); check api_id/api_key; not retried", "status": 401, "error": "authentication"}, True),
        ({"msg": "PUT .../user/x: refused (HTTP 403): This API key is read-only", "status": 403, "error": "authentication"}, True),
        ({"msg": "Invalid connection options: api_key is missing: set api_key or VICTOROPS_API_KEY", "error": "option"}, True),
        ({"msg": "POST .../user: the deadline of 30 s was reached before the request could be sent", "error": "deadline"}, True),
        ({"msg": "POST .../user: request refused by the API (HTTP 400): email taken", "status": 400, "error": "refused"}, False),
        ({"msg": "team 'x': no team has that name or slug", "error": "option"}, False),
        ({"msg": "POST .../user: still rate limited", "status": 429, "error": "throttled"}, False),
        ({"msg": "POST .../user: may or may not have been applied; re-run to converge", "error": "uncertain"}, False),
        # A message that merely sounds like a connection failure does not stop the run: the kind decides.
        ({"msg": "contact 'connection failed' timed out in the deadline", "error": "option"}, False),
        ({"msg": "One or more items failed", "results": [{"failed": True, "msg": "connection failed, request not sent", "error": "connection"}]}, True),
    ],
)
def test_what_stops_the_run(result, stops):
    reason = lifecycle.lifecycle_stop_reason({"task": "t", "result": dict(result, failed=True)}, "pstone")
    assert reason.startswith("pstone failed: ") is stops
    assert bool(reason) is stops


def test_report_lines():
    report = [
        {"username": "a", "status": "changed", "changed": ["user created"], "failed": None},
        {"username": "b", "status": "would change", "changed": ["would add phone"], "failed": None, "notes": ["b matched B"]},
        {"username": "c", "status": "no change", "changed": [], "failed": None},
        {"username": "d", "status": "failed", "changed": ["user created"], "not_done": ["set the paging policy"], "failed": "Add x: refused"},
        {"username": "e", "status": "not attempted", "changed": [], "failed": "d failed: connection failed"},
        {"username": "f", "status": "no change", "changed": [], "failed": None, "found": False},
    ]
    assert lifecycle.lifecycle_report_lines(report) == [
        "a: changed: user created",
        "b: would change: would add phone (note: b matched B)",
        "c: no change",
        "d: FAILED: Add x: refused (done before the failure: user created) (not done: set the paging policy)",
        "e: NOT ATTEMPTED: d failed: connection failed",
        "f: no change (not a VictorOps user)",
    ]


def test_every_filter_is_registered_and_documented():
    assert sorted(filters.FilterModule().filters()) == sorted(
        [
            "paging_steps",
            "onboarding_plan",
            "onboarding_problems",
            "onboarding_teams",
            "onboarding_team_problems",
            "onboarding_team_tasks",
            "onboarding_estimate",
            "onboarding_outcome",
            "onboarding_preview",
        ]
    )
    registered = [name for module in (filters, offboarding, lifecycle, cover) for name in module.FilterModule().filters()]
    docs = sorted(path.stem for path in (Path(filters.__file__).parent).glob("*.yml"))
    assert docs == sorted(registered)
