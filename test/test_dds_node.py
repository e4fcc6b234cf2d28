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


"""Node basics of the DDS runtime: names, logger, time types and lifecycle errors as in rclpy."""

import io

from dgm_robot.ros.dds import api as rclpy
from dgm_robot.ros.dds import msgs
from dgm_robot.ros.dds.clock import ClockType, Duration, Time
from dgm_robot.ros.dds.context import NotInitializedError
from dgm_robot.ros.dds.logger import RcutilsLogger
from dgm_robot.ros.dds.node import Node
import pytest


@pytest.fixture
def runtime(ros_domain_id):
    """Initialise the runtime with a namespace remap; shut it down afterwards."""
    rclpy.init(args=['prog', '--ros-args', '-r', '__ns:=/robot1'], domain_id=ros_domain_id)
    yield
    rclpy.try_shutdown()


def test_node_names_follow_remapping(runtime):
    """Name, namespace and private topics reflect `__ns`; a bad node name is refused."""
    node = Node('vae_encoder')
    assert (node.get_name(), node.get_namespace()) == ('vae_encoder', '/robot1')
    assert node.resolve_topic_name('~/latent') == '/robot1/vae_encoder/latent'
    assert node.get_logger().name == 'robot1.vae_encoder'
    with pytest.raises(ValueError, match='invalid node name'):
        Node('vae-encoder')
    with pytest.raises(RuntimeError, match='only be called once'):
        rclpy.init(args=[])


def test_node_needs_init():
    """Creating a node before init() fails with a message saying what to do."""
    with pytest.raises(NotInitializedError, match=r'rclpy.init\(\) must be called'):
        Node('early')
    with pytest.raises(RuntimeError, match='not initialised'):
        rclpy.shutdown()


def test_logger_once_throttle_and_level():
    """`once` logs a call site a single time, throttling drops repeats, levels filter."""
    stream = io.StringIO()
    logger = RcutilsLogger('enc', stream)
    for _ in range(3):
        logger.warning('bad encoding', once=True)
    for _ in range(3):
        logger.info('status', throttle_duration_sec=60.0)
    logger.debug('hidden')
    logger.set_level('debug')
    logger.debug('shown')
    lines = stream.getvalue().splitlines()
    assert [line.split('] ', 2)[0] for line in lines] == ['[WARN', '[INFO', '[DEBUG']
    assert lines[0].endswith('[enc]: bad encoding') and lines[2].endswith('shown')
    with pytest.raises(ValueError, match='unknown log level'):
        logger.set_level('loud')


def test_time_and_duration_arithmetic_and_messages():
    """Time/Duration convert to and from builtin_interfaces messages and subtract as rclpy."""
    stamp = Time(seconds=3, nanoseconds=250, clock_type=ClockType.ROS_TIME)
    msg = stamp.to_msg()
    assert isinstance(msg, msgs.builtin_interfaces.msg.Time)
    assert (msg.sec, msg.nanosec) == (3, 250)
    assert Time.from_msg(msg) == stamp
    later = stamp + Duration(seconds=0.5)
    assert (later - stamp).nanoseconds == 500_000_000
    assert later.seconds_nanoseconds() == (3, 500_000_250)
    with pytest.raises(TypeError, match='different clock types'):
        stamp - Time(seconds=1)
    with pytest.raises(ValueError, match='negative'):
        Time(nanoseconds=-1)


def test_endpoints_compile_their_codec_before_the_first_message(runtime):
    """A publisher or subscription is ready to send at once: no codec compiled mid-callback."""
    from dgm_robot.ros.dds.message_types import _registry, get_message
    codec = _registry('humble').codec
    node = Node('codec_ready')
    try:
        for ros_type, make in (('visualization_msgs/msg/InteractiveMarkerFeedback',
                                lambda t: node.create_publisher(t, 'feedback', 1)),
                               ('visualization_msgs/msg/InteractiveMarkerInit',
                                lambda t: node.create_subscription(t, 'init', print, 1))):
            msg_type = get_message(ros_type)
            codec.cache.pop(ros_type, None)
            make(msg_type)
            assert ros_type in codec.cache
    finally:
        node.destroy_node()
