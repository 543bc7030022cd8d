#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_contact_method
short_description: Add or remove a VictorOps user's email address or phone number
version_added: 0.1.0
description:
  - Ensures a user has, or does not have, an email or phone contact method with the given value.
  - Reads only the user's contact methods of that kind (operation C(list_emails) or C(list_phones)); all kinds in one
    read (C(list_contact_methods)) with O(all_kinds), none when O(contact_methods) gives them; then adds the contact
    method (C(add_email)/C(add_phone)) or removes it (C(delete_email)/C(delete_phone)) when needed.
  - Contact methods are matched by value, not by label. Email addresses are compared ignoring case; phone numbers
    by their digits, so V(+1 (555\) 010-0100) matches V(+15550100100) and V(+1 555-010-0100), whichever format the API stores.
  - When the API's answer to the create has no C(extId), the contact method is read back once.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
  - victorops.oncall._connection.check_diff
  - victorops.oncall._paging.contact_methods
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
      - A phone number is given in E.164 form, a V(+) and the country code first; spaces, dots, dashes and parentheses
        may group the digits (V(+1 555 010 0100)). A number without its country code (V(5550100100)) is refused.
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
  all_kinds:
    description:
      - Read all the user's email and phone contact methods in one call (operation C(list_contact_methods)) instead of
        only those of O(kind), and return them as RV(contact_methods), so that later tasks on the same user
        (O(contact_methods) here, O(victorops.oncall.victorops_paging_policy#module:contact_methods)) need not read them again.
      - Only with O(state=present).
    type: bool
    default: false
  contact_methods:
    description:
      - The user's email and phone contact methods, as the RV(contact_methods) result of an earlier task of this module on
        the same user returned them. When given, the module does not read the contact methods and trusts this list;
        pass it only when nothing else changed the user's contact methods in between.
      - Only with O(state=present). The result RV(contact_methods) is this list with the contact method added, if it was.
notes:
  - The API cannot update a contact method. When one with the same value exists but its label or rank differs
    from O(label) or O(rank), the module leaves it as it is, reports no change and issues a warning.
    It does not delete and re-create it, because that would give it a new numeric id and break the paging
    policy rules that point at the old one.
  - The API refuses to remove a user's account email address and contact methods that paging policy rules still use.
  - A contact method the user has just added is unverified until the user confirms it; paging rules may not reach it before.
"""

EXAMPLES = r"""
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
"""

RETURN = r"""
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
contact_methods:
  description:
    - All the user's email and phone contact methods after the task (in check mode, with the one that would be added, its C(id) null).
    - C(ext_id) may be missing when the API's list of all contact methods does not give it.
  returned: when O(all_kinds) is true or O(contact_methods) is given
  type: list
  elements: dict
  sample: [{"id": 1041, "ext_id": "0e318016-75c8-11ea-b690-3c970e75c218", "kind": "email", "label": "Default", "value": "asmith@example.com"},
           {"id": 1042, "ext_id": "0e318016-75c8-11ea-b690-3c970e75c219", "kind": "phone", "label": "Mobile", "value": "+1 555 010 9999"}]
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 2, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._module import CONTACT_METHODS_OPTION, STATE_OPTION, VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import CONTACT_KINDS


def ensure_present(vo, found):
    p = vo.params
    username, kind, value = p["username"], p["kind"], p["value"].strip()
    if found:
        current = found[0]
        differences = [
            "%s is %r, not %r" % (name, current[name], p[name])
            for name in ("label", "rank")
            if p[name] is not None and current.get(name) is not None and p[name] != current[name]
        ]
        if differences:
            vo.module.warn(
                "The %s contact method %r of user %r exists but its %s; the API cannot update a contact method, "
                "so it is left as it is." % (kind, current["value"], username, " and ".join(differences))
            )
        return False, current, current, dict(contact_method=current)
    label = p["label"] if p["label"] is not None else kind.capitalize()
    after = dict(id=None, ext_id=None, label=label, value=value, kind=kind, rank=p["rank"], verified=False)
    if not vo.check_mode:
        after = _api.add_contact_method(vo.client, username, kind, value, label, p["rank"])
    return True, {}, after, dict(contact_method=after)


def ensure_absent(vo, found):
    if not found:
        return False, {}, {}, dict(contact_method={})
    if not vo.check_mode:
        for contact in found:
            _api.delete_contact_method(vo.client, vo.params["username"], vo.params["kind"], contact)
    return True, found[0], {}, dict(contact_method={})


def _known(contact):
    """A contact method of the list of all kinds (or of O(contact_methods)) in this module's result form."""
    return dict(
        id=contact.get("id"),
        ext_id=contact.get("ext_id"),
        label=contact.get("label"),
        value=contact.get("value"),
        kind=contact["kind"],
        rank=contact.get("rank"),
        verified=contact.get("verified"),
    )


def _listed(contact):
    return {key: contact.get(key) for key in ("id", "ext_id", "kind", "label", "value")}


def manage_contact_method(vo):
    p = vo.params
    if p["contact_methods"] is None and not p["all_kinds"]:
        contacts = _api.list_contact_methods(vo.client, p["username"], p["kind"])
        found = _api.matching_contacts(contacts, p["kind"], p["value"])
        if p["state"] == "present":
            return ensure_present(vo, found)
        return ensure_absent(vo, found)
    # Every contact method of the user, from one read or from an earlier task's result.
    if p["contact_methods"] is not None:
        known = [_known(contact) for contact in p["contact_methods"]]
    else:
        known = [_known(contact) for contact in _api.list_contact_methods(vo.client, p["username"]).contacts]
    found = _api.matching_contacts([c for c in known if c["kind"] == p["kind"]], p["kind"], p["value"])
    changed, before, after, extra = ensure_present(vo, found)
    extra["contact_methods"] = [_listed(contact) for contact in known] + ([_listed(after)] if changed else [])
    return changed, before, after, extra


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            kind=dict(type="str", required=True, choices=list(CONTACT_KINDS)),
            value=dict(type="str", required=True),
            label=dict(type="str"),
            rank=dict(type="int"),
            state=STATE_OPTION,
            all_kinds=dict(type="bool", default=False),
            contact_methods=CONTACT_METHODS_OPTION,
        ),
        usernames=("username",),
        non_empty=("value", "label"),
        non_negative=("rank",),
        contact_values=[("kind", "value")],
        only_with=dict(all_kinds=("state", "present"), contact_methods=("state", "present")),
    )
    vo.run(manage_contact_method)


if __name__ == "__main__":
    main()
