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

"""
What a node tells operators about itself: /diagnostics reports and skipped-input log lines.

Skipped input is logged per reason: the error's type and text with quoted values and numbers
masked, so whatever a peer put in a message never makes a new reason (300 distinct bad encodings
are one reason). The first of a reason is logged at once, later ones at most every few seconds
with a count, and every reason's count goes into /diagnostics. rclpy's `once` and throttle
options key on the calling line and would merge different problems reported from one place.
Text from the wire is clipped before it reaches a log line.
"""

import re
import time

from dgm_robot.ros.rclpy_compat import msgs
from dgm_robot.ros.topic_frequency import TopicFrequency
import numpy as np

DiagnosticArray = msgs.diagnostic_msgs.msg.DiagnosticArray
DiagnosticStatus = msgs.diagnostic_msgs.msg.DiagnosticStatus
KeyValue = msgs.diagnostic_msgs.msg.KeyValue

# quoted values (Python reprs, where wire strings appear) and numbers, masked in reasons
_VARIABLE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\d+(?:\.\d+)?")
# reasons kept per source; beyond them, new ones are counted under one 'other problems' reason
_MAX_REASONS = 16
# characters of a reason, and of any wire text, that reach a log line or a diagnostics key
REASON_CHARS = 120
CLIP_CHARS = 200


def clipped(text, limit=CLIP_CHARS):
    """Return `text` cut to `limit` characters, saying how long it was (log lines stay short)."""
    text = str(text)
    return text if len(text) <= limit else f'{text[:limit]}... ({len(text)} characters)'


def reason_of(err):
    """Return the reason of a skip: the error's type and text, values masked and clipped."""
    return clipped(f'{type(err).__name__}: {_VARIABLE.sub("#", str(err))}', REASON_CHARS)


class SkipLog:
    """Counts skipped inputs by reason and logs each reason once per `period` s with a count."""

    def __init__(self, logger, period=10.0):
        self._logger = logger
        self._period = period
        self._reasons = {}  # (source, reason) -> [monotonic time of the last line, skips since]
        self.counts = {}    # 'skipped <source>: <reason>' -> skips since start
        self.total = 0
        self.recent = 0     # since the last diagnostics report

    def _key(self, source, err):
        reason = reason_of(err)
        if (source, reason) not in self._reasons and sum(
                1 for known, _ in self._reasons if known == source) >= _MAX_REASONS:
            reason = 'other problems'
        return source, reason

    def skip(self, source, err, level='warning'):
        """Count a skipped `source` message and log why, unless its reason was logged lately."""
        self.total += 1
        self.recent += 1
        key = self._key(source, err)
        label = f'skipped {key[0]}: {key[1]}'
        self.counts[label] = self.counts.get(label, 0) + 1
        now = time.monotonic()
        last = self._reasons.get(key)
        if last is not None and now - last[0] < self._period:
            last[1] += 1
            return
        more = f' ({last[1]} more like it since the last report)' if last and last[1] else ''
        self._reasons[key] = [now, 0]
        getattr(self._logger, level)(f'{source} skipped: {clipped(err)}{more}')


class LatencyWindow:
    """Processing latencies since the last report, summarised as p50 / p99 / max in ms."""

    def __init__(self):
        self._samples = []

    def record(self, seconds):
        """Add one latency in seconds."""
        self._samples.append(seconds)

    def pop_summary(self):
        """
        Return latency_p50_ms, latency_p99_ms, latency_max_ms, frames_in_window; start anew.

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
    """
    Publishes a node's DiagnosticStatus on /diagnostics every `period` s of wall time.

    Beside the node's own status come one per watched output topic (its frequency against its
    input's, see topic_frequency), with the same hardware_id, as diagnostic_updater publishes a
    node's tasks.

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
        self._frequencies = []

    def watch(self, publisher, produced, offered):
        """
        Report the publisher's topic frequency against its input's, one status per report.

        `produced()` and `offered()` return running counts of outputs published and of inputs
        arrived; the status is named as diagnostic_updater's TopicDiagnostic names its own.
        """
        topic = self._node.resolve_topic_name(publisher.topic_name)
        self._frequencies.append(TopicFrequency(topic, produced, offered))

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
        statuses = [status]
        for frequency in self._frequencies:
            level, message, topic_values = frequency.status()
            statuses.append(DiagnosticStatus(
                level=level, message=message, hardware_id=hardware_id,
                name=f'{self._node.get_fully_qualified_name()}: {frequency.topic} topic status',
                values=[KeyValue(key=key, value=value) for key, value in topic_values.items()]))
        array = DiagnosticArray(status=statuses)
        array.header.stamp = now.to_msg()
        self._publisher.publish(array)
        return True
