# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Routing keys and maintenance mode: the little of them that victorops_api's examples use."""

from .conftest import READ_ONLY

START = "/maintenancemode/start"


def test_routing_keys_name_their_policies(emu, api):
    body = api.json("GET", "/org/routing-keys")
    assert body["_selfUrl"] == "/api-public/v1/org/routing-keys"
    assert [(key["routingKey"], key["isDefault"]) for key in body["routingKeys"]] == [("everything", True), ("database", False), ("web", False)]
    assert body["routingKeys"][1]["targets"] == [
        {"policyName": "Database Primary", "policySlug": "pol-Db9DemoPrimary02", "_teamUrl": "/api-public/v1/team/team-Db4DemoTeamAb002"}
    ]


def test_start_then_end_a_maintenance_mode(emu, api):
    assert api.json("GET", "/maintenancemode")["activeInstances"] == []
    started = api.json("POST", START, {"type": "RoutingKeys", "names": ["database"], "purpose": "upgrade"})
    (instance,) = started["activeInstances"]
    assert instance["targets"] == [{"type": "RoutingKeys", "names": ["database"]}] and instance["isGlobal"] is False
    assert emu.state["maintenance"] == [instance]
    assert api.json("GET", "/maintenancemode") == started
    ended = api.json("PUT", "/maintenancemode/%s/end" % instance["instanceId"])
    assert ended["activeInstances"] == [] and emu.state["maintenance"] == []
    assert api.json("PUT", "/maintenancemode/%s/end" % instance["instanceId"], status=404)["error"].endswith("is not active")


def test_refused_starts_change_nothing(emu, api):
    assert "Unknown routing key(s): nope" in api.json("POST", START, {"names": ["database", "nope"]}, status=400)["error"]
    assert api.json("POST", START, {"type": "Other"}, status=400)["error"] == "type must be RoutingKeys"
    assert emu.state["maintenance"] == []
    assert api.json("POST", START, {"names": []})["activeInstances"][0]["isGlobal"] is True
    assert api.json("POST", START, {}, status=409)["error"] == "A global maintenance mode is already active"
    assert len(emu.state["maintenance"]) == 1


def test_a_read_only_key_reads_but_does_not_start(emu, api):
    assert api.json("GET", "/org/routing-keys", credentials=READ_ONLY)["routingKeys"]
    assert api("POST", START, {"names": []}, credentials=READ_ONLY).status_code == 403
    assert emu.state["maintenance"] == []
    assert [entry["operation"] for entry in emu.log] == ["GET /api-public/v1/org/routing-keys", "POST /api-public/v1/maintenancemode/start"]
