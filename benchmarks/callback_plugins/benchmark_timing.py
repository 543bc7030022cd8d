# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: one JSON line per task start and per task or loop-item result, with the time."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: benchmark_timing
type: aggregate
short_description: Time stamps of task and loop-item results for the benchmark
description:
  - Appends one JSON object per task start and per task or loop-item result to the file named by E(VICTOROPS_BENCHMARK_EVENTS).
requirements:
  - enabled with E(ANSIBLE_CALLBACKS_ENABLED=benchmark_timing)
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "benchmark_timing"
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, record):
        path = os.environ.get("VICTOROPS_BENCHMARK_EVENTS")
        if not path:
            return
        record["time"] = time.time()
        with open(path, "a") as handle:
            handle.write(json.dumps(record, default=str, sort_keys=True) + "\n")

    def _result(self, event, result):
        data = result._result
        self._write(
            {
                "event": event,
                "task": result._task.get_name(),
                "action": result._task.action,
                "host": result._host.get_name(),
                # Only what the benchmark reads: the module's API counters, the uri status, the retry count.
                "api": data.get("api"),
                "status": data.get("status"),
                "attempts": data.get("attempts"),
                "changed": data.get("changed"),
                "failed": data.get("failed", False),
                "msg": data.get("msg"),
            }
        )

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write({"event": "task_start", "task": task.get_name(), "action": task.action})

    def v2_runner_on_ok(self, result):
        self._result("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result("failed", result)

    def v2_runner_item_on_ok(self, result):
        self._result("item_ok", result)

    def v2_runner_item_on_failed(self, result):
        self._result("item_failed", result)

    def v2_runner_retry(self, result):
        self._result("retry", result)
