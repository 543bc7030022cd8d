#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_user_info
short_description: Read VictorOps users whole, with contact methods, teams and paging policy
version_added: 0.2.0
description:
  - Reads one user, several users, or every user of the organisation, each with names and email, and, as the
    options ask, the email and phone contact methods, the teams and the personal paging policy, all normalised.
  - Reads only what is asked, with the fewest calls. The user records come from one read of the user list
    (operation C(list_users)) when O(usernames) is not set or names more than one user, else from one read of the user
    (C(get_user)). Then, per user found, one read per part asked for (C(list_contact_methods), C(list_user_teams),
    C(get_paging_policy)). The paging policy shows each rule's contact, which needs the contact methods, so they are read
    (once) when a rule names a contact, even when O(contact_methods=false).
  - The playbook C(victorops.oncall.export) turns the users read whole into the input of the role
    P(victorops.oncall.user_onboarding#role) with the filter P(victorops.oncall.export_people#filter).
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.read_only
options:
  usernames:
    description:
      - The users to read. A username matches the user spelled exactly so; only when none is may one user whose
        username differs in case alone stand in (RV(notes) says so), and two or more such users are an error naming them.
      - When not set, every user of the organisation is read.
      - A username the API does not know is listed in RV(missing); it is not an error.
    type: list
    elements: str
  contact_methods:
    description:
      - Read each user's email and phone contact methods (one C(list_contact_methods) call per user).
    type: bool
    default: true
  teams:
    description:
      - Read the teams each user belongs to (one C(list_user_teams) call per user).
    type: bool
    default: true
  paging_policy:
    description:
      - Read each user's personal paging policy (one C(get_paging_policy) call per user), with each rule's contact shown.
    type: bool
    default: true
notes:
  - Devices (the targets of push notifications) are not returned; push rules page all of them.
  - The users are returned in the order of O(usernames), else in the API's order.
seealso:
  - module: victorops.oncall.victorops_user
  - module: victorops.oncall.victorops_policy_info
"""

EXAMPLES = r"""
- name: Read two users whole
  victorops.oncall.victorops_user_info:
    usernames: [jdoe, asmith]
  register: info

- name: Show John's phone numbers
  ansible.builtin.debug:
    msg: "{{ (info.users | selectattr('username', 'equalto', 'jdoe') | first).contact_methods.phones | map(attribute='value') | list }}"

- name: List every user's teams, reading nothing else
  victorops.oncall.victorops_user_info:
    contact_methods: false
    paging_policy: false
  register: everyone

- name: Check that the replacement of a leaver exists (one read)
  victorops.oncall.victorops_user_info:
    usernames: [jdoe]
    contact_methods: false
    teams: false
    paging_policy: false
  register: replacement

- name: Fail when the user is missing
  ansible.builtin.assert:
    that: replacement.missing == []
"""

RETURN = r"""
users:
  description: The users found, each with the parts asked for.
  returned: success
  type: list
  elements: dict
  contains:
    username:
      description: The username, as the API spells it.
      type: str
      returned: always
    first_name:
      description: First name.
      type: str
      returned: always
    last_name:
      description: Last name.
      type: str
      returned: always
    email:
      description: The user's (account) email address.
      type: str
      returned: always
    verified:
      description: Whether the user has accepted the invitation.
      type: bool
      returned: always
    created_at:
      description: When the user was created, as the API reports it.
      type: str
      returned: always
    contact_methods:
      description: The email and phone contact methods, in the API's order.
      type: dict
      returned: when O(contact_methods=true)
      contains:
        emails:
          description: Email contact methods, each C(id), C(ext_id), C(label), C(value), C(rank) and C(verified).
          type: list
          elements: dict
          returned: when O(contact_methods=true)
        phones:
          description: Phone contact methods, each C(id), C(ext_id), C(label), C(value), C(rank) and C(verified).
          type: list
          elements: dict
          returned: when O(contact_methods=true)
    teams:
      description: The teams the user belongs to, each C(name) and C(slug).
      type: list
      elements: dict
      returned: when O(teams=true)
    paging_policy:
      description:
        - The personal paging policy's steps (0-based C(step), C(timeout) in minutes, C(rules)); each rule has its 0-based C(rule),
          C(type), C(contact_id) and C(contact), the contact method as C(kind), C(value) and C(label) (null for push rules).
        - An email, SMS or phone rule without a contact pages as push and is shown as one.
      type: list
      elements: dict
      returned: when O(paging_policy=true)
  sample:
    - username: jdoe
      first_name: John
      last_name: Doe
      email: john.doe@example.com
      verified: true
      created_at: "2024-05-01T09:30:00Z"
      contact_methods:
        emails:
          - {id: 100001, ext_id: "0e318016-75c8-11ea-b690-3c970e75c219", label: Default, value: john.doe@example.com, rank: 500, verified: true}
        phones:
          - {id: 100003, ext_id: "1f429127-75c8-11ea-b690-3c970e75c219", label: Mobile, value: "+1-555-0100", rank: 500, verified: true}
      teams:
        - {name: Operations, slug: team-Q2opsDemoTeam001}
      paging_policy:
        - step: 0
          timeout: 5
          rules:
            - {rule: 0, type: push, contact_id: null, contact: null}
            - {rule: 1, type: sms, contact_id: 100003, contact: {kind: phone, value: "+1-555-0100", label: Mobile}}
notes:
  description: What the module assumed, for example a user whose username differs from the one given in case alone.
  returned: success (empty when there is nothing to say)
  type: list
  elements: str
  sample: []
missing:
  description: The usernames of O(usernames) that the API does not know.
  returned: success
  type: list
  elements: str
  sample: [newhire]
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 4, "writes": 0, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {"get_user": 1}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import match_username, render_steps

USER_FIELDS = ("username", "first_name", "last_name", "email", "verified", "created_at")
CONTACT_FIELDS = ("id", "ext_id", "label", "value", "rank", "verified")


def find_users(client, usernames):
    """``(users, missing, notes)``: the user records asked for, with one read of the list, or of the user when only one is
    asked for. A username matches exactly; one that differs in case alone stands in only when the API answers a read
    of the given username with it (``_api.find_username``), and ``notes`` says so."""
    if usernames is not None and len(usernames) == 1:
        user = _api.get_user(client, usernames[0])
        if user is None:
            return [], list(usernames), []
        _match, note = match_username(usernames[0], [user["username"]], "usernames")
        return [user], [], [note] if note else []
    everyone = _api.list_users(client)
    if usernames is None:
        return everyone, [], []
    by_name = {user["username"]: user for user in everyone}
    found, missing, notes = [], [], []
    for name in usernames:
        match, note = _api.find_username(client, name, list(by_name), "usernames")
        if match is None:
            missing.append(name)
        elif by_name[match] not in found:
            found.append(by_name[match])
        notes += [note] if note else []
    return found, missing, notes


def read_users(vo):
    p = vo.params
    client = vo.client
    usernames = None if p["usernames"] is None else list(dict.fromkeys(p["usernames"]))
    records, missing, notes = find_users(client, usernames)
    users = []
    for record in records:
        user = {name: record.get(name) for name in USER_FIELDS}
        username = record["username"]
        steps = _api.get_paging_policy(client, username) if p["paging_policy"] else None
        contacts = None
        if p["contact_methods"] or any(rule["contact_id"] is not None for step in steps or [] for rule in step["rules"]):
            contacts = _api.list_contact_methods(client, username).contacts
            if p["contact_methods"]:
                user["contact_methods"] = {
                    section: [{name: c[name] for name in CONTACT_FIELDS} for c in contacts if c["kind"] == kind]
                    for kind, section in (("email", "emails"), ("phone", "phones"))
                }
        if p["teams"]:
            user["teams"] = _api.list_user_teams(client, username)
        if steps is not None:
            user["paging_policy"] = render_steps(steps, contacts)
        users.append(user)
    return False, None, None, dict(users=users, missing=missing, notes=notes)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            usernames=dict(type="list", elements="str"),
            contact_methods=dict(type="bool", default=True),
            teams=dict(type="bool", default=True),
            paging_policy=dict(type="bool", default=True),
        ),
        usernames=("usernames",),
        non_empty=[("usernames", "must not be empty: leave it out to read every user")],
    )
    vo.run(read_users)


if __name__ == "__main__":
    main()
