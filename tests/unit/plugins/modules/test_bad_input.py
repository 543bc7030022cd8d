"""Bad input, every value, run in process against the emulator: each fails clearly, naming the option, without a
traceback or a write (tests/e2e/test_bad_input.py shows a few of them through ansible-playbook)."""

import copy

import pytest

from ansible_collections.victorops.oncall.tests.unit.plugins.modules.bad_input_cases import CASES, PATH_CASES, PATH_OPTIONS, POLICY_NAME_CASES, problems_of


def run_case(run_module, case):
    result = run_module(case.module, **case.args)
    return problems_of(case, "failed" if result.get("failed") else "ok", result), result


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_a_bad_value_fails_clearly_without_any_write(case, run_module, emulator):
    untouched = copy.deepcopy(emulator.state)
    problems, _result = run_case(run_module, case)
    assert problems == [], "\n".join(problems)
    # The only write: a refused_write case's one write, refused by the API, so nothing changed.
    assert [(e["method"], e["status"]) for e in emulator.writes()] == ([case.refused_write] if case.refused_write else [])
    assert emulator.state == untouched


def test_three_cases_need_the_api_to_refuse_their_one_write():
    assert [case.refused_write for case in CASES if case.refused_write] == [("POST", 404), ("PATCH", 404), ("DELETE", 422)]


@pytest.mark.parametrize(
    "module, option",
    [(module, option) for module, option, _args in PATH_OPTIONS],
    ids=["%s %s" % (module.rsplit(".", 1)[1], option) for module, option, _args in PATH_OPTIONS],
)
def test_values_that_would_change_the_path_send_no_request_at_all(module, option, run_module, emulator):
    cases = [case for case in PATH_CASES if case.module == module and case.words == (option,)]
    assert len(cases) == 8
    problems = []
    for case in cases:
        case_problems, result = run_case(run_module, case)
        problems += case_problems
        calls = result.get("api", {}).get("calls", 0)
        if calls:
            problems.append("%s: %d request(s) sent: %r" % (case.name, calls, result["api"]))
    assert problems == [], "\n".join(problems)
    assert emulator.log == []


# The policy list may be read once a window (the 2018 table, pinned): a short window keeps the five lookups quick.
@pytest.mark.emulator(window=0.25)
def test_a_policy_that_is_not_a_slug_is_a_name_looked_up_never_put_in_a_path(run_module, emulator, monkeypatch):
    monkeypatch.setenv("VICTOROPS_RATE_LIMIT_PROFILE", "2018")
    problems = []
    for case in POLICY_NAME_CASES:
        case_problems, result = run_case(run_module, case)
        problems += case_problems
        # A name is looked for in the on-call read first; only a name it does not hold costs the list.
        expected = {"get_oncall_current": 1, "list_escalation_policies": 1} if case.name.startswith("policy name ") else {}
        if result["api"]["operations"] != expected:
            problems.append("%s: %r" % (case.name, result["api"]))
    assert problems == [], "\n".join(problems)
    assert {e["path"] for e in emulator.log} == {"/api-public/v1/oncall/current", "/api-public/v1/policies"}
    assert len(emulator.log) == 2 * len([case for case in POLICY_NAME_CASES if case.name.startswith("policy name ")]) == 10
