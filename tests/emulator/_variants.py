# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Emulator variants: switches for behaviours the real API plausibly has where the published spec is silent.

See docs/emulator.md, "Variants". With no variant the emulator behaves as it always has.
"""

import enum
import re


class Variant(enum.StrEnum):
    """The declared emulator variants: each name with what it changes. A name outside this set is refused."""

    def __new__(cls, name, description):
        member = str.__new__(cls, name)
        member._value_ = name
        member.description = description
        return member

    REFORMAT_CONTACTS = "reformat-contacts", "phone numbers are stored and read back in the API's own format (+1 555-0100); emails are lower-cased"
    KEEP_EMPTY_STEPS = (
        "keep-empty-steps",
        "deleting a step's last rule leaves the step with no rules; DELETE /profile/{username}/policies/{step} exists",
    )
    STEP_DELETE = "step-delete", "DELETE /profile/{username}/policies/{step} exists (empty steps still disappear on their own)"
    CASE_INSENSITIVE_USERS = "case-insensitive-users", "usernames are stored lower case and looked up without regard to case"
    THROTTLE_403 = "throttle-403", 'rate-limited answers (and failed authentication) are HTTP 403 {"error": "Forbidden"}'
    NO_EXTID = "no-extid", "the answer to creating a contact method has no extId (reads still have it)"
    ERROR_200 = "error-200", 'refusals (422, duplicate contact methods) answer HTTP 200 {"error": "..."} and change nothing'
    LATE_WRITES = "late-writes", "the first write of each operation answers 504 at once and is carried out late_write_delay seconds later"
    CONTACTLESS_RULES = "contactless-rules", "push rules come back with no contact at all"
    CASE_INSENSITIVE_TEAMS = (
        "case-insensitive-teams",
        "team names are unique without regard to case: creating or renaming a team to a name that differs from another team's in case alone is refused (422)",
    )
    TEAM_DELETE_WITH_MEMBERS = "team-delete-with-members", "DELETE /team/{team} removes a team that still has members (their memberships go with it)"
    RATE_2PS = "rate-2ps", "the 2ps rate-limit table: 2 requests per rolling second per operation, 1 for GET /profile/{username}/policies"
    RATE_2PS_EVEN = (
        "rate-2ps-even",
        "the 2ps table spaced evenly: a request within half a rolling second (a paging-policy read: a whole one) of the last accepted is throttled",
    )
    RATE_2020 = "rate-2020", "the 2020 rate-limit table"
    OVERRIDE_UNDER_SCHEDULE = "override-under-schedule", "the answer to creating a scheduled override carries it under `schedule` (the spec), not `override`"
    ASSIGNMENT_USERNAME_BODY = (
        "assignment-username-body",
        "an override assignment PUT takes exactly {username, acceptOverlap} (the SDK's body) and refuses {policy, username} with 400",
    )
    EPOCH_INSTANTS = "epoch-instants", "every instant in answers (override start and end, schedule rolls) is epoch milliseconds, an integer"


# Name -> description, for help texts and docs.
VARIANTS = {variant.value: variant.description for variant in Variant}
KNOWN_VARIANTS = ", ".join(sorted(VARIANTS))
# Variants that select a rate-limit table instead of the `limits` argument.
RATE_VARIANTS = {Variant.RATE_2PS: "2ps", Variant.RATE_2PS_EVEN: "2ps", Variant.RATE_2020: "2020"}
# Variants that imply others.
IMPLIES = {Variant.KEEP_EMPTY_STEPS: (Variant.STEP_DELETE,)}


def check_variants(names, source="variants"):
    """Return ``names`` (a list, tuple or set of variant names) as a frozenset of ``Variant`` with implied variants added.

    TypeError when ``names`` is not such a collection; ValueError naming the known variants for an unknown name.
    """
    if names is None:
        return frozenset()
    if isinstance(names, str) or not isinstance(names, (list, tuple, set, frozenset)):
        raise TypeError("%s must be a list of variant names, got %r" % (source, names))
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        raise ValueError(
            "unknown emulator variant%s %s in %s (known: %s)"
            % ("s" if len(unknown) > 1 else "", ", ".join(repr(str(name)) for name in unknown), source, KNOWN_VARIANTS)
        )
    chosen = {Variant(name) for name in names}
    for name in list(chosen):
        chosen.update(IMPLIES.get(name, ()))
    rates = sorted(chosen & set(RATE_VARIANTS))
    if len(rates) > 1:
        raise ValueError("%s name more than one rate-limit table: %s" % (source, ", ".join(rates)))
    return frozenset(chosen)


def format_phone(value):
    """A phone number in the API's own display format, keeping exactly the same digits.

    ``+15550100`` -> ``+1 555-0100``; ``+15550100999`` and ``+1 (555) 010-0999`` -> ``+1 555-010-0999``;
    ``+442071234567`` -> ``+44 207-123-4567``. Without a leading ``+`` the digits are grouped the same way
    with no country code (``5550100`` -> ``555-0100``). A value with no digits is returned unchanged.
    """
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return value
    prefix = ""
    if text.startswith("+"):
        size = 1 if digits.startswith(("1", "7")) else 2
        prefix, digits = "+" + digits[:size] + " ", digits[size:]
    if len(digits) <= 4:
        return (prefix + digits).strip()
    head, tail = digits[:-4], digits[-4:]
    groups = [head[i : i + 3] for i in range(0, len(head), 3)]
    return prefix + "-".join(groups + [tail])
