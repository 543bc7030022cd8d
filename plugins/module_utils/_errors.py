# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every error of the collection, in one vocabulary.

Three families, each turned into a failed task in one place (``_module.VictorOpsModule.run``):

* input errors (``OptionError``, and ``PlanError`` for a paging change that cannot be planned): the
  options ask for something impossible; raised before any write, the message names the option;
* API errors (``VictorOpsError`` and its subclasses, raised by the client; ``UnexpectedResponseError``
  for a 200 whose body this collection cannot use);
* uncertain writes (``UncertainWriteError``: ``AmbiguousWriteError`` from the client, ``PolicyChangedError``
  from the paging executor): a write may or may not have taken effect. ``PlanExecutionError`` wraps the
  error of a plan's failed write with what was and was not applied.

Each class says its ``kind`` (what a failed result carries in ``error``); ``error_kind`` reads it.
"""

from __future__ import annotations

from typing import Any


# -- the base -----------------------------------------------------------------------------


class CollectionError(Exception):
    """Every error this collection raises on purpose. ``kind`` is what failed results carry in ``error``: what an
    automation may act on (stop trying the API after "connection" or "authentication"; re-run after "uncertain")."""

    kind = "internal"


# -- input errors --------------------------------------------------------------------------


class OptionError(CollectionError, ValueError):
    """A module option (or a combination of them) cannot be satisfied; the message names the option and the fix."""

    kind = "option"


class PlanError(OptionError):
    """The requested paging-policy change cannot be planned; the message names the offending option."""


class SimulationError(ValueError):
    """A write that the API would refuse in the given state (an index out of range, rule 0 of step 0)."""


# -- API errors ----------------------------------------------------------------------------


class VictorOpsError(CollectionError):
    """An API call failed. ``str()`` names the method, the full URL (else the filled path) and the HTTP status.

    Built once, with its final message: the client composes the whole text before raising.
    """

    kind = "api"

    def __init__(self, message, method=None, path=None, status=None, api_message=None, body=None, attempts=0, url=None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        self.body = body
        self.attempts = attempts
        self.url = url  # the full URL of the failing request (never with a query or credentials)

    def __str__(self) -> str:
        where = " ".join(part for part in (self.method, self.url or self.path) if part)
        text = self.message
        if self.status is not None and ("HTTP %s" % self.status) not in text:
            text = "%s (HTTP %s)" % (text, self.status)
        return "%s: %s" % (where, text) if where else text


class AuthenticationError(VictorOpsError):
    """401/403 that is not a throttle: the API ID or key was refused, or the key may not do this. Never retried."""

    kind = "authentication"


class NotFoundError(VictorOpsError):
    """404."""

    kind = "refused"


class ValidationError(VictorOpsError):
    """400/422 (or a 200 carrying an ``error``): the API refused the request; ``api_message`` holds its text."""

    kind = "refused"


class RateLimitError(VictorOpsError):
    """Still rate limited when the retry budget ran out."""

    kind = "throttled"


class ServerError(VictorOpsError):
    """5xx."""


class TransportError(VictorOpsError):
    """No usable HTTP response: connection failure, timeout, TLS failure."""

    kind = "connection"


class DeadlineError(TransportError):
    """The task's deadline passed before the request could complete (or be sent, or get a rate-limit slot)."""

    kind = "deadline"


class ResponseError(VictorOpsError):
    """The response body was not the JSON expected (an HTML error page, truncated JSON, too large)."""

    kind = "unexpected_answer"


class PathParameterError(VictorOpsError):
    """A path parameter was refused before any request was sent."""

    kind = "option"


class UnexpectedResponseError(CollectionError):
    """The API answered 200 with a body this collection cannot use."""

    kind = "unexpected_answer"

    def __init__(self, what: str, detail: str) -> None:
        super().__init__("Unexpected answer from %s: %s" % (what, detail))
        self.what = what
        self.detail = detail


class MalformedPolicyError(UnexpectedResponseError, ValueError):
    """A paging-policy or contact-method answer this collection cannot use."""

    def __init__(self, detail: str, what: str = "get_paging_policy") -> None:
        super().__init__(what, detail)


# -- uncertain writes ----------------------------------------------------------------------


class UncertainWriteError(CollectionError):
    """A write may or may not have taken effect; the message says which, and that a re-run converges."""

    kind = "uncertain"


class AmbiguousWriteError(UncertainWriteError, VictorOpsError):
    """A write failed in a way that leaves its effect unknown, it may not be re-sent, and it could not be confirmed."""

    kind = "uncertain"


class PolicyChangedError(UncertainWriteError):
    """The policy read back after an uncertain write is neither the state before it nor the state after it."""


class PlanExecutionError(CollectionError):
    """A write of the plan failed; ``applied`` and ``pending`` are the summaries of the writes on each side."""

    def __init__(self, applied: list[str], pending: list[str], error: Exception, subject: str = "the paging policy") -> None:
        self.applied = list(applied)
        self.pending = list(pending)
        self.error = error
        self.status: Any | None = error.status if isinstance(error, VictorOpsError) else None
        # The failed write (pending[0]) may have taken effect when its error is uncertain; it is named apart.
        self.uncertain = self.pending[0] if is_uncertain(error) and self.pending else None
        not_applied = self.pending[1:] if self.uncertain else self.pending
        message = "Changing %s failed at %r: %s. Applied: %s.%s Not applied: %s." % (
            subject,
            self.pending[0] if self.pending else "?",
            error,
            "; ".join(self.applied) if self.applied else "none",
            " May or may not have been applied: %s." % self.uncertain if self.uncertain else "",
            "; ".join(not_applied) if not_applied else "none",
        )
        super().__init__(message)

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "uncertain" if self.uncertain else error_kind(self.error)


def error_kind(error: BaseException) -> str:
    """The kind of ``error``: ``connection``, ``authentication``, ``deadline``, ``throttled``, ``refused``, ``uncertain``,
    ``option``, ``unexpected_answer``, ``api`` or ``internal``."""
    return error.kind if isinstance(error, CollectionError) else "internal"


def is_uncertain(error: BaseException) -> bool:
    """True when a failed write may have taken effect: its outcome was ambiguous, or the re-read found neither state."""
    return isinstance(error, UncertainWriteError)
