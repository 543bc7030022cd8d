"""The lookup victorops.oncall.oncall run in process through ansible's lookup loader and templating, against the
emulator (default seed): terms by team and by policy, by name and by slug, at=, the credentials from the environment
and from options, its messages (never the key) and the exact requests."""

import datetime

import pytest
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar, trust_as_template
from ansible_collections.victorops.oncall.tests.schedule_helpers import monday, schedule_override
from ansible_collections.victorops.oncall.tests.schedule_helpers import utc_text as text

OPS = "team-Q2opsDemoTeam001"
HIGH = "pol-Hs7opsDemoPol001"
ONCALL_READ = "GET /api-public/v1/oncall/current"
SCHEDULE_READ = "GET /api-public/v2/team/{team}/oncall/schedule"
SECRET = "demo-api-key"


@pytest.fixture
def credentials(emulator, monkeypatch):
    """The connection in the environment, as an AWX credential sets it."""
    monkeypatch.setenv("VICTOROPS_API_URL", emulator.url)
    monkeypatch.setenv("VICTOROPS_API_ID", "demo-api-id")
    monkeypatch.setenv("VICTOROPS_API_KEY", SECRET)
    monkeypatch.setenv("VICTOROPS_RATE_LIMIT_PROFILE", "2018")


def template(expression):
    return Templar(loader=DataLoader(), variables={}).template(trust_as_template(expression))


def run(*terms, **options):
    return lookup_loader.get("victorops.oncall.oncall").run(list(terms), variables={}, **options)


def operations(emulator):
    return [entry["operation"] for entry in emulator.calls()]


def test_now_teams_and_policies_by_name_and_slug_cost_one_read(emulator, credentials):
    assert run("Operations", HIGH, "database primary", "team-Db4DemoTeamAb002") == [["asmith", "jdoe"], ["asmith"], ["cnguyen"], ["cnguyen"]]
    assert operations(emulator) == [ONCALL_READ]


def test_lookup_gives_one_terms_list_and_query_a_list_per_term(emulator, credentials):
    assert template("{{ lookup('victorops.oncall.oncall', 'Operations High Severity') }}") == ["asmith"]
    assert template("{{ query('victorops.oncall.oncall', 'Operations', 'Database') }}") == [["asmith", "jdoe"], ["cnguyen"]]
    assert template("{{ lookup('victorops.oncall.oncall', 'Database', wantlist=True) }}") == [["cnguyen"]]


def test_at_an_instant_inside_and_outside_a_scheduled_schedule_override(emulator, credentials):
    start, end = monday(2) + datetime.timedelta(days=1), monday(2) + datetime.timedelta(days=3)
    schedule_override(emulator, "asmith", start, end, {HIGH: "bwong"})
    inside = text(start + datetime.timedelta(hours=1))
    assert run(HIGH, "Operations", "Database", at=inside) == [["bwong"], ["bwong"], ["cnguyen"]]
    # The one on-call read finds each term's team, then one schedule read per team.
    assert operations(emulator) == [ONCALL_READ, SCHEDULE_READ, SCHEDULE_READ]
    assert sorted(c["path"].split("/")[4] for c in emulator.calls()[1:]) == sorted([OPS, "team-Db4DemoTeamAb002"])
    assert all(int(c["query"]["daysForward"]) >= 15 for c in emulator.calls()[1:])
    assert template("{{ lookup('victorops.oncall.oncall', '%s', at='%s') }}" % (HIGH, text(end))) == ["asmith"]
    # Now, the absence being weeks ahead, asmith is on call.
    assert run(HIGH) == [["asmith"]]


def test_a_gap_at_an_instant_is_an_empty_list(emulator, credentials):
    start, end = monday(1) + datetime.timedelta(days=1), monday(1) + datetime.timedelta(days=2)
    schedule_override(emulator, "jdoe", start, end, {})
    # Next week jdoe is on call for the high-severity policy, asmith for the team's other policy.
    assert run(HIGH, "Operations", at=text(start)) == [[], ["asmith"]]
    assert run(HIGH, "Operations", at=text(end)) == [["jdoe"], ["asmith", "jdoe"]]


def test_an_unknown_term_is_named_after_the_team_and_policy_lists(emulator, credentials):
    with pytest.raises(AnsibleError, match="no team or escalation policy has the name or slug 'Nowhere'"):
        run("Operations", "Nowhere")
    assert operations(emulator) == [ONCALL_READ, "GET /api-public/v1/team", "GET /api-public/v1/policies"]


@pytest.mark.parametrize(
    "terms, options, words",
    [
        ((OPS,), dict(at="soon"), "at: 'soon' is not an ISO 8601 instant"),
        ((OPS,), dict(at="2020-01-01T00:00:00Z"), "is in the past"),
        (("",), {}, "each term must be a team or an escalation policy"),
        ((OPS,), dict(api_url="http://example.com"), "Invalid connection options: "),
        ((OPS,), dict(retries=-1), "Invalid connection options: retries must be 0 or more, got -1"),
    ],
)
def test_bad_input_fails_before_any_call(emulator, credentials, terms, options, words):
    with pytest.raises(AnsibleError) as raised:
        run(*terms, **options)
    assert words in str(raised.value)
    assert SECRET not in str(raised.value)
    assert emulator.calls() == []


def test_missing_credentials_say_where_to_set_them_without_the_key(emulator, monkeypatch):
    monkeypatch.delenv("VICTOROPS_API_ID", raising=False)
    monkeypatch.delenv("VICTOROPS_API_KEY", raising=False)
    with pytest.raises(AnsibleError) as raised:
        run(OPS, api_url=emulator.url, api_key="sk-never-shown-1234")
    message = str(raised.value)
    assert message == (
        "Invalid connection options: api_id is missing: pass api_id=... to the lookup or set the VICTOROPS_API_ID environment variable "
        "(an AWX VictorOps credential sets it)"
    )
    assert "sk-never-shown-1234" not in message and "api_key" not in message
    assert emulator.calls() == []


def test_options_take_precedence_over_the_environment(emulator, credentials):
    with pytest.raises(AnsibleError) as raised:
        run(OPS, api_key="wrong-key-5678")
    assert "wrong-key-5678" not in str(raised.value)
    assert [c["status"] for c in emulator.calls()] == [403]  # the emulator's answer to an unknown key
    emulator.clear_log()
    assert run(OPS, api_id="demo-api-id", api_key=SECRET, api_url=emulator.url) == [["asmith", "jdoe"]]
