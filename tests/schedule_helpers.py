"""Instants and scheduled overrides for the tests of cover and of who is on call.

Instants are built from the real clock (the emulator runs on it), so that no test goes stale; overrides made here go
through the emulator's HTTP API, as another client of the organisation would make them.
"""

import datetime

import requests

UTC = datetime.timezone.utc  # noqa: UP017 (imported by tests that run the modules' own time code too)
HEADERS = {"X-VO-Api-Id": "demo-api-id", "X-VO-Api-Key": "demo-api-key"}


def utc_text(moment):
    """``2030-03-04T09:00:00Z``: an instant as the collection returns it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def monday(weeks_ahead):
    """Monday 00:00 UTC ``weeks_ahead`` weeks after this week's (the emulator's rotations hand over then)."""
    now = datetime.datetime.now(UTC)
    this = (now - datetime.timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return this + datetime.timedelta(weeks=weeks_ahead)


def schedule_override(emulator, username, start, end, assignments):
    """An override made through the emulator's API, each policy of ``assignments`` given its replacement (None: left
    unassigned); returns its publicId. The request log is cleared after."""
    base = emulator.url + "/api-public/v1/overrides"
    answer = requests.post(base, json=dict(username=username, start=utc_text(start), end=utc_text(end), timezone="UTC"), headers=HEADERS, timeout=10)
    answer.raise_for_status()
    public_id = answer.json()["override"]["publicId"]
    for policy, replacement in assignments.items():
        if replacement is not None:
            url = "%s/%s/assignments/%s" % (base, public_id, policy)
            requests.put(url, json=dict(policy=policy, username=replacement), headers=HEADERS, timeout=10).raise_for_status()
    emulator.clear_log()
    return public_id
