# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logic of the role victorops.oncall.oncall_cover, as pure functions behind its filters.

* :func:`input_problems` checks the absences before any API call (shape, periods, timezones, overlaps).
* :func:`usernames` names the users read once; :func:`plan` makes one entry per absence from that read and from the one
  read of the existing overrides: nothing to do, create, or re-assign, the overrides a changed period replaces and, when
  exclusive, the listed people's future overrides that left the input.
* :func:`lanes` deals the plan's entries into lanes handled at once, the removals in a lane of their own after the
  others; :func:`concurrency_problems` checks the setting before any API call.
* :func:`outcome` turns an entry's registered results into its report entry (the shape of every role's report);
  :func:`report_lines` prints them with the absence's period; :func:`teams` names the teams whose calendar changed.

An absence gives ``replacement`` (one user covers every escalation policy of the absence) or ``assignments``
(``[{policy, replacement}]``, a policy by slug or name, ``replacement`` none to leave it unassigned). Policies an
absence does not list are left as they are, which on a new absence is unassigned: ``assignments: []`` records the
absence with every policy unassigned (gaps on the calendar). Giving neither is refused, so that a misspelt key does
not silently leave everything uncovered.
"""

from __future__ import annotations

import datetime

from ansible_collections.victorops.oncall.plugins.module_utils import _vocabulary
from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError
from ansible_collections.victorops.oncall.plugins.plugin_utils import _lifecycle


def _utcnow(now=None):
    if now is None:
        return datetime.datetime.now(datetime.UTC)
    return _instant(now)


def _text(moment):
    return _vocabulary.instant_text(moment)


def _instant(value, zone="UTC"):
    """An instant of the input: YAML may already have read an unquoted timestamp as a datetime."""
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    return _vocabulary.parse_instant(value, zone)


def label(username, start, end):
    """How the report names an absence: ``jdoe from <start> to <end>`` (UTC)."""
    return "%s from %s to %s" % (username, start, end)


# -- checks before any API call ------------------------------------------------------------------------


def _period(absence, index, problems, now):
    """``(start, end)`` as aware datetimes, or None after adding the problems of the period."""
    name = "absence %d (%s)" % (index + 1, absence.get("username"))
    zone = absence.get("timezone") or "UTC"
    zone_problem = _vocabulary.timezone_problem(zone)
    if zone_problem:
        problems.append("%s: timezone: %s" % (name, zone_problem))
        return None
    moments = []
    for option in ("start", "end"):
        try:
            moments.append(_instant(absence.get(option), zone))
        except (ValueError, TypeError) as exc:
            problems.append("%s: %s: %s" % (name, option, exc))
    if len(moments) < 2:
        return None
    start, end = moments
    if end <= start:
        problems.append("%s: end %s is not after start %s" % (name, _text(end), _text(start)))
        return None
    if end <= now:
        problems.append("%s: the absence is already over (end %s); remove it from the input" % (name, _text(end)))
        return None
    return start, end


def _cover_problems(absence, name):
    problems = []
    username, assignments = absence.get("username"), absence.get("assignments")
    given = [key for key in ("replacement", "assignments") if absence.get(key) is not None]
    if len(given) == 2:
        problems.append("%s: give replacement or assignments, not both" % name)
    elif not given:
        problems.append("%s: give replacement, or assignments (an empty list leaves every policy unassigned)" % name)
    if absence.get("replacement") is not None and absence["replacement"] == username:
        problems.append("%s: the replacement must be another user" % name)
    seen = set()
    for item in assignments or []:
        policy = item.get("policy")
        if policy in seen:
            problems.append("%s: assignments: policy %s appears more than once" % (name, policy))
        seen.add(policy)
        if item.get("replacement") is not None and item["replacement"] == username:
            problems.append("%s: assignments: the replacement for %s must be another user" % (name, policy))
    return problems


def input_problems(absences, now=None):
    """The problems of ``oncall_cover_absences`` (the argument spec checks each entry's keys and types)."""
    now = _utcnow(now)
    problems, periods = [], {}
    for index, absence in enumerate(absences):
        name = "absence %d (%s)" % (index + 1, absence.get("username"))
        problems += _cover_problems(absence, name)
        period = _period(absence, index, problems, now)
        if period is None:
            continue
        for other_index, other in periods.get(absence.get("username"), []):
            if period[0] < other[1] and other[0] < period[1]:
                problems.append("%s overlaps absence %d of the same person; merge them into one" % (name, other_index + 1))
        periods.setdefault(absence.get("username"), []).append((index, period))
    return problems


def usernames(absences):
    """Everyone the role reads once: the absent people, then every replacement."""
    names = [absence["username"] for absence in absences]
    for absence in absences:
        names.append(absence.get("replacement"))
        names += [item.get("replacement") for item in absence.get("assignments") or []]
    return [name for name in dict.fromkeys(names) if name is not None]


# -- the plan ------------------------------------------------------------------------------------------


def needs_policy_names(absences):
    """Whether an absence names a policy by name: an override's assignments carry slugs, so the names are read once."""
    return any(not _vocabulary.OBJECT_SLUG.match(str(item.get("policy"))) for absence in absences for item in absence.get("assignments") or [])


def _slug_of(policy, policies):
    """The slug of the one policy named ``policy`` (exactly, else ignoring case), so that the module need not read the
    names again; ``policy`` itself when it is a slug, unknown, or the name of policies of several teams."""
    slugs = {p.get("slug") for p in _vocabulary.name_matches(policies, policy)}
    return slugs.pop() if len(slugs) == 1 else policy


def _named(override, names):
    """``override`` with the names of its policies filled in from ``names`` (``{slug: name}``) where the read lacked them."""
    assignments = [dict(a, policy_name=a.get("policy_name") or names.get(a.get("policy"))) for a in override.get("assignments") or []]
    return dict(override, assignments=assignments)


def _find(given, names, missing, option):
    """``(username, note, problem)`` of ``given``: exact, or the one user differing in case alone the API answered with."""
    if given in missing:
        return None, None, "%s %s is not a VictorOps user" % (option, given)
    try:
        match, note = _vocabulary.match_username(given, names, option)
    except OptionError as exc:
        return None, None, str(exc)
    if match is None:
        return None, None, "%s %s is not a VictorOps user" % (option, given)
    return match, note, None


def _resolve(absence, names, missing):
    """The absence with ``user`` and the replacements as the API spells them, its ``notes`` and first ``problem``."""
    entry = dict(notes=[], problem=None)
    found = [("user", absence["username"], "username")]
    if absence.get("replacement") is not None:
        found.append(("replacement", absence["replacement"], "replacement"))
    for index, item in enumerate(absence.get("assignments") or []):
        if item.get("replacement") is not None:
            found.append((index, item["replacement"], "replacement for %s" % item.get("policy")))
    assignments = [dict(policy=item["policy"], replacement=item.get("replacement")) for item in absence.get("assignments") or []]
    for key, given, option in found:
        match, note, problem = _find(given, names, missing, option)
        entry["notes"] += [note] if note else []
        entry["problem"] = entry["problem"] or problem
        if isinstance(key, int):
            assignments[key]["replacement"] = match
        else:
            entry[key] = match
    if absence.get("assignments") is not None:
        entry["assignments"] = assignments
    return entry


def _policy_of(override, policy):
    """``(assignment, problem)``: the assignment of ``override`` that ``policy`` names (by slug, by name exactly, then
    by name in any case), or the problem of a name that several of its policies have."""
    matches = _vocabulary.name_matches(override.get("assignments") or [], policy, slug_key="policy", name_key="policy_name")
    if len(matches) > 1:
        return None, "policy %s names several policies of the absence (%s): give the slug" % (policy, ", ".join(a.get("policy") for a in matches))
    return (matches[0] if matches else None), None


def _differences(entry, override):
    """Whether ``override`` covers the absence as wanted, else why not (a problem when a policy is not on it)."""
    if "replacement" in entry:
        return any(a.get("replacement") != entry["replacement"] for a in override.get("assignments") or []), None
    differs = False
    for item in entry["assignments"]:
        assignment, problem = _policy_of(override, item["policy"])
        if problem:
            return False, problem
        if assignment is None:
            policies = ", ".join(a.get("policy_name") or a.get("policy") for a in override.get("assignments") or []) or "none"
            return False, "policy %s is not one of the policies of the absence (%s)" % (item["policy"], policies)
        differs = differs or assignment.get("replacement") != item["replacement"]
    return differs, None


def _ref(override):
    return dict(
        id=override.get("id"),
        username=override.get("username"),
        start=override.get("start"),
        end=override.get("end"),
        label=label(override.get("username"), override.get("start"), override.get("end")),
    )


def _teams_of(overrides):
    return sorted({a["team"] for override in overrides for a in override.get("assignments") or [] if a.get("team")})


def _overlaps(override, start, end):
    return _vocabulary.parse_instant(override["start"]) < end and start < _vocabulary.parse_instant(override["end"])


def _absence_entry(absence, names, missing, overrides, claimed, exclusive):
    start = _instant(absence["start"], absence.get("timezone") or "UTC")
    end = _instant(absence["end"], absence.get("timezone") or "UTC")
    entry = dict(username=absence["username"], state="present", start=_text(start), end=_text(end), timezone=absence.get("timezone") or "UTC")
    entry.update(_resolve(absence, names, missing))
    entry.update(label=label(absence["username"], entry["start"], entry["end"]), replaces=[], teams=[], action="none")
    if entry.get("user") is None:
        entry["action"] = "create"
        return entry
    theirs = [o for o in overrides if o.get("username") == entry["user"]]
    same = [o for o in theirs if (o.get("start"), o.get("end")) == (entry["start"], entry["end"])]
    # A changed period is another override; the one it replaces goes only when absences are managed exclusively, and
    # by one absence alone (the first that overlaps it), so that two lanes never remove the same override at once.
    others = [o for o in theirs if o not in same and o.get("id") not in claimed and _overlaps(o, start, end)] if exclusive and not same else []
    claimed += [o.get("id") for o in same + others]
    entry["replaces"] = [_ref(o) for o in others]
    entry["teams"] = _teams_of(same + others)
    if not same:
        entry["action"] = "create"
        return entry
    differs, problem = _differences(entry, same[0])
    entry["problem"] = entry["problem"] or problem
    entry["action"] = "update" if differs else "none"
    return entry


def _same_person_overlaps(entries):
    """Absences of one person (as the API spells them: the input may differ in case) whose periods overlap."""
    problems, seen = [], []
    for entry in entries:
        if entry["state"] != "present" or not entry.get("user"):
            continue
        for other in seen:
            if other["user"] == entry["user"] and entry["start"] < other["end"] and other["start"] < entry["end"]:
                problems.append("%s: overlaps %s, an absence of the same person; merge them into one" % (entry["label"], other["label"]))
        seen.append(entry)
    return problems


def _removal(override):
    """The entry of an override that left the input of an exclusive run."""
    return dict(
        _ref(override),
        user=override["username"],
        state="absent",
        timezone=override.get("timezone") or "UTC",
        action="remove",
        replaces=[],
        teams=_teams_of([override]),
        notes=[],
        problem=None,
    )


def plan(absences, users, missing, overrides, exclusive=False, now=None, policies=None):
    """``{entries, problems}``: one entry per absence (in input order), then one per override to remove.

    An absence entry is ``{username, user, state: present, start, end, timezone, label, replacement | assignments (as the
    API spells the users), action (none, create or update), replaces, teams, notes, problem}``. With ``exclusive``,
    ``replaces`` are the person's other overrides that overlap a new absence (a changed period: removed once the new
    one is in place), and the listed people's future overrides (not yet begun) that no absence matches are entries
    with ``state: absent`` and ``action: remove``; without it, no override is removed. ``problems`` fail the run before the first write. ``policies``
    (``[{name, slug}]``, read when :func:`needs_policy_names`) name the policies of the overrides.
    """
    now = _utcnow(now)
    names = {policy.get("slug"): policy.get("name") for policy in policies or []}
    overrides = [_named(o, names) for o in overrides or []]
    usernames_read = [user["username"] for user in users or []]
    missing = set(missing or [])
    overrides = [o for o in overrides if _vocabulary.parse_instant(o["end"]) > now]
    entries, claimed = [], []
    for absence in absences:
        entry = _absence_entry(absence, usernames_read, missing, overrides, claimed, exclusive)
        # The report names the policies as the input did.
        entry["cover_text"] = _who(entry)
        for item in entry.get("assignments") or []:
            item["policy"] = _slug_of(item["policy"], policies or [])
        entries.append(entry)
    if exclusive:
        # Future overrides only: an absence under way is never cut short by leaving the input.
        people = {entry["user"] for entry in entries if entry.get("user")}
        future = [o for o in overrides if _vocabulary.parse_instant(o["start"]) > now]
        entries += [_removal(o) for o in future if o.get("username") in people and o.get("id") not in claimed]
    problems = ["%s: %s" % (entry["label"], entry["problem"]) for entry in entries if entry["problem"]]
    problems += _same_person_overlaps(entries)
    return dict(entries=entries, problems=problems)


# -- lanes ---------------------------------------------------------------------------------------------

CONCURRENCY_OPTION = "oncall_cover_concurrency"
LANE_PREFIX = "oncall_cover_lane"
# The group of the lanes run at once, and the group of the one lane run after them.
LANES_GROUP = "oncall_cover_lanes"
REMOVALS_GROUP = "oncall_cover_removals"
REMOVALS_HOST = LANE_PREFIX + "_removals"


def concurrency_problems(concurrency):
    """The problem of ``oncall_cover_concurrency`` (not a whole number of 1 or more), before any API call."""
    try:
        _lifecycle.lanes([], concurrency, option=CONCURRENCY_OPTION)
    except ValueError as exc:
        return [str(exc)]
    return []


def lanes(entries, concurrency=1, lead_host="localhost", limited=False):
    """The plan's entries dealt into lanes (``{host, positions, members}``, see ``_lifecycle.lanes``; the lanes after the
    first also ``group``, the play that runs their hosts).

    The absences are dealt as every role deals its people: the first alone on ``lead_host``, the others round robin into
    at most ``concurrency`` lanes of the group ``oncall_cover_lanes``, run at once. The removals of an exclusive run
    (the plan puts them after every absence) keep their place after every create: they are a lane of their own, host
    ``oncall_cover_lane_removals`` in the group ``oncall_cover_removals``, run once the others are done; or the end of
    the one lane on ``lead_host`` when there is one (a ``concurrency`` of 1, or a single absence).
    """
    entries = list(entries or [])
    absences = [entry for entry in entries if entry.get("state") != "absent"]
    dealt = _lifecycle.lanes(absences, concurrency, LANE_PREFIX, CONCURRENCY_OPTION, lead_host, limited)
    if len(dealt) <= 1:
        return _lifecycle.lanes(entries, 1, LANE_PREFIX, CONCURRENCY_OPTION, lead_host)
    result = dealt[:1] + [dict(lane, group=LANES_GROUP) for lane in dealt[1:]]
    if len(entries) > len(absences):
        positions = list(range(len(absences), len(entries)))
        result.append(dict(host=REMOVALS_HOST, positions=positions, members=entries[len(absences) :], group=REMOVALS_GROUP))
    return result


# -- the report ----------------------------------------------------------------------------------------


def _who(entry):
    if "replacement" in entry:
        return "by %s" % entry["replacement"]
    covered = ["%s by %s" % (item["policy"], item["replacement"]) for item in entry.get("assignments") or [] if item.get("replacement")]
    return "(%s)" % ", ".join(covered) if covered else "(every policy unassigned)"


def _steps(entry):
    """The planned steps of ``entry``, each ``(key, done, would)``."""
    action, who = entry.get("action"), entry.get("cover_text") or _who(entry)
    steps = []
    if action == "create":
        steps.append(("override", "covered %s" % who, "cover %s" % who))
    elif action == "update":
        steps.append(("override", "re-assigned the cover %s" % who, "re-assign the cover %s" % who))
    elif action == "remove":
        steps.append(("override", "removed the override, which is no longer in the input", "remove the override, which is no longer in the input"))
    for ref in entry.get("replaces") or []:
        steps.append((ref["id"], "removed the override it replaces (%s)" % ref["label"], "remove the override it replaces (%s)" % ref["label"]))
    return steps


def _step_results(results):
    found = {}
    override = (results or {}).get("override") or {}
    if "changed" in override or "failed" in override:
        found["override"] = override
    for item in ((results or {}).get("replaced") or {}).get("results") or []:
        found[(item.get("oncall_cover_replaced") or {}).get("id")] = item
    return found


def _result_teams(entry, found):
    teams = set(entry.get("teams") or [])
    override = (found.get("override") or {}).get("override") or {}
    teams.update(a["team"] for a in override.get("assignments") or [] if a.get("team"))
    return sorted(teams)


def outcome(entry, results=None, check_mode=False, failure=None, not_attempted=None):
    """The report entry of one absence (or removal): every role's shape, with ``label``, ``start``, ``end`` and ``teams``."""
    steps = _steps(entry)
    base = dict(
        username=entry["username"],
        # An absence not yet planned (a read failed) is named by its person alone.
        label=entry.get("label") or entry["username"],
        start=entry.get("start"),
        end=entry.get("end"),
        action=entry.get("action"),
        notes=list(entry.get("notes") or []),
        teams=list(entry.get("teams") or []),
    )
    if not_attempted:
        return dict(base, status="not attempted", changed=[], not_done=[s[2] for s in steps] or ["everything"], failed=not_attempted, error=None)
    found = _step_results(results)
    changed, not_done = [], []
    for key, done, would in steps:
        result = found.get(key)
        if result is None or result.get("failed"):
            not_done.append(would)
        elif result.get("changed"):
            changed.append(would if check_mode else done)
    report = dict(base, changed=changed, not_done=[], failed=None, error=None, teams=_result_teams(entry, found))
    if failure:
        report.update(status="failed", not_done=not_done, failed=_lifecycle.failure_text(failure), error=_lifecycle.failure_kind(failure.get("result")))
    else:
        report["status"] = ("would change" if check_mode else "changed") if changed else "no change"
    return report


def report_lines(report):
    """The report's lines: each absence named by its person and period."""
    return [_lifecycle.report_line(dict(entry, username=entry.get("label") or entry["username"])) for entry in report or []]


def teams(report):
    """The teams of the absences and removals of ``report``, whose calendar the run may have changed."""
    return sorted({team for entry in report or [] for team in entry.get("teams") or []})
