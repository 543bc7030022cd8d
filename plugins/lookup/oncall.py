# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: oncall
short_description: Who is on call in VictorOps for a team or an escalation policy, now or at an instant
version_added: 0.2.0
description:
  - For each term, a team or an escalation policy by slug or by name, the usernames on call at O(at) (now by default),
    sorted; for a team, everyone on call for any of its escalation policies.
  - Returns one list per term. With one term, C(lookup) gives that term's list; C(query) (or C(wantlist=true)) always gives
    a list of lists, one per term, in the order of the terms. Use C(query) for several terms (C(lookup) joins several
    lists with commas before ansible-core 2.19).
  - Now costs one API call, the read of who is on call now (operation C(get_oncall_current)), whatever the number of terms.
    With O(at), that read finds each term's team, then each team's schedule is read once (operation C(get_team_schedule)),
    with the scheduled overrides applied (a replacement is on call inside an absence, nobody in a gap).
  - A term that names no team or policy with someone on call now costs one more read (the team list, C(list_teams)),
    and a term still unknown one more (the escalation policy list, C(list_escalation_policies), allowed once a minute
    in the 2018 limits). A term matched nowhere fails, naming it.
  - Slugs match exactly, names exactly, then ignoring case; a team wins over its own policies (its default policy has its
    name and slug); a term naming two other things fails, asking for the slug.
  - The connection options, their environment variables, the pacing and the error messages are those of the collection's modules.
author:
  - victorops.oncall maintainers (@victorops-oncall)
options:
  _terms:
    description: Teams or escalation policies, by slug or by name.
    required: true
    type: list
    elements: str
  at:
    description:
      - The instant, ISO 8601 (with an offset or V(Z); without one it is UTC) or epoch milliseconds, from now to 30 days ahead.
        An instant up to 5 minutes in the past counts as now.
      - If not set, now, answered from the one read of who is on call now.
    type: str
  api_id:
    description: The VictorOps API ID. Required, here or in E(VICTOROPS_API_ID).
    type: str
    env:
      - name: VICTOROPS_API_ID
  api_key:
    description: The VictorOps API key; never shown. Required, here or in E(VICTOROPS_API_KEY).
    type: str
    env:
      - name: VICTOROPS_API_KEY
  api_url:
    description:
      - Base URL of the VictorOps public API (scheme, host and optional port). Plain C(http://) only to a loopback address
        unless O(allow_insecure_http=true).
    type: str
    default: https://api.victorops.com
    env:
      - name: VICTOROPS_API_URL
  allow_insecure_http:
    description: Allow a plain C(http://) O(api_url) on a host that is not a loopback address; the key then travels unencrypted.
    type: bool
    default: false
  validate_certs:
    description: Whether to verify the API's TLS certificate.
    type: bool
    default: true
  ca_path:
    description: A PEM file of CA certificates used to verify the API's TLS certificate.
    type: path
  request_timeout:
    description: Seconds to wait for each HTTP response; V(30) when not set.
    type: float
    env:
      - name: VICTOROPS_REQUEST_TIMEOUT
  deadline:
    description: The most seconds spent on the API in total; V(300) when not set.
    type: float
    env:
      - name: VICTOROPS_DEADLINE
  retries:
    description: How many times a throttled or transiently failed read is re-sent; V(6) when not set.
    type: int
    env:
      - name: VICTOROPS_RETRIES
  retry_timeout:
    description: The most seconds, in total, spent waiting between retries of one request; V(120) when not set.
    type: float
    env:
      - name: VICTOROPS_RETRY_TIMEOUT
  pacing:
    description: Whether requests are paced to the API's rate limits, shared with the modules on this controller; V(true) when not set.
    type: bool
    env:
      - name: VICTOROPS_PACING
  rate_limit_profile:
    description: Which documented rate limits pacing keeps to; V(auto) when not set.
    type: str
    choices: [auto, 2ps, "2020", "2018"]
    env:
      - name: VICTOROPS_RATE_LIMIT_PROFILE
  rate_limits:
    description: Requests per rate window by operation name, replacing the profile's limits for those operations.
    type: dict
  rate_window:
    description: The length in seconds of the rate-limit window; V(60) when not set.
    type: float
    env:
      - name: VICTOROPS_RATE_WINDOW
  pacing_state_dir:
    description: The directory of the pacing state shared between processes.
    type: path
    env:
      - name: VICTOROPS_PACING_STATE_DIR
notes:
  - The values are data from the API; Ansible marks lookup results unsafe, so they are never templated.
seealso:
  - module: victorops.oncall.victorops_oncall_info
"""

EXAMPLES = r"""
- name: Page whoever is on call for Operations now
  ansible.builtin.debug:
    msg: "{{ lookup('victorops.oncall.oncall', 'Operations') }}"

- name: Who covers the high-severity policy, and the Database team, in three days at 09:00 UTC
  ansible.builtin.debug:
    msg: "{{ query('victorops.oncall.oncall', 'pol-Hs7opsDemoPol001', 'Database', at=in_three_days) }}"
  vars:
    in_three_days: "{{ '%Y-%m-%dT09:00:00Z' | strftime(now(utc=true).timestamp() + 3 * 86400, utc=true) }}"
"""

RETURN = r"""
_list:
  description: One list of usernames per term, in the order of the terms; an empty list when nobody is on call.
  type: list
  elements: list
"""

import datetime

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.victorops.oncall.plugins.module_utils import _schedule
from ansible_collections.victorops.oncall.plugins.module_utils._connection import LOOKUP_CREDENTIAL_SOURCES, build_client
from ansible_collections.victorops.oncall.plugins.module_utils._errors import CollectionError
from ansible_collections.victorops.oncall.plugins.module_utils._module import CONNECTION_ARGSPEC
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import UTC

display = Display()


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        params = {name: self.get_option(name) for name in CONNECTION_ARGSPEC}
        terms = [term.strip() if isinstance(term, str) else term for term in terms]
        bad = [term for term in terms if not isinstance(term, str) or not term]
        if bad or not terms:
            raise AnsibleError("victorops.oncall.oncall: each term must be a team or an escalation policy, by name or slug, got %r" % (bad or terms,))
        try:
            now = datetime.datetime.now(UTC)
            at = self.get_option("at")
            moment = None if at is None else _schedule.instant_option(at, now)
            client = build_client(params, warn=display.warning, sources=LOOKUP_CREDENTIAL_SOURCES)
            return _schedule.on_call_for_terms(client, terms, moment, now)
        except CollectionError as exc:
            raise AnsibleError(str(exc)) from None
