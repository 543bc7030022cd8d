"""The retry decisions, pure: an outcome, the request and its budgets in; retry, confirm or raise out. No fakes."""

import pytest
from ansible_collections.victorops.oncall.plugins.module_utils._retry import (
    TIMEOUT_RETRIES,
    UNSENT_BUDGET,
    UNSENT_RETRIES,
    Action,
    Budgets,
    Decision,
    Outcome,
    Reason,
    Request,
    Wait,
    decide,
)

READ = Request(read=True, resend_safe=True, can_confirm=False, resends=0, unsent_resends=0, no_answer_resends=0, uncertain_before=False, elapsed=0.0)
# A write addressed by index (a paging rule DELETE): may only be confirmed.
BY_INDEX = READ._replace(read=False, resend_safe=False, can_confirm=True)
# A write addressed by a stable identity (a team member removal): may be re-sent.
BY_IDENTITY = READ._replace(read=False, resend_safe=True, can_confirm=True)
ROOMY = Budgets(retries=6, retry_left=120.0, deadline_left=300.0, confirm_wait=30.0)
BACKOFF = Wait(delay=2.0, asked=None)


@pytest.mark.parametrize("outcome", [Outcome.LOST, Outcome.NO_ANSWER])
def test_an_uncertain_write_by_index_is_confirmed_after_request_timeout_never_resent(outcome):
    assert decide(outcome, BY_INDEX, ROOMY, BACKOFF) == Decision(Action.CONFIRM, 30.0, None)


@pytest.mark.parametrize("outcome", [Outcome.LOST, Outcome.NO_ANSWER])
def test_an_uncertain_write_by_index_that_cannot_be_confirmed_is_given_up_as_uncertain(outcome):
    assert decide(outcome, BY_INDEX._replace(can_confirm=False), ROOMY, BACKOFF) == Decision(Action.RAISE, 0.0, Reason.NOT_RESEND_SAFE)


@pytest.mark.parametrize("request_", [READ, BY_IDENTITY], ids=["read", "resend-safe write"])
@pytest.mark.parametrize("outcome", [Outcome.LOST, Outcome.NO_ANSWER, Outcome.THROTTLED, Outcome.UNSENT])
def test_reads_and_resend_safe_writes_are_resent_after_the_backoff(request_, outcome):
    assert decide(outcome, request_, ROOMY, BACKOFF) == Decision(Action.RETRY, 2.0, None)


@pytest.mark.parametrize("outcome", [Outcome.THROTTLED, Outcome.UNSENT])
def test_what_the_api_never_processed_is_resent_whatever_the_write(outcome):
    assert decide(outcome, BY_INDEX, ROOMY, BACKOFF).action is Action.RETRY


def test_a_2xx_whose_body_was_lost_is_applied_and_read_back_at_once():
    assert decide(Outcome.BODY_LOST, BY_INDEX, ROOMY, BACKOFF) == Decision(Action.CONFIRM, 0.0, None)
    no_time = ROOMY._replace(deadline_left=0.0)
    assert decide(Outcome.BODY_LOST, BY_INDEX, no_time, BACKOFF) == Decision(Action.RAISE, 0.0, Reason.NO_TIME_TO_CONFIRM)
    assert decide(Outcome.BODY_LOST, BY_INDEX._replace(can_confirm=False), ROOMY, BACKOFF).reason is Reason.NOT_RESEND_SAFE
    assert decide(Outcome.BODY_LOST, READ, ROOMY, BACKOFF).action is Action.RETRY


def test_a_confirmation_that_would_outlast_the_deadline_is_given_up():
    assert decide(Outcome.LOST, BY_INDEX, ROOMY._replace(deadline_left=20.0), BACKOFF) == Decision(Action.RAISE, 30.0, Reason.NO_TIME_TO_CONFIRM)


def test_a_500_is_final_for_a_read_and_confirmed_for_a_write():
    assert decide(Outcome.FAILED, READ, ROOMY, BACKOFF) == Decision(Action.RAISE, 0.0, Reason.FINAL)
    assert decide(Outcome.FAILED, BY_IDENTITY, ROOMY, BACKOFF) == Decision(Action.CONFIRM, 30.0, None)


def test_a_refusal_is_final_unless_it_answers_a_resend_safe_resend():
    assert decide(Outcome.FATAL, BY_IDENTITY, ROOMY, BACKOFF) == Decision(Action.RAISE, 0.0, Reason.FINAL)
    # The lost copy landed first (a member already added): the read says whether the write is done.
    assert decide(Outcome.FATAL, BY_IDENTITY._replace(uncertain_before=True), ROOMY, BACKOFF) == Decision(Action.CONFIRM, 0.0, None)
    assert decide(Outcome.FATAL, BY_INDEX._replace(uncertain_before=True), ROOMY, BACKOFF).reason is Reason.FINAL


@pytest.mark.parametrize(
    "request_, budgets, wait, reason",
    [
        (READ._replace(resends=6), ROOMY, BACKOFF, Reason.NO_RETRIES_LEFT),
        (READ, ROOMY._replace(retry_left=0.0), BACKOFF, Reason.RETRY_TIMEOUT_SPENT),
        (READ, ROOMY._replace(deadline_left=1.0), Wait(2.0, 2.0), Reason.RETRY_AFTER_TOO_LONG),
        (READ, ROOMY._replace(retry_left=10.0), Wait(30.0, 30.0), Reason.RETRY_AFTER_TOO_LONG),
        (READ, ROOMY._replace(deadline_left=0.0), BACKOFF, Reason.DEADLINE),
    ],
)
def test_budgets_stop_the_retries(request_, budgets, wait, reason):
    assert decide(Outcome.THROTTLED, request_, budgets, wait).reason is reason


def test_the_backoff_is_cut_to_the_time_left_but_a_retry_after_is_not():
    assert decide(Outcome.THROTTLED, READ, ROOMY._replace(retry_left=0.5), BACKOFF) == Decision(Action.RETRY, 0.5, None)
    assert decide(Outcome.THROTTLED, READ, ROOMY._replace(retry_left=5.0), Wait(3.0, 3.0)) == Decision(Action.RETRY, 3.0, None)


def test_a_request_without_an_answer_is_sent_at_most_three_times():
    assert decide(Outcome.NO_ANSWER, READ._replace(no_answer_resends=TIMEOUT_RETRIES - 1), ROOMY, BACKOFF).action is Action.RETRY
    assert decide(Outcome.NO_ANSWER, READ._replace(no_answer_resends=TIMEOUT_RETRIES), ROOMY, BACKOFF).reason is Reason.NO_ANSWER_BUDGET
    # A lost answer (a 502) keeps the whole budget: the server is there.
    assert decide(Outcome.LOST, READ._replace(no_answer_resends=TIMEOUT_RETRIES), ROOMY, BACKOFF).action is Action.RETRY


def test_a_connection_never_established_has_a_short_budget_of_its_own():
    assert decide(Outcome.UNSENT, READ._replace(unsent_resends=UNSENT_RETRIES), ROOMY, BACKOFF).reason is Reason.UNSENT_BUDGET
    assert decide(Outcome.UNSENT, READ._replace(elapsed=UNSENT_BUDGET - 1.0), ROOMY, BACKOFF).reason is Reason.UNSENT_BUDGET
