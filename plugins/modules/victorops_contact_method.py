#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: victorops_contact_method
short_description: Add or remove a VictorOps user's email address or phone number
version_added: 0.1.0
description:
  - Ensures a user has, or does not have, an email or phone contact method with the given value.
  - Reads only the user's contact methods of that kind (C(GET /api-public/v1/user/{user}/contact-methods/emails) or C(.../phones)),
    then adds the contact method (C(POST)) or removes it (C(DELETE .../{extId})) when needed.
  - Contact methods are matched by value, not by label. Email addresses are compared ignoring case; phone numbers
    ignoring spaces, dashes, dots and parentheses, so V(+1 (555\) 010-0100) matches V(+15550100100).
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
options:
  username:
    description:
      - The user owning the contact method.
    type: str
    required: true
  kind:
    description:
      - Whether the contact method is an email address or a phone number.
    type: str
    required: true
    choices: [email, phone]
  value:
    description:
      - The email address or phone number.
    type: str
    required: true
  label:
    description:
      - The label shown for the contact method, used only when it is created.
      - If not set, V(Email) or V(Phone) (after O(kind)) is used, because the API requires a label.
    type: str
  rank:
    description:
      - The rank of the contact method, used only when it is created. If not set the API chooses.
    type: int
  state:
    description:
      - V(present) adds the contact method when the user has none with that value; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The API cannot update a contact method. When one with the same value exists but its label or rank differs
    from O(label) or O(rank), the module leaves it as it is, reports no change and issues a warning.
    It does not delete and re-create it, because that would give it a new numeric id and break the paging
    policy rules that point at the old one.
  - The API refuses to remove a user's account email address and contact methods that paging policy rules still use.
  - A contact method the user has just added is unverified until the user confirms it; paging rules may not reach it before.
'''

EXAMPLES = r'''
- name: Give Alice a mobile phone
  victorops.oncall.victorops_contact_method:
    username: asmith
    kind: phone
    value: "+1 555 010 9999"
    label: Mobile
  register: phone

- name: Show the id paging policy rules use for it
  ansible.builtin.debug:
    msg: "{{ phone.contact_method.id }}"

- name: Add a team alias as a second email address
  victorops.oncall.victorops_contact_method:
    username: asmith
    kind: email
    value: platform-oncall@example.com
    label: Team alias

- name: Remove the phone again
  victorops.oncall.victorops_contact_method:
    username: asmith
    kind: phone
    value: "+15550109999"
    state: absent
'''

RETURN = r'''
contact_method:
  description: The contact method after the task; an empty dictionary when it does not exist.
  returned: success
  type: dict
  contains:
    id:
      description: Numeric id, the one paging policy rules refer to (null in check mode before creation).
      type: int
      returned: when the contact method exists
    ext_id:
      description: UUID identifying the contact method in the API's paths (null in check mode before creation).
      type: str
      returned: when the contact method exists
    label:
      description: Label.
      type: str
      returned: when the contact method exists
    value:
      description: The email address or phone number, as the API stores it.
      type: str
      returned: when the contact method exists
    kind:
      description: V(email) or V(phone).
      type: str
      returned: when the contact method exists
    rank:
      description: Rank.
      type: int
      returned: when the contact method exists
    verified:
      description: Whether the user has verified the contact method.
      type: bool
      returned: when the contact method exists
  sample: {"id": 1042, "ext_id": "0e318016-75c8-11ea-b690-3c970e75c219", "label": "Mobile", "value": "+1 555 010 9999",
           "kind": "phone", "rank": 500, "verified": false}
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
'''

import re

from ansible_collections.victorops.oncall.plugins.module_utils._client import NotFoundError
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._normalize import (
    CONTACT_KINDS,
    contact_method_list,
    contact_method_result,
    contact_value_key,
)
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import PlanError

# Literal path segments per kind, so that pacing counts each API operation under its own name.
CONTACTS = {
    "email": "/api-public/v1/user/{user}/contact-methods/emails",
    "phone": "/api-public/v1/user/{user}/contact-methods/phones",
}
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# After removing the punctuation contact_value_key ignores: an optional + and 3 to 20 digits.
PHONE_PATTERN = re.compile(r"^\+?[0-9]{3,20}$")


def read_contacts(client, username, kind):
    try:
        body = client.request("GET", CONTACTS[kind], params=dict(user=username))
    except NotFoundError:
        raise PlanError("username %r: the API knows no such user" % username)
    return contact_method_list(body, kind, "GET %s" % CONTACTS[kind])


def matching(contacts, kind, value):
    key = contact_value_key(kind, value)
    return [contact for contact in contacts if contact_value_key(kind, contact["value"]) == key]


def ensure_present(vo, current):
    p = vo.params
    client = vo.client
    username, kind, value = p["username"], p["kind"], p["value"].strip()
    value_field = CONTACT_KINDS[kind][1]
    if current is not None:
        differences = ["%s is %r, not %r" % (name, current[name], p[name]) for name in ("label", "rank")
                       if p[name] is not None and p[name] != current[name]]
        if differences:
            vo.module.warn("The %s contact method %r of user %r exists but its %s; the API cannot update a contact method, "
                           "so it is left as it is." % (kind, current["value"], username, " and ".join(differences)))
        vo.exit(False, before=current, after=current, contact_method=current)
        return

    label = p["label"] if p["label"] is not None else kind.capitalize()
    payload = {"label": label, value_field: value}
    if p["rank"] is not None:
        payload["rank"] = p["rank"]
    after = dict(id=None, ext_id=None, label=label, value=value, kind=kind, rank=p["rank"], verified=False)
    if not vo.check_mode:
        confirmed = []

        def confirm_write():
            found = matching(read_contacts(client, username, kind), kind, value)
            confirmed.extend(found[:1])
            return (True, None) if found else (False, None)

        answer = client.request("POST", CONTACTS[kind], params=dict(user=username), body=payload, confirm_write=confirm_write)
        # After an ambiguous create that the re-read confirmed, the re-read holds the contact method.
        after = confirmed[0] if confirmed else contact_method_result(answer, kind, "POST %s" % CONTACTS[kind])
    vo.exit(True, before={}, after=after, contact_method=after)


def ensure_absent(vo, found):
    p = vo.params
    client = vo.client
    username, kind = p["username"], p["kind"]
    if not found:
        vo.exit(False, before={}, after={}, contact_method={})
        return
    if not vo.check_mode:
        for contact in found:
            ext_id = contact["ext_id"]

            def confirm_write(ext_id=ext_id):
                remaining = [c for c in read_contacts(client, username, kind) if c["ext_id"] == ext_id]
                return (True, None) if not remaining else (False, None)

            client.request("DELETE", CONTACTS[kind] + "/{contactId}", params=dict(user=username, contactId=ext_id), confirm_write=confirm_write)
    vo.exit(True, before=found[0], after={}, contact_method={})


def manage_contact_method(vo):
    p = vo.params
    found = matching(read_contacts(vo.client, p["username"], p["kind"]), p["kind"], p["value"])
    if p["state"] == "present":
        ensure_present(vo, found[0] if found else None)
    else:
        ensure_absent(vo, found)


def check_options(p):
    """Problems with the options that the argument spec cannot see."""
    problems = []
    for name in ("username", "value", "label"):
        if p[name] is not None and not p[name].strip():
            problems.append("%s must not be empty" % name)
    value = (p["value"] or "").strip()
    if value and p["kind"] == "email" and not EMAIL_PATTERN.match(value):
        problems.append("value %r is not an email address (kind=email)" % p["value"])
    if value and p["kind"] == "phone" and not PHONE_PATTERN.match(contact_value_key("phone", value)):
        problems.append("value %r is not a phone number (kind=phone): expected digits with an optional leading +" % p["value"])
    if p["rank"] is not None and p["rank"] < 0:
        problems.append("rank must be 0 or more, got %d" % p["rank"])
    return problems


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            kind=dict(type="str", required=True, choices=["email", "phone"]),
            value=dict(type="str", required=True),
            label=dict(type="str"),
            rank=dict(type="int"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
    )
    problems = check_options(vo.params)
    if problems:
        vo.fail("; ".join(problems))
    vo.run(manage_contact_method)


if __name__ == "__main__":
    main()
