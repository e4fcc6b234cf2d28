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
Topics, timers, simulated time and signals of the DDS runtime, on the loopback interface only.

Every test runs in its own ROS_DOMAIN_ID with Cyclone restricted to 127.0.0.1 (no multicast), and
checks Cyclone's own trace to prove that no other interface was selected.
"""

import os
from pathlib import Path
import signal
import subprocess
import sys
import time

from dgm_robot.ros.dds import api as rclpy
from dgm_robot.ros.dds import msgs
from dgm_robot.ros.dds.context import domain_id_from_env
from dgm_robot.ros.dds.executor import ExternalShutdownException, SingleThreadedExecutor
from dgm_robot.ros.dds.loopback import loopback_config
from dgm_robot.ros.dds.node import Node
from dgm_robot.ros.dds.qos import (
    DurabilityPolicy, qos_profile_sensor_data, QoSProfile, ReliabilityPolicy)
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
Image = msgs.sensor_msgs.msg.Image
String = msgs.std_msgs.msg.String

TALKER = """
import sys
from dgm_robot.ros.rclpy_compat import ExternalShutdownException, msgs, Node, rclpy


class Talker(Node):
    def __init__(self):
        super().__init__('talker')
        self.publisher = self.create_publisher(msgs.std_msgs.msg.String, 'chatter', 10)
        self.count = 0
        self.create_timer(0.05, self.tick)

    def tick(self):
        self.count += 1
        self.publisher.publish(msgs.std_msgs.msg.String(data=f'hello {self.count}'))


rclpy.init(args=sys.argv)
node = Talker()
print('ready', flush=True)
try:
    rclpy.spin(node)
except (KeyboardInterrupt, ExternalShutdownException) as exc:
    print('stopped by', type(exc).__name__, flush=True)
finally:
    print('saved', node.count, flush=True)
    node.destroy_node()
    rclpy.try_shutdown()
"""


@pytest.fixture
def dds_env(ros_domain_id, tmp_path, monkeypatch):
    """Loopback-only Cyclone configuration with a trace file, and this run's domain id."""
    trace = tmp_path / 'cyclone.log'
    monkeypatch.setenv('ROS_DOMAIN_ID', str(ros_domain_id))
    monkeypatch.setenv('CYCLONEDDS_URI', loopback_config(trace))
    monkeypatch.setenv('DGM_ROBOT_RUNTIME', 'dds')
    return trace


@pytest.fixture
def node(dds_env):
    """Yield a node in an initialised runtime; shut the runtime down afterwards."""
    rclpy.init(args=[])
    made = Node('tester')
    yield made
    made.destroy_node()
    rclpy.try_shutdown()


def spin_until(node, condition, timeout=5.0):
    """Spin `node` until `condition()` holds; return whether it did within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        rclpy.spin_once(node, timeout_sec=0.05)
    return condition()


def camera_frame(seed, stamp_sec=0):
    """Return a random 640x480 rgb8 Image and its pixels."""
    pixels = np.random.default_rng(seed).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    msg = Image(height=480, width=640, encoding='rgb8', step=640 * 3, data=pixels.reshape(-1))
    msg.header.stamp.sec = stamp_sec
    return msg, pixels


def test_traffic_stays_on_loopback(node, dds_env, ros_domain_id, monkeypatch):
    """Cyclone joins ROS_DOMAIN_ID, selects only `lo` and advertises only 127.0.0.1."""
    node.create_publisher(String, 'chatter', 10)
    assert node.context.domain_id == ros_domain_id
    assert f'[{ros_domain_id}]' in dds_env.read_text().splitlines()[0]
    monkeypatch.setenv('ROS_DOMAIN_ID', 'robot')
    with pytest.raises(ValueError, match="ROS_DOMAIN_ID='robot' is not a domain id"):
        domain_id_from_env()
    trace = dds_env.read_text()
    assert 'selected interfaces: lo ' in trace
    assert 'ownip: udp/127.0.0.1' in trace
    assert 'AllowMulticast/#text: false' in trace


def test_image_exchange_in_one_process(node):
    """A 640x480 rgb8 frame published with sensor-data QoS arrives intact as a numpy array."""
    received = []
    node.create_subscription(Image, 'image', received.append, qos_profile_sensor_data)
    publisher = node.create_publisher(Image, 'image', qos_profile_sensor_data)
    msg, pixels = camera_frame(1, stamp_sec=42)
    assert spin_until(node, lambda: publisher.get_subscription_count() == 1)
    publisher.publish(msg)
    assert spin_until(node, lambda: received)
    frame = received[0]
    assert frame.header.stamp.sec == 42 and frame.encoding == 'rgb8'
    np.testing.assert_array_equal(frame.data.reshape(480, 640, 3), pixels)


def test_sensor_data_delivers_newest_and_counts_dropped(node):
    """Frames queued while the node was busy: only the newest is handled, the rest are counted."""
    received = []
    subscription = node.create_subscription(Image, 'image', received.append,
                                            qos_profile_sensor_data)
    publisher = node.create_publisher(Image, 'image', qos_profile_sensor_data)
    assert spin_until(node, lambda: publisher.get_subscription_count() == 1)
    for stamp in range(4):
        publisher.publish(camera_frame(stamp, stamp_sec=stamp)[0])
    assert spin_until(node, lambda: received)
    assert [m.header.stamp.sec for m in received] == [3]
    assert (subscription.received, subscription.dropped) == (4, 3)


def test_reliable_delivers_every_message_in_order(node):
    """Reliable keep-last subscriptions see every message, one callback each, in order."""
    received = []
    node.create_subscription(String, 'words', lambda m: received.append(m.data), 10)
    publisher = node.create_publisher(String, 'words', 10)
    assert spin_until(node, lambda: publisher.get_subscription_count() == 1)
    for word in ('kitchen', 'hall', 'bedroom'):
        publisher.publish(String(data=word))
    assert spin_until(node, lambda: len(received) == 3)
    assert received == ['kitchen', 'hall', 'bedroom']


def test_transient_local_reaches_late_subscriber(node):
    """A latched message published before the subscription exists is still delivered."""
    latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)
    node.create_publisher(String, '~/place_info', latched).publish(String(data='kitchen'))
    received = []
    node.create_subscription(String, '/tester/place_info', received.append, latched)
    assert spin_until(node, lambda: received)
    assert received[0].data == 'kitchen'


def test_executor_serves_several_nodes_and_survives_reinit(dds_env):
    """One executor spins two nodes; nodes destroyed after shutdown and a second init work."""
    executor = SingleThreadedExecutor()
    for word in ('first', 'second'):
        rclpy.init(args=[])
        talker, listener = Node('talker'), Node('listener')
        received = []
        listener.create_subscription(String, '/chatter', lambda m: received.append(m.data), 10)
        publisher = talker.create_publisher(String, '/chatter', 10)
        executor.add_node(talker)
        executor.add_node(listener)
        deadline = time.monotonic() + 5.0
        while publisher.get_subscription_count() == 0 and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.05)
        publisher.publish(String(data=word))
        while not received and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.05)
        assert received == [word]
        rclpy.try_shutdown()
        with pytest.raises(ExternalShutdownException):
            executor.spin_once(timeout_sec=0.01)
        talker.destroy_node()
        listener.destroy_node()
    assert executor.get_nodes() == []


def test_timer_period(node):
    """A 50 ms timer fires at 20 Hz from spin_once."""
    calls = []
    node.create_timer(0.05, lambda: calls.append(time.monotonic()))
    spin_until(node, lambda: len(calls) >= 9, timeout=2.0)
    intervals = np.diff(calls)
    assert len(calls) >= 9
    assert abs(np.median(intervals) - 0.05) < 0.01


def test_use_sim_time_follows_clock_topic(dds_env):
    """With use_sim_time the node clock reads the newest /clock sample."""
    rclpy.init(args=['--ros-args', '-p', 'use_sim_time:=true'])
    try:
        sim = Node('sim_clock_user')
        assert sim.get_clock().now().nanoseconds == 0
        publisher = sim.create_publisher(msgs.rosgraph_msgs.msg.Clock, '/clock', 10)
        assert spin_until(sim, lambda: publisher.get_subscription_count() == 1)
        tick = msgs.rosgraph_msgs.msg.Clock()
        tick.clock.sec, tick.clock.nanosec = 1234, 500
        publisher.publish(tick)
        assert spin_until(sim, lambda: sim.get_clock().now().nanoseconds > 0)
        assert sim.get_clock().now().nanoseconds == 1234 * 10**9 + 500
        sim.destroy_node()
    finally:
        rclpy.try_shutdown()


def start_talker(*ros_args):
    """Start the talker script in a subprocess and wait until its node exists."""
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='1')
    process = subprocess.Popen([sys.executable, '-c', TALKER, '--ros-args', *ros_args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env, cwd=REPO)
    assert process.stdout.readline().strip() == 'ready'
    return process


# As with rclpy, SIGTERM makes spin raise ExternalShutdownException when it lands during a wait,
# and spin simply returns when it lands during a callback; SIGINT raises KeyboardInterrupt.
@pytest.mark.parametrize('signum, stopped_by', [
    (signal.SIGTERM, ('stopped by ExternalShutdownException', '')),
    (signal.SIGINT, ('stopped by KeyboardInterrupt',))])
def test_subprocess_publisher_and_clean_signal_shutdown(node, signum, stopped_by):
    """A remapped publisher in another process reaches us; a signal ends it with exit code 0."""
    received = []
    node.create_subscription(String, '/remapped/chatter', lambda m: received.append(m.data), 10)
    talker = start_talker('-r', 'chatter:=/remapped/chatter')
    try:
        assert spin_until(node, lambda: len(received) >= 3, timeout=10.0)
        assert all(text.startswith('hello ') for text in received)
        talker.send_signal(signum)
        output, _ = talker.communicate(timeout=10)
    finally:
        talker.kill()
    # The writer's disappearance reaches the reader as a data-less sample: never a callback.
    spin_until(node, lambda: False, timeout=0.5)
    assert all(isinstance(text, str) for text in received)
    assert talker.returncode == 0, output
    stops = [line for line in output.splitlines() if line.startswith('stopped by')]
    assert (stops[0] if stops else '') in stopped_by, output
    saved = [line for line in output.splitlines() if line.startswith('saved ')]
    assert saved and int(saved[0].split()[1]) >= 3
