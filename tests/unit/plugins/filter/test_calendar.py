"""The on-call calendar (plugin_utils/_calendar.py): who is on call each day, as HTML and Markdown, every value escaped."""

import re

from ansible_collections.victorops.oncall.plugins.filter import cover as filters

HOSTILE = "{{ lookup('pipe','id') }}<script>alert(1)</script>"


def shift(username, start, end, override=False):
    return dict(policy="pol-ops", policy_name="Operations", team="team-ops", username=username, start=start, end=end, override=override)


SCHEDULE = [
    dict(
        policy="pol-ops",
        policy_name="Operations",
        team="team-ops",
        shifts=[
            shift("jdoe", "2030-03-01T00:00:00Z", "2030-03-02T09:00:00Z"),
            shift("asmith", "2030-03-02T09:00:00Z", "2030-03-03T09:00:00Z", override=True),
            shift(None, "2030-03-03T09:00:00Z", "2030-03-04T00:00:00Z", override=True),
            shift("jdoe", "2030-03-04T00:00:00Z", "2030-03-10T00:00:00Z"),
        ],
    ),
    dict(policy="pol-db", policy_name="Database", team="team-db", shifts=[]),
]


def test_days_show_each_person_once_per_day_with_covers_and_gaps():
    rows = filters._calendar.days(SCHEDULE, "2030-03-01", 4)
    assert [row["policy_name"] for row in rows] == ["Database", "Operations"]
    ops = rows[1]["days"]
    assert [cell["date"] for cell in ops] == ["2030-03-01", "2030-03-02", "2030-03-03", "2030-03-04"]
    assert ops[0]["people"] == [dict(username="jdoe", override=False)]
    assert ops[1]["people"] == [dict(username="jdoe", override=False), dict(username="asmith", override=True)]
    assert ops[2]["people"] == [dict(username="asmith", override=True), dict(username=None, override=True)]
    assert ops[3]["people"] == [dict(username="jdoe", override=False)]
    assert rows[0]["days"][0]["people"] == []


def test_the_html_page_is_self_contained_and_marks_covers_and_gaps():
    page = filters.calendar_html(SCHEDULE, "2030-03-01", 4)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page and "src=" not in page and "href=" not in page
    assert '<span class="who cover" title="covering an absence">asmith (cover)</span>' in page
    assert '<span class="who gap">unassigned</span>' in page
    assert page.count("<table>") == 2 and "<th>Sun 03-03</th>" in page


def test_hostile_names_are_escaped_in_html():
    schedule = [
        dict(
            policy="p",
            policy_name=HOSTILE,
            team="<b>team</b>",
            shifts=[shift(HOSTILE, "2030-03-01T00:00:00Z", "2030-03-02T00:00:00Z", override=True)],
        )
    ]
    page = filters.calendar_html(schedule, "2030-03-01", 1, title='"><img src=x onerror=alert(1)>')
    assert "<script>" not in page and "<b>team" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ lookup(&#x27;pipe&#x27;,&#x27;id&#x27;) }}" in page
    # The only tags are the page's own.
    assert set(re.findall(r"<([a-zA-Z0-9]+)", page)) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "span", "table", "thead"} | {
        "tbody",
        "tr",
        "th",
        "td",
    }


def test_the_markdown_table_escapes_names_and_keeps_one_row_per_policy():
    schedule = [dict(policy="p", policy_name="a|b", team="t", shifts=[shift(HOSTILE + "_x*", "2030-03-01T00:00:00Z", "2030-03-03T00:00:00Z")])]
    text = filters.calendar_markdown(schedule, "2030-03-01", 2)
    row = next(line for line in text.splitlines() if line.startswith("| a"))
    assert row.startswith("| a\\|b | ") and row.count(" | ") == 2
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\{\\{ lookup('pipe','id') \\}\\}" in text and "\\_x\\*" in text


def test_markdown_marks_covers_and_gaps():
    text = filters.calendar_markdown(SCHEDULE, "2030-03-01", 4)
    assert "| Escalation policy | Fri 03-01 | Sat 03-02 | Sun 03-03 | Mon 03-04 |" in text
    assert "| Operations | jdoe | jdoe, _asmith (cover)_ | _asmith (cover)_, **unassigned** | jdoe |" in text
    assert "| Database |  |  |  |  |" in text


def test_schedules_of_registered_results_and_the_markdown_path():
    results = dict(results=[dict(schedule=SCHEDULE[:1]), dict(schedule=SCHEDULE), dict(skipped=True)])
    assert filters.calendar_schedules(results) == SCHEDULE
    assert filters.calendar_markdown_path("out/cal.HTML") == "out/cal.md"
    assert filters.calendar_markdown_path("cal") == "cal.md"


def test_no_policy_is_said():
    assert "No escalation policy." in filters.calendar_html([], "2030-03-01", 3)
    assert "No escalation policy." in filters.calendar_markdown([], "2030-03-01", 3)


def test_the_calendar_variables_are_checked():
    assert filters.calendar_problems(14, ["team-ops"]) == []
    assert filters.calendar_problems("30", []) == []
    assert filters.calendar_problems(31, ["t"]) == ["calendar_days must be a number of days from 1 to 30, not 31"]
    assert filters.calendar_problems("two", ["t"]) == ["calendar_days must be a number of days from 1 to 30, not 'two'"]
    assert filters.calendar_problems(0, "team-ops") == [
        "calendar_days must be a number of days from 1 to 30, not 0",
        "calendar_teams must be a list of team slugs or names, not 'team-ops'",
    ]


def test_the_text_format_writes_a_page_as_it_is_and_refuses_anything_else():
    import pytest

    from ansible_collections.victorops.oncall.plugins.plugin_utils import _files

    page = filters.calendar_html(SCHEDULE, "2030-03-01", 2)
    assert _files.RENDERERS["text"](page) == page
    with pytest.raises(_files.OutputFileError, match="format text writes a string, not dict"):
        _files.RENDERERS["text"]({"a": 1})
