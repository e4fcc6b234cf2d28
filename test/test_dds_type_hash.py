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
Type hashes: RIHS01 as rosidl computes it, and in the USER_DATA of every DDS-runtime endpoint.

Known hashes are those that rosidl_generator_type_description gives the standard types (as
published by ROS 2 Jazzy peers and their tools); a peer without one logs "Failed to parse type
hash" and `ros2 topic info -v` shows INVALID.
"""

import re
import time

from cyclonedds.builtin import (
    BuiltinDataReader, BuiltinTopicDcpsPublication, BuiltinTopicDcpsSubscription)
from cyclonedds.qos import Policy
from dgm_robot.msg_defs import bundled_types, typestore
from dgm_robot.ros.dds import api as rclpy
from dgm_robot.ros.dds import msgs
from dgm_robot.ros.dds.node import Node
from dgm_robot.ros.dds.type_hash import type_hash, type_hash_user_data
import pytest

KNOWN = {
    'std_msgs/msg/String':
        'RIHS01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18',
    'std_msgs/msg/Empty':
        'RIHS01_20b625256f32d5dbc0d04fee44f43c41e51c70d3502f84b4a08e7a9c26a96312',
    'std_msgs/msg/MultiArrayLayout':
        'RIHS01_4c66e6f78e740ac103a94cf63259f968e48c617e7699e829b63c21a5cb50dac6',
    'sensor_msgs/msg/CameraInfo':
        'RIHS01_b3dfd68ff46c9d56c80fd3bd4ed22c7a4ddce8c8348f2f59c299e73118e7e275',
    'geometry_msgs/msg/PoseStamped':
        'RIHS01_10f3786d7d40fd2b54367835614bff85d4ad3b5dab62bf8bca0cc232d73b4cd8',
    'geometry_msgs/msg/PoseWithCovarianceStamped':
        'RIHS01_26432f9803e43727d3c8f668d1fdb3c630f548af631e2f4e31382371bfea3b6e',
}
RIHS01 = re.compile(r'^RIHS01_[0-9a-f]{64}$')


@pytest.mark.parametrize('ros_type', sorted(KNOWN))
def test_hash_is_the_one_rosidl_publishes(ros_type):
    """Nested types, fixed arrays, sequences and the empty message hash as rosidl hashes them."""
    assert type_hash(ros_type) == KNOWN[ros_type]


def test_every_message_type_has_a_hash():
    """Every message type the runtime can build, bundled ones included, gets a well-formed hash."""
    names = [n for n in typestore('jazzy').fielddefs if '/msg/' in n]
    assert set(bundled_types()) & set(names)
    hashes = {n: type_hash(n) for n in names}
    assert all(RIHS01.match(h) for h in hashes.values())
    assert len(set(hashes.values())) == len(hashes)


def _user_data(participant, builtin_topic, topic_name):
    reader = BuiltinDataReader(participant, builtin_topic)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        for sample in reader.take(64):
            if sample.topic_name == topic_name:
                return sample.qos[Policy.Userdata].data if Policy.Userdata in sample.qos else b''
        time.sleep(0.05)
    raise AssertionError(f'no endpoint on {topic_name} discovered')


def test_endpoints_carry_the_type_hash_in_user_data(runtime):
    """A publisher and a subscription announce `typehash=RIHS01_...;` as rmw_cyclonedds does."""
    node = Node('hashed')
    try:
        node.create_publisher(msgs.std_msgs.msg.String, 'chatter', 10)
        node.create_subscription(msgs.std_msgs.msg.String, 'chatter', lambda msg: None, 10)
        participant = node.context.participant
        expected = type_hash_user_data('std_msgs/msg/String')
        assert expected == f'typehash={KNOWN["std_msgs/msg/String"]};'.encode()
        assert _user_data(participant, BuiltinTopicDcpsPublication, 'rt/chatter') == expected
        assert _user_data(participant, BuiltinTopicDcpsSubscription, 'rt/chatter') == expected
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
