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
The DDS executor sleeps between events, and nodes handle frames without polling timers.

A node with only a timer (sim_world) used to spin a core: Cyclone returns at once from a wait
on an empty wait set. Nodes used to look for a parked frame every 10 ms; now the subscription
callback parks it and a guard condition has the executor process it, newest first.
"""

import time

from dgm_robot.ros.dds import msgs
from dgm_robot.ros.dds.executor import SingleThreadedExecutor
from dgm_robot.ros.dds.node import Node
from dgm_robot.ros.flow import LatestFrame
from dgm_robot.ros.qos import RELIABLE
import pytest

String = msgs.std_msgs.msg.String


def test_idle_spin_once_sleeps_until_the_timer_deadline(runtime):
    """A timer-only node's spin_once returns at the timer deadline, not before, and sleeps."""
    node, calls = Node('ticker'), []
    timer = node.create_timer(0.3, lambda: calls.append(time.monotonic()))
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    deadline_ns = timer.clock.now().nanoseconds + timer.time_until_next_call()
    cpu, start = time.process_time(), time.monotonic()
    executor.spin_once(timeout_sec=2.0)
    cpu, wall = time.process_time() - cpu, time.monotonic() - start
    assert len(calls) == 1 and timer.clock.now().nanoseconds >= deadline_ns
    assert wall < 1.0
    assert cpu < 0.25 * wall, f'{cpu:.3f} s of CPU in {wall:.3f} s idle: the executor spun'
    executor.shutdown()
    node.destroy_node()


def test_spin_once_times_out_without_spinning(runtime):
    """With nothing attached but the executor's own trigger, a timeout is slept through."""
    node = Node('idle')
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    cpu, start = time.process_time(), time.monotonic()
    executor.spin_once(timeout_sec=0.3)
    cpu, wall = time.process_time() - cpu, time.monotonic() - start
    assert wall >= 0.3 and cpu < 0.25 * wall
    executor.shutdown()
    node.destroy_node()


def test_guard_condition_triggered_from_a_thread_wakes_the_executor(runtime):
    """trigger() from another thread ends a wait at once (the wait set's own trigger)."""
    import threading
    node, calls = Node('guarded'), []
    guard = node.create_guard_condition(lambda: calls.append(True))
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    threading.Timer(0.1, guard.trigger).start()
    start = time.monotonic()
    executor.spin_once(timeout_sec=5.0)
    assert calls == [True] and time.monotonic() - start < 2.0
    executor.spin_once(timeout_sec=0.05)
    assert calls == [True]  # one trigger, one call
    executor.shutdown()
    node.destroy_node()


def test_parked_frame_is_handled_without_a_timer_newest_first(runtime):
    """Frames queued in a reliable reader are drained, then only the newest is handled."""
    node, handled = Node('handler'), []
    frames = LatestFrame(node, lambda msg, arrived: handled.append(msg.data))
    subscription = node.create_subscription(String, '/frames', frames.put, RELIABLE)
    publisher = node.create_publisher(String, '/frames', RELIABLE)
    assert node.timers == []
    deadline = time.monotonic() + 5.0
    while publisher.get_subscription_count() < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    for word in ('a', 'b', 'c'):
        publisher.publish(String(data=word))
    while len(subscription._reader.read(N=10)) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    while not handled and time.monotonic() < deadline:
        executor.spin_once(timeout_sec=0.1)
    assert handled == ['c'] and frames.dropped == 2
    publisher.publish(String(data='d'))
    while handled == ['c'] and time.monotonic() < deadline:
        executor.spin_once(timeout_sec=0.1)
    assert handled == ['c', 'd']
    executor.shutdown()
    node.destroy_node()


def test_latest_frame_without_a_handler_still_parks():
    """LatestFrame() keeps working for a node that takes frames itself."""
    frames = LatestFrame()
    frames.put('a')
    frames.put('b')
    assert frames.take()[0] == 'b' and frames.dropped == 1 and frames.take() is None
    with pytest.raises(TypeError):
        LatestFrame(handle=print)
