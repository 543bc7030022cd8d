# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-memory organisation of the VictorOps emulator: seed loading, state and the API's semantics.

The state is plain data (dicts and lists) so that tests can assert on it directly::

    {
      "users": {username: {"username", "firstName", "lastName", "email", "userId": int, "version": int,
                           "verified": bool, "createdAt", "passwordLastUpdated",
                           "contact_methods": {"emails": [contact], "phones": [contact], "devices": [device]},
                           "paging_policy": [{"timeout": int, "rules": [{"type": str, "contact_id": int | None}]}]}},
      "teams": {slug: {"name", "slug", "version": int, "isDefaultTeam": bool, "members": [username],
                       "policies": [{"name", "slug"}]}},
      "oncall": {policy_slug: [username]},
      "rotations": {policy_slug: {"members": [username], "rotates": bool, "anchor": int, "anchor_week": int}},
      "overrides": {publicId: {"publicId", "username", "timezone", "start", "end", "assignments": {policy_slug: username | None}}},
      "next_contact_id": int, "next_user_id": int,
    }

``oncall`` is who is on call in the current week; ``rotations`` and ``overrides`` are described in _schedule.py.

A contact is ``{"id": int, "label", "value", "contactType": "Email"|"Phone", "rank": int,
"verified": "verified"|"unverified", "extId": uuid4}``; a device is ``{"id": int, "label", "deviceType", "extId"}``.
Push rules store ``contact_id: None``.
"""

import copy
import datetime
import os
import time
import uuid

import yaml

from ._variants import Variant, format_phone

DEFAULT_SEED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "default.yml")

API = "/api-public/v1"
TIMEOUTS = (1, 5, 10, 15, 20, 25, 30, 45, 60)
NOTIFICATION_TYPES = ("push", "email", "sms", "phone")
# Notification type -> the contact-method collection its contact must come from (push pages every device).
CONTACT_KIND = {"email": "emails", "sms": "phones", "phone": "phones"}
CONTACT_TYPE_NAME = {"emails": "Email", "phones": "Phone"}
# What a push rule's contact looks like in responses; clients must ignore it.
PUSH_CONTACT = {"id": 0, "type": "Device"}
DEFAULT_RANK = 500
FIRST_CONTACT_ID = 100001
FIRST_USER_ID = 450001
WEEK = 7 * 86400
# 1970-01-05, the first Monday 00:00 UTC of the epoch: rotations hand over every Monday at 00:00 UTC.
FIRST_MONDAY = 4 * 86400


def week_start(seconds):
    """The Monday 00:00 UTC (epoch seconds) that starts the week holding ``seconds``."""
    seconds = int(seconds // 1)
    return seconds - (seconds - FIRST_MONDAY) % WEEK


class ApiError(Exception):
    """An API answer other than 200: ``status`` and the ``{"error": message}`` body.

    ``refusal`` marks a refusal of a well-formed request because of the organisation's state (a taken name, a
    duplicate): every 422, and the duplicate contact method. The ``error-200`` variant answers those with 200.
    """

    def __init__(self, status, message, refusal=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.refusal = status == 422 if refusal is None else refusal


def _now():
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_seed(seed=None):
    """Return the seed as a dict: ``None`` is the default seed, a str is a YAML file path, a dict is copied."""
    if seed is None:
        seed = DEFAULT_SEED_PATH
    if isinstance(seed, dict):
        return copy.deepcopy(seed)
    with open(seed, "r", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise TypeError("seed %s is not a mapping" % seed)
    return data


def parse_timeout(value):
    """A step timeout as int, accepting an int or a numeric string; ApiError(400) otherwise."""
    if isinstance(value, bool):
        raise ApiError(400, "Invalid timeout: %r" % (value,))
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value not in TIMEOUTS:
        raise ApiError(400, "Invalid timeout: %r (allowed: %s)" % (value, ", ".join(str(t) for t in TIMEOUTS)))
    return value


class Organisation:
    """The mutable state and every operation's semantics. Callers hold the emulator lock."""

    def __init__(self, seed, variants=frozenset(), clock=None):
        self.variants = frozenset(variants)
        # The real clock by default; a test may pass another callable returning epoch seconds.
        self.clock = clock or time.time
        self.state = {"users": {}, "teams": {}, "oncall": {}, "next_contact_id": FIRST_CONTACT_ID, "next_user_id": FIRST_USER_ID}
        self._build(seed)
        self._build_routing_keys(seed)
        self._build_rotations(seed)

    def now(self):
        """The instant (epoch seconds, a float) the organisation lives at."""
        return self.clock()

    # ----- variant-dependent storage forms ---------------------------------------------------------
    def key(self, username):
        """The stored form of a username: lower case under ``case-insensitive-users``, else as given."""
        if isinstance(username, str) and Variant.CASE_INSENSITIVE_USERS in self.variants:
            return username.lower()
        return username

    def stored_value(self, kind, value):
        """The stored form of a contact value: the API's own format under ``reformat-contacts``, else as given."""
        if Variant.REFORMAT_CONTACTS not in self.variants:
            return value
        return value.lower() if kind == "emails" else format_phone(value)

    # ----- construction from a seed -------------------------------------------------------------
    def _next_contact_id(self):
        value = self.state["next_contact_id"]
        self.state["next_contact_id"] = value + 1
        return value

    def _next_user_id(self):
        value = self.state["next_user_id"]
        self.state["next_user_id"] = value + 1
        return value

    def _build(self, seed):
        for entry in seed.get("users") or []:
            self._seed_user(entry)
        for entry in seed.get("teams") or []:
            slug = entry["slug"]
            if not slug.startswith("team-"):
                raise ValueError("team slug %r must start with 'team-'" % slug)
            members = [self.key(username) for username in entry.get("members") or []]
            for username in members:
                if username not in self.state["users"]:
                    raise ValueError("team %s lists unknown member %r" % (slug, username))
            policies = []
            for policy in entry.get("policies") or []:
                if not policy["slug"].startswith(("pol-", "team-")):
                    raise ValueError("policy slug %r must start with 'pol-' or 'team-'" % policy["slug"])
                policies.append({"name": policy["name"], "slug": policy["slug"]})
            self.state["teams"][slug] = {
                "name": entry["name"],
                "slug": slug,
                "version": int(entry.get("version", 1)),
                "isDefaultTeam": bool(entry.get("isDefaultTeam", False)),
                "members": members,
                "policies": policies,
            }
        for entry in seed.get("oncall") or []:
            if self.find_policy(entry["policy"]) is None:
                raise ValueError("oncall names unknown policy %r" % entry["policy"])
            users = [self.key(username) for username in entry.get("users") or []]
            for username in users:
                if username not in self.state["users"]:
                    raise ValueError("oncall for %s names unknown user %r" % (entry["policy"], username))
            self.state["oncall"][entry["policy"]] = users

    def _seed_user(self, entry):
        username = self.key(entry["username"])
        if username in self.state["users"]:
            raise ValueError("duplicate user %r in seed" % username)
        user = self._new_user(entry["firstName"], entry["lastName"], username, entry["email"], verified=bool(entry.get("verified", True)))
        methods = entry.get("contact_methods") or {}
        for kind in ("emails", "phones"):
            for contact in methods.get(kind) or []:
                verified = contact.get("verified", True)
                if isinstance(verified, bool):
                    verified = "verified" if verified else "unverified"
                if kind == "emails" and str(contact["value"]).lower() == user["email"].lower():
                    # The signup email is already the "Default" contact; the seed may relabel or re-verify it.
                    default = user["contact_methods"]["emails"][0]
                    default.update(label=contact.get("label", default["label"]), verified=verified)
                    continue
                user["contact_methods"][kind].append(self._new_contact(kind, contact["label"], contact["value"], contact.get("rank", DEFAULT_RANK), verified))
        for device in methods.get("devices") or []:
            user["contact_methods"]["devices"].append(
                {"id": self._next_contact_id(), "label": device["label"], "deviceType": device.get("deviceType", "iOS"), "extId": str(uuid.uuid4())}
            )
        if entry.get("paging_policy"):
            steps = []
            for step in entry["paging_policy"]:
                rules = []
                for rule in step.get("rules") or []:
                    rules.append(self._seed_rule(user, rule))
                if not rules:
                    raise ValueError("user %s: a paging policy step needs at least one rule" % username)
                try:
                    timeout = parse_timeout(step.get("timeout"))
                except ApiError as error:
                    raise ValueError("user %s: %s" % (username, error.message)) from None
                steps.append({"timeout": timeout, "rules": rules})
            user["paging_policy"] = steps
        self.state["users"][username] = user

    def _seed_rule(self, user, rule):
        rule_type = rule.get("type")
        if rule_type not in NOTIFICATION_TYPES:
            raise ValueError("user %s: unknown rule type %r" % (user["username"], rule_type))
        if rule_type == "push":
            return {"type": "push", "contact_id": None}
        wanted = rule.get("contact")
        if wanted is None:
            # An email, sms or phone rule without a contact (the API falls back to push); see docs/emulator.md.
            return {"type": rule_type, "contact_id": None}
        kind = CONTACT_KIND[rule_type]
        stored = self.stored_value(kind, wanted) if isinstance(wanted, str) else wanted
        for contact in user["contact_methods"][kind]:
            if wanted in (contact["value"], contact["label"], contact["id"]) or stored == contact["value"]:
                return {"type": rule_type, "contact_id": contact["id"]}
        raise ValueError("user %s: rule %s names unknown contact %r" % (user["username"], rule_type, wanted))

    def _new_contact(self, kind, label, value, rank, verified):
        return {
            "id": self._next_contact_id(),
            "label": label,
            "value": self.stored_value(kind, value),
            "contactType": CONTACT_TYPE_NAME[kind],
            "rank": rank,
            "verified": verified,
            "extId": str(uuid.uuid4()),
        }

    def _new_user(self, first, last, username, email, verified):
        stamp = _now()
        default_email = self._new_contact("emails", "Default", email, DEFAULT_RANK, "verified" if verified else "unverified")
        return {
            "username": self.key(username),
            "firstName": first,
            "lastName": last,
            "email": self.stored_value("emails", email),
            "userId": self._next_user_id(),
            "version": 1 if verified else 0,
            "verified": verified,
            "createdAt": stamp,
            "passwordLastUpdated": stamp,
            "contact_methods": {"emails": [default_email], "phones": [], "devices": []},
            # Default policy of a new user (the real one is unknown): one 5-minute step, push then the Default email.
            "paging_policy": [{"timeout": 5, "rules": [{"type": "push", "contact_id": None}, {"type": "email", "contact_id": default_email["id"]}]}],
        }

    # ----- lookups ---------------------------------------------------------------------------------
    def user(self, username):
        user = self.state["users"].get(self.key(username))
        if user is None:
            raise ApiError(404, "User not found")
        return user

    def team(self, slug):
        team = self.state["teams"].get(slug)
        if team is None:
            raise ApiError(404, "Team not found")
        return team

    def find_policy(self, slug):
        for team in self.state["teams"].values():
            for policy in team["policies"]:
                if policy["slug"] == slug:
                    return team, policy
        return None

    def contact_by_id(self, user, contact_id):
        for kind in ("emails", "phones"):
            for contact in user["contact_methods"][kind]:
                if contact["id"] == contact_id:
                    return kind, contact
        return None, None

    # ----- rendering -------------------------------------------------------------------------------
    @staticmethod
    def render_user(user):
        return {
            "firstName": user["firstName"],
            "lastName": user["lastName"],
            "username": user["username"],
            "email": user["email"],
            "createdAt": user["createdAt"],
            "passwordLastUpdated": user["passwordLastUpdated"],
            "verified": user["verified"],
            "_selfUrl": "%s/user/%s" % (API, user["username"]),
        }

    def render_rule(self, user, index, rule):
        if rule["type"] == "push":
            if Variant.CONTACTLESS_RULES in self.variants:
                return {"index": index, "type": "push"}
            contact = dict(PUSH_CONTACT)
        elif rule["contact_id"] is None:
            # A contact-less email, sms or phone rule (seeded): no contact key at all.
            return {"index": index, "type": rule["type"]}
        else:
            kind, _found = self.contact_by_id(user, rule["contact_id"])
            contact = {"id": rule["contact_id"], "type": CONTACT_TYPE_NAME[kind or CONTACT_KIND[rule["type"]]]}
        return {"index": index, "type": rule["type"], "contact": contact}

    def render_step(self, user, index, step):
        return {"index": index, "timeout": step["timeout"], "rules": [self.render_rule(user, i, rule) for i, rule in enumerate(step["rules"])]}

    def render_steps(self, user):
        return [self.render_step(user, i, step) for i, step in enumerate(user["paging_policy"])]

    @staticmethod
    def render_contact(username, kind, contact):
        body = dict(contact)
        body["_selfUrl"] = "%s/user/%s/contact-methods/%s/%s" % (API, username, kind, contact["extId"])
        return body

    def render_contact_list(self, username, kind):
        user = self.user(username)
        username = user["username"]
        return {
            "_selfUrl": "%s/user/%s/contact-methods/%s" % (API, username, kind),
            "contactMethods": [self.render_contact(username, kind, c) for c in user["contact_methods"][kind]],
        }

    def render_members(self, team):
        members = []
        for username in team["members"]:
            user = self.state["users"][username]
            members.append(
                {"username": username, "firstName": user["firstName"], "lastName": user["lastName"], "version": user["version"], "verified": user["verified"]}
            )
        base = "%s/team/%s" % (API, team["slug"])
        return {"_selfUrl": base + "/members", "_teamUrl": base, "members": members}

    def policy_infos(self, teams):
        infos = []
        for team in teams:
            for policy in team["policies"]:
                infos.append(
                    {
                        "policy": {"name": policy["name"], "slug": policy["slug"], "_selfUrl": "%s/policies/%s" % (API, policy["slug"])},
                        "team": {"name": team["name"], "slug": team["slug"]},
                    }
                )
        return {"policies": infos}

    # ----- paging-policy validation ----------------------------------------------------------------
    def parse_rule(self, user, body):
        if not isinstance(body, dict):
            raise ApiError(400, "A rule must be a JSON object")
        rule_type = body.get("type")
        if rule_type not in NOTIFICATION_TYPES:
            raise ApiError(400, "Invalid notification type: %r (allowed: %s)" % (rule_type, ", ".join(NOTIFICATION_TYPES)))
        if rule_type == "push":
            return {"type": "push", "contact_id": None}
        contact = body.get("contact")
        if not isinstance(contact, dict) or "id" not in contact:
            raise ApiError(400, "A %s rule needs a contact with an id" % rule_type)
        contact_id = contact["id"]
        if isinstance(contact_id, bool) or not isinstance(contact_id, int):
            raise ApiError(400, "Invalid contact id: %r" % (contact_id,))
        wanted_kind = CONTACT_KIND[rule_type]
        declared = contact.get("type")
        if declared is not None and str(declared).lower() != CONTACT_TYPE_NAME[wanted_kind].lower():
            raise ApiError(400, "A %s rule needs a contact of type %s, not %r" % (rule_type, CONTACT_TYPE_NAME[wanted_kind].lower(), declared))
        kind, _found = self.contact_by_id(user, contact_id)
        if kind != wanted_kind:
            raise ApiError(400, "Contact %s is not one of %s's %s" % (contact_id, user["username"], wanted_kind))
        return {"type": rule_type, "contact_id": contact_id}

    def parse_step(self, user, body):
        if not isinstance(body, dict):
            raise ApiError(400, "A step must be a JSON object")
        if "timeout" not in body:
            raise ApiError(400, "A step needs a timeout")
        timeout = parse_timeout(body["timeout"])
        rules = body.get("rules")
        if not isinstance(rules, list) or not rules:
            raise ApiError(400, "A step needs at least one rule")
        return {"timeout": timeout, "rules": [self.parse_rule(user, rule) for rule in rules]}

    @staticmethod
    def parse_index(raw, what, length):
        if not raw.isdigit():
            raise ApiError(400, "Invalid %s index: %s" % (what, raw))
        index = int(raw)
        if index >= length:
            raise ApiError(400, "%s %d does not exist" % (what.capitalize(), index))
        return index

    # ----- team and user changes shared by several operations --------------------------------------
    def hand_over_oncall(self, username, replacement, policy_slugs=None):
        """Give ``username``'s on-call places to ``replacement`` (in the given policies, or all of them)."""
        username, replacement = self.key(username), self.key(replacement)
        for slug, users in self.state["oncall"].items():
            if policy_slugs is not None and slug not in policy_slugs:
                continue
            if username in users:
                position = users.index(username)
                if replacement in users:
                    users.pop(position)
                else:
                    users[position] = replacement

    def hand_over_rotations(self, username, replacement, policy_slugs=None):
        """Give ``username``'s places in rotations to ``replacement`` (a user leaving a team or the organisation)."""
        username, replacement = self.key(username), self.key(replacement)
        for slug, rotation in self.state["rotations"].items():
            members = rotation["members"]
            if (policy_slugs is not None and slug not in policy_slugs) or username not in members:
                continue
            position = members.index(username)
            if replacement in members:
                members.pop(position)
                # The anchor keeps naming the same person (or the next one when it was the one who left).
                if position < rotation["anchor"]:
                    rotation["anchor"] -= 1
                elif rotation["anchor"] >= len(members):
                    rotation["anchor"] = 0
            else:
                members[position] = replacement

    def forget_overrides_of(self, username):
        """A deleted user's overrides go, and assignments that named them become unassigned."""
        username = self.key(username)
        overrides = self.state["overrides"]
        for public_id in [key for key, override in overrides.items() if override["username"] == username]:
            del overrides[public_id]
        for override in overrides.values():
            for policy, replacement in override["assignments"].items():
                if replacement == username:
                    override["assignments"][policy] = None

    def rules_using(self, user, contact_id):
        return [rule for step in user["paging_policy"] for rule in step["rules"] if rule["contact_id"] == contact_id]

    def add_user(self, body):
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a JSON object")
        missing = [name for name in ("firstName", "lastName", "username", "email") if not isinstance(body.get(name), str) or not body.get(name).strip()]
        if missing:
            raise ApiError(400, "Missing required field(s): %s" % ", ".join(missing))
        username = body["username"]
        if "/" in username or any(ch.isspace() for ch in username):
            raise ApiError(400, "Invalid username: %r" % username)
        for existing in self.state["users"].values():
            if existing["username"].lower() == username.lower():
                raise ApiError(422, "User name %s is unavailable" % username)
            if existing["email"].lower() == body["email"].lower():
                raise ApiError(422, "Email %s is unavailable" % body["email"])
        user = self._new_user(body["firstName"], body["lastName"], username, body["email"], verified=False)
        self.state["users"][user["username"]] = user
        return user

    def add_contact(self, user, kind, body):
        field = "email" if kind == "emails" else "phone"
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a JSON object")
        label, value = body.get("label"), body.get(field)
        if not isinstance(label, str) or not label.strip() or not isinstance(value, str) or not value.strip():
            raise ApiError(400, "label and %s are required" % field)
        rank = body.get("rank", DEFAULT_RANK)
        if isinstance(rank, bool) or not isinstance(rank, int):
            raise ApiError(400, "Invalid rank: %r" % (rank,))
        for existing in user["contact_methods"][kind]:
            if existing["value"].lower() == self.stored_value(kind, value).lower():
                raise ApiError(400, "Contact method %s already exists for user %s" % (value, user["username"]), refusal=True)
        contact = self._new_contact(kind, label, value, rank, "unverified")
        user["contact_methods"][kind].append(contact)
        return contact

    # ----- routing keys and maintenance mode ----------------------------------------------------------
    def _build_routing_keys(self, seed):
        """``routing_keys``: ``{name: {"routingKey", "targets": [policy slug], "isDefault"}}``; ``maintenance``: the active instances."""
        self.state["routing_keys"], self.state["maintenance"] = {}, []
        for entry in seed.get("routing_keys") or []:
            for slug in entry.get("targets") or []:
                if self.find_policy(slug) is None:
                    raise ValueError("routing key %r targets unknown policy %r" % (entry["routingKey"], slug))
            self.state["routing_keys"][entry["routingKey"]] = {
                "routingKey": entry["routingKey"],
                "targets": list(entry.get("targets") or []),
                "isDefault": bool(entry.get("isDefault", False)),
            }

    # ----- rotations and scheduled overrides ----------------------------------------------------------
    def _build_rotations(self, seed):
        """Each policy's rotation: its seed ``rotation`` (one member a week), else its on-call list (all every week)."""
        self.state["rotations"], self.state["overrides"] = {}, {}
        this_week = week_start(self.now())
        for entry in seed.get("teams") or []:
            for policy in entry.get("policies") or []:
                slug = policy["slug"]
                current = self.state["oncall"].get(slug, [])
                if policy.get("rotation") is None:
                    self.state["rotations"][slug] = {"members": list(current), "rotates": False, "anchor": 0, "anchor_week": this_week}
                    continue
                members = [self.key(username) for username in policy["rotation"]]
                unknown = [username for username in members if username not in self.state["users"]]
                if unknown or not members or len(set(members)) != len(members):
                    raise ValueError("policy %s: the rotation must list distinct known users (unknown: %s)" % (slug, ", ".join(unknown) or "none"))
                # This week is the on-call list's; the rotation goes on from its first on-call person, or, when the
                # list names nobody of the rotation, starts with its first member next week.
                anchor = members.index(current[0]) if current and current[0] in members else len(members) - 1
                self.state["rotations"][slug] = {"members": members, "rotates": True, "anchor": anchor, "anchor_week": this_week}
