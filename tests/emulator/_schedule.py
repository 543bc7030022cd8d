# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rotations, scheduled overrides and schedules: who is on call at an instant, and the operations that show it.

A rotation (``state["rotations"][policy]``) is ``{"members": [username], "rotates": bool, "anchor": int,
"anchor_week": int}``. A rotating policy has one member on call a week, handing over every Monday at 00:00 UTC:
the member of week ``anchor_week`` (epoch seconds of its Monday) is ``members[anchor]``, the next week's the
next member, and so on round the list. A policy that does not rotate has all its members on call every week.
Whatever the rotation says, the current week's people are the on-call list (``state["oncall"][policy]``), which
take on-call (PATCH) changes.

A scheduled override (``state["overrides"][publicId]``) is ``{"publicId", "username", "timezone", "start", "end",
"assignments": {policy: replacement username | None}}``: ``start`` and ``end`` are epoch seconds; ``username`` is
away from ``start`` (included) to ``end`` (excluded) and, in each policy of ``assignments``, replaced by the
replacement, or by nobody (a gap) while unassigned.
"""

import datetime
import uuid
import zoneinfo

from ._model import API, WEEK, ApiError, week_start
from ._variants import Variant

V2 = "/api-public/v2"
DAY = 86400
DEFAULT_DAYS_FORWARD = 14
MAX_DAYS_FORWARD = 30
OVERRIDE_FIELDS = ("username", "start", "end", "timezone")
SPEC_ASSIGNMENT_BODY = ("policy", "username")
SDK_ASSIGNMENT_BODY = ("acceptOverlap", "username")
LAST_INSTANT = 253402300799  # 9999-12-31T23:59:59Z


# ----- instants ---------------------------------------------------------------------------------------------
def parse_timezone(name):
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "timezone is required")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ApiError(400, "Unknown timezone: %s" % name) from None


def parse_instant(value, zone, field):
    """Epoch seconds (an int) of ISO 8601 text (without an offset: read in ``zone``) or epoch milliseconds."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value // 1000
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        seconds = int(value.strip()) // 1000
    elif isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value.strip())
            seconds = int((moment if moment.tzinfo else moment.replace(tzinfo=zone)).timestamp() // 1)
        except (ValueError, OverflowError):
            raise ApiError(400, "Invalid %s: %r is not an ISO 8601 instant" % (field, value)) from None
    else:
        raise ApiError(400, "Invalid %s: %r" % (field, value))
    # Answers must be able to show it: from the epoch to the last second of year 9999.
    if not 0 <= seconds <= LAST_INSTANT:
        raise ApiError(400, "Invalid %s: %r is out of range" % (field, value))
    return seconds


def render_instant(org, seconds):
    """An instant in answers: ``YYYY-MM-DDTHH:MM:SSZ``, or epoch milliseconds under ``epoch-instants``."""
    seconds = int(seconds // 1)
    if Variant.EPOCH_INSTANTS in org.variants:
        return seconds * 1000
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----- who is on call -----------------------------------------------------------------------------------------
def rotation_people(org, slug, seconds, now):
    """Who the rotation puts on call at ``seconds``: the on-call list in the current week, else the rotation's."""
    week = week_start(seconds)
    if week == week_start(now):
        return list(org.state["oncall"].get(slug, []))
    rotation = org.state["rotations"].get(slug)
    if rotation is None or not rotation["members"]:
        return []
    if not rotation["rotates"]:
        return list(rotation["members"])
    members = rotation["members"]
    return [members[(rotation["anchor"] + (week - rotation["anchor_week"]) // WEEK) % len(members)]]


def active_overrides(org, slug, seconds):
    return [override for override in org.state["overrides"].values() if slug in override["assignments"] and override["start"] <= seconds < override["end"]]


def apply_overrides(people, overrides, slug):
    """``people`` with each override's absent person replaced by the assignment's replacement, or removed."""
    people = list(people)
    for override in overrides:
        if override["username"] not in people:
            continue
        position = people.index(override["username"])
        replacement = override["assignments"][slug]
        if replacement is None or replacement in people:
            people.pop(position)
        else:
            people[position] = replacement
    return people


def oncall_at(org, slug, seconds, now=None):
    """The usernames on call for policy ``slug`` at ``seconds`` (epoch), scheduled overrides applied."""
    now = org.now() if now is None else now
    return apply_overrides(rotation_people(org, slug, seconds, now), active_overrides(org, slug, seconds), slug)


def rotation_holds(org, slug, username):
    rotation = org.state["rotations"].get(slug)
    return rotation is not None and username in rotation["members"]


# ----- scheduled overrides --------------------------------------------------------------------------------------
def _override(org, public_id):
    override = org.state["overrides"].get(public_id)
    if override is None:
        raise ApiError(404, "Scheduled override %s not found" % public_id)
    return override


def _assignment_of(org, params):
    override = _override(org, params["publicId"])
    if params["policySlug"] not in override["assignments"]:
        raise ApiError(404, "Override %s has no assignment for policy %s" % (override["publicId"], params["policySlug"]))
    return override, params["policySlug"]


def render_assignment(org, override, slug):
    found = org.find_policy(slug)
    replacement = override["assignments"][slug]
    rendered = {
        "_selfUrl": "%s/overrides/%s/assignments/%s" % (API, override["publicId"], slug),
        "team": found[0]["slug"] if found else "",
        "policy": slug,
        "assigned": replacement is not None,
    }
    if replacement is not None:
        rendered["user"] = replacement
    return rendered


def render_override(org, override):
    user = org.state["users"].get(override["username"], {})
    return {
        "publicId": override["publicId"],
        "user": {"username": override["username"], "firstName": user.get("firstName", ""), "lastName": user.get("lastName", "")},
        "timezone": override["timezone"],
        "start": render_instant(org, override["start"]),
        "end": render_instant(org, override["end"]),
        "assignments": [render_assignment(org, override, slug) for slug in override["assignments"]],
    }


def _override_url(public_id=None):
    return API + "/overrides" + ("" if public_id is None else "/" + public_id)


def list_overrides(org, params, body):
    return {"overrides": [render_override(org, o) for o in org.state["overrides"].values()], "_selfUrl": _override_url()}


def get_override(org, params, body):
    override = _override(org, params["publicId"])
    return {"override": render_override(org, override), "_selfUrl": _override_url(override["publicId"])}


def _override_fields(body):
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object")
    missing = [name for name in OVERRIDE_FIELDS if body.get(name) in (None, "")]
    if missing:
        raise ApiError(400, "Missing required field(s): %s" % ", ".join(missing))
    if not isinstance(body["username"], str):
        raise ApiError(400, "Invalid username: %r" % (body["username"],))
    zone = parse_timezone(body["timezone"])
    start, end = parse_instant(body["start"], zone, "start"), parse_instant(body["end"], zone, "end")
    if end <= start:
        raise ApiError(400, "end must be after start")
    return body["username"], body["timezone"], start, end


def create_override(org, params, body):
    username, timezone, start, end = _override_fields(body)
    username = org.user(username)["username"]
    # One unassigned assignment per escalation policy whose rotation holds the absent person, in team order.
    assignments = {}
    for team in org.state["teams"].values():
        for policy in team["policies"]:
            if rotation_holds(org, policy["slug"], username):
                assignments[policy["slug"]] = None
    public_id = str(uuid.uuid4())
    override = {"publicId": public_id, "username": username, "timezone": timezone, "start": start, "end": end, "assignments": assignments}
    org.state["overrides"][public_id] = override
    key = "schedule" if Variant.OVERRIDE_UNDER_SCHEDULE in org.variants else "override"
    return {key: render_override(org, override), "_selfUrl": _override_url(public_id)}


def delete_override(org, params, body):
    override = _override(org, params["publicId"])
    del org.state["overrides"][override["publicId"]]
    return {"result": "Scheduled override %s deleted" % override["publicId"]}


def list_assignments(org, params, body):
    override = _override(org, params["publicId"])
    return [render_assignment(org, override, slug) for slug in override["assignments"]]


def get_assignment(org, params, body):
    override, slug = _assignment_of(org, params)
    return render_assignment(org, override, slug)


def _assignment_username(org, body, slug):
    """The replacement a PUT body names; the body's keys must be exactly the spec's (or the SDK's under the variant)."""
    sdk = Variant.ASSIGNMENT_USERNAME_BODY in org.variants
    wanted = SDK_ASSIGNMENT_BODY if sdk else SPEC_ASSIGNMENT_BODY
    if not isinstance(body, dict) or tuple(sorted(body)) != wanted:
        raise ApiError(400, "The body must be exactly {%s}" % ", ".join(wanted))
    if sdk and not isinstance(body["acceptOverlap"], bool):
        raise ApiError(400, "acceptOverlap must be a boolean")
    if not sdk and body["policy"] != slug:
        raise ApiError(400, "policy %r is not the assignment's policy %s" % (body["policy"], slug))
    if not isinstance(body["username"], str) or not body["username"]:
        raise ApiError(400, "username is required")
    return body["username"]


def assign_override(org, params, body):
    override, slug = _assignment_of(org, params)
    username = _assignment_username(org, body, slug)
    override["assignments"][slug] = org.user(username)["username"]
    return render_assignment(org, override, slug)


def unassign_override(org, params, body):
    override, slug = _assignment_of(org, params)
    override["assignments"][slug] = None
    return render_assignment(org, override, slug)


# ----- schedules -------------------------------------------------------------------------------------------------
def days_forward(query):
    raw = (query or {}).get("daysForward")
    if raw is None or raw == "":
        return DEFAULT_DAYS_FORWARD
    if not str(raw).isdigit() or not 1 <= int(raw) <= MAX_DAYS_FORWARD:
        raise ApiError(400, "daysForward must be a whole number from 1 to %d" % MAX_DAYS_FORWARD)
    return int(raw)


def week_periods(start, end):
    """``[(from, to)]``: the window cut at every Monday 00:00 UTC inside it."""
    periods, cursor = [], start
    while cursor < end:
        following = min(week_start(cursor) + WEEK, end)
        periods.append((cursor, following))
        cursor = following
    return periods


def _entry(org, policy, slot, rolls, window):
    now = window[0]
    rotation = org.state["rotations"].get(policy["slug"]) or {"rotates": False}
    first = rolls[0]["onCallUser"]["username"]
    entry = {
        "onCallUser": {"username": first},
        "onCallType": "rotation_group" if rotation["rotates"] else "user",
        "rotationName": "%s rotation" % policy["name"] if rotation["rotates"] else "",
        "shiftName": "weekly" if rotation["rotates"] else "",
        "shiftRoll": render_instant(org, week_start(now) + WEEK),
        "rolls": rolls,
    }
    if rolls[0]["start"] == render_instant(org, now):
        replaced = apply_overrides([first], active_overrides(org, policy["slug"], now), policy["slug"])
        if replaced and replaced[0] != first:
            entry["overrideOnCallUser"] = {"username": replaced[0]}
    return entry


def policy_entries(org, policy, window):
    """One OnCallEntry per place in the policy's on-call list, each with a roll per week of the window."""
    slots = {}
    for start, end in week_periods(*window):
        for slot, username in enumerate(rotation_people(org, policy["slug"], start, window[0])):
            roll = {"start": render_instant(org, start), "end": render_instant(org, end), "onCallUser": {"username": username}, "isRoll": start != window[0]}
            slots.setdefault(slot, []).append(roll)
    return [_entry(org, policy, slot, slots[slot], window) for slot in sorted(slots)]


def policy_overrides(org, policy, window):
    found = []
    for override in org.state["overrides"].values():
        if policy["slug"] in override["assignments"] and override["start"] < window[1] and override["end"] > window[0]:
            replacement = override["assignments"][policy["slug"]]
            found.append(
                {
                    "origOnCallUser": {"username": override["username"]},
                    "overrideOnCallUser": None if replacement is None else {"username": replacement},
                    "start": render_instant(org, override["start"]),
                    "end": render_instant(org, override["end"]),
                }
            )
    return found


def team_schedule(org, team, window, policies=None):
    schedules = []
    for policy in team["policies"]:
        if policies is not None and policy["slug"] not in policies:
            continue
        summary = {"name": policy["name"], "slug": policy["slug"], "_selfUrl": "%s/policies/%s" % (API, policy["slug"])}
        schedules.append({"policy": summary, "schedule": policy_entries(org, policy, window), "overrides": policy_overrides(org, policy, window)})
    return {"team": {"name": team["name"], "slug": team["slug"]}, "schedules": schedules}


def _window(org, params):
    now = int(org.now() // 1)
    return now, now + days_forward(params.get("query")) * DAY


def get_team_schedule(org, params, body):
    team = org.team(params["team"])
    return team_schedule(org, team, _window(org, params))


def involves(org, slug, username):
    """Whether ``username`` is in the policy's rotation, on its on-call list, or away or covering in its overrides."""
    if rotation_holds(org, slug, username) or username in org.state["oncall"].get(slug, []):
        return True
    return any(slug in o["assignments"] and username in (o["username"], o["assignments"][slug]) for o in org.state["overrides"].values())


def get_user_schedule(org, params, body):
    username = org.user(params["user"])["username"]
    window = _window(org, params)
    schedules = []
    for team in org.state["teams"].values():
        policies = {policy["slug"] for policy in team["policies"] if involves(org, policy["slug"], username)}
        if policies or username in team["members"]:
            schedules.append(team_schedule(org, team, window, policies))
    return {"teamSchedules": schedules}


# ----- routes ------------------------------------------------------------------------------------------------------
O = API + "/overrides"
SCHEDULE_ROUTES = [
    ("GET", O, list_overrides),
    ("POST", O, create_override),
    ("GET", O + "/{publicId}", get_override),
    ("DELETE", O + "/{publicId}", delete_override),
    ("GET", O + "/{publicId}/assignments", list_assignments),
    ("GET", O + "/{publicId}/assignments/{policySlug}", get_assignment),
    ("PUT", O + "/{publicId}/assignments/{policySlug}", assign_override),
    ("DELETE", O + "/{publicId}/assignments/{policySlug}", unassign_override),
    ("GET", V2 + "/team/{team}/oncall/schedule", get_team_schedule),
    ("GET", V2 + "/user/{user}/oncall/schedule", get_user_schedule),
]
