"""The lanes of a run (lifecycle_lanes, lifecycle_gather, lifecycle_first_stop): people dealt to hosts handled at once,
and everyone's report put back in input order."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.victorops.oncall.plugins.filter.lifecycle import FilterModule

FILTERS = FilterModule().filters()
lanes = FILTERS["lifecycle_lanes"]
gather = FILTERS["lifecycle_gather"]
first_stop = FILTERS["lifecycle_first_stop"]
at_once = FILTERS["lifecycle_at_once"]
PEOPLE = ["p%d" % n for n in range(8)]


def test_the_first_person_leads_alone_and_the_others_are_dealt_round_robin():
    dealt = lanes(PEOPLE, 3, "user_onboarding_lane", "user_onboarding_concurrency", "ctl")
    assert [lane["host"] for lane in dealt] == ["ctl", "user_onboarding_lane_1", "user_onboarding_lane_2", "user_onboarding_lane_3"]
    assert [lane["positions"] for lane in dealt] == [[0], [1, 4, 7], [2, 5], [3, 6]]
    assert [lane["members"] for lane in dealt] == [["p0"], ["p1", "p4", "p7"], ["p2", "p5"], ["p3", "p6"]]
    assert at_once(dealt) == 3
    assert at_once(dealt, 2) == 2  # no more than Ansible's forks


def test_a_concurrency_of_one_is_everyone_in_input_order_on_the_lead_host():
    assert lanes(PEOPLE, 1, "lane", "c", "ctl") == [{"host": "ctl", "positions": list(range(8)), "members": PEOPLE}]
    assert lanes(PEOPLE[:1], 4) == [{"host": "localhost", "positions": [0], "members": ["p0"]}]
    assert at_once(lanes(PEOPLE, 1)) == 1
    assert at_once([]) == 1


def test_under_a_limit_everyone_is_one_lane_on_the_lead_host():
    # A --limit would leave the in-memory lane hosts out of the plays.
    assert lanes(PEOPLE, 4, "lane", "c", "ctl", True) == [{"host": "ctl", "positions": list(range(8)), "members": PEOPLE}]


def test_there_are_never_more_lanes_than_people_after_the_first():
    assert [lane["members"] for lane in lanes(PEOPLE[:3], 4)] == [["p0"], ["p1"], ["p2"]]
    assert lanes([], 4) == []
    assert lanes(PEOPLE, "2")[1]["members"] == ["p1", "p3", "p5", "p7"]


@pytest.mark.parametrize("bad", [0, -1, "many", 1.5, True, None])
def test_a_concurrency_below_one_or_not_a_whole_number_names_the_setting(bad):
    with pytest.raises(AnsibleFilterError, match=r"user_onboarding_concurrency must be a whole number of 1 or more .*got"):
        lanes(PEOPLE, bad, "lane", "user_onboarding_concurrency")


def test_the_lanes_reports_are_gathered_in_input_order():
    dealt = lanes(PEOPLE, 3)
    reports = [[{"username": p} for p in lane["members"]] for lane in dealt]
    fallback = [{"username": p, "status": "not attempted"} for p in PEOPLE]
    assert gather(fallback, dealt, reports) == [{"username": p} for p in PEOPLE]


def test_whoever_a_lane_did_not_report_keeps_the_fallback_entry():
    dealt = lanes(PEOPLE, 3)
    # The second lane ended after its first person; the last reported nobody.
    reports = [[{"username": "p0"}], [{"username": "p1"}, {"username": "p4"}, {"username": "p7"}], [{"username": "p2"}], []]
    fallback = [{"username": p, "status": "not attempted"} for p in PEOPLE]
    merged = gather(fallback, dealt, reports)
    assert [entry.get("status", "done") for entry in merged] == ["done", "done", "done", "not attempted", "done", "not attempted", "not attempted", "done"]
    assert [entry["username"] for entry in merged] == PEOPLE


def test_with_a_key_a_lane_s_entry_never_speaks_for_another():
    dealt = lanes(PEOPLE, 3)
    fallback = [{"username": p, "status": "not attempted"} for p in PEOPLE]
    # The second lane's report names someone else first, and has one entry too many.
    reports = [[{"username": "p0"}], [{"username": "p9"}, {"username": "p4"}, {"username": "p7"}, {"username": "p8"}], [], []]
    merged = gather(fallback, dealt, reports, "username")
    assert [entry.get("status", "done") for entry in merged] == [
        "done",
        "not attempted",
        "not attempted",
        "not attempted",
        "done",
        "not attempted",
        "not attempted",
        "done",
    ]
    assert [entry["username"] for entry in merged] == PEOPLE


def test_the_first_stop_reason_of_any_lane_stops_a_lane():
    assert first_stop(["", "", ""]) == ""
    assert first_stop(["", "jdoe failed: authentication failed", "other"]) == "jdoe failed: authentication failed"
    assert first_stop([]) == ""
