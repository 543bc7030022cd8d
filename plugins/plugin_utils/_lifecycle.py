# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every role and playbook of the lifecycle shares: the credentials rule and the short cause of a failure."""

from __future__ import annotations

CAUSE_LENGTH = 200


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def connection_problems(api_url=None, api_key=None):
    """The credentials rule: ``victorops_api_url`` without ``victorops_api_key`` is refused before any API call.

    A key from the environment (an AWX credential) goes only to ``VICTOROPS_API_URL``: a URL given at launch without
    its key would otherwise send that key, or the changes, to another place than the one it was issued for.
    """
    if not _blank(api_url) and _blank(api_key):
        return [
            (
                "victorops_api_url is set but victorops_api_key is not: a key from the environment goes only to VICTOROPS_API_URL;"
                " set victorops_api_key too, or VICTOROPS_API_URL instead"
            )
        ]
    return []


def short(text, limit=CAUSE_LENGTH):
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def failed_items(result):
    """The failed items of a loop result, else the result itself, as a list."""
    result = result if isinstance(result, dict) else {}
    items = [item for item in result.get("results") or [] if isinstance(item, dict) and item.get("failed")]
    return items or [result]


def failure_kind(result):
    """The ``error`` kind of the first failed module result (``input``, ``connection``, ``authentication``, ...), or None."""
    for item in failed_items(result):
        if item.get("error"):
            return str(item["error"])
    return None


def failure_cause(result):
    """The failure's own message: the failed items' messages for a loop (not Ansible's "One or more items failed")."""
    messages = []
    for item in failed_items(result):
        message = str(item.get("msg") or "failed without a message")
        if message not in messages:
            messages.append(message)
    return "; ".join(messages)


def failure_text(failure):
    """``<task name>: <cause>`` of a failed task ``{task, result}``: a failed loop gives its failed items' own messages."""
    cause = failure_cause((failure or {}).get("result"))
    task = (failure or {}).get("task")
    return "%s: %s" % (task, cause) if task else cause


# After these the API cannot be used for anyone: the remaining people are not attempted.
STOP_KINDS = ("connection", "authentication", "deadline")
# Connection options are the same for everyone: when they are wrong (kind "option"), nobody else can be attempted either.
_CONNECTION_OPTIONS = "Invalid connection options"


def stops_run(failure):
    """True when ``failure`` (``{task, result}``) is a connectivity or authentication failure, after which no other person
    is attempted: the result's ``error`` kind decides (every module of the collection sets it). Input errors, refusals
    of one request (400/404/409/422), throttling and uncertain writes do not stop the run."""
    for item in failed_items((failure or {}).get("result")):
        if item.get("error") in STOP_KINDS or str(item.get("msg") or "").startswith(_CONNECTION_OPTIONS):
            return True
    return False


def stop_reason(failure, username):
    """Why the people after ``username`` are not attempted (the failure's own cause, short), or "" when they are."""
    if not stops_run(failure):
        return ""
    return "%s failed: %s; fix the connection or credentials and run again" % (username, short(failure_cause(failure.get("result"))))


def not_attempted_reason(failure):
    """Why nobody was attempted when a read before the first write failed: ``<task>: <cause>``, short."""
    failure = failure or {}
    cause = short(failure_cause(failure.get("result")))
    return "%s: %s" % (failure["task"], cause) if failure.get("task") else cause


def report_line(entry):
    """One person's line of any role's report: the outcome, what was done, what was not, and notes."""
    status, username = entry.get("status"), entry["username"]
    if status == "not attempted":
        line = "%s: NOT ATTEMPTED: %s" % (username, entry["failed"])
    elif status == "failed":
        line = "%s: FAILED: %s" % (username, entry["failed"])
        if entry.get("changed"):
            line += " (done before the failure: %s)" % ", ".join(entry["changed"])
        if entry.get("not_done"):
            line += " (not done: %s)" % ", ".join(entry["not_done"])
    elif entry.get("changed"):
        line = "%s: %s: %s" % (username, status, ", ".join(entry["changed"]))
    elif entry.get("found") is False:
        line = "%s: no change (not a VictorOps user)" % username
    else:
        line = "%s: no change" % username
    for note in entry.get("notes") or []:
        line += " (note: %s)" % note
    return line


def report_lines(report):
    return [report_line(entry) for entry in report or []]


def lanes(items, concurrency=1, host_prefix="lane", option="concurrency", lead_host="localhost", limited=False):
    """``items`` dealt into lanes, each handled by one Ansible host, one item after another, in input order.

    Each lane is ``{host, positions, members}``: its host's name, the positions of its members in ``items``, and the
    members. The first lane, on ``lead_host`` (the controller's host), holds the first item alone and runs before the
    others: a rejected key or an unreachable API then stops the run there, once, before any other lane starts. The
    rest are dealt round robin (the first people stay first in every lane) into at most ``concurrency`` lanes, hosts
    ``<host_prefix>_<n>``, run at once. A ``concurrency`` of 1 is one lane of everyone on ``lead_host``. ``option``
    names the setting in the message of a bad ``concurrency``. Under a ``--limit`` (``limited``) the plays would leave
    the in-memory lane hosts out, so everyone is one lane on ``lead_host`` then too.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, (int, str)) or not str(concurrency).strip().isdigit() or int(concurrency) < 1:
        raise ValueError("%s must be a whole number of 1 or more (how many are handled at once), got %r" % (option, concurrency))
    items = list(items or [])
    if int(concurrency) == 1 or len(items) <= 1 or limited:
        return [{"host": lead_host, "positions": list(range(len(items))), "members": items}] if items else []
    result = [{"host": lead_host, "positions": [0], "members": items[:1]}]
    count = min(int(concurrency), len(items) - 1)
    for lane in range(count):
        positions = list(range(1 + lane, len(items), count))
        result.append({"host": "%s_%d" % (host_prefix, lane + 1), "positions": positions, "members": [items[p] for p in positions]})
    return result


def lanes_at_once(lanes_run, forks=None):
    """How many lanes run at once: the lanes after the first (which runs alone, before them), at most ``forks``, or 1."""
    at_once = len(lanes_run or []) - 1
    if forks:
        at_once = min(at_once, int(forks))
    return max(1, at_once)


def gather(fallback, lanes_run, lane_reports, key=None):
    """Everyone's report entry in input order: each lane's entries at their positions.

    ``fallback`` holds an entry for every position (nobody attempted, and why); a position that its lane did not
    report keeps it, so that nobody is left out of the report when a lane ends early. With ``key`` (``username``), an
    entry is placed only where the fallback entry names the same one: a lane's report can never speak for another.
    """
    merged = list(fallback or [])
    for lane, report in zip(lanes_run or [], lane_reports or []):
        for position, entry in zip(lane["positions"], report or []):
            if key is None or (isinstance(entry, dict) and entry.get(key) == merged[position].get(key)):
                merged[position] = entry
    return merged


def first_stop(stops):
    """The first non-empty reason among ``stops`` (this lane's own, then the other lanes'), or ""."""
    return next((str(stop) for stop in stops or [] if stop), "")
