"""The teams of the onboarding role and of the export (plugin_utils/_onboarding.py, _export.py, behind their filters)."""

from ansible_collections.victorops.oncall.plugins.filter import lifecycle, onboarding

PEOPLE = [{"username": "mgarcia", "teams": ["Platform"]}, {"username": "pstone", "teams": ["team-Q2opsDemoTeam001"]}]


def test_team_tasks_leave_people_of_the_run_to_their_own_teams():
    teams = [
        {"name": "Platform", "members": ["bwong", "mgarcia", "pstone"]},
        {"name": "Storage", "members": ["jdoe"], "purge_members": True, "replacement": "asmith"},
        {"name": "Empty"},
    ]
    assert onboarding.onboarding_team_tasks(teams, PEOPLE) == [
        {"name": "Platform", "members": ["bwong"], "purge_members": False, "replacement": None},
        {"name": "Storage", "members": ["jdoe"], "purge_members": True, "replacement": "asmith"},
        {"name": "Empty", "members": [], "purge_members": False, "replacement": None},
    ]
    assert onboarding.onboarding_team_tasks([], None) == []


def test_team_problems():
    assert onboarding.onboarding_team_problems([{"name": "Platform"}, {"name": "Storage", "purge_members": True}], PEOPLE[:1]) == []
    # pstone names a team by slug, which may be Storage's: its purge could remove her, so it waits for a later run.
    assert onboarding.onboarding_team_problems([{"name": "Storage", "purge_members": True}], PEOPLE) == [
        (
            "user_onboarding_teams[0] (Storage): purge_members could remove pstone, onboarded in this run (listed, or naming this team "
            "or a team by slug); purge in a later run"
        )
    ]
    # A person naming the team in another case joins it all the same.
    assert onboarding.onboarding_team_problems([{"name": "platform", "purge_members": True}], PEOPLE[:1]) == [
        (
            "user_onboarding_teams[0] (platform): purge_members could remove mgarcia, onboarded in this run (listed, or naming this team "
            "or a team by slug); purge in a later run"
        )
    ]
    assert onboarding.onboarding_team_problems(
        [
            {"name": "Platform", "purge_members": True},
            {"name": "PLATFORM"},
            {"name": " "},
            {"name": "Ops", "members": ["pstone"], "purge_members": True},
        ],
        PEOPLE,
    ) == [
        (
            "user_onboarding_teams[0] (Platform): purge_members could remove mgarcia, pstone, onboarded in this run (listed, or naming this "
            "team or a team by slug); purge in a later run"
        ),
        "user_onboarding_teams[1] (PLATFORM): the team 'PLATFORM' is given twice (also user_onboarding_teams[0])",
        "user_onboarding_teams[2].name must not be empty",
        (
            "user_onboarding_teams[3] (Ops): purge_members could remove pstone, onboarded in this run (listed, or naming this team or a "
            "team by slug); purge in a later run"
        ),
    ]


def test_export_teams_every_team_with_the_exported_members():
    teams = [{"name": "Operations", "slug": "team-a"}, {"name": "Database", "slug": "team-b"}, {"name": "Empty", "slug": "team-c"}]
    users = [
        {"username": "jdoe", "teams": [{"name": "Operations", "slug": "team-a"}]},
        {"username": "asmith", "teams": [{"name": "Operations", "slug": "team-a"}, {"name": "Database", "slug": "team-b"}]},
    ]
    assert lifecycle.export_teams(teams, users) == [
        {"name": "Operations", "members": ["jdoe", "asmith"], "purge_members": False},
        {"name": "Database", "members": ["asmith"], "purge_members": False},
        {"name": "Empty", "members": [], "purge_members": False},
    ]
    # Some users only: their teams only.
    assert lifecycle.export_teams(teams, users[:1], every_user=False) == [{"name": "Operations", "members": ["jdoe"], "purge_members": False}]


def test_a_team_that_check_mode_would_create_stays_a_name_and_the_person_would_join_it():
    plans = onboarding.onboarding_plan(
        [dict(username="mgarcia", first_name="M", last_name="G", email="m@example.com", teams=["platform", "Ops"])],
        {"s": [{"timeout": 5, "rules": [{"type": "push"}]}]},
        "s",
    )
    (plan,) = onboarding.onboarding_teams(plans, [{"name": "Ops", "slug": "team-Q2opsDemoTeam001"}], ["Platform"])
    assert plan["team_slugs"] == ["platform", "team-Q2opsDemoTeam001"] and plan["teams_pending"] == ["platform"] and plan.get("error") is None
    results = {"user": {"changed": True, "created": True}, "teams": {"results": [{"skipped": True}, {"changed": False}]}}
    entry = onboarding.onboarding_outcome(plan, results, check_mode=True)
    assert "would join team platform" in entry["changed"] and "would join team Ops" not in entry["changed"]
    # Without the pending name, the unknown team fails the person before any write.
    (plan,) = onboarding.onboarding_teams(plans, [{"name": "Ops", "slug": "team-Q2opsDemoTeam001"}])
    assert plan["teams_pending"] == [] and plan["error"].startswith("team 'platform': no team has that name or slug")
