"""The client's confirmations, against the emulator in this process and a scripted session.

- a removal by a stable identity (a user, a contact method, a team member) is resend-safe: a lost DELETE is sent
  again, and a re-send that finds the object gone is confirmed by a read; the confirmation itself answers "not
  applied" while the object is there (one that always answered "applied" would hide a removal never made);
- a POST that timed out and is not visible yet is never sent again: it may still land.
"""

import pytest
import requests
from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._client import VictorOpsClient
from ansible_collections.victorops.oncall.plugins.module_utils._errors import AmbiguousWriteError
from ansible_collections.victorops.oncall.tests.unit.plugins.module_utils.client_fakes import (
    API_ID,
    API_KEY,
    FakeResponse,
    FakeTime,
    client_for,
    running_emulator,
)

DATABASE = "team-Db4DemoTeamAb002"


@pytest.fixture
def emu():
    with running_emulator() as emulator:
        yield emulator


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
def test_a_removal_applied_before_its_answer_was_lost_is_resent_safely_and_its_refusal_confirmed(removal, emu):
    """A removal by a stable identity is resend-safe: sent again, it finds the object gone (404), and the
    confirming read says the removal is done: a success, and nothing else removed."""
    method, path, remove, still_there = REMOVALS[removal]
    emu.inject(method, path, "apply-then-502")
    client = client_for(emu)
    remove(client, emu)
    assert [e["status"] for e in emu.calls(method=method, path=path)] == [502, 404]
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
        return FakeResponse(200, {"_selfUrl": "/x", "contactMethods": []})


def test_a_post_that_timed_out_and_is_not_visible_yet_is_not_resent():
    clock = FakeTime()
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
