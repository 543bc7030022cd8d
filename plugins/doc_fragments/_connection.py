# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment:

    # The connection, retry and pacing options shared by every module of the collection.
    DOCUMENTATION = r'''
options:
  api_id:
    description:
      - The VictorOps API ID (C(X-VO-Api-Id) header).
      - If not set, the value of the E(VICTOROPS_API_ID) environment variable is used.
    type: str
    required: true
  api_key:
    description:
      - The VictorOps API key (C(X-VO-Api-Key) header). It is never logged or returned.
      - If not set, the value of the E(VICTOROPS_API_KEY) environment variable is used.
    type: str
    required: true
  api_url:
    description:
      - Base URL of the VictorOps public API.
      - If not set, the value of the E(VICTOROPS_API_URL) environment variable is used, then the default.
      - Point it at the collection's emulator to dry-run playbooks locally.
    type: str
    default: https://api.victorops.com
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
      - If not set, the value of the E(VICTOROPS_REQUEST_TIMEOUT) environment variable is used, then V(30).
      - Named so as not to clash with the paging timeout of M(victorops.oncall.victorops_paging_step).
    type: float
    default: 30
  retries:
    description:
      - How many times a throttled (HTTP 429) or transiently failed request is re-sent before the task fails.
      - V(0) disables retrying. Retrying stops at whichever of O(retries) and O(retry_timeout) runs out first.
      - If not set, the value of the E(VICTOROPS_RETRIES) environment variable is used, then V(6).
    type: int
  retry_timeout:
    description:
      - The most seconds, in total, spent waiting between retries of one request.
      - If not set, the value of the E(VICTOROPS_RETRY_TIMEOUT) environment variable is used, then V(120).
    type: float
  pacing:
    description:
      - Whether the module waits so as never to send faster than the API's per-operation rate limits.
      - The budget is shared by every module process on the controller (loop items, forks, concurrent
        playbooks) that uses the same O(api_url) and O(api_id), through a small state file.
      - If not set, the value of the E(VICTOROPS_PACING) environment variable is used, then V(true).
    type: bool
  rate_limit_profile:
    description:
      - Which documented table of per-operation rate limits pacing follows.
      - V(2018) is the strictest (once a minute for the escalation policy list, 6 a minute for taking on-call, 15 a minute for the rest).
      - V(2020) is the later, more generous table.
      - If not set, the value of the E(VICTOROPS_RATE_LIMIT_PROFILE) environment variable is used, then V(2018).
    type: str
    choices: ['2018', '2020']
  rate_limits:
    description:
      - Per-operation overrides of the pacing limits, as calls per O(rate_window).
      - Keys are operations such as V(GET /api-public/v1/profile/{username}/policies), or V(default) for every other operation.
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
  - Every result carries an RV(api) dictionary with the client's counters, so throttling is visible.
requirements:
  - requests >= 2.25 (Python library)
'''

    ATTRIBUTES = r'''
attributes:
  action_group:
    description: Use C(group/victorops.oncall.victorops) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - victorops.oncall.victorops
'''

    CHECK_DIFF = r'''
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
'''
