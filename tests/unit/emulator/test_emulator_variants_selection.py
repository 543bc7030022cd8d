# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Choosing variants: the constructor, a seed file, the command line, a reset and the shared fixture's marker."""

import os
import subprocess
import sys

import pytest
import yaml

from .test_emulator_cli import collections_root, free_port, get, wait_for

KNOWN = (
    "assignment-username-body, case-insensitive-teams, case-insensitive-users, contactless-rules, epoch-instants, error-200, keep-empty-steps, "
    "late-writes, no-extid, override-under-schedule, rate-2020, rate-2ps, rate-2ps-even, reformat-contacts, step-delete, team-delete-with-members, throttle-403"
)


def demo_seed(**extra):
    from ansible_collections.victorops.oncall.tests.emulator import load_seed

    seed = load_seed()
    seed.update(extra)
    return seed


def test_the_default_has_no_variant_and_the_seed_table():
    from ansible_collections.victorops.oncall.tests.emulator import VARIANTS, Emulator

    emulator = Emulator()
    assert (emulator.variants, emulator.limits, emulator.rate_limit_status) == (frozenset(), "seed", 429)
    assert ", ".join(sorted(VARIANTS)) == KNOWN


def test_each_variant_is_declared_once_with_what_it_changes():
    from ansible_collections.victorops.oncall.tests.emulator import VARIANTS, Variant

    assert [variant.value for variant in Variant] == list(VARIANTS)
    assert all(variant.description and VARIANTS[variant] == variant.description for variant in Variant)
    assert Variant("rate-2ps") is Variant.RATE_2PS
    with pytest.raises(ValueError):
        Variant("rate-2-ps")


def test_unknown_variant_names_are_refused_with_the_known_ones():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    with pytest.raises(ValueError) as caught:
        Emulator(variants=("reformat-contacts", "keep-empty-step"))
    assert str(caught.value) == "unknown emulator variant 'keep-empty-step' in variants (known: %s)" % KNOWN
    with pytest.raises(ValueError, match=r"unknown emulator variant 'slow' in the seed's variants \(known: assignment-username-body, case-insensitive-teams, "):
        Emulator(seed=demo_seed(variants=["slow"]))
    with pytest.raises(TypeError, match="variants must be a list of variant names, got 'no-extid'"):
        Emulator(variants="no-extid")
    with pytest.raises(TypeError, match="the seed's variants must be a list"):
        Emulator(seed=demo_seed(variants="no-extid"))


def test_constructor_and_seed_variants_add_up():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator, Variant

    emulator = Emulator(seed=demo_seed(variants=["no-extid"]), variants=["error-200"])
    assert emulator.variants == frozenset({"no-extid", "error-200"})
    assert {type(variant) for variant in emulator.variants} == {Variant}  # every check compares declared members
    # keep-empty-steps implies the step DELETE.
    assert Emulator(variants=["keep-empty-steps"]).variants == frozenset({"keep-empty-steps", "step-delete"})


def test_rate_variants_select_the_table_and_conflict_with_another_one():
    from ansible_collections.victorops.oncall.tests.emulator import Emulator

    assert Emulator(variants=["rate-2ps"]).limits == "2ps"
    assert Emulator(variants=["rate-2020"]).limits == "2020"
    assert Emulator(variants=["rate-2ps"], limits="2ps").limits == "2ps"
    assert Emulator(limits="2ps").limits == "2ps"
    with pytest.raises(ValueError, match="limits='seed' conflicts with the variant selecting the 2ps table"):
        Emulator(variants=["rate-2ps"], limits="seed")
    with pytest.raises(ValueError, match="variants name more than one rate-limit table: rate-2020, rate-2ps"):
        Emulator(variants=["rate-2ps", "rate-2020"])


def test_reset_with_a_new_seed_takes_its_variants(make_emulator):
    emulator, call = make_emulator(limits="off", variants=["no-extid"])
    emulator.reset(seed=demo_seed(variants=["reformat-contacts"]))
    assert emulator.variants == frozenset({"no-extid", "reformat-contacts"})
    assert call.json("GET", "/user/jdoe/contact-methods/phones")["contactMethods"][0]["value"] == "+1 555-0100"
    emulator.reset(seed=demo_seed())
    assert emulator.variants == frozenset({"no-extid"})
    assert call.json("GET", "/user/jdoe/contact-methods/phones")["contactMethods"][0]["value"] == "+1-555-0100"


def test_a_bad_seed_variant_on_reset_changes_nothing(make_emulator):
    emulator, call = make_emulator(limits="off")
    response = call("POST", "/_emulator/reset", {"seed": demo_seed(variants=["nope"])})
    assert response.status_code == 400
    assert response.json()["error"].startswith("unknown emulator variant 'nope' in the seed's variants (known: ")
    assert emulator.variants == frozenset()
    assert call("POST", "/_emulator/reset", {"seed": demo_seed(variants=["no-extid"])}).status_code == 200
    assert emulator.variants == frozenset({"no-extid"})


def run_cli(*args):
    # The child loads only what it is given: no pytest plugins or options from a runner around this test (ansible-test's).
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env["PYTHONPATH"] = collections_root()
    return subprocess.run(
        [sys.executable, "-m", "ansible_collections.victorops.oncall.tests.emulator", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_cli_refuses_an_unknown_variant_and_lists_the_known_ones():
    result = run_cli("--variant", "reformat-contacts", "--variant", "bogus")
    assert result.returncode == 2
    assert "unknown emulator variant 'bogus' (known: %s)" % KNOWN in result.stderr


def test_cli_refuses_conflicting_tables():
    result = run_cli("--variant", "rate-2ps", "--limits", "2020", "--port", "0")
    assert result.returncode == 2
    assert "limits='2020' conflicts with the variant selecting the 2ps table" in result.stderr


def test_cli_variants_and_seed_variants(tmp_path):
    seed = demo_seed(variants=["contactless-rules"])
    seed_path = tmp_path / "seed.yml"
    seed_path.write_text(yaml.safe_dump(seed))
    port = free_port()
    # The child loads only what it is given: no pytest plugins or options from a runner around this test (ansible-test's).
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env["PYTHONPATH"] = collections_root()
    command = [
        sys.executable, "-m", "ansible_collections.victorops.oncall.tests.emulator", "--seed", str(seed_path), "--port", str(port),
        "--window", "60", "--variant", "reformat-contacts", "--variant", "rate-2ps",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = "http://127.0.0.1:%d" % port
        assert process.stdout.readline().strip() == "VictorOps emulator listening on " + url
        wait_for(url, process)
        status, body = get(url, "/api-public/v1/user/jdoe/contact-methods/phones")
        assert (status, body["contactMethods"][0]["value"]) == (200, "+1 555-0100")
        status, body = get(url, "/api-public/v1/profile/jdoe/policies")
        assert (status, body["steps"][0]["rules"][0]) == (200, {"index": 0, "type": "push"})
        # 2ps: one paging-policy read per rolling second.
        assert get(url, "/api-public/v1/profile/jdoe/policies")[0] == 429
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


# ----- the shared fixture (tests/conftest.py) passes the options through ----------------------------------
@pytest.mark.emulator(variants=["keep-empty-steps", "throttle-403"], late_write_delay=0.25)
def test_the_shared_fixture_takes_variants_from_the_marker(emulator):
    assert emulator.variants == frozenset({"keep-empty-steps", "step-delete", "throttle-403"})
    assert emulator.late_write_delay == 0.25


@pytest.mark.parametrize("emulator", [{}, {"variants": ["rate-2ps"]}], indirect=True, ids=["default", "rate-2ps"])
def test_the_shared_fixture_takes_variants_from_a_parameter(emulator):
    expected = "2ps" if emulator.variants else "seed"
    assert emulator.limits == expected
    assert emulator.limit_window == emulator.window * (1 if emulator.variants else 60) / 60


def test_a_misspelt_variant_in_a_marker_or_a_parameter_stops_the_run_before_any_test(tmp_path):
    # pytest in a child process on one test file beside a copy of tests/conftest.py (the shared fixtures).
    shared = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "conftest.py")
    with open(shared, encoding="utf-8") as source:
        (tmp_path / "conftest.py").write_text(source.read())
    (tmp_path / "test_typo.py").write_text(
        "import pytest\n\n\n"
        "@pytest.mark.emulator(variants=['keep-empty-step'])\n"
        "def test_marker(emulator):\n    pass\n\n\n"
        "@pytest.mark.parametrize('emulator', [{'variants': ['rate-2ps']}, {'variants': ['late-write']}], indirect=True, ids=['good', 'typo'])\n"
        "def test_parameter(emulator):\n    pass\n\n\n"
        "def test_plain(emulator):\n    pass\n"
    )
    plugins_not_needed = ["-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:pytest-ansible", "-p", "no:hypothesispytest"]
    command = [sys.executable, "-m", "pytest", "-q", *plugins_not_needed, "--rootdir", str(tmp_path), "test_typo.py"]
    # The child loads only what it is given: no pytest plugins or options from a runner around this test (ansible-test's).
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env["PYTHONPATH"] = collections_root()
    result = subprocess.run(command, cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 4, result  # pytest's usage error: the run stopped at collection
    source = "in @pytest.mark.emulator(variants=...) (known: %s)" % KNOWN
    assert "test_typo.py::test_marker: unknown emulator variant 'keep-empty-step' " + source in result.stderr, result
    assert "test_typo.py::test_parameter[typo]: unknown emulator variant 'late-write' " + source in result.stderr, result
    assert "test_parameter[good]" not in result.stderr and "test_plain" not in result.stderr
    assert "passed" not in result.stdout
