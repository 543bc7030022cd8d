# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base every module of the collection stands on.

It owns the shared connection options, builds the one API client, and turns client and
planning errors into ``fail_json`` results. Modules keep only their own argument spec, their
documentation and the call into the planner.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.victorops.oncall.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    VictorOpsClient,
    VictorOpsError,
    path_value_problem,
)
from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer

DEFAULT_API_URL = "https://api.victorops.com"
DEFAULT_RETRIES = 6
DEFAULT_RETRY_TIMEOUT = 120.0
DEFAULT_RATE_WINDOW = 60.0
DEFAULT_RATE_LIMIT_PROFILE = "2018"

# Fallbacks (environment variables) are applied before argspec defaults. Options whose default
# is applied in code show it in their description only, to keep the documentation in step.
CONNECTION_ARGSPEC = dict(
    api_id=dict(type="str", required=True, fallback=(env_fallback, ["VICTOROPS_API_ID"])),
    api_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["VICTOROPS_API_KEY"])),
    api_url=dict(type="str", default=DEFAULT_API_URL, fallback=(env_fallback, ["VICTOROPS_API_URL"])),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    # Not "timeout": victorops_paging_step's own timeout option is the step's paging timeout in minutes.
    request_timeout=dict(type="float", default=30.0, fallback=(env_fallback, ["VICTOROPS_REQUEST_TIMEOUT"])),
    retries=dict(type="int", fallback=(env_fallback, ["VICTOROPS_RETRIES"])),
    retry_timeout=dict(type="float", fallback=(env_fallback, ["VICTOROPS_RETRY_TIMEOUT"])),
    pacing=dict(type="bool", fallback=(env_fallback, ["VICTOROPS_PACING"])),
    rate_limit_profile=dict(type="str", choices=["2018", "2020"], fallback=(env_fallback, ["VICTOROPS_RATE_LIMIT_PROFILE"])),
    rate_limits=dict(type="dict"),
    rate_window=dict(type="float", fallback=(env_fallback, ["VICTOROPS_RATE_WINDOW"])),
    pacing_state_dir=dict(type="path", fallback=(env_fallback, ["VICTOROPS_PACING_STATE_DIR"])),
)


# Options that name a user, an escalation policy or a team by its identifier. The API addresses
# these objects by that identifier in its paths, so a value that could change a path (../x, a/b,
# a?b, %2e%2e, a#b, control characters) names nothing the API can hold: it is refused before any
# request, even where the value only goes into a request body.
IDENTIFIER_OPTIONS = ("username", "from_user", "to_user", "replacement", "policy", "paging_policy", "user_paging_policies", "team_policies")


def _default(value, default):
    return default if value is None else value


class VictorOpsModule:
    """An AnsibleModule with the collection's connection options, client and result plumbing."""

    def __init__(self, argument_spec, supports_check_mode=True, **kwargs):
        spec = copy.deepcopy(CONNECTION_ARGSPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self.params = self.module.params
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._client = None
        self._check_settings()
        self._check_identifiers()

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff

    def _check_settings(self):
        p = self.params
        problems = []
        if not (p["api_id"] or "").strip():
            problems.append("api_id must not be empty")
        if not (p["api_key"] or "").strip():
            problems.append("api_key must not be empty")
        if p["request_timeout"] is not None and p["request_timeout"] <= 0:
            problems.append("request_timeout must be greater than 0, got %s" % p["request_timeout"])
        if p["retries"] is not None and p["retries"] < 0:
            problems.append("retries must be 0 or more, got %s" % p["retries"])
        if p["retry_timeout"] is not None and p["retry_timeout"] < 0:
            problems.append("retry_timeout must be 0 or more, got %s" % p["retry_timeout"])
        if p["rate_window"] is not None and p["rate_window"] <= 0:
            problems.append("rate_window must be greater than 0, got %s" % p["rate_window"])
        for operation, limit in (p["rate_limits"] or {}).items():
            try:
                if int(limit) < 1:
                    raise ValueError()
            except (TypeError, ValueError):
                problems.append("rate_limits[%r] must be a whole number of calls of 1 or more, got %r" % (operation, limit))
        if problems:
            self.module.fail_json(msg="Invalid connection options: " + "; ".join(problems))

    def _check_identifiers(self):
        problems = []
        for name in IDENTIFIER_OPTIONS:
            value = self.params.get(name)
            # Blank values are left to each module's own "must not be empty" check.
            if not isinstance(value, str) or not value.strip():
                continue
            problem = path_value_problem(value)
            if problem is not None:
                shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:60] + "..."
                problems.append("%s %s is not a valid identifier: %s" % (name, shown, problem))
        if problems:
            self.module.fail_json(msg="; ".join(problems), api=self.api_stats())

    @property
    def client(self):
        """The one API client of this module run, built on first use."""
        if self._client is None:
            p = self.params
            window = _default(p["rate_window"], DEFAULT_RATE_WINDOW)
            api_url = _default(p["api_url"], DEFAULT_API_URL)
            overrides = {k: int(v) for k, v in (p["rate_limits"] or {}).items()}
            pacer = Pacer(
                key="%s|%s" % (api_url.rstrip("/"), p["api_id"]),
                window=window,
                profile=_default(p["rate_limit_profile"], DEFAULT_RATE_LIMIT_PROFILE),
                overrides=overrides or None,
                state_dir=p["pacing_state_dir"],
                enabled=_default(p["pacing"], True),
            )
            try:
                self._client = VictorOpsClient(
                    api_url=api_url,
                    api_id=p["api_id"],
                    api_key=p["api_key"],
                    timeout=p["request_timeout"],
                    validate_certs=p["validate_certs"],
                    ca_path=p["ca_path"],
                    retries=_default(p["retries"], DEFAULT_RETRIES),
                    retry_timeout=_default(p["retry_timeout"], DEFAULT_RETRY_TIMEOUT),
                    rate_window=window,
                    pacer=pacer,
                    warn=self.module.warn,
                )
            except VictorOpsError as exc:
                self.module.fail_json(msg="Invalid connection options: %s" % exc)
            except ValueError as exc:
                self.module.fail_json(msg="Invalid connection options: %s" % exc)
            if not p["validate_certs"]:
                self.module.warn("validate_certs is false: the API's TLS certificate is not verified.")
        return self._client

    def _warn_pacing_fallback(self):
        pacer = getattr(self._client, "pacer", None) if self._client is not None else None
        reason = getattr(pacer, "fallback_reason", None)
        if reason:
            self.module.warn("Pacing is not shared with other processes: %s." % reason)

    def api_stats(self):
        if self._client is None:
            return dict(calls=0, writes=0, retries=0, pacing_wait=0.0, retry_wait=0.0, operations={})
        return self._client.stats

    def fail(self, msg, **result):
        self._warn_pacing_fallback()
        result["api"] = self.api_stats()
        self.module.fail_json(msg=msg, **result)

    def exit(self, changed, before=None, after=None, **result):
        """Exit with ``changed``, the client's counters and, in diff mode, the real before and after."""
        self._warn_pacing_fallback()
        result["api"] = self.api_stats()
        if self.diff_mode and (before is not None or after is not None):
            result["diff"] = dict(before=before, after=after)
        self.module.exit_json(changed=changed, **result)

    def run(self, function):
        """Run ``function(self)``; every error becomes a clear failure, never a traceback."""
        # Local import: the planner errors are plain ValueErrors without HTTP dependencies.
        from ansible_collections.victorops.oncall.plugins.module_utils._normalize import UnexpectedResponseError
        from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import PlanError

        try:
            function(self)
        except (PlanError, UnexpectedResponseError) as exc:
            extra = {}
            if getattr(exc, "applied", None) is not None:
                extra["plan"] = exc.applied  # the writes that did happen before the failure
            self.fail(str(exc), **extra)
        except VictorOpsError as exc:
            self.fail(str(exc), status=getattr(exc, "status", None))
        except Exception as exc:  # noqa: BLE001  (last resort: a readable failure instead of a traceback)
            self.fail("Unexpected error: %s: %s" % (type(exc).__name__, exc), exception=traceback.format_exc())
