# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logic of the playbook victorops.oncall.export, as pure functions behind its filters.

* :func:`requested_usernames` reads ``export_usernames`` (a list, or a comma-separated string).
* :func:`input_problems` checks the playbook's variables before any API call.
* :func:`read_problems` checks what ``victorops_user_info`` read (unknown users, users without a paging policy).
* :func:`export` turns the users ``victorops_user_info`` read whole into the input of the role
  victorops.oncall.user_onboarding, with a note per step that pages the same contact twice.
* :func:`export_teams` turns the team list and those users into the role's ``user_onboarding_teams``.
"""

from __future__ import annotations

import re

from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import contact_key, name_problem

_LIST_EDGES = re.compile(r"^\s*\[|\]\s*$")
_QUOTES = re.compile(r"^['\"]|['\"]$")


def requested_usernames(value):
    """``export_usernames`` as a list: a list as given, a comma-separated string ("jdoe,asmith" or "[jdoe, asmith]"), None when unset."""
    if value is None:
        return None
    if isinstance(value, str):
        names = [_QUOTES.sub("", name.strip()) for name in _LIST_EDGES.sub("", value).split(",")]
        return [name for name in names if name]
    return list(value) if isinstance(value, (list, tuple)) else value


def input_problems(export_file, usernames):
    """The problems of the playbook's variables (``usernames`` as :func:`requested_usernames` returns it)."""
    problems = []
    if not isinstance(export_file, str) or not export_file.strip():
        problems.append("export_file is required: the path of the YAML file to write, for example -e export_file=people.yml")
    if usernames is not None and (not isinstance(usernames, list) or not usernames or not all(isinstance(name, str) for name in usernames)):
        problems.append("export_usernames must be a non-empty list of usernames (leave it out to export every user)")
    return problems


def read_problems(result):
    """The problems of a ``victorops_user_info`` result as an export: unknown users, users without a paging policy."""
    problems = []
    if result.get("missing"):
        problems.append("export_usernames: no VictorOps user is named %s" % ", ".join(result["missing"]))
    empty = [user["username"] for user in result.get("users") or [] if not user.get("paging_policy")]
    if empty:
        problems.append(
            "%s %s no paging policy step, which the onboarding input cannot express (without paging_steps the default template applies);"
            " give them a step in VictorOps first" % (", ".join(empty), "has" if len(empty) == 1 else "have")
        )
    return problems


def export(users):
    """``{people, notes}``: each user (read whole by ``victorops_user_info``) as onboarding input, and the notes of repeated pages."""
    people, notes = [], []
    for user in users:
        person, repeated = onboarding_person(user)
        people.append(person)
        notes.extend(repeated)
    return dict(people=people, notes=notes)


def export_teams(users, teams, every_user=True):
    """``user_onboarding_teams``: each team (``[{name, slug}]``) with the exported users who are its members.

    Members are never purged by the entries (``purge_members: false``). When only some users are exported
    (``every_user`` false), only their teams are, with them as members. A team whose name no option takes (a control
    character, such as a line break, or more than 255 characters) is left out: its entry could not be applied.
    """
    result = []
    for team in teams:
        if name_problem(team["name"]):
            continue
        members = [user["username"] for user in users if team["slug"] in [t.get("slug") for t in user.get("teams") or []]]
        if members or every_user:
            result.append(dict(name=team["name"], members=members, purge_members=False))
    return result


def _person_contacts(user, email):
    emails = user["contact_methods"]["emails"]
    phones = user["contact_methods"]["phones"]
    others = [dict(type="email", value=c["value"], label=c["label"]) for c in emails if contact_key("email", c["value"]) != contact_key("email", email)]
    others += [dict(type="phone", value=c["value"], label=c["label"]) for c in phones[1:]]
    return others


def _rule(rule, email, primary_phone, by_kind):
    """One rule of the paging policy as onboarding input: placeholders for the person's own contacts, else the value, else the id."""
    contact = rule["contact"]
    if rule["type"] == "push":
        return dict(type="push")
    if contact is None:
        # A contact the contact-method list does not hold: only its id can name it.
        return dict(type=rule["type"], contact_id=rule["contact_id"])
    key = contact_key(contact["kind"], contact["value"])
    if contact["kind"] == "email" and key == contact_key("email", email):
        return dict(type=rule["type"], contact="email")
    if contact["kind"] == "phone" and primary_phone is not None and key == contact_key("phone", primary_phone["value"]):
        return dict(type=rule["type"], contact="phone")
    same_value = [c for c in by_kind[contact["kind"]] if contact_key(contact["kind"], c["value"]) == key]
    if len(same_value) == 1 and key:
        return dict(type=rule["type"], contact=contact["value"])
    return dict(type=rule["type"], contact_id=rule["contact_id"])


def onboarding_person(user):
    """``(person, repeated)``: the user (with contact methods, teams and paging policy read) as one entry of
    ``user_onboarding_people``, and a sentence per step that pages the same contact twice.

    The onboarding input refuses a rule repeated in a step, so a repeated rule is listed once: applying the export
    removes the repetition (the one change an exported file can make), and the playbook says so beforehand.
    """
    email = user["email"] or ""
    phones = user["contact_methods"]["phones"]
    primary_phone = phones[0] if phones else None
    person = dict(username=user["username"], first_name=user["first_name"], last_name=user["last_name"], email=email)
    if primary_phone is not None:
        person["phone"] = primary_phone["value"]
        if primary_phone["label"]:
            person["phone_label"] = primary_phone["label"]
    others = _person_contacts(user, email)
    if others:
        person["contact_methods"] = others
    if user["teams"]:
        person["teams"] = [team["slug"] for team in user["teams"]]
    by_kind = dict(email=user["contact_methods"]["emails"], phone=phones)
    steps, repeated = [], []
    for step in user["paging_policy"]:
        rules = [_rule(rule, email, primary_phone, by_kind) for rule in step["rules"]]
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
