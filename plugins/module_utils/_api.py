# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The whole VictorOps public API surface this collection uses: one function per operation.

Each function owns its operation's path template (one placeholder vocabulary: ``username``,
``team``, ``policy``, ``step``, ``rule``, ``contact_id``, ``override``), its method, the normaliser of its
answer, what a 404 means for it, and how a write whose outcome is uncertain is confirmed. Modules
and the paging executor call these functions; nothing else names an API path.

``OPERATIONS`` maps each operation's name to its method and path template; the names are those
under which the client paces and counts requests, and the keys of the rate-limit tables.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from ansible_collections.victorops.oncall.plugins.module_utils._errors import (
    MalformedPolicyError,
    NotFoundError,
    OptionError,
    PlanError,
    UnexpectedResponseError,
    ValidationError,
)
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import (
    contact_method_list,
    escalation_policy_list,
    oncall_users_by_policy,
    team_detail,
    team_list,
    team_member_list,
    type_list,
    user_paging_policies,
    user_result,
    user_team_list,
)
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import ContactDirectory, normalize_steps
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import (
    OBJECT_SLUG,
    contact_key,
    match_username,
    name_matches,
    query_values,
    nearest,
    parse_contact_method,
)

V1 = "/api-public/v1"
V2 = "/api-public/v2"
PROFILE = V1 + "/profile/{username}/policies"
CONTACT_METHODS = V1 + "/user/{username}/contact-methods"

OPERATIONS: dict[str, tuple[str, str]] = {
    "list_escalation_policies": ("GET", V1 + "/policies"),
    "list_team_policies": ("GET", V1 + "/team/{team}/policies"),
    "list_contact_types": ("GET", V1 + "/policies/types/contacts"),
    "list_notification_types": ("GET", V1 + "/policies/types/notifications"),
    "list_timeout_types": ("GET", V1 + "/policies/types/timeouts"),
    "get_oncall_current": ("GET", V1 + "/oncall/current"),
    "take_on_call": ("PATCH", V1 + "/policies/{policy}/oncall/user"),
    "list_users": ("GET", V1 + "/user"),
    "get_user": ("GET", V1 + "/user/{username}"),
    "create_user": ("POST", V1 + "/user"),
    "update_user": ("PUT", V1 + "/user/{username}"),
    "delete_user": ("DELETE", V1 + "/user/{username}"),
    "list_user_paging_policies": ("GET", V1 + "/user/{username}/policies"),
    "list_user_teams": ("GET", V1 + "/user/{username}/teams"),
    "list_contact_methods": ("GET", CONTACT_METHODS),
    "list_emails": ("GET", CONTACT_METHODS + "/emails"),
    "list_phones": ("GET", CONTACT_METHODS + "/phones"),
    "add_email": ("POST", CONTACT_METHODS + "/emails"),
    "add_phone": ("POST", CONTACT_METHODS + "/phones"),
    "delete_email": ("DELETE", CONTACT_METHODS + "/emails/{contact_id}"),
    "delete_phone": ("DELETE", CONTACT_METHODS + "/phones/{contact_id}"),
    "get_paging_policy": ("GET", PROFILE),
    "create_step": ("POST", PROFILE),
    "update_step": ("PUT", PROFILE + "/{step}"),
    "delete_step": ("DELETE", PROFILE + "/{step}"),
    "create_rule": ("POST", PROFILE + "/{step}"),
    "update_rule": ("PUT", PROFILE + "/{step}/{rule}"),
    "delete_rule": ("DELETE", PROFILE + "/{step}/{rule}"),
    "list_teams": ("GET", V1 + "/team"),
    "list_team_members": ("GET", V1 + "/team/{team}/members"),
    "add_team_member": ("POST", V1 + "/team/{team}/members"),
    "remove_team_member": ("DELETE", V1 + "/team/{team}/members/{username}"),
    "create_team": ("POST", V1 + "/team"),
    "rename_team": ("PUT", V1 + "/team/{team}"),
    "delete_team": ("DELETE", V1 + "/team/{team}"),
    "list_overrides": ("GET", V1 + "/overrides"),
    "get_override": ("GET", V1 + "/overrides/{override}"),
    "create_override": ("POST", V1 + "/overrides"),
    "delete_override": ("DELETE", V1 + "/overrides/{override}"),
    "assign_override": ("PUT", V1 + "/overrides/{override}/assignments/{policy}"),
    "unassign_override": ("DELETE", V1 + "/overrides/{override}/assignments/{policy}"),
    "get_team_schedule": ("GET", V2 + "/team/{team}/oncall/schedule"),
    "get_user_schedule": ("GET", V2 + "/user/{username}/oncall/schedule"),
}

# The writes that may be re-sent after an uncertain outcome (a timeout, a lost answer, a 502/503/504): each is addressed
# by a stable identity (a username, a team and a username, a contact method's id, a team's slug, an override's publicId,
# an assignment's publicId and policy) and idempotent, so a lost copy that lands at any later time changes nothing but
# its own object, to the same value. Every other write (index-addressed paging writes, creates by POST, the on-call
# handover) is never re-sent: it is confirmed by a read, or reported as "may or may not have been applied".
RESEND_SAFE = frozenset(["update_user", "delete_user", "add_team_member", "remove_team_member", "delete_email", "delete_phone", "rename_team"])
RESEND_SAFE |= frozenset(["delete_team", "delete_override", "assign_override", "unassign_override"])

# The read-only operations whose answers list types; option value -> (operation, answer key, result key).
TYPE_LISTS = {
    "contacts": ("list_contact_types", "contactTypes", "contact_types"),
    "notifications": ("list_notification_types", "notificationTypes", "notification_types"),
    "timeouts": ("list_timeout_types", "timeoutTypes", "timeout_types"),
}


def describe(operation: str) -> str:
    """``"GET /api-public/v1/policies"`` for ``"list_escalation_policies"``: how messages name an operation."""
    method, template = OPERATIONS[operation]
    return "%s %s" % (method, template)


def call(client, operation: str, params: dict[str, Any] | None = None, body: Any = None, confirm_write: Callable[..., Any] | None = None, query=None) -> Any:
    """Send one operation through the client (``query``: its query string, as a dict) and return its decoded answer."""
    method, template = OPERATIONS[operation]
    resend_safe = operation in RESEND_SAFE
    return client.request(method, template, params=params, body=body, query=query, confirm_write=confirm_write, operation=operation, resend_safe=resend_safe)


def _confirmed_by(check: Callable[[], bool]) -> Callable[[], tuple[bool, Any]]:
    """A ``confirm_write`` from a predicate that reads the state: True when the write is visible."""

    def confirm_write():
        return (True, None) if check() else (False, None)

    return confirm_write


# -- names to slugs ------------------------------------------------------------------------------


def pick_by_name_or_slug(items: list[dict[str, Any]], given: str, option: str, noun: str, nouns: str) -> str:
    """The slug of the one item of ``items`` (``[{name, slug}]``) that ``given`` names: by slug, then name, then name ignoring case."""
    matches = name_matches(items, given)
    if len(matches) == 1:
        return matches[0]["slug"]
    if len(matches) > 1:
        raise OptionError(
            "%s %r is ambiguous: it names the %s %s; give the slug instead" % (option, given, nouns, ", ".join(sorted(i["slug"] for i in matches)))
        )
    guess = nearest(given, [i["name"] for i in items if i["name"]] + [i["slug"] for i in items])
    raise OptionError(
        "%s %r: no %s has that name or slug%s; known %s: %s"
        % (
            option,
            given,
            noun,
            "; did you mean %r?" % guess if guess else "",
            nouns,
            ", ".join("%s (%s)" % (i["name"], i["slug"]) for i in items) or "none",
        )
    )


def resolve_team(client, team: str, option: str = "team") -> str:
    """The slug of ``team``; a value that is not slug-shaped costs one read of the team list."""
    return team if OBJECT_SLUG.match(team) else pick_by_name_or_slug(list_teams(client), team, option, "team", "teams")


def resolve_escalation_policy(client, policy: str, option: str = "policy", known: dict[str, dict[str, Any]] | None = None) -> str:
    """The slug of ``policy``; a value that is not slug-shaped costs one read of the escalation policy list.

    ``known`` (``{slug: {"name": ...}}``, as ``get_oncall_current`` returns it) is a read the caller already made: a
    name found there costs nothing. The list is read only for a name it does not hold (the list is allowed once a
    minute in the 2018 limits, so this saves a minute's wait on a second run).
    """
    if OBJECT_SLUG.match(policy):
        return policy
    nouns = ("escalation policy", "escalation policies")
    if known:
        items = [dict(name=entry.get("name"), slug=slug) for slug, entry in known.items()]
        if name_matches(items, policy):
            return pick_by_name_or_slug(items, policy, option, *nouns)
    return pick_by_name_or_slug(list_escalation_policies(client), policy, option, *nouns)


# -- escalation policies, types, on-call --------------------------------------------------------


def list_escalation_policies(client) -> list[dict[str, Any]]:
    return escalation_policy_list(call(client, "list_escalation_policies"), describe("list_escalation_policies"))


def list_team_policies(client, team: str) -> list[dict[str, Any]]:
    try:
        body = call(client, "list_team_policies", dict(team=team))
    except NotFoundError:
        raise OptionError("team %r: the API knows no such team" % team) from None
    return escalation_policy_list(body, describe("list_team_policies"))


def list_types(client, kind: str) -> list[dict[str, Any]]:
    """The values of one paging-policy type list: ``contacts``, ``notifications`` or ``timeouts``."""
    operation, key, _result_key = TYPE_LISTS[kind]
    return type_list(call(client, operation), key, as_int=(kind == "timeouts"), what=describe(operation))


def get_oncall_current(client) -> dict[str, dict[str, Any]]:
    """``{policy slug: {"name", "team", "users"}}`` for every policy with someone on call now."""
    return oncall_users_by_policy(call(client, "get_oncall_current"), describe("get_oncall_current"))


def on_call_users(client, policy: str) -> list[str] | None:
    """Usernames on call for ``policy`` now, or None when the policy is not in the answer at all."""
    entry = get_oncall_current(client).get(policy)
    return None if entry is None else list(entry["users"])


def find_username(client, username: str, candidates: list[str], option: str) -> tuple[str | None, str | None]:
    """``(match, note)``: the username of ``candidates`` that ``username`` names, or ``(None, None)``.

    Exact first (``match_username``). A candidate that differs in case alone stands in only when the API itself
    says they are one user: it answers ``get_user(username)`` with the candidate's spelling (an API that folds
    case). On an API that does not, ``JDoe`` is not ``jdoe``. The read is sent only in that case.
    """
    match, note = match_username(username, candidates, option)
    if note is None:
        return match, None
    user = get_user(client, username)
    if user is None or user["username"] != match:
        return None, None
    return match, note


def take_on_call(client, policy: str, from_user: str, to_user: str) -> None:
    """``to_user`` takes ``from_user``'s on-call shift for ``policy`` (both as the person gave them: the API decides who they are)."""

    def taken():
        return find_username(client, to_user, on_call_users(client, policy) or [], "to_user")[0] is not None

    try:
        call(client, "take_on_call", dict(policy=policy), dict(fromUser=from_user, toUser=to_user), _confirmed_by(taken))
    except NotFoundError as exc:
        # The policy and from_user were just read, so the unknown party is to_user; the refusal changed nothing.
        raise OptionError("to_user %r could not take the on-call shift of %r: %s" % (to_user, from_user, exc)) from None


# -- users --------------------------------------------------------------------------------------


def get_user(client, username: str) -> dict[str, Any] | None:
    """The normalised user, or None when the API answers 404."""
    try:
        body = call(client, "get_user", dict(username=username))
    except NotFoundError:
        return None
    return user_result(body, describe("get_user"))


def create_user(client, username: str, first_name: str, last_name: str, email: str, expiration_hours: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = dict(firstName=first_name, lastName=last_name, username=username, email=email)
    if expiration_hours is not None:
        payload["expirationHours"] = expiration_hours
    found = []

    def confirm_write():
        # The user the API holds after an ambiguous create stands for the create's answer.
        user = get_user(client, username)
        if user is not None:
            found.append(user)
        return user is not None, None

    try:
        answer = call(client, "create_user", body=payload, confirm_write=confirm_write)
    except ValidationError as exc:
        raise OptionError("username %r could not be created: %s" % (username, exc)) from None
    if found:
        return found[0]
    return user_result(answer, describe("create_user"))


def update_user(client, current: dict[str, Any], first_name: str, last_name: str) -> dict[str, Any]:
    """Update the names; the update body is the whole AddUserPayload, with the email sent unchanged."""
    username = current["username"]
    payload = dict(firstName=first_name, lastName=last_name, username=username, email=current["email"])
    return user_result(call(client, "update_user", dict(username=username), payload), describe("update_user"))


def delete_user(client, username: str, replacement: str | None) -> None:
    """Remove the user; ``replacement`` takes over their escalation-policy and rotation slots."""
    body = dict(replacement=replacement) if replacement else {}
    try:
        call(client, "delete_user", dict(username=username), body, _confirmed_by(lambda: get_user(client, username) is None))
    except ValidationError as exc:
        # The API checks the replacement only when the removal arrives; the refusal changed nothing.
        raise OptionError("replacement %r: %s" % (replacement, exc)) from None


def list_user_paging_policies(client, username: str) -> dict[str, Any]:
    try:
        body = call(client, "list_user_paging_policies", dict(username=username))
    except NotFoundError:
        raise OptionError("username %r: the API knows no such user" % username) from None
    return user_paging_policies(body, describe("list_user_paging_policies"))


def list_user_teams(client, username: str) -> list[dict[str, Any]]:
    """The teams the user belongs to, ``[{name, slug}]``."""
    try:
        body = call(client, "list_user_teams", dict(username=username))
    except NotFoundError:
        raise OptionError("username %r: the API knows no such user" % username) from None
    return user_team_list(body, describe("list_user_teams"))


# -- contact methods ----------------------------------------------------------------------------

_CONTACT_OPERATIONS = {
    "email": ("list_emails", "add_email", "delete_email"),
    "phone": ("list_phones", "add_phone", "delete_phone"),
}


def _read_contact_methods(client, username: str, operation: str) -> Any:
    """One read of a user's contact methods; an unknown user is bad input."""
    try:
        return call(client, operation, dict(username=username))
    except NotFoundError:
        raise OptionError("username %r: the API knows no such user" % username) from None


def list_contact_methods(client, username: str, kind: str | None = None):
    """The user's contact methods: of one ``kind`` (``email``/``phone``) as a list of results, or all as a ``ContactDirectory``."""
    if kind is None:
        body = _read_contact_methods(client, username, "list_contact_methods")
        try:
            return ContactDirectory(body)
        except MalformedPolicyError as exc:
            raise MalformedPolicyError(exc.detail, describe("list_contact_methods")) from None
    operation = _CONTACT_OPERATIONS[kind][0]
    return contact_method_list(_read_contact_methods(client, username, operation), kind, describe(operation))


def matching_contacts(contacts: list[dict[str, Any]], kind: str, value: str) -> list[dict[str, Any]]:
    """The contact methods of ``contacts`` whose value is ``value`` in canonical form."""
    key = contact_key(kind, value)
    return [contact for contact in contacts if contact_key(kind, contact["value"]) == key]


def add_contact_method(client, username: str, kind: str, value: str, label: str, rank: int | None = None) -> dict[str, Any]:
    """Create a contact method and return it as the API holds it.

    An answer without ``extId`` (some API versions answer with the value only) costs one read.
    """
    _list_op, add_op, _delete_op = _CONTACT_OPERATIONS[kind]
    payload: dict[str, Any] = {"label": label, kind: value}
    if rank is not None:
        payload["rank"] = rank
    seen: list[dict[str, Any]] = []

    def read_back():
        found = matching_contacts(list_contact_methods(client, username, kind), kind, value)
        seen[:] = found[:1]
        return bool(found)

    answer = call(client, add_op, dict(username=username), payload, _confirmed_by(read_back))
    if seen:
        return seen[0]  # an ambiguous create that the read-back confirmed
    if isinstance(answer, dict) and answer.get("extId"):
        return parse_contact_method(answer, kind, describe(add_op), identity="extId")
    if read_back():
        return seen[0]
    raise UnexpectedResponseError(describe(add_op), "the created %s contact method %r is not in the user's contact methods" % (kind, value))


def delete_contact_method(client, username: str, kind: str, contact: dict[str, Any]) -> None:
    _list_op, _add_op, delete_op = _CONTACT_OPERATIONS[kind]
    ext_id = contact["ext_id"]

    def gone():
        return not [c for c in list_contact_methods(client, username, kind) if c["ext_id"] == ext_id]

    call(client, delete_op, dict(username=username, contact_id=ext_id), confirm_write=_confirmed_by(gone))


# -- personal paging policies -------------------------------------------------------------------


def get_paging_policy(client, username: str) -> list[dict[str, Any]]:
    """The user's normalised steps; an unknown user is bad input, not an API failure."""
    try:
        body = call(client, "get_paging_policy", dict(username=username))
    except (NotFoundError, ValidationError) as exc:
        raise PlanError("user %s not found (%s)" % (username, exc)) from None
    try:
        return normalize_steps(body)
    except MalformedPolicyError as exc:
        raise MalformedPolicyError(exc.detail, describe("get_paging_policy")) from None


def send_paging_write(client, write, confirm_write: Callable[[], tuple[bool, Any]] | None = None) -> Any:
    """Send one planned paging write (``create_step``, ``update_step``, ``delete_step``, ``create_rule``, ``update_rule``, ``delete_rule``)."""
    return call(client, write.operation, write.params, write.body, confirm_write)


# -- teams --------------------------------------------------------------------------------------


def list_teams(client) -> list[dict[str, Any]]:
    return team_list(call(client, "list_teams"), describe("list_teams"))


def list_team_members(client, team: str) -> list[str]:
    try:
        body = call(client, "list_team_members", dict(team=team))
    except NotFoundError:
        raise OptionError("team %r: the API knows no such team" % team) from None
    return team_member_list(body, describe("list_team_members"))


def team_member(client, team: str, username: str) -> tuple[str | None, str | None]:
    """``(member, note)``: the member of ``team`` that ``username`` names (see ``find_username``), or ``(None, None)``."""
    return find_username(client, username, list_team_members(client, team), "username")


def add_team_member(client, team: str, username: str) -> None:
    def added():
        return team_member(client, team, username)[0] is not None

    try:
        call(client, "add_team_member", dict(team=team), dict(username=username), _confirmed_by(added))
    except NotFoundError as exc:
        # The API checks the user only when the write arrives; the refusal changed nothing.
        raise OptionError("username %r could not be added to team %r: %s" % (username, team, exc)) from None


def remove_team_member(client, team: str, username: str, replacement: str | None = None) -> None:
    """Remove the member; ``replacement`` is sent only when given (public clients send none)."""
    body = dict(replacement=replacement) if replacement else None
    try:
        call(client, "remove_team_member", dict(team=team, username=username), body, _confirmed_by(lambda: team_member(client, team, username)[0] is None))
    except ValidationError as exc:
        hint = "" if replacement else "; the API asks for a replacement: set replacement to a member who takes over the shifts"
        raise OptionError("username %r could not be removed from team %r: %s%s" % (username, team, exc, hint)) from None


def _team_named(client, slug: str, name: str) -> dict[str, Any] | None:
    """The team ``slug`` as the team list shows it when its name is ``name``, else None."""
    return next((team for team in list_teams(client) if team["slug"] == slug and team["name"] == name), None)


def create_team(client, name: str, known: list[str]) -> dict[str, Any]:
    """Create a team; the API chooses its slug. ``known``: the slugs of the teams listed before.

    Not resend-safe (a second copy would make a second team): an uncertain outcome is settled by listing the teams,
    and a team named ``name`` whose slug is not in ``known`` is the one it made.
    """
    found: list[dict[str, Any]] = []

    def confirm_write():
        found[:] = [team for team in list_teams(client) if team["slug"] not in known and team["name"] == name]
        return len(found) == 1, None

    try:
        answer = call(client, "create_team", body=dict(name=name), confirm_write=confirm_write)
    except ValidationError as exc:
        raise OptionError("name %r: the API refused to create the team: %s" % (name, exc)) from None
    if found:
        return found[0]
    try:
        return team_detail(answer, describe("create_team"))
    except UnexpectedResponseError:
        # Accepted, but the answer does not say which team: the list does (a new slug with that name), else it stays unclear.
        if confirm_write()[0]:
            return found[0]
        raise


def rename_team(client, team: str, name: str) -> dict[str, Any]:
    """Give the team ``team`` (a slug) the name ``name``."""
    try:
        answer = call(client, "rename_team", dict(team=team), dict(name=name), _confirmed_by(lambda: _team_named(client, team, name) is not None))
    except NotFoundError:
        raise OptionError("slug %r: the API knows no such team" % team) from None
    except ValidationError as exc:
        raise OptionError("name %r: the API refused to rename team %r: %s" % (name, team, exc)) from None
    return team_detail(answer, describe("rename_team")) if isinstance(answer, dict) and answer.get("slug") else dict(slug=team, name=name)


def delete_team(client, team: str) -> None:
    """Remove the team ``team`` (a slug); a refusal (members or policies left) is raised as the API gave it."""
    call(client, "delete_team", dict(team=team), confirm_write=_confirmed_by(lambda: all(t["slug"] != team for t in list_teams(client))))


# -- reading users whole (victorops_user_info) --------------------------------------------------


def list_users(client) -> list[dict[str, Any]]:
    """Every user of the organisation, normalised as ``get_user`` normalises one."""
    what = describe("list_users")
    body = call(client, "list_users")
    users = body.get("users") if isinstance(body, dict) else body
    if not isinstance(users, list):
        raise UnexpectedResponseError(what, "expected a list under 'users', got %s" % type(users).__name__)
    flat: list[Any] = []
    for item in users:
        # The real API nests the list once more than the spec says: {"users": [[...]]}.
        flat.extend(item if isinstance(item, list) else [item])
    return [user_result(item, what) for item in flat]


# -- any other endpoint (victorops_api) ---------------------------------------------------------

# The operation name under which a path the collection does not know is paced and counted: one name for all of them,
# so that they share the tables' general limit (``default``) and what pacing learns of it.
GENERAL_OPERATION = "general"
# HTTP says PUT and DELETE are idempotent; on a path of a known operation the collection's own judgement wins.
_IDEMPOTENT_WRITES = frozenset(["PUT", "DELETE"])


def _literals_matched(template: str, segments: list[str]) -> int | None:
    """How many literal segments of ``template`` ``segments`` match, or None when the path is not the template's."""
    parts = template.split("/")
    if len(parts) != len(segments):
        return None
    literal = 0
    for part, segment in zip(parts, segments):
        if part.startswith("{"):
            continue
        if part.lower() != segment.lower():  # the API may not tell case apart: a path in another case is the same operation
            return None
        literal += 1
    return literal


def operation_for(method: str, path: str) -> str:
    """The name of the known operation ``method path`` is (the most literal template wins), else ``GENERAL_OPERATION``."""
    segments = path.split("/")
    best, best_literal = GENERAL_OPERATION, -1
    for name, (op_method, template) in OPERATIONS.items():
        literal = _literals_matched(template, segments) if op_method == method else None
        if literal is not None and literal > best_literal:
            best, best_literal = name, literal
    return best


def logged_operation(key: str) -> str:
    """The operation a request log names ``"METHOD /path"`` (a path or a template) is; a name, or a path none is, unchanged."""
    method, _sep, path = " ".join(str(key).split()).partition(" ")
    if not path:
        return key
    name = operation_for(method.upper(), path.rstrip("/") or "/")
    return key if name == GENERAL_OPERATION else name


def is_resend_safe(method: str, operation: str) -> bool:
    """Whether ``method`` on a path paced as ``operation`` may be re-sent after an uncertain outcome.

    POST and PATCH never: nothing can confirm an arbitrary write. A PUT to a path the collection does not know: yes (it
    sets the same content at the same path again). A DELETE there: no, since the API addresses some objects by
    position, and a DELETE re-sent after the first copy landed late would remove the next one. On a known operation's
    path the collection's own rule (``RESEND_SAFE``) decides.
    """
    if method == "PUT" and operation == GENERAL_OPERATION:
        return True
    return method in _IDEMPOTENT_WRITES and operation in RESEND_SAFE


def send_any(
    client, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None, status_codes: tuple[int, ...] = (200,)
) -> tuple[str, int, Any]:
    """``(operation, status, answer)`` of one request to any endpoint, paced as the operation its path is.

    ``path`` and ``query`` must have passed ``api_path_problem`` and ``query_problems``. A GET is re-sent after an
    uncertain outcome, a write only when ``is_resend_safe``; any other uncertain write fails saying it may or may
    not have been applied. A throttle is re-sent whatever the method (the API did not process it).
    """
    operation = operation_for(method, path)
    status, answer = client.request(
        method,
        path,
        body=body,
        expected=tuple(status_codes),
        query=query_values(query),
        operation=operation,
        resend_safe=is_resend_safe(method, operation),
        with_status=True,
    )
    return operation, status, answer
