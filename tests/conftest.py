"""Fixtures shared by the unit and end-to-end tests.

``emulator``
    A VictorOps emulator (tests/emulator) started for one test with the demo organisation and a one-second
    rate window. Options for ``Emulator(...)`` come from ``@pytest.mark.emulator(variants=[...], seed=..., ...)``
    or from an indirect parametrisation, ``@pytest.mark.parametrize("emulator", [{"variants": [...]}], indirect=True)``.
``contact_id``
    ``contact_id(username, label)`` (or ``kind=``/``value=``): the id the emulator gave a user's contact method.
``ansible_env``, ``run_playbook``
    A real ``ansible-playbook`` process aimed at the emulator; ``run_playbook`` returns a ``PlaybookRun``.
``run_module``
    ``run_module(name, check_mode=False, diff=False, **options)``: one module of the collection run in this process
    against the emulator (no ``ansible-playbook`` process); returns its result, a failed one included.

Anything under ``ansible_collections`` is imported inside the fixtures: this file is loaded before pytest-ansible
(or ansible-test) installs the collection loader, and also under ``ansible-test units``, where only the unit
test requirements are installed.
"""

import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

try:
    from hypothesis import settings as hypothesis_settings
except ImportError:  # a requirement of the unit tests only
    hypothesis_settings = None

if hypothesis_settings is not None:
    # A property test is judged by its examples, never by its speed: a busy machine made a 200 ms deadline fail.
    hypothesis_settings.register_profile("victorops", deadline=None)
    hypothesis_settings.load_profile("victorops")

TESTS = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
API_ID = "demo-api-id"
API_KEY = "demo-api-key"
# The emulator and the modules' pacer read the same window: a 60-second API minute lasts one second here.
RATE_WINDOW = "1.0"
# Settings of the modules read from the environment; a test sets only those it means to.
MODULE_ENVIRONMENT = (
    "VICTOROPS_API_ID",
    "VICTOROPS_API_KEY",
    "VICTOROPS_API_URL",
    "VICTOROPS_RETRIES",
    "VICTOROPS_PACING",
    "VICTOROPS_PACING_STATE_DIR",
    "VICTOROPS_RATE_WINDOW",
    "VICTOROPS_REQUEST_TIMEOUT",
    "VICTOROPS_RATE_LIMIT_PROFILE",
    "VICTOROPS_DEADLINE",
)


def pytest_configure(config):
    config.addinivalue_line("markers", "emulator(**options): options passed to Emulator(...) by the emulator fixture, e.g. variants=[...], seed=...")


def emulator_options(node, param=None):
    """Emulator(...) keyword arguments for a test: the defaults, then its markers' (the closest wins), then an indirect parameter's.

    A misspelt variant name fails here, naming the known ones, instead of being silently ignored.
    """
    from ansible_collections.victorops.oncall.tests.emulator._variants import check_variants

    options = {"window": float(RATE_WINDOW)}
    for marker in reversed(list(node.iter_markers("emulator"))):
        if marker.args:
            raise pytest.UsageError("@pytest.mark.emulator takes keyword arguments only (variants=..., seed=..., window=...)")
        options.update(marker.kwargs)
    if param is not None:
        if not isinstance(param, dict):
            raise pytest.UsageError("an indirect emulator parameter is a dict of Emulator(...) options, got %r" % (param,))
        options.update(param)
    if "variants" in options:
        try:
            options["variants"] = tuple(sorted(check_variants(options["variants"], "@pytest.mark.emulator(variants=...)")))
        except (TypeError, ValueError) as error:
            raise pytest.UsageError(str(error)) from None
    return options


def pytest_collection_modifyitems(config, items):
    """Check every test's emulator options when it is collected: a typo in a variant name stops the run before any test.

    Tests marked ``long`` go first: started last, one of them would keep a worker busy after the others are done.
    """
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    errors = []
    for item in items:
        if "emulator" not in getattr(item, "fixturenames", ()):
            continue
        callspec = getattr(item, "callspec", None)
        try:
            emulator_options(item, callspec.params.get("emulator") if callspec else None)
        except pytest.UsageError as error:
            errors.append("%s: %s" % (item.nodeid, error))
    if errors:
        raise pytest.UsageError("\n".join(errors))


@pytest.fixture
def emulator(request, monkeypatch, tmp_path):
    """A started emulator; modules run against it (in-process or by ansible-playbook) use its rate window and a private pacing directory."""
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    for name in MODULE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    emu = Emulator(**emulator_options(request.node, getattr(request, "param", None)))
    monkeypatch.setenv("VICTOROPS_RATE_WINDOW", str(emu.window))
    monkeypatch.setenv("VICTOROPS_PACING_STATE_DIR", str(tmp_path / "pacing"))
    # A write whose outcome is uncertain is confirmed only after request_timeout (30 s by default): short here
    # (every fault test waits it once per uncertain write), still three times the emulator's late-write delay
    # (0.3 s), and far above what an answer of the emulator on loopback takes. Tests of timeouts set their own.
    monkeypatch.setenv("VICTOROPS_REQUEST_TIMEOUT", "1")
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def contact_id(emulator):
    """contact_id(username, label) or contact_id(username, kind="emails"|"phones", value=...): exactly one id or the test fails."""

    def find(username, label=None, kind=None, value=None):
        methods = emulator.state["users"][username]["contact_methods"]
        found = [
            method["id"]
            for method_kind in ("emails", "phones")
            if kind in (None, method_kind)
            for method in methods[method_kind]
            if label in (None, method["label"]) and value in (None, method["value"])
        ]
        assert len(found) == 1, (username, label, kind, value, methods)
        return found[0]

    return find


class PlaybookRun:
    """The outcome of one ansible-playbook process."""

    def __init__(self, proc, results):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.records = results

    def result(self, task):
        """The result of the task named ``task`` (the last one if it ran more than once)."""
        matches = [r["result"] for r in self.records if r["task"] == task]
        assert matches, "task %r did not run; stdout:\n%s\nstderr:\n%s" % (task, self.stdout, self.stderr)
        return matches[-1]

    def status(self, task):
        return [r["status"] for r in self.records if r["task"] == task][-1]

    def __repr__(self):
        # The failure lines first: pytest shortens a long assertion message to its first lines.
        failures = [line.strip()[:600] for line in (self.stdout + self.stderr).splitlines() if line.startswith(("fatal:", "[ERROR]", "failed:"))]
        return "PlaybookRun(rc=%s) %s\nSTDOUT:\n%s\nSTDERR:\n%s" % (self.rc, " | ".join(failures), self.stdout, self.stderr)


def collections_root():
    """The directory holding ansible_collections/ that pytest imports the collection from (set by the root conftest)."""
    return os.environ.get("VICTOROPS_TEST_COLLECTIONS_ROOT") or str(TESTS.parents[3])


@pytest.fixture
def ansible_env(tmp_path, emulator):
    """Environment of an ansible-playbook process aimed at the emulator."""
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=collections_root(),
        ANSIBLE_CALLBACK_PLUGINS=str(TESTS / "e2e" / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="result_capture",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
        VICTOROPS_API_URL=emulator.url,
        VICTOROPS_API_ID=API_ID,
        VICTOROPS_API_KEY=API_KEY,
        VICTOROPS_RATE_WINDOW=str(emulator.window),
        VICTOROPS_PACING_STATE_DIR=str(tmp_path / "pacing"),
    )
    return env


@pytest.fixture
def run_playbook(tmp_path, ansible_env):
    """run_playbook(tasks_yaml, check=False, diff=False, extra_args=(), env=None, play=None) -> PlaybookRun.

    ``tasks_yaml`` is the body of a play's ``tasks:`` list; ``play`` replaces the whole playbook.
    """
    counter = {"n": 0}

    def run(tasks=None, check=False, diff=False, extra_args=(), env=None, play=None, timeout=600):
        counter["n"] += 1
        n = counter["n"]
        inventory = tmp_path / "inventory.ini"
        inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
        if play is None:
            play = "- name: e2e\n  hosts: localhost\n  gather_facts: false\n  tasks:\n" + textwrap.indent(textwrap.dedent(tasks), "    ")
        playbook = tmp_path / ("play%d.yml" % n)
        playbook.write_text(play)
        results = tmp_path / ("results%d.jsonl" % n)
        run_env = dict(ansible_env, VICTOROPS_TEST_RESULTS=str(results))
        run_env.update(env or {})
        args = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)]
        if check:
            args.append("--check")
        if diff:
            args.append("--diff")
        args.extend(extra_args)
        proc = subprocess.run(args, cwd=tmp_path, env=run_env, capture_output=True, text=True, timeout=timeout, check=False)
        records = []
        if results.exists():
            records = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
        return PlaybookRun(proc, records)

    return run


class ModuleResult(dict):
    """What a module printed (its result), with its exit code and the printed text itself (for checks on secrets)."""

    def __init__(self, exit_code, output):
        super().__init__(json.loads(output))
        self.exit_code = exit_code
        self.output = output


@pytest.fixture
def run_module(request, capsys):
    """run_module(name, check_mode=False, diff=False, connect_to_emulator=True, **options) -> ModuleResult.

    Runs ``main()`` of a module of this collection in this process (arguments passed by ansible-core's
    ``patch_module_args``), with ``options`` as the task's arguments and ``_ansible_check_mode``/``_ansible_diff``
    set: the fast way to test one task. ``name`` is the module's name (``"victorops_user"``). The connection options (``api_url``, ``api_id``,
    ``api_key``) default to the emulator of the test and the demo key, unless ``connect_to_emulator=False``
    (then only ``options`` and the environment count). A failed module returns its result with ``failed: true``
    and a non-zero ``exit_code``; nothing is raised.
    """
    from ansible.module_utils.testing import patch_module_args

    def run(name, /, check_mode=False, diff=False, connect_to_emulator=True, **options):
        module = importlib.import_module("ansible_collections.victorops.oncall.plugins.modules." + name.rpartition(".")[2])
        args = dict(options, _ansible_check_mode=check_mode, _ansible_diff=diff)
        if connect_to_emulator:
            emulator = request.getfixturevalue("emulator")
            args = dict(dict(api_url=emulator.url, api_id=API_ID, api_key=API_KEY), **args)
        capsys.readouterr()  # what the test printed before is not part of the module's output
        with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
            module.main()
        return ModuleResult(exit_info.value.code or 0, capsys.readouterr().out)

    return run
