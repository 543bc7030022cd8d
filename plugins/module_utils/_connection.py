# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options: their defaults, their checks, and the one client they make.

Modules reach this through ``VictorOpsModule`` (the argument spec's environment fallbacks first); lookups hand in
the options as Ansible's plugin configuration resolved them (direct, then the environment variable, then the
default), as a plain dict keyed like ``_module.CONNECTION_ARGSPEC``. Either way the same checks run, before any
request, and the same client is built.
"""

from __future__ import annotations

import re
from typing import Any
from collections.abc import Callable

from ansible_collections.victorops.oncall.plugins.module_utils._api import GENERAL_OPERATION, OPERATIONS
from ansible_collections.victorops.oncall.plugins.module_utils._client import VictorOpsClient
from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError, VictorOpsError
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer, pacing_key
from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import check_rate_limits

DEFAULT_API_URL = "https://api.victorops.com"
# The defaults applied in code (the argument spec leaves them unset, so that a value is known to be the user's).
DEFAULTS = dict(
    request_timeout=30.0,
    retries=6,
    retry_timeout=120.0,
    deadline=300.0,
    rate_window=60.0,
    rate_limit_profile="auto",
    pacing=True,
)
# Where a missing credential can come from, as a module's task sees it (a lookup has no role variables).
CREDENTIAL_SOURCES = {
    "api_id": "set the api_id option, the VICTOROPS_API_ID environment variable (an AWX VictorOps credential sets it), "
    "or the victorops_api_id variable of the collection's roles",
    "api_key": "set the api_key option, the VICTOROPS_API_KEY environment variable (an AWX VictorOps credential sets it), "
    "or the victorops_api_key variable of the collection's roles",
}
LOOKUP_CREDENTIAL_SOURCES = {
    "api_id": "pass api_id=... to the lookup or set the VICTOROPS_API_ID environment variable (an AWX VictorOps credential sets it)",
    "api_key": "pass api_key=... to the lookup or set the VICTOROPS_API_KEY environment variable (an AWX VictorOps credential sets it)",
}
PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]+$")

# (option, whether 0 is allowed) of the numbers that must not be negative.
_NUMBERS = (("request_timeout", False), ("deadline", False), ("retries", True), ("retry_timeout", True), ("rate_window", False))


def setting(params: dict[str, Any], name: str) -> Any:
    """A connection option's value, its code default when unset."""
    value = params.get(name)
    return DEFAULTS.get(name) if value is None else value


def connection_problems(params: dict[str, Any], sources: dict[str, str] | None = None) -> tuple[list[str], dict[str, int]]:
    """``(problems, rate_limits)``: every problem of the connection options (the key's value never shown), and the
    checked ``rate_limits``. ``sources``: where a missing credential may come from, in the caller's words."""
    sources = sources or CREDENTIAL_SOURCES
    problems = []
    for name in ("api_id", "api_key"):
        value = params.get(name)
        if value is None or not value.strip():
            problems.append("%s %s: %s" % (name, "is missing" if value is None else "must not be empty", sources[name]))
        elif not PRINTABLE_ASCII.match(value) or value != value.strip():
            # The value is not repeated: it is a secret, or half of one.
            problems.append("%s must be printable ASCII without leading or trailing spaces (check for a pasted non-ASCII character or line break)" % name)
    for name, inclusive in _NUMBERS:
        value = params.get(name)
        if value is not None and (value < 0 or (value == 0 and not inclusive)):
            problems.append("%s must be %s, got %s" % (name, "0 or more" if inclusive else "greater than 0", value))
    rate_limits: dict[str, int] = {}
    try:
        # The one check of rate_limits; GENERAL_OPERATION: the paths victorops_api sends that no operation of the collection is.
        rate_limits = check_rate_limits(params.get("rate_limits"), list(OPERATIONS) + [GENERAL_OPERATION])
    except ValueError as exc:
        problems.append(str(exc))
    return problems, rate_limits


def build_client(
    params: dict[str, Any], warn: Callable[[str], None] | None = None, rate_limits: dict[str, int] | None = None, sources: dict[str, str] | None = None
) -> VictorOpsClient:
    """The client of ``params``, paced as the modules pace; an ``OptionError`` names every problem, before any request.

    ``rate_limits``: the result of ``connection_problems`` when the caller has already checked the options.
    """
    if rate_limits is None:
        problems, rate_limits = connection_problems(params, sources)
        if problems:
            raise OptionError("Invalid connection options: " + "; ".join(problems))
    window = setting(params, "rate_window")
    validate_certs = params.get("validate_certs") is not False
    api_url = params.get("api_url") or DEFAULT_API_URL
    pacer = Pacer(
        key=pacing_key(api_url, params["api_id"], params["api_key"]),
        window=window,
        profile=setting(params, "rate_limit_profile"),
        overrides=rate_limits or None,
        state_dir=params.get("pacing_state_dir"),
        enabled=setting(params, "pacing"),
    )
    try:
        client = VictorOpsClient(
            api_url=api_url,
            api_id=params["api_id"],
            api_key=params["api_key"],
            timeout=setting(params, "request_timeout"),
            validate_certs=validate_certs,
            ca_path=params.get("ca_path"),
            retries=setting(params, "retries"),
            retry_timeout=setting(params, "retry_timeout"),
            rate_window=window,
            pacer=pacer,
            warn=warn,
            deadline=setting(params, "deadline"),
            allow_insecure_http=bool(params.get("allow_insecure_http")),
        )
    except (VictorOpsError, ValueError) as exc:
        raise OptionError("Invalid connection options: %s" % exc) from None
    if not validate_certs and warn is not None:
        warn("validate_certs is false: the API's TLS certificate is not verified.")
    return client
