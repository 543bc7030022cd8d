# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of people at once: the playbook victorops.oncall.onboard at several concurrencies, and the paging policy module in a loop.

    .venv/bin/python benchmarks/lanes.py            # N = 20, concurrency 1, 2 and 4, 15-second window; writes docs/performance-lanes.*
    .venv/bin/python benchmarks/lanes.py --quick    # N = 3, 3-second window; writes to a temporary directory

Against the emulator (in this process) with its ``2ps`` table and with no limits (``off``), the window compressed as
in run.py (a window of W seconds stands for the API's 60-second minute, every limit compressed by W / 60). The
scenario runners, people and fewest calls come from run.py. See docs/performance-lanes.md for what is measured.
"""

import argparse
import datetime
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run
from run import ROOT, Bench, default_policy, learnt_state, make_people, make_seed, person_minimum, role_input, run_minimum

TABLES = ("off", "2ps")
THROTTLE_STATUSES = (429, 403)
ESTIMATE_TASK = "Estimate the time of the run"
POLICY_RATIO_TARGET = 1.1
UNITS = {"s": 1.0, "min": 60.0, "h": 3600.0}


# ----- what a run costs the controller ---------------------------------------------------------


class TreeMemory(threading.Thread):
    """Samples the memory of this process's descendants (ansible-playbook, its workers and module processes) while
    a run goes: the peak of their summed proportional set size (shared pages split between the processes that share
    them, so forked workers are not counted twice), the largest resident set of one process, and the most processes."""

    INTERVAL = 0.25

    def __init__(self):
        super().__init__(daemon=True)
        self.halt = threading.Event()
        self.peak_pss_kb = 0
        self.peak_rss_kb = 0
        self.peak_processes = 0
        self.available = Path("/proc/self/smaps_rollup").exists()

    def run(self):
        while self.available:
            self.sample()
            if self.halt.wait(self.INTERVAL):
                break

    def stop(self):
        self.halt.set()
        self.join()

    def sample(self):
        children = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path("/proc/%s/stat" % entry.name).read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses: the fields after the last ")" are fixed.
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        pending, mine = list(children.get(os.getpid(), [])), []
        while pending:
            pid = pending.pop()
            mine.append(pid)
            pending.extend(children.get(pid, []))
        pss = 0
        for pid in mine:
            try:
                text = Path("/proc/%d/smaps_rollup" % pid).read_text()
            except OSError:
                continue
            figures = dict(re.findall(r"^(Rss|Pss):\s+(\d+) kB", text, re.MULTILINE))
            pss += int(figures.get("Pss", 0))
            self.peak_rss_kb = max(self.peak_rss_kb, int(figures.get("Rss", 0)))
        self.peak_pss_kb = max(self.peak_pss_kb, pss)
        self.peak_processes = max(self.peak_processes, len(mine))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured_run(bench, emu, directory, runs, playbook, pacing_dir, extra_vars=None):
    """run.Bench.run_playbooks with the CPU seconds of the processes it started (they are waited for, so their whole
    tree is in RUSAGE_CHILDREN) and the peak memory of their tree."""
    memory = TreeMemory()
    cpu_before = children_cpu()
    memory.start()
    try:
        outcome = bench.run_playbooks(emu, directory, runs, playbook, pacing_dir, extra_vars)
    finally:
        memory.stop()
    cost = dict(
        cpu_s=round(children_cpu() - cpu_before, 2),
        peak_pss_mb=round(memory.peak_pss_kb / 1024.0, 1) if memory.available else None,
        peak_process_rss_mb=round(memory.peak_rss_kb / 1024.0, 1) if memory.available else None,
        peak_processes=memory.peak_processes if memory.available else None,
    )
    return outcome, cost


def throttled_answers(log):
    """Throttled answers per operation: 429, or 403 from a server that throttles with it (no key is rejected here)."""
    found = {}
    for entry in log:
        if entry["status"] in THROTTLE_STATUSES:
            operation = run.logged_operation(entry["operation"] or "%s %s" % (entry["method"], entry["path"]))
            found[operation] = found.get(operation, 0) + 1
    return found


def printed_estimate(events):
    """The role's estimate as printed (its message) and its seconds at the current documented limits (2ps)."""
    for event in events:
        if event["event"] == "ok" and (event.get("task") or "").endswith(ESTIMATE_TASK) and event.get("msg"):
            match = re.search(r"about ([\d.]+) (s|min|h) at the current documented limits", event["msg"])
            return event["msg"], float(match.group(1)) * UNITS[match.group(2)] if match else None
    return None, None


def finish(bench, emu, record, directory, cost, pacing_dir):
    record.update(cost)
    record["throttled"] = throttled_answers(emu.log)
    record["throttled_total"] = sum(record["throttled"].values())
    record["learnt"] = learnt_state(pacing_dir)
    # The per-call timeline is in the working directory's record.json; the page needs none of it.
    timeline = record.pop("timeline")
    record["last_call_s"] = timeline[-1][0] if timeline else None
    (directory / "record.json").write_text(json.dumps(dict(record, timeline=timeline), indent=1))
    bench.log("   %s, cpu %.1f s, peak %s MB" % (run.report.one_line(record), record["cpu_s"], record["peak_pss_mb"]))
    return record


# ----- the scenarios ------------------------------------------------------------------------------


def onboard_scenario(bench, name, kind, table, people, concurrency, pacing_dir, description):
    """The playbook victorops.oncall.onboard over ``people`` (all new) at ``concurrency``, from a fresh emulator state."""
    emu = bench.emulator(table)
    directory = bench._scenario_dir(name)
    emu.reset(seed=make_seed())
    load_before = os.getloadavg()
    bench.log("-- %s (%s, %d people, concurrency %d): load %.2f" % (name, table, len(people), concurrency, load_before[0]))
    extra = dict(user_onboarding_people=role_input(people), user_onboarding_concurrency=concurrency)
    # One inventory host that no play targets: the playbook runs on localhost and the lane hosts it makes.
    (codes, events, wall, started), cost = measured_run(bench, emu, directory, [("p0", {"bench-0": []})], "onboard_lanes.yml", pacing_dir, extra)
    minimum = run_minimum(people, True)
    record = bench._record(emu, name, kind, table, people, minimum, description, concurrency, codes, events, wall, started, load_before)
    record["estimate_message"], record["estimate_s"] = printed_estimate(events)
    return finish(bench, emu, record, directory, cost, pacing_dir)


def policy_scenario(bench, name, kind, table, people, pacing_dir, description):
    """victorops_paging_policy in a loop over existing people on the default policy, one task per person."""
    emu = bench.emulator(table)
    directory = bench._scenario_dir(name)
    emu.reset(seed=make_seed(people, onboarded=False))
    load_before = os.getloadavg()
    bench.log("-- %s (%s, %d tasks): load %.2f" % (name, table, len(people), load_before[0]))
    desired = [{"username": p["username"], "steps": p["steps"]} for p in people]
    (codes, events, wall, started), cost = measured_run(bench, emu, directory, [("p0", {"bench-0": desired})], "onboard_collection.yml", pacing_dir)
    minimum = {}
    for person in people:
        for operation, count in person_minimum(person, default_policy(person), new=False).items():
            if operation != "get_user":  # the paging policy alone reads no user
                minimum[operation] = minimum.get(operation, 0) + count
    record = bench._record(emu, name, kind, table, people, minimum, description, 1, codes, events, wall, started, load_before)
    durations = run.item_durations(events)
    record["task_median_s"] = round(statistics.median(durations), 3) if durations else None
    return finish(bench, emu, record, directory, cost, pacing_dir)


def plan_for(sizes, concurrencies, policy_tasks, policy_rounds):
    """The scenarios in order: (name, function, arguments). Per size and concurrency the no-limits run, then the 2ps
    first run (empty pacing state) and second run (state kept) next to it, so that they meet about the same load."""
    plan = []
    for count in sizes:
        people = make_people(count)
        for concurrency in concurrencies:
            common = dict(people=people, concurrency=concurrency)
            plan += [
                (
                    "off-%d-c%d" % (count, concurrency),
                    "onboard",
                    dict(common, kind="nolimit", table="off", pacing="off-%d-c%d" % (count, concurrency), description="no limits"),
                ),
                (
                    "learn-2ps-%d-c%d" % (count, concurrency),
                    "onboard",
                    dict(common, kind="learn", table="2ps", pacing="2ps-%d-c%d" % (count, concurrency), description="first run, empty pacing state"),
                ),
                (
                    "later-2ps-%d-c%d" % (count, concurrency),
                    "onboard",
                    dict(common, kind="later", table="2ps", pacing="2ps-%d-c%d" % (count, concurrency), description="new people again, pacing state kept"),
                ),
            ]
    if policy_tasks:
        people = make_people(policy_tasks)
        plan.append(("policy-learn-2ps", "policy", dict(kind="policy-learn", table="2ps", people=people, pacing="policy-2ps", description="first run")))
        for round_ in range(1, policy_rounds + 1):
            plan += [
                ("policy-off-%d" % round_, "policy", dict(kind="policy-off", table="off", people=people, pacing="policy-off", description="no limits")),
                (
                    "policy-2ps-%d" % round_,
                    "policy",
                    dict(kind="policy-learnt", table="2ps", people=people, pacing="policy-2ps", description="pacing state kept"),
                ),
            ]
    return plan


def run_step(bench, pacing_root, name, function, arguments):
    arguments = dict(arguments)
    pacing_dir = pacing_root / arguments.pop("pacing")
    if function == "onboard":
        return onboard_scenario(bench, name, pacing_dir=pacing_dir, **arguments)
    return policy_scenario(bench, name, pacing_dir=pacing_dir, **arguments)


# ----- the page -----------------------------------------------------------------------------------


def seconds_text(value):
    return "-" if value is None else "%.1f" % value


def load_text(record):
    return "%.1f" % record["load_before"][0]


def summary(results):
    """Headline figures: per size, wall time at each concurrency next to one at a time, throttled answers, CPU and
    memory; and the loop's ratio."""
    lines = []
    for count in results["sizes"]:
        for prefix, label in (("off", "no limits"), ("learn-2ps", "2ps, first run"), ("later-2ps", "2ps, second run")):
            records = [(c, run.report.find_scenario(results, "%s-%d-c%d" % (prefix, count, c))) for c in sorted(results["concurrency"])]
            records = [(c, r) for c, r in records if r]
            if not records:
                continue
            one = records[0][1]["wall_s"]
            parts = ["%d at once %.1f s (%.2fx)" % (c, r["wall_s"], one / r["wall_s"]) for c, r in records]
            estimates = ", ".join(seconds_text(r.get("estimate_s")) for _c, r in records)
            lines.append("N = %d, %s: %s; the role estimated %s s." % (count, label, "; ".join(parts), estimates))
        onboard = [r for r in results["scenarios"] if r["people"] == count and r["kind"] in ("nolimit", "learn", "later")]
        if onboard:
            throttled = {kind: sum(r["throttled_total"] for r in onboard if r["kind"] == kind) for kind in ("learn", "later")}
            extra = sum(r["calls_total"] - r["minimum_total"] for r in onboard)
            lines.append(
                "N = %d: throttled answers %d in the 2ps first runs and %d in the second runs (all concurrencies together); "
                "%d calls above the fewest in all %d runs." % (count, throttled["learn"], throttled["later"], extra, len(onboard))
            )
            by_concurrency = []
            for concurrency in sorted(results["concurrency"]):
                mine = [r for r in onboard if r["concurrency"] == concurrency]
                if mine:
                    by_concurrency.append(
                        "%d at once %.0f CPU s (%.1f a person), peak %s MB"
                        % (
                            concurrency,
                            statistics.median(r["cpu_s"] for r in mine),
                            statistics.median(r["cpu_s"] for r in mine) / count,
                            seconds_text(max((r.get("peak_pss_mb") or 0) for r in mine)),
                        )
                    )
            lines.append("N = %d, the controller's cost (median CPU of the three runs, highest memory peak): %s." % (count, "; ".join(by_concurrency)))
    policy = results.get("policy")
    if policy:
        lines.append(
            "Paging policy loop of %d tasks: 2ps learnt %.1f s, no limits %.1f s (medians), ratio %.2f (target <= %.1f: %s); "
            "throttled answers once learnt %d (target 0: %s)."
            % (
                policy["tasks"],
                policy["learnt_median_s"],
                policy["off_median_s"],
                policy["ratio"],
                POLICY_RATIO_TARGET,
                "met" if policy["ratio_met"] else "missed",
                policy["learnt_throttled"],
                "met" if policy["throttled_met"] else "missed",
            )
        )
    return lines


def policy_summary(results):
    off = [r for r in results["scenarios"] if r["kind"] == "policy-off"]
    learnt = [r for r in results["scenarios"] if r["kind"] == "policy-learnt"]
    if not off or not learnt:
        return None
    off_median = statistics.median(r["wall_s"] for r in off)
    learnt_median = statistics.median(r["wall_s"] for r in learnt)
    throttled = sum(r["throttled_total"] for r in learnt)
    return dict(
        tasks=learnt[0]["people"],
        off_median_s=round(off_median, 2),
        learnt_median_s=round(learnt_median, 2),
        ratio=round(learnt_median / off_median, 3),
        ratio_met=learnt_median <= POLICY_RATIO_TARGET * off_median,
        learnt_throttled=throttled,
        throttled_met=throttled == 0,
    )


def markdown(results):
    out = [
        "# Performance: people at once",
        "",
        "How long the playbook `victorops.oncall.onboard` takes to onboard new people one at a time and in lanes at once",
        "(`user_onboarding_concurrency`), what it costs the controller, and whether the pacing keeps every operation",
        "within the API's current documented limits (the emulator's `2ps` table: two requests a second per operation,",
        "one for reading a paging policy) while it does; and the module `victorops.oncall.victorops_paging_policy` in a",
        "loop against the same table next to no limits. This file and `docs/performance-lanes.json` are written by",
        "`benchmarks/lanes.py`; re-run it to refresh them. The whole-run benchmark is [performance.md](performance.md).",
        "",
        "## How to run it",
        "",
        "```bash",
        ".venv/bin/python benchmarks/lanes.py            # N = 20, concurrency 1, 2 and 4, 15-second window",
        ".venv/bin/python benchmarks/lanes.py --quick    # N = 3, 3-second window, results in a temporary directory",
        ".venv/bin/python benchmarks/lanes.py --render docs/performance-lanes.json   # rewrite the .md from a run's JSON",
        "```",
        "",
        "`--sizes`, `--concurrency`, `--window`, `--policy-tasks`, `--policy-rounds`, `--output-dir` and `--keep` change",
        "what is run and what is kept.",
        "",
        "## This run",
        "",
        "| | |",
        "|---|---|",
        *run.report.run_rows(results, "yes" if results["complete"] else "**no** (interrupted; the scenarios below are those that ran)"),
        "| 2ps table, compressed | %s |" % results["limits"]["2ps"],
        "| load average (1, 5, 15 min) | %s at the start, %s at the end |"
        % (" / ".join("%.2f" % x for x in results["load_start"]), " / ".join("%.2f" % x for x in results.get("load_end", results["load_start"]))),
        "| total time | %.0f s |" % results.get("total_s", 0),
        "",
        "The machine is shared: other work ran at the same time, as the load average shows, and every scenario's",
        "one-minute load at its start is in the tables (`load` column; `load_before` in the JSON). With a load above",
        "the number of CPUs every process waits for a core, so wall times are longer than on an idle controller, and",
        "more lanes (more processes) also take a larger share of the CPUs from the other work: the gain of lanes here is",
        "not the gain on an idle controller. Compare scenarios that met about the same load.",
        "",
        "## Headline",
        "",
    ]
    out += ["* %s" % line for line in summary(results)]
    out += [
        "",
        "## Method",
        "",
        "* The emulator (`tests/emulator`) runs in the benchmark's process, one per table (`2ps`, and `off`: no limits),",
        "  reset before every run; the modules' pacer reads the same compressed window (`VICTOROPS_RATE_WINDOW`).",
        "* Onboarding: `ansible-playbook` runs `benchmarks/playbooks/onboard_lanes.yml`, which imports the playbook",
        "  `victorops.oncall.onboard` as shipped, with N new people (three paging steps each, contacts by value, as in",
        "  `run.py`) and `user_onboarding_concurrency` %s, in that order (forks 5). At each: no limits; `2ps` with an"
        % ", ".join(str(c) for c in results["concurrency"]),
        "  empty pacing state (first run); `2ps` again with new people and the state the first run left (second run).",
        "* Calls and throttled answers (HTTP 429, or 403 from a server that throttles with it) are counted from the",
        "  emulator's log; the fewest calls are `run.py`'s `run_minimum` (worked out from each person's desired and",
        "  starting state, never from the role).",
        "* CPU: user and system seconds of the `ansible-playbook` process and everything it started",
        "  (`getrusage(RUSAGE_CHILDREN)` before and after; the emulator's own CPU is not in it). Memory: the peak, sampled",
        "  every %g s, of the summed proportional set size (PSS: shared pages split between the processes that share" % TreeMemory.INTERVAL,
        "  them) of every process the run started, and the largest resident set of one of them.",
        '* Estimate: the seconds the role printed in the task "%s" for the current documented limits,' % ESTIMATE_TASK,
        "  rounded as printed, at the compressed window.",
        "* Paging policy loop: `benchmarks/playbooks/onboard_collection.yml`, one `victorops_paging_policy` task per",
        "  existing person on the emulator's default policy (read the policy, read the contact methods, update the",
        "  first step, append two); first against `2ps` with an empty pacing state, then alternating no limits and",
        "  `2ps` with the state kept. The ratio is the median learnt `2ps` run over the median no-limits run.",
        "",
    ]
    for count in results["sizes"]:
        kinds = ("nolimit", "learn", "later")
        # By concurrency whatever order they ran in (the load column tells when each ran).
        records = sorted(
            (r for r in results["scenarios"] if r["kind"] in kinds and r["people"] == count), key=lambda r: (r["concurrency"], kinds.index(r["kind"]))
        )
        if not records:
            continue
        out += [
            "## Onboarding %d new people" % count,
            "",
            (
                "| at once | table | run | wall s | estimate s | calls = fewest + throttled | throttled | pacing wait s | CPU s | peak PSS MB "
                "| largest process MB | load | converged, rc 0 |"
            ),
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in records:
            run_name = {"nolimit": "-", "learn": "first", "later": "second"}[r["kind"]]
            throttled = ", ".join("%s %d" % item for item in sorted(r["throttled"].items())) or "0"
            out.append(
                "| %d | %s | %s | %.1f | %s | %d = %d + %d | %s | %.1f | %.1f | %s | %s | %s | %s |"
                % (
                    r["concurrency"],
                    r["table"],
                    run_name,
                    r["wall_s"],
                    seconds_text(r.get("estimate_s")),
                    r["calls_total"],
                    r["minimum_total"],
                    r["calls_total"] - r["minimum_total"],
                    throttled,
                    r["module_pacing_wait_s"],
                    r["cpu_s"],
                    seconds_text(r.get("peak_pss_mb")),
                    seconds_text(r.get("peak_process_rss_mb")),
                    load_text(r),
                    "yes" if r["converged"] and not any(r["return_codes"]) else "**no**",
                )
            )
        operations = sorted({op for r in records for op in list(r["calls"]) + list(r["minimum"])})
        out += [
            "",
            "Calls per operation (the fewest first; columns: concurrency, table, run):",
            "",
            "| operation | fewest | "
            + " | ".join(("%d %s %s" % (r["concurrency"], r["table"], {"nolimit": "", "learn": "1st", "later": "2nd"}[r["kind"]])).strip() for r in records)
            + " |",
            "|---|---|" + "---|" * len(records),
        ]
        for operation in operations:
            out.append(
                "| %s | %d | %s |" % (operation, records[0]["minimum"].get(operation, 0), " | ".join("%d" % r["calls"].get(operation, 0) for r in records))
            )
        message = next((r.get("estimate_message") for r in records if r.get("estimate_message")), None)
        if message:
            out += ["", 'The estimate as printed (concurrency %d): "%s"' % (records[0]["concurrency"], message)]
        out.append("")
    policy = [r for r in results["scenarios"] if r["kind"].startswith("policy-")]
    if policy:
        out += [
            "## The paging policy module in a loop",
            "",
            "| run | table | wall s | median s a task | calls = fewest + throttled | throttled | pacing wait s | CPU s | load | converged, rc 0 |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in policy:
            out.append(
                "| %s | %s | %.1f | %s | %d = %d + %d | %d | %.1f | %.1f | %s | %s |"
                % (
                    r["name"],
                    r["table"],
                    r["wall_s"],
                    "-" if r.get("task_median_s") is None else "%.2f" % r["task_median_s"],
                    r["calls_total"],
                    r["minimum_total"],
                    r["calls_total"] - r["minimum_total"],
                    r["throttled_total"],
                    r["module_pacing_wait_s"],
                    r["cpu_s"],
                    load_text(r),
                    "yes" if r["converged"] and not any(r["return_codes"]) else "**no**",
                )
            )
        out.append("")
    if results.get("errors"):
        out += ["## Errors", ""] + ["* %s: `%s`" % (e["scenario"], e["error"].strip().splitlines()[-1]) for e in results["errors"]] + [""]
    return "\n".join(out)


def write_results(results, output):
    results["policy"] = policy_summary(results)
    (output / "performance-lanes.json").write_text(json.dumps(results, indent=1) + "\n")
    (output / "performance-lanes.md").write_text(markdown(results))


# ----- the whole run ------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 3, 3-second window, one policy round, results in a temporary directory")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of new people (default 20; --quick: 3)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4], help="user_onboarding_concurrency values (default 1 2 4)")
    parser.add_argument("--window", type=float, help="seconds standing for the API's 60-second window (default 15; --quick: 3)")
    parser.add_argument("--policy-tasks", type=int, default=10, help="paging policy tasks in the loop (default 10; 0 skips the loop)")
    parser.add_argument("--policy-rounds", type=int, help="alternating no-limits and learnt 2ps rounds of the loop (default 3; --quick: 1)")
    parser.add_argument("--output-dir", help="where performance-lanes.json/.md go (default: docs/; --quick: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (playbook output, events, pacing state)")
    parser.add_argument("--render", metavar="JSON", help="only rewrite performance-lanes.md (next to JSON) from a run's JSON")
    args = parser.parse_args(argv)
    if args.render:
        source = Path(args.render)
        write_results(json.loads(source.read_text()), source.parent)
        return 0
    sizes = args.sizes or ([3] if args.quick else [20])
    window = args.window or (3.0 if args.quick else 15.0)
    rounds = args.policy_rounds if args.policy_rounds is not None else (1 if args.quick else 3)
    output = Path(args.output_dir) if args.output_dir else (Path(tempfile.gettempdir()) / "victorops-benchmark-lanes-quick" if args.quick else ROOT / "docs")
    output.mkdir(parents=True, exist_ok=True)
    command = " ".join([".venv/bin/python", "benchmarks/lanes.py"] + (argv if argv is not None else sys.argv[1:]))

    workdir = Path(tempfile.mkdtemp(prefix="victorops-benchmark-lanes-"))
    bench = Bench(window, workdir)
    started = time.time()
    results = dict(
        command=command,
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=run.machine(),
        window_s=window,
        world_window_s=run.WORLD_WINDOW,
        sizes=sizes,
        concurrency=args.concurrency,
        limits={table: run.report.limits_text(*run.table_limits(table, window)) for table in TABLES},
        load_start=[round(x, 2) for x in os.getloadavg()],
        complete=False,
        scenarios=[],
    )
    try:
        steps = plan_for(sizes, args.concurrency, args.policy_tasks, rounds)
        run.run_steps(run_step, bench, workdir / "pacing", steps, results, lambda: write_results(results, output), started)
        results["complete"] = True
    finally:
        run.close_run(bench, results, lambda: write_results(results, output), workdir, args.keep, started)
    print("total %.1f s; results in %s" % (results["total_s"], output))
    for line in summary(results):
        print("  " + line)
    return 0 if all(r["converged"] and not any(r["return_codes"]) for r in results["scenarios"]) and not results.get("errors") else 1


if __name__ == "__main__":
    sys.exit(main())
