# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The teams of an onboarding run (``user_onboarding_teams``): their checks before any call, and their tasks.

The teams' tasks run before the people, so that a person's ``teams`` may name a team created there.
"""

from __future__ import annotations

from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import TEAM_SLUG


def _team_entries(teams):
    return [team for team in teams or [] if isinstance(team, dict)]


def team_problems(teams, people):
    """Every problem of ``teams`` (``user_onboarding_teams``) that can be found before any call, each naming the entry.

    Names must be unique without regard to case (the API may not tell them apart). Purging the members of a team that
    people of this run join (listed among its members, or naming it in their ``teams``) is refused: the team's task runs
    before them, and leaves them to their own ``teams`` (their user may not exist yet).
    """
    problems, seen = [], {}
    by_username = {person.get("username"): person for person in people or [] if isinstance(person, dict)}
    for index, team in enumerate(_team_entries(teams)):
        where = "user_onboarding_teams[%d] (%s)" % (index, team.get("name"))
        name = team.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append("user_onboarding_teams[%d].name must not be empty" % index)
            continue
        if name.casefold() in seen:
            problems.append("%s: the team %r is given twice (also user_onboarding_teams[%d])" % (where, name, seen[name.casefold()]))
        seen.setdefault(name.casefold(), index)
        joining = _joining(team, by_username)
        if team.get("purge_members") and joining:
            problems.append(
                "%s: purge_members could remove %s, onboarded in this run (listed, or naming this team or a team by slug); purge in a later run"
                % (where, ", ".join(joining))
            )
    return problems


def _joining(team, by_username):
    """The people of this run who may join ``team``: listed among its members, or naming it in their ``teams``.

    A name is compared without regard to case (the team module matches so). A slug cannot be told apart from this
    team's before any call, so a person naming any team by slug counts too.
    """
    listed = team.get("members") or []
    name = str(team.get("name") or "").casefold()

    def names_it(person):
        return any(isinstance(given, str) and (given.casefold() == name or TEAM_SLUG.match(given)) for given in person.get("teams") or [])

    return [username for username, person in by_username.items() if username in listed or names_it(person)]


def team_tasks(teams, people):
    """The arguments of the ``victorops_team`` task of each team, run before the people.

    Members who are people of this run are left to their own ``teams`` (their user may not exist yet).
    """
    usernames = {person.get("username") for person in people or [] if isinstance(person, dict)}
    tasks = []
    for team in _team_entries(teams):
        members = [username for username in team.get("members") or [] if username not in usernames]
        tasks.append(dict(name=team["name"], members=members, purge_members=bool(team.get("purge_members")), replacement=team.get("replacement")))
    return tasks
