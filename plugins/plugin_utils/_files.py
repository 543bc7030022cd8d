# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The files the collection writes on the controller (exports and reports), as pure Python behind the action plugin output_file.

* :func:`resolve` makes a path absolute against the directory where ``ansible-playbook`` was started.
* :func:`check` says why a path cannot be written (before the first API write), or nothing.
* :func:`write_private` writes a file with no window at another mode and no partial content: a private temporary
  file in the same directory, created 0600 with ``O_EXCL|O_NOFOLLOW``, written, fsynced, then renamed over the path.
* :func:`yaml_text` and :func:`json_text` render data; in YAML every string that could hold a template is tagged
  ``!unsafe``, so that Ansible reads it back as data and never evaluates ``{{ }}``, ``{% %}`` or ``{# #}`` in it.
"""

from __future__ import annotations

import json
import os
import secrets
import stat

import yaml

MODE = 0o600
STR_TAG = "tag:yaml.org,2002:str"
UNSAFE_TAG = "!unsafe"


class OutputFileError(ValueError):
    """A path that cannot (or must not) be written; the message names the path, the reason and the fix."""


def resolve(path, base=None):
    """``path`` as an absolute path: ``~`` expanded, a relative path joined to ``base`` (the working directory)."""
    if not isinstance(path, str) or not path.strip():
        raise OutputFileError("the path is empty: give the path of the file to write")
    path = os.path.expanduser(path.strip())
    if not os.path.isabs(path):
        path = os.path.join(base if base is not None else os.getcwd(), path)
    return os.path.normpath(path)


def problem(path):
    """Why ``path`` (absolute) cannot be written by this user, or None."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        return "the directory %s does not exist: create it first, or choose another path" % directory
    if not os.access(directory, os.W_OK | os.X_OK):
        return "the directory %s is not writable by this user: choose another path" % directory
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return "%s is a symbolic link: give the path of the file itself" % path
    if not stat.S_ISREG(info.st_mode):
        return "%s exists and is not a regular file: choose another path" % path
    if info.st_uid != os.geteuid():
        return "%s belongs to another user (uid %d): remove it or choose another path" % (path, info.st_uid)
    return None


def check(path):
    """Raise :class:`OutputFileError` when ``path`` (absolute) cannot be written."""
    reason = problem(path)
    if reason:
        raise OutputFileError(reason)


def _current(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def would_change(path, text):
    """True when writing ``text`` to ``path`` (absolute, checked) would change what the file holds."""
    return _current(path) != text.encode("utf-8")


def write_private(path, text):
    """Write ``text`` to ``path`` (absolute) atomically, mode 0600 from the first byte; True when the content changed.

    The temporary file is created beside the path (same file system, so the rename is atomic), never following a
    link and never reusing a file; on any error it is removed and the path is left as it was.
    """
    check(path)
    data = text.encode("utf-8")
    changed = would_change(path, text)
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, ".%s.%s.tmp" % (name, secrets.token_hex(8)))
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), MODE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _sync_directory(directory)
    return changed


def _sync_directory(directory):
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# -- rendering ---------------------------------------------------------------------------------------


def plain(value):
    """``value`` as plain dicts, lists, str, int, float, bool and None (Ansible's tagged and lazy types unwrapped)."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


class _UnsafeDumper(yaml.SafeDumper):
    """Tags every string value ``!unsafe``, except those YAML reads back as another type (numbers, booleans: no template)."""

    def ignore_aliases(self, data):
        return True


def _represent_str(dumper, value):
    # Ansible reads "!unsafe x" by resolving x as if untagged: only a string that resolves to a string keeps its type.
    if dumper.resolve(yaml.ScalarNode, value, (True, False)) == STR_TAG:
        return dumper.represent_scalar(UNSAFE_TAG, value)
    return dumper.represent_str(value)


def _represent_dict(dumper, data):
    pairs = [(dumper.represent_str(key), dumper.represent_data(value)) for key, value in data.items()]
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=False)


_UnsafeDumper.add_representer(str, _represent_str)
_UnsafeDumper.add_representer(dict, _represent_dict)


def yaml_text(data, header=""):
    """``data`` as YAML, every string tagged ``!unsafe``; ``header`` (lines) becomes a comment above it."""
    comment = "".join("# %s\n" % line if line else "#\n" for line in header.splitlines())
    body = yaml.dump(plain(data), Dumper=_UnsafeDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, indent=2, width=160)
    return comment + body


def json_text(data):
    return json.dumps(plain(data), indent=4, ensure_ascii=False) + "\n"


def text_text(data):
    """``data`` (a string: a rendered page or table) as it is; anything else is a mistake of the caller."""
    if not isinstance(data, str):
        raise OutputFileError("format text writes a string, not %s" % type(data).__name__)
    return data


RENDERERS = {"yaml": yaml_text, "json": lambda data, header="": json_text(data), "text": lambda data, header="": text_text(data)}
