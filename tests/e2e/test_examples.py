"""Every module's EXAMPLES are real tasks: they run as-is against a fresh emulator with the default seed."""

import ast
from pathlib import Path

import pytest
import yaml

MODULES = sorted((Path(__file__).resolve().parents[2] / "plugins" / "modules").glob("victorops_*.py"))


def examples_of(path):
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLES" for t in node.targets):
            return node.value.value
    raise AssertionError("%s has no EXAMPLES" % path.name)


@pytest.mark.parametrize("module", MODULES, ids=[m.stem for m in MODULES])
def test_examples_run_against_the_emulator(module, run_playbook, emulator):
    tasks = yaml.safe_load(examples_of(module))
    assert isinstance(tasks, list) and tasks, "EXAMPLES of %s must be a list of tasks" % module.stem
    fqcn = "victorops.oncall.%s" % module.stem
    assert any(fqcn in task for task in tasks), "EXAMPLES of %s never call %s" % (module.stem, fqcn)

    run = run_playbook(yaml.safe_dump(tasks, sort_keys=False))

    assert run.rc == 0, run
    assert [r for r in run.records if r["status"] == "failed"] == []
    assert any(r["action"] == fqcn for r in run.records)
