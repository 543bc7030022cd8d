# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base every module of the collection stands on.

It owns the shared connection options and their checks, the declared checks of each module's
own options, the one API client, and the one exit: a module body returns
``(changed, before, after, extra)`` and raises on failure; this base turns the return into
``exit_json`` (with the diff in diff mode) and every error of ``_errors`` into ``fail_json``.
"""

from __future__ import annotations

import copy
import json
import re
import traceback
import unicodedata
from typing import Any
from collections.abc import Callable, Iterable

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.victorops.oncall.plugins.module_utils._api import OPERATIONS, describe
from ansible_collections.victorops.oncall.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    VictorOpsClient,
    path_value_problem,
)
from ansible_collections.victorops.oncall.plugins.module_utils._errors import (
    OptionError,
    error_kind,
    PlanExecutionError,
    UnexpectedResponseError,
    VictorOpsError,
)
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer

DEFAULT_API_URL = "https://api.victorops.com"
DEFAULTS = dict(
    request_timeout=30.0,
    retries=6,
    retry_timeout=120.0,
    deadline=300.0,
    rate_window=60.0,
    rate_limit_profile="auto",
    pacing=True,
)
RATE_LIMIT_PROFILES = ["auto", "2ps", "2020", "2018"]
# A module that waited longer than this for the rate limit says so.
LONG_PACING_WAIT = 10.0

# Fallbacks (environment variables) are applied before argspec defaults. Options whose default
# is applied in code show it in their description only, to keep the documentation in step.
CONNECTION_ARGSPEC = dict(
    api_id=dict(type="str", fallback=(env_fallback, ["VICTOROPS_API_ID"])),
    api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["VICTOROPS_API_KEY"])),
    api_url=dict(type="str", default=DEFAULT_API_URL, fallback=(env_fallback, ["VICTOROPS_API_URL"])),
    allow_insecure_http=dict(type="bool", default=False),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    # Not "timeout": victorops_paging_step's own timeout option is the step's paging timeout in minutes.
    request_timeout=dict(type="float", fallback=(env_fallback, ["VICTOROPS_REQUEST_TIMEOUT"])),
    deadline=dict(type="float", fallback=(env_fallback, ["VICTOROPS_DEADLINE"])),
    retries=dict(type="int", fallback=(env_fallback, ["VICTOROPS_RETRIES"])),
    retry_timeout=dict(type="float", fallback=(env_fallback, ["VICTOROPS_RETRY_TIMEOUT"])),
    pacing=dict(type="bool", fallback=(env_fallback, ["VICTOROPS_PACING"])),
    rate_limit_profile=dict(type="str", choices=RATE_LIMIT_PROFILES, fallback=(env_fallback, ["VICTOROPS_RATE_LIMIT_PROFILE"])),
    rate_limits=dict(type="dict"),
    rate_window=dict(type="float", fallback=(env_fallback, ["VICTOROPS_RATE_WINDOW"])),
    pacing_state_dir=dict(type="path", fallback=(env_fallback, ["VICTOROPS_PACING_STATE_DIR"])),
)
CREDENTIAL_SOURCES = {
    "api_id": "set the api_id option, the VICTOROPS_API_ID environment variable (an AWX VictorOps credential sets it), "
    "or the victorops_api_id variable of the collection's roles",
    "api_key": "set the api_key option, the VICTOROPS_API_KEY environment variable (an AWX VictorOps credential sets it), "
    "or the victorops_api_key variable of the collection's roles",
}

# The characters VictorOps allows in usernames and in slugs. A value outside them could address
# another object once it is in a path (``victim;x`` is ``victim`` to a servlet stack).
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._@+-]+$")
SLUG_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]+$")
MAX_NAME_LENGTH = 255


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def operation_name(key: str) -> str | None:
    """The operation a ``rate_limits`` key names: an operation name, or its ``METHOD /path`` form; None when unknown."""
    text = " ".join(str(key).split())
    if text in OPERATIONS or text == "default":
        return text
    method, _sep, path = text.partition(" ")
    placeholders = re.compile(r"\{[^{}/]*\}")
    wanted = "%s %s" % (method.upper(), placeholders.sub("{}", path.rstrip("/")))
    for name in OPERATIONS:
        if placeholders.sub("{}", describe(name)) == wanted:
            return name
    return None


def render_diff(value: Any) -> str:
    """A diff side as text: non-ASCII names stay readable (callbacks escape them in dictionaries)."""
    return json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


class VictorOpsModule:
    """An AnsibleModule with the collection's connection options, declared option checks, client and one exit.

    ``usernames`` and ``slugs`` name the options that hold a username or an object's slug (checked
    against the characters the API allows); ``names`` the options that hold an object's name or slug
    (looked up, never put in a path: printable, at most 255 characters); ``non_empty`` the string options
    that must not be blank; ``non_negative`` the integer options that must be 0 or more.
    """

    def __init__(
        self,
        argument_spec: dict[str, Any],
        supports_check_mode: bool = True,
        usernames: Iterable[str] = (),
        slugs: Iterable[str] = (),
        names: Iterable[str] = (),
        non_empty: Iterable[str] = (),
        non_negative: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        spec = copy.deepcopy(CONNECTION_ARGSPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self.params = self.module.params
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._client: VictorOpsClient | None = None
        self._rate_limits: dict[str, int] = {}
        problems = self._connection_problems()
        if problems:
            self.fail("Invalid connection options: " + "; ".join(problems), error="option")
        problems = self._option_problems(tuple(usernames), tuple(slugs), tuple(non_empty) + tuple(names), tuple(non_negative))
        problems += [problem for name in names for problem in self._name_problems(name)]
        if problems:
            self.fail("; ".join(problems), error="option")

    @property
    def check_mode(self) -> bool:
        return self.module.check_mode

    @property
    def diff_mode(self) -> bool:
        return self.module._diff

    def setting(self, name: str) -> Any:
        """A connection option's value, its code default when unset."""
        value = self.params.get(name)
        return DEFAULTS.get(name) if value is None else value

    # -- checks, before any request ----------------------------------------------------------

    def _connection_problems(self) -> list:
        p = self.params
        problems = []
        for name in ("api_id", "api_key"):
            value = p[name]
            if value is None or not value.strip():
                problems.append("%s %s: %s" % (name, "is missing" if value is None else "must not be empty", CREDENTIAL_SOURCES[name]))
            elif not PRINTABLE_ASCII.match(value) or value != value.strip():
                # The value is not repeated: it is a secret, or half of one.
                problems.append("%s must be printable ASCII without leading or trailing spaces (check for a pasted non-ASCII character or line break)" % name)
        for name, inclusive in (("request_timeout", False), ("deadline", False), ("retries", True), ("retry_timeout", True), ("rate_window", False)):
            value = p[name]
            if value is None:
                continue
            if value < 0 or (value == 0 and not inclusive):
                problems.append("%s must be %s, got %s" % (name, "0 or more" if inclusive else "greater than 0", value))
        for key, limit in (p["rate_limits"] or {}).items():
            operation = operation_name(key)
            if operation is None:
                problems.append("rate_limits key %r names no operation; known operations: default, %s" % (key, ", ".join(sorted(OPERATIONS))))
                continue
            try:
                count = int(limit)
                if count < 1 or count != float(limit):
                    raise ValueError()
            except (TypeError, ValueError):
                problems.append("rate_limits[%r] must be a whole number of calls of 1 or more, got %r" % (key, limit))
                continue
            self._rate_limits[operation] = count
        return problems

    def _option_problems(self, usernames: tuple[str, ...], slugs: tuple[str, ...], non_empty: tuple[str, ...], non_negative: tuple[str, ...]) -> list:
        p = self.params
        problems = []
        for name in non_empty + usernames + slugs:
            if isinstance(p.get(name), str) and not p[name].strip():
                problems.append("%s must not be empty" % name)
        for name, pattern, allowed in [(n, USERNAME_PATTERN, "letters, digits, '.', '_', '-', '@' and '+'") for n in usernames] + [
            (n, SLUG_PATTERN, "letters, digits, '-' and '_'") for n in slugs
        ]:
            value = p.get(name)
            if not isinstance(value, str) or not value.strip():
                continue
            problem = path_value_problem(value)
            if problem is None and not pattern.match(value):
                problem = "it may only contain %s" % allowed
            if problem is not None:
                problems.append("%s %s is not a valid %s: %s" % (name, _shown(value), "slug" if pattern is SLUG_PATTERN else "username", problem))
        for name in non_negative:
            if isinstance(p.get(name), int) and p[name] < 0:
                problems.append("%s must be 0 or more, got %d" % (name, p[name]))
        return problems

    def _name_problems(self, option: str) -> list:
        value = self.params.get(option)
        if not isinstance(value, str) or not value.strip():
            return []
        if len(value) > MAX_NAME_LENGTH:
            return ["%s %s is not a valid name or slug: it is longer than %d characters" % (option, _shown(value), MAX_NAME_LENGTH)]
        if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in value):
            return ["%s %s is not a valid name or slug: it contains a control character" % (option, _shown(value))]
        return []

    # -- the client ---------------------------------------------------------------------------

    @property
    def client(self) -> VictorOpsClient:
        """The one API client of this module run, built on first use."""
        if self._client is None:
            p = self.params
            window = self.setting("rate_window")
            api_url = p["api_url"] or DEFAULT_API_URL
            pacer = Pacer(
                key="%s|%s" % (api_url.rstrip("/"), p["api_id"]),
                window=window,
                profile=self.setting("rate_limit_profile"),
                overrides=self._rate_limits or None,
                state_dir=p["pacing_state_dir"],
                enabled=self.setting("pacing"),
            )
            try:
                self._client = VictorOpsClient(
                    api_url=api_url,
                    api_id=p["api_id"],
                    api_key=p["api_key"],
                    timeout=self.setting("request_timeout"),
                    validate_certs=p["validate_certs"],
                    ca_path=p["ca_path"],
                    retries=self.setting("retries"),
                    retry_timeout=self.setting("retry_timeout"),
                    rate_window=window,
                    pacer=pacer,
                    warn=self.module.warn,
                    **self._client_extras(),
                )
            except (VictorOpsError, ValueError) as exc:
                self.fail("Invalid connection options: %s" % exc, error="option")
            if not p["validate_certs"]:
                self.module.warn("validate_certs is false: the API's TLS certificate is not verified.")
        if self._client is None:  # fail() above does not return
            raise RuntimeError("the API client was not built")
        return self._client

    def _client_extras(self) -> dict[str, Any]:
        return dict(deadline=self.setting("deadline"), allow_insecure_http=self.params["allow_insecure_http"])

    def _pacing_warnings(self) -> None:
        pacer = getattr(self._client, "pacer", None) if self._client is not None else None
        if pacer is None:
            return
        reason = getattr(pacer, "fallback_reason", None)
        if reason:
            self.module.warn("Pacing is not shared with other processes: %s." % reason)
        waits = getattr(pacer, "waited_by_operation", None)
        if not isinstance(waits, dict):
            waits = {"all operations": getattr(pacer, "waited", 0.0)}
        for operation, seconds in sorted(waits.items()):
            if seconds > LONG_PACING_WAIT:
                self.module.warn(
                    "Waited %.0f s for the API's rate limit of %s; the limits are per API account, shared by every "
                    "run on this controller." % (seconds, operation)
                )

    def api_stats(self) -> dict[str, Any]:
        if self._client is None:
            return dict(calls=0, writes=0, retries=0, pacing_wait=0.0, retry_wait=0.0, operations={})
        return self._client.stats

    # -- the one exit -------------------------------------------------------------------------

    def fail(self, msg: str, **result: Any) -> None:
        self._pacing_warnings()
        result["api"] = self.api_stats()
        self.module.fail_json(msg=msg, **result)

    def exit(self, changed: bool, before: Any = None, after: Any = None, **result: Any) -> None:
        """Exit with ``changed``, the client's counters and, in diff mode, the real before and after."""
        self._pacing_warnings()
        result["api"] = self.api_stats()
        if self.diff_mode and (before is not None or after is not None):
            result["diff"] = dict(before=render_diff(before), after=render_diff(after))
        self.module.exit_json(changed=changed, **result)

    def run(self, body: Callable[[VictorOpsModule], tuple[bool, Any, Any, dict[str, Any]]]) -> None:
        """Run the module body ``body(self)``, which returns ``(changed, before, after, extra)``; exit once.

        Every error becomes a clear failure, never a traceback.
        """
        try:
            changed, before, after, extra = body(self)
        except PlanExecutionError as exc:
            # The writes that did happen before the failure.
            self.fail(str(exc), plan=exc.applied, status=exc.status, error=error_kind(exc))
        except (OptionError, UnexpectedResponseError) as exc:
            self.fail(str(exc), error=error_kind(exc))
        except VictorOpsError as exc:
            self.fail(str(exc), status=getattr(exc, "status", None), error=error_kind(exc))
        except Exception as exc:  # noqa: BLE001  (last resort: a readable failure instead of a traceback)
            self.fail("Unexpected error: %s: %s" % (type(exc).__name__, exc), exception=traceback.format_exc(), error="internal")
        else:
            self.exit(changed, before=before, after=after, **extra)
