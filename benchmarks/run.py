# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of paging-policy onboarding against the emulator, at the API's documented rate limits.

    .venv/bin/python benchmarks/run.py            # full run: N = 10 and 50, 15-second window; writes docs/performance.*
    .venv/bin/python benchmarks/run.py --quick    # N = 10, 3-second window; writes to a temporary directory

The emulator (in this process) and the modules' pacer use the same compressed rate window: a window
of W seconds stands for the API's 60-second minute. Times are reported in real seconds and scaled to
the 60-second world (real * 60 / W). See docs/performance.md for what is measured and why.
"""

import argparse
import datetime
import importlib.util
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
API_ID = "demo-api-id"
API_KEY = "demo-api-key"
WORLD_WINDOW = 60.0
# The waits a user picks for retries on 429, in the 60-second world: the uri tasks wait 10 s between
# attempts, the script 5 s. Scaled with the window like everything else.
URI_RETRY_DELAY_WORLD = 10.0
NAIVE_RETRY_SLEEP_WORLD = 5.0

GET_POLICY = "GET /api-public/v1/profile/{}/policies"
GET_CONTACTS = "GET /api-public/v1/user/{}/contact-methods"
PUT_STEP = "PUT /api-public/v1/profile/{}/policies/{}"
POST_STEP = "POST /api-public/v1/profile/{}/policies"


def _load_root_conftest():
    """The repository's conftest.py builds the ansible_collections symlink farm; reuse it rather than copy it."""
    spec = importlib.util.spec_from_file_location("victorops_oncall_root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.COLLECTIONS_ROOT


COLLECTIONS_ROOT = _load_root_conftest()
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)

from ansible_collections.victorops.oncall.plugins.module_utils._rate_limits import limit_for, normalize_operation
from ansible_collections.victorops.oncall.tests.emulator import Emulator

sys.path.insert(0, str(HERE))
import naive_client
import report


# ----- the people and their policies -----------------------------------------------------------


def make_people(count):
    """``count`` people, each with a Default email (their signup address) and a Mobile phone."""
    people = []
    for i in range(1, count + 1):
        username = "bench%03d" % i
        email = "%s@example.com" % username
        phone = "+1555010%04d" % i
        # Three steps of two rules each, contacts given by value.
        steps = [
            {"timeout": 5, "rules": [{"type": "push"}, {"type": "sms", "contact": phone}]},
            {"timeout": 10, "rules": [{"type": "phone", "contact": phone}, {"type": "email", "contact": email}]},
            {"timeout": 15, "rules": [{"type": "sms", "contact": phone}, {"type": "email", "contact": email}]},
        ]
        people.append({"username": username, "email": email, "phone": phone, "steps": steps})
    return people


def changed_one_rule(people):
    """The same people with one rule changed each: step 2 rule 0 becomes a phone call instead of a text."""
    changed = json.loads(json.dumps(people))
    for person in changed:
        person["steps"][2]["rules"][0]["type"] = "phone"
    return changed


def make_seed(people, onboarded):
    """Emulator seed: the people as existing users, with the default policy or already onboarded."""
    users = []
    for i, person in enumerate(people):
        entry = {
            "username": person["username"],
            "firstName": "Bench",
            "lastName": "Person%03d" % (i + 1),
            "email": person["email"],
            "contact_methods": {"phones": [{"label": "Mobile", "value": person["phone"]}]},
        }
        if onboarded:
            entry["paging_policy"] = person["steps"]
        users.append(entry)
    return {"api_keys": [{"api_id": API_ID, "api_key": API_KEY, "read_only": False}], "users": users}


def minimum_calls(people, writes_per_person):
    """The fewest calls: one policy read and, since rules name contacts by value, one contact-method read per person, plus the writes."""
    calls = {GET_POLICY: len(people), GET_CONTACTS: len(people)}
    for operation, count in writes_per_person.items():
        calls[operation] = count * len(people)
    return calls


# From the default policy (one 5-minute step: push, email) to three steps: step 0 is replaced (1 PUT),
# steps 1 and 2 are created (1 POST each); the API creates or replaces a step in one call and no fewer.
ONBOARD_WRITES = {PUT_STEP: 1, POST_STEP: 2}
CHANGE_WRITES = {PUT_STEP: 1}


def floor_windows(calls):
    """Windows the calls need at the documented limits: calls beyond the first ``limit`` cost a window per ``limit``."""
    windows = 0
    for operation, count in calls.items():
        limit = limit_for(operation)
        windows = max(windows, 0, math.ceil(count / limit - 1))
    return windows


def converged(emu, people):
    """True when every person's policy on the emulator is exactly their steps, contacts resolved by value."""
    state = emu.state["users"]
    for person in people:
        user = state[person["username"]]
        ids = {}
        for kind in ("emails", "phones"):
            for contact in user["contact_methods"][kind]:
                ids[(kind, contact["value"])] = contact["id"]
        expected = []
        for step in person["steps"]:
            rules = []
            for rule in step["rules"]:
                kind = {"push": None, "email": "emails"}.get(rule["type"], "phones")
                rules.append({"type": rule["type"], "contact_id": ids[(kind, rule["contact"])] if kind else None})
            expected.append({"timeout": step["timeout"], "rules": rules})
        if user["paging_policy"] != expected:
            return False
    return True


# ----- running things ----------------------------------------------------------------------------


class Bench:
    def __init__(self, window, workdir, verbose):
        self.window = float(window)
        self.workdir = Path(workdir)
        self.verbose = verbose
        self.emu = Emulator(window=self.window, limits="seed")
        self.emu.start()
        self.counter = 0

    def world(self, seconds):
        return seconds * WORLD_WINDOW / self.window

    def log(self, text):
        print(text, flush=True)

    def _scenario_dir(self, name):
        self.counter += 1
        path = self.workdir / ("%02d-%s" % (self.counter, name))
        path.mkdir(parents=True)
        return path

    def _env(self, directory, pacing_dir, events):
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
            VICTOROPS_API_URL=self.emu.url,
            VICTOROPS_API_ID=API_ID,
            VICTOROPS_API_KEY=API_KEY,
            VICTOROPS_RATE_WINDOW=repr(self.window),
            VICTOROPS_PACING_STATE_DIR=str(pacing_dir),
            VICTOROPS_BENCHMARK_EVENTS=str(events),
        )
        return env

    def _playbook_process(self, directory, tag, playbook, people_by_host, pacing_dir, extra_vars=None, forks=None):
        inventory = directory / ("inventory-%s.ini" % tag)
        inventory.write_text("".join("%s ansible_connection=local ansible_python_interpreter=%s\n" % (host, sys.executable) for host in people_by_host))
        variables = dict(people_by_host=people_by_host, **(extra_vars or {}))
        vars_file = directory / ("vars-%s.json" % tag)
        vars_file.write_text(json.dumps(variables))
        events = directory / ("events-%s.jsonl" % tag)
        args = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(HERE / "playbooks" / playbook), "-e", "@%s" % vars_file]
        if forks:
            args += ["--forks", str(forks)]
        output = open(directory / ("output-%s.txt" % tag), "w")  # noqa: SIM115 (closed by run_playbooks once the process ends)
        proc = subprocess.Popen(args, cwd=directory, env=self._env(directory, pacing_dir, events), stdout=output, stderr=subprocess.STDOUT)
        return proc, output, events

    def run_playbooks(self, directory, runs, playbook, extra_vars=None, forks=None):
        """Start every run (tag, people_by_host) at once; wait for all. Returns (return codes, events, wall seconds)."""
        pacing_dir = directory / "pacing"
        started = time.time()
        procs = [self._playbook_process(directory, tag, playbook, by_host, pacing_dir, extra_vars, forks) for tag, by_host in runs]
        codes = []
        for proc, output, _events in procs:
            codes.append(proc.wait())
            output.close()
        wall = time.time() - started
        events = []
        for tag, (_proc, _output, path) in zip([run[0] for run in runs], procs):
            if path.exists():
                events.extend(dict(json.loads(line), process=tag) for line in path.read_text().splitlines() if line.strip())
        return codes, events, wall, started

    # ----- one scenario -------------------------------------------------------------------------

    def scenario(self, name, tool, people, seed_onboarded, desired, minimum, description, concurrency="serial"):
        """Run one scenario from a fresh emulator state and fresh rate windows; return its record."""
        directory = self._scenario_dir(name)
        self.emu.reset(seed=make_seed(people, seed_onboarded))
        load_before = os.getloadavg()
        self.log("-- %s (%s, %d people, %s): load %.2f" % (name, tool, len(people), concurrency, load_before[0]))
        codes, events, throttled_by_client = [0], [], None
        if tool == "naive":
            started = time.time()
            throttled_by_client = naive_client.onboard(self.emu.url, API_ID, API_KEY, desired, self.window * NAIVE_RETRY_SLEEP_WORLD / WORLD_WINDOW)
            wall = time.time() - started
        else:
            playbook = "onboard_collection.yml" if tool == "collection" else "onboard_uri.yml"
            extra = {"retry_delay": round(self.window * URI_RETRY_DELAY_WORLD / WORLD_WINDOW, 3)} if tool == "uri" else None
            runs, forks = split_runs(desired, concurrency)
            codes, events, wall, started = self.run_playbooks(directory, runs, playbook, extra, forks)
        record = self._record(name, tool, people, desired, minimum, description, concurrency, codes, events, wall, started, load_before)
        if throttled_by_client is not None and throttled_by_client != record["rate_limited"]:
            raise RuntimeError("the script counted %d 429 answers, the emulator %d" % (throttled_by_client, record["rate_limited"]))
        (directory / "record.json").write_text(json.dumps(record, indent=1))
        self.log("   %s" % report.one_line(record))
        return record

    def _record(self, name, tool, people, desired, minimum, description, concurrency, codes, events, wall, started, load_before):
        log = self.emu.log
        calls, accepted, rate_limited, timeline = {}, {}, 0, []
        for entry in log:
            operation = normalize_operation(entry["operation"] or "%s %s" % (entry["method"], entry["path"]))
            calls[operation] = calls.get(operation, 0) + 1
            if entry["status"] == 429:
                rate_limited += 1
            else:
                accepted[operation] = accepted.get(operation, 0) + 1
            timeline.append([round(entry["time"] - started, 4), operation, entry["status"]])
        minimum = {normalize_operation(op): count for op, count in minimum.items()}
        windows = floor_windows(minimum)
        floor = windows * self.window
        span = (log[-1]["time"] - log[0]["time"]) if log else 0.0
        record = dict(
            name=name,
            tool=tool,
            people=len(people),
            concurrency=concurrency,
            description=description,
            return_codes=codes,
            converged=converged(self.emu, desired),
            calls=calls,
            accepted=accepted,
            minimum=minimum,
            calls_total=sum(calls.values()),
            minimum_total=sum(minimum.values()),
            rate_limited=rate_limited,
            wall_s=round(wall, 3),
            wall_world_s=round(self.world(wall), 1),
            api_span_s=round(span, 3),
            floor_windows=windows,
            floor_s=round(floor, 3),
            floor_world_s=round(self.world(floor), 1),
            ratio=round(wall / floor, 3) if floor else None,
            load_before=[round(x, 2) for x in load_before],
            load_after=[round(x, 2) for x in os.getloadavg()],
            timeline=timeline,
        )
        record.update(module_figures(events, tool))
        if tool == "collection":
            # The modules' own counters against the emulator's log: both must see the same requests.
            record["counters_match"] = record["module_calls"] == record["calls_total"]
        record["first_call_s"] = round(log[0]["time"] - started, 3) if log else None
        return record

    def task_timing(self, people):
        """Seconds per loop item: the paging-policy module with nothing to change, and ansible.builtin.uri doing one GET."""
        results = {}
        for tool, playbook in (("collection", "onboard_collection.yml"), ("uri", "uri_get.yml")):
            directory = self._scenario_dir("timing-" + tool)
            self.emu.reset(seed=make_seed(people, True))
            load = os.getloadavg()[0]
            codes, events, wall, _started = self.run_playbooks(directory, [("p0", {"bench-0": people})], playbook)
            durations = item_durations(events)
            waited = sum((e.get("api") or {}).get("pacing_wait", 0.0) + (e.get("api") or {}).get("retry_wait", 0.0) for e in events if e["event"] == "item_ok")
            results[tool] = dict(
                playbook=playbook,
                items=len(durations),
                return_codes=codes,
                calls_per_item=round(len(self.emu.log) / max(1, len(durations)), 2),
                rate_limited=sum(1 for entry in self.emu.log if entry["status"] == 429),
                waited_s=round(waited, 3),
                median_s=round(statistics.median(durations), 3) if durations else None,
                mean_s=round(statistics.mean(durations), 3) if durations else None,
                min_s=round(min(durations), 3) if durations else None,
                max_s=round(max(durations), 3) if durations else None,
                wall_s=round(wall, 3),
                load_before=round(load, 2),
            )
            self.log("-- timing %s: median %.3f s per item over %d items (load %.2f)" % (tool, results[tool]["median_s"] or 0, len(durations), load))
        return results

    def close(self):
        self.emu.stop()


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


def module_figures(events, tool):
    """What the modules reported: their API counters summed over items, and seconds per item."""
    items = [e for e in events if e["event"] in ("item_ok", "item_failed")]
    figures = dict(items=len(items), failed_items=sum(1 for e in items if e["event"] == "item_failed"))
    if tool == "collection":
        apis = [e.get("api") or {} for e in items]
        figures.update(
            module_calls=sum(a.get("calls", 0) for a in apis),
            module_retries=sum(a.get("retries", 0) for a in apis),
            module_pacing_wait_s=round(sum(a.get("pacing_wait", 0.0) for a in apis), 3),
            module_retry_wait_s=round(sum(a.get("retry_wait", 0.0) for a in apis), 3),
        )
        failures = [e.get("msg") for e in items if e["event"] == "item_failed"]
        if failures:
            figures["failures"] = failures[:5]
    if tool == "uri":
        figures["uri_retries"] = sum(1 for e in events if e["event"] == "retry")
    durations = item_durations(events) if tool == "collection" else []
    if durations:
        figures["item_median_s"] = round(statistics.median(durations), 3)
    return figures


# ----- the whole run ------------------------------------------------------------------------------


def scenarios_for(count, quick):
    people = make_people(count)
    changed = changed_one_rule(people)
    onboard_min = minimum_calls(people, ONBOARD_WRITES)
    plan = [
        ("onboard-%d" % count, "collection", people, False, people, onboard_min,
         "onboard from the default policy: victorops_paging_policy in a loop", "serial"),
        ("rerun-%d" % count, "collection", people, True, people, minimum_calls(people, {}),
         "the same again with nothing to change (the daily re-run)", "serial"),
        ("change-%d" % count, "collection", people, True, changed, minimum_calls(people, CHANGE_WRITES),
         "one changed rule per person", "serial"),
        ("forks-%d" % count, "collection", people, False, people, onboard_min,
         "onboarding split over 5 hosts run by 5 forks", "forks5"),
        ("procs-%d" % count, "collection", people, False, people, onboard_min,
         "onboarding split over 3 concurrent ansible-playbook processes, one API key", "procs3"),
        ("uri-%d" % count, "uri", people, False, people, onboard_min,
         "the onboarding with ansible.builtin.uri, until/retries on 429", "serial"),
        ("naive-%d" % count, "naive", people, False, people, onboard_min,
         "the onboarding with a plain requests script, fixed sleep on 429, no pacing", "serial"),
    ]
    return plan


def machine():
    ansible_version = subprocess.run([str(BIN / "ansible"), "--version"], capture_output=True, text=True, check=False).stdout.splitlines()
    return dict(
        cpus=os.cpu_count(),
        python=platform.python_version(),
        ansible_core=ansible_version[0] if ansible_version else None,
        uname=" ".join(platform.uname()),
    )


def write_results(results, output):
    text = json.dumps(results, indent=1)
    # One line per timeline entry ([seconds, operation, status]) keeps the file short and readable.
    text = re.sub(r'\[\s*(-?[\d.e-]+),\s*("[^"]*"),\s*(\d+)\s*\]', r"[\1, \2, \3]", text)
    (output / "performance.json").write_text(text + "\n")
    report.plot(results, output / "performance.png")
    (output / "performance.md").write_text(report.markdown(results))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 10 only, 3-second window, results in a temporary directory")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of people (default: 10 50; --quick: 10)")
    parser.add_argument("--window", type=float, help="seconds standing for the API's 60-second window (default 15; --quick: 3)")
    parser.add_argument("--only", nargs="+", help="run only the scenarios whose name starts with one of these (onboard, rerun, change, forks, ...)")
    parser.add_argument("--output-dir", help="where performance.json/.md/.png go (default: docs/; --quick: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (playbook output, events)")
    parser.add_argument("--render", metavar="JSON", help="only rewrite performance.md and .png (next to JSON) from a run's JSON")
    args = parser.parse_args(argv)
    if args.render:
        source = Path(args.render)
        results = json.loads(source.read_text())
        results["targets"] = report.targets(results)
        write_results(results, source.parent)
        return 0
    sizes = args.sizes or ([10] if args.quick else [10, 50])
    window = args.window or (3.0 if args.quick else 15.0)
    output = Path(args.output_dir) if args.output_dir else (Path(tempfile.gettempdir()) / "victorops-benchmark-quick" if args.quick else ROOT / "docs")
    output.mkdir(parents=True, exist_ok=True)
    command = " ".join([".venv/bin/python", "benchmarks/run.py"] + (argv if argv is not None else sys.argv[1:]))

    workdir = Path(tempfile.mkdtemp(prefix="victorops-benchmark-"))
    bench = Bench(window, workdir, verbose=False)
    started = time.time()
    load_start = os.getloadavg()
    records = []
    try:
        timing = None if args.only and "timing" not in args.only else bench.task_timing(make_people(10))
        for count in sizes:
            for spec in scenarios_for(count, args.quick):
                if args.only and not any(spec[0].startswith(prefix) for prefix in args.only):
                    continue
                records.append(bench.scenario(*spec))
    finally:
        bench.close()
        if args.keep:
            print("working directory kept: %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    total = time.time() - started
    results = dict(
        command=command,
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(),
        window_s=window,
        world_window_s=WORLD_WINDOW,
        uri_retry_delay_world_s=URI_RETRY_DELAY_WORLD,
        naive_retry_sleep_world_s=NAIVE_RETRY_SLEEP_WORLD,
        limits={report.short(op): limit_for(op) for op in (GET_POLICY, GET_CONTACTS, PUT_STEP, POST_STEP)},
        total_s=round(total, 1),
        load_start=[round(x, 2) for x in load_start],
        load_end=[round(x, 2) for x in os.getloadavg()],
        task_timing=timing,
        scenarios=records,
    )
    results["targets"] = report.targets(results)
    write_results(results, output)
    print("total %.1f s; results in %s" % (total, output))
    for target in results["targets"]:
        print("  [%s] %s: %s" % ("met" if target["met"] else "MISSED", target["target"], target["measured"]))
    return 0 if all(r["converged"] and not any(r["return_codes"]) for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
