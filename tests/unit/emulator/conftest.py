# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the emulator's tests: one shared server (reset before every test), an HTTP caller and the clock.

The emulators of these fixtures read a clock the test moves (``clock.advance(seconds)``): rate windows roll and late
writes land only when the test says so, so no assertion depends on how fast the machine is.
"""

import json
import threading
import time
import types

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


class EmulatorClock:
    """The emulator's monotonic clock and its timers (late writes), moved only by ``advance``."""

    def __init__(self):
        self.now = 1000.0
        self.timers = []

    def monotonic(self):
        return self.now

    def advance(self, seconds):
        """Move the clock; the timers due by then fire, in order, in the caller's thread."""
        self.now += seconds
        for timer in sorted(self.timers, key=lambda timer: timer.due):
            if timer.due <= self.now and timer.is_alive():
                timer.fire()

    def timer(self, interval, function, args=(), kwargs=None):
        return _ClockTimer(self, interval, function, args, kwargs or {})


class _ClockTimer:
    """threading.Timer's interface, on the EmulatorClock: join() does not wait, the clock makes it fire."""

    def __init__(self, clock, interval, function, args, kwargs):
        self.clock, self.interval, self.call = clock, interval, (function, args, kwargs)
        self.due = None
        self.state = "new"
        self.daemon = True

    def start(self):
        self.due, self.state = self.clock.now + self.interval, "pending"
        self.clock.timers.append(self)

    def cancel(self):
        if self.state == "pending":
            self.state = "cancelled"

    def is_alive(self):
        return self.state == "pending"

    def join(self, timeout=None):
        return None

    def fire(self):
        self.state = "fired"
        function, args, kwargs = self.call
        function(*args, **kwargs)


@pytest.fixture
def clock(monkeypatch):
    """The clock of every emulator of these fixtures (real wall-clock ``time.time`` and ``time.sleep`` are kept)."""
    from ansible_collections.victorops.oncall.tests.emulator import _server

    emulator_clock = EmulatorClock()
    monkeypatch.setattr(_server, "time", types.SimpleNamespace(monotonic=emulator_clock.monotonic, time=time.time, sleep=time.sleep))
    monkeypatch.setattr(_server, "threading", types.SimpleNamespace(Timer=emulator_clock.timer, RLock=threading.RLock, Thread=threading.Thread))
    return emulator_clock


@pytest.fixture(scope="session")
def shared_emulator():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    emulator = Emulator(limits="off", window=60)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(shared_emulator, clock):
    from ansible_collections.victorops.oncall.tests.emulator import DEFAULT_SEED_PATH

    # A test may have swapped the seed; every test starts from the demo organisation.
    shared_emulator.reset(seed=DEFAULT_SEED_PATH)
    return shared_emulator


@pytest.fixture
def api(emu):
    return Caller(emu)


@pytest.fixture
def make_emulator(clock):
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
