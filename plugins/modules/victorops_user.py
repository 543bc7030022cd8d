#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_user
short_description: Create, update or remove a VictorOps user
version_added: 0.1.0
description:
  - Ensures a user exists with the given names, or does not exist.
  - Reads the user once (operation C(get_user)), then creates it (C(create_user)),
    updates its names (C(update_user)) or removes it (C(delete_user)),
    only when something differs.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
options:
  username:
    description:
      - The user's username.
    type: str
    required: true
  first_name:
    description:
      - The user's first name. Required to create the user; when the user exists it is updated if it differs.
    type: str
  last_name:
    description:
      - The user's last name. Required to create the user; when the user exists it is updated if it differs.
    type: str
  email:
    description:
      - The user's email address, to which the invitation is sent. Required to create the user.
      - It cannot be changed through the API once the user exists; see the notes.
    type: str
  state:
    description:
      - V(present) creates the user when missing and updates its names; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  replacement:
    description:
      - Username of the user who takes over the removed user's on-call shifts and team duties.
      - Required when O(state=absent), because the API refuses to remove a user without one.
    type: str
  expiration_hours:
    description:
      - How many hours the invitation (set-password link) stays valid. Only sent when the user is created;
        the API's default is 24.
    type: int
notes:
  - The API cannot change a user's email address (it has to be done in the VictorOps web application).
    When O(email) differs from the existing user's address the module leaves the address as it is,
    reports no change for it and issues a warning.
  - O(first_name), O(last_name), O(email) and O(expiration_hours) are ignored when O(state=absent).
  - A user created through the API gets an email contact method labelled C(Default) with its address,
    and a default personal paging policy.
"""

EXAMPLES = r"""
- name: Invite a new engineer
  victorops.oncall.victorops_user:
    username: newhire
    first_name: Nora
    last_name: Hire
    email: nora.hire@example.com
    expiration_hours: 72
  register: created

- name: Correct the engineer's last name
  victorops.oncall.victorops_user:
    username: newhire
    last_name: Hire-Smith

- name: Remove the engineer, handing their duties to Alice
  victorops.oncall.victorops_user:
    username: newhire
    state: absent
    replacement: asmith
"""

RETURN = r"""
user:
  description: The user after the task; an empty dictionary when it does not exist.
  returned: success
  type: dict
  contains:
    username:
      description: The username.
      type: str
      returned: when the user exists
    first_name:
      description: First name.
      type: str
      returned: when the user exists
    last_name:
      description: Last name.
      type: str
      returned: when the user exists
    email:
      description: Email address.
      type: str
      returned: when the user exists
    verified:
      description: Whether the user has accepted the invitation and verified the address.
      type: bool
      returned: when the user exists
    created_at:
      description: When the user was created, as the API reports it.
      type: str
      returned: when the user exists, except in check mode before its creation (the API sets it)
    password_last_updated:
      description: When the password was last changed, as the API reports it.
      type: str
      returned: when the user exists, except in check mode before its creation (the API sets it)
  sample:
    username: newhire
    first_name: Nora
    last_name: Hire
    email: nora.hire@example.com
    verified: false
    created_at: "2024-05-01T09:30:00Z"
    password_last_updated: null
created:
  description: Whether the task created the user (in check mode, whether it would).
  returned: success
  type: bool
  sample: true
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError
from ansible_collections.victorops.oncall.plugins.module_utils._module import STATE_OPTION, VictorOpsModule


def ensure_present(vo, current):
    p = vo.params
    username = p["username"]
    if current is None:
        missing = [name for name in ("first_name", "last_name", "email") if p[name] is None]
        if missing:
            raise OptionError("user %r does not exist; creating it needs %s" % (username, ", ".join(missing)))
        # What the task sets; the API fills in created_at and password_last_updated when it creates the user.
        after = dict(username=username, first_name=p["first_name"], last_name=p["last_name"], email=p["email"], verified=False)
        if not vo.check_mode:
            after = _api.create_user(vo.client, username, p["first_name"], p["last_name"], p["email"], p["expiration_hours"])
        return True, {}, after, dict(user=after, created=True)

    if p["email"] is not None and p["email"].lower() != (current["email"] or "").lower():
        vo.module.warn(
            "The email address of user %r is %r; the API cannot change it to %r, so it is left as it is. "
            "Change it in the VictorOps web application." % (username, current["email"], p["email"])
        )
    changes = {name: p[name] for name in ("first_name", "last_name") if p[name] is not None and p[name] != current[name]}
    if not changes:
        return False, current, current, dict(user=current, created=False)
    after = dict(current, **changes)
    if not vo.check_mode:
        after = _api.update_user(vo.client, current, after["first_name"], after["last_name"])
    return True, current, after, dict(user=after, created=False)


def ensure_absent(vo, current):
    if current is None:
        return False, {}, {}, dict(user={}, created=False)
    if not vo.check_mode:
        # The API's name for the user: it may differ in case from the option.
        _api.delete_user(vo.client, current["username"], vo.params["replacement"])
    return True, current, {}, dict(user={}, created=False)


def manage_user(vo):
    p = vo.params
    current = _api.get_user(vo.client, p["username"])
    if p["state"] == "present":
        return ensure_present(vo, current)
    return ensure_absent(vo, current)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            first_name=dict(type="str"),
            last_name=dict(type="str"),
            email=dict(type="str"),
            state=STATE_OPTION,
            replacement=dict(type="str"),
            expiration_hours=dict(type="int"),
        ),
        required_if=[("state", "absent", ("replacement",))],
        usernames=("username", "replacement"),
        non_empty=("first_name", "last_name", "email"),
        emails=("email",),
        positive=("expiration_hours",),
        different=[("replacement", "username")],
    )
    vo.run(manage_user)


if __name__ == "__main__":
    main()
