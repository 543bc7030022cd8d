# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Execution of a paging-policy plan through the API.

Writes are sent in order. When the client cannot tell whether a write took effect (a 5xx, a
dropped connection, a timeout), it calls back ``confirm_write``: the policy is read again and
compared with the simulated result of that one write: applied, it is done; exactly as before it,
the client reports that the write may or may not have been applied (it might still land late);
anything else is a ``PolicyChangedError``. Because plans use indexes, re-sending a write that did
happen would damage the policy (a second rule deleted, a step added twice), so a paging write is
never re-sent (none is in ``_api.RESEND_SAFE``).

``converge_steps`` is the one entry point of the three paging modules: plan already made, it
simulates (check mode) or sends the writes, and checks the outcome where the API is uncertain.
"""

from __future__ import annotations

import copy
from typing import Any
from collections.abc import Callable

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._errors import (
    MalformedPolicyError,
    PlanExecutionError,
    PolicyChangedError,
    VictorOpsError,
)
from ansible_collections.victorops.oncall.plugins.module_utils._paging_policy import Write, simulate, without_empty_steps


def apply_plan(
    client, username: str, current: list[dict[str, Any]], writes: list[Write], reader: Callable[[], list[dict[str, Any]]] | None = None
) -> list[dict[str, Any]]:
    """Send ``writes`` in order, starting from the normalised steps ``current``; return the expected final steps.

    ``reader()`` returns the policy's normalised steps as they are now; by default it is one read
    of the policy.
    """
    if reader is None:

        def reader():
            return _api.get_paging_policy(client, username)

    expected = copy.deepcopy(current)
    summaries = [write.summary for write in writes]
    for position, write in enumerate(writes):
        before = expected
        after = simulate(before, [write])

        def confirm_write(before=before, after=after, write=write):
            observed = reader()
            # An API that keeps empty steps shows a removed step as an empty one: the write did happen.
            if observed == after or without_empty_steps(observed) == after:
                return True, None
            if observed == before:
                return False, None
            raise PolicyChangedError(
                "The paging policy of %s changed unexpectedly while %r was being sent: it is neither the state before nor "
                "the state after that change. Read it again and re-run." % (username, write.summary)
            )

        try:
            _api.send_paging_write(client, write, confirm_write)
        except (VictorOpsError, PolicyChangedError, MalformedPolicyError) as exc:
            raise PlanExecutionError(summaries[:position], summaries[position:], exc) from None
        expected = after
    return expected


def _removes_steps(writes: list[Write], current: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    return len(expected) < len(current) or any(write.operation == "delete_step" for write in writes)


def _remove_empty_steps(client, username: str, observed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Remove, last first, the empty steps an API that keeps them has left (never step 0)."""
    for index in range(len(observed) - 1, 0, -1):
        if observed[index]["rules"]:
            continue
        write = Write("delete_step", dict(username=username, step=index), None, "delete empty step %d" % index)
        apply_plan(client, username, observed, [write])
        observed = simulate(observed, [write])
    return observed


def converge_steps(client, check_mode: bool, username: str, current: list[dict[str, Any]], writes: list[Write]) -> list[dict[str, Any]]:
    """The steps after ``writes``: in check mode only simulated; otherwise sent and, where needed, verified.

    After writes that remove steps, the policy is read once: an API that keeps a step whose last rule
    was deleted leaves it empty, and that step is then removed with the step DELETE. A paging write is
    never sent twice (none is in ``_api.RESEND_SAFE``): a write whose outcome was unknown has already
    been settled by its own ``confirm_write`` read. Otherwise there is no read after the writes.
    """
    if check_mode or not writes:
        return simulate(current, writes)
    expected = apply_plan(client, username, current, writes)
    if not _removes_steps(writes, current, expected):
        return expected
    observed = _api.get_paging_policy(client, username)
    if any(not step["rules"] for step in observed[1:]):
        observed = _remove_empty_steps(client, username, observed)
    if observed != expected:
        raise PolicyChangedError(
            "The paging policy of %s is not as planned after the writes (%s): it changed while the task ran, or a write "
            "the API answered ambiguously was applied differently; re-run to converge." % (username, "; ".join(w.summary for w in writes))
        )
    return observed
