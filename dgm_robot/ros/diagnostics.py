# Copyright 2026 dgm_robot contributors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""What a node tells operators about itself: /diagnostics reports and skipped-input log lines.

Skipped input is logged per kind (the error text with its numbers masked): the first one at once,
later ones at most every few seconds with a count, because rclpy's `once` and throttle options key
on the calling line and would merge different problems reported from one place.
"""

import re
import time

import numpy as np

from dgm_robot.ros.rclpy_compat import msgs

DiagnosticArray = msgs.diagnostic_msgs.msg.DiagnosticArray
DiagnosticStatus = msgs.diagnostic_msgs.msg.DiagnosticStatus
KeyValue = msgs.diagnostic_msgs.msg.KeyValue

_NUMBERS = re.compile(r'\d+(?:\.\d+)?')
_MAX_KINDS = 256


class SkipLog:
    """Logs skipped inputs once per kind, then at most every `period` s with a count."""

    def __init__(self, logger, period=10.0):
        self._logger = logger
        self._period = period
        self._kinds = {}  # kind -> [monotonic time of the last line, skips since then]
        self.total = 0
        self.recent = 0  # since the last diagnostics report

    def skip(self, source, err, level='warning'):
        """Count a skipped `source` message and log why, unless this kind was logged lately."""
        self.total += 1
        self.recent += 1
        kind = (source, type(err).__name__, _NUMBERS.sub('#', str(err)))
        now = time.monotonic()
        last = self._kinds.get(kind)
        if last is not None and now - last[0] < self._period:
            last[1] += 1
            return
        if len(self._kinds) >= _MAX_KINDS:
            self._kinds.clear()
        more = f' ({last[1]} more like it since the last report)' if last and last[1] else ''
        self._kinds[kind] = [now, 0]
        getattr(self._logger, level)(f'{source} skipped: {err}{more}')


class LatencyWindow:
    """Processing latencies since the last report, summarised as p50 / p99 / max in ms."""

    def __init__(self):
        self._samples = []

    def record(self, seconds):
        """Add one latency in seconds."""
        self._samples.append(seconds)

    def pop_summary(self):
        """Return latency_p50_ms, latency_p99_ms, latency_max_ms, frames_in_window; start anew.

        The maximum is reported beside the percentiles: one stall in a window (a save, a model
        warm-up) hides in p99 but stops a robot all the same.
        """
        samples, self._samples = self._samples, []
        if not samples:
            return {'latency_p50_ms': 'n/a', 'latency_p99_ms': 'n/a', 'latency_max_ms': 'n/a',
                    'frames_in_window': 0}
        p50, p99, top = np.percentile(np.asarray(samples) * 1e3, [50, 99, 100])
        return {'latency_p50_ms': p50, 'latency_p99_ms': p99, 'latency_max_ms': top,
                'frames_in_window': len(samples)}


def _text(value):
    return f'{value:.3f}' if isinstance(value, (float, np.floating)) else str(value)


class NodeDiagnostics:
    """Publishes one DiagnosticStatus for a node on /diagnostics every `period` s of wall time.

    The period runs on the steady clock, not the node clock: under use_sim_time the node clock
    stands still when /clock stops (a paused bag, a dead simulator), which is exactly when an
    operator needs the reports. The header is stamped with the node clock, as ROS messages are.
    """

    def __init__(self, node, task):
        self._node = node
        self._name = f'{node.get_fully_qualified_name()}: {task}'
        self._publisher = node.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._last_ns = None
        self.latency = LatencyWindow()

    def publish_if_due(self, period, report):
        """Publish `report()` -> (problem or '', hardware_id, {key: value}) when one is due."""
        steady_ns = time.monotonic_ns()
        if self._last_ns is not None and steady_ns - self._last_ns < period * 1e9:
            return False
        self._last_ns = steady_ns
        now = self._node.get_clock().now()
        problem, hardware_id, values = report()
        status = DiagnosticStatus(
            level=DiagnosticStatus.WARN if problem else DiagnosticStatus.OK,
            name=self._name, message=problem or 'ok', hardware_id=hardware_id,
            values=[KeyValue(key=key, value=_text(value)) for key, value in values.items()])
        array = DiagnosticArray(status=[status])
        array.header.stamp = now.to_msg()
        self._publisher.publish(array)
        return True
