# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the client does after one exchange: the retry decisions, pure (no I/O, no clock).

``decide`` maps the outcome of an exchange, what the request is (a read, a write that may be re-sent,
a write that may only be confirmed) and the state of its budgets to an action: re-send after a delay,
confirm with a read, or raise. The client (``_client.py``) classifies answers into outcomes and carries
the actions out.

The write-safety rule: a write whose outcome is uncertain (it was sent, and no answer says what became of
it) is re-sent only when it is resend-safe: addressed by a stable identity and idempotent, so that a lost
copy landing at any later time can change nothing but its own object, to the same value. Any other write is
never re-sent after it may have been sent: it is confirmed by a read, and when the read does not show it,
the task reports that it may or may not have been applied (``_api.RESEND_SAFE`` lists the resend-safe writes).
"""

from __future__ import annotations

import enum
from collections import namedtuple

# A request that got no answer at all is re-sent at most this many times: a server that accepts and never
# answers costs (1 + TIMEOUT_RETRIES) request timeouts, not the whole retry budget.
TIMEOUT_RETRIES = 2
# Connections that cannot be established are retried briefly: a restarting load balancer comes back within
# seconds, a wrong host or a firewall does not.
UNSENT_RETRIES = 2
UNSENT_BUDGET = 10.0


class Outcome(enum.Enum):
    """What one exchange says about the request."""

    THROTTLED = "throttled"  # 429, or a 403 that means throttling: the API did not process it
    UNSENT = "unsent"  # the connection was never established: the API never saw it
    NO_ANSWER = "no_answer"  # sent, no answer in time: the API may still carry it out, at any later time
    LOST = "lost"  # sent, the answer lost (dropped connection) or a gateway's 502/503/504: it may land
    BODY_LOST = "body_lost"  # a 2xx status line arrived, then the body was lost: applied, result unknown
    FAILED = "failed"  # a server failure (500, ...) that re-sending does not cure
    FATAL = "fatal"  # an answer re-sending cannot change (refusal, authentication, not found, TLS, DNS)


# Outcomes after which a write may have taken effect.
UNCERTAIN = frozenset([Outcome.NO_ANSWER, Outcome.LOST, Outcome.BODY_LOST, Outcome.FAILED])


class Action(enum.Enum):
    RETRY = "retry"  # send the request again after ``delay`` seconds
    CONFIRM = "confirm"  # wait ``delay`` seconds, then ask the request's confirm_write whether it was applied
    RAISE = "raise"  # give up: raise the outcome's error, with ``reason`` said


class Reason(enum.Enum):
    """Why a request is given up (the client words each one)."""

    FINAL = "final"  # the outcome is final in itself
    NOT_RESEND_SAFE = "not_resend_safe"  # an uncertain write that may not be re-sent and cannot be confirmed
    NO_TIME_TO_CONFIRM = "no_time_to_confirm"  # confirming safely takes longer than the deadline leaves
    RETRY_AFTER_TOO_LONG = "retry_after_too_long"  # the API asked for a wait longer than the budgets leave
    NO_RETRIES_LEFT = "no_retries_left"
    RETRY_TIMEOUT_SPENT = "retry_timeout_spent"
    DEADLINE = "deadline"
    UNSENT_BUDGET = "unsent_budget"
    NO_ANSWER_BUDGET = "no_answer_budget"


Decision = namedtuple("Decision", "action delay reason")

# The request and its history so far.
#   read: a GET; resend_safe: a write that may be re-sent after an uncertain outcome; can_confirm: it has a confirm_write;
#   resends, unsent_resends, no_answer_resends: re-sends so far (all, after UNSENT, after NO_ANSWER);
#   uncertain_before: an earlier attempt of this request ended in an uncertain outcome; elapsed: seconds since the first.
Request = namedtuple("Request", "read resend_safe can_confirm resends unsent_resends no_answer_resends uncertain_before elapsed")

# The budgets: retries (re-sends), seconds left of retry_timeout and of the deadline, the wait before a confirming read.
Budgets = namedtuple("Budgets", "retries retry_left deadline_left confirm_wait")

# The wait the answer and the backoff propose: ``delay`` (Retry-After, else a jittered backoff), ``asked`` (Retry-After or None).
Wait = namedtuple("Wait", "delay asked")


def _confirm(wait: Wait, budgets: Budgets) -> Decision:
    # A confirming read taken before a gateway (or the API behind it) has carried the write out would miss it.
    delay = max(wait.delay, budgets.confirm_wait)
    if delay >= budgets.deadline_left:
        return Decision(Action.RAISE, delay, Reason.NO_TIME_TO_CONFIRM)
    return Decision(Action.CONFIRM, delay, None)


def _retry(outcome: Outcome, request: Request, budgets: Budgets, wait: Wait) -> Decision:
    left = min(budgets.retry_left, budgets.deadline_left)
    if wait.asked is not None and wait.asked > 0 and wait.asked > left and request.resends < budgets.retries:
        return Decision(Action.RAISE, wait.asked, Reason.RETRY_AFTER_TOO_LONG)
    delay = wait.delay if wait.asked is not None else min(wait.delay, max(left, 0.0))
    if request.resends >= budgets.retries:
        reason = Reason.NO_RETRIES_LEFT
    elif budgets.retry_left <= 0:
        reason = Reason.RETRY_TIMEOUT_SPENT
    elif budgets.deadline_left <= delay:
        reason = Reason.DEADLINE
    elif outcome is Outcome.UNSENT and (request.unsent_resends >= UNSENT_RETRIES or request.elapsed + delay > UNSENT_BUDGET):
        reason = Reason.UNSENT_BUDGET
    elif outcome is Outcome.NO_ANSWER and request.no_answer_resends >= TIMEOUT_RETRIES:
        reason = Reason.NO_ANSWER_BUDGET
    else:
        return Decision(Action.RETRY, delay, None)
    return Decision(Action.RAISE, delay, reason)


def decide(outcome: Outcome, request: Request, budgets: Budgets, wait: Wait) -> Decision:
    """The action after an exchange that did not succeed (see the module's docstring for the rule)."""
    if outcome is Outcome.FATAL:
        # A resend-safe write re-sent after an uncertain outcome may be refused because its lost copy landed
        # (a user already deleted, a member already added): the read says whether it is done.
        if request.uncertain_before and request.resend_safe and request.can_confirm:
            return Decision(Action.CONFIRM, 0.0, None)
        return Decision(Action.RAISE, 0.0, Reason.FINAL)
    if outcome in (Outcome.THROTTLED, Outcome.UNSENT):
        return _retry(outcome, request, budgets, wait)
    if outcome is Outcome.FAILED:
        if request.read or not request.can_confirm:
            return Decision(Action.RAISE, 0.0, Reason.FINAL)
        return _confirm(wait, budgets)
    if outcome is Outcome.BODY_LOST and not request.read and request.can_confirm:
        # Applied: only its result is missing, and a read gives it at once (when the deadline leaves time for one).
        return _confirm(Wait(0.0, None), budgets._replace(confirm_wait=0.0))
    if request.read or request.resend_safe:
        return _retry(outcome, request, budgets, wait)
    if request.can_confirm:
        return _confirm(wait, budgets)
    return Decision(Action.RAISE, 0.0, Reason.NOT_RESEND_SAFE)
