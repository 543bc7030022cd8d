#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: victorops_api
short_description: Send one request to any endpoint of the VictorOps public API
version_added: 0.2.0
description:
  - The escape hatch for what the collection's other modules do not cover (routing keys, maintenance mode,
    incidents, rotations, reporting). It sends one request to any endpoint under C(/api-public/) or C(/api-reporting/),
    with the collection's credentials, environment variables, C(https) rule, pacing, retries, deadline, error
    messages and key redaction.
  - Where a dedicated module exists, prefer it. It reads the state first and writes only what differs, so a
    second run changes nothing; it checks its options before any request; it confirms a write whose outcome is
    unknown by reading it back; and it predicts the change in check mode and diff mode. This module cannot; it
    sends what it is given, every time.
  - A path that is a known operation of the collection (see the C(rate_limits) keys) is paced as that operation;
    any other path is paced as the operation C(general), under the documented limit every table gives the
    operations it does not name (2 requests a second in the current documentation, 60 a minute in the 2020
    one, 15 a minute in the 2018 one). All the paths the collection does not know share that one limit, and
    what pacing learns of it. An endpoint the documentation gives a stricter limit of its own (for example the
    user batch, 15 a minute in the 2020 table) is not paced at it; set O(rate_limits) C(general) for such calls,
    or let the adaptive profile learn it from the first throttle.
  - Retries. A throttled request (HTTP 429, and a 403 that says it is a throttle) is re-sent whatever its method,
    since the API did not process it. An uncertain outcome (HTTP 502, 503 or 504, a timeout, a lost answer) is re-sent
    for V(GET), for V(PUT) on a path the collection does not know, and for V(PUT) and V(DELETE) on a known
    operation that is safe to send twice. A V(DELETE) elsewhere is not re-sent (the API addresses some objects by
    position, so a second copy could remove another one). A V(POST) or V(PATCH) is never re-sent after an uncertain
    outcome (there is no way to confirm an arbitrary write), and the task fails saying that it may or may not have
    been applied. HTTP 500 and every other status not in O(status_code) fail at once.
author:
  - victorops.oncall maintainers (@victorops-oncall)
extends_documentation_fragment:
  - victorops.oncall._connection
  - victorops.oncall._connection.attributes
attributes:
  check_mode:
    description:
      - A V(GET) is sent in check mode too (it changes nothing). Any other method is not sent; RV(request) says
        what would be sent, and the task reports a change.
    support: full
  diff_mode:
    description: The module does not know the state before or after a request, so there is no diff.
    support: none
options:
  method:
    description:
      - The HTTP method. A V(GET) never reports a change; any other method always does.
    type: str
    choices: [GET, POST, PUT, PATCH, DELETE]
    default: GET
  path:
    description:
      - The endpoint's path, starting with C(/api-public/) or C(/api-reporting/), for example
        C(/api-public/v1/maintenancemode/start). The host is O(api_url).
      - Sent as it is, never percent-encoded (the API does not decode C(%40) in a username). So a path with a
        scheme or a host, a query or a fragment (give the query in O(query)), an empty or dot segment (C(//),
        C(.), C(..)), or any character but letters, digits and C(.), C(_), C(~), C(-), C(@), C(+), C(:), C(=) and C(,)
        is refused before any request.
    type: str
    required: true
  query:
    description:
      - Query parameters, a mapping of names to strings, numbers, booleans (sent as V(true) or V(false)) or lists
        of them (the name repeated).
    type: dict
  body:
    description:
      - The JSON body, a mapping or a list. Sent with any method; leave it out to send no body.
      - A value is sent as data, never templated again.
    type: raw
  status_code:
    description:
      - The statuses that count as success. Any other status fails the task with the API's message.
      - V(429) cannot be listed, because a throttled request is always re-sent.
    type: list
    elements: int
    default: [200]
notes:
  - The API key goes only in the request's headers; it is never in a result, a message or a log line.
seealso:
  - module: victorops.oncall.victorops_user
  - module: victorops.oncall.victorops_team_member
"""

EXAMPLES = r"""
- name: Read the routing keys and the policies they page
  victorops.oncall.victorops_api:
    path: /api-public/v1/org/routing-keys
  register: routing

- name: Show the routing keys
  ansible.builtin.debug:
    msg: "{{ routing.json.routingKeys | map(attribute='routingKey') | list }}"

- name: Start maintenance mode for two routing keys
  victorops.oncall.victorops_api:
    method: POST
    path: /api-public/v1/maintenancemode/start
    body:
      type: RoutingKeys
      names: [database, web]
      purpose: Database upgrade
  register: maintenance

- name: End that maintenance mode
  victorops.oncall.victorops_api:
    method: PUT
    path: "/api-public/v1/maintenancemode/{{ maintenance.json.activeInstances[0].instanceId }}/end"

- name: Read the maintenance mode state
  victorops.oncall.victorops_api:
    path: /api-public/v1/maintenancemode
  register: state
"""

RETURN = r"""
status:
  description: The HTTP status of the answer; null when the request was not sent (check mode).
  returned: success
  type: int
  sample: 200
json:
  description: The decoded JSON answer; null when the answer was empty or the request was not sent (check mode).
  returned: success
  type: raw
  sample: {"companyId": "demo", "activeInstances": []}
operation:
  description:
    - The operation the request was (or would have been) paced and counted as, a known operation's name or V(general).
  returned: success
  type: str
  sample: general
request:
  description: What was sent, or, in check mode for a method other than V(GET), what would have been sent.
  returned: success
  type: dict
  contains:
    method:
      description: The HTTP method.
      type: str
      returned: success
    path:
      description: The path.
      type: str
      returned: success
    query:
      description: The query parameters as sent, or null.
      type: dict
      returned: success
    body:
      description: The JSON body, or null when none was sent.
      type: raw
      returned: success
    sent:
      description: Whether the request was sent (false in check mode for a method other than V(GET)).
      type: bool
      returned: success
  sample: {"method": "POST", "path": "/api-public/v1/maintenancemode/start", "query": null,
           "body": {"type": "RoutingKeys", "names": ["database"], "purpose": "upgrade"}, "sent": false}
api:
  description: The API client's counters for this task.
  returned: always
  type: dict
  sample: {"calls": 1, "writes": 1, "retries": 0, "pacing_wait": 0.0, "retry_wait": 0.0, "operations": {"general": 1}}
"""

from ansible_collections.victorops.oncall.plugins.module_utils import _api
from ansible_collections.victorops.oncall.plugins.module_utils._errors import OptionError
from ansible_collections.victorops.oncall.plugins.module_utils._module import VictorOpsModule
from ansible_collections.victorops.oncall.plugins.module_utils._vocabulary import API_METHODS, api_path_problem, query_problems, query_values

# Never an acceptable answer: a throttled request is re-sent.
THROTTLE_STATUS = 429


def request_problems(params):
    """Every problem of the request's options, before any request."""
    problems = []
    path_problem = api_path_problem(params["path"])
    if path_problem is not None:
        problems.append(path_problem)
    problems += query_problems(params["query"])
    body = params["body"]
    if body is not None and not isinstance(body, (dict, list)):
        problems.append("body must be a mapping or a list (sent as JSON), got %s" % type(body).__name__)
    codes = params["status_code"]
    if not codes:
        problems.append("status_code must list at least one status")
    for code in codes or []:
        if not 100 <= code <= 599:
            problems.append("status_code %d is not an HTTP status (100 to 599)" % code)
        elif code == THROTTLE_STATUS:
            problems.append("status_code must not list 429: a throttled request is always re-sent")
    return problems


def send(vo):
    p = vo.params
    problems = request_problems(p)
    if problems:
        raise OptionError("; ".join(problems))
    method, path = p["method"], p["path"]
    request = dict(method=method, path=path, query=query_values(p["query"]), body=p["body"], sent=True)
    operation = _api.operation_for(method, path)
    if vo.check_mode and method != "GET":
        request["sent"] = False
        return True, None, None, dict(status=None, json=None, operation=operation, request=request)
    operation, status, answer = _api.send_any(vo.client, method, path, p["body"], p["query"], tuple(p["status_code"]))
    return method != "GET", None, None, dict(status=status, json=answer, operation=operation, request=request)


def main():
    vo = VictorOpsModule(
        argument_spec=dict(
            method=dict(type="str", choices=list(API_METHODS), default="GET"),
            path=dict(type="str", required=True),
            query=dict(type="dict"),
            body=dict(type="raw"),
            status_code=dict(type="list", elements="int", default=[200]),
        ),
    )
    vo.run(send)


if __name__ == "__main__":
    main()
