# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every emulated operation's 200 answer against the official Swagger 2.0 spec's response schema.

The check is stricter than the spec: every property a schema declares must be present. Where the real
API is known to answer differently from the spec, the difference is listed in DEVIATIONS; each one
asserts that the real shape is present and rewrites it into the spec's shape, so a stale exception fails.
"""

import copy
import os

import pytest
import yaml

# The official spec lives beside the repository (../shared); a staged copy of the collection is told where by
# VICTOROPS_API_SPEC (scripts/test.sh sets it).
SPEC_PATH = os.environ.get("VICTOROPS_API_SPEC") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "victorops-api", "victorops-api-v1.yaml"
)
OPS = "team-Q2opsDemoTeam001"
DB = "team-Db4DemoTeamAb002"
PUSH_CONTACT = {"id": 0, "type": "Device"}

pytestmark = pytest.mark.skipif(not os.path.isfile(SPEC_PATH), reason="the official spec is not stored at %s" % os.path.normpath(SPEC_PATH))


# ----- known deviations of the real API from the spec -----------------------------------------------------
def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def user_list_nested(body):
    assert isinstance(body["users"], list) and len(body["users"]) == 1 and isinstance(body["users"][0], list)
    return dict(body, users=body["users"][0])


def oncall_current_casing(body):
    teams = []
    for team in body["teamsOnCall"]:
        assert "oncallNow" in team and "onCallNow" not in team
        now = []
        for entry in team.pop("oncallNow"):
            users = []
            for user in entry["users"]:
                assert sorted(user) == ["onCalluser"]
                users.append({"onCallUser": user["onCalluser"]})
            now.append(dict(entry, users=users))
        teams.append(dict(team, onCallNow=now))
    assert any(entry["users"] for team in teams for entry in team["onCallNow"])
    return {"teamsOnCall": teams}


def contact_type_capitalised(body):
    found = 0
    for node in _walk(body):
        contact = node.get("contact") if node.get("type") in ("email", "sms", "phone") else None
        if contact is not None:
            assert contact["type"] in ("Email", "Phone")
            contact["type"] = contact["type"].lower()
            found += 1
    assert found
    return body


def push_rule_device_contact(body):
    found = 0
    for node in _walk(body):
        if node.get("type") == "push" and "contact" in node:
            assert node["contact"] == PUSH_CONTACT
            # Stand-in inside the spec's ContactType enum, so the rest of the rule is still checked.
            node["contact"] = {"id": 0, "type": "email"}
            found += 1
    assert found
    return body


def timeout_type_string(body):
    for entry in body["timeoutTypes"]:
        assert isinstance(entry["type"], str)
        entry["type"] = int(entry["type"])
    return body


def timeout_description_plural(body):
    plural = [entry for entry in body["timeoutTypes"] if entry["description"].endswith("minutes")]
    assert len(plural) == 8
    for entry in plural:
        entry["description"] = entry["description"][: -len("s")]
    return body


def _unwrap(listing):
    assert sorted(listing) == ["_selfUrl", "contactMethods"]
    return listing["contactMethods"]


def contact_methods_envelope(body):
    if "contactMethods" in body:
        return _unwrap(body)
    return {kind: _unwrap(listing) for kind, listing in body.items()}


def contact_method_fields(body):
    found = 0
    for node in _walk(body):
        if "contactType" in node:
            assert "deviceType" not in node and sorted(node) == ["_selfUrl", "contactType", "extId", "id", "label", "rank", "value", "verified"]
            node["deviceType"] = node["contactType"]
            found += 1
    assert found
    return body


def team_member_verified_boolean(body):
    for member in body["members"]:
        assert isinstance(member["verified"], bool)
        member["verified"] = str(member["verified"]).lower()
    return body


def override_under_override(body):
    assert "override" in body and "schedule" not in body
    return dict(body, schedule=body.pop("override"))


def unassigned_without_user(body):
    found = 0
    for node in _walk(body):
        if node.get("assigned") is False:
            assert "user" not in node
            node["user"] = ""  # a stand-in, so that the rest of the assignment is still checked
            found += 1
    assert found
    return body


def entry_without_override_user(body):
    found = 0
    for node in _walk(body):
        if "onCallType" in node and "overrideOnCallUser" not in node:
            node["overrideOnCallUser"] = {"username": ""}
            found += 1
    assert found
    return body


DEVIATIONS = {
    "user-list-nested": ("GET /user nests the user list in one more list [REAL]", user_list_nested),
    "oncall-current-casing": ("oncallNow / onCalluser instead of onCallNow / onCallUser [REAL]", oncall_current_casing),
    "contact-type-capitalised": ("rule contact.type is Email / Phone, the spec enum is lowercase [FIXTURE]", contact_type_capitalised),
    "push-rule-device-contact": ("push rules carry the all-devices pseudo-contact {id: 0, type: Device} [emulator choice]", push_rule_device_contact),
    "timeout-type-string": ("timeoutTypes[].type is a string, the spec says integer [FIXTURE]", timeout_type_string),
    "timeout-description-plural": ("'… after 5 minutes', the spec enum omits the plural s [FIXTURE]", timeout_description_plural),
    "contact-methods-envelope": ("contact-method lists are {_selfUrl, contactMethods}, the spec says bare arrays [REAL]", contact_methods_envelope),
    "contact-method-fields": ("email/phone contacts are {id, label, value, contactType, rank, verified, extId}, no deviceType [REAL]", contact_method_fields),
    "team-member-verified-boolean": ("team members' verified is a boolean, the spec says string [FIXTURE]", team_member_verified_boolean),
    "override-under-override": ("the created override is under override, the spec says schedule [REAL go-victorops]", override_under_override),
    "unassigned-without-user": ("an unassigned assignment has no user [emulator choice]", unassigned_without_user),
    "entry-without-override-user": ("an on-call entry nobody overrides now has no overrideOnCallUser [emulator choice]", entry_without_override_user),
}
# The spec declares no 200 body for these; the emulator's answers are documented in docs/emulator.md.
NO_SCHEMA = {
    "DELETE /api-public/v1/user/{user}",
    "DELETE /api-public/v1/team/{team}/members/{user}",
    "DELETE /api-public/v1/team/{team}",
    "DELETE /api-public/v1/overrides/{publicId}",
}


# ----- one successful request per operation -----------------------------------------------------------
def _contact(emu, username, kind, label):
    return next(c for c in emu.state["users"][username]["contact_methods"][kind] if c["label"] == label)


def _delete_new_email(emu, api):
    created = api.json("POST", "/user/cnguyen/contact-methods/emails", {"label": "Home", "email": "home@example.org"})
    return api("DELETE", "/user/cnguyen/contact-methods/emails/" + created["extId"])


def _start_maintenance(api, names=("database",)):
    return api("POST", "/maintenancemode/start", {"type": "RoutingKeys", "names": list(names), "purpose": "upgrade"})


def _read_maintenance(emu, api):
    _start_maintenance(api)  # one instance active, so that the strict check sees every field of one
    return api("GET", "/maintenancemode")


def _end_maintenance(emu, api):
    _start_maintenance(api, names=())  # a global one stays active after the other ends
    started = _start_maintenance(api).json()["activeInstances"][-1]["instanceId"]
    return api("PUT", "/maintenancemode/%s/end" % started)


def _iso(seconds):
    import datetime

    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _override(emu, api, username="jdoe"):
    """An override of ``username`` from a minute ago for two days; its publicId."""
    now = emu.now()
    body = {"username": username, "start": _iso(now - 60), "end": _iso(now + 2 * 86400), "timezone": "Etc/UTC"}
    return api.json("POST", "/overrides", body)["override"]["publicId"]


def _assigned_override(emu, api):
    """jdoe away now, covered in both Operations policies (so that every override entry names its replacement)."""
    public_id = _override(emu, api)
    for policy, replacement in ((OPS, "bwong"), ("pol-Hs7opsDemoPol001", "cnguyen")):
        api.json("PUT", "/overrides/%s/assignments/%s" % (public_id, policy), {"policy": policy, "username": replacement})
    return public_id


def _list_overrides(emu, api):
    _override(emu, api)
    return api("GET", "/overrides")


def _schedule_of(kind, name):
    def read(emu, api):
        _assigned_override(emu, api)
        return api("GET", "%s/api-public/v2/%s/%s/oncall/schedule?daysForward=15" % (emu.url, kind, name))

    return read


ASSIGNMENT = "/overrides/%s/assignments/" + OPS
OVERRIDE_REQUESTS = {
    "GET /api-public/v1/overrides": (_list_overrides, ["unassigned-without-user"]),
    "POST /api-public/v1/overrides": (
        lambda emu, api: api("POST", "/overrides", {"username": "jdoe", "start": "2030-01-07T09:00", "end": "2030-01-14T09:00", "timezone": "Europe/Paris"}),
        ["override-under-override", "unassigned-without-user"],
    ),
    "GET /api-public/v1/overrides/{publicId}": (lambda emu, api: api("GET", "/overrides/" + _override(emu, api)), ["unassigned-without-user"]),
    "DELETE /api-public/v1/overrides/{publicId}": (lambda emu, api: api("DELETE", "/overrides/" + _override(emu, api)), []),
    "GET /api-public/v1/overrides/{publicId}/assignments": (
        lambda emu, api: api("GET", "/overrides/%s/assignments" % _override(emu, api)),
        ["unassigned-without-user"],
    ),
    "GET /api-public/v1/overrides/{publicId}/assignments/{policySlug}": (
        lambda emu, api: api("GET", ASSIGNMENT % _assigned_override(emu, api)),
        [],
    ),
    "PUT /api-public/v1/overrides/{publicId}/assignments/{policySlug}": (
        lambda emu, api: api("PUT", ASSIGNMENT % _override(emu, api), {"policy": OPS, "username": "cnguyen"}),
        [],
    ),
    "DELETE /api-public/v1/overrides/{publicId}/assignments/{policySlug}": (
        lambda emu, api: api("DELETE", ASSIGNMENT % _assigned_override(emu, api)),
        ["unassigned-without-user"],
    ),
    "GET /api-public/v2/team/{team}/oncall/schedule": (_schedule_of("team", OPS), ["entry-without-override-user"]),
    "GET /api-public/v2/user/{user}/oncall/schedule": (_schedule_of("user", "jdoe"), ["entry-without-override-user"]),
}


CAPS_AND_PUSH = ["contact-type-capitalised", "push-rule-device-contact"]
CONTACT_LISTS = ["contact-methods-envelope", "contact-method-fields"]
REQUESTS = {
    "GET /api-public/v1/policies": (lambda emu, api: api("GET", "/policies"), []),
    "GET /api-public/v1/policies/types/contacts": (lambda emu, api: api("GET", "/policies/types/contacts"), []),
    "GET /api-public/v1/policies/types/notifications": (lambda emu, api: api("GET", "/policies/types/notifications"), []),
    "GET /api-public/v1/policies/types/timeouts": (
        lambda emu, api: api("GET", "/policies/types/timeouts"),
        ["timeout-type-string", "timeout-description-plural"],
    ),
    "PATCH /api-public/v1/policies/{policy}/oncall/user": (
        lambda emu, api: api("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "jdoe", "toUser": "bwong"}),
        [],
    ),
    "GET /api-public/v1/oncall/current": (lambda emu, api: api("GET", "/oncall/current"), ["oncall-current-casing"]),
    "GET /api-public/v1/profile/{username}/policies": (lambda emu, api: api("GET", "/profile/jdoe/policies"), CAPS_AND_PUSH),
    "POST /api-public/v1/profile/{username}/policies": (
        lambda emu, api: api(
            "POST",
            "/profile/jdoe/policies",
            {"timeout": 15, "rules": [{"type": "push"}, {"type": "email", "contact": {"id": _contact(emu, "jdoe", "emails", "Work")["id"]}}]},
        ),
        CAPS_AND_PUSH,
    ),
    "GET /api-public/v1/profile/{username}/policies/{step}": (lambda emu, api: api("GET", "/profile/jdoe/policies/0"), CAPS_AND_PUSH),
    "POST /api-public/v1/profile/{username}/policies/{step}": (
        lambda emu, api: api(
            "POST", "/profile/jdoe/policies/1", {"type": "email", "contact": {"id": _contact(emu, "jdoe", "emails", "Default")["id"], "type": "email"}}
        ),
        ["contact-type-capitalised"],
    ),
    "PUT /api-public/v1/profile/{username}/policies/{step}": (
        lambda emu, api: api(
            "PUT",
            "/profile/jdoe/policies/1",
            {"timeout": 20, "rules": [{"type": "push"}, {"type": "phone", "contact": {"id": _contact(emu, "jdoe", "phones", "Mobile")["id"]}}]},
        ),
        CAPS_AND_PUSH,
    ),
    "GET /api-public/v1/profile/{username}/policies/{step}/{rule}": (lambda emu, api: api("GET", "/profile/jdoe/policies/0/1"), ["contact-type-capitalised"]),
    "PUT /api-public/v1/profile/{username}/policies/{step}/{rule}": (
        lambda emu, api: api("PUT", "/profile/jdoe/policies/0/1", {"type": "push"}),
        ["push-rule-device-contact"],
    ),
    "DELETE /api-public/v1/profile/{username}/policies/{step}/{rule}": (
        lambda emu, api: api("DELETE", "/profile/jdoe/policies/1/1"),
        ["contact-type-capitalised"],
    ),
    "GET /api-public/v1/team/{team}/policies": (lambda emu, api: api("GET", "/team/%s/policies" % DB), []),
    "GET /api-public/v1/user/{user}/policies": (lambda emu, api: api("GET", "/user/jdoe/policies"), []),
    "GET /api-public/v1/user/{user}/teams": (lambda emu, api: api("GET", "/user/asmith/teams"), []),
    "GET /api-public/v1/user": (lambda emu, api: api("GET", "/user"), ["user-list-nested"]),
    "POST /api-public/v1/user": (
        lambda emu, api: api("POST", "/user", {"firstName": "Dana", "lastName": "Kim", "username": "dkim", "email": "dana.kim@example.com"}),
        [],
    ),
    "GET /api-public/v1/user/{user}": (lambda emu, api: api("GET", "/user/jdoe"), []),
    "PUT /api-public/v1/user/{user}": (lambda emu, api: api("PUT", "/user/jdoe", {"firstName": "Jon"}), []),
    "DELETE /api-public/v1/user/{user}": (lambda emu, api: api("DELETE", "/user/bwong", {"replacement": "jdoe"}), []),
    "GET /api-public/v1/user/{user}/contact-methods": (lambda emu, api: api("GET", "/user/jdoe/contact-methods"), CONTACT_LISTS),
    "GET /api-public/v1/user/{user}/contact-methods/emails": (lambda emu, api: api("GET", "/user/jdoe/contact-methods/emails"), CONTACT_LISTS),
    "GET /api-public/v1/user/{user}/contact-methods/phones": (lambda emu, api: api("GET", "/user/jdoe/contact-methods/phones"), CONTACT_LISTS),
    "GET /api-public/v1/user/{user}/contact-methods/devices": (lambda emu, api: api("GET", "/user/jdoe/contact-methods/devices"), ["contact-methods-envelope"]),
    "POST /api-public/v1/user/{user}/contact-methods/emails": (
        lambda emu, api: api("POST", "/user/jdoe/contact-methods/emails", {"label": "Home", "email": "home@example.org", "rank": 2}),
        ["contact-method-fields"],
    ),
    "POST /api-public/v1/user/{user}/contact-methods/phones": (
        lambda emu, api: api("POST", "/user/jdoe/contact-methods/phones", {"label": "Home", "phone": "+1-555-0177"}),
        ["contact-method-fields"],
    ),
    "DELETE /api-public/v1/user/{user}/contact-methods/emails/{contactId}": (_delete_new_email, ["contact-method-fields"]),
    "DELETE /api-public/v1/user/{user}/contact-methods/phones/{contactId}": (
        lambda emu, api: api("DELETE", "/user/bwong/contact-methods/phones/" + _contact(emu, "bwong", "phones", "Desk")["extId"]),
        ["contact-method-fields"],
    ),
    "GET /api-public/v1/team": (lambda emu, api: api("GET", "/team"), []),
    "GET /api-public/v1/team/{team}/members": (lambda emu, api: api("GET", "/team/%s/members" % OPS), ["team-member-verified-boolean"]),
    "POST /api-public/v1/team/{team}/members": (lambda emu, api: api("POST", "/team/%s/members" % DB, {"username": "jdoe"}), ["team-member-verified-boolean"]),
    "DELETE /api-public/v1/team/{team}/members/{user}": (lambda emu, api: api("DELETE", "/team/%s/members/cnguyen" % DB, {"replacement": "asmith"}), []),
    "POST /api-public/v1/team": (lambda emu, api: api("POST", "/team", {"name": "Platform"}), []),
    "PUT /api-public/v1/team/{team}": (lambda emu, api: api("PUT", "/team/%s" % DB, {"name": "Databases"}), []),
    "DELETE /api-public/v1/team/{team}": (lambda emu, api: api("DELETE", "/team/" + api("POST", "/team", {"name": "Short-lived"}).json()["slug"]), []),
    "GET /api-public/v1/org/routing-keys": (lambda emu, api: api("GET", "/org/routing-keys"), []),
    # With one instance active, so that the strict check sees every field of one.
    "GET /api-public/v1/maintenancemode": (_read_maintenance, []),
    "POST /api-public/v1/maintenancemode/start": (lambda emu, api: _start_maintenance(api), []),
    "PUT /api-public/v1/maintenancemode/{maintenancemodeid}/end": (_end_maintenance, []),
    **OVERRIDE_REQUESTS,
}


# ----- Swagger 2.0 -> JSON Schema -----------------------------------------------------------------------
def _require_declared(node):
    """Make every declared property required (the spec lists few `required`; the emulator must still send them all)."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            node["required"] = sorted(node["properties"])
        for value in node.values():
            _require_declared(value)
    elif isinstance(node, list):
        for value in node:
            _require_declared(value)


@pytest.fixture(scope="module")
def spec():
    with open(SPEC_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def response_validator(spec, operation):
    import jsonschema

    method, template = operation.split(" ", 1)
    schema = spec["paths"][template][method.lower()]["responses"]["200"].get("schema")
    if schema is None:
        return None
    # Swagger 2.0 schema objects are a JSON Schema draft 4 subset; $refs point at #/definitions/.
    document = copy.deepcopy(schema)
    document["definitions"] = copy.deepcopy(spec["definitions"])
    _require_declared(document)
    return jsonschema.Draft4Validator(document)


def test_every_emulated_operation_is_in_the_spec_and_has_a_request(spec):
    from ansible_collections.victorops.oncall.tests.emulator import ROUTES

    operations = {"%s %s" % (method, template) for method, template, _handler in ROUTES}
    assert operations == set(REQUESTS)
    for operation in operations:
        method, template = operation.split(" ", 1)
        assert method.lower() in spec["paths"].get(template, {}), operation


def test_every_listed_deviation_is_used():
    used = {name for _call, names in REQUESTS.values() for name in names}
    assert used == set(DEVIATIONS)


def test_operations_without_a_spec_schema_are_exactly_the_listed_ones(spec):
    missing = {operation for operation in REQUESTS if response_validator(spec, operation) is None}
    assert missing == NO_SCHEMA


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_response_conforms_to_the_spec(spec, emu, api, operation):
    send, deviations = REQUESTS[operation]
    response = send(emu, api)
    assert response.status_code == 200, response.text
    assert emu.log[-1]["operation"] == operation
    body = response.json()
    for name in deviations:
        body = DEVIATIONS[name][1](body)
    validator = response_validator(spec, operation)
    if validator is None:
        assert operation in NO_SCHEMA
        return
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.path))
    assert not errors, "\n".join("%s: %s" % (list(e.path), e.message) for e in errors)


def test_the_strict_check_can_fail(spec):
    validator = response_validator(spec, "GET /api-public/v1/profile/{username}/policies")
    assert not validator.is_valid({"steps": [{"index": 0, "timeout": 5}], "_selfUrl": "/x"})
    assert not validator.is_valid({"steps": [{"index": 0, "timeout": 7, "rules": []}], "_selfUrl": "/x"})
    assert validator.is_valid({"steps": [{"index": 0, "timeout": 5, "rules": []}], "_selfUrl": "/x"})
