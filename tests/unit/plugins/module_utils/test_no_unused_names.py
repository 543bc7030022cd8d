"""Every name defined at the top of a module_utils file is used somewhere in the collection's plugins."""

import ast
import collections
import pathlib
import re

import pytest

PLUGINS = pathlib.Path(__file__).resolve().parents[4] / "plugins"
MODULE_UTILS = sorted(path for path in (PLUGINS / "module_utils").glob("_*.py") if path.name != "__init__.py")


def word_counts():
    counts = collections.Counter()
    for path in PLUGINS.rglob("*.py"):
        counts.update(re.findall(r"\w+", path.read_text(encoding="utf-8")))
    return counts


def top_level_names(source):
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [name for name in names if not name.startswith("__")]


@pytest.mark.parametrize("path", MODULE_UTILS, ids=lambda path: path.name)
def test_every_top_level_name_is_used_in_the_plugins(path):
    counts = word_counts()
    unused = [name for name in top_level_names(path.read_text(encoding="utf-8")) if counts[name] < 2]
    assert unused == [], "defined in %s and used nowhere in plugins/" % path.name
