# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Normalisation of API answers other than paging policies.

The real API and its spec disagree on casing and types (timeouts as strings, contact types
capitalised, ``oncallNow`` versus ``onCallNow``). Every module reads answers through these
functions so that one value always looks the same to users, whichever form the API sent.
A body of the wrong shape raises ``UnexpectedResponseError`` instead of a KeyError.
"""

from __future__ import annotations

from ansible_collections.victorops.oncall.plugins.module_utils._errors import UnexpectedResponseError
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import contact_method_items, verified_flag


def expect_dict(body, what):
    if not isinstance(body, dict):
        raise UnexpectedResponseError(what, "expected a JSON object, got %s" % type(body).__name__)
    return body


def expect_list(value, what, key):
    if not isinstance(value, list):
        raise UnexpectedResponseError(what, "expected a list under %r, got %s" % (key, type(value).__name__))
    return value


def pick(mapping, *keys):
    """The value of the first of ``keys`` present in ``mapping`` (the API's casing drifts)."""
    for key in keys:
        if key in mapping:
            return mapping[key]
    return None


def escalation_policy_list(body, what):
    """``{"policies": [{"policy": {...}, "team": {...}}]}`` (or the older flat ``[{name, slug}]``) to a flat list."""
    body = expect_dict(body, what)
    result = []
    for item in expect_list(body.get("policies"), what, "policies"):
        if not isinstance(item, dict):
            raise UnexpectedResponseError(what, "a policy entry is not an object")
        policy = item.get("policy", item)
        team = item.get("team") or {}
        if not isinstance(policy, dict) or "slug" not in policy:
            raise UnexpectedResponseError(what, "a policy entry has no slug")
        result.append(
            dict(name=policy.get("name"), slug=policy["slug"], team=dict(name=team.get("name"), slug=team.get("slug")) if isinstance(team, dict) else {})
        )
    return result


def type_list(body, key, as_int=False, what="the type list"):
    """A ``/policies/types/...`` answer to ``[{type, description}]`` with lower-case (or integer) types."""
    body = expect_dict(body, what)
    result = []
    for item in expect_list(body.get(key), what, key):
        value = item.get("type") if isinstance(item, dict) else None
        if value is None:
            raise UnexpectedResponseError(what, "an entry of %r has no type" % key)
        if as_int:
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise UnexpectedResponseError(what, "timeout type %r is not a number" % (value,))
        else:
            value = str(value).lower()
        result.append(dict(type=value, description=item.get("description")))
    return result


def user_paging_policies(body, what="the user's paging policies"):
    body = expect_dict(body, what)
    policies = []
    for item in expect_list(body.get("policies"), what, "policies"):
        if not isinstance(item, dict):
            raise UnexpectedResponseError(what, "a policy entry is not an object")
        timeout = item.get("timeout")
        try:
            timeout = int(timeout) if timeout is not None else None
        except (TypeError, ValueError):
            raise UnexpectedResponseError(what, "timeout %r is not a number" % (timeout,))
        contact_type = item.get("contactType")
        policies.append(
            dict(
                order=item.get("order"),
                timeout=timeout,
                contact_type=contact_type.lower() if isinstance(contact_type, str) else contact_type,
                ext_id=item.get("extId"),
            )
        )
    return dict(username=body.get("username"), user_id=body.get("userId"), policies=policies)


def oncall_users_by_policy(body, what="the on-call answer"):
    """The on-call-now answer to ``{policy slug: {"name": ..., "team": {name, slug}, "users": [usernames]}}``.

    The spec says ``onCallNow``/``onCallUser``; the real API answers ``oncallNow``/``onCalluser``.
    Both are accepted.
    """
    body = expect_dict(body, what)
    result = {}
    # A body without the list is not "nobody on call": taken so, it would misreport a confirmation.
    for team in expect_list(body.get("teamsOnCall"), what, "teamsOnCall"):
        if not isinstance(team, dict):
            raise UnexpectedResponseError(what, "a team entry is not an object")
        owner = team.get("team") if isinstance(team.get("team"), dict) else {}
        now = pick(team, "oncallNow", "onCallNow", "oncallnow") or []
        for entry in expect_list(now, what, "oncallNow"):
            policy = (entry or {}).get("escalationPolicy") or {}
            slug = policy.get("slug")
            if not slug:
                continue
            users = result.setdefault(slug, dict(name=policy.get("name"), team=dict(name=owner.get("name"), slug=owner.get("slug")), users=[]))["users"]
            for user in entry.get("users") or []:
                inner = pick(user or {}, "onCalluser", "onCallUser", "oncallUser") or {}
                name = inner.get("username") if isinstance(inner, dict) else None
                if name and name not in users:
                    users.append(name)
    return result


# ---------------------------------------------------------------------------------------------
# Onboarding: victorops_user, victorops_contact_method, victorops_team_member (and the
# on-call override, which uses oncall_users_by_policy above).
# ---------------------------------------------------------------------------------------------


def user_result(body, what):
    """A ``V1User`` answer to ``{username, first_name, last_name, email, verified, created_at, password_last_updated}``."""
    body = expect_dict(body, what)
    if not body.get("username"):
        raise UnexpectedResponseError(what, "the user has no username")
    return dict(
        username=body["username"],
        first_name=body.get("firstName"),
        last_name=body.get("lastName"),
        email=body.get("email"),
        verified=verified_flag(body.get("verified")),
        created_at=body.get("createdAt"),
        password_last_updated=body.get("passwordLastUpdated"),
    )


def contact_method_list(body, kind, what):
    """GET .../contact-methods/emails|phones to a list of contact methods, each with the ``ext_id`` its path needs.

    The real API answers ``{"contactMethods": [...]}``; the spec says a bare array. Both are accepted.
    """
    return contact_method_items(body, kind, what, identity="extId")


def team_member_list(body, what):
    """A ``ListTeamMembersResponse`` to the list of member usernames, in the API's order."""
    body = expect_dict(body, what)
    usernames = []
    for member in expect_list(body.get("members"), what, "members"):
        if not isinstance(member, dict) or not member.get("username"):
            raise UnexpectedResponseError(what, "a team member has no username")
        usernames.append(member["username"])
    return usernames


def team_list(body, what):
    """The team list (a bare array of teams; ``{"teams": [...]}`` tolerated) to ``[{name, slug}]``."""
    items = body if isinstance(body, list) else expect_dict(body, what).get("teams")
    result = []
    for item in expect_list(items, what, "teams"):
        if not isinstance(item, dict) or not item.get("slug"):
            raise UnexpectedResponseError(what, "a team has no slug")
        result.append(dict(name=item.get("name"), slug=item["slug"]))
    return result


def team_detail(body, what):
    """A ``TeamDetail`` (the answer to creating or renaming a team) to ``{name, slug}``."""
    body = expect_dict(body, what)
    if not body.get("slug"):
        raise UnexpectedResponseError(what, "the team has no slug")
    return dict(name=body.get("name"), slug=body["slug"])


def user_team_list(body, what):
    """A user's teams (``{"teams": [...]}``, or a bare array) to ``[{name, slug}]``."""
    return team_list(body, what)
