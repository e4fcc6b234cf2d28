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
Executor lifecycle of the DDS runtime: destroyed nodes, shut-down executors, timer clocks.

Nodes and tests create and destroy nodes and executors in any order (one node per test, a probe
spun with spin_once, an executor shut down before the context); none of these orders may leave a
deleted DDS entity behind in a wait set, or the next wait or shutdown fails.
"""

import importlib
import time

from dgm_robot.ros import rclpy_compat
from dgm_robot.ros.dds import api as rclpy
from dgm_robot.ros.dds import msgs
from dgm_robot.ros.dds.clock import Clock, ClockType
from dgm_robot.ros.dds.executor import ExternalShutdownException, SingleThreadedExecutor
from dgm_robot.ros.dds.node import Node
import pytest

String = msgs.std_msgs.msg.String


def spin_until(spin, condition, timeout=5.0):
    """Call `spin()` until `condition()` holds; return whether it did within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        spin()
    return condition()


def exchange(spin, publisher, received, word):
    """Publish `word` once matched and spin until it arrives; return whether it did."""
    assert spin_until(spin, lambda: publisher.get_subscription_count() >= 1)
    publisher.publish(String(data=word))
    return spin_until(spin, lambda: word in received)


def test_spin_once_after_a_spun_node_was_destroyed(runtime):
    """A node spun with spin_once and destroyed does not break spin_once of the next node."""
    probe, listener = Node('probe'), Node('listener')
    probe.create_subscription(String, '/probe_in', lambda m: None, 10)
    rclpy.spin_once(probe, timeout_sec=0.01)
    probe.destroy_node()
    received = []
    listener.create_subscription(String, '/chatter', lambda m: received.append(m.data), 10)
    publisher = listener.create_publisher(String, '/chatter', 10)
    assert exchange(lambda: rclpy.spin_once(listener, timeout_sec=0.05), publisher, received,
                    'after probe')
    listener.destroy_node()


def test_destroying_served_entities_keeps_the_executor_working(runtime):
    """Destroying a subscription, then a whole node, while an executor serves them."""
    executor = SingleThreadedExecutor()
    talker, listener, doomed = Node('talker'), Node('listener'), Node('doomed')
    received = []
    listener.create_subscription(String, '/chatter', lambda m: received.append(m.data), 10)
    extra = listener.create_subscription(String, '/other', lambda m: None, 10)
    doomed.create_subscription(String, '/chatter', lambda m: received.append('doomed'), 10)
    doomed.create_timer(0.01, lambda: received.append('doomed timer'))
    publisher = talker.create_publisher(String, '/chatter', 10)
    for node in (talker, listener, doomed):
        executor.add_node(node)
    assert exchange(lambda: executor.spin_once(timeout_sec=0.05), publisher, received, 'one')
    assert listener.destroy_subscription(extra)
    doomed.destroy_node()
    assert doomed not in executor.get_nodes() and doomed.executor is None
    received.clear()
    assert exchange(lambda: executor.spin_once(timeout_sec=0.05), publisher, received, 'two')
    assert 'doomed' not in received and 'doomed timer' not in received
    executor.shutdown()


def test_node_moves_between_executors(runtime):
    """Adding a node to a second executor takes it from the first, as in rclpy."""
    first, second = SingleThreadedExecutor(), SingleThreadedExecutor()
    node = Node('mover')
    node.create_subscription(String, '/chatter', lambda m: None, 10)
    first.add_node(node)
    first.spin_once(timeout_sec=0.01)
    second.add_node(node)
    assert (first.get_nodes(), second.get_nodes(), node.executor) == ([], [node], second)
    node.destroy_node()
    first.spin_once(timeout_sec=0.01)
    second.spin_once(timeout_sec=0.01)
    first.shutdown()
    second.shutdown()


def test_try_shutdown_after_executor_shutdown(runtime):
    """An executor shut down first is no longer woken by the context; shutdown completes."""
    node = Node('worker')
    node.create_subscription(String, '/chatter', lambda m: None, 10)
    finished = SingleThreadedExecutor()
    finished.add_node(node)
    finished.spin_once(timeout_sec=0.01)
    finished.shutdown()
    running = SingleThreadedExecutor()
    running.add_node(node)
    running.spin_once(timeout_sec=0.01)
    called = []
    rclpy.get_default_context().on_shutdown(lambda: called.append(True))
    rclpy.try_shutdown()
    assert called == [True] and not rclpy.ok()
    with pytest.raises(ExternalShutdownException):
        running.spin_once(timeout_sec=0.01)
    node.destroy_node()


def test_steady_timer_runs_while_sim_time_stands_still(ros_domain_id):
    """Under use_sim_time a node-clock timer waits for /clock; a steady-clock timer does not."""
    rclpy.init(args=['--ros-args', '-p', 'use_sim_time:=true'], domain_id=ros_domain_id)
    try:
        node = Node('watchdog')
        sim_calls, steady_calls = [], []
        node.create_timer(0.02, lambda: sim_calls.append(True))
        steady = Clock(clock_type=ClockType.STEADY_TIME)
        timer = node.create_timer(0.02, lambda: steady_calls.append(True), clock=steady)
        assert timer.clock is steady and steady.now().clock_type == ClockType.STEADY_TIME
        assert spin_until(lambda: rclpy.spin_once(node, timeout_sec=0.05),
                          lambda: len(steady_calls) >= 5, timeout=2.0)
        assert sim_calls == []
        with pytest.raises(TypeError, match='clock must be a Clock, got str'):
            node.create_timer(0.02, lambda: None, clock='steady')
        node.destroy_node()
    finally:
        rclpy.try_shutdown()


def test_clock_types_have_rclpy_values_and_are_exported():
    """The numbering of ClockType is rclpy's, clocks stamp their type, rclpy_compat has both."""
    expected = importlib.import_module(
        'rclpy.clock' if rclpy_compat.USING_RCLPY else 'dgm_robot.ros.dds.clock')
    assert (rclpy_compat.Clock, rclpy_compat.ClockType) == (expected.Clock, expected.ClockType)
    assert (ClockType.ROS_TIME, ClockType.SYSTEM_TIME, ClockType.STEADY_TIME) == (1, 2, 3)
    for clock_type in (ClockType.SYSTEM_TIME, ClockType.STEADY_TIME, ClockType.ROS_TIME):
        assert Clock(clock_type=clock_type).now().clock_type == clock_type
