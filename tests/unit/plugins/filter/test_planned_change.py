"""Unit tests of the action plugin planned_change (plugins/action/planned_change.py), which shows what onboarding_preview computes."""

import json
from unittest import mock

import pytest
import yaml

from ansible_collections.victorops.oncall.plugins.action import planned_change as action
from ansible_collections.victorops.oncall.plugins.modules import planned_change as docs

AFTER = {"username": "pstone", "contact_methods": [{"kind": "phone", "value": "+15550109001", "label": "Zoë's mobile"}]}


def run(check_mode, diff, **args):
    task = mock.MagicMock()
    task.args = args
    task.check_mode = check_mode
    task.diff = diff
    task.async_val = 0
    plugin = action.ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=mock.MagicMock(), shared_loader_obj=None)
    return plugin.run(task_vars={})


def test_the_action_plugin_takes_exactly_the_documented_options():
    documented = yaml.safe_load(docs.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(action.ARGUMENTS)
    for name, spec in action.ARGUMENTS.items():
        assert documented[name]["type"] == spec["type"], name
        assert documented[name].get("elements") == spec.get("elements"), name
        assert documented[name].get("required", False) == spec.get("required", False), name


def test_in_check_mode_with_diff_it_shows_the_words_and_the_diff():
    result = run(True, True, msg=["would add phone +15550109001 (Zoë's mobile)"], before={}, after=AFTER)
    assert result["changed"] is True
    assert result["msg"] == ["would add phone +15550109001 (Zoë's mobile)"]
    assert result["_ansible_verbose_always"] is True
    # Rendered as the modules render their diffs: JSON text, non-ASCII readable.
    assert result["diff"] == {"before": "{}\n", "after": json.dumps(AFTER, indent=4, sort_keys=True, ensure_ascii=False) + "\n"}
    assert "Zoë" in result["diff"]["after"]


@pytest.mark.parametrize(
    ("check_mode", "args", "changed"),
    [
        (True, dict(before={}, after={}), False),
        (True, dict(before="a\n", after="b\n"), True),
        (True, dict(), False),
        # Nothing is done outside check mode: the tasks that make the change report it.
        (False, dict(before={}, after=AFTER), False),
    ],
)
def test_changed_only_in_check_mode_and_when_the_sides_differ(check_mode, args, changed):
    result = run(check_mode, False, msg=["x"], **args)
    assert result["changed"] is changed
    assert "diff" not in result
