# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The documented per-operation rate limits of the VictorOps public API, as data.

Tables are keyed on operation names (``get_paging_policy``, ``take_on_call``, ...; see ``_api.OPERATIONS``)
plus ``default`` for every operation a table does not name.

A limit is a :class:`Limit`: at most ``count`` requests in any ``seconds``-long stretch of time, the seconds
being the API's own. The rate window (``rate_window``, 60 seconds in production) is the length of the API's
minute; tests compress it, and every limit is compressed by the same factor (``rate_window / 60``), the
per-second table included. With a one-second window the ``2ps`` table allows two requests per operation in any
1/60 s, so the tables keep their order (``2ps`` faster than ``2020``, ``2020`` faster than ``2018``) under any
window. ``Limit.span(window)`` gives the real seconds.

Under ``auto`` an operation whose strictest documented limit is once a minute is paced at that limit from the start
(``start_level``), and a limit paced evenly (``Limit.evenly``) sends one request every ``seconds / count``.
"""

from __future__ import annotations

import math
import re
from collections import namedtuple
from collections.abc import Iterable, Mapping

MINUTE = 60.0
DEFAULT_KEY = "default"
AUTO = "auto"
DEFAULT_PROFILE = AUTO


class Limit(namedtuple("Limit", "count seconds")):
    """At most ``count`` requests in any ``seconds``-long stretch (API seconds: 60 of them make a rate window)."""

    __slots__ = ()

    @property
    def rate(self) -> float:
        """Requests per API second."""
        return self.count / self.seconds

    def span(self, window: float = MINUTE) -> float:
        """The real seconds of this limit's stretch when the rate window is ``window`` seconds."""
        return self.seconds * float(window) / MINUTE

    def evenly(self) -> Limit:
        """The same rate with no burst: one request every ``seconds / count``, for a server that spaces requests evenly."""
        return Limit(1, self.seconds / self.count)

    def describe(self) -> str:
        if self.seconds == MINUTE:
            return "%d a minute" % self.count
        if self.count == 1:
            return "1 every %g s" % self.seconds
        return "%d every %g s" % (self.count, self.seconds)


def per_minute(count: int) -> Limit:
    return Limit(int(count), MINUTE)


# Fastest first: the order in which the adaptive profile steps down.
LEVELS = ("2ps", "2020", "2018")

TABLES: dict[str, dict[str, Limit]] = {
    # The API's current public documentation: 2 requests per second per operation, 1 per second for reading a
    # paging policy. The whole allowance: both requests of a second may go at once (a server counting per rolling
    # second takes them); a server that spaces requests evenly is learnt by the adaptive profile.
    "2ps": {
        DEFAULT_KEY: Limit(2, 1.0),
        "get_paging_policy": Limit(1, 1.0),
    },
    # The 2020 spec (0.0.3). POST /user/batch (15 a minute) is not an operation of this collection.
    "2020": {
        DEFAULT_KEY: per_minute(60),
        "list_escalation_policies": per_minute(60),
        "list_contact_types": per_minute(60),
        "list_notification_types": per_minute(60),
        "list_timeout_types": per_minute(60),
        "take_on_call": per_minute(60),
        "get_paging_policy": per_minute(20),
        # The Teams tag: 60 a minute for each team operation (the 2018 spec has no team create, rename or delete).
        "create_team": per_minute(60),
        "rename_team": per_minute(60),
        "delete_team": per_minute(60),
        # The Scheduled Overrides and On-call tags: 60 a minute for each call (absent from the 2018 spec, which
        # paces them at its default).
        "list_overrides": per_minute(60),
        "get_override": per_minute(60),
        "create_override": per_minute(60),
        "delete_override": per_minute(60),
        "assign_override": per_minute(60),
        "unassign_override": per_minute(60),
        "get_team_schedule": per_minute(60),
        "get_user_schedule": per_minute(60),
    },
    # The 2018 spec (0.0.2): the strictest table, and the floor of the adaptive profile.
    "2018": {
        DEFAULT_KEY: per_minute(15),
        "list_escalation_policies": per_minute(1),
        "take_on_call": per_minute(6),
    },
}

# Every value of the rate_limit_profile option.
PROFILE_CHOICES = (AUTO,) + LEVELS

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def check_profile(profile: str) -> str:
    if profile not in PROFILE_CHOICES:
        raise ValueError("unknown rate limit profile %r; expected one of %s" % (profile, ", ".join(PROFILE_CHOICES)))
    return profile


def _count(value) -> int | None:
    """A whole number of calls of 1 or more, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        count = int(value)
        if isinstance(value, float) and value != count:
            return None
    except (TypeError, ValueError):
        return None
    return count if count >= 1 else None


def check_rate_limits(overrides: Mapping | None, operations: Iterable[str], option: str = "rate_limits") -> dict[str, int]:
    """User overrides as ``{operation name or "default": calls per rate window}``, or ValueError naming every problem.

    The one parsing of ``rate_limits``, done once at module start. Keys are the names of ``operations`` (or ``default``);
    an unknown key is refused with the list of known operations.
    """
    known = set(operations)
    result: dict[str, int] = {}
    unknown: list[str] = []
    problems = []
    for key, value in (overrides or {}).items():
        name = str(key).strip()
        name = DEFAULT_KEY if name.lower() == DEFAULT_KEY else name
        if name != DEFAULT_KEY and (name not in known or not _NAME.match(name)):
            unknown.append(str(key))
            continue
        count = _count(value)
        if count is None:
            problems.append("%s[%r] must be a whole number of calls of 1 or more, got %r" % (option, key, value))
            continue
        if name in result and result[name] != count:
            problems.append("%s names %s twice with different limits (%d and %d)" % (option, name, result[name], count))
            continue
        result[name] = count
    if unknown:
        problems.insert(
            0,
            "%s: %s name%s no known operation; known operations: %s, or default"
            % (option, ", ".join(repr(key) for key in unknown), "s" if len(unknown) == 1 else "", ", ".join(sorted(known))),
        )
    if problems:
        raise ValueError("; ".join(problems))
    return result


def table_limit(level: str, operation: str) -> Limit:
    table = TABLES[level]
    return table.get(operation, table[DEFAULT_KEY])


def names(profile: str, operation: str) -> bool:
    """True when the profile's table (any of the tables, for ``auto``) names ``operation`` explicitly."""
    levels = LEVELS if profile == AUTO else (profile,)
    return any(operation in TABLES[level] for level in levels)


def slower(first: str, second: str) -> str:
    """The slower of two levels."""
    return first if LEVELS.index(first) >= LEVELS.index(second) else second


def start_level(operation: str) -> str:
    """The table ``auto`` paces ``operation`` at before it learns anything.

    The fastest table, except for an operation whose strictest documented limit is once a minute (or rarer): that
    one starts at the table of that limit. A run rarely needs it twice, and one throttle on it would teach the whole
    account the slowest table.
    """
    strictest = min(LEVELS, key=lambda level: table_limit(level, operation).rate)
    return strictest if table_limit(strictest, operation).rate <= per_minute(1).rate else LEVELS[0]


def limits_for(
    operation: str,
    profile: str = DEFAULT_PROFILE,
    level: str | None = None,
    overrides: Mapping[str, int] | None = None,
    even: bool = False,
) -> tuple[Limit, ...]:
    """Every limit pacing keeps for ``operation`` (names only; see ``_api.logged_operation``).

    - An override for the operation wins (calls per rate window); an overridden ``default`` applies to the
      operations that neither the profile's tables nor the overrides name.
    - A fixed profile (``2ps``, ``2020``, ``2018``) gives that table's limit.
    - ``auto`` gives the limit of the table at ``level`` (what was learnt, or the fastest table, ``2ps``, when
      nothing was), never faster than the operation's ``start_level``; with ``even`` (a server that spaces
      requests evenly was learnt) that limit is paced evenly.
    """
    check_profile(profile)
    overrides = overrides or {}
    if operation in overrides:
        return (per_minute(overrides[operation]),)
    if DEFAULT_KEY in overrides and not names(profile, operation):
        return (per_minute(overrides[DEFAULT_KEY]),)
    if profile != AUTO:
        return (table_limit(profile, operation),)
    limit = table_limit(slower(level or LEVELS[0], start_level(operation)), operation)
    return (limit.evenly() if even else limit,)


def floor_seconds(count: int, limits: Iterable[Limit], window: float = MINUTE) -> float:
    """Seconds from the first to the last of ``count`` requests of one operation sent as fast as ``limits`` allow."""
    if count <= 1:
        return 0.0
    return max(((count - 1) // limit.count) * limit.span(window) for limit in limits)


def estimate_seconds(counts: Mapping[str, int], limits_of, window: float = MINUTE) -> float:
    """Seconds ``counts`` (calls per operation) need at least: the slowest operation sets the pace.

    ``limits_of(operation)`` gives the limits of an operation (for example ``Pacer.limits``).
    """
    seconds = 0.0
    for operation, count in counts.items():
        seconds = max(seconds, floor_seconds(int(count), limits_of(operation), window))
    return seconds if math.isfinite(seconds) else 0.0
