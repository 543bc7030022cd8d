"""The transport: a body read within its limit, and the key redacted before any text is cut."""

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._transport import (
    REDACTED,
    Redactor,
    Transport,
    WallClockTimeout,
    api_message,
    snippet,
)
from ansible_collections.victorops.oncall.tests.unit.plugins.module_utils.client_fakes import FakeTime, TricklingResponse

KEY = "0123456789abcdef0123456789ABCDEF"  # 32 characters


def transport(clock, size=10 * 1024 * 1024):
    return Transport(session=None, verify=True, max_response_bytes=size, monotonic=clock.monotonic)


def test_the_deadline_is_checked_while_a_body_streams_in():
    clock = FakeTime()
    body = TricklingResponse(clock, [b'{"users": [', b"1, ", b"2, ", b"3]}"], seconds=0.4)
    with pytest.raises(WallClockTimeout):
        transport(clock).read(body, started=0.0, limit=1.0)
    assert clock.now == pytest.approx(1.2)  # stopped at the first chunk past the limit, not at the end of the body


def test_a_body_within_its_limit_is_read_whole():
    clock = FakeTime()
    body = TricklingResponse(clock, [b'{"users": ', b"[]}"], seconds=0.4)
    assert transport(clock).read(body, started=0.0, limit=1.0) == (b'{"users": []}', False)


def leaked(text):
    """The longest piece (4 characters or more) of the key found in ``text``."""
    pieces = [KEY[i:j] for i in range(len(KEY)) for j in range(i + 4, len(KEY) + 1)]
    return max((piece for piece in pieces if piece in text), key=len, default="")


@pytest.mark.parametrize("limit", range(150, 240, 3))
def test_a_body_echoing_the_key_leaks_none_of_it_wherever_it_is_cut(limit):
    redact = Redactor(KEY)
    body = "x" * 180 + " refused key " + KEY + " for this request"
    for text in (snippet(body, limit, redact), api_message(('{"error": "%s"}' % body).encode(), redact), redact.cut(body, limit)):
        assert leaked(text) == "", (limit, text)


def test_a_cut_key_at_either_edge_of_a_text_is_redacted():
    redact = Redactor(KEY)
    assert redact("answer ended at " + KEY[:31]) == "answer ended at " + REDACTED
    assert redact(KEY[5:] + " began the answer") == REDACTED + " began the answer"
    assert redact("the whole %s and more" % KEY) == "the whole %s and more" % REDACTED
    assert redact("nothing of it") == "nothing of it"
