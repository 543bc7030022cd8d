# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Team create, rename and remove in the emulator, and the two variants about teams: case-insensitive-teams and
team-delete-with-members. Each variant test also shows the default."""

import re

import pytest

OPS = "team-Q2opsDemoTeam001"
DB = "team-Db4DemoTeamAb002"
SLUG = re.compile(r"^team-[A-Za-z0-9_]{16}$")


@pytest.fixture
def variant(make_emulator):
    def start(*names):
        return make_emulator(variants=names, limits="off")

    return start


def test_create_chooses_the_slug_and_the_team_is_listed_empty(emu, api):
    created = api.json("POST", "/team", {"name": "Platform"})
    assert SLUG.match(created["slug"]) and created["name"] == "Platform" and created["memberCount"] == 0
    assert emu.state["teams"][created["slug"]]["members"] == []
    assert {"name": "Platform", "slug": created["slug"]}.items() <= next(t for t in api.json("GET", "/team") if t["slug"] == created["slug"]).items()
    second = api.json("POST", "/team", {"name": "Platform 2"})
    assert second["slug"] != created["slug"]


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 3}, []])
def test_create_needs_a_name(emu, api, body):
    assert api("POST", "/team", body).status_code == 400
    assert len(emu.state["teams"]) == 2


def test_a_taken_name_is_refused_exactly_by_default(emu, api):
    response = api("POST", "/team", {"name": "Operations"})
    assert response.status_code == 422 and "unavailable" in response.json()["error"]
    assert api("POST", "/team", {"name": "operations"}).status_code == 200  # another case is another name by default
    assert api("PUT", "/team/" + DB, {"name": "Operations"}).status_code == 422
    assert emu.state["teams"][DB]["name"] == "Database"


def test_rename_keeps_the_slug_and_members(emu, api):
    renamed = api.json("PUT", "/team/" + DB, {"name": "Databases"})
    assert renamed["slug"] == DB and renamed["name"] == "Databases"
    assert emu.state["teams"][DB]["members"] == ["asmith", "cnguyen"] and emu.state["teams"][DB]["version"] == 2
    assert api.json("PUT", "/team/" + DB, {"name": "DATABASES"})["name"] == "DATABASES"  # its own name in another case
    assert api("PUT", "/team/team-NoSuchTeam000000", {"name": "X"}).status_code == 404


def test_delete_is_refused_while_members_or_policies_remain(emu, api):
    response = api("DELETE", "/team/" + OPS)
    assert response.status_code == 422 and "escalation policies" in response.json()["error"]
    slug = api.json("POST", "/team", {"name": "Platform"})["slug"]
    api.json("POST", "/team/%s/members" % slug, {"username": "bwong"})
    response = api("DELETE", "/team/" + slug)
    assert response.status_code == 422 and "still has members" in response.json()["error"]
    assert slug in emu.state["teams"]
    api.json("DELETE", "/team/%s/members/bwong" % slug, {"replacement": "jdoe"})
    api.json("DELETE", "/team/" + slug)
    assert slug not in emu.state["teams"] and OPS in emu.state["teams"]
    assert api("DELETE", "/team/" + slug).status_code == 404


def test_team_delete_with_members_variant(variant):
    emulator, api = variant("team-delete-with-members")
    slug = api.json("POST", "/team", {"name": "Platform"})["slug"]
    api.json("POST", "/team/%s/members" % slug, {"username": "bwong"})
    api.json("DELETE", "/team/" + slug)
    assert slug not in emulator.state["teams"]
    assert api("DELETE", "/team/" + OPS).status_code == 422  # policies still refuse it


def test_case_insensitive_teams_variant(variant):
    emulator, api = variant("case-insensitive-teams")
    response = api("POST", "/team", {"name": "OPERATIONS"})
    assert response.status_code == 422 and "unavailable" in response.json()["error"]
    assert api("PUT", "/team/" + DB, {"name": "operations"}).status_code == 422
    assert api.json("PUT", "/team/" + OPS, {"name": "OPERATIONS"})["name"] == "OPERATIONS"
    assert sorted(t["name"] for t in emulator.state["teams"].values()) == ["Database", "OPERATIONS"]


def test_error_200_answers_a_taken_team_name_with_200(variant):
    emulator, api = variant("error-200")
    response = api("POST", "/team", {"name": "Operations"})
    assert response.status_code == 200 and "unavailable" in response.json()["error"]
    assert len(emulator.state["teams"]) == 2
