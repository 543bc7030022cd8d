# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The options of the paging modules, documented once. Documentation fragments are plain strings (the sanity tests
    # read them without running Python), so a rule's options appear at three depths below; a unit test
    # (tests/unit/plugins/modules/test_doc_fragments.py) checks that the three are the same and match the argument spec.

    # The rule options of victorops_paging_rule, at the top level.
    RULE = r"""
options:
  type:
    description:
      - How to notify. V(push) notifies every device of the user and takes no contact.
      - V(email) needs an email contact method; V(sms) and V(phone) need a phone contact method, named by C(contact) or
        C(contact_id) (one of the two, not both).
    type: str
    required: true
    choices: [push, email, sms, phone]
  contact:
    description:
      - The contact method, by its value (an email address or phone number) or by its label.
      - Email addresses are compared without regard to case; phone numbers ignoring spaces, dashes, dots and parentheses.
      - Mutually exclusive with C(contact_id).
    type: str
  contact_id:
    description:
      - The contact method's numeric id, as the API uses it in paging rules (a boolean is refused).
      - An id the policy already uses needs no read; a new one is checked against the user's contact methods (one read) before it is written.
      - Mutually exclusive with C(contact).
    type: int
"""

    # The rules of one step and its timeout (victorops_paging_step); the module says when they are required.
    RULES = r"""
options:
  rules:
    description:
      - The notification rules of the step, in order. At least one.
    type: list
    elements: dict
    suboptions:
      type:
        description:
          - How to notify. V(push) notifies every device of the user and takes no contact.
          - V(email) needs an email contact method; V(sms) and V(phone) need a phone contact method, named by C(contact) or
            C(contact_id) (one of the two, not both).
        type: str
        required: true
        choices: [push, email, sms, phone]
      contact:
        description:
          - The contact method, by its value (an email address or phone number) or by its label.
          - Email addresses are compared without regard to case; phone numbers ignoring spaces, dashes, dots and parentheses.
          - Mutually exclusive with C(contact_id).
        type: str
      contact_id:
        description:
          - The contact method's numeric id, as the API uses it in paging rules (a boolean is refused).
          - An id the policy already uses needs no read; a new one is checked against the user's contact methods (one read) before it is written.
          - Mutually exclusive with C(contact).
        type: int
  timeout:
    description:
      - Minutes to wait for an acknowledgement before the next step runs.
    type: int
    choices: [1, 5, 10, 15, 20, 25, 30, 45, 60]
"""

    # The steps of a whole policy (victorops_paging_policy).
    STEPS = r"""
options:
  steps:
    description:
      - The steps of the policy, in order. At least one, because the first step of a policy cannot be removed.
    type: list
    elements: dict
    required: true
    suboptions:
      timeout:
        description:
          - Minutes to wait for an acknowledgement before the next step runs.
        type: int
        choices: [1, 5, 10, 15, 20, 25, 30, 45, 60]
        required: true
      rules:
        description:
          - The notification rules of the step, in order. At least one.
        type: list
        elements: dict
        required: true
        suboptions:
          type:
            description:
              - How to notify. V(push) notifies every device of the user and takes no contact.
              - V(email) needs an email contact method; V(sms) and V(phone) need a phone contact method, named by C(contact) or
                C(contact_id) (one of the two, not both).
            type: str
            required: true
            choices: [push, email, sms, phone]
          contact:
            description:
              - The contact method, by its value (an email address or phone number) or by its label.
              - Email addresses are compared without regard to case; phone numbers ignoring spaces, dashes, dots and parentheses.
              - Mutually exclusive with C(contact_id).
            type: str
          contact_id:
            description:
              - The contact method's numeric id, as the API uses it in paging rules (a boolean is refused).
              - An id the policy already uses needs no read; a new one is checked against the user's contact methods (one read) before it is written.
              - Mutually exclusive with C(contact).
            type: int
"""

    # A user's contact methods as an earlier task returned them; each module says where they come from.
    CONTACT_METHODS = r"""
options:
  contact_methods:
    type: list
    elements: dict
    suboptions:
      id:
        description: Numeric id (null for a contact method not created yet, in check mode).
        type: int
      ext_id:
        description: UUID of the contact method.
        type: str
      kind:
        description: V(email) or V(phone).
        type: str
        required: true
        choices: [email, phone]
      label:
        description: Label.
        type: str
      value:
        description: The email address or phone number.
        type: str
        required: true
"""
