"""Bad input through a real ansible-playbook: a few cases of each kind fail clearly, naming the option, without a
traceback or a write, and the play goes on past them (``ignore_errors``).

Every case is tested in process, value by value: tests/unit/plugins/modules/test_bad_input.py.
"""

import copy

import pytest
import yaml
from ansible_collections.victorops.oncall.tests.unit.plugins.modules.bad_input_cases import CASES, PATH_CASES, problems_of

pytestmark = pytest.mark.slow

# One of each kind: Ansible's own type and choice checks, the modules' declared checks, a check after a read, a
# write the API refuses, values that would change a path (one per kind of value), Unicode and very long values.
REPRESENTATIVE = [
    "step not a number",
    "rules not a list of rules",
    "rule type unknown",
    "rule index beyond the end",
    "member unknown user",
    "sms to an email address",
    "blank username",
    "Unicode username",
    "10 kB email",
    "contact_id true",
    "victorops_user username dot-dot",
    "victorops_paging_policy username newline",
    "victorops_contact_method username zero-width space",
    "victorops_policy_info team_policies encoded dot-dot",
]


def playbook(cases):
    tasks = [{"name": case.name, case.module: case.args, "ignore_errors": True} for case in cases]
    return yaml.safe_dump(
        [{"name": "bad input", "hosts": "localhost", "gather_facts": False, "tasks": tasks}], allow_unicode=True, sort_keys=False, width=100000
    )


def test_bad_values_fail_clearly_through_ansible_playbook(emulator, run_playbook):
    untouched = copy.deepcopy(emulator.state)
    cases = [case for case in CASES + PATH_CASES if case.name in REPRESENTATIVE]
    assert sorted(case.name for case in cases) == sorted(REPRESENTATIVE)
    run = run_playbook(play=playbook(cases))
    assert run.rc == 0, run
    assert "Traceback" not in run.stdout + run.stderr
    problems = [problem for case in cases for problem in problems_of(case, run.status(case.name), run.result(case.name))]
    problems += ["%s: a request was sent" % case.name for case in cases if case in PATH_CASES and run.result(case.name).get("api", {}).get("calls")]
    assert problems == [], "\n".join(problems)
    # Each failure is shown, and the play went on to the last task.
    assert run.stdout.count("...ignoring") == len(cases)
    # The only write: the unknown member's, refused by the API, so nothing changed; no path-changing value was sent.
    assert [(e["method"], e["status"]) for e in emulator.writes()] == [("POST", 404)]
    assert {e["path"] for e in emulator.log} == {
        "/api-public/v1/profile/jdoe/policies",
        "/api-public/v1/user/jdoe/contact-methods",
        "/api-public/v1/team/team-Q2opsDemoTeam001/members",
    }
    assert emulator.state == untouched
