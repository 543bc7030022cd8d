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
  - Every user found also gets RV(users[].onboarding), the user in the input format of the role
    P(victorops.oncall.user_onboarding#role) (when all three parts are read), which the playbook C(victorops.oncall.export) writes out.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
attributes:
  check_mode:
    description: The module never changes anything and runs normally in check mode.
    support: full
  diff_mode:
    description: The module never changes anything, so there is no diff.
    support: none
options:
  usernames:
    description:
      - The users to read. Compared without regard to case.
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
    onboarding:
      description:
        - The user as one entry of C(user_onboarding_people), the input of the role P(victorops.oncall.user_onboarding#role).
        - C(phone) and C(phone_label) are the first phone contact method; C(contact_methods) holds every other email and phone
          (the account email is C(email)); C(teams) are slugs; C(paging_steps) name contacts by the placeholders V(email) and
          V(phone) where they are the account email or that first phone, else by value (by C(contact_id) when two contact
          methods of the user share a value).
        - A rule repeated in a step (for example an email rule without a contact, which pages as push, beside a push rule) is
          listed once, with a warning; applying the entry removes the repetition.
      type: dict
      returned: when O(contact_methods), O(teams) and O(paging_policy) are all true
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
      onboarding:
        username: jdoe
        first_name: John
        last_name: Doe
        email: john.doe@example.com
        phone: "+1-555-0100"
        phone_label: Mobile
        teams: [team-Q2opsDemoTeam001]
        paging_steps:
          - timeout: 5
            rules:
              - {type: push}
              - {type: sms, contact: phone}
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
from ansible_collections.victorops.oncall.plugins.module_utils._module import USERNAME_PATTERN, VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import contact_key, user_key

USER_FIELDS = ("username", "first_name", "last_name", "email", "verified", "created_at")


def shown_steps(steps, directory):
    """Normalised steps as returned: indexes, and each rule's contact method (kind, value, label)."""
    view = []
    for i, step in enumerate(steps):
        rules = []
        for j, rule in enumerate(step["rules"]):
            found = directory.by_id(rule["contact_id"]) if directory is not None and rule["contact_id"] is not None else None
            contact = dict(kind=found["kind"], value=found["value"], label=found["label"]) if found else None
            rules.append(dict(rule=j, type=rule["type"], contact_id=rule["contact_id"], contact=contact))
        view.append(dict(step=i, timeout=step["timeout"], rules=rules))
    return view


def onboarding_person(user):
    """``(person, repeated)``: the user (with contact methods, teams and paging policy read) as one entry of
    ``user_onboarding_people``, and a sentence per step that pages the same contact twice.

    The onboarding input refuses a rule repeated in a step, so a repeated rule is listed once: applying the export
    removes the repetition (the one change an exported file can make), and the module warns about it beforehand.
    """
    email = user["email"] or ""
    emails = user["contact_methods"]["emails"]
    phones = user["contact_methods"]["phones"]
    primary_phone = phones[0] if phones else None
    person = dict(username=user["username"], first_name=user["first_name"], last_name=user["last_name"], email=email)
    if primary_phone is not None:
        person["phone"] = primary_phone["value"]
        if primary_phone["label"]:
            person["phone_label"] = primary_phone["label"]
    others = [dict(type="email", value=c["value"], label=c["label"]) for c in emails if contact_key("email", c["value"]) != contact_key("email", email)]
    others += [dict(type="phone", value=c["value"], label=c["label"]) for c in phones[1:]]
    if others:
        person["contact_methods"] = others
    if user["teams"]:
        person["teams"] = [team["slug"] for team in user["teams"]]
    by_kind = dict(email=emails, phone=phones)
    steps, repeated = [], []
    for step in user["paging_policy"]:
        rules = []
        for rule in step["rules"]:
            contact = rule["contact"]
            if rule["type"] == "push":
                rules.append(dict(type="push"))
            elif contact is None:
                # A contact the contact-method list does not hold: only its id can name it.
                rules.append(dict(type=rule["type"], contact_id=rule["contact_id"]))
            elif contact["kind"] == "email" and contact_key("email", contact["value"]) == contact_key("email", email):
                rules.append(dict(type=rule["type"], contact="email"))
            elif (
                contact["kind"] == "phone"
                and primary_phone is not None
                and contact_key("phone", contact["value"]) == contact_key("phone", primary_phone["value"])
            ):
                rules.append(dict(type=rule["type"], contact="phone"))
            else:
                key = contact_key(contact["kind"], contact["value"])
                same_value = [c for c in by_kind[contact["kind"]] if contact_key(contact["kind"], c["value"]) == key]
                if len(same_value) == 1 and key:
                    rules.append(dict(type=rule["type"], contact=contact["value"]))
                else:
                    rules.append(dict(type=rule["type"], contact_id=rule["contact_id"]))
        distinct = [rule for j, rule in enumerate(rules) if rule not in rules[:j]]
        if len(distinct) < len(rules):
            repeated.append(
                "%s: paging step %d pages %s more than once (an email, SMS or phone rule without a contact pages as push); the"
                " onboarding input lists each page once, so applying it removes the repeated rule"
                % (user["username"], len(steps), ", ".join(sorted({_rule_text(r) for j, r in enumerate(rules) if r in rules[:j]})))
            )
        steps.append(dict(timeout=step["timeout"], rules=distinct))
    if steps:
        person["paging_steps"] = steps
    return person, repeated


def _rule_text(rule):
    target = rule.get("contact", rule.get("contact_id"))
    return rule["type"] if target is None else "%s to %s" % (rule["type"], target)


def find_users(client, usernames):
    """``(users, missing)``: the user records asked for, with one read of the list, or of the user when only one is asked for."""
    if usernames is not None and len(usernames) == 1:
        user = _api.get_user(client, usernames[0])
        return ([user], []) if user is not None else ([], list(usernames))
    everyone = _api.list_users(client)
    if usernames is None:
        return everyone, []
    by_key = {}
    for user in everyone:
        by_key.setdefault(user_key(user["username"]), user)
    found = [by_key[user_key(name)] for name in usernames if user_key(name) in by_key]
    return found, [name for name in usernames if user_key(name) not in by_key]


def read_users(vo):
    p = vo.params
    client = vo.client
    usernames = None
    if p["usernames"] is not None:
        seen = set()
        usernames = [name for name in p["usernames"] if not (user_key(name) in seen or seen.add(user_key(name)))]
    records, missing = find_users(client, usernames)
    users = []
    for record in records:
        user = {name: record.get(name) for name in USER_FIELDS}
        username = record["username"]
        steps = _api.get_paging_policy(client, username) if p["paging_policy"] else None
        directory = None
        needs_contacts = p["contact_methods"] or any(rule["contact_id"] is not None for step in steps or [] for rule in step["rules"])
        if needs_contacts:
            contacts, directory = _api.read_contact_methods(client, username)
            if p["contact_methods"]:
                user["contact_methods"] = dict(emails=contacts["email"], phones=contacts["phone"])
        if p["teams"]:
            user["teams"] = _api.list_user_teams(client, username)
        if steps is not None:
            user["paging_policy"] = shown_steps(steps, directory)
        if p["contact_methods"] and p["teams"] and p["paging_policy"]:
            user["onboarding"], repeated = onboarding_person(user)
            for sentence in repeated:
                vo.module.warn(sentence)
        users.append(user)
    return False, None, None, dict(users=users, missing=missing)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            usernames=dict(type="list", elements="str"),
            contact_methods=dict(type="bool", default=True),
            teams=dict(type="bool", default=True),
            paging_policy=dict(type="bool", default=True),
        ),
    )
    usernames = vo.params["usernames"]
    if usernames is not None:
        if not usernames:
            vo.fail("usernames must not be empty: leave it out to read every user")
        bad = [name for name in usernames if not isinstance(name, str) or not USERNAME_PATTERN.match(name)]
        if bad:
            vo.fail(
                "usernames: %s %s not valid: a username may only contain letters, digits, '.', '_', '-', '@' and '+'"
                % (", ".join(repr(name) for name in bad), "is" if len(bad) == 1 else "are")
            )
    vo.run(read_users)


if __name__ == "__main__":
    main()
