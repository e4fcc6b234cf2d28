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
How inputs flow through a node: newest frame first, side outputs throttled, stamps carried.

A perception node that falls behind its camera must skip stale frames rather than queue them, so
subscription callbacks only park the newest message and a guard condition has the executor
process it as soon as the callbacks for the waiting messages have run (rclpy and the DDS runtime
both serve a triggered guard condition without a timer); frames overwritten unprocessed are
counted for /diagnostics. No node polls for frames: a hop costs no timer slack and an idle node
sleeps. Side outputs (decoded images) are throttled by the input's stamps, so bag playback at any
rate gives the same outputs. Reports (/diagnostics, periodic saves) are checked on a slow timer
on the steady clock, so under use_sim_time they do not wait for /clock.
"""

import time

from dgm_robot.ros.rclpy_compat import Clock, ClockType

# s between checks whether a report is due: the shortest diagnostics_period a node accepts
REPORT_PERIOD = 0.1


def report_timer(node, callback):
    """Create the node's timer that checks whether reports are due, on the steady clock."""
    return node.create_timer(REPORT_PERIOD, callback,
                             clock=Clock(clock_type=ClockType.STEADY_TIME))


def stamp_to_sec(stamp):
    """Return a builtin_interfaces/Time as float seconds."""
    return int(stamp.sec) + int(stamp.nanosec) * 1e-9


def sec_to_stamp(time_type, seconds):
    """Return float seconds as a `time_type` (any builtin_interfaces/Time class)."""
    nanoseconds = int(round(seconds * 1e9))
    return time_type(sec=nanoseconds // 1_000_000_000, nanosec=nanoseconds % 1_000_000_000)


class LatestFrame:
    """
    Holds the newest unprocessed message, counting those that came (received) and replaced ones.

    Given a node and `handle(msg, arrived)`, `put` (the subscription callback) triggers a guard
    condition of the node whose callback hands the parked message to `handle`: the executor runs
    it after the subscription's waiting messages, so only the newest is processed. Without them
    the owner takes the message itself.
    """

    def __init__(self, node=None, handle=None):
        if (node is None) != (handle is None):
            raise TypeError('LatestFrame needs both a node and a handler, or neither')
        self._item = None
        self.received = 0
        self.dropped = 0
        self._handle = handle
        self._guard = None if node is None else node.create_guard_condition(self.process)

    def put(self, msg):
        """Park `msg` with its arrival time, dropping the one still waiting."""
        self.received += 1
        if self._item is not None:
            self.dropped += 1
        self._item = (msg, time.perf_counter())
        if self._guard is not None:
            self._guard.trigger()

    def process(self):
        """Hand the parked message to the handler, if one waits (the guard's callback)."""
        item = self.take()
        if item is not None:
            self._handle(*item)

    def take(self):
        """Return (msg, arrival perf_counter time) and clear it, or None when nothing waits."""
        item, self._item = self._item, None
        return item


class StampThrottle:
    """Says whether a throttled output is due, going by input stamps in seconds."""

    def __init__(self):
        self._last = None

    def due(self, stamp, period):
        """
        Return True (and remember `stamp`) when `period` s passed; never for period <= 0.

        A stamp earlier than the last one (bag restarted, clock reset) makes the output due.
        """
        if period <= 0:
            return False
        if self._last is None or stamp < self._last or stamp - self._last >= period:
            self._last = stamp
            return True
        return False
