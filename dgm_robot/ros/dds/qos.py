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
QoS profiles with rclpy's names and defaults, and their mapping onto Cyclone DDS policies.

The mapping is the one rmw_cyclonedds makes, so that a reader here and a writer in an rclpy
node (or the reverse) are matched or refused by DDS exactly as two rclpy nodes would be.
"""

from enum import IntEnum

from cyclonedds.qos import Policy, Qos


class InvalidQoSProfileException(ValueError):
    """A QoS profile that cannot be used (as rclpy.qos.InvalidQoSProfileException)."""


class HistoryPolicy(IntEnum):
    """How many samples a reader or writer keeps (rclpy.qos.HistoryPolicy)."""

    SYSTEM_DEFAULT = 0
    KEEP_LAST = 1
    KEEP_ALL = 2
    UNKNOWN = 3


class ReliabilityPolicy(IntEnum):
    """Whether lost samples are resent (rclpy.qos.ReliabilityPolicy)."""

    SYSTEM_DEFAULT = 0
    RELIABLE = 1
    BEST_EFFORT = 2
    UNKNOWN = 3


class DurabilityPolicy(IntEnum):
    """Whether late joiners get the last samples (rclpy.qos.DurabilityPolicy)."""

    SYSTEM_DEFAULT = 0
    TRANSIENT_LOCAL = 1
    VOLATILE = 2
    UNKNOWN = 3


QoSHistoryPolicy = HistoryPolicy
QoSReliabilityPolicy = ReliabilityPolicy
QoSDurabilityPolicy = DurabilityPolicy

# Reliable writers block at most this long when the reader's history is full (rmw_cyclonedds).
_MAX_BLOCKING_NS = 100_000_000


class QoSProfile:
    """History, depth, reliability and durability, with rclpy's defaults for unset fields."""

    __slots__ = ('history', 'depth', 'reliability', 'durability')

    def __init__(self, **kwargs):
        unknown = set(kwargs) - set(self.__slots__)
        if unknown:
            raise InvalidQoSProfileException(
                f'unsupported QoS settings {sorted(unknown)}: this runtime supports '
                'history, depth, reliability and durability')
        if 'history' not in kwargs and 'depth' not in kwargs:
            raise InvalidQoSProfileException('History and/or depth settings are required.')
        self.history = HistoryPolicy(kwargs.get('history', HistoryPolicy.KEEP_LAST))
        # Unset fields take rclpy's default profile (reliable, volatile, depth 10).
        self.depth = int(kwargs.get('depth', 10))
        self.reliability = ReliabilityPolicy(kwargs.get('reliability',
                                                        ReliabilityPolicy.RELIABLE))
        self.durability = DurabilityPolicy(kwargs.get('durability', DurabilityPolicy.VOLATILE))
        if self.depth < 0:
            raise InvalidQoSProfileException(f'QoS depth must be >= 0, got {self.depth}')

    def __eq__(self, other):
        return isinstance(other, QoSProfile) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __repr__(self):
        return (f'QoSProfile(history={self.history.name}, depth={self.depth}, '
                f'reliability={self.reliability.name}, durability={self.durability.name})')


qos_profile_sensor_data = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=5,
                                     reliability=ReliabilityPolicy.BEST_EFFORT,
                                     durability=DurabilityPolicy.VOLATILE)
qos_profile_default = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=10,
                                 reliability=ReliabilityPolicy.RELIABLE,
                                 durability=DurabilityPolicy.VOLATILE)
qos_profile_system_default = QoSProfile(history=HistoryPolicy.SYSTEM_DEFAULT, depth=0,
                                        reliability=ReliabilityPolicy.SYSTEM_DEFAULT,
                                        durability=DurabilityPolicy.SYSTEM_DEFAULT)
qos_profile_services_default = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=10,
                                          reliability=ReliabilityPolicy.RELIABLE,
                                          durability=DurabilityPolicy.VOLATILE)
qos_profile_parameters = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1000,
                                    reliability=ReliabilityPolicy.RELIABLE,
                                    durability=DurabilityPolicy.VOLATILE)


def as_profile(qos_profile):
    """Accept a QoSProfile or a history depth, as create_publisher/create_subscription do."""
    if isinstance(qos_profile, QoSProfile):
        return qos_profile
    if isinstance(qos_profile, int) and not isinstance(qos_profile, bool):
        return QoSProfile(depth=qos_profile)
    raise TypeError(f'qos_profile must be a QoSProfile or an int depth, got {qos_profile!r}')


def to_dds_qos(profile):
    """Return the Cyclone DDS Qos for a QoSProfile (SYSTEM_DEFAULT leaves DDS's default)."""
    policies = []
    if profile.history == HistoryPolicy.KEEP_LAST:
        policies.append(Policy.History.KeepLast(max(profile.depth, 1)))
    elif profile.history == HistoryPolicy.KEEP_ALL:
        policies.append(Policy.History.KeepAll)
    if profile.reliability == ReliabilityPolicy.RELIABLE:
        policies.append(Policy.Reliability.Reliable(_MAX_BLOCKING_NS))
    elif profile.reliability == ReliabilityPolicy.BEST_EFFORT:
        policies.append(Policy.Reliability.BestEffort)
    if profile.durability == DurabilityPolicy.TRANSIENT_LOCAL:
        policies.append(Policy.Durability.TransientLocal)
    elif profile.durability == DurabilityPolicy.VOLATILE:
        policies.append(Policy.Durability.Volatile)
    return Qos(*policies)
