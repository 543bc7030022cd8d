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
import traceback
from typing import Any
from collections.abc import Callable, Iterable

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

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
    UncertainWriteError,
    UnexpectedResponseError,
    VictorOpsError,
)
from ansible_collections.victorops.oncall.plugins.module_utils._connection import DEFAULT_API_URL, build_client, connection_problems, setting
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import (
    name_problem,
    CONTACT_KINDS,
    OBJECT_SLUG,
    POLICY_SLUG_PREFIX,
    RULE_TYPES,
    STATES,
    TIMEOUTS,
    SLUG_CHARACTERS,
    SLUG_PATTERN,
    USERNAME_CHARACTERS,
    USERNAME_PATTERN,
    email_problem,
    phone_problem,
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
# Argument spec pieces shared by modules (their documentation: the doc fragment victorops.oncall._paging).
STATE_OPTION = dict(type="str", choices=list(STATES), default="present")
RULE_OPTIONS = dict(
    type=dict(type="str", required=True, choices=list(RULE_TYPES)),
    contact=dict(type="str"),
    contact_id=dict(type="int"),
)
RULES_OPTION = dict(type="list", elements="dict", options=RULE_OPTIONS, mutually_exclusive=[("contact", "contact_id")])
STEP_OPTIONS = dict(
    timeout=dict(type="int", required=True, choices=list(TIMEOUTS)),
    rules=dict(RULES_OPTION, required=True),
)
TIMEOUT_OPTION = dict(type="int", choices=list(TIMEOUTS))
CONTACT_METHODS_OPTION = dict(
    type="list",
    elements="dict",
    options=dict(
        id=dict(type="int"),
        ext_id=dict(type="str"),
        kind=dict(type="str", required=True, choices=list(CONTACT_KINDS)),
        label=dict(type="str"),
        value=dict(type="str", required=True),
    ),
)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def boolean_numbers(spec: dict[str, Any], values: dict[str, Any] | None, prefix: str = "") -> list[str]:
    """Integer options given a boolean, at any depth: the argument spec takes ``true`` for 1, which is never meant
    (``contact_id: true`` would name contact method 1)."""
    problems = []
    for option, rules in spec.items():
        value = (values or {}).get(option)
        name = prefix + option
        if rules.get("type") == "int" and isinstance(value, bool):
            problems.append("%s must be a number, got the boolean %s: give the number itself" % (name, str(value).lower()))
        elif rules.get("options") and isinstance(value, list):
            for i, item in enumerate(value):
                problems += boolean_numbers(rules["options"], item if isinstance(item, dict) else None, "%s[%d]." % (name, i))
        elif rules.get("options") and isinstance(value, dict):
            problems += boolean_numbers(rules["options"], value, name + ".")
    return problems


def render_diff(value: Any) -> str:
    """A diff side as text: non-ASCII names stay readable (callbacks escape them in dictionaries)."""
    return json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


class VictorOpsModule:
    """An AnsibleModule with the collection's connection options, declared option checks, client and one exit.

    The declared checks of a module's own options run before any request, each problem named once:

    * ``usernames`` and ``slugs``: options holding a username (or a list of them) or an object's slug, checked
      against the characters the API allows; ``names``: an object's name or slug (looked up, never put in a
      path: printable, at most 255 characters); ``policies``: an escalation policy's name or slug (a value with
      a slug's prefix must have a slug's shape);
    * ``non_empty``: strings that must not be blank and lists that must not be empty, each an option or
      ``(option, what the message says instead of "must not be empty")``; ``LIST[].KEY`` names the value under
      ``KEY`` of each element of the list option ``LIST``;
    * ``non_negative`` and ``positive``: integers of 0 or more, of 1 or more;
    * ``emails``: email addresses; ``contact_values``: ``(kind option, value option)`` pairs, the value checked
      against its kind's shape (an email address, or a phone number in E.164 form);
    * ``different``: ``(option, other)`` pairs that must not name the same user;
    * ``only_with``: ``{option: (other, value)}``, an option that may be set only when ``other`` is ``value``;
    * ``one_of``: options of which at least one must be set (true or not empty).
    """

    def __init__(
        self,
        argument_spec: dict[str, Any],
        supports_check_mode: bool = True,
        usernames: Iterable[str] = (),
        slugs: Iterable[str] = (),
        names: Iterable[str] = (),
        policies: Iterable[str] = (),
        non_empty: Iterable[str | tuple[str, str]] = (),
        non_negative: Iterable[str] = (),
        positive: Iterable[str] = (),
        emails: Iterable[str] = (),
        contact_values: Iterable[tuple[str, str]] = (),
        different: Iterable[tuple[str, str]] = (),
        only_with: dict[str, tuple[str, Any]] | None = None,
        one_of: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        spec = copy.deepcopy(CONNECTION_ARGSPEC)
        spec.update(copy.deepcopy(argument_spec))
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self.params = self.module.params
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._client: VictorOpsClient | None = None
        problems, self._rate_limits = connection_problems(self.params)
        if problems:
            self.fail("Invalid connection options: " + "; ".join(problems), error="option")
        declared = dict(
            usernames=tuple(usernames),
            slugs=tuple(slugs),
            names=tuple(names) + tuple(policies),
            policies=tuple(policies),
            non_empty=tuple(non_empty),
            non_negative=tuple(non_negative),
            positive=tuple(positive),
            emails=tuple(emails),
            contact_values=tuple(contact_values),
            different=tuple(different),
            only_with=dict(only_with or {}),
            one_of=tuple(one_of),
        )
        problems = boolean_numbers(spec, self.params) + self._option_problems(declared)
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
        return setting(self.params, name)

    # -- checks, before any request ----------------------------------------------------------

    def _option_problems(self, declared: dict[str, Any]) -> list[str]:
        """Every problem of the declared checks, in the order of the checks."""
        d = declared
        problems = [problem for option in d["non_empty"] + d["names"] for problem in self._empty_problems(option)]
        problems += [problem for option in d["usernames"] for problem in self._path_value_problems(option, "username")]
        problems += [problem for option in d["slugs"] for problem in self._path_value_problems(option, "slug")]
        problems += [problem for option in d["names"] for problem in self._name_problems(option)]
        problems += [problem for option in d["policies"] for problem in self._policy_problems(option)]
        problems += [problem for option in d["non_negative"] for problem in self._number_problems(option, 0)]
        problems += [problem for option in d["positive"] for problem in self._number_problems(option, 1)]
        problems += [problem for option in d["emails"] for problem in self._contact_problems("email", option)]
        problems += [problem for kind, option in d["contact_values"] for problem in self._contact_problems(self.params.get(kind), option)]
        problems += [problem for option, other in d["different"] for problem in self._different_problems(option, other)]
        problems += [problem for option, condition in d["only_with"].items() for problem in self._only_with_problems(option, *condition)]
        if d["one_of"] and not any(self.params.get(option) for option in d["one_of"]):
            problems.append("Nothing to read: set at least one of %s or %s." % (", ".join(d["one_of"][:-1]), d["one_of"][-1]))
        return problems

    def _values(self, option: str) -> list[tuple[str, Any]]:
        """``[(name, value)]`` of an option: its value, each value of a list, or ``LIST[i].KEY`` for ``LIST[].KEY``."""
        if "[]." in option:
            outer, key = option.split("[].", 1)
            return [("%s[%d].%s" % (outer, i, key), item.get(key)) for i, item in enumerate(self.params.get(outer) or []) if isinstance(item, dict)]
        value = self.params.get(option)
        if isinstance(value, list):
            return [(option, item) for item in value]
        return [(option, value)]

    def _empty_problems(self, option: str | tuple[str, str]) -> list[str]:
        option, text = (option, "must not be empty") if isinstance(option, str) else option
        if "[]." not in option and isinstance(self.params.get(option), list):
            return [] if self.params[option] else ["%s %s" % (option, text)]
        return ["%s %s" % (name, text) for name, value in self._values(option) if value == [] or (isinstance(value, str) and not value.strip())]

    def _path_value_problems(self, option: str, noun: str) -> list[str]:
        pattern, allowed = (USERNAME_PATTERN, USERNAME_CHARACTERS) if noun == "username" else (SLUG_PATTERN, SLUG_CHARACTERS)
        bad = []
        for name, value in self._values(option):
            if not isinstance(value, str):
                continue
            if not value.strip():
                bad.append("%s must not be empty" % name)
                continue
            problem = path_value_problem(value)
            if problem is None and not pattern.match(value):
                problem = "it may only contain %s" % allowed
            if problem is not None:
                bad.append("%s %s is not a valid %s: %s" % (name, _shown(value), noun, problem))
        return bad

    def _name_problems(self, option: str) -> list[str]:
        value = self.params.get(option)
        if not isinstance(value, str) or not value.strip():
            return []
        problem = name_problem(value)
        return ["%s %s is not a valid name or slug: %s" % (option, _shown(value), problem)] if problem else []

    def _policy_problems(self, option: str) -> list[str]:
        value = self.params.get(option)
        if isinstance(value, str) and POLICY_SLUG_PREFIX.match(value) and not OBJECT_SLUG.match(value):
            return [
                "%s %r is not a valid escalation policy slug: a slug is pol- or team- followed by 16 letters, digits or '_'; "
                "give the slug as the API shows it, or the policy's name" % (option, value)
            ]
        return []

    def _number_problems(self, option: str, least: int) -> list[str]:
        value = self.params.get(option)
        if isinstance(value, int) and value < least:
            return ["%s must be %d or more, got %d" % (option, least, value)]
        return []

    def _contact_problems(self, kind: Any, option: str) -> list[str]:
        value = self.params.get(option)
        if not isinstance(value, str) or not value.strip() or kind not in ("email", "phone"):
            return []
        problem = email_problem(value) if kind == "email" else phone_problem(value)
        if problem is None:
            return []
        # The kind is named when it comes from another option (victorops_contact_method's kind and value).
        where = "%s %r" % (option, value) if option == kind else "%s %r (kind=%s)" % (option, value, kind)
        return ["%s %s" % (where, problem)]

    def _different_problems(self, option: str, other: str) -> list[str]:
        value = self.params.get(option)
        if value is not None and value == self.params.get(other):
            return ["%s must be another user than %s %r" % (option, other, value)]
        return []

    def _only_with_problems(self, option: str, other: str, wanted: Any) -> list[str]:
        value = self.params.get(option)
        if value in (None, False) or self.params.get(other) == wanted:
            return []
        return ["%s applies to %s=%s only: leave it out with %s=%s" % (option, other, wanted, other, self.params.get(other))]

    # -- the client ---------------------------------------------------------------------------

    @property
    def client(self) -> VictorOpsClient:
        """The one API client of this module run, built on first use."""
        if self._client is None:
            try:
                self._client = build_client(self.params, warn=self.module.warn, rate_limits=self._rate_limits)
            except OptionError as exc:
                self.fail(str(exc), error="option")
        if self._client is None:  # fail() above does not return
            raise RuntimeError("the API client was not built")
        return self._client

    def _pacing_warnings(self) -> None:
        pacer = self._client.pacer if self._client is not None else None
        if pacer is None:
            return
        if pacer.fallback_reason:
            self.module.warn("Pacing is not shared with other processes: %s." % pacer.fallback_reason)
        for operation, seconds in sorted(pacer.waits.items()):
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
        except (OptionError, UnexpectedResponseError, UncertainWriteError) as exc:
            self.fail(str(exc), error=error_kind(exc))
        except VictorOpsError as exc:
            self.fail(str(exc), status=getattr(exc, "status", None), error=error_kind(exc))
        except Exception as exc:  # noqa: BLE001  (last resort: a readable failure instead of a traceback)
            self.fail("Unexpected error: %s: %s" % (type(exc).__name__, exc), exception=traceback.format_exc(), error="internal")
        else:
            self.exit(changed, before=before, after=after, **extra)
