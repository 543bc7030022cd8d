# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Teams as code, pure (no I/O): which team a task names, and what its members become.

Team names are compared exactly first. Whether the API tells names apart by case is unknown, so a name that matches
no team exactly may name the one team whose name differs in case alone: on either kind of API the task then finds
the same team instead of creating a second one. Two teams that a name matches equally are an error naming their slugs.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError


def _ambiguous(option: str, given: str, teams: list[dict[str, Any]], how: str) -> OptionError:
    return OptionError(
        "%s %r is ambiguous: it matches %s the teams %s; give the slug instead" % (option, given, how, ", ".join(sorted(t["slug"] for t in teams)))
    )


def find_team(teams: list[dict[str, Any]], name: str | None, slug: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """``(team, note)``: the team of ``teams`` (``[{name, slug}]``) that the task names, or ``(None, None)``.

    A slug names its team alone (the name is then the name to give it). A name matches exactly, else in case alone;
    ``note`` says when the match differs in case.
    """
    if slug:
        return next((team for team in teams if team["slug"] == slug), None), None
    if name is None:  # the module requires one of name and slug
        raise ValueError("find_team needs a name or a slug")
    exact = [team for team in teams if team["name"] == name]
    if len(exact) > 1:
        raise _ambiguous("name", name, exact, "exactly")
    if exact:
        return exact[0], None
    folded = [team for team in teams if (team["name"] or "").casefold() == name.casefold()]
    if len(folded) > 1:
        raise _ambiguous("name", name, folded, "in case alone")
    if folded:
        team = folded[0]
        return team, "name %r matched the team %r (%s), whose name differs only in case; it is not renamed" % (name, team["name"], team["slug"])
    return None, None


def rename_problem(teams: list[dict[str, Any]], slug: str, name: str) -> str | None:
    """Why the team ``slug`` cannot take the name ``name`` (another team has it exactly), else None."""
    others = sorted(team["slug"] for team in teams if team["slug"] != slug and team["name"] == name)
    if others:
        return "name %r is already the name of team %s: the team %s is not renamed" % (name, ", ".join(others), slug)
    return None


def unique(usernames: list[str] | None) -> list[str] | None:
    """``usernames`` without repeats, in their first order (None stays None: membership is not managed)."""
    if usernames is None:
        return None
    seen: list[str] = []
    for username in usernames:
        if username not in seen:
            seen.append(username)
    return seen


def plan_members(current: list[str], wanted: list[str] | None, purge: bool, stand_ins: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """``(add, remove, after)``: the members to add, to remove, and the members once done.

    ``stand_ins`` maps a wanted username to the current member who is that user in another case (the API said so).
    Members that ``wanted`` does not list are removed only when ``purge``; ``wanted`` None leaves the members alone.
    """
    if wanted is None:
        return [], [], list(current)
    kept = {stand_ins.get(username, username) for username in wanted}
    add = [username for username in wanted if username not in current and username not in stand_ins]
    remove = [member for member in current if member not in kept] if purge else []
    after = [member for member in current if member not in remove] + add
    return add, remove, after


def removal_problem(remove: list[str], replacement: str | None) -> str | None:
    """Why the members ``remove`` cannot be removed with ``replacement``, else None (checked before any write)."""
    if not remove:
        return None
    if not replacement:
        why = "the API asks for the user who takes over what a removed member held in the team"
        return "replacement is required to remove the members %s: %s" % (", ".join(remove), why)
    if replacement.casefold() in {member.casefold() for member in remove}:
        return "replacement %r is one of the members to remove (%s): name a user who stays" % (replacement, ", ".join(remove))
    return None
