# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's vocabulary: every fact about the API's values and the shapes of what people type, once.

* the API's values: paging timeouts, rule types, contact kinds and which kind each rule type pages;
* the shapes of usernames, emails, phones and slugs, and the checks built on them;
* the canonical forms two values are compared in (``contact_key``) and the matching of a given username;
* the one parser of contact methods (one object, or the whole ``list_contact_methods`` answer);
* the one rendering of paging steps and of a contact method, as data and as text;
* the paths and query parameters ``victorops_api`` accepts;
* instants and time zones: the one parser of an instant (ISO 8601 or epoch milliseconds) and its one UTC text.

Pure: no I/O; it imports only ``_errors``. Modules, the planner, ``_api`` and the roles' plugin code import it.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from typing import Any
from collections.abc import Iterable

from ansible_collections.victorops.oncall.plugins.module_utils._errors import MalformedPolicyError, OptionError

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    HAS_ZONEINFO = True
except ImportError:  # Python before 3.9 on a managed node: only UTC and instants with an offset are understood
    HAS_ZONEINFO = False

# -- the API's values -----------------------------------------------------------------------------

TIMEOUTS = (1, 5, 10, 15, 20, 25, 30, 45, 60)
RULE_TYPES = ("push", "email", "sms", "phone")
CONTACT_KINDS = ("email", "phone")
# The kind of contact method each rule type pages; push pages every device of the user and takes none.
CONTACT_KIND = {"email": "email", "sms": "phone", "phone": "phone", "push": None}
# Contact kind -> the section of a contact-methods answer and the path segment of its operations.
CONTACT_SECTIONS = {"email": "emails", "phone": "phones"}
STATES = ("present", "absent")

# -- shapes of what people type ----------------------------------------------------------------------

# The characters VictorOps allows in usernames and in slugs. A value outside them could address
# another object once it is in a path (``victim;x`` is ``victim`` to a servlet stack).
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._@+-]+$")
USERNAME_CHARACTERS = "letters, digits, '.', '_', '-', '@' and '+'"
SLUG_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
SLUG_CHARACTERS = "letters, digits, '-' and '_'"
# The documented slug shape (team-[\w\d]{16}, pol-[\w\d]{16}); anything else given for a team or a policy is a name.
OBJECT_SLUG = re.compile(r"^[A-Za-z]+-[A-Za-z0-9_]{16}$")
TEAM_SLUG = re.compile(r"^team-[A-Za-z0-9_]{16}$")
# A value with an escalation policy slug's prefix is meant as a slug, and must have a slug's shape.
POLICY_SLUG_PREFIX = re.compile(r"^(pol|team)-")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# E.164: a +, the country code and the number (at most 15 digits); spaces, dots, dashes and parentheses may group them.
PHONE_PATTERN = re.compile(r"^\+[0-9 ().\t-]+$")
PHONE_DIGITS = (4, 15)
PHONE_EXAMPLE = "+1 555 010 0100"

_NOT_A_DIGIT = re.compile(r"[^0-9]")


# The longest name or slug an option takes.
MAX_NAME_LENGTH = 255


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a name an option gives (too long, or a control character), or None."""
    if len(value) > MAX_NAME_LENGTH:
        return "it is longer than %d characters" % MAX_NAME_LENGTH
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in value):
        return "it contains a control character"
    return None


def email_problem(value: str) -> str | None:
    """Why ``value`` is not an email address (a predicate: "is not ..."), or None."""
    return None if EMAIL_PATTERN.match(value.strip()) else "is not an email address"


def phone_problem(value: str) -> str | None:
    """Why ``value`` is not a phone number in E.164 form (a predicate: "is not ...", "has no ..."), or None; it says the fix."""
    text = value.strip()
    digits = len(_NOT_A_DIGIT.sub("", text))
    if re.match(r"^[0-9 ().\t-]+$", text) and PHONE_DIGITS[0] <= digits:
        return "has no country code: give the number in E.164 form, a + and the country code first (for example %s)" % PHONE_EXAMPLE
    if not PHONE_PATTERN.match(text) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return "is not a phone number: give it in E.164 form, a + and %d to %d digits (for example %s)" % (PHONE_DIGITS[0], PHONE_DIGITS[1], PHONE_EXAMPLE)
    return None


def contact_key(kind: str, value: str | None) -> str:
    """The canonical form of a contact value, the one comparison used everywhere.

    Emails compare without regard to case; phones by their digits (``+1 (555) 010-0999``,
    ``+15550100999`` and ``+1 555-010-0999`` are one number), since the API may store and read back
    a number in its own format.
    """
    value = (value or "").strip()
    if kind == "email":
        return value.casefold()
    return _NOT_A_DIGIT.sub("", value)


def user_key(username: str | None) -> str:
    """A username folded for the case-insensitive fallback of :func:`match_username` (never for identity)."""
    return (username or "").strip().casefold()


def match_username(given: str, candidates: Iterable[str], option: str) -> tuple[str | None, str | None]:
    """``(match, note)``: the username of ``candidates`` that ``given`` names.

    Identity is exact: a candidate spelled exactly as ``given`` is the match. Only when none is may one candidate
    that differs in case alone stand in (an API that stores usernames in its own case); ``note`` then says so.
    Two or more such candidates are an error naming them. ``(None, None)`` when nothing matches.
    """
    names = list(candidates)
    if given in names:
        return given, None
    folded = sorted({name for name in names if user_key(name) == user_key(given)})
    if not folded:
        return None, None
    if len(folded) > 1:
        raise OptionError(
            "%s %r matches no username exactly and several in another case: %s; give the username exactly as the API spells it"
            % (option, given, ", ".join(folded))
        )
    return folded[0], "%s %r matched the username %r, which differs only in case (the API answered it so)" % (option, given, folded[0])


def name_matches(items: Iterable[dict[str, Any]], given: str, slug_key: str = "slug", name_key: str = "name") -> list[dict[str, Any]]:
    """The items ``given`` names, by the first rule that finds any: the slug exactly, the name exactly, the name
    ignoring case. More than one is for the caller to refuse as ambiguous; none, to report as unknown."""
    items = list(items)
    for matches in (
        [i for i in items if i.get(slug_key) == given],
        [i for i in items if i.get(name_key) == given],
        [i for i in items if str(i.get(name_key) or "").lower() == str(given).lower()],
    ):
        if matches:
            return matches
    return []


def nearest(given: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``given`` (for "did you mean ...?"), or None when none is close."""
    by_fold: dict[str, str] = {}
    for name in known:
        if isinstance(name, str):
            by_fold.setdefault(name.casefold(), name)
    close = difflib.get_close_matches(given.casefold(), list(by_fold), n=1, cutoff=0.6)
    return by_fold[close[0]] if close else None


# -- the one parser of contact methods ----------------------------------------------------------------


def verified_flag(value: Any) -> bool:
    """``verified`` is a boolean on users but the string ``"verified"``/``"unverified"`` on contact methods."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("verified", "true")
    return False


def _number(value: Any, what: str, detail: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise MalformedPolicyError(detail % (value,), what)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MalformedPolicyError(detail % (value,), what) from None


def parse_contact_method(item: Any, kind: str, what: str, identity: str = "id") -> dict[str, Any]:
    """One contact object of the API to ``{id, ext_id, kind, label, value, rank, verified}``.

    ``identity`` is the key the caller cannot do without: ``id`` (what paging rules name) or ``extId`` (what
    paths name). Reads answer ``value``; the spec's create bodies name it after the kind. Raises
    ``MalformedPolicyError`` (an ``UnexpectedResponseError``) naming ``what``.
    """
    section = CONTACT_SECTIONS[kind]
    if not isinstance(item, dict) or item.get(identity) in (None, ""):
        raise MalformedPolicyError("a contact method under %r has no %s" % (section, identity), what)
    ext_id = item.get("extId")
    value = item.get("value", item.get(kind))
    label = item.get("label")
    return dict(
        id=_number(item.get("id"), what, "contact method id %r is not a number"),
        ext_id=ext_id if isinstance(ext_id, str) and ext_id else None,
        kind=kind,
        label=label if isinstance(label, str) else "",
        value=value if isinstance(value, str) else "",
        rank=_number(item.get("rank"), what, "contact method rank %r is not a number"),
        verified=verified_flag(item.get("verified")),
    )


def contact_method_items(body: Any, kind: str, what: str, identity: str = "id") -> list[dict[str, Any]]:
    """A list of contact objects (``{"contactMethods": [...]}`` as the real API answers, or a bare list as the spec says)."""
    items = body.get("contactMethods") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise MalformedPolicyError("expected a list of contact methods under %r" % CONTACT_SECTIONS[kind], what)
    return [parse_contact_method(item, kind, what, identity) for item in items]


def parse_contact_methods(body: Any, what: str = "list_contact_methods") -> list[dict[str, Any]]:
    """A ``list_contact_methods`` answer (sections ``emails``, ``phones``, ``devices``) to its emails, then its phones."""
    if not isinstance(body, dict):
        raise MalformedPolicyError("expected a JSON object, got %s" % type(body).__name__, what)
    if not any(section in body for section in ("emails", "phones", "devices")):
        # Not a user without contacts: an answer without any section is not a contact-method list.
        raise MalformedPolicyError("expected the sections emails, phones and devices, got keys %s" % (", ".join(sorted(body)[:5]) or "none"), what)
    contacts = []
    for kind in CONTACT_KINDS:
        block = body.get(CONTACT_SECTIONS[kind])
        if block is not None:
            contacts.extend(contact_method_items(block, kind, what))
    return contacts


# -- the one rendering of contact methods and paging steps ------------------------------------------


def contact_view(contact: dict[str, Any] | None) -> dict[str, Any] | None:
    """A contact method as results and diffs show it beside its id: ``{kind, value, label}``."""
    if contact is None:
        return None
    return dict(kind=contact["kind"], value=contact["value"], label=contact["label"])


def contact_text(contact: dict[str, Any]) -> str:
    """A contact method as messages and plans say it: ``phone +1-555-0100 (Mobile)``."""
    if contact.get("label"):
        return "%s %s (%s)" % (contact["kind"], contact["value"], contact["label"])
    return "%s %s" % (contact["kind"], contact["value"])


def _by_id(contacts: list[dict[str, Any]] | None) -> dict[int, dict[str, Any]]:
    return {contact["id"]: contact for contact in contacts or [] if contact.get("id") is not None}


def rule_text(rule: dict[str, Any], contacts: list[dict[str, Any]] | None = None) -> str:
    """``push``; ``sms to phone +1-555-0100 (Mobile), contact method 100006`` (the id alone when the contact is unknown)."""
    if rule["contact_id"] is None:
        return rule["type"]
    found = _by_id(contacts).get(rule["contact_id"])
    if found is None:
        return "%s to contact method %s" % (rule["type"], rule["contact_id"])
    return "%s to %s, contact method %s" % (rule["type"], contact_text(found), rule["contact_id"])


def render_steps(steps: list[dict[str, Any]], contacts: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Normalised steps as every result and diff shows them.

    Each step has its 0-based ``step``, its ``timeout`` and its ``rules``; each rule its 0-based ``rule``, its ``type``,
    its ``contact_id`` and ``contact``, the contact method as ``{kind, value, label}`` from ``contacts`` (null for push
    rules, and when the contact methods were not read or do not hold the id).
    """
    known = _by_id(contacts)
    view = []
    for i, step in enumerate(steps):
        rules = [
            dict(rule=j, type=rule["type"], contact_id=rule["contact_id"], contact=contact_view(known.get(rule["contact_id"])))
            for j, rule in enumerate(step["rules"])
        ]
        view.append(dict(step=i, timeout=step["timeout"], rules=rules))
    return view


# -- the paths and queries of victorops_api -----------------------------------------------------

API_ROOTS = ("/api-public/", "/api-reporting/")
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_PATH_LENGTH = 2048
# Characters a path segment may hold: each is sent as it is (nothing is percent-encoded, which the API does not decode).
_SEGMENT = re.compile(r"[A-Za-z0-9._~@+:=,-]+")
_SEGMENT_CHARACTERS = "letters, digits, '.', '_', '~', '-', '@', '+', ':', '=' and ','"


def _segment_problem(segment: str) -> str | None:
    if segment == "":
        return "it has an empty segment ('//', or a '/' at the end)"
    if ".." in segment or segment == ".":
        return "it contains a dot segment ('.' or '..')"
    if not _SEGMENT.fullmatch(segment):
        bad = next(char for char in segment if not _SEGMENT.fullmatch(char))
        return "it contains %r, which would change its meaning; each segment may only contain %s" % (bad, _SEGMENT_CHARACTERS)
    return None


def api_path_problem(path: Any) -> str | None:
    """Why ``path`` cannot be sent as a path of the API (a message naming ``path``), or None."""
    if not isinstance(path, str) or not path.strip():
        return "path must be a path under %s, got %r" % (" or ".join(API_ROOTS), path)
    shown = path if len(path) <= 80 else path[:80] + "..."
    if "://" in path or not path.startswith("/"):
        return "path %r must be a path only, without scheme or host (the host is api_url), starting with %s" % (shown, " or ".join(API_ROOTS))
    if "?" in path or "#" in path:
        return "path %r must not carry a query or a fragment: give the query parameters in query" % shown
    if len(path) > MAX_PATH_LENGTH:
        return "path is longer than %d characters" % MAX_PATH_LENGTH
    if not path.startswith(API_ROOTS):
        return "path %r must start with %s" % (shown, " or ".join(API_ROOTS))
    for segment in path.split("/")[1:]:
        problem = _segment_problem(segment)
        if problem is not None:
            return "path %r is refused: %s" % (shown, problem)
    return None


def query_problems(query: Any) -> list[str]:
    """Why ``query`` cannot be sent as query parameters: a mapping of names to strings, numbers or lists of them."""
    if query is None:
        return []
    if not isinstance(query, dict):
        return ["query must be a mapping of parameter names to values, got %s" % type(query).__name__]
    problems = []
    for name, value in query.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(item, (str, int, float)) for item in values):
            problems.append("query[%r] must be a string, a number, a boolean or a list of them" % name)
    return problems


def query_values(query: dict[str, Any] | None) -> dict[str, Any] | None:
    """The query as sent: booleans as ``true``/``false`` (as the API spells them), everything else as given."""
    if not query:
        return None

    def text(item):
        return str(item).lower() if isinstance(item, bool) else item

    return {str(name): [text(i) for i in value] if isinstance(value, list) else text(value) for name, value in query.items()}


# -- instants and time zones ---------------------------------------------------------------------

# The API's schedules look at most this many days ahead (``daysForward``).
MAX_DAYS_FORWARD = 30
UTC = datetime.timezone.utc  # noqa: UP017 (datetime.UTC is Python 3.11+)
INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
INSTANT_EXAMPLE = "2026-03-02T09:00:00Z"
_EPOCH_MS = re.compile(r"^-?[0-9]+$")
_DATE_ONLY = re.compile(r"^[0-9]{4}-?[0-9]{2}-?[0-9]{2}$")
_UTC_NAMES = ("UTC", "Etc/UTC", "Z")


def _zone(name: str) -> datetime.tzinfo:
    if name in _UTC_NAMES:
        return UTC
    if not HAS_ZONEINFO:
        raise ValueError("time zone %r is not understood on this Python (zoneinfo needs Python 3.9 or later); give UTC" % name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError("time zone %r is not a known IANA time zone (for example UTC, Europe/Paris, America/New_York)" % name) from None


def timezone_problem(name: Any) -> str | None:
    """Why ``name`` is not an IANA time zone this system knows, or None."""
    if not isinstance(name, str) or not name.strip():
        return "a time zone must be a name such as UTC or Europe/Paris"
    try:
        _zone(name)
    except ValueError as exc:
        return str(exc)
    return None


def _from_epoch_ms(value: int) -> datetime.datetime:
    try:
        return datetime.datetime.fromtimestamp(value / 1000.0, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("%r is out of range for epoch milliseconds" % value) from None


def _local(naive: datetime.datetime, timezone: str, text: str) -> datetime.datetime:
    """``naive`` read as wall-clock time in ``timezone``; a time the clocks skip (spring forward) is refused."""
    zone = _zone(timezone)
    aware = naive.replace(tzinfo=zone)
    back = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        raise ValueError("%r does not exist in %s (the clocks skip it when daylight saving time starts); give another time or an offset" % (text, timezone))
    return aware


def parse_instant(value: Any, timezone: str = "UTC") -> datetime.datetime:
    """An aware UTC datetime from ISO 8601 (with or without an offset, seconds or fraction) or epoch milliseconds.

    A value without an offset is wall-clock time in ``timezone``; in the hour repeated when daylight saving time
    ends, the first (earlier) occurrence is meant. A date alone is refused: an absence starts at a time of day.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError("%r is not an instant: give ISO 8601 such as %s, or epoch milliseconds" % (value, INSTANT_EXAMPLE))
    if isinstance(value, int):
        return _from_epoch_ms(value)
    if isinstance(value, float) and value.is_integer():
        return _from_epoch_ms(int(value))
    text = value.strip() if isinstance(value, str) else None
    if not text:
        raise ValueError("%r is not an instant: give ISO 8601 such as %s, or epoch milliseconds" % (value, INSTANT_EXAMPLE))
    if _EPOCH_MS.match(text) and not _DATE_ONLY.match(text):
        return _from_epoch_ms(int(text))
    if _DATE_ONLY.match(text):
        raise ValueError("%r is a date without a time of day: give the time too, for example %sT09:00" % (text, text))
    iso = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        parsed = datetime.datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError("%r is not an ISO 8601 instant such as %s or 2026-03-02T10:00+01:00" % (text, INSTANT_EXAMPLE)) from None
    if parsed.tzinfo is None:
        parsed = _local(parsed, timezone, text)
    return parsed.astimezone(UTC)


def instant_text(moment: datetime.datetime) -> str:
    """The one text of an instant: UTC to the second, ``YYYY-MM-DDTHH:MM:SSZ``."""
    if moment.tzinfo is None:
        raise ValueError("an instant without a time zone cannot be written as UTC")
    return moment.astimezone(UTC).strftime(INSTANT_FORMAT)
