"""Fast tests for five faults that once survived every fast test (issue 11, "Proof").

(a) the write confirmation of a user delete, a contact-method delete and a team-member removal made to
    always answer "applied": the client then stops after a lost DELETE and the object stays;
(b) a read timeout on a POST whose confirmation says "not applied": re-sending it could land it twice;
(c) pacer slots that expire early: with a limit of 1, a request at t + 0.6 window must wait until t + 1 window;
(d) a ``contact_id`` the policy does not use yet: it must be checked against the user's contact methods
    before any write, or a plan half-applies and then fails on the API's refusal.

(a) and (d) run the real client against the emulator in this process (no ansible-playbook); (b) and (c)
use a scripted session and a fake clock, so nothing waits.
"""

import types

import pytest
import requests

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._client import VictorOpsClient
from ansible_collections.victorops.oncall.plugins.module_utils._errors import AmbiguousWriteError, PlanError
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import ContactDirectory, desired_rule, needs_directory
from ansible_collections.victorops.oncall.tests.pacing_simulation import FakeClock as PacerClock

API_ID = "demo-api-id"
API_KEY = "demo-api-key"
DATABASE = "team-Db4DemoTeamAb002"


@pytest.fixture
def emu():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    emulator = Emulator(window=1.0, limits="off")
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def client_for(emulator, **options):
    """The real client, no pacer, a short request_timeout (the wait before a confirming read) and a compressed backoff."""
    settings = dict(timeout=0.2, retries=2, retry_timeout=5, rate_window=1.0, pacer=None)
    settings.update(options)
    return VictorOpsClient(emulator.url, API_ID, API_KEY, **settings)


# -- (a) removals confirm what they claim ----------------------------------------------------------


def contact_ext_id(emulator, username, kind, label):
    (found,) = [c for c in emulator.state["users"][username]["contact_methods"][kind] if c["label"] == label]
    return found["extId"]


REMOVALS = {
    "user delete": (
        "DELETE",
        "/api-public/v1/user/cnguyen",
        lambda client, emulator: _api.delete_user(client, "cnguyen", "asmith"),
        lambda emulator: "cnguyen" in emulator.state["users"],
    ),
    "contact-method delete": (
        "DELETE",
        "/api-public/v1/user/bwong/contact-methods/phones/*",
        lambda client, emulator: _api.delete_contact_method(client, "bwong", "phone", {"ext_id": contact_ext_id(emulator, "bwong", "phones", "Desk")}),
        lambda emulator: [c["label"] for c in emulator.state["users"]["bwong"]["contact_methods"]["phones"]] == ["Desk"],
    ),
    "team-member removal": (
        "DELETE",
        "/api-public/v1/team/%s/members/cnguyen" % DATABASE,
        lambda client, emulator: _api.remove_team_member(client, DATABASE, "cnguyen", "asmith"),
        lambda emulator: "cnguyen" in emulator.state["teams"][DATABASE]["members"],
    ),
}


@pytest.mark.parametrize("removal", list(REMOVALS))
def test_a_lost_removal_that_did_not_happen_is_confirmed_not_applied_and_sent_again(removal, emu):
    """A 502 that the API answered without removing anything: the confirming read sees the object, so the DELETE goes again."""
    method, path, remove, still_there = REMOVALS[removal]
    emu.inject(method, path, "502")
    client = client_for(emu)
    remove(client, emu)
    assert [e["status"] for e in emu.calls(method=method, path=path)] == [502, 200]
    assert not still_there(emu)
    assert client.stats["retries"] == 1


@pytest.mark.parametrize("removal", list(REMOVALS))
def test_a_removal_applied_before_its_answer_was_lost_is_confirmed_applied_and_not_resent(removal, emu):
    method, path, remove, still_there = REMOVALS[removal]
    emu.inject(method, path, "apply-then-502")
    client = client_for(emu)
    remove(client, emu)
    assert [e["status"] for e in emu.calls(method=method, path=path)] == [502]
    assert not still_there(emu)


@pytest.mark.parametrize("removal", list(REMOVALS))
def test_the_confirmation_of_a_removal_answers_not_applied_while_the_object_is_there(removal, emu):
    """The confirmation itself, asked with the object still in place, then after it is gone."""
    _method, _path, remove, still_there = REMOVALS[removal]
    confirmations = []

    class Recording(VictorOpsClient):
        def request(self, method, template, params=None, body=None, confirm_write=None, **kwargs):
            if confirm_write is not None:
                confirmations.append(confirm_write)
                return {}
            return super().request(method, template, params=params, body=body, **kwargs)

    client = Recording(emu.url, API_ID, API_KEY, timeout=1, pacer=None)
    remove(client, emu)
    (confirm,) = confirmations
    assert still_there(emu)
    assert confirm()[0] is False
    remove(client_for(emu), emu)  # now for real
    assert not still_there(emu)
    assert confirm()[0] is True


# -- (b) a timed-out POST is never re-sent on a "not applied" read ------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds

    def monotonic(self):
        return self.now

    def wall(self):
        return 1_800_000_000.0 + self.now


class FakeResponse:
    def __init__(self, status, content, headers=None):
        self.status_code = status
        self.reason = None
        self.headers = dict(headers or {"Content-Type": "application/json"})
        self.content = content

    def iter_content(self, chunk_size):
        for start in range(0, len(self.content), chunk_size):
            yield self.content[start : start + chunk_size]

    def close(self):
        pass


class TimeoutOnPost:
    """A session whose POSTs time out after ``timeout`` seconds (the API may still be working on them) and whose reads show nothing new."""

    def __init__(self, clock, timeout):
        self.clock = clock
        self.timeout = timeout
        self.sent = []

    def request(self, method, url, **kwargs):
        self.sent.append((method, url, self.clock.now))
        if method == "POST":
            self.clock.now += self.timeout
            raise requests.exceptions.ReadTimeout("read timed out")
        return FakeResponse(200, b'{"_selfUrl": "/x", "contactMethods": []}')


def test_a_post_that_timed_out_and_is_not_visible_yet_is_not_resent():
    clock = FakeClock()
    session = TimeoutOnPost(clock, timeout=30.0)
    client = VictorOpsClient(
        "https://api.victorops.com",
        API_ID,
        API_KEY,
        timeout=30,
        session=session,
        pacer=None,
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        wall_clock=clock.wall,
    )
    with pytest.raises(AmbiguousWriteError) as info:
        _api.add_contact_method(client, "jdoe", "phone", "+15550100999", "Desk", rank=1)
    assert [method for method, _url, _at in session.sent] == ["POST", "GET"]
    # The confirming read came one request_timeout after the timeout, not sooner.
    assert session.sent[1][2] == 60.0
    assert "may or may not have been applied" in str(info.value) and "re-run to converge" in str(info.value)


# -- (c) a pacer slot lasts a whole window ------------------------------------------------------------


@pytest.mark.parametrize("window", [1.0, 10.0, 60.0])
def test_a_slot_taken_at_t_is_still_taken_at_t_plus_six_tenths_of_a_window(window, tmp_path):
    clock = PacerClock()
    pacer = Pacer(
        "https://api.example.test|id",
        window=window,
        overrides={"get_paging_policy": 1},
        state_dir=str(tmp_path / "pacing"),
        clock=clock.time,
        sleep=clock.sleep,
    )
    start = clock.now
    pacer.release(pacer.acquire("get_paging_policy"))
    clock.now = start + 0.6 * window
    pacer.release(pacer.acquire("get_paging_policy"))
    assert sum(clock.sleeps) == pytest.approx(0.4 * window)
    assert clock.now == pytest.approx(start + window)


def test_a_slot_is_free_again_after_a_whole_window(tmp_path):
    clock = PacerClock()
    pacer = Pacer(
        "https://api.example.test|id", window=10.0, overrides={"get_paging_policy": 1}, state_dir=str(tmp_path / "pacing"), clock=clock.time, sleep=clock.sleep
    )
    pacer.release(pacer.acquire("get_paging_policy"))
    clock.now += 10.0
    pacer.release(pacer.acquire("get_paging_policy"))
    assert clock.sleeps == []


# -- (d) a contact_id new to the policy is checked before any write ----------------------------------------


CURRENT = [{"timeout": 5, "rules": [{"type": "push", "contact_id": None}, {"type": "sms", "contact_id": 100}]}]


@pytest.mark.parametrize(
    "spec, needed",
    [
        ({"type": "sms", "contact_id": 100}, False),  # the policy uses it: the API accepted it before
        ({"type": "sms", "contact_id": 999}, True),  # new to the policy: check it first
        ({"type": "email", "contact_id": 999}, True),
        ({"type": "push"}, False),
        ({"type": "email", "contact": "Work"}, True),
    ],
)
def test_needs_directory_for_a_contact_id_the_policy_does_not_use_yet(spec, needed):
    assert needs_directory([spec], CURRENT) is needed


def test_an_unknown_contact_id_is_refused_by_the_loaded_directory():
    directory = ContactDirectory({"emails": [], "phones": {"contactMethods": [{"id": 100, "label": "Mobile", "value": "+15550100"}]}})
    with pytest.raises(PlanError, match="contact_id: 999 is not one of the user's contact methods"):
        desired_rule({"type": "sms", "contact_id": 999}, directory, "")


def module_run(emulator, module, **params):
    """A paging module's ``manage`` with the real client against the emulator (what the module base calls)."""
    vo = types.SimpleNamespace(params=params, client=client_for(emulator, timeout=5), check_mode=False, fail=None, run=None)
    return module.manage(vo)


def other_users_phone(emulator):
    (jdoe_mobile,) = emulator.state["users"]["jdoe"]["contact_methods"]["phones"]
    return jdoe_mobile["id"]


def test_paging_policy_with_a_foreign_contact_id_is_refused_before_any_write(emu):
    from ansible_collections.victorops.oncall.plugins.modules import victorops_paging_policy

    before = emu.state["users"]["asmith"]["paging_policy"]
    steps = [
        {"timeout": 5, "rules": [{"type": "push", "contact": None, "contact_id": None}]},  # a PUT of step 0 first in the plan
        {"timeout": 10, "rules": [{"type": "sms", "contact": None, "contact_id": other_users_phone(emu)}]},
    ]
    with pytest.raises(PlanError, match=r"steps\[1\]\.rules\[0\]\.contact_id: %d is not one of the user's contact methods" % other_users_phone(emu)):
        module_run(emu, victorops_paging_policy, username="asmith", steps=steps, contact_methods=None)
    assert emu.writes() == []
    assert [e["operation"] for e in emu.log] == ["GET /api-public/v1/profile/{username}/policies", "GET /api-public/v1/user/{user}/contact-methods"]
    assert emu.state["users"]["asmith"]["paging_policy"] == before


@pytest.mark.parametrize(
    "module_name, params",
    [
        ("victorops_paging_rule", dict(step=0, rule=None, type="sms", contact=None, state="present")),
        ("victorops_paging_step", dict(step=1, timeout=10, state="present")),
    ],
)
def test_step_and_rule_with_a_foreign_contact_id_are_refused_before_any_write(module_name, params, emu):
    import importlib

    module = importlib.import_module("ansible_collections.victorops.oncall.plugins.modules." + module_name)
    foreign = other_users_phone(emu)
    if module_name == "victorops_paging_step":
        params = dict(params, rules=[{"type": "sms", "contact": None, "contact_id": foreign}])
    else:
        params = dict(params, contact_id=foreign)
    with pytest.raises(PlanError, match="contact_id: %d is not one of the user's contact methods" % foreign):
        module_run(emu, module, username="asmith", **params)
    assert emu.writes() == []
