"""A hostile organisation through export -> onboard -> offboard: what the API holds is data, never a template.

Names, labels, values, team and policy names carry Jinja (``{{ }}``, ``{% %}``, ``{# #}``) that would touch a marker file or
read the API key from the environment if it were ever evaluated, YAML's special characters, newlines, 500-character and
non-ASCII strings. Each must survive the three playbooks byte for byte, evaluate nothing, leak nothing, and the round
trip must make no write.
"""

import json
import uuid

import pytest
import yaml

from ansible_collections.victorops.oncall.tests.e2e.test_export_roundtrip import EXPORT, ONBOARD, load_export, recap

pytestmark = pytest.mark.slow

OFFBOARD = "- name: offboard\n  ansible.builtin.import_playbook: victorops.oncall.offboard\n"
API_KEY = "demo-api-key"
SLUG = "team-Hostile000000001"
SLUG2 = "team-Hostile000000002"


def hostile_seed(marker):
    touch = "{{ lookup('pipe', 'touch %s') }}" % marker
    leak = "{{ lookup('env', 'VICTOROPS_API_KEY') }}"
    return {
        "api_keys": [{"api_id": "demo-api-id", "api_key": API_KEY}],
        "users": [
            {
                "username": "hostile.one",
                "firstName": touch,
                "lastName": leak,
                "email": "hostile.one@example.com",
                "contact_methods": {
                    "emails": [{"label": "{% if true %}work{% endif %}{# hidden #}", "value": "{{lookup('env','VICTOROPS_API_KEY')}}@example.com"}],
                    "phones": [{"label": "{{ 7 * 7 }}: 'single' \"double\" # no comment\nsecond line", "value": "+1 555 0100 111"}],
                },
                "paging_policy": [
                    {
                        "timeout": 5,
                        "rules": [
                            {"type": "push"},
                            {"type": "sms", "contact": "+1 555 0100 111"},
                            {"type": "email", "contact": "{{lookup('env','VICTOROPS_API_KEY')}}@example.com"},
                        ],
                    }
                ],
            },
            {
                "username": "hostile.two",
                "firstName": "Zoë Ødegård 山田 " + "Ø" * 500,
                "lastName": "- [a, b]\n? {c: d} &x *y !z %w @v `u` | > ---",
                "email": "hostile.two@example.com",
                "contact_methods": {"phones": [{"label": "é" * 500, "value": "+44 20 7946 0000"}]},
                "paging_policy": [{"timeout": 10, "rules": [{"type": "phone", "contact": "+44 20 7946 0000"}]}],
            },
            {
                "username": "keeper",
                "firstName": "Kim",
                "lastName": "Keeper",
                "email": "keeper@example.com",
                "paging_policy": [{"timeout": 5, "rules": [{"type": "push"}]}],
            },
        ],
        "teams": [
            {
                "name": touch + " team\n{% for x in [1] %}{% endfor %}",
                "slug": SLUG,
                "members": ["hostile.one", "keeper"],
                "policies": [{"name": "{{ '%s' }} policy" % API_KEY[:4] + leak, "slug": SLUG}],
            },
            # A name any option takes, Jinja and all: exported, then given to the team task of the onboarding role.
            {"name": touch + " {{ 7 * 7 }} team two", "slug": SLUG2, "members": ["hostile.two"], "policies": []},
        ],
        "oncall": [{"policy": SLUG, "users": ["hostile.one"]}],
    }


def assert_nothing_evaluated(emulator, marker):
    assert not marker.exists(), "a template from the API was evaluated"
    bodies = json.dumps([entry.get("body") for entry in emulator.log])
    assert API_KEY not in bodies, "the API key reached the API in a request body"


@pytest.mark.long
def test_a_hostile_organisation_survives_export_onboard_and_offboard_byte_for_byte(emulator, run_playbook, tmp_path):
    marker = tmp_path / ("evaluated-%s" % uuid.uuid4().hex)
    seed = hostile_seed(marker)
    emulator.reset(seed=seed)
    path = tmp_path / "hostile.yml"

    # Export: every string as the API holds it, tagged !unsafe.
    run = run_playbook(play=EXPORT, extra_args=("-e", "export_file=%s" % path))
    assert run.rc == 0, run
    people = load_export(path)["user_onboarding_people"]
    one, two, _keeper = people
    assert (one["first_name"], one["last_name"]) == (seed["users"][0]["firstName"], seed["users"][0]["lastName"])
    assert one["phone_label"] == seed["users"][0]["contact_methods"]["phones"][0]["label"]
    assert one["contact_methods"] == [{"type": "email", **seed["users"][0]["contact_methods"]["emails"][0]}]
    assert (two["first_name"], two["last_name"], two["phone_label"]) == (
        seed["users"][1]["firstName"],
        seed["users"][1]["lastName"],
        seed["users"][1]["contact_methods"]["phones"][0]["label"],
    )
    # The first team's name holds a line break, which no option takes: its entry could not be applied, so it is left
    # out. The second's Jinja is exported as it is, to reach the role's team task as data.
    assert load_export(path)["user_onboarding_teams"] == [{"name": seed["teams"][1]["name"], "members": ["hostile.two"], "purge_members": False}]
    text = path.read_text()
    assert "first_name: !unsafe '{{ lookup(''pipe''" in text
    assert_nothing_evaluated(emulator, marker)

    # Onboard from the file: nothing evaluated, nothing written.
    state = json.dumps(emulator.state, sort_keys=True)
    emulator.clear_log()
    onboarded = run_playbook(play=ONBOARD, extra_args=("-e", "@%s" % path))
    assert onboarded.rc == 0, onboarded
    assert recap(onboarded)["changed"] == 0, onboarded
    assert emulator.writes() == []
    assert json.dumps(emulator.state, sort_keys=True) == state
    assert_nothing_evaluated(emulator, marker)

    # Offboard the first: the team and policy names reach the report as they are.
    report_file = tmp_path / "offboarding.json"
    leavers = tmp_path / "leavers.yml"
    leavers.write_text(
        yaml.safe_dump({"user_offboarding_people": [{"username": "hostile.one", "replacement": "keeper"}], "user_offboarding_report_file": str(report_file)})
    )
    offboarded = run_playbook(play=OFFBOARD, extra_args=("-e", "@%s" % leavers))
    assert offboarded.rc == 0, offboarded
    team, policy = seed["teams"][0]["name"], seed["teams"][0]["policies"][0]["name"]
    [entry] = json.loads(report_file.read_text())["people"]
    assert entry["changed"] == ["handed the on-call shift of %s to keeper" % policy, "left team %s" % team, "user removed"]
    assert sorted(emulator.state["users"]) == ["hostile.two", "keeper"]
    assert emulator.state["oncall"][SLUG] == ["keeper"]
    assert_nothing_evaluated(emulator, marker)


def test_a_person_s_input_marked_unsafe_is_never_templated_by_the_role(emulator, run_playbook, tmp_path):
    # The person's input is data: the role passes it on to the API as it is, through its set_fact and vars.
    marker = tmp_path / ("evaluated-%s" % uuid.uuid4().hex)
    person = {"username": "newbie", "first_name": "{{ '{{' }} raw", "last_name": "Doe", "email": "newbie@example.com", "paging_template": "email_only"}
    path = tmp_path / "people.yml"
    from ansible_collections.victorops.oncall.plugins.plugin_utils._files import yaml_text

    path.write_text(yaml_text({"user_onboarding_people": [person]}))
    run = run_playbook(play=ONBOARD, extra_args=("-e", "@%s" % path))
    assert run.rc == 0, run
    assert emulator.state["users"]["newbie"]["firstName"] == "{{ '{{' }} raw"
    assert_nothing_evaluated(emulator, marker)
