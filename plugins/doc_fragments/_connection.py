# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The connection, retry and pacing options shared by every module of the collection.
    DOCUMENTATION = r"""
options:
  api_id:
    description:
      - The VictorOps API ID (C(X-VO-Api-Id) header).
      - If not set, the value of the E(VICTOROPS_API_ID) environment variable is used (an AWX VictorOps credential sets it).
        One of the two is required; a task without either fails before any request, naming both.
      - Printable ASCII only.
    type: str
  api_key:
    description:
      - The VictorOps API key (C(X-VO-Api-Key) header). It is never logged or returned.
      - If not set, the value of the E(VICTOROPS_API_KEY) environment variable is used (an AWX VictorOps credential sets it).
        One of the two is required; a task without either fails before any request, naming both.
      - Printable ASCII only; the key is sent only to O(api_url) (see O(allow_insecure_http)).
    type: str
  api_url:
    description:
      - Base URL of the VictorOps public API.
      - If not set, the value of the E(VICTOROPS_API_URL) environment variable is used, then the default.
      - The base URL only (scheme, host and optional port), without C(/api-public/v1).
      - Plain C(http://) is refused unless the host is a literal loopback address (V(127.0.0.1), V(::1), as for the collection's
        emulator) or O(allow_insecure_http=true), because the API key travels in every request. A host that is not
        C(victorops.com) or one of its subdomains gets a warning.
      - Point it at the collection's emulator to dry-run playbooks locally.
    type: str
    default: https://api.victorops.com
  allow_insecure_http:
    description:
      - Allow a plain C(http://) O(api_url) on a host that is not a loopback address. The API key is then sent unencrypted.
      - Over plain C(http://), to a loopback address or to a host this option allows, no proxy from the environment is used
        (E(HTTP_PROXY), E(ALL_PROXY) and the like are ignored), so the key never travels to a proxy in clear. Over C(https://) the
        environment's proxy settings apply.
    type: bool
    default: false
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate. Only set to V(false) against a local emulator.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates used to verify the API's TLS certificate, instead of the system bundle.
    type: path
  request_timeout:
    description:
      - Seconds to wait for each HTTP response.
      - Seconds to wait for the connection and for each read of a response; never more than what is left of O(deadline).
      - If not set, the value of the E(VICTOROPS_REQUEST_TIMEOUT) environment variable is used, then V(30).
      - Named so as not to clash with the paging timeout of M(victorops.oncall.victorops_paging_step).
    type: float
  deadline:
    description:
      - The most seconds the task may spend on the API in total (requests, reading answers, waits for retries and for
        the rate limit). When it runs out the task fails, saying what was tried and for how long.
      - A server that accepts the connection and never answers, or trickles its answer, cannot hold the task longer.
      - If not set, the value of the E(VICTOROPS_DEADLINE) environment variable is used, then V(300).
    type: float
  retries:
    description:
      - How many times a throttled (HTTP 429) or transiently failed request is re-sent before the task fails.
      - A write whose outcome is uncertain is re-sent only when it cannot change anything but its own object
        (updating or deleting a user, adding or removing a team member, deleting a contact method); any other write is
        confirmed by a read and never re-sent. A read that gets no answer at all is re-sent at most twice.
      - V(0) disables retrying. Retrying stops at whichever of O(retries) and O(retry_timeout) runs out first.
      - If not set, the value of the E(VICTOROPS_RETRIES) environment variable is used, then V(6).
    type: int
  retry_timeout:
    description:
      - The most seconds, in total, spent waiting between the retries of one request (the waits only, not the requests).
      - A server that asks, with C(Retry-After), for a longer wait than what is left of this budget makes the task fail
        at once, with the server's wait in the message, rather than retry too early.
      - If not set, the value of the E(VICTOROPS_RETRY_TIMEOUT) environment variable is used, then V(120).
    type: float
  pacing:
    description:
      - Whether the module waits so as never to send faster than the API's per-operation rate limits.
      - The budget is shared by every module process on the controller (loop items, forks, concurrent
        playbooks) that uses the same O(api_url), O(api_id) and O(api_key), through a small state file.
      - Two API keys of one account pace independently, each with its own state, so that a key the API refuses
        can never slow another key. Runs with different keys of one account at the same time can together
        exceed the account's limits; the API then throttles them, the throttled requests are retried and, with
        O(rate_limit_profile=auto), each key learns the slower rate.
      - If not set, the value of the E(VICTOROPS_PACING) environment variable is used, then V(true).
    type: bool
  rate_limit_profile:
    description:
      - Which per-operation rate limits pacing follows.
      - V(auto) starts from the fastest documented table and, when the API throttles an operation, slows that operation
        down to a rate the API accepts, never below the 2018 table, or, when the API refuses requests sent together that
        its limit allows, spaces every operation's requests evenly. An operation documented at once a minute (the escalation
        policy list) is paced at that limit from the start. What it learns is shared by every run on the
        controller with the same key through the pacing state and kept for later runs for a while (see the rate-limits guide).
      - V(2ps) is the current documentation's table (2 requests a second per operation, two at once, 1 a second for reading
        a paging policy).
      - V(2020) is the 2020 spec's table (60 a minute for most operations).
      - V(2018) is the strictest (once a minute for the escalation policy list, 6 a minute for taking on-call, 15 a minute for the rest).
      - If not set, the value of the E(VICTOROPS_RATE_LIMIT_PROFILE) environment variable is used, then V(auto).
    type: str
    choices: [auto, 2ps, '2020', '2018']
  rate_limits:
    description:
      - Per-operation overrides of the pacing limits, as calls per O(rate_window).
      - Keys are operation names such as V(get_paging_policy) or V(list_escalation_policies) (the keys of C(api.operations) in every result),
        or V(default) for every other operation. V(general) is the operation of the paths C(victorops.oncall.victorops_api) sends
        that are none of the collection's operations.
      - A key that names no operation is an error listing the known ones.
    type: dict
  rate_window:
    description:
      - The length in seconds of the window the rate limits are counted in. The API counts per minute.
      - Only change it for tests against the emulator, which reads the same E(VICTOROPS_RATE_WINDOW) variable.
      - If not set, the value of the E(VICTOROPS_RATE_WINDOW) environment variable is used, then V(60).
    type: float
  pacing_state_dir:
    description:
      - Directory holding the pacing state and lock files.
      - If not set, the value of the E(VICTOROPS_PACING_STATE_DIR) environment variable is used,
        then C(~/.cache/victorops_oncall/pacing) of the user running the module.
    type: path
notes:
  - Environment variables are read where the module runs, which is the controller for these API modules
    (or the execution environment container in AWX).
  - Every result carries an C(api) dictionary with the client's counters, per operation name, so throttling is visible.
  - A module that waited more than 10 seconds for the rate limit says so in a warning, with the operation and the seconds.
  - A failed task's result carries C(error), the kind of failure, for automation to act on - V(connection) (the API could
    not be reached), V(authentication), V(deadline), V(throttled), V(refused) (the API refused the request), V(uncertain)
    (a write may or may not have been applied; re-run to converge), V(option) (bad input; nothing was sent or written),
    V(unexpected_answer) or V(api).
requirements:
  - requests >= 2.25 (Python library)
"""

    ATTRIBUTES = r"""
attributes:
  action_group:
    description: Use C(group/victorops.oncall.victorops) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - victorops.oncall.victorops
"""

    # The modules that only read.
    READ_ONLY = r"""
attributes:
  check_mode:
    description: The module never changes anything and runs normally in check mode.
    support: full
  diff_mode:
    description: The module never changes anything, so there is no diff.
    support: none
"""

    CHECK_DIFF = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
"""
