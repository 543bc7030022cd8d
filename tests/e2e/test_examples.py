"""Every module's EXAMPLES are real tasks: they run as-is, each module's against a fresh emulator with the default seed.

One ansible-playbook run holds one play per module of a group (a third of them); each play first restores the emulator's seed (its control
endpoint), then runs the module's EXAMPLES. Every task ignores errors, so that one run reports every failing example.
"""

import ast
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

MODULES = sorted((Path(__file__).resolve().parents[2] / "plugins" / "modules").glob("victorops_*.py"))
RESET = "restore the emulator's seed for the examples of "


def examples_of(path):
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLES" for t in node.targets):
            return node.value.value
    raise AssertionError("%s has no EXAMPLES" % path.name)


def play_of(module, emulator_url):
    tasks = yaml.safe_load(examples_of(module))
    assert isinstance(tasks, list) and tasks, "EXAMPLES of %s must be a list of tasks" % module.stem
    fqcn = "victorops.oncall.%s" % module.stem
    assert any(fqcn in task for task in tasks), "EXAMPLES of %s never call %s" % (module.stem, fqcn)
    reset = {"name": RESET + module.stem, "ansible.builtin.uri": {"url": emulator_url + "/_emulator/reset", "method": "POST"}}
    return {"name": module.stem, "hosts": "localhost", "gather_facts": False, "tasks": [dict(task, ignore_errors=True) for task in [reset] + tasks]}


# Three ansible-playbook runs of a third of the modules each, so that three workers can share them.
GROUPS = 3


@pytest.mark.long
@pytest.mark.parametrize("group", range(GROUPS))
def test_every_modules_examples_run_against_a_fresh_emulator(run_playbook, emulator, group):
    modules = MODULES[group::GROUPS]
    run = run_playbook(play=yaml.safe_dump([play_of(module, emulator.url) for module in modules], sort_keys=False))

    assert run.rc == 0, run
    # The records of each module's play: from its reset task to the next one.
    starts = [i for i, record in enumerate(run.records) if record["task"].startswith(RESET)]
    assert [run.records[i]["task"][len(RESET) :] for i in starts] == [module.stem for module in modules]
    for module, start, end in zip(modules, starts, starts[1:] + [len(run.records)]):
        records = run.records[start:end]
        assert [r for r in records if r["status"] != "ok"] == [], module.stem
        assert any(r["action"] == "victorops.oncall.%s" % module.stem for r in records), module.stem
