#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: victorops_user
short_description: Create, update or remove a VictorOps user
version_added: 0.1.0
description:
  - Ensures a user exists with the given names, or does not exist.
  - Reads the user once (C(GET /api-public/v1/user/{user})), then creates it (C(POST /api-public/v1/user)),
    updates its names (C(PUT /api-public/v1/user/{user})) or removes it (C(DELETE /api-public/v1/user/{user})),
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
'''

EXAMPLES = r'''
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
'''

RETURN = r'''
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
      description: When the user was created, as the API reports it (null in check mode before creation).
      type: str
      returned: when the user exists
    password_last_updated:
      description: When the password was last changed, as the API reports it.
      type: str
      returned: when the user exists
  sample:
    username: newhire
    first_name: Nora
    last_name: Hire
    email: nora.hire@example.com
    verified: false
    created_at: "2024-05-01T09:30:00Z"
    password_last_updated: null
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
'''

import re

from ansible_collections.victorops.oncall.plugins.module_utils._client import NotFoundError, ValidationError
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import user_result
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import PlanError

USERS = "/api-public/v1/user"
USER = "/api-public/v1/user/{user}"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Option name -> key in the API's user body, for the fields the API can update.
NAME_FIELDS = (("first_name", "firstName"), ("last_name", "lastName"))


def fetch_user(client, username):
    """The API's user body, or None when the API answers 404."""
    try:
        return client.request("GET", USER, params=dict(user=username))
    except NotFoundError:
        return None


def read_user(client, username):
    """The normalised user, or None when it does not exist."""
    body = fetch_user(client, username)
    return None if body is None else user_result(body, "GET %s" % USER)


def ensure_present(vo, current):
    p = vo.params
    client = vo.client
    username = p["username"]
    if current is None:
        missing = [name for name in ("first_name", "last_name", "email") if p[name] is None]
        if missing:
            raise PlanError("user %r does not exist; creating it needs %s" % (username, ", ".join(missing)))
        payload = dict(firstName=p["first_name"], lastName=p["last_name"], username=username, email=p["email"])
        if p["expiration_hours"] is not None:
            payload["expirationHours"] = p["expiration_hours"]
        after = dict(username=username, first_name=p["first_name"], last_name=p["last_name"], email=p["email"],
                     verified=False, created_at=None, password_last_updated=None)
        if not vo.check_mode:
            def confirm_write():
                # The user the API holds after an ambiguous create stands for the create's answer.
                found = fetch_user(client, username)
                return (True, found) if found is not None else (False, None)

            answer = client.request("POST", USERS, body=payload, confirm_write=confirm_write)
            after = user_result(answer, "POST %s" % USERS)
        vo.exit(True, before={}, after=after, user=after)
        return

    if p["email"] is not None and p["email"].lower() != (current["email"] or "").lower():
        vo.module.warn("The email address of user %r is %r; the API cannot change it to %r, so it is left as it is. "
                       "Change it in the VictorOps web application." % (username, current["email"], p["email"]))
    changes = {option: p[option] for option, _key in NAME_FIELDS if p[option] is not None and p[option] != current[option]}
    if not changes:
        vo.exit(False, before=current, after=current, user=current)
        return
    after = dict(current, **changes)
    if not vo.check_mode:
        # The update body is the whole AddUserPayload; the email is sent unchanged.
        payload = dict(firstName=after["first_name"], lastName=after["last_name"], username=username, email=current["email"])
        answer = client.request("PUT", USER, params=dict(user=username), body=payload)
        after = user_result(answer, "PUT %s" % USER)
    vo.exit(True, before=current, after=after, user=after)


def ensure_absent(vo, current):
    p = vo.params
    client = vo.client
    username = p["username"]
    if current is None:
        vo.exit(False, before={}, after={}, user={})
        return
    if not vo.check_mode:
        def confirm_write():
            return (True, None) if fetch_user(client, username) is None else (False, None)

        try:
            client.request("DELETE", USER, params=dict(user=username), body=dict(replacement=p["replacement"]), confirm_write=confirm_write)
        except ValidationError as exc:
            # The API checks the replacement only when the removal arrives; the refusal changed nothing.
            raise PlanError("replacement %r: %s" % (p["replacement"], exc))
    vo.exit(True, before=current, after={}, user={})


def manage_user(vo):
    current = read_user(vo.client, vo.params["username"])
    if vo.params["state"] == "present":
        ensure_present(vo, current)
    else:
        ensure_absent(vo, current)


def check_options(p):
    """Problems with the options that the argument spec cannot see."""
    problems = []
    for name in ("username", "first_name", "last_name", "email", "replacement"):
        if p[name] is not None and not p[name].strip():
            problems.append("%s must not be empty" % name)
    if p["email"] and not EMAIL_PATTERN.match(p["email"]):
        problems.append("email %r is not an email address" % p["email"])
    if p["expiration_hours"] is not None and p["expiration_hours"] < 1:
        problems.append("expiration_hours must be 1 or more, got %d" % p["expiration_hours"])
    if p["state"] == "absent" and p["replacement"] and p["replacement"] == p["username"]:
        problems.append("replacement must be another user than username %r" % p["username"])
    return problems


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            first_name=dict(type="str"),
            last_name=dict(type="str"),
            email=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            replacement=dict(type="str"),
            expiration_hours=dict(type="int"),
        ),
        required_if=[("state", "absent", ("replacement",))],
    )
    problems = check_options(vo.params)
    if problems:
        vo.fail("; ".join(problems))
    vo.run(manage_user)


if __name__ == "__main__":
    main()
