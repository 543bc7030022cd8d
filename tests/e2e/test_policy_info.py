"""victorops_policy_info through a real ansible-playbook in --check mode: it reads only what is asked, normalises,
never changes. Its other behaviours are tested in process: tests/unit/plugins/modules/test_policy_info.py.
"""

import pytest

pytestmark = pytest.mark.slow


def test_reads_only_what_is_asked_and_normalises(run_playbook, emulator):
    run = run_playbook(
        """
        - name: Read jdoe's policy and two value lists
          victorops.oncall.victorops_policy_info:
            paging_policy: jdoe
            types: [timeouts, contacts]
          register: info
        """,
        check=True,  # an info module runs normally in check mode
    )
    assert run.rc == 0, run
    result = run.result("Read jdoe's policy and two value lists")
    assert result["changed"] is False
    # Fewest calls: one per requested read, and one of the contact methods the rules name (shown beside their ids).
    assert [c["operation"] for c in emulator.calls()] == [
        "GET /api-public/v1/profile/{username}/policies",
        "GET /api-public/v1/user/{user}/contact-methods",
        "GET /api-public/v1/policies/types/contacts",
        "GET /api-public/v1/policies/types/timeouts",
    ]
    assert result["api"]["calls"] == 4 and result["api"]["writes"] == 0
    assert [t["type"] for t in result["timeout_types"]] == [1, 5, 10, 15, 20, 25, 30, 45, 60]
    assert {t["type"] for t in result["contact_types"]} == {"email", "phone"}
    steps = result["paging_policy"]["steps"]
    assert result["paging_policy"]["username"] == "jdoe"
    assert [(s["step"], s["timeout"], [r["type"] for r in s["rules"]]) for s in steps] == [
        (0, 5, ["push", "sms"]),
        (1, 10, ["phone", "email"]),
    ]
    assert steps[0]["rules"][0]["contact_id"] is None  # push: whatever contact the API attached is dropped
    assert all(isinstance(r["contact_id"], int) for s in steps for r in s["rules"][1 if s["step"] == 0 else 0 :])
    # One picture of a policy: the contact method beside its id, as victorops_user_info and the paging modules show it.
    assert [[r["contact"] for r in s["rules"]] for s in steps] == [
        [None, {"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}],
        [{"kind": "phone", "value": "+1-555-0100", "label": "Mobile"}, {"kind": "email", "value": "jdoe.work@example.com", "label": "Work"}],
    ]
    assert "escalation_policies" not in result and "team_policies" not in result
