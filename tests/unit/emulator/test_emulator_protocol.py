# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication, routing, the request log, control endpoints, reset and seeds."""

import json
import os
import time

import pytest
import requests
import yaml

READ_ONLY = ("demo-readonly-id", "demo-readonly-key")
OPS = "team-Q2opsDemoTeam001"


def test_missing_credentials_is_401(api):
    for headers in ({}, {"X-VO-Api-Id": "demo-api-id"}, {"X-VO-Api-Key": "demo-api-key"}):
        response = api("GET", "/user", credentials=None, headers=headers)
        assert (response.status_code, response.json()) == (401, {"error": "Authentication parameters missing"})


def test_wrong_key_is_403(api):
    for credentials in (("demo-api-id", "wrong"), ("unknown", "demo-api-key"), ("demo-readonly-id", "demo-api-key")):
        response = api("GET", "/user", credentials=credentials)
        assert (response.status_code, response.json()) == (403, {"error": "Authentication failed"})


def test_header_names_are_case_insensitive(api):
    response = api("GET", "/user", credentials=None, headers={"x-vo-api-id": "demo-api-id", "X-VO-API-KEY": "demo-api-key"})
    assert response.status_code == 200


def test_read_only_key_may_only_get(emu, api):
    assert api("GET", "/profile/jdoe/policies", credentials=READ_ONLY).status_code == 200
    for method, path, body in (
        ("POST", "/user", {"firstName": "A", "lastName": "B", "username": "ab", "email": "ab@example.com"}),
        ("PUT", "/profile/jdoe/policies/0", {"timeout": 1, "rules": [{"type": "push"}]}),
        ("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "jdoe", "toUser": "bwong"}),
        ("DELETE", "/profile/jdoe/policies/1/1", None),
    ):
        response = api(method, path, body, credentials=READ_ONLY)
        assert (response.status_code, response.json()) == (403, {"error": "This API key is read-only: only GET requests are allowed"})
    assert "ab" not in emu.state["users"]
    assert emu.state["oncall"][OPS] == ["jdoe"]
    assert len(emu.paging_policy("jdoe")) == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api-public/v1/nothing"), ("GET", "/api-public/v1/user/"), ("DELETE", "/api-public/v1/profile/jdoe/policies/1"), ("GET", "/")],
)
def test_unknown_route_is_404_path_not_found(emu, api, method, path):
    response = api(method, emu.url + path)
    assert (response.status_code, response.json()) == (404, {"error": "Path not found"})
    assert emu.log[-1]["operation"] is None


def test_log_records_requests_without_credentials(emu, api):
    before = time.time()
    api("GET", "/profile/jdoe/policies?verbose=1", data="{}")
    api("PUT", "/profile/jdoe/policies/0", {"timeout": 1, "rules": [{"type": "push"}]})
    api("GET", "/user", credentials=("demo-api-id", "wrong"))
    log = emu.log
    assert [(e["method"], e["path"], e["status"], e["operation"]) for e in log] == [
        ("GET", "/api-public/v1/profile/jdoe/policies", 200, "GET /api-public/v1/profile/{username}/policies"),
        ("PUT", "/api-public/v1/profile/jdoe/policies/0", 200, "PUT /api-public/v1/profile/{username}/policies/{step}"),
        ("GET", "/api-public/v1/user", 403, "GET /api-public/v1/user"),
    ]
    assert log[0]["query"] == {"verbose": "1"}
    assert log[0]["body"] == {}
    assert log[1]["body"] == {"timeout": 1, "rules": [{"type": "push"}]}
    assert [e["api_id"] for e in log] == ["demo-api-id"] * 3
    assert [e["fault"] for e in log] == [None, None, None]
    assert all(before <= e["time"] <= time.time() for e in log)
    assert sorted(log[0]) == ["api_id", "body", "fault", "method", "operation", "path", "query", "status", "time"]
    assert "demo-api-key" not in json.dumps(log)
    assert "wrong" not in json.dumps(log)


def test_calls_writes_and_clear_log(emu, api):
    api("GET", "/profile/jdoe/policies")
    api("GET", "/profile/asmith/policies")
    api("POST", "/profile/asmith/policies/0", {"type": "push"})
    api("GET", "/user")
    assert [e["path"] for e in emu.calls(operation="GET /api-public/v1/profile/{username}/policies")] == [
        "/api-public/v1/profile/jdoe/policies",
        "/api-public/v1/profile/asmith/policies",
    ]
    assert [e["path"] for e in emu.calls(method="GET", path="*/asmith/*")] == ["/api-public/v1/profile/asmith/policies"]
    assert [e["path"] for e in emu.calls(path="/api-public/v1/user")] == ["/api-public/v1/user"]
    assert [(e["method"], e["path"]) for e in emu.writes()] == [("POST", "/api-public/v1/profile/asmith/policies/0")]
    emu.clear_log()
    assert emu.log == []


def test_control_endpoints(emu, api):
    api("GET", "/user")
    log = api.json("GET", "/_emulator/log", credentials=None)
    assert [(e["method"], e["path"]) for e in log] == [("GET", "/api-public/v1/user")]
    state = api.json("GET", "/_emulator/state", credentials=None)
    assert sorted(state["users"]) == ["asmith", "bwong", "cnguyen", "jdoe"]
    assert state["oncall"][OPS] == ["jdoe"]
    assert api.json("POST", "/_emulator/faults", {"method": "GET", "path": "/api-public/v1/user", "kind": "503", "count": 1}, credentials=None) == {
        "result": "ok"
    }
    assert api("GET", "/user").status_code == 503
    bad = api("POST", "/_emulator/faults", {"method": "GET", "path": "*", "kind": "explode"}, credentials=None)
    assert bad.status_code == 400
    assert "unknown fault kind 'explode'" in bad.json()["error"]
    assert api.json("DELETE", "/_emulator/log", credentials=None) == {"result": "ok"}
    assert emu.log == []
    api("POST", "/profile/jdoe/policies", {"timeout": 1, "rules": [{"type": "push"}]})
    assert len(emu.paging_policy("jdoe")) == 3
    assert api.json("POST", "/_emulator/reset", credentials=None) == {"result": "ok"}
    assert len(emu.paging_policy("jdoe")) == 2
    assert emu.log == []
    assert api("GET", "/_emulator/other", credentials=None).status_code == 404


def test_control_reset_with_a_seed_dict(emu, api):
    seed = {"api_keys": [{"api_id": "i", "api_key": "k"}], "users": [{"username": "solo", "firstName": "S", "lastName": "O", "email": "s@example.com"}]}
    api.json("POST", "/_emulator/reset", {"seed": seed}, credentials=None)
    assert sorted(emu.state["users"]) == ["solo"]
    assert api("GET", "/user").status_code == 403
    assert api("GET", "/user", credentials=("i", "k")).status_code == 200


def test_reset_restores_state_and_clears_log_faults_and_windows(make_emulator):
    emulator, call = make_emulator(window=60, limits="seed")
    assert call("GET", "/policies").status_code == 200
    assert call("GET", "/policies").status_code == 429
    call("PATCH", "/policies/%s/oncall/user" % OPS, {"fromUser": "jdoe", "toUser": "bwong"})
    emulator.inject("GET", "*", "500", count=5)
    emulator.reset()
    assert emulator.log == []
    assert emulator.state["oncall"][OPS] == ["jdoe"]
    assert call("GET", "/policies").status_code == 200
    assert [e["status"] for e in emulator.log] == [200]


def test_constructor_and_inject_validation(emu):
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    with pytest.raises(ValueError, match="limits must be one of 2020, 2ps, off, seed"):
        Emulator(limits="2019")
    with pytest.raises(ValueError, match="rate_limit_status must be 429 or 403"):
        Emulator(rate_limit_status=500)
    with pytest.raises(ValueError, match="takes no option"):
        emu.inject("GET", "*", "500", seconds=1)
    with pytest.raises(ValueError, match="count must be a positive integer"):
        emu.inject("GET", "*", "500", count=0)


def test_window_defaults_to_the_environment(monkeypatch):
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    monkeypatch.setenv("VICTOROPS_RATE_WINDOW", "2.5")
    assert Emulator().window == 2.5
    assert Emulator(window=0.5).window == 0.5
    monkeypatch.delenv("VICTOROPS_RATE_WINDOW")
    assert Emulator().window == 60.0


def test_context_manager_starts_and_stops():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    with Emulator(limits="off") as emulator:
        url = emulator.url
        assert url.startswith("http://127.0.0.1:")
        response = requests.get(url + "/api-public/v1/user", headers={"X-VO-Api-Id": "demo-api-id", "X-VO-Api-Key": "demo-api-key"}, timeout=5)
        assert response.status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/api-public/v1/user", timeout=2)


def test_default_seed_file_and_load_seed(tmp_path):
    from ansible_collections.victorops.oncall.tests.emulator import DEFAULT_SEED_PATH, load_seed

    assert os.path.isfile(DEFAULT_SEED_PATH)
    seed = load_seed()
    assert seed == load_seed(DEFAULT_SEED_PATH)
    assert seed["api_keys"] == [
        {"api_id": "demo-api-id", "api_key": "demo-api-key", "read_only": False},
        {"api_id": "demo-readonly-id", "api_key": "demo-readonly-key", "read_only": True},
    ]
    copy = load_seed(seed)
    copy["users"].clear()
    assert len(seed["users"]) == 4
    path = tmp_path / "list.yml"
    path.write_text("- a\n")
    with pytest.raises(TypeError, match="is not a mapping"):
        load_seed(str(path))


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        (
            {"users": [{"username": "u", "firstName": "U", "lastName": "V", "email": "u@x", "paging_policy": [{"timeout": 3, "rules": [{"type": "push"}]}]}]},
            "Invalid timeout: 3",
        ),
        (
            {
                "users": [
                    {
                        "username": "u",
                        "firstName": "U",
                        "lastName": "V",
                        "email": "u@x",
                        "paging_policy": [{"timeout": 5, "rules": [{"type": "sms", "contact": "Nope"}]}],
                    }
                ]
            },
            "names unknown contact 'Nope'",
        ),
        (
            {"users": [{"username": "u", "firstName": "U", "lastName": "V", "email": "u@x", "paging_policy": [{"timeout": 5, "rules": []}]}]},
            "needs at least one rule",
        ),
        ({"teams": [{"name": "T", "slug": "team-x", "members": ["ghost"]}]}, "unknown member 'ghost'"),
        ({"teams": [{"name": "T", "slug": "tm-x"}]}, "must start with 'team-'"),
        ({"teams": [{"name": "T", "slug": "team-x", "policies": [{"name": "P", "slug": "p-1"}]}]}, "must start with 'pol-' or 'team-'"),
        ({"oncall": [{"policy": "pol-x", "users": []}]}, "unknown policy 'pol-x'"),
    ],
)
def test_invalid_seeds_are_rejected(seed, message):
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    with pytest.raises(ValueError, match=message):
        Emulator(seed=seed)


def test_seed_yaml_round_trip_with_labels_values_and_default_email_relabel(tmp_path):
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    seed = {
        "api_keys": [{"api_id": "i", "api_key": "k"}],
        "users": [
            {
                "username": "u",
                "firstName": "U",
                "lastName": "V",
                "email": "u@example.com",
                "contact_methods": {"emails": [{"label": "Signup", "value": "u@example.com", "verified": False}], "phones": [{"label": "Cell", "value": "+1"}]},
                "paging_policy": [{"timeout": "15", "rules": [{"type": "email", "contact": "u@example.com"}, {"type": "phone", "contact": "+1"}]}],
            }
        ],
    }
    path = tmp_path / "seed.yml"
    path.write_text(yaml.safe_dump(seed))
    emulator = Emulator(seed=str(path))
    user = emulator.state["users"]["u"]
    assert [(c["label"], c["verified"]) for c in user["contact_methods"]["emails"]] == [("Signup", "unverified")]
    email_id, phone_id = user["contact_methods"]["emails"][0]["id"], user["contact_methods"]["phones"][0]["id"]
    assert user["paging_policy"] == [{"timeout": 15, "rules": [{"type": "email", "contact_id": email_id}, {"type": "phone", "contact_id": phone_id}]}]
