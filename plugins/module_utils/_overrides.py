# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Scheduled overrides: an absence, covered per escalation policy.

One function per override operation (built on ``_api.call``), the normaliser of a ``ScheduledOverride`` to the
collection's shape, and the pure planner of assignment writes.

Normalised override: ``{id, username, start, end, timezone, assignments: [{policy, policy_name, team, replacement}]}``,
instants as UTC text (``_vocabulary.instant_text``), assignments sorted by policy slug, ``replacement`` None when
nobody covers the policy.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.victorops.oncall.plugins.module_utils._api import call, describe, get_user
from ansible_collections.victorops.oncall.plugins.module_utils._errors import NotFoundError, OptionError, UnexpectedResponseError, ValidationError
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import expect_dict, expect_list
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import instant_text, name_matches, parse_instant

# -- the normaliser ---------------------------------------------------------------------------------


def _slug_and_name(value: Any) -> tuple[str | None, str | None]:
    """A policy or team as the API gives it: a slug, or ``{slug, name}``."""
    if isinstance(value, dict):
        return value.get("slug"), value.get("name")
    return (value if isinstance(value, str) else None), None


def _username(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("username")
    return value if isinstance(value, str) and value else None


def _instant(value: Any, what: str, key: str) -> str:
    try:
        return instant_text(parse_instant(value))
    except ValueError as exc:
        raise UnexpectedResponseError(what, "the override's %s: %s" % (key, exc)) from None


def _assignment(item: Any, what: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise UnexpectedResponseError(what, "an assignment is not an object")
    policy, policy_name = _slug_and_name(item.get("policy"))
    if not policy:
        raise UnexpectedResponseError(what, "an assignment has no policy")
    team, _team_name = _slug_and_name(item.get("team"))
    replacement = _username(item.get("user"))
    # ``assigned: false`` is the API's word for nobody, whatever ``user`` still holds.
    if item.get("assigned") is False:
        replacement = None
    return dict(policy=policy, policy_name=item.get("policyName") or policy_name, team=team, replacement=replacement)


def normalize_override(item: Any, what: str) -> dict[str, Any]:
    """A ``ScheduledOverride`` (ISO or epoch-millisecond instants) in the collection's shape."""
    item = expect_dict(item, what)
    if not item.get("publicId"):
        raise UnexpectedResponseError(what, "an override has no publicId")
    username = _username(item.get("user")) or _username(item.get("username"))
    if not username:
        raise UnexpectedResponseError(what, "override %s names no user" % item["publicId"])
    assignments = [_assignment(a, what) for a in expect_list(item.get("assignments") or [], what, "assignments")]
    return dict(
        id=item["publicId"],
        username=username,
        start=_instant(item.get("start"), what, "start"),
        end=_instant(item.get("end"), what, "end"),
        timezone=item.get("timezone"),
        assignments=sorted(assignments, key=lambda a: a["policy"]),
    )


def override_answer(body: Any, what: str) -> dict[str, Any]:
    """The one override of an answer: under ``override`` (the live API), ``schedule`` (the spec), or the body itself."""
    body = expect_dict(body, what)
    for key in ("override", "schedule"):
        if isinstance(body.get(key), dict):
            return normalize_override(body[key], what)
    return normalize_override(body, what)


def override_list(body: Any, what: str) -> list[dict[str, Any]]:
    body = expect_dict(body, what)
    return [normalize_override(item, what) for item in expect_list(body.get("overrides"), what, "overrides")]


# -- the operations ---------------------------------------------------------------------------------


def list_overrides(client) -> list[dict[str, Any]]:
    return override_list(call(client, "list_overrides"), describe("list_overrides"))


def get_override(client, override_id: str) -> dict[str, Any] | None:
    """The normalised override, or None when the API answers 404."""
    try:
        body = call(client, "get_override", dict(override=override_id))
    except NotFoundError:
        return None
    return override_answer(body, describe("get_override"))


def find_override(overrides: list[dict[str, Any]], username: str, start: str, end: str) -> dict[str, Any] | None:
    """The override of ``username`` from ``start`` to ``end`` (UTC texts): an override has no name, this is its identity."""
    for override in overrides:
        if override["username"] == username and override["start"] == start and override["end"] == end:
            return override
    return None


def create_override(client, username: str, start: str, end: str, timezone: str, known_ids: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Create the override; a create whose answer is lost is confirmed by listing overrides, never re-sent.

    ``known_ids``: the overrides listed before the create. A new one of the same period whose username differs from
    ``username`` in case alone is this create's (an API that folds case stored it so).
    """
    found: list[dict[str, Any]] = []

    def confirm_write():
        overrides = list_overrides(client)
        override = find_override(overrides, username, start, end)
        if override is None:
            new = [o for o in overrides if o["id"] not in known_ids and o["username"].lower() == username.lower()]
            override = find_override(new, new[0]["username"], start, end) if len(new) == 1 else None
        if override is not None:
            found.append(override)
        return override is not None, None

    body = dict(username=username, start=start, end=end, timezone=timezone)
    try:
        answer = call(client, "create_override", body=body, confirm_write=confirm_write)
    except NotFoundError:
        raise OptionError("username %r: the API knows no such user" % username) from None
    except ValidationError as exc:
        raise OptionError("the override of %r from %s to %s was refused: %s" % (username, start, end, exc)) from None
    if found:
        return found[0]
    return override_answer(answer, describe("create_override"))


def delete_override(client, override_id: str) -> None:
    """Delete the override; one already gone (404) is what was asked for."""
    try:
        call(client, "delete_override", dict(override=override_id))
    except NotFoundError:
        pass


class AssignmentBody:
    """Which assignment body this API takes: the spec's ``{policy, username}`` until it answers 400, then the SDK's
    ``{username, acceptOverlap}`` for the rest of the task. A 400 is a refusal, so the second body cannot double a write."""

    def __init__(self) -> None:
        self.sdk = False

    def body(self, policy: str, username: str) -> dict[str, Any]:
        return dict(username=username, acceptOverlap=False) if self.sdk else dict(policy=policy, username=username)


def assign_override(client, override_id: str, policy: str, username: str, style: AssignmentBody) -> None:
    """``username`` covers ``policy`` during the override."""
    params = dict(override=override_id, policy=policy)
    try:
        try:
            call(client, "assign_override", params, style.body(policy, username))
        except ValidationError:
            if style.sdk:
                raise
            style.sdk = True
            call(client, "assign_override", params, style.body(policy, username))
    except NotFoundError as exc:
        raise OptionError("replacement %r could not cover policy %s of override %s: %s" % (username, policy, override_id, exc)) from None
    except ValidationError as exc:
        raise OptionError("replacement %r for policy %s of override %s was refused: %s" % (username, policy, override_id, exc)) from None


def unassign_override(client, override_id: str, policy: str) -> None:
    """Nobody covers ``policy`` during the override (it shows as a gap)."""
    try:
        call(client, "unassign_override", dict(override=override_id, policy=policy))
    except NotFoundError as exc:
        # Read a moment ago: the override was deleted, or the policy left it, since.
        raise OptionError("policy %s of override %s could not be left unassigned: %s" % (policy, override_id, exc)) from None


def replacements_exist(client, usernames: list[str], option: str = "replacement") -> dict[str, str]:
    """Each replacement is a user (one ``get_user`` each), checked before the first write.

    Returns ``{given: the username as the API spells it}``: an API that folds case answers ``ASmith`` with ``asmith``,
    and assignments list the API's spelling, so only that spelling compares equal on the next run.
    """
    spelled = {}
    for username in sorted(set(usernames)):
        user = get_user(client, username)
        if user is None:
            raise OptionError("%s %r: the API knows no such user" % (option, username))
        spelled[username] = user["username"]
    return spelled


# -- the planner (pure) -----------------------------------------------------------------------------


def _policy_label(assignment: dict[str, Any]) -> str:
    name = assignment.get("policy_name")
    return "%s (%s)" % (name, assignment["policy"]) if name else assignment["policy"]


def pick_assignment(current: list[dict[str, Any]], given: str, option: str) -> dict[str, Any]:
    """The assignment of ``current`` that ``given`` names: by slug, then name, then name ignoring case."""
    matches = name_matches(current, given, slug_key="policy", name_key="policy_name")
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise OptionError("%s %r is ambiguous: it names the policies %s; give the slug" % (option, given, ", ".join(a["policy"] for a in matches)))
    raise OptionError(
        "%s %r is not a policy of this absence; the absence has: %s"
        % (option, given, ", ".join(_policy_label(a) for a in current) or "no policy (the person is on call in no rotation)")
    )


def wanted_assignments(current: list[dict[str, Any]], replacement: str | None, assignments: list[dict[str, Any]] | None) -> dict[str, str | None]:
    """``{policy slug: replacement or None}`` for the policies the input speaks of; the others are left as they are."""
    if assignments is None:
        if replacement is None:
            return {}
        return {a["policy"]: replacement for a in current}
    wanted: dict[str, str | None] = {}
    for i, entry in enumerate(assignments):
        option = "assignments[%d].policy" % i
        slug = pick_assignment(current, entry["policy"], option)["policy"]
        if slug in wanted:
            raise OptionError("%s %r names policy %s a second time" % (option, entry["policy"], slug))
        wanted[slug] = entry.get("replacement")
    return wanted


def plan_assignments(
    current_assignments: list[dict[str, Any]], replacement: str | None, assignments_option: list[dict[str, Any]] | None
) -> list[tuple[str, str | None]]:
    """The assignment writes, ``[(policy slug, replacement or None to unassign)]`` in slug order: the differences only."""
    held = {a["policy"]: a["replacement"] for a in current_assignments}
    wanted = wanted_assignments(current_assignments, replacement, assignments_option)
    return [(policy, want) for policy, want in sorted(wanted.items()) if held.get(policy) != want]


def applied(override: dict[str, Any], writes: list[tuple[str, str | None]]) -> dict[str, Any]:
    """``override`` with ``writes`` applied (the after of a run, and of check mode)."""
    wanted = dict(writes)
    assignments = [dict(a, replacement=wanted[a["policy"]]) if a["policy"] in wanted else dict(a) for a in override["assignments"]]
    return dict(override, assignments=assignments)


def overlapping(overrides: list[dict[str, Any]], username: str, start: str, end: str, other_than: str | None) -> list[dict[str, Any]]:
    """The other overrides of ``username`` whose period meets ``start``..``end`` (UTC texts compare in time order)."""
    return [o for o in overrides if o["username"] == username and o["id"] != other_than and o["start"] < end and start < o["end"]]
