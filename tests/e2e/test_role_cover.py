"""End-to-end tests of the role victorops.oncall.oncall_cover, run through the playbooks cover and oncall_calendar."""

import collections
import datetime
import json
import os
import re
import stat
import zoneinfo

import pytest
import yaml
from ansible_collections.victorops.oncall.tests.schedule_helpers import schedule_override
from ansible_collections.victorops.oncall.tests.schedule_helpers import utc_text as text

pytestmark = pytest.mark.slow

ROLE = "victorops.oncall.oncall_cover : "
PLAY = "- name: cover\n  ansible.builtin.import_playbook: victorops.oncall.cover\n"
# The role's main entry point in a play of one's own: every absence on this host, one after another.
ROLE_PLAY = "- name: cover\n  hosts: localhost\n  gather_facts: false\n  roles:\n    - role: victorops.oncall.oncall_cover\n"
CALENDAR_PLAY = "- name: calendar\n  ansible.builtin.import_playbook: victorops.oncall.oncall_calendar\n"
REPORT_TASK = ROLE + "Show the cover report"
OPERATIONS = "team-Q2opsDemoTeam001"  # the Operations team, and the slug of its policy "Operations"
HIGH = "pol-Hs7opsDemoPol001"  # "Operations High Severity"
DATABASE = "pol-Db9DemoPrimary02"  # "Database Primary", cnguyen on call every week
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = datetime.UTC


def week(n, day=0, hour=9):
    """Monday 00:00 UTC of this week plus ``n`` weeks, ``day`` days and ``hour`` hours: the seed's rotations hand over each
    Monday at 00:00 UTC (Operations: jdoe, asmith, bwong from this week; High Severity: asmith, jdoe), so jdoe is on call
    for both policies in week 3 and asmith for High Severity in week 2."""
    now = datetime.datetime.now(UTC)
    monday = datetime.datetime(now.year, now.month, now.day, tzinfo=UTC) - datetime.timedelta(days=now.weekday())
    return monday + datetime.timedelta(weeks=n, days=day, hours=hour)


def paris(moment):
    """Wall-clock time in Paris, without an offset: the role reads it in the absence's timezone."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


# jdoe is away Monday to Wednesday of week 3, covered by bwong everywhere; asmith from Tuesday to Thursday of week 2,
# given in Paris time, covered by jdoe in High Severity and leaving Operations unassigned.
JDOE = dict(username="jdoe", start=text(week(3)), end=text(week(3, 2)), replacement="bwong")
ASMITH = dict(
    username="asmith",
    start=paris(week(2, 1)),
    end=paris(week(2, 3)),
    timezone="Europe/Paris",
    assignments=[{"policy": "Operations High Severity", "replacement": "jdoe"}, {"policy": OPERATIONS, "replacement": None}],
)


def cover(run_playbook, tmp_path, absences, check=False, diff=False, extra=None, name="absences.yml", play=PLAY):
    report_file = tmp_path / ("report-" + name.replace(".yml", ".json"))
    if report_file.exists():
        report_file.unlink()
    variables = {"oncall_cover_absences": absences, "oncall_cover_report_file": str(report_file)}
    variables.update(extra or {})
    (tmp_path / name).write_text(yaml.safe_dump(variables, sort_keys=False))
    run = run_playbook(play=play, check=check, diff=diff, extra_args=("-e", "@" + name))
    report = json.loads(report_file.read_text()) if report_file.exists() else None
    return run, report


def operation_counts(emulator):
    return dict(collections.Counter(entry["operation"] for entry in emulator.log))


def call(entry):
    """``METHOD path`` of a logged request, an override's id as ``ID``: what the role asked for, in a stable form."""
    return "%s %s" % (entry["method"], re.sub(r"/overrides/[^/]+", "/overrides/ID", entry["path"]))


def calls(emulator):
    return dict(collections.Counter(call(entry) for entry in emulator.log))


def recap(run):
    match = re.search(r"^localhost\s*:\s*(.*)$", run.stdout, re.MULTILINE)
    assert match, run
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def overrides(emulator):
    """The emulator's overrides as ``{username: (start, end, {policy: replacement})}``, instants as UTC text."""
    found = {}
    for override in emulator.state["overrides"].values():
        period = [text(datetime.datetime.fromtimestamp(override[key], UTC)) for key in ("start", "end")]
        found.setdefault(override["username"], []).append((*period, dict(override["assignments"])))
    return {username: sorted(items) for username, items in found.items()}


@pytest.mark.long
def test_covers_two_absences_then_a_second_run_writes_nothing(emulator, run_playbook, tmp_path):
    run, report = cover(run_playbook, tmp_path, [JDOE, ASMITH])

    assert run.rc == 0, run
    asmith_period = (text(week(2, 1)), text(week(2, 3)))
    assert overrides(emulator) == {
        "jdoe": [(JDOE["start"], JDOE["end"], {OPERATIONS: "bwong", HIGH: "bwong"})],
        "asmith": [(*asmith_period, {OPERATIONS: None, HIGH: "jdoe"})],
    }
    assert run.result(REPORT_TASK)["msg"] == [
        "jdoe from %s to %s: changed: covered by bwong" % (JDOE["start"], JDOE["end"]),
        "asmith from %s to %s: changed: covered (Operations High Severity by jdoe)" % asmith_period,
    ]
    assert [entry["status"] for entry in report["absences"]] == ["changed", "changed"]
    assert report["check_mode"] is False
    assert stat.S_IMODE(os.stat(tmp_path / "report-absences.json").st_mode) == 0o600
    # Writes: per absence one create and its assignments (two for jdoe; one for asmith, whose Operations stays unassigned).
    assert [call(e) for e in emulator.writes()] == [
        "POST /api-public/v1/overrides",
        "PUT /api-public/v1/overrides/ID/assignments/%s" % HIGH,
        "PUT /api-public/v1/overrides/ID/assignments/%s" % OPERATIONS,
        "POST /api-public/v1/overrides",
        "PUT /api-public/v1/overrides/ID/assignments/%s" % HIGH,
    ]
    # Reads: the role's three (users, overrides, the policies' names: asmith's input names one); then each module's own
    # read of the overrides and of its replacements before it writes. Then the calendar's one schedule read.
    assert calls(emulator) == {
        "GET /api-public/v1/user": 1,
        "GET /api-public/v1/overrides": 3,
        "GET /api-public/v1/user/bwong": 1,
        "GET /api-public/v1/user/jdoe": 1,
        "GET /api-public/v1/policies": 1,  # the role's, for asmith's policy named by name: the module gets its slug
        "POST /api-public/v1/overrides": 2,
        "PUT /api-public/v1/overrides/ID/assignments/%s" % HIGH: 2,
        "PUT /api-public/v1/overrides/ID/assignments/%s" % OPERATIONS: 1,
        "GET /api-public/v2/team/%s/oncall/schedule" % OPERATIONS: 1,
    }

    state_after = json.dumps(emulator.state, sort_keys=True)
    emulator.clear_log()
    run, report = cover(run_playbook, tmp_path, [JDOE, ASMITH])

    assert run.rc == 0, run
    assert recap(run)["changed"] == 0
    assert emulator.writes() == []
    # The role's reads (users, overrides, policy names) and the calendar's; no module runs for an absence as wanted.
    assert calls(emulator) == {
        "GET /api-public/v1/user": 1,
        "GET /api-public/v1/overrides": 1,
        "GET /api-public/v1/policies": 1,
        "GET /api-public/v2/team/%s/oncall/schedule" % OPERATIONS: 1,
    }
    assert json.dumps(emulator.state, sort_keys=True) == state_after
    assert run.result(REPORT_TASK)["msg"] == [
        "jdoe from %s to %s: no change" % (JDOE["start"], JDOE["end"]),
        "asmith from %s to %s: no change" % asmith_period,
    ]


def test_the_replacement_is_on_call_inside_the_absence_and_the_regular_person_outside(emulator, run_playbook, tmp_path):
    run, _report = cover(run_playbook, tmp_path, [JDOE])
    assert run.rc == 0, run
    inside, outside = text(week(3, 1)), text(week(3, 3))
    tasks = f"""
        - name: Schedule
          victorops.oncall.victorops_oncall_info:
            team: {OPERATIONS}
            days_forward: 30
          register: schedule
        - name: Inside
          victorops.oncall.victorops_oncall_info:
            team: {OPERATIONS}
            at: "{inside}"
          register: inside
        - name: Outside
          victorops.oncall.victorops_oncall_info:
            team: {OPERATIONS}
            at: "{outside}"
          register: outside
        - name: Lookup
          ansible.builtin.debug:
            msg:
              inside: "{{{{ lookup('victorops.oncall.oncall', '{OPERATIONS}', at='{inside}', wantlist=True) }}}}"
              outside: "{{{{ lookup('victorops.oncall.oncall', '{OPERATIONS}', at='{outside}', wantlist=True) }}}}"
              high_inside: "{{{{ lookup('victorops.oncall.oncall', 'Operations High Severity', at='{inside}', wantlist=True) }}}}"
    """
    run = run_playbook(tasks)
    assert run.rc == 0, run
    assert run.result("Inside")["on_call_now"] == {OPERATIONS: ["bwong"], HIGH: ["bwong"]}
    assert run.result("Outside")["on_call_now"] == {OPERATIONS: ["jdoe"], HIGH: ["jdoe"]}
    looked_up = run.result("Lookup")["msg"]
    # One list per term.
    assert looked_up == {"inside": [["bwong"]], "outside": [["jdoe"]], "high_inside": [["bwong"]]}
    shifts = {p["policy"]: p["shifts"] for p in run.result("Schedule")["schedule"]}
    assert {"policy": OPERATIONS, "username": "bwong", "start": JDOE["start"], "end": JDOE["end"], "override": True}.items() <= next(
        s for s in shifts[OPERATIONS] if s["username"] == "bwong" and s["override"]
    ).items()


@pytest.mark.long
def test_a_changed_end_replaces_the_override_and_exclusive_removes_what_left_the_input(emulator, run_playbook, tmp_path):
    later = dict(username="jdoe", start=text(week(3, 4)), end=text(week(3, 5)), replacement="asmith")
    run, _report = cover(run_playbook, tmp_path, [JDOE, later])
    assert run.rc == 0, run
    assert len(overrides(emulator)["jdoe"]) == 2

    # The end moves to Thursday: the new period is created, then (absences managed exclusively) the old one removed;
    # "later" is still in the input, so it stays.
    longer = dict(JDOE, end=text(week(3, 3)))
    emulator.clear_log()
    run, report = cover(run_playbook, tmp_path, [longer, later], extra={"oncall_cover_exclusive": True})
    assert run.rc == 0, run
    assert overrides(emulator)["jdoe"] == [
        (longer["start"], longer["end"], {OPERATIONS: "bwong", HIGH: "bwong"}),
        (later["start"], later["end"], {OPERATIONS: "asmith", HIGH: "asmith"}),
    ]
    assert report["absences"][0]["changed"] == [
        "covered by bwong",
        "removed the override it replaces (jdoe from %s to %s)" % (JDOE["start"], JDOE["end"]),
    ]
    assert [e["method"] for e in emulator.writes()] == ["POST", "PUT", "PUT", "DELETE"]

    # Exclusive: the listed person's future override that left the input is removed; nobody else's is touched.
    run, _report = cover(run_playbook, tmp_path, [ASMITH])
    assert run.rc == 0, run
    emulator.clear_log()
    run, report = cover(run_playbook, tmp_path, [longer], extra={"oncall_cover_exclusive": True})
    assert run.rc == 0, run
    assert [call(e) for e in emulator.writes()] == ["DELETE /api-public/v1/overrides/ID"]
    assert [o[:2] for o in overrides(emulator)["jdoe"]] == [(longer["start"], longer["end"])]
    assert len(overrides(emulator)["asmith"]) == 1
    assert run.result(REPORT_TASK)["msg"][1] == "jdoe from %s to %s: changed: removed the override, which is no longer in the input" % (
        later["start"],
        later["end"],
    )


def test_check_mode_writes_nothing_and_says_would(emulator, run_playbook, tmp_path):
    state_before = json.dumps(emulator.state, sort_keys=True)

    run, report = cover(run_playbook, tmp_path, [JDOE, ASMITH], check=True, diff=True)

    assert run.rc == 0, run
    assert emulator.writes() == []
    assert json.dumps(emulator.state, sort_keys=True) == state_before
    assert report["check_mode"] is True
    assert [entry["changed"] for entry in report["absences"]] == [["cover by bwong"], ["cover (Operations High Severity by jdoe)"]]
    assert run.result(REPORT_TASK)["msg"][0] == "jdoe from %s to %s: would change: cover by bwong" % (JDOE["start"], JDOE["end"])


def test_bad_input_fails_before_any_call(emulator, run_playbook, tmp_path):
    bad = [dict(JDOE, replacement="jdoe"), dict(ASMITH, end=ASMITH["start"])]
    run, report = cover(run_playbook, tmp_path, bad)
    assert run.rc != 0
    assert report is None
    assert emulator.log == []
    message = run.result(ROLE + "Check the absences and the credential variables")["msg"]
    assert "absence 1 (jdoe): the replacement must be another user" in message
    assert "absence 2 (asmith): end" in message and "is not after start" in message


def test_an_unknown_replacement_fails_every_absence_before_the_first_write(emulator, run_playbook, tmp_path):
    run, report = cover(run_playbook, tmp_path, [JDOE, dict(ASMITH, assignments=[{"policy": HIGH, "replacement": "nobody"}])])
    assert run.rc != 0
    assert emulator.writes() == []
    assert [entry["status"] for entry in report["absences"]] == ["not attempted", "not attempted"]
    assert "replacement for %s nobody is not a VictorOps user" % HIGH in report["absences"][0]["failed"]


def test_the_calendar_shows_covers_and_gaps_in_private_files(emulator, run_playbook, tmp_path):
    run, _report = cover(run_playbook, tmp_path, [JDOE, ASMITH], extra={"calendar_file": "calendar.html", "calendar_days": 30})
    assert run.rc == 0, run
    page = (tmp_path / "calendar.html").read_text()
    table = (tmp_path / "calendar.md").read_text()
    for path in ("calendar.html", "calendar.md"):
        assert stat.S_IMODE(os.stat(tmp_path / path).st_mode) == 0o600
    assert "bwong (cover)" in page and "jdoe (cover)" in page and "<script" not in page
    assert "_bwong (cover)_" in table
    # One schedule read for the one team the absences touch.
    assert calls(emulator)["GET /api-public/v2/team/%s/oncall/schedule" % OPERATIONS] == 1

    emulator.clear_log()
    run = run_playbook(play=CALENDAR_PLAY, extra_args=("-e", '{"calendar_teams": ["%s"], "calendar_days": 31}' % OPERATIONS))
    assert run.rc != 0 and emulator.log == []
    assert "calendar_days must be a number of days from 1 to 30, not 31" in run.stdout


def test_offboarding_hands_the_absences_a_leaver_covers_to_their_replacement(emulator, run_playbook, tmp_path):
    run, _report = cover(run_playbook, tmp_path, [JDOE])
    assert run.rc == 0, run
    emulator.clear_log()
    leavers = tmp_path / "leavers.yml"
    leavers.write_text(yaml.safe_dump({"user_offboarding_people": [{"username": "bwong", "replacement": "asmith"}]}))
    play = "- name: offboard\n  ansible.builtin.import_playbook: victorops.oncall.offboard\n"
    run = run_playbook(play=play, extra_args=("-e", "@leavers.yml"))

    assert run.rc == 0, run
    # bwong covered jdoe's absence in both policies; asmith does now, and bwong is gone.
    assert overrides(emulator) == {"jdoe": [(JDOE["start"], JDOE["end"], {OPERATIONS: "asmith", HIGH: "asmith"})]}
    assert "bwong" not in emulator.state["users"]
    assert run.result("victorops.oncall.user_offboarding : Show the offboarding report")["msg"] == [
        "bwong: changed: handed the cover of jdoe from %s to %s to asmith, left team Operations, user removed" % (JDOE["start"], JDOE["end"])
    ]
    # One read of the overrides in the role, one in the module; the assignments before the user is removed.
    assert [call(e) for e in emulator.writes()][:2] == [
        "PUT /api-public/v1/overrides/ID/assignments/%s" % HIGH,
        "PUT /api-public/v1/overrides/ID/assignments/%s" % OPERATIONS,
    ]
    assert calls(emulator)["GET /api-public/v1/overrides"] == 2


@pytest.mark.emulator(variants=["override-under-schedule", "assignment-username-body", "epoch-instants", "case-insensitive-users"])
def test_the_cover_converges_on_the_other_answer_shapes(emulator, run_playbook, tmp_path):
    # The create answer under `schedule`, the SDK's assignment body, instants in epoch milliseconds, and usernames
    # stored in lower case: the same input covers the same absences, and a second run writes nothing.
    absences = [dict(JDOE, replacement="BWong"), ASMITH]
    # Through the role's main entry point: no lane host.
    run, report = cover(run_playbook, tmp_path, absences, play=ROLE_PLAY)
    assert run.rc == 0, run
    assert "oncall_cover_lane_" not in run.stdout
    assert overrides(emulator) == {
        "jdoe": [(JDOE["start"], JDOE["end"], {OPERATIONS: "bwong", HIGH: "bwong"})],
        "asmith": [(text(week(2, 1)), text(week(2, 3)), {OPERATIONS: None, HIGH: "jdoe"})],
    }
    assert [entry["status"] for entry in report["absences"]] == ["changed", "changed"]

    emulator.clear_log()
    run, report = cover(run_playbook, tmp_path, absences, play=ROLE_PLAY)
    assert run.rc == 0, run
    assert emulator.writes() == []
    assert [entry["status"] for entry in report["absences"]] == ["no change", "no change"]


def _seed_overrides(emulator):
    """jdoe's old period (JDOE changes its end: replaced) and bwong's later one (left the input: removed when exclusive)."""
    schedule_override(emulator, "jdoe", week(3), week(3, 1), {OPERATIONS: "asmith", HIGH: "asmith"})
    schedule_override(emulator, "bwong", week(6), week(6, 1), {OPERATIONS: "jdoe"})


@pytest.mark.long
def test_absences_in_lanes_end_as_one_after_another_with_the_same_calls_and_report(emulator, run_playbook, tmp_path):
    bwong = dict(username="bwong", start=text(week(5)), end=text(week(5, 2)), replacement="jdoe")
    cnguyen = dict(username="cnguyen", start=text(week(1, 1)), end=text(week(1, 4)), replacement="asmith")
    absences = [JDOE, ASMITH, bwong, cnguyen]
    exclusive = {"oncall_cover_exclusive": True}

    run, report = cover(run_playbook, tmp_path, absences, extra=dict(exclusive, oncall_cover_concurrency=0), name="bad.yml")
    assert run.rc != 0 and report is None, run
    assert "oncall_cover_concurrency must be a whole number of 1 or more" in run.result(ROLE + "Check the concurrency")["msg"]
    assert emulator.log == []

    _seed_overrides(emulator)
    serial, serial_report = cover(run_playbook, tmp_path, absences, extra=dict(exclusive, oncall_cover_concurrency=1), name="serial.yml")
    assert serial.rc == 0, serial
    assert "oncall_cover_lane_" not in serial.stdout
    serial_overrides, serial_calls, serial_writes = overrides(emulator), calls(emulator), emulator.writes()

    emulator.reset()
    _seed_overrides(emulator)
    lanes, lanes_report = cover(run_playbook, tmp_path, absences, extra=dict(exclusive, oncall_cover_concurrency=3), name="lanes.yml")
    assert lanes.rc == 0, lanes
    # The first absence alone on the controller's host, the 3 others in 3 lanes of one, then the removal's own lane.
    for host in ("oncall_cover_lane_1", "oncall_cover_lane_2", "oncall_cover_lane_3", "oncall_cover_lane_removals"):
        assert re.search(r"^%s\s*: ok=\d+\s+changed=[1-9]" % host, lanes.stdout, re.MULTILINE), lanes
    assert "oncall_cover_lane_4" not in lanes.stdout
    assert lanes_report == serial_report
    assert overrides(emulator) == serial_overrides
    assert calls(emulator) == serial_calls
    assert lanes.result(REPORT_TASK)["msg"] == serial.result(REPORT_TASK)["msg"]
    assert [entry["label"] for entry in lanes_report["absences"]][-1] == "bwong from %s to %s" % (text(week(6)), text(week(6, 1)))
    assert [entry["status"] for entry in lanes_report["absences"]] == ["changed"] * 5
    assert lanes_report["absences"][0]["changed"][-1] == "removed the override it replaces (jdoe from %s to %s)" % (text(week(3)), text(week(3, 1)))

    # As one after another: the old period of jdoe goes after the new one is in place, and the override that left the
    # input after every absence is covered.
    for writes in (serial_writes, emulator.writes()):
        methods = [entry["method"] for entry in writes]
        assert methods.count("DELETE") == 2 and methods.count("POST") == 4
        assert min(i for i, method in enumerate(methods) if method == "DELETE") > methods.index("POST")
        assert methods[-1] == "DELETE"
