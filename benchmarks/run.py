# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the onboarding role against the emulator with each rate-limit table, the collection at its defaults.

    .venv/bin/python benchmarks/run.py            # full run: N = 10 and 50, 15-second window; writes docs/performance.*
    .venv/bin/python benchmarks/run.py --quick    # N = 3, 3-second window; writes to a temporary directory

The emulator (in this process) and the modules' pacer use the same compressed rate window: a window
of W seconds stands for the API's 60-second minute (and every limit, the per-second table included, is
compressed by W / 60). Times are reported in real seconds. See docs/performance.md for what is measured and why.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
API_ID = "demo-api-id"
API_KEY = "demo-api-key"
WORLD_WINDOW = 60.0
# The emulator's limit tables the collection is measured against ("off" is the no-limits reference).
TABLES = ("seed", "2020", "2ps")
# The waits a user picks for retries on 429, in the 60-second world: the uri tasks wait 10 s between
# attempts, the script 5 s. Scaled with the window like everything else (comparison scenarios only).
URI_RETRY_DELAY_WORLD = 10.0
NAIVE_RETRY_SLEEP_WORLD = 5.0


sys.path.insert(0, str(HERE))
from _collection import importable_collection

COLLECTIONS_ROOT = importable_collection()

from ansible_collections.victorops.oncall.plugins.module_utils._api import logged_operation
from ansible_collections.victorops.oncall.tests.emulator import LIMIT_PERIODS, LIMIT_TABLES, Emulator

import naive_client
import report

# ----- the people, their policies and the fewest calls -------------------------------------------

# The paging policy the emulator gives a user created through the API (docs/emulator.md): one 5-minute
# step, a push rule, then an email rule to the signup address. The real API's default is not documented,
# which is why the policy must be read before it is written (see person_minimum).
DEFAULT_STEP_TIMEOUT = 5


def default_policy(person):
    return [{"timeout": DEFAULT_STEP_TIMEOUT, "rules": [{"type": "push"}, {"type": "email", "contact": person["email"]}]}]


def make_people(count):
    """``count`` new people, each with an email (their signup address), a phone and three paging steps, contacts by value."""
    people = []
    for i in range(1, count + 1):
        username = "bench%03d" % i
        email = "%s@example.com" % username
        phone = "+1555010%04d" % i
        steps = [
            {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": phone}]},
            {"timeout": 10, "rules": [{"type": "phone", "contact": phone}, {"type": "email", "contact": email}]},
            {"timeout": 15, "rules": [{"type": "sms", "contact": phone}, {"type": "email", "contact": email}]},
        ]
        people.append({"username": username, "first_name": "Bench", "last_name": "Person%03d" % i, "email": email, "phone": phone, "steps": steps})
    return people


def role_input(people):
    """The people as the role takes them (user_onboarding_people)."""
    return [
        {
            "username": p["username"],
            "first_name": p["first_name"],
            "last_name": p["last_name"],
            "email": p["email"],
            "phone": p["phone"],
            "paging_steps": p["steps"],
        }
        for p in people
    ]


def person_minimum(person, existing_steps, new):
    """The fewest API calls that bring one person to their desired state, per operation.

    - ``get_user`` 1: whether the user exists, and with which names, must be read (a dry run decides from it too;
      the API has no create-if-absent).
    - ``create_user`` 1 when the person is new.
    - ``list_contact_methods`` 1: rules name contacts by value and the API wants their ids; one read returns every
      contact method of the user (emails and phones), and the create-user answer carries none.
    - ``add_phone`` 1 when the phone is not among them (a new person's only contact method is the signup email).
    - ``get_paging_policy`` 1: which steps exist, and what they hold, must be read before any step is written.
    - per desired step: nothing when the existing step at that index is the same, ``update_step`` when it differs,
      ``create_step`` when there is none; the API writes one step per call and no fewer.
    """
    calls = {"get_user": 1, "list_contact_methods": 1, "get_paging_policy": 1}
    if new:
        calls["create_user"] = 1
        calls["add_phone"] = 1
    for index, step in enumerate(person["steps"]):
        if index < len(existing_steps):
            if existing_steps[index] != step:
                calls["update_step"] = calls.get("update_step", 0) + 1
        else:
            calls["create_step"] = calls.get("create_step", 0) + 1
    return calls


def run_minimum(people, new):
    """The fewest calls of a role run over ``people``: new people (from the default policy) or a re-run with nothing to change."""
    total = {}
    for person in people:
        existing = default_policy(person) if new else person["steps"]
        for operation, count in person_minimum(person, existing, new).items():
            total[operation] = total.get(operation, 0) + count
    return total


def table_limits(table, window):
    """``(count per operation name, default count, span in real seconds)`` of an emulator limit table."""
    by_template, default = LIMIT_TABLES[table]
    counts = {logged_operation(template): count for template, count in by_template.items()}
    return counts, default, window * LIMIT_PERIODS[table] / WORLD_WINDOW


def floor_seconds(calls, table, window):
    """Seconds the calls need at least at a table's limits: per operation, the first *limit* calls go at once and
    every further *limit* waits one span of the table (a window, or a second for 2ps); the slowest operation sets it.
    Returns (seconds, the operation that sets it)."""
    if table == "off":
        return 0.0, None
    counts, default, span = table_limits(table, window)
    best, which = 0.0, None
    for operation, count in calls.items():
        limit = counts.get(operation, default)
        seconds = max(0, math.ceil(count / limit - 1)) * span
        if seconds > best:
            best, which = seconds, operation
    return best, which


def converged(emu, people):
    """True when every person exists, has their phone, and their policy on the emulator is exactly their steps."""
    state = emu.state["users"]
    for person in people:
        user = state.get(person["username"])
        if user is None:
            return False
        ids = {}
        for kind in ("emails", "phones"):
            for contact in user["contact_methods"][kind]:
                ids[(kind, contact["value"])] = contact["id"]
        if ("phones", person["phone"]) not in ids:
            return False
        expected = []
        for step in person["steps"]:
            rules = []
            for rule in step["rules"]:
                kind = {"push": None, "email": "emails"}.get(rule["type"], "phones")
                rules.append({"type": rule["type"], "contact_id": ids.get((kind, rule["contact"])) if kind else None})
            expected.append({"timeout": step["timeout"], "rules": rules})
        if user["paging_policy"] != expected:
            return False
    return True


def make_seed(people=(), onboarded=False):
    """Emulator seed: the API key, and ``people`` as existing users (default policy, or already onboarded)."""
    users = []
    for person in people:
        entry = {
            "username": person["username"],
            "firstName": person["first_name"],
            "lastName": person["last_name"],
            "email": person["email"],
            "contact_methods": {"phones": [{"label": "Mobile", "value": person["phone"]}]},
        }
        if onboarded:
            entry["paging_policy"] = person["steps"]
        users.append(entry)
    return {"api_keys": [{"api_id": API_ID, "api_key": API_KEY, "read_only": False}], "users": users}


# ----- running things ----------------------------------------------------------------------------


class Bench:
    def __init__(self, window, workdir):
        self.window = float(window)
        self.workdir = Path(workdir)
        self.emulators = {}
        self.counter = 0

    def emulator(self, table):
        """One emulator per limit table, started on first use (each its own URL, so its own pacing state file)."""
        if table not in self.emulators:
            emu = Emulator(window=self.window, limits=table)
            emu.start()
            self.emulators[table] = emu
        return self.emulators[table]

    def log(self, text):
        print(text, flush=True)

    def _scenario_dir(self, name):
        self.counter += 1
        path = self.workdir / ("%02d-%s" % (self.counter, name))
        path.mkdir(parents=True)
        return path

    def _env(self, emu, directory, pacing_dir, events):
        # Inherited VICTOROPS_* and ANSIBLE_* settings would change what is measured: the modules run at their defaults.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VICTOROPS_", "ANSIBLE_"))}
        env.update(
            ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT,
            ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="benchmark_timing",
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_LOCAL_TEMP=str(directory / "ansible-local"),
            ANSIBLE_FORKS="5",
            VICTOROPS_API_URL=emu.url,
            VICTOROPS_API_ID=API_ID,
            VICTOROPS_API_KEY=API_KEY,
            VICTOROPS_RATE_WINDOW=repr(self.window),
            VICTOROPS_PACING_STATE_DIR=str(pacing_dir),
            VICTOROPS_BENCHMARK_EVENTS=str(events),
        )
        return env

    def run_playbooks(self, emu, directory, runs, playbook, pacing_dir, extra_vars=None, forks=None):
        """Start every run (tag, people_by_host) at once; wait for all. Returns (return codes, events, wall seconds, start)."""
        pacing_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        procs = []
        started = time.time()
        for tag, by_host in runs:
            inventory = directory / ("inventory-%s.ini" % tag)
            inventory.write_text("".join("%s ansible_connection=local ansible_python_interpreter=%s\n" % (host, sys.executable) for host in by_host))
            vars_file = directory / ("vars-%s.json" % tag)
            vars_file.write_text(json.dumps(dict(people_by_host=by_host, **(extra_vars or {}))))
            events = directory / ("events-%s.jsonl" % tag)
            args = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(HERE / "playbooks" / playbook), "-e", "@%s" % vars_file]
            if forks:
                args += ["--forks", str(forks)]
            output = open(directory / ("output-%s.txt" % tag), "w")  # noqa: SIM115 (closed below once the process ends)
            env = self._env(emu, directory, pacing_dir, events)
            procs.append((tag, subprocess.Popen(args, cwd=directory, env=env, stdout=output, stderr=subprocess.STDOUT), output, events))
        codes = []
        for _tag, proc, output, _events in procs:
            codes.append(proc.wait())
            output.close()
        wall = time.time() - started
        events = []
        for tag, _proc, _output, path in procs:
            if path.exists():
                events.extend(dict(json.loads(line), process=tag) for line in path.read_text().splitlines() if line.strip())
        return codes, events, wall, started

    # ----- the role against one table ----------------------------------------------------------

    def role_scenario(self, name, kind, table, people, pacing_dir, new=True, reset=True, concurrency="serial", description=""):
        """One role run against ``table``: from a fresh emulator state (``reset``) or the state the last run left."""
        emu = self.emulator(table)
        directory = self._scenario_dir(name)
        if reset:
            emu.reset(seed=make_seed())
        else:
            emu.clear_log()
        load_before = os.getloadavg()
        self.log("-- %s (%s, %d people, %s): load %.2f" % (name, table, len(people), concurrency, load_before[0]))
        runs, forks = split_runs(role_input(people), concurrency)
        codes, events, wall, started = self.run_playbooks(emu, directory, runs, "onboard_role.yml", pacing_dir, forks=forks)
        minimum = run_minimum(people, new)
        record = self._record(emu, name, kind, table, people, minimum, description, concurrency, codes, events, wall, started, load_before)
        record["learnt"] = learnt_state(pacing_dir)
        (directory / "record.json").write_text(json.dumps(record, indent=1))
        self.log("   %s" % report.one_line(record))
        return record

    def _record(self, emu, name, kind, table, people, minimum, description, concurrency, codes, events, wall, started, load_before):
        log = emu.log
        calls, throttled, timeline = {}, {}, []
        for entry in log:
            operation = logged_operation(entry["operation"] or "%s %s" % (entry["method"], entry["path"]))
            calls[operation] = calls.get(operation, 0) + 1
            if entry["status"] == 429:
                throttled[operation] = throttled.get(operation, 0) + 1
            timeline.append([round(entry["time"] - started, 4), operation, entry["status"]])
        floor, floor_operation = floor_seconds(minimum, table, self.window)
        record = dict(
            name=name,
            kind=kind,
            table=table,
            people=len(people),
            concurrency=concurrency,
            description=description,
            return_codes=codes,
            converged=converged(emu, people),
            calls=calls,
            throttled=throttled,
            minimum=minimum,
            calls_total=sum(calls.values()),
            minimum_total=sum(minimum.values()),
            throttled_total=sum(throttled.values()),
            wall_s=round(wall, 3),
            floor_s=round(floor, 3),
            floor_operation=floor_operation,
            load_before=[round(x, 2) for x in load_before],
            load_after=[round(x, 2) for x in os.getloadavg()],
            first_call_s=round(log[0]["time"] - started, 3) if log else None,
            timeline=timeline,
        )
        record.update(module_figures(events))
        record["counters_match"] = record["module_calls"] == record["calls_total"]
        return record

    # ----- the cost of one task -------------------------------------------------------------------

    def task_timing(self, people, rounds):
        """Seconds per loop item: victorops_paging_policy with nothing to change, and ansible.builtin.uri doing one GET,
        in alternating rounds against the emulator with no limits (nothing to wait for)."""
        emu = self.emulator("off")
        results = {}
        for round_ in range(rounds):
            for tool, playbook in (("collection", "onboard_collection.yml"), ("uri", "uri_get.yml")):
                directory = self._scenario_dir("timing-%s-%d" % (tool, round_))
                emu.reset(seed=make_seed(people, onboarded=True))
                load = os.getloadavg()[0]
                codes, events, _wall, _started = self.run_playbooks(emu, directory, [("p0", {"bench-0": people})], playbook, directory / "pacing")
                log = emu.log
                entry = results.setdefault(tool, dict(playbook=playbook, durations=[], return_codes=[], calls=0, throttled=0, waited_s=0.0, load_before=[]))
                entry["durations"] += item_durations(events)
                entry["return_codes"] += codes
                entry["calls"] += len(log)
                entry["throttled"] += sum(1 for e in log if e["status"] == 429)
                entry["waited_s"] += sum(
                    (e.get("api") or {}).get("pacing_wait", 0.0) + (e.get("api") or {}).get("retry_wait", 0.0) for e in events if e["event"] == "item_ok"
                )
                entry["load_before"].append(round(load, 2))
                self.log("-- timing %s round %d: %d items, load %.2f" % (tool, round_ + 1, len(item_durations(events)), load))
        for entry in results.values():
            durations = entry.pop("durations")
            entry.update(
                items=len(durations),
                calls_per_item=round(entry["calls"] / max(1, len(durations)), 2),
                waited_s=round(entry["waited_s"], 3),
                median_s=round(statistics.median(durations), 3) if durations else None,
                mean_s=round(statistics.mean(durations), 3) if durations else None,
                min_s=round(min(durations), 3) if durations else None,
                max_s=round(max(durations), 3) if durations else None,
            )
        return results

    # ----- comparison: the paging policy alone, with the collection, uri tasks and a script ---------

    def compare_scenario(self, name, tool, people, pacing_dir):
        """victorops_paging_policy in a loop, ansible.builtin.uri tasks or a requests script, over existing people
        on the default policy, against the 2018 (seed) table."""
        emu = self.emulator("seed")
        directory = self._scenario_dir(name)
        emu.reset(seed=make_seed(people, onboarded=False))
        load_before = os.getloadavg()
        self.log("-- %s (%s, %d people): load %.2f" % (name, tool, len(people), load_before[0]))
        desired = [{"username": p["username"], "steps": p["steps"]} for p in people]
        codes, events = [0], []
        if tool == "naive":
            started = time.time()
            naive_client.onboard(emu.url, API_ID, API_KEY, desired, self.window * NAIVE_RETRY_SLEEP_WORLD / WORLD_WINDOW)
            wall = time.time() - started
        else:
            playbook = "onboard_collection.yml" if tool == "collection" else "onboard_uri.yml"
            extra = {"retry_delay": round(self.window * URI_RETRY_DELAY_WORLD / WORLD_WINDOW, 3)} if tool == "uri" else None
            codes, events, wall, started = self.run_playbooks(emu, directory, [("p0", {"bench-0": desired})], playbook, pacing_dir, extra)
        minimum = {}
        for person in people:
            for operation, count in person_minimum(person, default_policy(person), new=False).items():
                if operation != "get_user":  # the paging policy alone: no user read
                    minimum[operation] = minimum.get(operation, 0) + count
        record = self._record(emu, name, "compare-" + tool, "seed", people, minimum, "", "serial", codes, events, wall, started, load_before)
        if tool != "collection":
            record.pop("counters_match", None)
        self.log("   %s" % report.one_line(record))
        return record

    def close(self):
        for emu in self.emulators.values():
            emu.stop()


def learnt_state(pacing_dir):
    """What the adaptive pacing keeps in the state directory after a run: the account's table and the operations
    that moved down on their own (``learnt`` and ``op_levels`` of the state file; expiry times left out)."""
    found = {}
    for path in sorted(Path(pacing_dir).glob("*.json")):
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        found = dict(
            account=(state.get("learnt") or {}).get("level"),
            operations={op: entry.get("level") for op, entry in sorted((state.get("op_levels") or {}).items()) if isinstance(entry, dict)},
        )
    return found


def split_runs(people, concurrency):
    """(runs, forks): the playbook processes to start, each with its people by inventory host."""
    if concurrency == "serial":
        return [("p0", {"bench-0": people})], None
    if concurrency == "forks5":
        return [("p0", {"bench-%d" % h: people[h::5] for h in range(5)})], 5
    if concurrency == "procs3":
        return [("p%d" % p, {"bench-p%d" % p: people[p::3]}) for p in range(3)], None
    raise ValueError(concurrency)


def item_durations(events):
    """Seconds between consecutive loop-item results of each host (the first from its task's start)."""
    durations = []
    for process in sorted({e["process"] for e in events}):
        mine = sorted((e for e in events if e["process"] == process), key=lambda e: e["time"])
        start = {}
        last = {}
        for event in mine:
            if event["event"] == "task_start":
                start = {"task": event["time"]}
                last = {}
            elif event["event"] in ("item_ok", "item_failed"):
                previous = last.get(event["host"], start.get("task"))
                if previous is not None:
                    durations.append(event["time"] - previous)
                last[event["host"]] = event["time"]
    return durations


def module_figures(events):
    """What the modules reported: their API counters summed over every task and loop-item result."""
    results = [e for e in events if e["event"] in ("ok", "failed", "item_ok", "item_failed") and e.get("api")]
    apis = [e["api"] for e in results]
    failed = [e for e in events if e["event"] in ("failed", "item_failed")]
    figures = dict(
        module_results=len(results),
        module_calls=sum(a.get("calls", 0) for a in apis),
        module_retries=sum(a.get("retries", 0) for a in apis),
        module_pacing_wait_s=round(sum(a.get("pacing_wait", 0.0) for a in apis), 3),
        module_retry_wait_s=round(sum(a.get("retry_wait", 0.0) for a in apis), 3),
        failed_results=len(failed),
    )
    if failed:
        figures["failures"] = [e.get("msg") for e in failed][:5]
    return figures


# ----- the whole run ------------------------------------------------------------------------------


def plan_for(count, tables, steady_table, compare):
    """The scenarios of one size, in order: (name, function name, arguments). Scenarios of one table share a pacing directory."""
    people = make_people(count)
    plan = [("nolimit-%d" % count, "role", dict(kind="nolimit", table="off", people=people, pacing="off-%d" % count, description="no limits (reference)"))]
    # The first and later runs of every table first, then the steady-state scenarios of one table.
    for table in tables:
        pacing = "%s-%d" % (table, count)
        plan += [
            (
                "learn-%s-%d" % (table, count),
                "role",
                dict(kind="learn", table=table, people=people, pacing=pacing, description="first run, empty pacing state"),
            ),
            (
                "later-%s-%d" % (table, count),
                "role",
                dict(kind="later", table=table, people=people, pacing=pacing, description="the same new people again, pacing state kept"),
            ),
        ]
    if steady_table in tables:
        table, pacing = steady_table, "%s-%d" % (steady_table, count)
        plan += [
            (
                "rerun-%s-%d" % (table, count),
                "role",
                dict(kind="rerun", table=table, people=people, pacing=pacing, new=False, reset=False, description="the same people again, nothing to change"),
            ),
            (
                "forks-%s-%d" % (table, count),
                "role",
                dict(
                    kind="forks",
                    table=table,
                    people=people,
                    pacing=pacing,
                    concurrency="forks5",
                    copy=True,
                    description="new people over 5 hosts and 5 forks, learnt state",
                ),
            ),
            (
                "procs-%s-%d" % (table, count),
                "role",
                dict(
                    kind="procs",
                    table=table,
                    people=people,
                    pacing=pacing,
                    concurrency="procs3",
                    copy=True,
                    description="new people over 3 concurrent ansible-playbook runs, one key, learnt state",
                ),
            ),
        ]
    plan.append(
        ("nolimit2-%d" % count, "role", dict(kind="nolimit", table="off", people=people, pacing="off2-%d" % count, description="no limits (reference, again)"))
    )
    if compare:
        for tool in ("collection", "uri", "naive"):
            plan.append(("compare-%s-%d" % (tool, count), "compare", dict(tool=tool, people=people, pacing="compare-%s-%d" % (tool, count))))
    return plan


def run_step(bench, pacing_root, name, function, arguments):
    arguments = dict(arguments)
    pacing_dir = pacing_root / arguments.pop("pacing")
    if function == "compare":
        return bench.compare_scenario(name, arguments["tool"], arguments["people"], pacing_dir)
    if arguments.pop("copy", False):
        # Steady state: start from what the table's earlier runs learnt, without changing it for the next scenario.
        copy = pacing_root / name
        shutil.copytree(pacing_dir, copy)
        pacing_dir = copy
    return bench.role_scenario(name, arguments.pop("kind"), arguments.pop("table"), arguments.pop("people"), pacing_dir, **arguments)


def machine():
    ansible_version = subprocess.run([str(BIN / "ansible"), "--version"], capture_output=True, text=True, check=False).stdout.splitlines()
    return dict(
        cpus=os.cpu_count(), python=platform.python_version(), ansible_core=ansible_version[0] if ansible_version else None, uname=" ".join(platform.uname())
    )


def run_steps(step_runner, bench, pacing_root, steps, results, write, started):
    """Run each ``(name, function, arguments)`` of ``steps`` with ``step_runner``, keeping a failed one's error."""
    for name, function, arguments in steps:
        try:
            results["scenarios"].append(step_runner(bench, pacing_root, name, function, arguments))
        except Exception:  # noqa: BLE001 (one broken scenario must not lose the others' results)
            traceback.print_exc()
            results.setdefault("errors", []).append(dict(scenario=name, error=traceback.format_exc(limit=3)))
        # Written after every scenario, so that an interrupted run still leaves what it measured (marked incomplete).
        _stamp_end(results, started)
        write()


def close_run(bench, results, write, workdir, keep, started):
    """Stop the emulators, write the results a last time and remove the working directory unless ``keep``."""
    bench.close()
    _stamp_end(results, started)
    write()
    if keep:
        print("working directory kept: %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def _stamp_end(results, started):
    results.update(total_s=round(time.time() - started, 1), load_end=[round(x, 2) for x in os.getloadavg()])


def write_results(results, output):
    # The tables' limits as numbers, for the peak use of each limit (derived from the emulator's tables and the window).
    results.setdefault("limit_numbers", {table: table_limits(table, results["window_s"]) for table in results["tables"]})
    results["targets"] = report.targets(results)
    text = json.dumps(results, indent=1)
    # One line per timeline entry ([seconds, operation, status]) keeps the file short and readable.
    text = re.sub(r'\[\s*(-?[\d.e-]+),\s*("[^"]*"),\s*(\d+)\s*\]', r"[\1, \2, \3]", text)
    (output / "performance.json").write_text(text + "\n")
    report.plot(results, output / "performance.png")
    (output / "performance.md").write_text(report.markdown(results))


def run_sizes(args):
    return args.sizes or ([3] if args.quick else [10, 50])


def planned_names(args):
    """The names of the scenarios the arguments plan, in order."""
    return [name for count in run_sizes(args) for name, _f, _a in plan_for(count, args.tables or list(TABLES), args.steady_table, args.compare)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 3 only, 3-second window, results in a temporary directory")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of people (default: 10 50; --quick: 3)")
    parser.add_argument("--window", type=float, help="seconds standing for the API's 60-second window (default 15; --quick: 3)")
    parser.add_argument("--tables", nargs="+", choices=TABLES, help="emulator limit tables (default: all)")
    parser.add_argument("--steady-table", default="seed", choices=TABLES, help="table of the re-run, forks and processes scenarios (default seed)")
    parser.add_argument("--timing-rounds", type=int, help="alternating rounds of the one-task timing, 10 items each (default 2; --quick 1; 0 skips)")
    parser.add_argument("--compare", action="store_true", help="also run the paging policy alone with the collection, uri tasks and a requests script")
    parser.add_argument("--output-dir", help="where performance.json/.md/.png go (default: docs/; --quick: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (playbook output, events, pacing state)")
    parser.add_argument("--render", metavar="JSON", help="only rewrite performance.md and .png (next to JSON) from a run's JSON")
    args = parser.parse_args(argv)
    if args.render:
        source = Path(args.render)
        results = json.loads(source.read_text())
        if "planned" not in results:
            # The scenarios the recorded command plans, for runs written before the JSON listed them.
            recorded = parser.parse_args(results["command"].split()[2:])
            results["planned"] = planned_names(recorded)
        write_results(results, source.parent)
        return 0
    sizes, tables = run_sizes(args), args.tables or list(TABLES)
    window = args.window or (3.0 if args.quick else 15.0)
    rounds = args.timing_rounds if args.timing_rounds is not None else (1 if args.quick else 2)
    output = Path(args.output_dir) if args.output_dir else (Path(tempfile.gettempdir()) / "victorops-benchmark-quick" if args.quick else ROOT / "docs")
    output.mkdir(parents=True, exist_ok=True)
    command = " ".join([".venv/bin/python", "benchmarks/run.py"] + (argv if argv is not None else sys.argv[1:]))

    workdir = Path(tempfile.mkdtemp(prefix="victorops-benchmark-"))
    bench = Bench(window, workdir)
    started = time.time()
    results = dict(
        command=command,
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(),
        window_s=window,
        world_window_s=WORLD_WINDOW,
        tables=tables,
        steady_table=args.steady_table,
        limits={table: report.limits_text(*table_limits(table, window)) for table in tables},
        person_minimum=dict(
            new=person_minimum(make_people(1)[0], default_policy(make_people(1)[0]), True),
            rerun=person_minimum(make_people(1)[0], make_people(1)[0]["steps"], False),
        ),
        load_start=[round(x, 2) for x in os.getloadavg()],
        planned=planned_names(args),
        complete=False,
        task_timing=None,
        scenarios=[],
    )
    try:
        if rounds:
            results["task_timing"] = bench.task_timing(make_people(10), rounds)
        for count in sizes:
            run_steps(
                run_step,
                bench,
                workdir / "pacing",
                plan_for(count, tables, args.steady_table, args.compare),
                results,
                lambda: write_results(results, output),
                started,
            )
        results["complete"] = True
    finally:
        close_run(bench, results, lambda: write_results(results, output), workdir, args.keep, started)
    print("total %.1f s; results in %s" % (results["total_s"], output))
    for target in results["targets"]:
        print("  [%s] %s: %s" % ("met" if target["met"] else "MISSED", target["target"], target["measured"]))
    records = results["scenarios"]
    return 0 if all(r["converged"] and not any(r["return_codes"]) for r in records if not r["kind"].startswith("compare-")) else 1


if __name__ == "__main__":
    sys.exit(main())
