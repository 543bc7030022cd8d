"""The API key never leaks: not in output at -vvvv with --diff, not in results, warnings or errors, not on disk.

Every module and the onboarding role run against the emulator with a distinctive key, through
successes, authentication failures (with a second, wrong, key), refused requests and retry budgets
running out with warnings. Neither key may appear anywhere the run leaves text behind.
"""

import json
import re
import urllib.request
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET_ID = "leak-test-id"
SECRET_KEY = "s3cr3t-K3y-0d1f2e3a4b5c6d7e8f9a"
WRONG_KEY = "wr0ng-K3y-9f8e7d6c5b4a3f2e1d0c"
DEMO_KEYS = ("demo-api-key", "demo-readonly-key")


def secret_seed():
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    seed["api_keys"].append({"api_id": SECRET_ID, "api_key": SECRET_KEY, "read_only": False})
    return seed


# Every module: a change, a refused or invalid request, and a wrong key given as an option.
MODULE_TASKS = """
- name: user created
  victorops.oncall.victorops_user: {username: leak-user, first_name: Lea, last_name: King, email: lea.king@example.com}
- name: user refused (email taken)
  victorops.oncall.victorops_user: {username: leak-user2, first_name: Lea, last_name: King, email: john.doe@example.com}
- name: user wrong key
  victorops.oncall.victorops_user: {username: leak-user, first_name: Lea, last_name: King, email: lea.king@example.com, api_key: "{{ wrong_key }}"}
- name: contact added
  victorops.oncall.victorops_contact_method: {username: leak-user, kind: phone, value: "+15550104242", label: Mobile, rank: 1}
- name: contact refused (not a phone number)
  victorops.oncall.victorops_contact_method: {username: leak-user, kind: phone, value: "call me", rank: 1}
- name: contact wrong key
  victorops.oncall.victorops_contact_method: {username: leak-user, kind: phone, value: "+15550104242", rank: 1, api_key: "{{ wrong_key }}"}
- name: member added
  victorops.oncall.victorops_team_member: {team: Operations, username: leak-user}
- name: member refused (unknown team)
  victorops.oncall.victorops_team_member: {team: No Such Team, username: leak-user}
- name: member wrong key
  victorops.oncall.victorops_team_member: {team: Operations, username: leak-user, api_key: "{{ wrong_key }}"}
- name: step set
  victorops.oncall.victorops_paging_step:
    username: leak-user
    step: 1
    timeout: 10
    rules: [{type: sms, contact: "+15550104242"}]
- name: step refused (unknown contact)
  victorops.oncall.victorops_paging_step: {username: leak-user, step: 1, timeout: 10, rules: [{type: email, contact: nobody@example.com}]}
- name: step wrong key
  victorops.oncall.victorops_paging_step: {username: leak-user, step: 1, timeout: 10, rules: [{type: push}], api_key: "{{ wrong_key }}"}
- name: rule added
  victorops.oncall.victorops_paging_rule: {username: leak-user, step: 1, type: phone, contact: "+15550104242"}
- name: rule refused (step beyond the end)
  victorops.oncall.victorops_paging_rule: {username: leak-user, step: 7, type: push}
- name: rule wrong key
  victorops.oncall.victorops_paging_rule: {username: leak-user, step: 1, type: push, api_key: "{{ wrong_key }}"}
- name: policy set
  victorops.oncall.victorops_paging_policy:
    username: bwong
    steps: [{timeout: 5, rules: [{type: push}]}, {timeout: 15, rules: [{type: email, contact: Default}]}]
- name: policy refused (unknown user)
  victorops.oncall.victorops_paging_policy: {username: nobody, steps: [{timeout: 5, rules: [{type: push}]}]}
- name: policy wrong key
  victorops.oncall.victorops_paging_policy: {username: bwong, steps: [{timeout: 5, rules: [{type: push}]}], api_key: "{{ wrong_key }}"}
- name: on-call taken
  victorops.oncall.victorops_oncall_override: {policy: pol-Hs7opsDemoPol001, from_user: asmith, to_user: leak-user}
- name: on-call refused (not on call)
  victorops.oncall.victorops_oncall_override: {policy: pol-Db9DemoPrimary02, from_user: jdoe, to_user: bwong}
- name: on-call wrong key
  victorops.oncall.victorops_oncall_override: {policy: pol-Db9DemoPrimary02, from_user: cnguyen, to_user: bwong, api_key: "{{ wrong_key }}"}
- name: info read with the key as an option
  victorops.oncall.victorops_policy_info: {escalation_policies: true, paging_policy: leak-user, types: [timeouts], api_key: "{{ secret_key }}"}
- name: info refused (unknown user)
  victorops.oncall.victorops_policy_info: {user_paging_policies: nobody}
- name: info wrong key
  victorops.oncall.victorops_policy_info: {types: [contacts], api_key: "{{ wrong_key }}"}
- name: info retries exhausted
  victorops.oncall.victorops_policy_info: {types: [notifications], retries: 2}
- name: write re-sent after a 502, with a warning
  victorops.oncall.victorops_team_member: {team: team-Db4DemoTeamAb002, username: bwong}
"""

ROLE_PEOPLE = [
    {
        "username": "leak-role",
        "first_name": "Rol",
        "last_name": "Leak",
        "email": "rol.leak@example.com",
        "phone": "+15550104343",
        "teams": ["Operations"],
        "paging_template": "standard",
    },
    {
        "username": "leak-role2",
        "first_name": "Rol",
        "last_name": "Two",
        "email": "rol.two@example.com",
        "teams": ["No Such Team"],
        "paging_template": "email_only",
    },
]


def every_text(tmp_path, emulator, runs):
    """Everything the runs left behind: output, captured results, the emulator's logs, files under tmp_path."""
    texts = {}
    for number, run in enumerate(runs):
        texts["run %d stdout" % number] = run.stdout
        texts["run %d stderr" % number] = run.stderr
        texts["run %d results" % number] = json.dumps(run.records)
    texts["emulator.log"] = json.dumps(emulator.log)
    with urllib.request.urlopen(emulator.url + "/_emulator/log", timeout=10) as answer:
        texts["/_emulator/log"] = answer.read().decode()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
    return texts


@pytest.mark.long
def test_no_key_leaks_from_any_module_or_the_role_at_full_verbosity(tmp_path, emulator, run_playbook):
    emulator.reset(seed=secret_seed())
    env = {"VICTOROPS_API_ID": SECRET_ID, "VICTOROPS_API_KEY": SECRET_KEY}
    emulator.inject("GET", "/api-public/v1/policies/types/notifications", "429", count=3)
    # Adding a member is resend-safe (a team and a username): re-sent after the 502, with a warning.
    emulator.inject("POST", "/api-public/v1/team/team-Db4DemoTeamAb002/members", "502")
    tasks = "".join(line + ("\n  ignore_errors: true" if line.startswith("- name:") else "") + "\n" for line in MODULE_TASKS.strip().splitlines())
    # Keys given as options come from variables, as from a vault: Ansible echoes a failed task's source lines.
    keys = tmp_path / "keys.yml"
    keys.write_text(yaml.safe_dump({"wrong_key": WRONG_KEY, "secret_key": SECRET_KEY}))
    modules = run_playbook(tasks, diff=True, extra_args=("-vvvv", "-e", "@" + str(keys)), env=env)
    assert modules.rc == 0, modules

    # Each kind of outcome happened, so the check below covers the paths that build messages.
    ok = [r["task"] for r in modules.records if r["status"] == "ok"]
    failed = {r["task"]: r["result"]["msg"] for r in modules.records if r["status"] == "failed"}
    assert {
        "user created",
        "contact added",
        "member added",
        "step set",
        "rule added",
        "on-call taken",
        "info read with the key as an option",
        "write re-sent after a 502, with a warning",
    } <= set(ok), modules
    for name in ("user", "contact", "member", "step", "rule", "on-call", "info"):
        assert "authentication failed (HTTP 403)" in failed["%s wrong key" % name], failed
    assert "gave up (3 attempts" in failed["info retries exhausted"]
    warned = modules.result("info retries exhausted").get("warnings", []) + modules.result("write re-sent after a 502, with a warning")["warnings"]
    assert len(warned) >= 3, warned
    assert any("diff" in r["result"] for r in modules.records)

    # The role, with the credentials as role variables; one person fails, so the play fails.
    people = tmp_path / "people.yml"
    people.write_text(yaml.safe_dump({"user_onboarding_people": ROLE_PEOPLE, "victorops_api_id": SECRET_ID, "victorops_api_key": SECRET_KEY}))
    role = run_playbook(
        play="- name: onboard\n  ansible.builtin.import_playbook: victorops.oncall.onboard\n",
        diff=True,
        extra_args=("-vvvv", "-e", "@" + str(people)),
        env={"VICTOROPS_API_KEY": WRONG_KEY},
    )
    assert role.rc == 2, role
    assert "leak-role2" in role.stdout and "leak-role" in emulator.state["users"]

    texts = every_text(tmp_path, emulator, [modules, role])
    # The variables files the keys were given in.
    del texts[str(people)]
    del texts[str(keys)]
    for key in (SECRET_KEY, WRONG_KEY):
        leaks = ["%s: %s" % (name, line[:400]) for name, text in sorted(texts.items()) for line in text.splitlines() if key in line]
        assert leaks == [], "%s found:\n%s" % (key, "\n".join(leaks))
    # The partial keys do not leak either (no truncated or split echo of the header).
    assert not [name for name, text in texts.items() if SECRET_KEY[:16] in text or SECRET_KEY[-16:] in text]


def _files(*parts):
    for part in parts:
        path = ROOT / part
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)


def test_no_demo_key_or_default_credential_in_the_shipped_content():
    shipped = list(_files("plugins", "roles", "playbooks", "examples"))
    assert shipped
    for path in shipped:
        text = path.read_text(encoding="utf-8", errors="replace")
        for key in DEMO_KEYS:
            assert key not in text, "%s holds the demo key %s" % (path, key)
    # Documentation names the demo key only where it documents the emulator's demo organisation.
    for path in _files("docs", "README.md"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(key in text for key in DEMO_KEYS):
            assert "emulator" in text.lower(), path

    from ansible_collections.victorops.oncall.plugins.module_utils._module import CONNECTION_ARGSPEC

    for option in ("api_id", "api_key"):
        # No default credential; not "required" to Ansible, because the environment may supply them (the base
        # refuses a missing one before any request, naming both sources).
        assert "default" not in CONNECTION_ARGSPEC[option]
        assert "required" not in CONNECTION_ARGSPEC[option]
        assert CONNECTION_ARGSPEC[option]["fallback"][1] == ["VICTOROPS_" + option.upper()]
    assert CONNECTION_ARGSPEC["api_key"]["no_log"] is True

    fragment = yaml.safe_load(
        re.search(r"DOCUMENTATION = r(\'\'\'|\"\"\")(.*?)\1", (ROOT / "plugins/doc_fragments/_connection.py").read_text(), re.DOTALL).group(2)
    )
    for option in ("api_id", "api_key"):
        assert "default" not in fragment["options"][option]

    # Module examples give credentials only as variables (a vault), never as literal values.
    for path in sorted((ROOT / "plugins/modules").glob("*.py")):
        examples = re.search(r"EXAMPLES = r(\'\'\'|\"\"\")(.*?)\1", path.read_text(), re.DOTALL).group(2)
        for value in re.findall(r"api_(?:id|key):\s*(.+)", examples):
            assert value.strip().strip("\"'").startswith("{{"), (path.name, value)

    role = ROOT / "roles/user_onboarding"
    defaults = yaml.safe_load((role / "defaults/main.yml").read_text()) or {}
    assert not [name for name in defaults if re.search(r"api_(id|key)", name)]
    specs = yaml.safe_load((role / "meta/argument_specs.yml").read_text())
    for name, spec in specs["argument_specs"]["main"]["options"].items():
        if re.search(r"api_(id|key)", name):
            assert "default" not in spec, name
