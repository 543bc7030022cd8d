"""End to end: victorops.oncall.victorops_api starts and ends a maintenance mode and reads routing keys through
ansible-playbook against the emulator, and sends nothing but reads in check mode."""

import pytest

pytestmark = pytest.mark.slow

ROUTING_KEYS = "/api-public/v1/org/routing-keys"
STATE = "/api-public/v1/maintenancemode"
START = "/api-public/v1/maintenancemode/start"

TASKS = """
- name: routing keys
  victorops.oncall.victorops_api:
    path: /api-public/v1/org/routing-keys
  register: routing
- name: start
  victorops.oncall.victorops_api:
    method: POST
    path: /api-public/v1/maintenancemode/start
    body:
      type: RoutingKeys
      names: "{{ routing.json.routingKeys | map(attribute='routingKey') | reject('equalto', 'everything') | list }}"
      purpose: Database upgrade
  register: started
- name: during
  victorops.oncall.victorops_api:
    path: /api-public/v1/maintenancemode
- name: end
  victorops.oncall.victorops_api:
    method: PUT
    path: "/api-public/v1/maintenancemode/{{ started.json.activeInstances[0].instanceId }}/end"
  when: started.json is not none
- name: after
  victorops.oncall.victorops_api:
    path: /api-public/v1/maintenancemode
"""


def test_maintenance_mode_and_routing_keys_check_mode_then_for_real(emulator, run_playbook):
    # 1. check mode: the reads are sent, the start is only described, nothing is written.
    run = run_playbook(TASKS, check=True)
    assert run.rc == 0, run
    start = run.result("start")
    assert start["changed"] is True and start["status"] is None
    assert start["request"] == {
        "method": "POST",
        "path": START,
        "query": None,
        "body": {"type": "RoutingKeys", "names": ["database", "web"], "purpose": "Database upgrade"},
        "sent": False,
    }
    assert run.status("end") == "skipped"
    assert emulator.writes() == [] and emulator.state["maintenance"] == []
    assert [(entry["method"], entry["path"]) for entry in emulator.log] == [("GET", ROUTING_KEYS), ("GET", STATE), ("GET", STATE)]
    emulator.clear_log()

    # 2. for real: started, visible while active, ended.
    run = run_playbook(TASKS)
    assert run.rc == 0, run
    assert [run.result(task)["changed"] for task in ("routing keys", "start", "during", "end", "after")] == [False, True, False, True, False]
    assert [run.result(task)["operation"] for task in ("routing keys", "start", "end")] == ["general"] * 3
    (instance,) = run.result("during")["json"]["activeInstances"]
    assert instance["targets"] == [{"type": "RoutingKeys", "names": ["database", "web"]}] and instance["isGlobal"] is False
    assert run.result("start")["json"]["activeInstances"] == [instance]
    assert run.result("after")["json"]["activeInstances"] == [] and emulator.state["maintenance"] == []
    assert [(entry["method"], entry["path"], entry["status"]) for entry in emulator.log] == [
        ("GET", ROUTING_KEYS, 200),
        ("POST", START, 200),
        ("GET", STATE, 200),
        ("PUT", "%s/%s/end" % (STATE, instance["instanceId"]), 200),
        ("GET", STATE, 200),
    ]
    assert emulator.writes()[0]["body"] == {"type": "RoutingKeys", "names": ["database", "web"], "purpose": "Database upgrade"}
    assert "demo-api-key" not in run.stdout
