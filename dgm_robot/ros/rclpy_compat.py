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
One import site for rclpy and message classes, with the DDS runtime as the fallback.

Nodes are written against rclpy's API. Where rclpy is installed (a ROS 2 workspace) this module
hands out rclpy itself and the real message classes; elsewhere (pip installs, CI) it hands out the
Cyclone DDS runtime in dgm_robot.ros.dds, which speaks ROS 2 on the wire. Set
DGM_ROBOT_RUNTIME=dds to use the DDS runtime even where rclpy exists.

    from dgm_robot.ros.rclpy_compat import rclpy, Node, qos_profile_sensor_data, msgs
    Image = msgs.sensor_msgs.msg.Image

Shutdown: SIGINT raises KeyboardInterrupt and SIGTERM makes `rclpy.spin` raise
ExternalShutdownException (or return), under both runtimes, so a node saves its state with

    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.save_state()
        node.destroy_node()
        rclpy.try_shutdown()
"""

import importlib
import os

from dgm_robot.ros.dds.message_types import MessageNamespace


def _want_rclpy():
    runtime = os.environ.get('DGM_ROBOT_RUNTIME', 'auto')
    if runtime not in ('auto', 'rclpy', 'dds'):
        raise ValueError(f'DGM_ROBOT_RUNTIME={runtime!r}: expected auto, rclpy or dds')
    if runtime == 'dds':
        return False
    try:
        importlib.import_module('rclpy')
    except ImportError:
        if runtime == 'rclpy':
            raise
        return False
    return True


USING_RCLPY = _want_rclpy()

if USING_RCLPY:
    import rclpy
    from rclpy.clock import Clock, ClockType
    from rclpy.duration import Duration
    try:
        from rclpy.event_handler import SubscriptionEventCallbacks
    except ImportError:  # Humble names the module qos_event
        from rclpy.qos_event import SubscriptionEventCallbacks
    from rclpy.exceptions import ParameterException
    from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
    from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from rclpy.qos import (
        DurabilityPolicy, HistoryPolicy, QoSProfile, qos_profile_sensor_data,
        qos_profile_system_default, ReliabilityPolicy)
    from rclpy.time import Time
    from rcl_interfaces.msg import (
        FloatingPointRange, IntegerRange, ParameterDescriptor, SetParametersResult)

    def get_message(ros_type):
        """Return the rclpy message class of 'pkg/msg/Name'."""
        pkg, kind, name = ros_type.split('/')
        return getattr(importlib.import_module(f'{pkg}.{kind}'), name)
else:
    from dgm_robot.ros.dds import api as rclpy
    from dgm_robot.ros.dds.clock import Clock, ClockType, Duration, Time
    from dgm_robot.ros.dds.events import SubscriptionEventCallbacks
    from dgm_robot.ros.dds.executor import ExternalShutdownException, SingleThreadedExecutor
    from dgm_robot.ros.dds.lifecycle import (
        LifecycleNode, LifecycleState, TransitionCallbackReturn)
    from dgm_robot.ros.dds.message_types import get_message
    from dgm_robot.ros.dds.node import Node
    from dgm_robot.ros.dds.parameters import (
        FloatingPointRange, IntegerRange, Parameter, ParameterDescriptor, ParameterException,
        SetParametersResult)
    from dgm_robot.ros.dds.qos import (
        DurabilityPolicy, HistoryPolicy, QoSProfile, qos_profile_sensor_data,
        qos_profile_system_default, ReliabilityPolicy)

msgs = MessageNamespace((), lambda path: get_message('/'.join(path)))


def interface_or_none(ros_type):
    """
    Return the class of a type from an optional interface package, None where it is not built.

    The DDS runtime bundles the definitions; under rclpy the package may not be installed.
    """
    try:
        return get_message(ros_type)
    except ImportError:
        return None


# Not an rclpy preset: the latched profile of the interfaces table (reliable, transient local).
qos_profile_transient_local = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                                         durability=DurabilityPolicy.TRANSIENT_LOCAL,
                                         history=HistoryPolicy.KEEP_LAST)

__all__ = ['Clock', 'ClockType', 'DurabilityPolicy', 'Duration', 'ExternalShutdownException',
           'FloatingPointRange', 'HistoryPolicy', 'IntegerRange', 'LifecycleNode',
           'LifecycleState', 'Node', 'Parameter',
           'ParameterDescriptor', 'ParameterException', 'QoSProfile', 'ReliabilityPolicy',
           'SetParametersResult', 'SubscriptionEventCallbacks',
           'SingleThreadedExecutor', 'Time', 'TransitionCallbackReturn', 'USING_RCLPY',
           'get_message', 'interface_or_none', 'msgs', 'qos_profile_sensor_data',
           'qos_profile_system_default',
           'qos_profile_transient_local', 'rclpy']
