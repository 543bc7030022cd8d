# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Targets, Markdown and plot of a benchmark run (the dictionary benchmarks/run.py writes as JSON)."""

import bisect

WORLD = 60.0
FLOOR_FACTOR = 1.15
NOLIMIT_FACTOR = 1.2
FIRST_RUN_THROTTLES = 5
LATER_THROTTLES_PER_OPERATION = 1
TASK_FACTOR = 1.1
TABLE_NAMES = {"seed": "seed (2018)", "2020": "2020", "2ps": "2ps", "off": "no limits"}
CONTACT_READS = ("list_contact_methods", "list_emails", "list_phones")
READS_PREFIXES = ("get_", "list_")


def limits_text(counts, default, span):
    """``get_paging_policy 15, every other operation 15, per 15 s`` for one table."""
    named = ", ".join("%s %d" % (operation, count) for operation, count in sorted(counts.items()))
    return "%s%severy other operation %d, per %g s" % (named, ", " if named else "", default, span) if default else "none"


def one_line(record):
    return "calls %d (fewest %d + %d throttled), wall %.1f s, floor %.1f s, converged %s, rc %s, counters agree %s, load %.2f" % (
        record["calls_total"],
        record["minimum_total"],
        record["throttled_total"],
        record["wall_s"],
        record["floor_s"],
        record["converged"],
        record["return_codes"],
        record.get("counters_match"),
        record["load_before"][0],
    )


def find_scenario(results, name):
    for record in results["scenarios"]:
        if record["name"] == name:
            return record
    return None


def sizes(results):
    return sorted({r["people"] for r in results["scenarios"] if not r["kind"].startswith("compare-")})


def nolimit_wall(results, count):
    """The no-limits reference of a size: the mean of its runs (one before the tables, one after)."""
    walls = [r["wall_s"] for r in results["scenarios"] if r["kind"] == "nolimit" and r["people"] == count]
    return sum(walls) / len(walls) if walls else None


def calls_explained(record):
    """True when every operation's calls are exactly its fewest plus its throttled answers."""
    operations = set(record["calls"]) | set(record["minimum"])
    return all(record["calls"].get(op, 0) == record["minimum"].get(op, 0) + record["throttled"].get(op, 0) for op in operations)


def wall_bound(results, record):
    """(bound in seconds, which reference sets it): 1.15 x the floor or 1.2 x the no-limits run, whichever is larger."""
    reference = nolimit_wall(results, record["people"])
    by_floor = FLOOR_FACTOR * record["floor_s"]
    by_reference = NOLIMIT_FACTOR * reference if reference else 0.0
    return (by_floor, "floor") if by_floor >= by_reference else (by_reference, "no limits")


def ok(record):
    return record["converged"] and not any(record["return_codes"]) and record.get("counters_match") is not False


def table_targets(results, table, count):
    """The targets of issue 12 for one table and size: [(target, measured, met)]."""
    learn = find_scenario(results, "learn-%s-%d" % (table, count))
    later = find_scenario(results, "later-%s-%d" % (table, count))
    out = []
    runs = [r for r in (learn, later) if r]
    if not runs:
        return out
    out.append(
        (
            "calls = the fewest + throttled answers",
            "; ".join("%s %d = %d + %d" % (r["kind"], r["calls_total"], r["minimum_total"], r["throttled_total"]) for r in runs),
            all(calls_explained(r) for r in runs),
        )
    )
    if learn:
        out.append(("throttled answers in the first run <= %d" % FIRST_RUN_THROTTLES, _throttled_text(learn), learn["throttled_total"] <= FIRST_RUN_THROTTLES))
    if later:
        worst = max(later["throttled"].values() or [0])
        out.append(
            (
                "throttled answers in a later run <= %d per operation" % LATER_THROTTLES_PER_OPERATION,
                _throttled_text(later),
                worst <= LATER_THROTTLES_PER_OPERATION,
            )
        )
    for r in runs:
        bound, by = wall_bound(results, r)
        out.append(
            (
                "wall time (%s run) <= max(%.2f x floor, %.1f x no limits)" % (r["kind"], FLOOR_FACTOR, NOLIMIT_FACTOR),
                "%.1f s, bound %.1f s (%s); floor %.1f s, no limits %.1f s" % (r["wall_s"], bound, by, r["floor_s"], nolimit_wall(results, count) or 0),
                r["wall_s"] <= bound,
            )
        )
    out.append(
        ("converged, rc 0, module counters = emulator log", ", ".join("%s %s" % (r["kind"], "yes" if ok(r) else "no") for r in runs), all(ok(r) for r in runs))
    )
    return out


def peak_use(results, record):
    """(fraction, operation): the most requests any operation had accepted within one rate window (an API minute,
    sliding), as a fraction of what its limit allows in that time (for 2ps, 60 times its per-second figure).
    None without limits."""
    numbers = (results.get("limit_numbers") or {}).get(record["table"])
    if not numbers:
        return None
    counts, default, span = numbers
    window = results["window_s"]
    best = (0.0, None)
    for operation in {op for _t, op, _s in record["timeline"]}:
        times = sorted(t for t, op, status in record["timeline"] if op == operation and status != 429)
        most = max((i + 1 - bisect.bisect_right(times, t - window) for i, t in enumerate(times)), default=0)
        use = most / (counts.get(operation, default) * window / span)
        if use > best[0]:
            best = (use, operation)
    return best


def _peak_text(results, record):
    found = peak_use(results, record)
    return "%.0f%% (%s)" % (100 * found[0], found[1]) if found and found[1] else "-"


def _learnt_text(record):
    """The pacing state's learnt table after a run: ``nothing (2ps)``, ``2018``, ``2020; create_step 2018``."""
    learnt = record.get("learnt")
    if learnt is None:
        return "not recorded"
    text = learnt.get("account") or "nothing (starts at 2ps)"
    operations = learnt.get("operations") or {}
    if operations:
        text += "; " + ", ".join("%s %s" % item for item in sorted(operations.items()))
    return text


def _throttled_text(record):
    if not record["throttled"]:
        return "0"
    return "%d (%s)" % (record["throttled_total"], ", ".join("%s %d" % item for item in sorted(record["throttled"].items())))


def targets(results):
    """Every target with its measured value and whether it is met: a flat list for the JSON and the summary."""
    out = []
    for count in sizes(results):
        for table in results["tables"]:
            for target, measured, met in table_targets(results, table, count):
                out.append(dict(target="%s, N = %d: %s" % (TABLE_NAMES[table], count, target), measured=measured, met=met))
    steady = results.get("steady_table", "seed")
    for count in sizes(results):
        for kind, words in (("forks", "5 forks"), ("procs", "3 concurrent processes on one key")):
            r = find_scenario(results, "%s-%s-%d" % (kind, steady, count))
            if r:
                out.append(
                    dict(
                        target="%s, N = %d: 0 throttled answers in steady state with %s" % (TABLE_NAMES[steady], count, words),
                        measured="%s; calls %d = %d + %d; %s"
                        % (_throttled_text(r), r["calls_total"], r["minimum_total"], r["throttled_total"], "converged" if ok(r) else "NOT converged"),
                        met=r["throttled_total"] == 0 and ok(r) and calls_explained(r),
                    )
                )
        r = find_scenario(results, "rerun-%s-%d" % (steady, count))
        if r:
            policy = r["calls"].get("get_paging_policy", 0)
            contacts = sum(r["calls"].get(op, 0) for op in CONTACT_READS)
            writes = sum(n for op, n in r["calls"].items() if not op.startswith(READS_PREFIXES))
            out.append(
                dict(
                    target="no-change re-run of N = %d: one policy read and at most one contact read per person, no write" % count,
                    measured="%d policy reads, %d contact reads, %d writes for %d people (%d calls: %s)"
                    % (policy, contacts, writes, count, r["calls_total"], ", ".join("%s %d" % item for item in sorted(r["calls"].items()))),
                    met=policy == count and contacts <= count and writes == 0 and ok(r),
                )
            )
    timing = results.get("task_timing")
    if timing and timing.get("collection", {}).get("median_s") and timing.get("uri", {}).get("median_s"):
        ratio = timing["collection"]["median_s"] / timing["uri"]["median_s"]
        out.append(
            dict(
                target="module time per no-op task <= %.1f x an ansible.builtin.uri GET" % TASK_FACTOR,
                measured="%.3f s / %.3f s = %.2f (medians of %d and %d items)"
                % (timing["collection"]["median_s"], timing["uri"]["median_s"], ratio, timing["collection"]["items"], timing["uri"]["items"]),
                met=ratio <= TASK_FACTOR,
            )
        )
    return out


# ----- Markdown -----------------------------------------------------------------------------------


def _yes(met):
    return "yes" if met else "**no**"


def run_rows(results, complete):
    """The rows of a benchmark page's "This run" table that every benchmark has: command, date, machine, window."""
    machine, window = results["machine"], results["window_s"]
    return [
        "| command | `%s` |" % results["command"],
        "| date | %s |" % results["date"],
        "| complete | %s |" % complete,
        "| machine | %s CPUs; `%s` |" % (machine["cpus"], machine["uname"]),
        "| Python, Ansible | Python %s, %s |" % (machine["python"], machine["ansible_core"]),
        "| rate window | %g s stand for the API's 60 s; every limit is compressed by %g / 60, the per-second table included |" % (window, window),
    ]


def markdown(results):
    lines = [
        "# Performance",
        "",
        "How `victorops.oncall` onboards people with the role `victorops.oncall.user_onboarding` at its default settings",
        "(adaptive pacing, `rate_limit_profile: auto`) against the emulator with each of its rate-limit tables: the calls",
        "it makes next to the fewest the API allows, the throttled answers it meets while it learns the limits and after,",
        "and its wall time next to the table's rate-limit floor and to the same run against an emulator with no limits.",
        "This file, `docs/performance.json` and `docs/performance.png` are written by the benchmark; re-run it to refresh them.",
        "The rate window is compressed here, so Ansible's own pace stays under every limit and the adaptive profile has",
        "nothing to learn; [pacing-simulation.md](pacing-simulation.md) shows the same pacer learning at the real 60-second",
        "window against a simulated server.",
        "",
        "## How to run it",
        "",
        "```bash",
        ".venv/bin/python benchmarks/run.py            # full run: N = 10 and 50, every table, 15-second window",
        ".venv/bin/python benchmarks/run.py --quick    # N = 3, 3-second window, results in a temporary directory",
        "```",
        "",
        "`--sizes`, `--tables`, `--window`, `--steady-table`, `--timing-rounds` and `--output-dir` change what is run,",
        "`--compare` adds the paging policy alone done with `victorops_paging_policy`, `ansible.builtin.uri` tasks and a",
        "plain `requests` script, `--keep` keeps the playbook output and pacing state. The benchmark is not part of the test suite.",
        "",
        "## This run",
        "",
        "| | |",
        "|---|---|",
        *run_rows(results, _completeness(results)),
        "| load average (1, 5, 15 min) | %s at the start, %s at the end |"
        % (" / ".join("%.2f" % x for x in results["load_start"]), " / ".join("%.2f" % x for x in results.get("load_end", results["load_start"]))),
        "| total time | %.0f s |" % results.get("total_s", 0),
    ]
    lines += ["| note | %s |" % note for note in results.get("notes", [])]
    lines += [
        "",
        "The machine is shared and has 2 CPUs: other work ran at the same time, as the load average shows. Each scenario's",
        "load at its start is in the tables below and in the JSON (`load_before`); Ansible's own time per task grows with it.",
        "",
    ]
    lines += summary_section(results)
    lines += findings(results)
    for count in sizes(results):
        lines += side_by_side(results, count)
    lines += minimum_section(results)
    lines += scenarios_section(results)
    lines += timing_section(results)
    lines += [
        "",
        "## Calls over time",
        "",
        "![Calls over time against each table, learning run and later run, next to the no-limits run](performance.png)",
        "",
        "One panel per table at the largest N run against every table: the cumulative calls of the first (learning) run, of the later run and of",
        "the no-limits reference against the time since the start; red crosses are throttled answers, the dashed line is",
        "the table's floor.",
        "",
    ]
    lines += METHOD_NOTES
    return "\n".join(lines) + "\n"


def _completeness(results):
    if results.get("complete"):
        return "yes"
    done = {r["name"] for r in results["scenarios"]}
    missing = [name for name in results.get("planned", []) if name not in done]
    return "**no**: stopped after %d scenarios%s; what was not run is not in the tables" % (
        len(results["scenarios"]),
        " (not run: %s)" % ", ".join(missing) if missing else "",
    )


def summary_section(results):
    lines = ["## Targets", "", "Issue 12's targets, each with its measured value.", ""]
    header = "| N | target | " + " | ".join(TABLE_NAMES[t] for t in results["tables"]) + " |"
    lines += [header, "|---|---|" + "---|" * len(results["tables"])]
    for count in sizes(results):
        per_table = {table: table_targets(results, table, count) for table in results["tables"]}
        names = []
        for rows in per_table.values():
            for target, _measured, _met in rows:
                if target not in names:
                    names.append(target)
        for name in names:
            cells = []
            for table in results["tables"]:
                found = [(measured, met) for target, measured, met in per_table[table] if target == name]
                cells.append("%s: %s" % (_yes(found[0][1]), found[0][0]) if found else "not run")
            lines.append("| %d | %s | %s |" % (count, name, " | ".join(cells)))
    flat = targets(results)
    rest = [
        t for t in flat if not any(t["target"].startswith(TABLE_NAMES[table] + ", N = ") and "steady state" not in t["target"] for table in results["tables"])
    ]
    if rest:
        lines += ["", "| target | measured | met |", "|---|---|---|"]
        for target in rest:
            lines.append("| %s | %s | %s |" % (target["target"], target["measured"], _yes(target["met"])))
    met = sum(1 for t in flat if t["met"])
    lines += ["", "%d of %d targets met." % (met, len(flat))]
    return lines


def findings(results):
    """A few sentences computed from the run: what set the pace, what was throttled and learnt."""
    lines = ["", "## Findings", ""]
    for count in sizes(results):
        reference = nolimit_wall(results, count)
        firsts = [r for r in (find_scenario(results, "learn-%s-%d" % (t, count)) for t in results["tables"]) if r]
        laters = [r for r in (find_scenario(results, "later-%s-%d" % (t, count)) for t in results["tables"]) if r]
        if not firsts or not reference:
            continue
        by_reference = [r for r in firsts if wall_bound(results, r)[1] == "no limits"]
        by_floor = [r for r in firsts if wall_bound(results, r)[1] == "floor"]
        text = "* N = %d: the no-limits reference took %.1f s." % (count, reference)
        if by_reference:
            text += " %.1f x that (%.1f s) is more than %.2f x the floor of %s (%s): there Ansible's own time per task, not the rate limit, sets the pace." % (
                NOLIMIT_FACTOR,
                NOLIMIT_FACTOR * reference,
                FLOOR_FACTOR,
                ", ".join(TABLE_NAMES[r["table"]] for r in by_reference),
                ", ".join("%.1f s" % r["floor_s"] for r in by_reference),
            )
        if by_floor:
            text += " The floor sets the bound for %s (%s)." % (
                ", ".join(TABLE_NAMES[r["table"]] for r in by_floor),
                ", ".join("%.1f s, set by %s" % (r["floor_s"], r["floor_operation"]) for r in by_floor),
            )
        walls = [r for r in results["scenarios"] if r["kind"] == "nolimit" and r["people"] == count]
        if len(walls) > 1:
            spread = max(r["wall_s"] for r in walls) / min(r["wall_s"] for r in walls)
            if spread > 1.2:
                text += (
                    " Its runs differ by a factor of %.1f (%s), so at this N the wall-time comparisons measure the machine's load"
                    " at least as much as the pacing; compare each run's pacing and retry waits instead."
                    % (spread, ", ".join("%s %.1f s at load %.2f" % (r["name"], r["wall_s"], r["load_before"][0]) for r in walls))
                )
        lines.append(text)
        lines.append(
            "* N = %d: first runs met %d throttled answers (%s), later runs %d (%s); learnt after the first run: %s."
            % (
                count,
                sum(r["throttled_total"] for r in firsts),
                ", ".join("%s %d" % (TABLE_NAMES[r["table"]], r["throttled_total"]) for r in firsts),
                sum(r["throttled_total"] for r in laters),
                ", ".join("%s %d" % (TABLE_NAMES[r["table"]], r["throttled_total"]) for r in laters),
                ", ".join("%s: %s" % (TABLE_NAMES[r["table"]], _learnt_text(r)) for r in firsts),
            )
        )
        peaks = [(r, peak_use(results, r)) for r in results["scenarios"] if r["people"] == count and r["table"] != "off"]
        peaks = [(r, p) for r, p in peaks if p and p[1]]
        if peaks:
            record, (use, operation) = max(peaks, key=lambda item: item[1][0])
            lines.append(
                "* N = %d: the busiest operation of any run used at most %.0f%% of what its limit allows in one rate window (%s, %s)%s"
                % (
                    count,
                    100 * use,
                    operation,
                    record["name"],
                    (
                        ": no run reached a limit, so nothing was throttled and nothing had to be learnt. Only the rate window is"
                        " compressed (%g s), not Ansible's time per task: at the same speed, a real 60-second window would hold %.0f times"
                        " as many calls, %.0f%% of that limit." % (results["window_s"], WORLD / results["window_s"], 100 * use * WORLD / results["window_s"])
                    )
                    if use < 1
                    else ".",
                )
            )
    timing = results.get("task_timing") or {}
    if timing.get("collection", {}).get("median_s"):
        lines.append(
            "* One module task took %.2f s (median) with the load average near %s: most of every run's time is Ansible"
            " starting module processes on a shared 2-CPU machine, which is why a run that meets no limit can take longer than one that does."
            % (timing["collection"]["median_s"], ", ".join("%.0f" % x for x in timing["collection"]["load_before"]))
        )
    return lines if len(lines) > 3 else []


def side_by_side(results, count):
    tables = results["tables"]
    reference = [r for r in results["scenarios"] if r["kind"] == "nolimit" and r["people"] == count]
    lines = [
        "",
        "## The three tables side by side, N = %d" % count,
        "",
        "No-limits reference (the same run against the emulator with no limits): %s; mean %.1f s."
        % (
            ", ".join("%s %.1f s (load %.2f)" % (r["name"], r["wall_s"], r["load_before"][0]) for r in reference) or "not run",
            nolimit_wall(results, count) or 0,
        ),
        "",
        "| | " + " | ".join(TABLE_NAMES[t] for t in tables) + " |",
        "|---|" + "---|" * len(tables),
    ]

    def row(label, function):
        cells = []
        for table in tables:
            try:
                cells.append(function(table))
            except (TypeError, KeyError, AttributeError, ZeroDivisionError):
                cells.append("-")
        lines.append("| %s | %s |" % (label, " | ".join(cells)))

    first = {t: find_scenario(results, "learn-%s-%d" % (t, count)) for t in tables}
    later = {t: find_scenario(results, "later-%s-%d" % (t, count)) for t in tables}
    row("limits", lambda t: results["limits"][t])
    row("floor s (set by)", lambda t: "%.1f (%s)" % (first[t]["floor_s"], first[t]["floor_operation"] or "-"))
    for label, runs in (("first run", first), ("later run", later)):
        row(
            "%s: calls (fewest + throttled)" % label,
            lambda t, runs=runs: "%d (%d + %d)" % (runs[t]["calls_total"], runs[t]["minimum_total"], runs[t]["throttled_total"]),
        )
        row("%s: throttled by operation" % label, lambda t, runs=runs: _throttled_text(runs[t]))
        row("%s: wall s" % label, lambda t, runs=runs: "%.1f" % runs[t]["wall_s"])
        row("%s: wall / floor" % label, lambda t, runs=runs: "%.2f" % (runs[t]["wall_s"] / runs[t]["floor_s"]) if runs[t]["floor_s"] else "n/a (no floor)")
        row("%s: wall / no limits" % label, lambda t, runs=runs: "%.2f" % (runs[t]["wall_s"] / nolimit_wall(results, count)))
        row(
            "%s: pacing wait, retry wait s (all modules)" % label,
            lambda t, runs=runs: "%.1f, %.1f" % (runs[t]["module_pacing_wait_s"], runs[t]["module_retry_wait_s"]),
        )
        row("%s: peak use of a limit in one rate window (operation)" % label, lambda t, runs=runs: _peak_text(results, runs[t]))
        row("%s: learnt after the run" % label, lambda t, runs=runs: _learnt_text(runs[t]))
        row("%s: load at start" % label, lambda t, runs=runs: "%.2f" % runs[t]["load_before"][0])
    return lines


def minimum_section(results):
    minimum = results.get("person_minimum") or {}
    lines = [
        "",
        "## The fewest calls",
        "",
        "The benchmark computes the fewest calls of every run from each person's desired state and the state they start",
        "from (`person_minimum` in `benchmarks/run.py`), not from the role: per person,",
        "",
        "* `get_user` 1: whether the user exists, and with which names, must be read before anything is written (a dry",
        "  run decides from it too; the API has no create-if-absent);",
        "* `create_user` 1 when the person is new;",
        "* `list_contact_methods` 1: rules name contacts by value, the API wants their ids, and one read returns every",
        "  contact method of the user (the create-user answer carries none); a second read would add nothing;",
        "* `add_phone` 1 when the phone is not there yet (a new person's only contact method is the signup email);",
        "* `get_paging_policy` 1: the existing steps must be read before any step is written (a new user's default",
        "  policy is not documented);",
        "* per desired step, nothing when the step at that index is already the same, `update_step` when it differs,",
        "  `create_step` when there is none: the API writes one step per call.",
        "",
        "Each benchmark person is new, has an email and a phone, and gets three steps of two rules; the default policy",
        "(one 5-minute step: push, then email) differs from their step 0, so step 0 is updated and steps 1 and 2 created.",
        "",
        "| operation | new person | no-change re-run |",
        "|---|---|---|",
    ]
    operations = sorted(set(minimum.get("new", {})) | set(minimum.get("rerun", {})))
    for op in operations:
        lines.append("| `%s` | %d | %d |" % (op, minimum.get("new", {}).get(op, 0), minimum.get("rerun", {}).get(op, 0)))
    lines.append("| **per person** | **%d** | **%d** |" % (sum(minimum.get("new", {}).values()), sum(minimum.get("rerun", {}).values())))
    return lines


def scenarios_section(results):
    operations = sorted({op for r in results["scenarios"] for op in set(r["calls"]) | set(r["minimum"])})
    lines = [
        "",
        "## Every scenario",
        "",
        "*Wall*: from the start of the first `ansible-playbook` process to the end of the last, start-up included.",
        "*Floor*: the time the fewest calls need at the table's limits: per operation, the first *limit* calls go at once",
        "and every further *limit* waits one span of the table (the rate window, or its 1/60 for `2ps`), so *c* calls need",
        "ceil(*c* / *limit* - 1) spans; the slowest operation sets the floor.",
        "",
        "| scenario | table | N | calls (fewest + throttled) | wall s | floor s | converged, rc 0, counters agree | load at start |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results["scenarios"]:
        lines.append(
            "| %s: %s | %s | %d | %d (%d + %d) | %.1f | %.1f | %s | %.2f |"
            % (
                r["name"],
                r["description"] or r["kind"],
                TABLE_NAMES[r["table"]],
                r["people"],
                r["calls_total"],
                r["minimum_total"],
                r["throttled_total"],
                r["wall_s"],
                r["floor_s"],
                "yes" if ok(r) else "**no** (rc %s, converged %s)" % (r["return_codes"], r["converged"]),
                r["load_before"][0],
            )
        )
    lines += [
        "",
        "### Calls by operation",
        "",
        "Requests the emulator received, throttled answers included, next to the fewest (in brackets).",
        "",
        "| scenario | %s |" % " | ".join("`%s`" % op for op in operations),
        "|---|%s" % ("---|" * len(operations)),
    ]
    for r in results["scenarios"]:
        cells = ["%d (%d)" % (r["calls"].get(op, 0), r["minimum"].get(op, 0)) for op in operations]
        lines.append("| %s | %s |" % (r["name"], " | ".join(cells)))
    return lines


def timing_section(results):
    timing = results.get("task_timing")
    if not timing:
        return []
    lines = [
        "",
        "## Cost of one task",
        "",
        "Seconds per loop item with nothing to wait for (the emulator with no limits), in alternating rounds of 10 items:",
        "`victorops_paging_policy` with nothing to change (it reads the policy and the contact methods) next to",
        "`ansible.builtin.uri` doing one GET. Most of both is Ansible starting a Python process for the module.",
        "",
        "| task | items | calls per item | median s | mean s | min s | max s | load at the start of each round |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for tool, name in (("collection", "victorops.oncall.victorops_paging_policy (no change)"), ("uri", "ansible.builtin.uri (one GET)")):
        t = timing.get(tool)
        if t and t["median_s"] is not None:
            lines.append(
                "| %s | %d | %s | %.3f | %.3f | %.3f | %.3f | %s |"
                % (name, t["items"], t["calls_per_item"], t["median_s"], t["mean_s"], t["min_s"], t["max_s"], ", ".join("%.2f" % x for x in t["load_before"]))
            )
    return lines


METHOD_NOTES = [
    "## What is measured",
    "",
    "* **People.** N new people (no user yet), each with an email, a phone and three paging steps of two rules, contacts",
    "  given by value, onboarded by the role `victorops.oncall.user_onboarding` (`benchmarks/playbooks/onboard_role.yml`)",
    "  at the collection's defaults: `rate_limit_profile: auto`, pacing on, 6 retries. Only the rate window is",
    "  compressed, through `VICTOROPS_RATE_WINDOW`, which the emulator reads too.",
    "* **Tables.** One emulator per limit table (`seed`, the 2018 figures; `2020`; `2ps`, per rolling second; see",
    "  `docs/emulator.md`), and one with no limits for the reference. Every run starts from an emulator with no users",
    "  and empty rate windows, except the no-change re-run, which follows the later run.",
    "* **Runs per table.** *First run*: an empty pacing state directory, so the pacer starts at the fastest table and",
    "  learns. *Later run*: the same onboarding from a fresh emulator state with the pacing state the first run left.",
    "  *Re-run*, *forks*, *procs* (the steady-state table only): nothing to change; the people over 5 inventory hosts",
    "  run with 5 forks; over 3 `ansible-playbook` processes started together with one API key. Forks and procs start",
    "  from a copy of the pacing state the table's earlier runs left.",
    "* **No-limits reference.** The same run against the emulator with no limits, at the same default settings, once",
    "  before the tables and once after them; the reference is their mean.",
    "* **Counting.** Calls and throttled answers (HTTP 429) come from the emulator's request log. The sum of the",
    "  modules' own counters (`api.calls` of every result) is compared with it (*counters agree*). Every run ends with",
    "  a check of every person's user, phone and paging policy on the emulator (*converged*). The JSON holds every",
    "  request's time, operation and status (`timeline`, seconds from the run's start).",
    "* **People at once.** The playbook `victorops.oncall.onboard` with 1, 2 and 4 lanes, and a loop of paging-policy tasks",
    "  against `2ps` and no limits, are measured by `benchmarks/lanes.py`: [performance-lanes.md](performance-lanes.md).",
]


# ----- plot ---------------------------------------------------------------------------------------


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = sizes(results)
    if not counts:
        return
    # The largest N with the most tables run (all of them, in a complete run).
    largest = max(counts, key=lambda n: (sum(1 for t in results["tables"] if find_scenario(results, "learn-%s-%d" % (t, n))), n))
    tables = [t for t in results["tables"] if find_scenario(results, "learn-%s-%d" % (t, largest))]
    if not tables:
        return
    reference = find_scenario(results, "nolimit-%d" % largest)
    figure, axes = plt.subplots(1, len(tables), figsize=(5 * len(tables), 4), sharey=True, squeeze=False)
    for axis, table in zip(axes[0], tables):
        floor = None
        for record, colour, label in (
            (reference, "grey", "no limits"),
            (find_scenario(results, "learn-%s-%d" % (table, largest)), "tab:blue", "first run"),
            (find_scenario(results, "later-%s-%d" % (table, largest)), "tab:green", "later run"),
        ):
            if not record:
                continue
            times = [t for t, _op, _status in record["timeline"]]
            axis.step(times, range(1, len(times) + 1), where="post", color=colour, label="%s: %d calls, %.0f s" % (label, len(times), record["wall_s"]))
            throttled = [(t, i + 1) for i, (t, _op, status) in enumerate(record["timeline"]) if status == 429]
            if throttled:
                axis.plot([t for t, _i in throttled], [i for _t, i in throttled], "x", color="red", markersize=8)
            if record["table"] == table:
                floor = record["floor_s"]
        if floor:
            axis.axvline(floor, color="black", linestyle="--", linewidth=1, label="floor %.0f s" % floor)
        axis.set_title("%s, N = %d" % (TABLE_NAMES[table], largest), fontsize=10)
        axis.set_xlabel("seconds since the start (window %g s)" % results["window_s"])
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7, loc="lower right")
    axes[0, 0].set_ylabel("calls so far (red x: throttled)")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
