"""The pure team planner: which team a task names, rename conflicts, the members to add and remove."""

import pytest

from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError
from ansible_collections.victorops.oncall.plugins.module_utils._team import find_team, plan_members, removal_problem, rename_problem, unique

A = dict(name="Ops", slug="team-aaaaaaaaaaaaaaaa")
B = dict(name="ops", slug="team-bbbbbbbbbbbbbbbb")
C = dict(name="Database", slug="team-cccccccccccccccc")


def test_exact_name_wins_over_case():
    assert find_team([A, B, C], "ops", None) == (B, None)
    assert find_team([A, B, C], "Ops", None) == (A, None)


def test_case_alone_matches_one_team_with_a_note():
    team, note = find_team([A, C], "OPS", None)
    assert team is A and note == "name 'OPS' matched the team 'Ops' (team-aaaaaaaaaaaaaaaa), whose name differs only in case; it is not renamed"


def test_ambiguous_names_name_the_slugs():
    with pytest.raises(OptionError, match=r"name 'OPS' is ambiguous: it matches in case alone the teams team-aaaaaaaaaaaaaaaa, team-bbbbbbbbbbbbbbbb"):
        find_team([A, B], "OPS", None)
    twin = dict(A, slug="team-zzzzzzzzzzzzzzzz")
    with pytest.raises(OptionError, match=r"it matches exactly the teams team-aaaaaaaaaaaaaaaa, team-zzzzzzzzzzzzzzzz"):
        find_team([A, twin, B], "Ops", None)


def test_a_slug_names_its_team_alone():
    assert find_team([A, B], "Database", "team-bbbbbbbbbbbbbbbb") == (B, None)
    assert find_team([A, B], "Ops", "team-nonenonenonenone") == (None, None)
    assert find_team([A, B], "Nothing", None) == (None, None)


def test_rename_problem_only_for_another_team_with_the_exact_name():
    assert (
        rename_problem([A, B, C], C["slug"], "Ops")
        == "name 'Ops' is already the name of team team-aaaaaaaaaaaaaaaa: the team team-cccccccccccccccc is not renamed"
    )
    assert rename_problem([A, B, C], C["slug"], "OPS") is None
    assert rename_problem([A, B, C], A["slug"], "Ops") is None


def test_plan_members():
    assert plan_members(["a", "b"], None, True, {}) == ([], [], ["a", "b"])
    assert plan_members(["a", "b"], ["c", "a"], False, {}) == (["c"], [], ["a", "b", "c"])
    assert plan_members(["a", "b"], ["c", "a"], True, {}) == (["c"], ["b"], ["a", "c"])
    assert plan_members(["a", "Bee"], ["bee"], True, {"bee": "Bee"}) == ([], ["a"], ["Bee"])
    assert plan_members(["a"], [], True, {}) == ([], ["a"], [])


def test_removal_problem():
    assert removal_problem([], None) is None
    assert removal_problem(["a"], "z") is None
    assert removal_problem(["a", "b"], None).startswith("replacement is required to remove the members a, b")
    assert removal_problem(["a", "b"], "B") == "replacement 'B' is one of the members to remove (a, b): name a user who stays"


def test_unique():
    assert unique(None) is None
    assert unique(["b", "a", "b"]) == ["b", "a"]
