# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who is on call when: the two schedule reads, their normaliser, and who is on call at an instant.

A schedule is ``[{policy, policy_name, team, shifts}]`` sorted by team then policy name; a shift is
``{policy, policy_name, team, username, start, end, override}`` with instants as UTC text. The API lists each
rotation's regular rolls and, beside them, the scheduled overrides of the window; the normaliser applies the
overrides: a roll covered by one splits into the regular person before and after and, inside, the replacement
(``override: True``) or a gap (``username: None``) when nobody covers.
"""

from __future__ import annotations

import datetime
from typing import Any

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._api import call, describe
from ansible_collections.victorops.oncall.plugins.module_utils._errors import NotFoundError, OptionError, UnexpectedResponseError
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import expect_dict, expect_list
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import MAX_DAYS_FORWARD, instant_text, name_matches, parse_instant

DAY = datetime.timedelta(days=1)


# -- the reads -----------------------------------------------------------------------------------


def _read(client, operation: str, params: dict[str, str], days_forward: int) -> Any:
    """One schedule read with its ``daysForward`` query (1 to MAX_DAYS_FORWARD, as the API allows)."""
    if not 1 <= days_forward <= MAX_DAYS_FORWARD:
        raise ValueError("daysForward must be 1 to %d, got %r" % (MAX_DAYS_FORWARD, days_forward))
    return call(client, operation, params, query=dict(daysForward=days_forward))


def get_team_schedule(client, team: str, days_forward: int, option: str = "team") -> list[dict[str, Any]]:
    """The normalised schedule of ``team`` (a slug) from now to ``days_forward`` days ahead."""
    try:
        body = _read(client, "get_team_schedule", dict(team=team), days_forward)
    except NotFoundError:
        raise OptionError("%s %r is not a known team: the API knows no team with that slug" % (option, team)) from None
    return normalize_team_schedule(body, describe("get_team_schedule"))


def get_user_schedule(client, username: str, days_forward: int, option: str = "username") -> list[dict[str, Any]]:
    """The shifts of ``username`` (their own and those they cover), per policy of their teams."""
    try:
        body = _read(client, "get_user_schedule", dict(username=username), days_forward)
    except NotFoundError:
        raise OptionError("%s %r is not a known user: the API knows no user with that username" % (option, username)) from None
    what = describe("get_user_schedule")
    body = expect_dict(body, what)
    schedule = []
    for team_schedule in expect_list(body.get("teamSchedules"), what, "teamSchedules"):
        schedule += normalize_team_schedule(team_schedule, what)
    # The user as the API spells them in the answer (an API that folds case answers ASmith's schedule with asmith's shifts).
    held = sorted({shift["username"] for entry in schedule for shift in entry["shifts"] if shift["username"]})
    spelled = _api.find_username(client, username, held, option)[0] or username
    for entry in schedule:
        entry["shifts"] = [shift for shift in entry["shifts"] if shift["username"] == spelled]
    return sort_schedule(schedule)


# -- the normaliser ------------------------------------------------------------------------------


def _instant(value: Any, what: str, where: str) -> datetime.datetime:
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise UnexpectedResponseError(what, "%s: %s" % (where, exc)) from None


def _username(user: Any, what: str, where: str, required: bool) -> str | None:
    """The username of a ``{username}`` object; None for an absent or null one unless ``required``."""
    if user is None and not required:
        return None
    name = user.get("username") if isinstance(user, dict) else None
    if isinstance(name, str) and name:
        return name
    if not required and isinstance(user, dict) and not user:
        return None
    raise UnexpectedResponseError(what, "%s has no username" % where)


def _period(item: dict[str, Any], what: str, where: str) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = _instant(item.get("start"), what, where + " start"), _instant(item.get("end"), what, where + " end")
    if end <= start:
        raise UnexpectedResponseError(what, "%s ends at %s, not after its start %s" % (where, instant_text(end), instant_text(start)))
    return start, end


def _regular_shifts(entries: Any, what: str, where: str) -> list[dict[str, Any]]:
    """The rolls of every on-call entry of a policy as shifts (``override: False``); rolls with nobody are left out."""
    shifts = []
    for entry in expect_list(entries, what, where + " schedule"):
        if not isinstance(entry, dict):
            raise UnexpectedResponseError(what, "an on-call entry of %s is not an object" % where)
        for roll in expect_list(entry.get("rolls"), what, where + " rolls"):
            if not isinstance(roll, dict):
                raise UnexpectedResponseError(what, "a roll of %s is not an object" % where)
            start, end = _period(roll, what, "a roll of " + where)
            username = _username(roll.get("onCallUser"), what, "a roll of " + where, required=False)
            if username is not None:
                shifts.append(dict(username=username, start=start, end=end, override=False))
    return shifts


def _overrides(items: Any, what: str, where: str) -> list[dict[str, Any]]:
    result = []
    for item in expect_list(items if items is not None else [], what, where + " overrides"):
        if not isinstance(item, dict):
            raise UnexpectedResponseError(what, "an override of %s is not an object" % where)
        start, end = _period(item, what, "an override of " + where)
        absent = _username(item.get("origOnCallUser"), what, "an override of %s (origOnCallUser)" % where, required=True)
        replacement = _username(item.get("overrideOnCallUser"), what, "an override of %s (overrideOnCallUser)" % where, required=False)
        result.append(dict(absent=absent, replacement=replacement, start=start, end=end))
    return sorted(result, key=lambda o: (o["start"], o["end"], o["absent"]))


def _split(shift: dict[str, Any], cover: dict[str, Any]) -> list[dict[str, Any]]:
    """``shift`` with the part ``cover`` overlaps given to its replacement (or to nobody)."""
    pieces = []
    if shift["start"] < cover["start"]:
        pieces.append(dict(shift, end=cover["start"]))
    pieces.append(dict(shift, start=max(shift["start"], cover["start"]), end=min(shift["end"], cover["end"]), username=cover["replacement"], override=True))
    if cover["end"] < shift["end"]:
        pieces.append(dict(shift, start=cover["end"]))
    return pieces


def apply_overrides(shifts: list[dict[str, Any]], overrides: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The shifts with each override applied to the absent person's regular shifts that it overlaps."""
    for cover in overrides:
        result = []
        for shift in shifts:
            hit = not shift["override"] and shift["username"] == cover["absent"] and shift["start"] < cover["end"] and cover["start"] < shift["end"]
            result += _split(shift, cover) if hit else [shift]
        shifts = result
    return sorted(shifts, key=lambda s: (s["start"], s["end"], s["username"] or ""))


def _policy_schedule(item: Any, team: str, what: str) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("policy"), dict) or not item["policy"].get("slug"):
        raise UnexpectedResponseError(what, "a policy schedule of team %s has no policy slug" % team)
    slug, name = item["policy"]["slug"], item["policy"].get("name")
    where = "policy %s" % slug
    shifts = apply_overrides(_regular_shifts(item.get("schedule", []), what, where), _overrides(item.get("overrides"), what, where))
    texts = [
        dict(
            policy=slug, policy_name=name, team=team, username=s["username"], start=instant_text(s["start"]), end=instant_text(s["end"]), override=s["override"]
        )
        for s in shifts
    ]
    return dict(policy=slug, policy_name=name, team=team, shifts=texts)


def normalize_team_schedule(body: Any, what: str) -> list[dict[str, Any]]:
    """A ``TeamSchedule`` to the schedule shape (overrides applied; instants ISO or epoch milliseconds)."""
    body = expect_dict(body, what)
    team = body.get("team")
    if not isinstance(team, dict) or not team.get("slug"):
        raise UnexpectedResponseError(what, "a team schedule has no team slug")
    return sort_schedule([_policy_schedule(item, team["slug"], what) for item in expect_list(body.get("schedules"), what, "schedules")])


def sort_schedule(schedule: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(schedule, key=lambda e: (e["team"], e["policy_name"] or "", e["policy"]))


# -- questions on a schedule ---------------------------------------------------------------------


def _moment(value: datetime.datetime | str) -> datetime.datetime:
    return value if isinstance(value, datetime.datetime) else parse_instant(value)


def on_call_at(schedule: list[dict[str, Any]], instant: datetime.datetime | str) -> dict[str, list[str]]:
    """``{policy slug: sorted usernames on call at instant}`` for every policy of ``schedule`` (an empty list: a gap)."""
    moment = _moment(instant)
    result: dict[str, list[str]] = {}
    for entry in schedule:
        users = result.setdefault(entry["policy"], [])
        for shift in entry["shifts"]:
            if shift["username"] and shift["username"] not in users and _moment(shift["start"]) <= moment < _moment(shift["end"]):
                users.append(shift["username"])
        users.sort()
    return result


def clip(schedule: list[dict[str, Any]], start: datetime.datetime, end: datetime.datetime | None) -> list[dict[str, Any]]:
    """The schedule's shifts inside ``[start, end)``, cut to it; with ``end`` None, the shifts covering ``start``, from it."""
    result = []
    for entry in schedule:
        shifts = []
        for shift in entry["shifts"]:
            first, last = _moment(shift["start"]), _moment(shift["end"])
            inside = first <= start < last if end is None else first < end and start < last
            if inside:
                cut_end = last if end is None else min(last, end)
                shifts.append(dict(shift, start=instant_text(max(first, start)), end=instant_text(cut_end)))
        result.append(dict(entry, shifts=shifts))
    return result


# An ``at`` this little before the moment of the read is taken as now: the controller's clock and the user's differ.
PAST_SLACK = datetime.timedelta(minutes=5)


def instant_option(value: Any, now: datetime.datetime) -> datetime.datetime:
    """The instant of ``at``: now when unset; refused, before any call, outside now .. now + MAX_DAYS_FORWARD days."""
    if value is None:
        return now
    try:
        moment = parse_instant(value)
    except ValueError as exc:
        raise OptionError("at: %s" % exc) from None
    if moment < now - PAST_SLACK:
        raise OptionError("at %r is in the past (now is %s): the API's schedules start now" % (value, instant_text(now)))
    if moment >= now + MAX_DAYS_FORWARD * DAY:
        raise OptionError("at %r is %d days or more ahead: the API's schedules look at most %d days ahead" % (value, MAX_DAYS_FORWARD, MAX_DAYS_FORWARD))
    return max(moment, now)


def days_to_read(now: datetime.datetime, days_forward: int, at: datetime.datetime) -> int:
    """The ``daysForward`` that covers both the window and ``at``: at least 1 (the API's least)."""
    needed = (at - now).total_seconds() / DAY.total_seconds()
    return max(1, days_forward, int(needed) + 1)


# -- on call for teams and escalation policies, by name or slug ----------------------------------


def _candidates_now(current: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The teams and policies the on-call-now answer names: ``[{kind, slug, name, team}]``."""
    policies = [dict(kind="policy", slug=slug, name=entry["name"], team=entry["team"].get("slug")) for slug, entry in current.items()]
    teams = {entry["team"].get("slug"): entry["team"].get("name") for entry in current.values() if entry["team"].get("slug")}
    return policies + [dict(kind="team", slug=slug, name=name, team=slug) for slug, name in teams.items()]


def _match(term: str, candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one candidate ``term`` names (slug, then name, then name ignoring case), a team before its own policies;
    None when none does."""
    matches = name_matches(candidates, term)
    # A team and its own policies named alike (its default policy has the team's name and slug): the team.
    teams = {c["slug"] for c in matches if c["kind"] == "team"}
    matches = [c for c in matches if c["kind"] == "team" or c["team"] not in teams]
    if len(matches) > 1:
        named = ", ".join(sorted("%s %s" % (c["kind"], c["slug"]) for c in matches))
        raise OptionError("term %r is ambiguous: it names %s; give the slug instead" % (term, named))
    return matches[0] if matches else None


def _more_candidates(client, step: int) -> list[dict[str, Any]]:
    """The teams (step 0) or the escalation policies (step 1): the names of those with nobody on call now."""
    if step == 0:
        return [dict(kind="team", slug=t["slug"], name=t["name"], team=t["slug"]) for t in _api.list_teams(client)]
    return [dict(kind="policy", slug=p["slug"], name=p["name"], team=(p["team"] or {}).get("slug")) for p in _api.list_escalation_policies(client)]


def resolve_terms(client, terms: list[str], current: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """What each term names, ``{kind, slug, name, team}``: from the on-call-now answer, else from the team list, else
    from the escalation policy list (each read only when a term is still unknown)."""
    found = {term: _match(term, _candidates_now(current)) for term in terms}
    for step in (0, 1):
        missing = [term for term in terms if found[term] is None]
        if not missing:
            break
        candidates = _more_candidates(client, step)
        found.update({term: _match(term, candidates) for term in missing})
    targets = [target for target in (found[term] for term in terms) if target is not None]
    if len(targets) < len(terms):
        unknown = [term for term in terms if found[term] is None]
        raise OptionError("no team or escalation policy has the name or slug %s" % ", ".join(repr(term) for term in unknown))
    return targets


def _users(target: dict[str, Any], by_policy: dict[str, list[str]], team_of: dict[str, str | None]) -> list[str]:
    if target["kind"] == "policy":
        return list(by_policy.get(target["slug"], []))
    return sorted({user for policy, users in by_policy.items() if team_of.get(policy) == target["slug"] for user in users})


def on_call_for_terms(client, terms: list[str], at: datetime.datetime | None = None, now: datetime.datetime | None = None) -> list[list[str]]:
    """Per term (a team or an escalation policy, by name or slug), the usernames on call at ``at`` (None: now).

    The schedules start at the moment the API answers, so an ``at`` before it is taken as that moment.
    Now costs the one on-call-now read; another instant costs that read (to find each term's team) and one schedule
    read per team. A team or policy with nobody on call now costs one more read (the team list, then the policy list).
    """
    current = _api.get_oncall_current(client)
    targets = resolve_terms(client, terms, current)
    team_of = {slug: entry["team"].get("slug") for slug, entry in current.items()}
    team_of.update({t["slug"]: t["team"] for t in targets if t["kind"] == "policy"})
    if at is None:
        by_policy = {slug: entry["users"] for slug, entry in current.items()}
        return [_users(t, by_policy, team_of) for t in targets]
    days = days_to_read(now or datetime.datetime.now(at.tzinfo), 0, at)
    teamless = [t["slug"] for t in targets if not t["team"]]
    if teamless:
        # The schedule is read per team: without one, "nobody on call" would be a guess.
        raise OptionError("no team is known for %s, so its schedule cannot be read; give the team instead" % ", ".join(teamless))
    by_policy = {}
    for team in sorted({t["team"] for t in targets}):
        schedule = get_team_schedule(client, team, days)
        team_of.update({entry["policy"]: team for entry in schedule})
        by_policy.update(on_call_at(schedule, max(at, datetime.datetime.now(at.tzinfo))))
    return [_users(t, by_policy, team_of) for t in targets]
