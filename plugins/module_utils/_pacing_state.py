# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pacing state file's content: its shape, and the one check of what a file holds before the pacer trusts it.

``parse_state`` reads the bytes (plain, finite, reasonably sized JSON or ValueError); ``sanitize`` keeps only the
parts that have the shape and ranges ``_pacing.Pacer`` writes, so that a file written by anything else (another
version, another user before the directory was checked, a damaged disk) can never make the pacer fail or misbehave.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import LEVELS

STATE_VERSION = 2
# How long a learnt table is kept (seconds of wall clock, not scaled by the rate window).
LEARN_TTL = 24 * 3600.0
# State files larger than this are not parsed.
MAX_STATE_BYTES = 1024 * 1024
# Sanity bounds of what a state file may hold.
MAX_OPERATIONS = 256
MAX_ENTRIES = 4096
MAX_KEPT = 64
MAX_NAME = 200
MAX_INT_DIGITS = 20


def empty_state() -> dict[str, Any]:
    # "even" came later within version 2: a file without it is read as not even; older code drops it when it next writes.
    return {"version": STATE_VERSION, "ops": {}, "blocked": {}, "learnt": {}, "op_levels": {}, "even": {}}


def finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _reject_constant(name):
    raise ValueError("%s is not a number this file may hold" % name)


def _bounded_int(text):
    if len(text) > MAX_INT_DIGITS:
        raise ValueError("an integer of %d digits" % len(text))
    return int(text)


def parse_state(data: bytes) -> dict[str, Any]:
    """The JSON of a state file; ValueError for anything that is not plain, finite, reasonably sized JSON."""
    if len(data) > MAX_STATE_BYTES:
        raise ValueError("larger than %d bytes" % MAX_STATE_BYTES)
    try:
        # Floats out of range (1e400) become inf and are dropped by sanitize(), like every non-finite number.
        return json.loads(data.decode("utf-8"), parse_constant=_reject_constant, parse_int=_bounded_int)
    except (RecursionError, OverflowError, UnicodeDecodeError, TypeError) as exc:
        raise ValueError(str(exc)) from None


def _name_ok(name) -> bool:
    return isinstance(name, str) and 0 < len(name) <= MAX_NAME


def learnt_until(value, now, ttl):
    """The ``until`` of a learnt record while it holds, or None."""
    if not isinstance(value, dict) or not finite(value.get("until")):
        return None
    until = float(value["until"])
    if until <= now or until > now + ttl:  # expired, or from a clock that went back: learn again
        return None
    return until


def level_entry(value, now, ttl):
    """A valid ``{"level", "until"}`` record, or None."""
    until = learnt_until(value, now, ttl)
    if until is None or value.get("level") not in LEVELS:
        return None
    return {"level": value["level"], "until": until}


def sanitize(state, now: float, ttl: float = LEARN_TTL) -> dict[str, Any]:
    """Only the parts of ``state`` that have the shape and ranges this code writes; an empty state otherwise."""
    clean = empty_state()
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return clean
    ops: Any = state.get("ops")
    blocked: Any = state.get("blocked")
    learnt: Any = state.get("learnt", {})
    op_levels: Any = state.get("op_levels", {})
    even: Any = state.get("even", {})
    if not all(isinstance(part, dict) for part in (ops, blocked, learnt, op_levels, even)):
        return clean
    for op, entries in list(ops.items())[:MAX_OPERATIONS]:
        if not _name_ok(op) or not isinstance(entries, list):
            continue
        kept = [[float(e[0]), e[1]] for e in entries[:MAX_ENTRIES] if isinstance(e, list) and len(e) == 2 and finite(e[0]) and (e[1] is None or _name_ok(e[1]))]
        if kept:
            clean["ops"][op] = kept
    for op, until in list(blocked.items())[:MAX_OPERATIONS]:
        if _name_ok(op) and finite(until):
            clean["blocked"][op] = float(until)
    account = level_entry(learnt, now, ttl) if learnt else None
    if account is not None:
        clean["learnt"] = account
    for op, value in list(op_levels.items())[:MAX_OPERATIONS]:
        entry = level_entry(value, now, ttl)
        if _name_ok(op) and entry is not None:
            clean["op_levels"][op] = entry
    even_until = learnt_until(even, now, ttl) if even else None
    if even_until is not None:
        clean["even"] = {"until": even_until}
    return clean
