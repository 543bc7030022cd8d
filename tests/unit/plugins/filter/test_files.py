"""The files the collection writes (plugin_utils/_files.py): private, atomic, refused when another user's, and read back as data."""

import os
import stat
import threading

import pytest
import yaml
from ansible._internal._datatag._tags import TrustedAsTemplate
from ansible.parsing.dataloader import DataLoader

from ansible_collections.victorops.oncall.plugins.plugin_utils import _files

HOSTILE = [
    "{{ lookup('pipe', 'touch /tmp/never') }}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{# a comment #}",
    "key: value # not a comment",
    "- a list item\n- and another",
    "line one\nline two\n",
    "  leading and trailing spaces  ",
    "'single' \"double\" `back` \\ backslash",
    "&anchor *alias !tag %directive @at",
    "Zoë Ødegård 山田 🚀",
    "x" * 500,
    "true",
    "123",
    "+15550100",
    "null",
    "",
    "2024-05-01",
]


def strings(value):
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


def test_every_string_reads_back_byte_for_byte_and_none_is_a_template(tmp_path):
    data = {"user_onboarding_people": [{"username": "u%d" % i, "first_name": text, "teams": [text], "n": i} for i, text in enumerate(HOSTILE)]}
    path = tmp_path / "people.yml"
    path.write_text(_files.yaml_text(data, "a header\n\nwith an empty line"))

    loaded = DataLoader().load_from_file(str(path), trusted_as_template=True)

    assert loaded == data
    assert [s for s in strings(loaded) if TrustedAsTemplate.is_tagged_on(s) and ("{" in s)] == []
    # Without the tags, the same file would be read as templates: the tags are what protects it.
    untagged = tmp_path / "untagged.yml"
    untagged.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert any(TrustedAsTemplate.is_tagged_on(s) for s in strings(DataLoader().load_from_file(str(untagged), trusted_as_template=True)))


def test_strings_that_resolve_to_another_type_are_quoted_not_tagged():
    text = _files.yaml_text({"a": ["true", "123", "{{ x }}"]})
    assert text == "a:\n- 'true'\n- '123'\n- !unsafe '{{ x }}'\n"


def test_a_relative_path_is_relative_to_the_given_directory(tmp_path):
    assert _files.resolve("out/people.yml", str(tmp_path)) == str(tmp_path / "out" / "people.yml")
    assert _files.resolve("/abs/x.yml", str(tmp_path)) == "/abs/x.yml"
    assert _files.resolve("~/x.yml", str(tmp_path)) == os.path.expanduser("~/x.yml")
    with pytest.raises(_files.OutputFileError, match="the path is empty"):
        _files.resolve("  ", str(tmp_path))


def test_the_file_is_0600_from_its_creation_and_replaced_atomically(tmp_path, monkeypatch):
    path = tmp_path / "report.json"
    path.write_text("old")
    path.chmod(0o644)
    seen = []
    real_fdopen = os.fdopen

    def spy(descriptor, *args, **kwargs):
        # The temporary file's mode at creation, and what the path holds meanwhile.
        seen.append((stat.S_IMODE(os.fstat(descriptor).st_mode), path.read_text()))
        return real_fdopen(descriptor, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", spy)
    assert _files.write_private(str(path), "new\n") is True
    assert seen == [(0o600, "old")]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert _files.write_private(str(path), "new\n") is False


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "people.yml"
    path.write_text("old")

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        _files.write_private(str(path), "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.yml"]


def test_a_planted_link_at_the_temporary_name_is_not_followed(tmp_path, monkeypatch):
    target = tmp_path / "target"
    target.write_text("secret of another")
    monkeypatch.setattr(_files.secrets, "token_hex", lambda n: "fixed")
    os.symlink(target, tmp_path / ".people.yml.fixed.tmp")
    with pytest.raises(FileExistsError):
        _files.write_private(str(tmp_path / "people.yml"), "data")
    assert target.read_text() == "secret of another"


@pytest.mark.parametrize(
    "setup, reason",
    [
        (lambda d: None, None),
        (lambda d: os.symlink(d / "elsewhere", d / "out.yml"), "is a symbolic link: give the path of the file itself"),
        (lambda d: (d / "out.yml").mkdir(), "exists and is not a regular file"),
    ],
)
def test_what_may_not_be_written_is_refused_with_the_reason(tmp_path, setup, reason):
    setup(tmp_path)
    found = _files.problem(str(tmp_path / "out.yml"))
    assert (found is None) if reason is None else (reason in found)


def test_a_missing_or_read_only_directory_is_refused_before_anything(tmp_path):
    assert _files.problem(str(tmp_path / "missing" / "out.yml")) == "the directory %s does not exist: create it first, or choose another path" % (
        tmp_path / "missing"
    )
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.geteuid() != 0:
            assert "is not writable by this user" in _files.problem(str(locked / "out.yml"))
    finally:
        locked.chmod(0o700)


def test_a_file_of_another_user_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "out.yml"
    path.write_text("theirs")
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(path).st_uid + 1)
    assert "belongs to another user (uid %d): remove it or choose another path" % os.stat(path).st_uid in _files.problem(str(path))
    with pytest.raises(_files.OutputFileError):
        _files.write_private(str(path), "mine")
    assert path.read_text() == "theirs"


def test_a_reader_polling_the_path_never_sees_another_mode_or_part_of_the_content(tmp_path):
    path = tmp_path / "people.yml"
    content = "x" * 200000
    seen, stop = set(), threading.Event()

    def poll():
        while not stop.is_set():
            try:
                seen.add((stat.S_IMODE(os.stat(path).st_mode), len(path.read_text())))
            except FileNotFoundError:
                pass

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for _attempt in range(20):
            _files.write_private(str(path), content)
            path.unlink()
    finally:
        stop.set()
        reader.join()
    assert seen <= {(0o600, len(content))}


def test_json_keeps_non_ascii():
    assert _files.json_text({"a": "Zoë"}) == '{\n    "a": "Zoë"\n}\n'


def test_the_action_plugin_takes_exactly_the_documented_options():
    from ansible_collections.victorops.oncall.plugins.action import output_file as action
    from ansible_collections.victorops.oncall.plugins.modules import output_file as docs

    documented = yaml.safe_load(docs.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(action.ARGUMENTS)
    for name, spec in action.ARGUMENTS.items():
        assert documented[name]["type"] == spec["type"], name
        assert documented[name].get("default") == spec.get("default"), name
        assert documented[name].get("required", False) == spec.get("required", False), name
        assert documented[name].get("choices") == spec.get("choices"), name


def test_check_mode_says_a_change_only_when_the_content_differs(tmp_path):
    path = str(tmp_path / "report.json")
    assert _files.would_change(path, "{}\n")
    _files.write_private(path, "{}\n")
    assert not _files.would_change(path, "{}\n")
    assert _files.would_change(path, '{"people": []}\n')
