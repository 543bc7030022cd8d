# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated API operations: one function per (method, path template), in ``ROUTES``.

Each function takes ``(org, params, body)`` and returns the 200 response body, or raises ``ApiError``.
"""

import time
import uuid

from . import _schedule
from ._model import API, CONTACT_TYPE_NAME, NOTIFICATION_TYPES, TIMEOUTS, ApiError
from ._variants import Variant

CONTACT_TYPES = [{"type": "email", "description": "Email Address"}, {"type": "phone", "description": "Phone Number"}]
NOTIFICATION_DESCRIPTIONS = {
    "push": "Send a push notification to all my devices",
    "email": "Send an email to an email address",
    "sms": "Send an SMS to a phone number",
    "phone": "Make a phone call to a phone number",
}


def _require_object(body):
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object")
    return body


# ----- escalation policies, value lists, on-call -------------------------------------------------------
def list_policies(org, params, body):
    return org.policy_infos(org.state["teams"].values())


def contact_types(org, params, body):
    return {"contactTypes": [dict(t) for t in CONTACT_TYPES], "_selfUrl": API + "/policies/types/contacts"}


def notification_types(org, params, body):
    types = [{"type": t, "description": NOTIFICATION_DESCRIPTIONS[t]} for t in NOTIFICATION_TYPES]
    return {"notificationTypes": types, "_selfUrl": API + "/policies/types/notifications"}


def timeout_types(org, params, body):
    # The type is a string, as the real API's captured answer shows (the spec says integer).
    types = [{"type": str(t), "description": "If still unacked after %d minute%s" % (t, "" if t == 1 else "s")} for t in TIMEOUTS]
    return {"timeoutTypes": types, "_selfUrl": API + "/policies/types/timeouts"}


def take_oncall(org, params, body):
    body = _require_object(body)
    from_user, to_user = body.get("fromUser"), body.get("toUser")
    if not isinstance(from_user, str) or not isinstance(to_user, str) or not from_user or not to_user:
        raise ApiError(400, "fromUser and toUser are required")
    found = org.find_policy(params["policy"])
    if found is None or org.key(from_user) not in org.state["users"] or org.key(to_user) not in org.state["users"]:
        raise ApiError(404, "Team or user(s) not found")
    oncall = org.state["oncall"].setdefault(params["policy"], [])
    if org.key(from_user) not in oncall:
        raise ApiError(400, "User %s is not on call for policy %s" % (from_user, params["policy"]))
    org.hand_over_oncall(from_user, to_user, policy_slugs=[params["policy"]])
    return {"result": "ok"}


def oncall_current(org, params, body):
    teams = []
    instant = org.now()
    for team in org.state["teams"].values():
        now = []
        for policy in team["policies"]:
            # The current on-call list with the scheduled overrides active now applied.
            users = [{"onCalluser": {"username": u}} for u in _schedule.oncall_at(org, policy["slug"], instant, instant)]
            now.append({"escalationPolicy": {"name": policy["name"], "slug": policy["slug"]}, "users": users})
        # The real API spells these keys oncallNow / onCalluser (the spec says onCallNow / onCallUser).
        teams.append({"team": {"name": team["name"], "slug": team["slug"]}, "oncallNow": now})
    return {"teamsOnCall": teams}


def team_policies(org, params, body):
    return org.policy_infos([org.team(params["team"])])


# ----- personal paging policy --------------------------------------------------------------------------
def _policy_url(username, *indexes):
    return "/".join(["%s/profile/%s/policies" % (API, username)] + [str(i) for i in indexes])


def get_paging_policy(org, params, body):
    user = org.user(params["username"])
    return {"steps": org.render_steps(user), "_selfUrl": _policy_url(user["username"])}


def create_step(org, params, body):
    user = org.user(params["username"])
    step = org.parse_step(user, body)
    user["paging_policy"].append(step)
    index = len(user["paging_policy"]) - 1
    return {"step": org.render_step(user, index, step), "_selfUrl": _policy_url(user["username"], index)}


def get_step(org, params, body):
    user = org.user(params["username"])
    index = org.parse_index(params["step"], "step", len(user["paging_policy"]))
    return {"step": org.render_step(user, index, user["paging_policy"][index]), "_selfUrl": _policy_url(user["username"], index)}


def update_step(org, params, body):
    user = org.user(params["username"])
    index = org.parse_index(params["step"], "step", len(user["paging_policy"]))
    step = org.parse_step(user, body)
    user["paging_policy"][index] = step
    return {"step": org.render_step(user, index, step), "_selfUrl": _policy_url(user["username"], index)}


def create_rule(org, params, body):
    user = org.user(params["username"])
    step_index = org.parse_index(params["step"], "step", len(user["paging_policy"]))
    rule = org.parse_rule(user, body)
    rules = user["paging_policy"][step_index]["rules"]
    rules.append(rule)
    index = len(rules) - 1
    return {"stepRule": org.render_rule(user, index, rule), "_selfUrl": _policy_url(user["username"], step_index, index)}


def _locate_rule(org, params):
    user = org.user(params["username"])
    step_index = org.parse_index(params["step"], "step", len(user["paging_policy"]))
    rules = user["paging_policy"][step_index]["rules"]
    rule_index = org.parse_index(params["rule"], "rule", len(rules))
    return user, step_index, rule_index


def get_rule(org, params, body):
    user, step_index, rule_index = _locate_rule(org, params)
    rule = user["paging_policy"][step_index]["rules"][rule_index]
    return {"stepRule": org.render_rule(user, rule_index, rule), "_selfUrl": _policy_url(user["username"], step_index, rule_index)}


def update_rule(org, params, body):
    user, step_index, rule_index = _locate_rule(org, params)
    rule = org.parse_rule(user, body)
    user["paging_policy"][step_index]["rules"][rule_index] = rule
    return {"stepRule": org.render_rule(user, rule_index, rule), "_selfUrl": _policy_url(user["username"], step_index, rule_index)}


def delete_rule(org, params, body):
    user, step_index, rule_index = _locate_rule(org, params)
    if step_index == 0 and rule_index == 0:
        raise ApiError(400, "Rule 0 of step 0 cannot be deleted")
    steps = user["paging_policy"]
    rendered = org.render_rule(user, rule_index, steps[step_index]["rules"][rule_index])
    del steps[step_index]["rules"][rule_index]
    if not steps[step_index]["rules"] and Variant.KEEP_EMPTY_STEPS not in org.variants:
        # A step lives only as long as it has rules; later steps move up one index.
        del steps[step_index]
    return {"stepRule": rendered, "_selfUrl": _policy_url(user["username"], step_index, rule_index)}


def delete_step(org, params, body):
    """Undocumented; served only under the step-delete and keep-empty-steps variants (see VARIANT_ROUTES)."""
    user = org.user(params["username"])
    index = org.parse_index(params["step"], "step", len(user["paging_policy"]))
    if index == 0:
        raise ApiError(400, "Step 0 cannot be deleted")
    rendered = org.render_step(user, index, user["paging_policy"][index])
    # Later steps move up one index.
    del user["paging_policy"][index]
    return {"step": rendered, "_selfUrl": _policy_url(user["username"], index)}


def user_policies(org, params, body):
    user = org.user(params["user"])
    flat = []
    for step_index, step in enumerate(user["paging_policy"]):
        for rule in step["rules"]:
            ext_id = ""
            if rule["contact_id"] is not None:
                ext_id = org.contact_by_id(user, rule["contact_id"])[1]["extId"]
            flat.append({"order": step_index + 1, "timeout": step["timeout"], "contactType": rule["type"], "extId": ext_id})
    return {"username": user["username"], "userId": user["userId"], "policies": flat}


# ----- users --------------------------------------------------------------------------------------------
def list_users(org, params, body):
    # The real API nests the list once more than the spec says.
    return {"users": [[org.render_user(u) for u in org.state["users"].values()]], "_selfUrl": API + "/user"}


def add_user(org, params, body):
    return org.render_user(org.add_user(body))


def get_user(org, params, body):
    return org.render_user(org.user(params["user"]))


def update_user(org, params, body):
    user = org.user(params["user"])
    body = _require_object(body)
    for name in ("firstName", "lastName"):
        if name in body:
            if not isinstance(body[name], str) or not body[name].strip():
                raise ApiError(400, "Invalid %s" % name)
            user[name] = body[name]
    # A changed email is ignored: it can only be changed in the web UI.
    user["version"] += 1
    return org.render_user(user)


def _replacement(org, username, body):
    replacement = body.get("replacement") if isinstance(body, dict) else None
    if not isinstance(replacement, str) or not replacement:
        raise ApiError(422, "A replacement user is required")
    if org.key(replacement) == org.key(username) or org.key(replacement) not in org.state["users"]:
        raise ApiError(422, "Replacement user %s was not found" % replacement)
    return org.key(replacement)


def user_teams(org, params, body):
    user = org.user(params["user"])
    teams = []
    for team in org.state["teams"].values():
        if user["username"] in team["members"]:
            base = "%s/team/%s" % (API, team["slug"])
            teams.append(
                {
                    "name": team["name"],
                    "slug": team["slug"],
                    "_selfUrl": base,
                    "_membersUrl": base + "/members",
                    "_policiesUrl": base + "/policies",
                    "_adminsUrl": base + "/admins",
                }
            )
    return {"teams": teams}


def delete_user(org, params, body):
    user = org.user(params["user"])
    replacement = _replacement(org, user["username"], body)
    org.hand_over_oncall(user["username"], replacement)
    org.hand_over_rotations(user["username"], replacement)
    org.forget_overrides_of(user["username"])
    for team in org.state["teams"].values():
        if user["username"] in team["members"]:
            team["members"].remove(user["username"])
            team["version"] += 1
    del org.state["users"][user["username"]]
    return {"result": "%s deleted" % user["username"]}


# ----- contact methods ----------------------------------------------------------------------------------
def all_contact_methods(org, params, body):
    org.user(params["user"])
    return {kind: org.render_contact_list(params["user"], kind) for kind in ("emails", "phones", "devices")}


def _list_of(kind):
    def list_contacts(org, params, body):
        return org.render_contact_list(params["user"], kind)

    list_contacts.__name__ = "list_" + kind
    return list_contacts


def _add_of(kind):
    def add_contact(org, params, body):
        user = org.user(params["user"])
        contact = org.add_contact(user, kind, body)
        rendered = org.render_contact(user["username"], kind, contact)
        if Variant.NO_EXTID in org.variants:
            # Neither the extId nor the _selfUrl that embeds it; reads still have both.
            del rendered["extId"], rendered["_selfUrl"]
        return rendered

    add_contact.__name__ = "add_" + kind
    return add_contact


def _delete_of(kind):
    def delete_contact(org, params, body):
        user = org.user(params["user"])
        contacts = user["contact_methods"][kind]
        for position, contact in enumerate(contacts):
            if contact["extId"] == params["contactId"]:
                break
        else:
            raise ApiError(404, "Contact method not found")
        if kind == "emails" and contact["value"].lower() == user["email"].lower():
            raise ApiError(400, "The user's account email (%s) cannot be deleted" % contact["label"])
        if org.rules_using(user, contact["id"]):
            raise ApiError(400, "%s contact %s is used by the paging policy" % (CONTACT_TYPE_NAME[kind], contact["value"]))
        del contacts[position]
        return org.render_contact(user["username"], kind, contact)

    delete_contact.__name__ = "delete_" + kind
    return delete_contact


# ----- teams --------------------------------------------------------------------------------------------
def list_teams(org, params, body):
    teams = []
    for team in org.state["teams"].values():
        base = "%s/team/%s" % (API, team["slug"])
        teams.append(
            {
                "name": team["name"],
                "slug": team["slug"],
                "memberCount": len(team["members"]),
                "version": team["version"],
                "isDefaultTeam": team["isDefaultTeam"],
                "_selfUrl": base,
                "_policiesUrl": base + "/policies",
                "_membersUrl": base + "/members",
                "_adminsUrl": base + "/admins",
            }
        )
    return teams


def team_members(org, params, body):
    return org.render_members(org.team(params["team"]))


def add_team_member(org, params, body):
    team = org.team(params["team"])
    body = _require_object(body)
    username = body.get("username")
    if not isinstance(username, str) or not username:
        raise ApiError(400, "username is required")
    username = org.user(username)["username"]
    if username in team["members"]:
        raise ApiError(422, "User %s is already a member of team %s" % (username, team["name"]))
    team["members"].append(username)
    team["version"] += 1
    return org.render_members(team)


def remove_team_member(org, params, body):
    team = org.team(params["team"])
    username = org.key(params["user"])
    if username not in team["members"]:
        raise ApiError(404, "User not found")
    replacement = _replacement(org, username, body)
    org.hand_over_oncall(username, replacement, policy_slugs=[p["slug"] for p in team["policies"]])
    org.hand_over_rotations(username, replacement, policy_slugs=[p["slug"] for p in team["policies"]])
    team["members"].remove(username)
    team["version"] += 1
    return org.render_members(team)


P = API + "/profile/{username}/policies"
C = API + "/user/{user}/contact-methods"
ROUTES = [
    ("GET", API + "/policies", list_policies),
    ("GET", API + "/policies/types/contacts", contact_types),
    ("GET", API + "/policies/types/notifications", notification_types),
    ("GET", API + "/policies/types/timeouts", timeout_types),
    ("PATCH", API + "/policies/{policy}/oncall/user", take_oncall),
    ("GET", API + "/oncall/current", oncall_current),
    ("GET", P, get_paging_policy),
    ("POST", P, create_step),
    ("GET", P + "/{step}", get_step),
    ("POST", P + "/{step}", create_rule),
    ("PUT", P + "/{step}", update_step),
    ("GET", P + "/{step}/{rule}", get_rule),
    ("PUT", P + "/{step}/{rule}", update_rule),
    ("DELETE", P + "/{step}/{rule}", delete_rule),
    ("GET", API + "/team/{team}/policies", team_policies),
    ("GET", API + "/user/{user}/policies", user_policies),
    ("GET", API + "/user/{user}/teams", user_teams),
    ("GET", API + "/user", list_users),
    ("POST", API + "/user", add_user),
    ("GET", API + "/user/{user}", get_user),
    ("PUT", API + "/user/{user}", update_user),
    ("DELETE", API + "/user/{user}", delete_user),
    ("GET", C, all_contact_methods),
    ("GET", C + "/emails", _list_of("emails")),
    ("GET", C + "/phones", _list_of("phones")),
    ("GET", C + "/devices", _list_of("devices")),
    ("POST", C + "/emails", _add_of("emails")),
    ("POST", C + "/phones", _add_of("phones")),
    ("DELETE", C + "/emails/{contactId}", _delete_of("emails")),
    ("DELETE", C + "/phones/{contactId}", _delete_of("phones")),
    ("GET", API + "/team", list_teams),
    ("GET", API + "/team/{team}/members", team_members),
    ("POST", API + "/team/{team}/members", add_team_member),
    ("DELETE", API + "/team/{team}/members/{user}", remove_team_member),
]

# Operations in no spec, served only when one of the named variants is on (elsewhere: 404 "Path not found").
VARIANT_ROUTES = [
    ("DELETE", P + "/{step}", delete_step, (Variant.STEP_DELETE, Variant.KEEP_EMPTY_STEPS)),
]

_SPLIT_ROUTES = [(method, template, template.split("/"), handler, ()) for method, template, handler in ROUTES] + [
    (method, template, template.split("/"), handler, variants) for method, template, handler, variants in VARIANT_ROUTES
]


def match(method, path, variants=frozenset()):
    """Return ``(template, params, handler)`` for a request, or None. Path segments are not percent-decoded.

    Routes of ``VARIANT_ROUTES`` match only when one of their variants is in ``variants``.
    """
    segments = path.split("/")
    best = None
    for route_method, template, parts, handler, needs in _SPLIT_ROUTES:
        if route_method != method or len(parts) != len(segments):
            continue
        if needs and not set(needs) & set(variants):
            continue
        params, literal = {}, 0
        for part, segment in zip(parts, segments):
            if part.startswith("{"):
                if not segment:
                    break
                params[part[1:-1]] = segment
            elif part != segment:
                break
            else:
                literal += 1
        else:
            if best is None or literal > best[0]:
                best = (literal, template, params, handler)
    return None if best is None else best[1:]


# ----- teams: create, rename, remove ----------------------------------------------------------------------
def _team_detail(team):
    base = "%s/team/%s" % (API, team["slug"])
    return {
        "name": team["name"],
        "slug": team["slug"],
        "memberCount": len(team["members"]),
        "version": team["version"],
        "isDefaultTeam": team["isDefaultTeam"],
        "_selfUrl": base,
        "_policiesUrl": base + "/policies",
        "_membersUrl": base + "/members",
        "_adminsUrl": base + "/admins",
    }


def _team_name(org, body, slug=None):
    """The team name of ``body``, refused (422) when another team has it (in any case under case-insensitive-teams)."""
    name = _require_object(body).get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "name is required")
    fold = Variant.CASE_INSENSITIVE_TEAMS in org.variants
    for team in org.state["teams"].values():
        if team["slug"] != slug and (team["name"].lower() == name.lower() if fold else team["name"] == name):
            raise ApiError(422, "Team name %s is unavailable" % name)
    return name


def create_team(org, params, body):
    name = _team_name(org, body)
    # The API chooses the slug: team- and 16 letters or digits, like the seed's.
    slug = "team-" + uuid.uuid4().hex[:16]
    org.state["teams"][slug] = {"name": name, "slug": slug, "version": 1, "isDefaultTeam": False, "members": [], "policies": []}
    return _team_detail(org.state["teams"][slug])


def rename_team(org, params, body):
    team = org.team(params["team"])
    team["name"] = _team_name(org, body, slug=team["slug"])
    team["version"] += 1
    return _team_detail(team)


def delete_team(org, params, body):
    team = org.team(params["team"])
    if team["policies"]:
        raise ApiError(422, "Team %s still has escalation policies: %s" % (team["name"], ", ".join(p["slug"] for p in team["policies"])))
    if team["members"] and Variant.TEAM_DELETE_WITH_MEMBERS not in org.variants:
        raise ApiError(422, "Team %s still has members: remove them first" % team["name"])
    del org.state["teams"][team["slug"]]
    return {"result": "Team %s deleted" % team["name"]}


TEAM_ROUTES = [
    ("POST", API + "/team", create_team),
    ("PUT", API + "/team/{team}", rename_team),
    ("DELETE", API + "/team/{team}", delete_team),
]
ROUTES += TEAM_ROUTES
_SPLIT_ROUTES += [(method, template, template.split("/"), handler, ()) for method, template, handler in TEAM_ROUTES]


# ----- routing keys and maintenance mode (enough for victorops_api's examples) --------------------------------
COMPANY_ID = "demo-company"
# The emulator does not tie API keys to users; the real API names the user behind the key.
STARTED_BY = "public-api"


def routing_keys(org, params, body):
    keys = []
    for key in org.state["routing_keys"].values():
        targets = []
        for slug in key["targets"]:
            team, policy = org.find_policy(slug)
            targets.append({"policyName": policy["name"], "policySlug": slug, "_teamUrl": "%s/team/%s" % (API, team["slug"])})
        keys.append({"routingKey": key["routingKey"], "targets": targets, "isDefault": key["isDefault"]})
    return {"routingKeys": keys, "_selfUrl": API + "/org/routing-keys"}


def maintenance_state(org, params, body):
    return {"companyId": COMPANY_ID, "activeInstances": [dict(instance) for instance in org.state["maintenance"]]}


def start_maintenance(org, params, body):
    body = _require_object(body)
    if body.get("type", "RoutingKeys") != "RoutingKeys":
        raise ApiError(400, "type must be RoutingKeys")
    names = body.get("names") or []
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ApiError(400, "names must be a list of routing keys")
    unknown = [name for name in names if name not in org.state["routing_keys"]]
    if unknown:
        raise ApiError(400, "Unknown routing key(s): %s" % ", ".join(unknown))
    if not names and any(instance["isGlobal"] for instance in org.state["maintenance"]):
        raise ApiError(409, "A global maintenance mode is already active")
    org.state["maintenance"].append(
        {
            "instanceId": str(uuid.uuid4()),
            "startedBy": STARTED_BY,
            "startedAt": int(time.time() * 1000),
            "targets": [{"type": "RoutingKeys", "names": list(names)}],
            "isGlobal": not names,
        }
    )
    return maintenance_state(org, params, body)


def end_maintenance(org, params, body):
    active = org.state["maintenance"]
    for position, instance in enumerate(active):
        if instance["instanceId"] == params["maintenancemodeid"]:
            del active[position]
            return maintenance_state(org, params, body)
    raise ApiError(404, "Maintenance mode %s is not active" % params["maintenancemodeid"])


MAINTENANCE_ROUTES = [
    ("GET", API + "/org/routing-keys", routing_keys),
    ("GET", API + "/maintenancemode", maintenance_state),
    ("POST", API + "/maintenancemode/start", start_maintenance),
    ("PUT", API + "/maintenancemode/{maintenancemodeid}/end", end_maintenance),
]
ROUTES += MAINTENANCE_ROUTES
_SPLIT_ROUTES += [(method, template, template.split("/"), handler, ()) for method, template, handler in MAINTENANCE_ROUTES]


# ----- scheduled overrides and schedules (_schedule.py) -------------------------------------------------------------
ROUTES += _schedule.SCHEDULE_ROUTES
_SPLIT_ROUTES += [(method, template, template.split("/"), handler, ()) for method, template, handler in _schedule.SCHEDULE_ROUTES]
