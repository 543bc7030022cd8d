"""The onboarding playbook run the way AWX runs a job: through ansible-runner, credentials in the environment."""

import json
import os
import sys
from pathlib import Path

import jinja2
import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "demo-api-key"
PEOPLE = [
    {"username": "awxuser", "first_name": "Ada", "last_name": "Wexler", "email": "ada.wexler@example.com", "phone": "+15550107001", "teams": ["Operations"]},
    {"username": "awxmail", "first_name": "Max", "last_name": "Mail", "email": "max.mail@example.com", "paging_template": "email_only"},
]


def run_job(tmp_path, ansible_env):
    import ansible_runner

    private_data_dir = tmp_path / "job"
    (private_data_dir / "inventory").mkdir(parents=True)
    # The inventory of an AWX job template for this playbook: localhost, run with the execution environment's Python.
    (private_data_dir / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % ansible_env["ANSIBLE_PYTHON_INTERPRETER"]
    )
    # What the custom credential type of docs/awx-credential-type.yml injects, rendered as AWX renders it.
    credential_type = yaml.safe_load((ROOT / "docs" / "awx-credential-type.yml").read_text())
    inputs = {"api_id": ansible_env["VICTOROPS_API_ID"], "api_key": ansible_env["VICTOROPS_API_KEY"], "api_url": ansible_env["VICTOROPS_API_URL"]}
    envvars = {name: jinja2.Template(template).render(**inputs) for name, template in credential_type["injectors"]["env"].items()}
    assert envvars == {"VICTOROPS_API_ID": "demo-api-id", "VICTOROPS_API_KEY": API_KEY, "VICTOROPS_API_URL": ansible_env["VICTOROPS_API_URL"]}
    # The job's settings: the compressed test window, and where the collection is installed (in an EE, its image).
    envvars.update(
        (name, ansible_env[name])
        for name in (
            "VICTOROPS_RATE_WINDOW",
            "VICTOROPS_PACING_STATE_DIR",
            "ANSIBLE_COLLECTIONS_PATH",
            "ANSIBLE_PYTHON_INTERPRETER",
            "ANSIBLE_LOCALHOST_WARNING",
            "ANSIBLE_LOCAL_TEMP",
        )
    )
    # ansible-runner finds ansible-playbook on PATH, as in an execution environment.
    envvars["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    result = ansible_runner.run(
        private_data_dir=str(private_data_dir),
        playbook="victorops.oncall.onboard",
        envvars=envvars,
        extravars={"user_onboarding_people": PEOPLE},
        quiet=True,
        timeout=600,
    )
    return result, private_data_dir


def artifact_files(private_data_dir):
    return sorted(path for path in (private_data_dir / "artifacts").rglob("*") if path.is_file())


def test_onboarding_job_through_ansible_runner(emulator, ansible_env, tmp_path):
    result, private_data_dir = run_job(tmp_path, ansible_env)

    stdout = result.stdout.read()
    assert (result.status, result.rc) == ("successful", 0), stdout
    # awxuser, first and alone on the controller's host: user, phone, teams, paging policy; awxmail, in a lane of its
    # own: user, paging policy.
    assert result.stats["changed"] == {"localhost": 4, "user_onboarding_lane_1": 2}
    assert result.stats["failures"] == {}

    users = emulator.state["users"]
    assert (users["awxuser"]["firstName"], users["awxuser"]["email"]) == ("Ada", "ada.wexler@example.com")
    assert [m["value"] for m in users["awxuser"]["contact_methods"]["phones"]] == ["+15550107001"]
    assert "awxuser" in emulator.state["teams"]["team-Q2opsDemoTeam001"]["members"]
    assert [[rule["type"] for rule in step["rules"]] for step in users["awxuser"]["paging_policy"]] == [["push", "email"], ["sms"], ["phone"]]
    assert [(step["timeout"], [rule["type"] for rule in step["rules"]]) for step in users["awxmail"]["paging_policy"]] == [
        (10, ["push", "email"]),
        (10, ["email"]),
    ]

    report = [
        event["event_data"]["res"]["msg"]
        for event in result.events
        if event["event"] == "runner_on_ok" and event["event_data"]["task"] == "Show the onboarding report"
    ]
    assert report == [
        [
            "awxuser: changed: user created, phone added, joined team Operations, paging policy set",
            "awxmail: changed: user created, paging policy set",
        ]
    ]

    # The report is also the job's artifacts (AWX passes them on to the next nodes of a workflow).
    stats = [event["event_data"] for event in result.events if event["event"] == "playbook_on_stats"]
    # No phone number in the report: it travels to the next nodes of a workflow.
    assert stats[0]["artifact_data"] == {
        "user_onboarding_report": [
            {
                "username": "awxuser",
                "status": "changed",
                "changed": ["user created", "phone added", "joined team Operations", "paging policy set"],
                "not_done": [],
                "failed": None,
                "error": None,
                "notes": [],
            },
            {
                "username": "awxmail",
                "status": "changed",
                "changed": ["user created", "paging policy set"],
                "not_done": [],
                "failed": None,
                "error": None,
                "notes": [],
            },
        ],
        "user_onboarding_check_mode": False,
    }
    assert "+15550107001" not in json.dumps(stats)

    # The key is in no output and no event. ansible-runner records the job's whole environment in
    # artifacts/<ident>/command by design (AWX keeps that directory private and deletes it after the job).
    assert API_KEY not in stdout
    assert API_KEY not in json.dumps(list(result.events))
    files = artifact_files(private_data_dir)
    holding_key = [path.relative_to(private_data_dir).as_posix() for path in files if API_KEY in path.read_text(errors="replace")]
    assert holding_key == ["artifacts/%s/command" % result.config.ident]
    command = json.loads((private_data_dir / "artifacts" / result.config.ident / "command").read_text())
    assert command["env"]["VICTOROPS_API_KEY"] == API_KEY
    assert len(files) > 10
