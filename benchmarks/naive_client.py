# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding as a short script without this collection: plain requests, no pacing, and a
fixed sleep before re-sending a request the API answered with HTTP 429."""

import time

import requests


def onboard(api_url, api_id, api_key, people, retry_sleep, sleep=time.sleep):
    """Give every person of ``people`` ({username, steps}) their steps; return the number of 429 answers."""
    session = requests.Session()
    headers = {"X-VO-Api-Id": api_id, "X-VO-Api-Key": api_key, "Accept": "application/json"}
    throttled = 0

    def call(method, path, body=None):
        nonlocal throttled
        while True:
            response = session.request(method, api_url + path, headers=headers, json=body, timeout=30)
            if response.status_code != 429:
                response.raise_for_status()
                return response.json()
            throttled += 1
            sleep(retry_sleep)

    for person in people:
        username = person["username"]
        policy = call("GET", "/api-public/v1/profile/%s/policies" % username)
        contacts = call("GET", "/api-public/v1/user/%s/contact-methods" % username)
        ids = {}
        for kind in ("email", "phone"):
            for method in contacts[kind + "s"]["contactMethods"]:
                ids[(kind, method["value"])] = method["id"]
        existing = len(policy["steps"])
        for index, step in enumerate(person["steps"]):
            rules = []
            for rule in step["rules"]:
                if rule["type"] == "push":
                    rules.append({"type": "push"})
                else:
                    kind = "email" if rule["type"] == "email" else "phone"
                    rules.append({"type": rule["type"], "contact": {"id": ids[(kind, rule["contact"])], "type": kind}})
            body = {"timeout": step["timeout"], "rules": rules}
            if index < existing:
                call("PUT", "/api-public/v1/profile/%s/policies/%d" % (username, index), body)
            else:
                call("POST", "/api-public/v1/profile/%s/policies" % username, body)
    return throttled
