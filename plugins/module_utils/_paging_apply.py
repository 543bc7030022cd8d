# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Execution of a paging-policy plan through the API client.

Writes are sent in order. When the client cannot tell whether a non-idempotent write took
effect (a 5xx, a dropped connection, a timeout), it calls back ``confirm_write``: the policy is
read again and compared with the simulated result of that one write. Because plans use indexes,
resending a write that did happen would damage the policy (a second rule deleted, a step added
twice), so a write is resent only when the policy is exactly as it was before it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import (
    CONTACT_METHODS,
    POLICY,
    ContactDirectory,
    MalformedPolicyError,
    PlanError,
    normalize_steps,
    simulate,
)


class PolicyChangedError(PlanError):
    """The policy read back after an uncertain write is neither the state before it nor the state after it."""


class PlanExecutionError(PlanError):
    """A write of the plan failed; ``applied`` and ``pending`` are the summaries of the writes on each side."""

    def __init__(self, applied, pending, error, uncertain=False):
        self.applied = list(applied)
        self.pending = list(pending)
        self.error = error
        self.status = getattr(error, "status", None)
        # ``uncertain``: the failed write (pending[0]) may have taken effect; it is named apart.
        self.uncertain = self.pending[0] if uncertain and self.pending else None
        not_applied = self.pending[1:] if self.uncertain else self.pending
        message = "Changing the paging policy failed at %r: %s. Applied: %s.%s Not applied: %s." % (
            self.pending[0] if self.pending else "?",
            error,
            "; ".join(self.applied) if self.applied else "none",
            " May or may not have been applied: %s." % self.uncertain if self.uncertain else "",
            "; ".join(not_applied) if not_applied else "none",
        )
        super().__init__(message)


def _client_error_types():
    """The client's error base class, imported late so that this file loads without the client."""
    try:
        from ansible_collections.victorops.oncall.plugins.module_utils._client import VictorOpsError
    except ImportError:
        return (PolicyChangedError, MalformedPolicyError)
    return (VictorOpsError, PolicyChangedError, MalformedPolicyError)


def _is_uncertain(error):
    """True when the failed write may have taken effect: its outcome was ambiguous, or the re-read found neither state."""
    if isinstance(error, PolicyChangedError):
        return True
    try:
        from ansible_collections.victorops.oncall.plugins.module_utils._client import AmbiguousWriteError
    except ImportError:
        return False
    return isinstance(error, AmbiguousWriteError)


def apply_plan(client, username, current, writes, reader=None):
    """Send ``writes`` in order, starting from the normalised steps ``current``; return the expected final steps.

    ``reader()`` returns the policy's normalised steps as they are now; by default it is one GET
    of the policy through ``client``.
    """
    if reader is None:
        def reader():
            return normalize_steps(client.request("GET", POLICY, params=dict(username=username)))

    errors = _client_error_types()
    expected = copy.deepcopy(current)
    summaries = [write.summary for write in writes]
    for position, write in enumerate(writes):
        before = expected
        after = simulate(before, [write])

        def confirm_write(before=before, after=after, write=write):
            observed = reader()
            if observed == after:
                return True, None
            if observed == before:
                return False, None
            raise PolicyChangedError(
                "The paging policy of %s changed unexpectedly while %r was being sent: it is neither the state before nor "
                "the state after that change. Read it again and re-run." % (username, write.summary)
            )

        try:
            client.request(write.method, write.template, params=write.params, body=write.body, confirm_write=confirm_write)
        except errors as exc:
            raise PlanExecutionError(summaries[:position], summaries[position:], exc, uncertain=_is_uncertain(exc))
        expected = after
    return expected


def read_steps(client, username):
    """The user's normalised steps (one GET); an unknown user is bad input, not an API failure."""
    from ansible_collections.victorops.oncall.plugins.module_utils._client import NotFoundError, ValidationError

    try:
        body = client.request("GET", POLICY, params=dict(username=username))
    except (NotFoundError, ValidationError) as exc:
        raise PlanError("user %s not found (%s)" % (username, exc))
    return normalize_steps(body)


def read_directory(client, username):
    """The user's contact methods (one GET)."""
    return ContactDirectory(client.request("GET", CONTACT_METHODS, params=dict(username=username)))


def converge(client, check_mode, username, current, writes):
    """The steps after ``writes``: sent and verified, or, in check mode, only simulated."""
    if check_mode or not writes:
        return simulate(current, writes)
    return apply_plan(client, username, current, writes)
