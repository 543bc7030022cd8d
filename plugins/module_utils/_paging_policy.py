# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Model and planner of a user's personal paging policy.

A policy is an ordered list of steps; a step has a ``timeout`` (minutes) and an ordered list of
rules; a rule has a notification ``type`` and, except for push, the numeric id of one of the
user's contact methods. Everything here is pure: it normalises API bodies, resolves contact
methods named by value or label, computes the writes that turn one policy into another, and
simulates those writes with the API's semantics:

* indexes are 0-based and always dense;
* deleting a rule moves the later rules of its step up by one;
* deleting the last rule of a step other than step 0 removes the step and moves later steps up;
* rule 0 of step 0 can never be deleted;
* a step is created with its timeout and rules in one call.

Some API versions keep a step whose last rule was deleted, with no rules, and offer an
undocumented step DELETE (REFERENCE.md marks both unknown): such empty steps are read as steps
with no rules and removed with ``delete_step``; the executor checks for them after removals.

Normalised step: ``{"timeout": int, "rules": [{"type": str, "contact_id": int or None}]}``.
"""

from __future__ import annotations

import collections
import copy

from ansible_collections.victorops.oncall.plugins.module_utils._errors import MalformedPolicyError, PlanError, SimulationError
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import (
    CONTACT_KIND,
    CONTACT_KINDS,
    RULE_TYPES,
    TIMEOUTS,
    contact_key,
    parse_contact_methods,
    rule_text,
)

# One planned write: ``operation`` is an operation name of ``_api.OPERATIONS`` (create_step,
# update_step, delete_step, create_rule, update_rule, delete_rule); ``params`` fills its path.
Write = collections.namedtuple("Write", ["operation", "params", "body", "summary"])


def _where(prefix):
    """``prefix: `` before a message about a whole rule or step, nothing for the module's own options."""
    return prefix + ": " if prefix else ""


def _option(prefix, name):
    """``prefix.name``, or ``name`` alone when the options are the module's own (no prefix)."""
    return "%s.%s" % (prefix, name) if prefix else name


# ----- normalisation of API bodies ------------------------------------------------------------


def _as_int(value, what, error=MalformedPolicyError):
    """An int from an int or a string of digits (the API sends timeouts both ways)."""
    if isinstance(value, bool):
        raise error("%s is %r, not a number" % (what, value))
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise error("%s is %r, not a number" % (what, value))


def _ordered(items, what):
    """``items`` sorted by their ``index`` when every item has a usable one, else in list order."""
    indexes = []
    for item in items:
        if not isinstance(item, dict):
            raise MalformedPolicyError("%s is not an object: %r" % (what, item))
        if item.get("index") is None:
            return list(items)
        indexes.append(_as_int(item["index"], "%s index" % what))
    return [item for _index, item in sorted(zip(indexes, items), key=lambda pair: pair[0])]


def normalize_rule(raw, what="rule"):
    """One API rule to ``{"type", "contact_id"}``; push rules lose whatever contact the API attached."""
    if not isinstance(raw, dict):
        raise MalformedPolicyError("%s is not an object: %r" % (what, raw))
    rule_type = raw.get("type")
    if not isinstance(rule_type, str) or rule_type.lower() not in RULE_TYPES:
        raise MalformedPolicyError("%s has an unknown type %r (known: %s)" % (what, rule_type, ", ".join(RULE_TYPES)))
    rule_type = rule_type.lower()
    contact = raw.get("contact")
    if rule_type == "push" or contact is None or contact == {}:
        # An email, sms or phone rule without a contact pages as push (the API falls back to push).
        return dict(type="push", contact_id=None)
    if not isinstance(contact, dict) or contact.get("id") is None:
        raise MalformedPolicyError("%s (%s) has no contact id" % (what, rule_type))
    return dict(type=rule_type, contact_id=_as_int(contact["id"], "%s contact id" % what))


def normalize_steps(api_body):
    """A ``get_paging_policy`` answer to normalised steps, ordered by index (a step may have no rules: some API versions keep empty steps)."""
    if not isinstance(api_body, dict):
        raise MalformedPolicyError("expected a JSON object, got %s" % type(api_body).__name__)
    raw_steps = api_body.get("steps")
    if not isinstance(raw_steps, list):
        raise MalformedPolicyError("expected a list under 'steps', got %s" % type(raw_steps).__name__)
    steps = []
    for i, raw in enumerate(_ordered(raw_steps, "step")):
        what = "step %d" % i
        if raw.get("timeout") is None:
            raise MalformedPolicyError("%s has no timeout" % what)
        raw_rules = raw.get("rules")
        if raw_rules is None:
            raw_rules = []
        if not isinstance(raw_rules, list):
            raise MalformedPolicyError("%s rules are not a list" % what)
        rules = [normalize_rule(rule, "%s rule %d" % (what, j)) for j, rule in enumerate(_ordered(raw_rules, what + " rule"))]
        steps.append(dict(timeout=_as_int(raw["timeout"], "%s timeout" % what), rules=rules))
    return steps


# ----- contact methods ------------------------------------------------------------------------


def _a(word):
    """``word`` with its indefinite article, by sound: an email, an sms, a phone, a push."""
    return ("an " if word in ("email", "sms") else "a ") + word


def _looks_like_email(value):
    return "@" in value


class ContactDirectory:
    """A user's email and phone contact methods, from the answer of ``list_contact_methods``.

    ``ContactDirectory(None)`` is an unloaded directory: contact ids are then taken on trust
    (the API checks them) and names cannot be resolved.
    """

    def __init__(self, contact_methods_body=None):
        self.loaded = contact_methods_body is not None
        # dicts: id, ext_id, kind, label, value, rank, verified
        self.contacts = parse_contact_methods(contact_methods_body) if self.loaded else []

    @classmethod
    def from_contacts(cls, contacts):
        """A loaded directory from contact methods already known (``[{id, kind, label, value}]``, as ``contacts`` holds them).

        Contacts without an id (not created yet: check mode) are left out.
        """
        directory = cls(None)
        directory.loaded = True
        for contact in contacts or []:
            if contact.get("id") is None or contact.get("kind") not in CONTACT_KINDS:
                continue
            directory.contacts.append(
                dict(
                    id=int(contact["id"]),
                    ext_id=contact.get("ext_id"),
                    kind=contact["kind"],
                    label=contact.get("label") or "",
                    value=contact.get("value") or "",
                    rank=contact.get("rank"),
                    verified=contact.get("verified"),
                )
            )
        return directory

    def by_id(self, contact_id):
        for contact in self.contacts:
            if contact["id"] == contact_id:
                return contact
        return None

    @staticmethod
    def _list(contacts):
        return ", ".join("%r (%s)" % (c["value"], c["label"]) for c in contacts) or "none"

    def _by_name(self, name, kind):
        """Contacts of ``kind`` matching ``name`` by value, else exact label, else case-insensitive label."""
        kind_contacts = [c for c in self.contacts if c["kind"] == kind]
        key = contact_key(kind, name)
        found = [c for c in kind_contacts if c["value"] and contact_key(kind, c["value"]) == key]
        if found:
            return found
        found = [c for c in kind_contacts if c["label"] == name]
        if found:
            return found
        return [c for c in kind_contacts if c["label"].lower() == name.lower()]

    def resolve(self, rule_type, contact=None, contact_id=None, option="rule"):
        """The contact-method id a rule of ``rule_type`` names through ``contact`` (value or label) or ``contact_id``."""
        if rule_type not in RULE_TYPES:
            raise PlanError("%s: %r is not one of %s" % (_option(option, "type"), rule_type, ", ".join(RULE_TYPES)))
        kind = CONTACT_KIND[rule_type]
        if kind is None:
            if contact is not None or contact_id is not None:
                raise PlanError(_where(option) + "a push rule pages every device of the user and takes no contact or contact_id")
            return None
        if contact is not None and contact_id is not None:
            raise PlanError(_where(option) + "give either contact or contact_id, not both")
        if contact is None and contact_id is None:
            raise PlanError("%s%s rule needs a contact (the %s contact method's value or label) or a contact_id" % (_where(option), _a(rule_type), kind))
        if contact_id is not None:
            return self._resolve_id(rule_type, kind, contact_id, option)
        return self._resolve_name(rule_type, kind, contact, option)

    def _resolve_id(self, rule_type, kind, contact_id, option):
        contact_id = _as_int(contact_id, _option(option, "contact_id"), error=PlanError)
        if not self.loaded:
            return contact_id
        found = self.by_id(contact_id)
        if found is None:
            raise PlanError(
                "%s: %d is not one of the user's contact methods (%s contact methods: %s)"
                % (_option(option, "contact_id"), contact_id, kind, self._list([c for c in self.contacts if c["kind"] == kind]))
            )
        if found["kind"] != kind:
            raise PlanError(
                "%s: %d is the %s contact method %r; %s rule needs %s contact method"
                % (_option(option, "contact_id"), contact_id, found["kind"], found["value"], _a(rule_type), _a(kind))
            )
        return contact_id

    def _resolve_name(self, rule_type, kind, contact, option):
        if not isinstance(contact, str) or not contact.strip():
            raise PlanError("%s: expected a contact method's value or label, got %r" % (_option(option, "contact"), contact))
        if kind == "phone" and _looks_like_email(contact):
            raise PlanError("%s: %r is an email address; %s rule needs a phone contact method" % (_option(option, "contact"), contact, _a(rule_type)))
        if not self.loaded:
            raise PlanError("%s: the user's contact methods were not read, so %r cannot be resolved" % (_option(option, "contact"), contact))
        found = self._by_name(contact, kind)
        if len(found) == 1:
            return found[0]["id"]
        if len(found) > 1:
            raise PlanError(
                "%s: %r matches several %s contact methods: %s; use contact_id or the value"
                % (_option(option, "contact"), contact, kind, ", ".join("%d %r (%s)" % (c["id"], c["value"], c["label"]) for c in found))
            )
        other_kind = "email" if kind == "phone" else "phone"
        if self._by_name(contact, other_kind):
            raise PlanError(
                "%s: %r is %s contact method; %s rule needs %s contact method" % (_option(option, "contact"), contact, _a(other_kind), _a(rule_type), _a(kind))
            )
        raise PlanError(
            "%s: no %s contact method of the user has the value or label %r (%s contact methods: %s)"
            % (_option(option, "contact"), kind, contact, kind, self._list([c for c in self.contacts if c["kind"] == kind]))
        )


# ----- desired state from module options --------------------------------------------------------


NOT_READ = ContactDirectory(None)


def needs_directory(rule_specs, current=None):
    """True when the user's contact methods must be read before planning.

    That is when some rule names its contact by value or label, or, given the ``current`` steps,
    when a rule gives a ``contact_id`` the policy does not use yet: such an id is checked before
    it is written, so a wrong id fails clearly before any write instead of half-applying a plan.
    An id the policy already uses was accepted by the API and needs no read.
    """
    known = {rule["contact_id"] for step in current or [] for rule in step["rules"]}
    for spec in rule_specs or []:
        if spec.get("type") == "push":
            continue
        if spec.get("contact") is not None:
            return True
        if current is not None and spec.get("contact_id") is not None and spec["contact_id"] not in known:
            return True
    return False


def desired_rule(spec, directory=None, option="rule"):
    """Module options ``{"type", "contact", "contact_id"}`` to a normalised rule."""
    if not isinstance(spec, dict):
        raise PlanError("%s: expected a dictionary with type and contact or contact_id, got %r" % (option or "rule", spec))
    rule_type = spec.get("type")
    if not isinstance(rule_type, str) or rule_type.lower() not in RULE_TYPES:
        raise PlanError("%s: %r is not one of %s" % (_option(option, "type"), rule_type, ", ".join(RULE_TYPES)))
    rule_type = rule_type.lower()
    directory = directory if directory is not None else ContactDirectory(None)
    contact_id = directory.resolve(rule_type, contact=spec.get("contact"), contact_id=spec.get("contact_id"), option=option)
    return dict(type=rule_type, contact_id=contact_id)


def desired_timeout(value, option="timeout"):
    try:
        timeout = _as_int(value, option, error=PlanError)
    except PlanError:
        timeout = None
    if timeout not in TIMEOUTS:
        raise PlanError("%s: %r is not one of the API's timeouts (%s minutes)" % (option, value, ", ".join(str(t) for t in TIMEOUTS)))
    return timeout


def desired_step(spec, directory=None, option="step"):
    """Module options ``{"timeout", "rules"}`` to a normalised step."""
    if not isinstance(spec, dict):
        raise PlanError("%s: expected a dictionary with timeout and rules, got %r" % (option, spec))
    timeout = desired_timeout(spec.get("timeout"), _option(option, "timeout"))
    rules = spec.get("rules")
    if not isinstance(rules, list) or not rules:
        raise PlanError("%s: a step needs at least one rule (the API has no empty steps)" % _option(option, "rules"))
    desired = [desired_rule(rule, directory, _option(option, "rules[%d]" % j)) for j, rule in enumerate(rules)]
    for j, rule in enumerate(desired):
        first = desired.index(rule)
        if first != j:
            raise PlanError(
                "%s and %s are the same rule (%s); a step pages each contact once: remove one of them"
                % (_option(option, "rules[%d]" % first), _option(option, "rules[%d]" % j), rule_text(rule, directory.contacts if directory else None))
            )
    return dict(timeout=timeout, rules=desired)


# ----- request bodies -------------------------------------------------------------------------


def rule_body(rule):
    if rule["type"] == "push":
        return {"type": "push"}
    return {"type": rule["type"], "contact": {"id": rule["contact_id"], "type": CONTACT_KIND[rule["type"]]}}


def step_body(step):
    return {"timeout": step["timeout"], "rules": [rule_body(rule) for rule in step["rules"]]}


def describe_rule(rule, contacts=None):
    """A rule as plans say it (the vocabulary's text form: the contact method and its id)."""
    return rule_text(rule, contacts)


def _describe_step(step, contacts=None):
    return "timeout %d, rules: %s" % (step["timeout"], "; ".join(describe_rule(rule, contacts) for rule in step["rules"]))


# ----- planners -------------------------------------------------------------------------------


def _post_step(username, index, step, contacts=None):
    return Write("create_step", dict(username=username), step_body(step), "add step %d (%s)" % (index, _describe_step(step, contacts)))


def _put_step(username, index, step, why="update", contacts=None):
    return Write("update_step", dict(username=username, step=index), step_body(step), "%s step %d (%s)" % (why, index, _describe_step(step, contacts)))


def _delete_rule(username, step, rule, note=""):
    return Write("delete_rule", dict(username=username, step=step, rule=rule), None, "delete rule %d of step %d%s" % (rule, step, note))


def _delete_step(username, index, note=""):
    return Write("delete_step", dict(username=username, step=index), None, "delete empty step %d%s" % (index, note))


def _removal_note(index, count):
    """The summary note of the delete that removes step ``index`` of ``count`` steps."""
    return " (its last rule: step %d is removed%s)" % (index, ", later steps move up" if index < count - 1 else "")


def _remove_step(username, steps, index, count=None, contacts=None):
    """Writes removing step ``index`` (never 0) when the policy has ``count`` steps: at most 2 calls.

    With 1 or 2 rules, its rules are deleted last first; with more, the step is first replaced by
    its rule 0 alone, then that rule is deleted. The step disappears with its last rule.
    """
    step = steps[index]
    note = _removal_note(index, len(steps) if count is None else count)
    rules = step["rules"]
    if not rules:
        # Only an API that keeps empty steps holds one; it removes them with the step DELETE.
        return [_delete_step(username, index, note)]
    if 1 <= len(rules) <= 2:
        return [_delete_rule(username, index, j, note if j == 0 else "") for j in range(len(rules) - 1, -1, -1)]
    keep = dict(timeout=step["timeout"], rules=[rules[0] if rules else dict(type="push", contact_id=None)])
    return [_put_step(username, index, keep, why="reduce to one rule before removing", contacts=contacts), _delete_rule(username, index, 0, note)]


def plan_policy(username, current, desired, contacts=None):
    """Writes that turn the whole policy ``current`` into ``desired``.

    Bound: at most ``len(desired) + 2 * max(0, len(current) - len(desired))`` writes (one per
    changed or added step, two at most per removed step). ``contacts`` (the user's contact methods, when read)
    make the summaries name each rule's contact method beside its id.
    """
    if not desired:
        raise PlanError("steps: a paging policy needs at least one step (step 0 cannot be removed)")
    writes = []
    for i in range(min(len(current), len(desired))):
        if current[i] != desired[i]:
            writes.append(_put_step(username, i, desired[i], contacts=contacts))
    for i in range(len(current) - 1, len(desired) - 1, -1):
        writes.extend(_remove_step(username, current, i, count=i + 1, contacts=contacts))
    for i in range(len(current), len(desired)):
        writes.append(_post_step(username, i, desired[i], contacts))
    return writes


def _range_text(count, noun):
    if count == 0:
        return "no %ss" % noun
    if count == 1:
        return "1 %s (0)" % noun
    return "%d %ss (0-%d)" % (count, noun, count - 1)


def _check_index(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PlanError("%s: expected an index of 0 or more, got %r" % (what, value))


def check_step_reachable(current, index):
    """Refuse a step index beyond the end: a new step can only be appended (index = number of steps)."""
    _check_index(index, "step")
    if index > len(current):
        raise PlanError("step: step %d is beyond the end: the policy has %s; create step %d first" % (index, _range_text(len(current), "step"), len(current)))


def check_step_exists(current, step):
    """Refuse a step index that names no step."""
    _check_index(step, "step")
    if step >= len(current):
        raise PlanError("step: step %d does not exist: the policy has %s" % (step, _range_text(len(current), "step")))


def plan_step(username, current, index, desired_step=None, match=None, contacts=None):
    """Writes making step ``index`` equal ``desired_step``, or removing it when ``desired_step`` is None.

    Removal is by index, and later steps move up: when ``match`` (a normalised step) is given, the
    step is removed only if it equals ``match``, so that running the same removal twice does not
    remove the step that moved up. At most 2 writes.
    """
    _check_index(index, "step")
    if desired_step is None:
        if index >= len(current) or (match is not None and current[index] != match):
            return []
        if index == 0:
            raise PlanError("step: step 0 cannot be removed (the API keeps at least one step); set its timeout and rules instead")
        return _remove_step(username, current, index, contacts=contacts)
    check_step_reachable(current, index)
    if index == len(current):
        return [_post_step(username, index, desired_step, contacts)]
    if current[index] == desired_step:
        return []
    return [_put_step(username, index, desired_step, contacts=contacts)]


def plan_rule(username, current, step, desired_rule=None, rule=None, state="present", contacts=None):
    """Writes for one rule of step ``step``.

    Without ``rule``: present appends ``desired_rule`` unless the step already has an equal rule;
    absent deletes every rule equal to ``desired_rule``. With ``rule`` (an index): present
    replaces or appends that rule; absent deletes it (only when it equals ``desired_rule``, if
    given, so that running the same task twice does not delete the rule that moved up).
    """
    check_step_exists(current, step)
    if rule is not None:
        _check_index(rule, "rule")
    if state == "present":
        return _plan_rule_present(username, current, step, desired_rule, rule, contacts)
    if state != "absent":
        raise PlanError("state: expected present or absent, got %r" % (state,))
    return _plan_rule_absent(username, current, step, desired_rule, rule, contacts)


def _plan_rule_present(username, current, step, desired_rule, rule, contacts):
    rules = current[step]["rules"]
    if desired_rule is None:
        raise PlanError("type: a rule to add needs a type")
    wanted = describe_rule(desired_rule, contacts)
    if rule is None:
        if desired_rule in rules:
            return []
        rule = len(rules)
    if rule > len(rules):
        raise PlanError("rule: rule %d is beyond the end of step %d: it has %s; add rule %d first" % (rule, step, _range_text(len(rules), "rule"), len(rules)))
    if rule == len(rules):
        return [Write("create_rule", dict(username=username, step=step), rule_body(desired_rule), "add rule %d to step %d (%s)" % (rule, step, wanted))]
    if rules[rule] == desired_rule:
        return []
    summary = "replace rule %d of step %d (%s) with %s" % (rule, step, describe_rule(rules[rule], contacts), wanted)
    return [Write("update_rule", dict(username=username, step=step, rule=rule), rule_body(desired_rule), summary)]


def _plan_rule_absent(username, current, step, desired_rule, rule, contacts):
    rules = current[step]["rules"]
    if rule is None:
        if desired_rule is None:
            raise PlanError("type: say which rules to remove (type and contact) or give the rule index")
        matching = [j for j, existing in enumerate(rules) if existing == desired_rule]
    elif rule < len(rules) and (desired_rule is None or rules[rule] == desired_rule):
        matching = [rule]
    else:
        matching = []
    if step == 0 and 0 in matching:
        raise PlanError("rule: rule 0 of step 0 (%s) cannot be deleted; replace it instead" % describe_rule(rules[0], contacts))
    removes_step = len(matching) == len(rules) and matching
    writes = []
    for j in sorted(matching, reverse=True):
        note = ""
        if removes_step and j == matching[0]:
            note = _removal_note(step, len(current))
        writes.append(_delete_rule(username, step, j, note))
    return writes


# ----- simulation -------------------------------------------------------------------------------


def _rule_from_body(body):
    return normalize_rule(body, "rule of the write body")


def _step_from_body(body):
    if not isinstance(body, dict) or not isinstance(body.get("rules"), list) or not body["rules"]:
        raise SimulationError("a step body needs a timeout and at least one rule: %r" % (body,))
    return dict(timeout=_as_int(body.get("timeout"), "step timeout", error=SimulationError), rules=[_rule_from_body(rule) for rule in body["rules"]])


def _param_index(write, name, length, noun):
    index = _as_int(write.params.get(name), "%s index of %s" % (noun, write.operation), error=SimulationError)
    if not 0 <= index < length:
        raise SimulationError("%s: %s %d does not exist (there are %d)" % (write.summary, noun, index, length))
    return index


def simulate(current, writes):
    """The steps after ``writes``, applied with the API's semantics; ``current`` is not modified."""
    steps = copy.deepcopy(current)
    for write in writes:
        operation = write.operation
        if operation == "create_step":
            steps.append(_step_from_body(write.body))
        elif operation == "update_step":
            steps[_param_index(write, "step", len(steps), "step")] = _step_from_body(write.body)
        elif operation == "delete_step":
            s = _param_index(write, "step", len(steps), "step")
            if s == 0:
                raise SimulationError("%s: step 0 cannot be deleted" % write.summary)
            del steps[s]
        elif operation == "create_rule":
            steps[_param_index(write, "step", len(steps), "step")]["rules"].append(_rule_from_body(write.body))
        elif operation == "update_rule":
            s = _param_index(write, "step", len(steps), "step")
            steps[s]["rules"][_param_index(write, "rule", len(steps[s]["rules"]), "rule")] = _rule_from_body(write.body)
        elif operation == "delete_rule":
            s = _param_index(write, "step", len(steps), "step")
            r = _param_index(write, "rule", len(steps[s]["rules"]), "rule")
            if s == 0 and r == 0:
                raise SimulationError("%s: rule 0 of step 0 cannot be deleted" % write.summary)
            del steps[s]["rules"][r]
            if not steps[s]["rules"]:
                del steps[s]
        else:
            raise SimulationError("%s is not a paging-policy write" % operation)
    return steps


# ----- presentation -----------------------------------------------------------------------------


def without_empty_steps(steps):
    """``steps`` without the empty steps some API versions keep after their last rule is deleted (never step 0)."""
    return [step for i, step in enumerate(steps) if step["rules"] or i == 0]
