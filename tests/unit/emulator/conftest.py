# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the emulator's tests: one shared server (reset before every test) and an HTTP caller."""

import json

import pytest
import requests

API = "/api-public/v1"
READ_WRITE = ("demo-api-id", "demo-api-key")
READ_ONLY = ("demo-readonly-id", "demo-readonly-key")


class Caller:
    """Send one request to an emulator with the demo credentials (or others) and return the requests.Response."""

    def __init__(self, emulator):
        self.emulator = emulator

    def __call__(self, method, path, body=None, credentials=READ_WRITE, headers=None, data=None, timeout=10, **kwargs):
        sent = {"Content-Type": "application/json"}
        if credentials is not None:
            sent.update({"X-VO-Api-Id": credentials[0], "X-VO-Api-Key": credentials[1]})
        sent.update(headers or {})
        if data is None and body is not None:
            data = json.dumps(body)
        url = path if path.startswith("http") else self.emulator.url + (path if path.startswith("/_") else API + path)
        return requests.request(method, url, data=data, headers=sent, timeout=timeout, **kwargs)

    def json(self, method, path, body=None, status=200, **kwargs):
        """Call and check the status; return the parsed body."""
        response = self(method, path, body, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json()


@pytest.fixture(scope="session")
def shared_emulator():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    emulator = Emulator(limits="off", window=60)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(shared_emulator):
    from ansible_collections.victorops.oncall.tests.emulator import DEFAULT_SEED_PATH

    # A test may have swapped the seed; every test starts from the demo organisation.
    shared_emulator.reset(seed=DEFAULT_SEED_PATH)
    return shared_emulator


@pytest.fixture
def api(emu):
    return Caller(emu)


@pytest.fixture
def make_emulator():
    """Start emulators with their own settings; all are stopped after the test."""
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    started = []

    def factory(**kwargs):
        emulator = Emulator(**kwargs)
        emulator.start()
        started.append(emulator)
        return emulator, Caller(emulator)

    yield factory
    for emulator in started:
        emulator.stop()
