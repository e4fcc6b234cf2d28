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
Time, Duration and Clock with rclpy's names, including simulated time from `/clock`.

Nodes stamp their outputs with `get_clock().now().to_msg()`; with `use_sim_time` the clock follows
the newest `rosgraph_msgs/Clock` sample, as rclpy's TimeSource does, so a replayed bag or the
simulator drives the node's notion of time.
"""

from enum import IntEnum
import threading
import time

from dgm_robot.ros.dds.message_types import get_message

_NS = 1_000_000_000


class ClockType(IntEnum):
    """Which clock a time belongs to (rclpy.clock.ClockType)."""

    UNINITIALIZED = 0
    ROS_TIME = 1
    SYSTEM_TIME = 2
    STEADY_TIME = 3


class Duration:
    """A signed span of time in nanoseconds (rclpy.duration.Duration)."""

    __slots__ = ('nanoseconds',)

    def __init__(self, *, seconds=0, nanoseconds=0):
        self.nanoseconds = int(seconds * _NS) + int(nanoseconds)

    def to_msg(self):
        """Return a builtin_interfaces/msg/Duration."""
        sec, nanosec = divmod(self.nanoseconds, _NS)
        return get_message('builtin_interfaces/msg/Duration')(sec=sec, nanosec=nanosec)

    @classmethod
    def from_msg(cls, msg):
        """Build from a builtin_interfaces/msg/Duration."""
        return cls(seconds=msg.sec, nanoseconds=msg.nanosec)

    def __eq__(self, other):
        return isinstance(other, Duration) and self.nanoseconds == other.nanoseconds

    def __lt__(self, other):
        return self.nanoseconds < other.nanoseconds

    def __le__(self, other):
        return self.nanoseconds <= other.nanoseconds

    def __repr__(self):
        return f'Duration(nanoseconds={self.nanoseconds})'


class Time:
    """A point in time of one clock type (rclpy.time.Time)."""

    __slots__ = ('nanoseconds', 'clock_type')

    def __init__(self, *, seconds=0, nanoseconds=0, clock_type=ClockType.SYSTEM_TIME):
        self.nanoseconds = int(seconds * _NS) + int(nanoseconds)
        if self.nanoseconds < 0:
            raise ValueError(f'Time must not be negative, got {self.nanoseconds} ns')
        self.clock_type = ClockType(clock_type)

    def seconds_nanoseconds(self):
        """Return (seconds, nanoseconds) as integers."""
        return divmod(self.nanoseconds, _NS)

    def to_msg(self):
        """Return a builtin_interfaces/msg/Time (what a header stamp holds)."""
        sec, nanosec = divmod(self.nanoseconds, _NS)
        return get_message('builtin_interfaces/msg/Time')(sec=sec, nanosec=nanosec)

    @classmethod
    def from_msg(cls, msg, clock_type=ClockType.ROS_TIME):
        """Build from a builtin_interfaces/msg/Time."""
        return cls(seconds=msg.sec, nanoseconds=msg.nanosec, clock_type=clock_type)

    def __add__(self, other):
        if not isinstance(other, Duration):
            return NotImplemented
        return Time(nanoseconds=self.nanoseconds + other.nanoseconds, clock_type=self.clock_type)

    def __sub__(self, other):
        if isinstance(other, Duration):
            return Time(nanoseconds=self.nanoseconds - other.nanoseconds,
                        clock_type=self.clock_type)
        if isinstance(other, Time):
            if other.clock_type != self.clock_type:
                raise TypeError("Can't subtract times with different clock types")
            return Duration(nanoseconds=self.nanoseconds - other.nanoseconds)
        return NotImplemented

    def __eq__(self, other):
        return (isinstance(other, Time) and self.nanoseconds == other.nanoseconds
                and self.clock_type == other.clock_type)

    def __lt__(self, other):
        return self.nanoseconds < other.nanoseconds

    def __le__(self, other):
        return self.nanoseconds <= other.nanoseconds

    def __repr__(self):
        return f'Time(nanoseconds={self.nanoseconds}, clock_type={self.clock_type.name})'


class Clock:
    """A clock of one type (rclpy.clock.Clock); ROS_TIME can be driven by `/clock`."""

    def __init__(self, *, clock_type=ClockType.SYSTEM_TIME):
        self.clock_type = ClockType(clock_type)
        self._lock = threading.Lock()
        self._sim_ns = None

    @property
    def ros_time_is_active(self):
        """Return True when this ROS_TIME clock follows simulated time."""
        return self._sim_ns is not None

    def _set_ros_time_override(self, nanoseconds):
        with self._lock:
            self._sim_ns = nanoseconds

    def now(self):
        """Return the current Time of this clock."""
        if self.clock_type == ClockType.STEADY_TIME:
            return Time(nanoseconds=time.monotonic_ns(), clock_type=self.clock_type)
        with self._lock:
            sim = self._sim_ns
        ns = time.time_ns() if sim is None else sim
        return Time(nanoseconds=ns, clock_type=self.clock_type)


class ROSClock(Clock):
    """The node clock: system time, or simulated time while use_sim_time is set."""

    def __init__(self):
        super().__init__(clock_type=ClockType.ROS_TIME)
