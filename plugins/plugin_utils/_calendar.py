# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who is on call each day, as a self-contained HTML page and as a Markdown table, from ``victorops_oncall_info`` schedules.

The input is the ``schedule`` of one or more ``victorops_oncall_info`` results (``[{policy, policy_name, team, shifts}]``,
a shift ``{username, start, end, override}``; a gap is ``username: None, override: True``). Days are UTC days. Every
value comes from the API or from people, so each is escaped for its output (HTML entities; Markdown's own characters)
and nothing is evaluated: the pages have no scripts and the strings are never templated.
"""

from __future__ import annotations

import datetime
import html

from ansible_collections.victorops.oncall.plugins.module_utils import _vocabulary

DAY = datetime.timedelta(days=1)
GAP = "unassigned"

_STYLE = (
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:2em}"
    "th,td{border:1px solid #bbb;padding:.3em .5em;vertical-align:top;font-size:.9em}"
    "th{background:#eee}"
    ".cover{background:#dbeeff;border-radius:3px;padding:0 .2em}"
    ".gap{background:#ffd9d9;color:#900;border-radius:3px;padding:0 .2em}"
    ".who{display:block;white-space:nowrap}"
)


def _day(value):
    """The UTC day of ``value`` (a date, an instant, or None for today)."""
    if value is None:
        return datetime.datetime.now(datetime.UTC).date()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    text = str(value)
    if len(text) == 10:
        return datetime.date.fromisoformat(text)
    return _vocabulary.parse_instant(text).date()


def _midnight(day):
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def _people(shifts, start, end):
    """Who is on call between ``start`` and ``end``, in time order, each once: ``{username, override}``."""
    people = []
    for shift in shifts:
        if _vocabulary.parse_instant(shift["start"]) < end and start < _vocabulary.parse_instant(shift["end"]):
            person = dict(username=shift.get("username"), override=bool(shift.get("override")))
            if person not in people:
                people.append(person)
    return people


def days(schedule, start=None, count=14):
    """``[{team, policy, policy_name, days: [{date, people}]}]``: per escalation policy, who is on call each day."""
    first = _day(start)
    dates = [first + DAY * n for n in range(int(count))]
    policies = sorted(schedule or [], key=lambda p: (str(p.get("team") or ""), str(p.get("policy_name") or p.get("policy") or "")))
    rows = []
    for policy in policies:
        shifts = policy.get("shifts") or []
        cells = [dict(date=day.isoformat(), people=_people(shifts, _midnight(day), _midnight(day + DAY))) for day in dates]
        rows.append(dict(team=policy.get("team"), policy=policy.get("policy"), policy_name=policy.get("policy_name") or policy.get("policy"), days=cells))
    return rows


def _teams(rows):
    teams = []
    for row in rows:
        if row["team"] not in teams:
            teams.append(row["team"])
    return teams


def _day_heading(iso):
    day = datetime.date.fromisoformat(iso)
    return "%s %s" % (day.strftime("%a"), day.strftime("%m-%d"))


# -- HTML ------------------------------------------------------------------------------------------------


def _html_person(person):
    if person["username"] is None:
        return '<span class="who gap">%s</span>' % GAP
    name = html.escape(str(person["username"]), quote=True)
    if person["override"]:
        return '<span class="who cover" title="covering an absence">%s (cover)</span>' % name
    return '<span class="who">%s</span>' % name


def _html_table(team, rows):
    head = "".join("<th>%s</th>" % html.escape(_day_heading(cell["date"])) for cell in rows[0]["days"])
    lines = [
        "<h2>%s</h2>" % html.escape(str(team or "")),
        "<table>",
        "<thead><tr><th>Escalation policy</th>%s</tr></thead>" % head,
        "<tbody>",
    ]
    for row in rows:
        cells = "".join("<td>%s</td>" % ("".join(_html_person(p) for p in cell["people"]) or "&nbsp;") for cell in row["days"])
        lines.append("<tr><th>%s</th>%s</tr>" % (html.escape(str(row["policy_name"] or "")), cells))
    lines += ["</tbody>", "</table>"]
    return lines


def render_html(schedule, start=None, count=14, title="Who is on call"):
    """A self-contained HTML page (inline CSS, no scripts): one table per team, a row per policy, a column per day."""
    rows = days(schedule, start, count)
    title = html.escape(str(title))
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<title>%s</title>" % title,
        "<style>%s</style>" % _STYLE,
        "</head>",
        "<body>",
        "<h1>%s</h1>" % title,
        '<p>Days are UTC days. <span class="cover">name (cover)</span> covers an absence; <span class="gap">%s</span> is an absence nobody covers.</p>' % GAP,
    ]
    for team in _teams(rows):
        lines += _html_table(team, [row for row in rows if row["team"] == team])
    if not rows:
        lines.append("<p>No escalation policy.</p>")
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines)


# -- Markdown ------------------------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = "\\`*_{}[]#!|~"


def markdown_escape(value):
    """``value`` as literal Markdown text: HTML markup as entities, Markdown's characters escaped, on one line."""
    text = html.escape(" ".join(str(value).split()), quote=False)
    return "".join("\\" + char if char in _MARKDOWN_SPECIAL else char for char in text)


def _markdown_person(person):
    if person["username"] is None:
        return "**%s**" % GAP
    name = markdown_escape(person["username"])
    return "_%s (cover)_" % name if person["override"] else name


def render_markdown(schedule, start=None, count=14, title="Who is on call"):
    """The same calendar as Markdown: a heading and a table per team."""
    rows = days(schedule, start, count)
    lines = ["# %s" % markdown_escape(title), "", "Days are UTC days. _name (cover)_ covers an absence; **%s** is an absence nobody covers." % GAP]
    for team in _teams(rows):
        theirs = [row for row in rows if row["team"] == team]
        lines += ["", "## %s" % markdown_escape(team or ""), ""]
        lines.append("| Escalation policy | %s |" % " | ".join(_day_heading(cell["date"]) for cell in theirs[0]["days"]))
        lines.append("|---|%s" % ("---|" * len(theirs[0]["days"])))
        for row in theirs:
            cells = [", ".join(_markdown_person(p) for p in cell["people"]) for cell in row["days"]]
            lines.append("| %s | %s |" % (markdown_escape(row["policy_name"] or ""), " | ".join(cells)))
    if not rows:
        lines += ["", "No escalation policy."]
    return "\n".join(lines) + "\n"


def schedules(results):
    """The ``schedule`` entries of registered ``victorops_oncall_info`` results (a loop result or a list of them)."""
    if isinstance(results, dict):
        results = results.get("results") or [results]
    found = []
    for result in results or []:
        for entry in (result or {}).get("schedule") or []:
            if entry not in found:
                found.append(entry)
    return found


def markdown_path(path):
    """The Markdown file beside the HTML file ``path``: its ``.html``/``.htm`` suffix replaced by ``.md``."""
    for suffix in (".html", ".htm"):
        if path.lower().endswith(suffix):
            return path[: -len(suffix)] + ".md"
    return path + ".md"


def input_problems(days, teams):
    """The problems of the calendar's variables: a number of days the API can look ahead, and a list of teams."""
    problems = []
    try:
        number = int(days)
    except (TypeError, ValueError):
        number = None
    if isinstance(days, bool) or number is None or not 1 <= number <= _vocabulary.MAX_DAYS_FORWARD:
        problems.append("calendar_days must be a number of days from 1 to %d, not %r" % (_vocabulary.MAX_DAYS_FORWARD, days))
    if not isinstance(teams, list) or not all(isinstance(team, str) and team.strip() for team in teams):
        problems.append("calendar_teams must be a list of team slugs or names, not %r" % (teams,))
    return problems
