# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Targets, Markdown and plot of a benchmark run (the dictionary benchmarks/run.py writes as JSON)."""

import bisect

SHORT = {
    "GET /api-public/v1/profile/{}/policies": "GET policy",
    "GET /api-public/v1/user/{}/contact-methods": "GET contacts",
    "PUT /api-public/v1/profile/{}/policies/{}": "PUT step",
    "POST /api-public/v1/profile/{}/policies": "POST step",
}
OPERATIONS = list(SHORT)
RATIO_TARGET = 1.15
FLOOR_DOMINATES_AT = 50
TOOL_NAMES = {"collection": "victorops.oncall", "uri": "ansible.builtin.uri", "naive": "requests script"}


def short(operation):
    return SHORT.get(operation, operation)


def one_line(record):
    ratio = "%.2f" % record["ratio"] if record["ratio"] else "n/a"
    return "calls %d (fewest %d), 429s %d, wall %.1f s (%.0f s in the 60-s world), floor %.0f s, ratio %s, converged %s, rc %s" % (
        record["calls_total"],
        record["minimum_total"],
        record["rate_limited"],
        record["wall_s"],
        record["wall_world_s"],
        record["floor_s"],
        ratio,
        record["converged"],
        record["return_codes"],
    )


def _ours(results):
    return [r for r in results["scenarios"] if r["tool"] == "collection"]


def targets(results):
    """Each target of the benchmark with its measured value and whether it is met."""
    ours = _ours(results)
    out = []
    extra = ["%s: %d for %d" % (r["name"], r["calls_total"], r["minimum_total"]) for r in ours if r["calls"] != r["minimum"]]
    out.append(
        dict(
            target="calls equal to the fewest the API allows, every scenario",
            measured="equal in %d of %d scenarios%s" % (len(ours) - len(extra), len(ours), ("; not: " + ", ".join(extra)) if extra else ""),
            met=not extra and bool(ours),
        )
    )
    throttled = sum(r["rate_limited"] for r in ours)
    out.append(
        dict(
            target="no 429 at default settings, every scenario, concurrency included",
            measured="%d 429 answers over %d scenarios (%s)" % (throttled, len(ours), ", ".join("%s %d" % (r["name"], r["rate_limited"]) for r in ours)),
            met=throttled == 0 and bool(ours),
        )
    )
    # With 10 people the floor is one window and Ansible's start-up weighs as much: the target is for N = 50.
    dominated = [r for r in ours if r["people"] >= FLOOR_DOMINATES_AT and r["name"].split("-")[0] in ("onboard", "forks", "procs") and r["ratio"]]
    out.append(
        dict(
            target="wall time within %.2f x the rate-limit floor once the floor dominates (onboarding, N = %d)" % (RATIO_TARGET, FLOOR_DOMINATES_AT),
            measured=", ".join("%s %.3f" % (r["name"], r["ratio"]) for r in dominated) or "not measured (needs --sizes 50)",
            met=bool(dominated) and all(r["ratio"] <= RATIO_TARGET for r in dominated),
        )
    )
    reruns = [r for r in ours if r["name"].startswith("rerun-")]
    out.append(
        dict(
            target="no-change re-run: at most one policy read and one contact-method read per person, no write",
            measured=", ".join(
                "%s: %d calls for %d people (%s)"
                % (r["name"], r["calls_total"], r["people"], ", ".join("%s %d" % (short(op), n) for op, n in sorted(r["calls"].items())))
                for r in reruns
            )
            or "not measured",
            met=bool(reruns) and all(r["calls_total"] <= 2 * r["people"] and set(r["calls"]) <= set(r["minimum"]) for r in reruns),
        )
    )
    return out


# ----- Markdown -----------------------------------------------------------------------------------


def _seconds(real, world):
    return "%.1f (%.0f)" % (real, world)


def markdown(results):
    window = results["window_s"]
    scale = results["world_window_s"] / window
    m = results["machine"]
    lines = [
        "# Performance",
        "",
        "How fast `victorops.oncall` converges paging policies, measured against the emulator at the API's documented",
        "(2018) rate limits, next to the same work done with `ansible.builtin.uri` and with a plain Python script.",
        "This file, `docs/performance.json` and `docs/performance.png` are written by the benchmark; re-run it to refresh them.",
        "",
        "## How to run it",
        "",
        "```bash",
        ".venv/bin/python benchmarks/run.py            # full run (N = 10 and 50, 15-second window), about 12 minutes",
        ".venv/bin/python benchmarks/run.py --quick    # N = 10, 3-second window, results in a temporary directory",
        "```",
        "",
        "`--only onboard forks` runs some scenarios only, `--sizes`, `--window` and `--output-dir` change the rest,",
        "`--keep` keeps the playbook output. The benchmark is not part of the test suite.",
        "",
        "## This run",
        "",
        "| | |",
        "|---|---|",
        "| command | `%s` |" % results["command"],
        "| date | %s |" % results["date"],
        "| machine | %s CPUs; `%s` |" % (m["cpus"], m["uname"]),
        "| Python, Ansible | Python %s, %s |" % (m["python"], m["ansible_core"]),
        "| rate window | %g s stand for the API's 60 s (times scale by %g) |" % (window, scale),
        "| load average (1, 5, 15 min) | %s at the start, %s at the end |"
        % (" / ".join("%.2f" % x for x in results["load_start"]), " / ".join("%.2f" % x for x in results["load_end"])),
        "| total time | %.0f s |" % results["total_s"],
        "",
        "The machine is shared: other work ran at the same time, as the load average shows; each scenario's load at its start is",
        "in the JSON (`load_before`).",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for target in results["targets"]:
        lines.append("| %s | %s | %s |" % (target["target"], target["measured"], "yes" if target["met"] else "**no**"))
    lines += findings(results)
    lines += [
        "",
        "## Scenarios",
        "",
        "Times in real seconds, with the same time in the 60-second world in brackets. *Floor*: the time the fewest calls need at",
        "the documented limits: in each window the first *limit* calls of an operation go at once and the rest wait a window, so",
        "an operation with *c* calls needs ceil(*c* / *limit* - 1) windows; the floor is the largest over the operations.",
        "*Wall*: from the start of the first `ansible-playbook` process (or the script) to the end of the last, start-up included.",
        "",
        "| scenario | tool | N | calls (fewest) | 429s | wall s | floor s | wall / floor | converged, rc 0, counters agree | load at start |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["scenarios"]:
        ok = r["converged"] and not any(r["return_codes"]) and r.get("counters_match") is not False
        lines.append(
            "| %s: %s | %s | %d | %d (%d) | %d | %s | %s | %s | %s | %.2f |"
            % (
                r["name"],
                r["description"],
                TOOL_NAMES[r["tool"]],
                r["people"],
                r["calls_total"],
                r["minimum_total"],
                r["rate_limited"],
                _seconds(r["wall_s"], r["wall_world_s"]),
                _seconds(r["floor_s"], r["floor_world_s"]),
                "%.2f" % r["ratio"] if r["ratio"] else "n/a (no floor)",
                "yes" if ok else "**no** (rc %s)" % r["return_codes"],
                r["load_before"][0],
            )
        )
    lines += [
        "",
        "### Calls by operation",
        "",
        "Requests the emulator received, 429 answers included, next to the fewest (in brackets). Limits per window: %s."
        % ", ".join("%s %d" % (name, limit) for name, limit in results["limits"].items()),
        "",
        "| scenario | %s | pacing wait s (all items) |" % " | ".join(short(op) for op in OPERATIONS),
        "|---|%s---|" % ("---|" * len(OPERATIONS)),
    ]
    for r in results["scenarios"]:
        cells = ["%d (%d)" % (r["calls"].get(op, 0), r["minimum"].get(op, 0)) for op in OPERATIONS]
        wait = "%.1f" % r["module_pacing_wait_s"] if "module_pacing_wait_s" in r else "-"
        lines.append("| %s | %s | %s |" % (r["name"], " | ".join(cells), wait))
    lines += overhead_section(results)
    timing = results.get("task_timing")
    if timing:
        lines += [
            "",
            "## Cost of one task",
            "",
            "Seconds per loop item, %d items each, with nothing to wait for (no pacing wait, no retry): `victorops_paging_policy`"
            % (timing["collection"]["items"]),
            "with nothing to change (it reads the policy and the contact methods) next to `ansible.builtin.uri` doing one GET.",
            "Most of both is Ansible starting a Python process for the module; the API calls take milliseconds.",
            "",
            "| task | calls per item | median s | mean s | min s | max s | load at start |",
            "|---|---|---|---|---|---|---|",
        ]
        for tool, name in (("collection", "victorops.oncall.victorops_paging_policy (no change)"), ("uri", "ansible.builtin.uri (one GET)")):
            t = timing[tool]
            lines.append(
                "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.2f |"
                % (name, t["calls_per_item"], t["median_s"], t["mean_s"], t["min_s"], t["max_s"], t["load_before"])
            )
    lines += [
        "",
        "## Calls over time",
        "",
        "![Requests in the trailing window per operation against its limit](performance.png)",
        "",
        "Each panel is one onboarding of the largest N; each line counts an operation's accepted requests in the trailing window,",
        "the dashed line is the limit, and red crosses are 429 answers.",
        "",
    ]
    lines += METHOD_NOTES
    return "\n".join(lines) + "\n"


METHOD_NOTES = [
    "## What is measured",
    "",
    "* **People.** Each person already exists with the emulator's default paging policy (one 5-minute step: push, then",
    "  email to the signup address) and two contact methods (the signup email and a Mobile phone). The onboarding gives",
    "  each three steps of two rules each, contacts given by value (the email address and the phone number), so the",
    "  contact methods must be read to find their ids.",
    "* **Fewest calls.** Per person: one read of the policy, one read of the contact methods (rules name contacts by",
    "  value), and per changed step one write: onboarding replaces step 0 (PUT) and creates steps 1 and 2 (POST each);",
    "  the changed rule is one PUT; the re-run writes nothing. No call reads or writes more than one person or step.",
    "* **Scenarios.** `onboard`: `victorops_paging_policy` in a loop, one host. `rerun`: the same, starting from the",
    "  onboarded state. `change`: step 2 rule 0 changes from sms to phone for everyone. `forks`: the people split over",
    "  5 inventory hosts (local connection) run with 5 forks. `procs`: split over 3 `ansible-playbook` processes started",
    "  together with the same API key and pacing state directory. `uri`: `ansible.builtin.uri` tasks per person (GET the",
    "  policy, GET the contact methods, PUT the existing step, POST the new ones, contact ids picked in Jinja), each with",
    "  `until: status != 429`, `retries: 10` and a 10-second `delay` (60-s world). `naive`: the same calls from a",
    "  `requests` script that sleeps 5 seconds (60-s world) after a 429 and sends again, without pacing.",
    "* **Settings.** The modules run at their defaults (pacing on, the 2018 limits, 6 retries); only the rate window is",
    "  compressed, through `VICTOROPS_RATE_WINDOW`, which the emulator reads too. Every scenario starts from a fresh",
    "  emulator state, empty rate windows and an empty pacing state directory.",
    "* **Checks.** Every scenario ends with a comparison of every person's policy on the emulator with the requested",
    "  steps (*converged*). For the collection's scenarios the sum of the modules' own call counters (`api.calls`) is",
    "  compared with the emulator's log (`counters_match` in the JSON). The JSON also holds every request's time,",
    "  operation and status (`timeline`, seconds from the scenario's start).",
]


def findings(results):
    """The comparison at the largest N, in a few sentences computed from the run."""
    largest = max([r["people"] for r in results["scenarios"]] or [0])
    by_name = {r["name"].split("-")[0]: r for r in results["scenarios"] if r["people"] == largest}
    ours = by_name.get("onboard")
    if not ours:
        return []
    text = ["", "## Findings (N = %d)" % largest, ""]
    text.append(
        "* `victorops_paging_policy` in a loop onboarded %d people with %d calls (the fewest: %d), %d 429, in %.1f s: %.2f x the"
        " floor of %.0f s (%d windows, set by the %d step creations at 15 per window)."
        % (
            largest,
            ours["calls_total"],
            ours["minimum_total"],
            ours["rate_limited"],
            ours["wall_s"],
            ours["ratio"],
            ours["floor_s"],
            ours["floor_windows"],
            ours["minimum"].get("POST /api-public/v1/profile/{}/policies", 0),
        )
    )
    for key, words in (("forks", "5 forks"), ("procs", "3 concurrent ansible-playbook processes")):
        r = by_name.get(key)
        if r:
            text.append(
                "* Split over %s sharing the API key: %d calls, %d 429, %.1f s (%.2f x the floor)."
                % (words, r["calls_total"], r["rate_limited"], r["wall_s"], r["ratio"])
            )
    for key, words in (("uri", "`ansible.builtin.uri` tasks with `until`/`retries`"), ("naive", "the `requests` script without pacing")):
        r = by_name.get(key)
        if r:
            text.append(
                "* %s: %d calls (%d of them answered 429), %.1f s (%.2f x the floor)."
                % (words[0].upper() + words[1:], r["calls_total"], r["rate_limited"], r["wall_s"], r["ratio"])
            )
    rerun = by_name.get("rerun")
    if rerun:
        text.append(
            "* The daily re-run with nothing to change: %d reads, no write, %.1f s; its floor (%.0f s) is set by the %d policy reads."
            % (rerun["calls_total"], rerun["wall_s"], rerun["floor_s"], rerun["people"])
        )
    text.append(
        "* Nothing can go faster than the floor without fewer calls, and no call can be left out: each person's policy and"
        " contact methods (named by value) must be read once and each changed step written once. What remains above the floor is Ansible's start-up"
        " and the serial loop's work in the last window (see *Time beyond the floor*)."
    )
    return text


def overhead_section(results):
    """Where the time beyond the floor goes, for the scenarios that have a floor."""
    rows = [r for r in results["scenarios"] if r["floor_s"] and r["first_call_s"] is not None]
    if not rows:
        return []
    lines = [
        "",
        "### Time beyond the floor",
        "",
        "*Start-up*: from the start to the first request (Ansible loading the playbook and starting the first module).",
        "*Rest*: wall time minus start-up minus floor: mostly the time a serial loop needs to send the last window's calls,",
        "one module process after another, plus the processes' exit. Neither grows with the window, so with the real",
        "60-second window the same run would take about start-up + floor x %g + rest: the estimate in the last column."
        % (results["world_window_s"] / results["window_s"]),
        "Start-up is what varies most with the machine's load, above all when several `ansible-playbook` processes start",
        "at once on its %s CPUs." % results["machine"]["cpus"],
        "",
        "| scenario | start-up s | floor s | rest s | wall / floor | same run at a 60 s window (estimate) |",
        "|---|---|---|---|---|---|",
    ]
    scale = results["world_window_s"] / results["window_s"]
    for r in rows:
        rest = r["wall_s"] - r["first_call_s"] - r["floor_s"]
        estimate = (r["first_call_s"] + r["floor_s"] * scale + rest) / (r["floor_s"] * scale)
        lines.append("| %s | %.1f | %.1f | %.1f | %.2f | %.2f |" % (r["name"], r["first_call_s"], r["floor_s"], rest, r["ratio"], estimate))
    uri = [r for r in results["scenarios"] if r["tool"] == "uri" and r["api_span_s"]]
    if uri:
        lines += [
            "",
            "**The compressed window flatters the slow tools.** Only the rate limits are compressed; Ansible's cost per task is",
            "not. The `uri` tasks spend most of their time starting module processes, so at a %g-second window they stay under" % results["window_s"],
            "the limits more often than they would at the real 60-second one: %s."
            % "; ".join(
                "%s sent %.1f requests a second, %.0f in a real minute against a limit of 15 per operation"
                % (r["name"], r["calls_total"] / r["api_span_s"], 60 * r["calls_total"] / r["api_span_s"])
                for r in uri
            ),
            "Their times in the 60-second world are the compressed run scaled up, not a prediction; in the real world the",
            "`uri` onboarding would be throttled more and take at least the floor plus its retries' delays.",
        ]
    return lines


# ----- plot ---------------------------------------------------------------------------------------


def _trailing_counts(times, window):
    """For each time, the number of times in the window ending there (the emulator's sliding count)."""
    return [i + 1 - bisect.bisect_right(times, t - window) for i, t in enumerate(times)]


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    window = results["window_s"]
    scale = results["world_window_s"] / window
    largest = max([r["people"] for r in results["scenarios"]] or [0])
    shown = [r for r in results["scenarios"] if r["people"] == largest and r["name"].split("-")[0] in ("onboard", "forks", "procs", "uri", "naive")]
    if not shown:
        return
    figure, axes = plt.subplots(len(shown), 1, figsize=(10, 2.6 * len(shown)), sharex=True, squeeze=False)
    colours = dict(zip(OPERATIONS, ("tab:blue", "tab:orange", "tab:green", "tab:purple")))
    limit = max(results["limits"].values())
    for axis, record in zip(axes[:, 0], shown):
        for op in OPERATIONS:
            times = sorted(t for t, o, status in record["timeline"] if o == op and status != 429)
            if not times:
                continue
            counts = _trailing_counts(times, window)
            axis.step([t * scale / 60 for t in times], counts, where="post", color=colours[op], label=short(op))
        if limit:
            axis.axhline(limit, color="black", linestyle="--", linewidth=1, label="limit (%d per window)" % limit)
        throttled = [t * scale / 60 for t, _o, status in record["timeline"] if status == 429]
        if throttled:
            axis.plot(throttled, [limit or 0] * len(throttled), "x", color="red", label="429 (%d)" % len(throttled))
        axis.set_title(
            "%s: %s, %d calls, %.0f s (60-s world)" % (record["name"], TOOL_NAMES[record["tool"]], record["calls_total"], record["wall_world_s"]), fontsize=9
        )
        axis.set_ylabel("calls in window")
        axis.set_ylim(0, (limit or 15) + 3)
        axis.legend(fontsize=7, loc="lower right", ncol=3)
        axis.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("minutes in the 60-second world since the start")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
