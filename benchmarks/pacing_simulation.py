"""The adaptive pacing profile at the API's real 60-second window, simulated: no process, no sleep.

The emulator benchmark (run.py) compresses the rate window, and Ansible's own time per task then stays below
every limit, so its runs are never throttled and the adaptive profile has nothing to learn. This script drives
the collection's real pacer (``_pacing.Pacer``, profile ``auto``, its state file in a temporary directory) with a
fake clock against a server enforcing each documented table at the real window (``tests/pacing_simulation.py``),
making the onboarding role's calls in order with the client's retry loop. Per table and number of people:

* first run: empty pacing state (the profile starts at the fastest table, 2ps, and learns);
* later run: the state the first run left, two minutes later;
* known: a pacer given the server's table from the start (``rate_limit_profile`` fixed), the best possible; for
  the server that spaces requests evenly (``2ps, even``), which no fixed table describes, a pacer that has learnt it;
* no limits: the same run against a server with no limits, at the collection's defaults;
* floor: the least time the calls need at the table's limits.

``--overhead`` is the time between two calls (a module process starting: the emulator benchmark measured 0.8 s
per call and more on a 2-core machine, so 0.5 s is on the fast side); 0 sends every call as soon as the pacer
allows, the hardest case.

    .venv/bin/python benchmarks/pacing_simulation.py                   # prints the table
    .venv/bin/python benchmarks/pacing_simulation.py --output docs/pacing-simulation.md
"""

import argparse
import datetime
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _collection import importable_collection

importable_collection()

from ansible_collections.victorops.oncall.plugins.module_utils._pacing import Pacer
from ansible_collections.victorops.oncall.tests.pacing_simulation import FakeClock, Server, calls_for, floor_seconds, run

KEY = "https://api.victorops.example|simulation"
# The emulator's table names beside the pacer's (the emulator's "seed" is the 2018 table), and whether the server
# spaces requests evenly (the emulator's rate-2ps-even variant).
TABLES = (("2018", "seed (2018)", False), ("2020", "2020", False), ("2ps", "2ps", False), ("2ps", "2ps, even", True))
PAUSE = 120.0  # between two runs: longer than any window, as between two playbook runs


def simulate(level, people, overhead, state_root, even=False):
    clock = FakeClock()

    def pacer(profile="auto", name="shared"):
        return Pacer(KEY, window=60.0, state_dir=os.path.join(state_root, name), clock=clock.time, sleep=clock.sleep, profile=profile)

    server = Server(clock, level, even=even)
    first_pacer = pacer()
    first = run(first_pacer, server, clock, people, overhead)
    first_throttled = dict(server.throttled)
    learnt = first_pacer.learnt()
    server.throttled.clear()
    clock.now += PAUSE
    later = run(pacer(), server, clock, people, overhead)
    later_throttled = dict(server.throttled)
    clock.now += PAUSE
    if even:
        # No fixed table spaces evenly: the known run is a later run of a pacer that learnt it before.
        known = run(pacer(), Server(clock, level, even=True), clock, people, overhead)
    else:
        known = run(pacer(profile=level, name="known"), Server(clock, level), clock, people, overhead)
    clock.now += PAUSE
    unlimited = run(pacer(name="unlimited"), Server(clock, None), clock, people, overhead)
    return dict(
        calls=len(calls_for(people)),
        first=first,
        first_throttled=first_throttled,
        learnt=learnt,
        later=later,
        later_throttled=later_throttled,
        known=known,
        unlimited=unlimited,
        floor=floor_seconds(people, level),
    )


def throttled_text(counts):
    total = sum(counts.values())
    if not total:
        return "0"
    return "%d (%s)" % (total, ", ".join("%s %d" % item for item in sorted(counts.items())))


def learnt_text(learnt):
    text = (learnt.get("level") or "-") + (", even" if learnt.get("even") else "")
    if learnt.get("operations"):
        text += "; " + ", ".join("%s: %s" % item for item in sorted(learnt["operations"].items()))
    return text


def target(result, run_name):
    bound = max(1.15 * result["floor"], 1.2 * result["unlimited"])
    return result[run_name] <= bound, bound


def report(rows, overheads):
    lines = [
        "# Adaptive pacing at the real rate window (simulated)",
        "",
        "Written by `benchmarks/pacing_simulation.py` on %s UTC (a fake clock: the figures do not depend on the machine)."
        % datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
        "The collection's pacer at its defaults (`rate_limit_profile: auto`) against a server enforcing each documented",
        "table at the API's 60-second window, making the onboarding role's calls for N new people (%d calls each, plus 2" % len(calls_for(1)[2:]),
        "per run). See the script's docstring for the method and [performance.md](performance.md) for the runs of real",
        "`ansible-playbook` processes against the emulator.",
        "",
        "Targets (issue: adaptive pacing): throttled answers at most 5 in the first run and at most one per operation in a",
        "later run; wall time within max(1.15 x floor, 1.2 x no limits). *Known table*: the same run by a pacer given",
        "the server's table from the start; *first / known* is what learning costs. The floor assumes every call of the",
        "busiest operation could go at the best moment; a run that onboards people one after the other cannot: after",
        "a wait for the limit, the people left still take their own time, so even the known-table run can miss the",
        "1.15 x floor bound (seed (2018), N = 10, 0.5 s between calls). *2ps, even*: a server of the 2ps table that",
        "also refuses a request closer than half a second (a second for a paging policy) to the operation's last one",
        "(the emulator's `rate-2ps-even`); its floor is that of the 2ps table.",
        "",
    ]
    for overhead in overheads:
        lines += [
            "## %s" % ("%g s between calls (Ansible's time per module call)" % overhead if overhead else "Calls back to back (no time between calls)"),
            "",
            (
                "| table | N | calls | floor s | no limits s | first run s | throttled, first run | learnt | later run s | throttled, later run"
                " | known table s | first / known | targets met |"
            ),
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for (level, label, _even), people, result in [r for r in rows if r[3] == overhead for r in [r[:3]]]:
            met_first, bound = target(result, "first")
            met_later, _bound = target(result, "later")
            met_throttle = sum(result["first_throttled"].values()) <= 5 and all(v <= 1 for v in result["later_throttled"].values())
            met = met_first and met_later and met_throttle
            lines.append(
                "| %s | %d | %d | %.1f | %.1f | %.1f | %s | %s | %.1f | %s | %.1f | %.3f | %s |"
                % (
                    label,
                    people,
                    result["calls"],
                    result["floor"],
                    result["unlimited"],
                    result["first"],
                    throttled_text(result["first_throttled"]),
                    learnt_text(result["learnt"]),
                    result["later"],
                    throttled_text(result["later_throttled"]),
                    result["known"],
                    result["first"] / result["known"],
                    "yes" if met else "**no** (bound %.1f s)" % bound,
                )
            )
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--overhead", type=float, nargs="+", default=[0.5, 0.0], help="seconds between two calls (default 0.5 and 0)")
    parser.add_argument("--output", help="write the Markdown table to this file as well")
    args = parser.parse_args()
    state_root = tempfile.mkdtemp(prefix="victorops-pacing-simulation-")
    try:
        rows = []
        for overhead in args.overhead:
            for people in args.sizes:
                for table in TABLES:
                    root = os.path.join(state_root, "%s-%s-%d-%g" % (table[0], table[2], people, overhead))
                    rows.append((table, people, simulate(table[0], people, overhead, root, table[2]), overhead))
    finally:
        shutil.rmtree(state_root, ignore_errors=True)
    text = report(rows, args.overhead)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
