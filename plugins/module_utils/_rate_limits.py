# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The documented per-operation rate limits of the VictorOps public API, as data.

An operation is ``"METHOD template"``, for example ``"GET /api-public/v1/profile/{username}/policies"``.
Limits are counts of requests per rate window (a minute on the real service).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

DEFAULT_PROFILE = "2018"
DEFAULT_KEY = "default"

PROFILES = {
    # The 2018 spec (0.0.2): the strictest table, and the default.
    "2018": {
        DEFAULT_KEY: 15,
        "GET /api-public/v1/policies": 1,
        "PATCH /api-public/v1/policies/{policy}/oncall/user": 6,
    },
    # The 2020 spec (0.0.3).
    "2020": {
        DEFAULT_KEY: 60,
        "GET /api-public/v1/policies": 60,
        "GET /api-public/v1/policies/types/contacts": 60,
        "GET /api-public/v1/policies/types/notifications": 60,
        "GET /api-public/v1/policies/types/timeouts": 60,
        "PATCH /api-public/v1/policies/{policy}/oncall/user": 60,
        "GET /api-public/v1/profile/{username}/policies": 20,
        "POST /api-public/v1/user/batch": 15,
    },
}

_PLACEHOLDER = re.compile(r"\{[^{}/]*\}")


def normalize_operation(operation):
    """Canonical form of an operation for matching: upper-case method, placeholders unnamed, no trailing slash.

    Placeholder names are not significant (``{user}`` and ``{username}`` fill the same path segment).
    """
    text = " ".join(str(operation).split())
    if text.lower() == DEFAULT_KEY:
        return DEFAULT_KEY
    method, _sep, path = text.partition(" ")
    path = _PLACEHOLDER.sub("{}", path)
    if len(path) > 1:
        path = path.rstrip("/")
    return "%s %s" % (method.upper(), path)


def _normalized_table(table):
    return {normalize_operation(op): int(limit) for op, limit in table.items()}


def limit_for(operation, profile=DEFAULT_PROFILE, overrides=None):
    """Requests allowed per rate window for ``operation``.

    ``overrides`` maps operations (or ``"default"``) to counts and wins over the profile; an
    overridden ``"default"`` applies only to operations the profile and overrides do not name.
    """
    if profile not in PROFILES:
        raise ValueError("unknown rate limit profile %r; expected one of %s" % (profile, ", ".join(sorted(PROFILES))))
    key = normalize_operation(operation)
    table = _normalized_table(PROFILES[profile])
    user = _normalized_table(overrides or {})
    for limit in user.values():
        if limit < 1:
            raise ValueError("rate limit overrides must be 1 or more calls per window")
    if key in user:
        return user[key]
    if key in table:
        return table[key]
    if DEFAULT_KEY in user:
        return user[DEFAULT_KEY]
    return table[DEFAULT_KEY]
