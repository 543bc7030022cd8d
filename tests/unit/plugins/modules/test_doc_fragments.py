"""The documentation fragment of the paging options: one text for a rule's options at every depth, true to the argument spec."""

import yaml

from ansible_collections.victorops.oncall.plugins.doc_fragments._paging import ModuleDocFragment as Paging
from ansible_collections.victorops.oncall.plugins.module_utils import _module
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import CONTACT_KINDS, RULE_TYPES, TIMEOUTS


def options(name):
    return yaml.safe_load(getattr(Paging, name))["options"]


def test_a_rule_is_documented_the_same_at_every_depth():
    top = options("RULE")
    assert options("RULES")["rules"]["suboptions"] == top
    assert options("STEPS")["steps"]["suboptions"]["rules"]["suboptions"] == top


def test_the_timeout_is_documented_the_same_for_a_step_and_a_policy():
    step_timeout = options("RULES")["timeout"]
    policy_timeout = dict(options("STEPS")["steps"]["suboptions"]["timeout"])
    assert policy_timeout.pop("required") is True
    assert policy_timeout == step_timeout


def test_the_documentation_matches_the_argument_spec_pieces():
    rule = options("RULE")
    assert {name: (doc["type"], doc.get("choices")) for name, doc in rule.items()} == {
        name: (spec["type"], spec.get("choices")) for name, spec in _module.RULE_OPTIONS.items()
    }
    assert rule["type"]["choices"] == list(RULE_TYPES)
    assert options("RULES")["timeout"]["choices"] == list(TIMEOUTS) == _module.TIMEOUT_OPTION["choices"]
    contact_methods = options("CONTACT_METHODS")["contact_methods"]["suboptions"]
    assert {name: doc["type"] for name, doc in contact_methods.items()} == {
        name: spec["type"] for name, spec in _module.CONTACT_METHODS_OPTION["options"].items()
    }
    assert contact_methods["kind"]["choices"] == list(CONTACT_KINDS)
